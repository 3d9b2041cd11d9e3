"""A post's catalog in memory: a Babel catalog that also keeps our ``X-Source-*`` headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, ValuesView
from typing import Any

from babel.messages.catalog import Catalog, Message

from .provenance import EXTRA_HEADERS


class PostCatalog(Catalog):
    """A Babel catalog that also keeps our ``X-Source-*`` headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_headers: dict[str, str] = {}

    def _get_headers(self) -> list[tuple[str, str]]:
        headers = Catalog._get_mime_headers(self)
        last_name, last_value = headers[-1]
        headers[-1] = (last_name, last_value.rstrip("\n"))
        headers += [(k, self.extra_headers[k]) for k in EXTRA_HEADERS if k in self.extra_headers]
        headers[-1] = (headers[-1][0], headers[-1][1] + "\n")
        return headers

    def _set_headers(self, headers: Iterable[tuple[str, str]]) -> None:
        headers = list(headers)
        Catalog._set_mime_headers(self, headers)
        for name, value in headers:
            for known in EXTRA_HEADERS:
                if name.lower() == known.lower():
                    self.extra_headers[known] = value.strip()

    mime_headers = property(_get_headers, _set_headers)

    def entries(self) -> ValuesView[Message]:
        """The live entries, in order, without the header entry: iterating a Babel catalog
        formats its headers (dates through the locale data) into a header entry first,
        which is most of the time a large site's build spends counting."""
        return self._messages.values()

    def _get_header_comment(self) -> str:
        # Babel names the locale (loading its whole data file, 15 ms a process) only to
        # fill in a "Translations template" comment, which ours never is
        comment = self._header_comment or ""
        if "Translations template" in comment:
            return str(Catalog._get_header_comment(self))
        year = self.revision_date.strftime("%Y") if hasattr(self.revision_date, "strftime") else ""
        return (
            comment.replace("PROJECT", self.project)
            .replace("VERSION", self.version)
            .replace("YEAR", year or dt.datetime.now().strftime("%Y"))
            .replace("ORGANIZATION", self.copyright_holder)
        )

    header_comment = property(_get_header_comment, Catalog._set_header_comment)
