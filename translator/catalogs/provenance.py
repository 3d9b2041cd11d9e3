"""Provenance headers: what a catalog was extracted from (``X-Source-Path``,
``X-Source-Hash``, ``X-Extract-Options``), read fast from the PO text; and what a catalog
says, hashed. (No Babel here: a check of an unchanged site imports only this.)"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

TYPE_CHECKING = False  # typing's own, without importing typing (see named_tuple.py)
if TYPE_CHECKING:
    from babel.messages.catalog import Message


SOURCE_HASH = "X-Source-Hash"  # the source post this catalog was extracted from
SOURCE_PATH = "X-Source-Path"
EXTRACT_OPTIONS = "X-Extract-Options"  # what else extraction depended on (keys, version…)
EXTRA_HEADERS = (SOURCE_PATH, SOURCE_HASH, EXTRACT_OPTIONS)


def content_digest(catalog: Iterable[Message]) -> str:
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


def header_values(text: str) -> dict[str, str]:
    """The header's fields (names lower-cased), read from the PO text without parsing the
    whole file, however the header's lines are wrapped (GNU gettext wraps one longer than 79
    columns): the first ``msgstr`` and its continuation lines."""
    at = text.find("\nmsgstr", 0, 8192)
    if at < 0:
        return {}
    end = text.find("\n\n", at, at + 8192)
    lines = iter(text[at + 7 : end if end > 0 else at + 8192].split("\n"))
    parts = [next(lines).strip()]
    for line in lines:
        line = line.strip()
        if not line.startswith('"'):
            break
        parts.append(line)
    if not all(len(p) >= 2 and p[0] == p[-1] == '"' for p in parts):
        return {}
    found: dict[str, str] = {}
    for field in "".join(p[1:-1] for p in parts).split("\\n"):
        key, colon, value = field.partition(":")
        if colon:
            value = value.replace('\\"', '"').replace("\\\\", "\\").strip()
            found.setdefault(key.strip().lower(), value)
    return found
