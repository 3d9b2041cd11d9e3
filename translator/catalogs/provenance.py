"""Provenance headers: what a catalog was extracted from (``X-Source-Path``,
``X-Source-Hash``, ``X-Extract-Options``), kept by :class:`PostCatalog` and read fast."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from babel.messages.catalog import Catalog

SOURCE_HASH = "X-Source-Hash"  # the source post this catalog was extracted from
SOURCE_PATH = "X-Source-Path"
EXTRACT_OPTIONS = "X-Extract-Options"  # what else extraction depended on (keys, version…)
_EXTRA = (SOURCE_PATH, SOURCE_HASH, EXTRACT_OPTIONS)


class PostCatalog(Catalog):
    """A Babel catalog that also keeps our ``X-Source-*`` headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_headers: dict[str, str] = {}

    def _get_headers(self) -> list[tuple[str, str]]:
        headers = Catalog._get_mime_headers(self)
        last_name, last_value = headers[-1]
        headers[-1] = (last_name, last_value.rstrip("\n"))
        headers += [(k, self.extra_headers[k]) for k in _EXTRA if k in self.extra_headers]
        headers[-1] = (headers[-1][0], headers[-1][1] + "\n")
        return headers

    def _set_headers(self, headers: Iterable[tuple[str, str]]) -> None:
        headers = list(headers)
        Catalog._set_mime_headers(self, headers)
        for name, value in headers:
            for known in _EXTRA:
                if name.lower() == known.lower():
                    self.extra_headers[known] = value.strip()

    mime_headers = property(_get_headers, _set_headers)


def content_digest(catalog: Catalog) -> str:
    """What a catalog says, as far as publishing goes, hashed: each live entry's msgctxt,
    msgid, msgstr, flags, whether it has a previous msgid, and the translator comments the
    tool reads. Line wrapping, header order, dates and obsolete entries are layout: a save
    by a PO editor that changes only those changes nothing here."""
    entries = sorted(
        (
            m.context or "",
            str(m.id),
            str(m.string),
            sorted(m.flags),
            bool(m.previous_id),
            [c for c in m.user_comments if c.startswith(_READ_COMMENTS)],
        )
        for m in catalog
        if m.id
    )
    data = json.dumps(entries, ensure_ascii=False).encode()
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]


_READ_COMMENTS = ("translated-by: ", "not published: ")


def header_value(text: str, name: str) -> str | None:
    """A header's value, read from the PO text without parsing the whole file (however
    the header's lines are wrapped: GNU gettext wraps one longer than 79 columns)."""
    m = _HEADER.search(text[:8192])
    if m is None:
        return None
    header = "".join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1)))
    for line in header.split("\\n"):
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() == name.lower():
            return value.replace('\\"', '"').replace("\\\\", "\\").strip()
    return None


# the header's msgstr: the first one in the file, with its continuation lines
_HEADER = re.compile(r'^msgstr[ \t]*((?:"(?:[^"\\\n]|\\.)*"[ \t]*(?:\n|$))+)', re.MULTILINE)
