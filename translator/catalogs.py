"""PO catalogs: one per post and locale, kept with Babel.

Entries follow the post's order. ``#:`` gives ``path:line`` of each occurrence, ``#.`` the
kind of block and what each tag stands for. A value that occurs under two different
front-matter keys, or both in the front matter and the body, gets ``msgctxt`` (the key);
every other repeated text shares one entry. Writes are atomic and skipped when nothing
but the dates would change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, PoFileParser, write_po

from .errors import CatalogError, ConfigError
from .segmenter import Segmentation, Unit

SOURCE_HASH = "X-Source-Hash"
SOURCE_PATH = "X-Source-Path"
_EXTRA = (SOURCE_PATH, SOURCE_HASH)
ORIGIN_PREFIX = "translated-by: "


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


@dataclass(slots=True)
class Entry:
    """What extraction says one PO entry must be."""

    msgid: str
    context: str | None
    locations: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def source_hash(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]


def entries_for(seg: Segmentation, source: str, *, copy_latin: bool = True) -> list[Entry]:
    """The entries a post's units call for, in document order."""
    units = [u for u in seg.units if u.text and (u.needs_translation or not copy_latin)]
    kinds: dict[str, set[str]] = {}
    for u in units:
        kinds.setdefault(u.text, set()).add(u.context or "body")
    entries: dict[tuple[str | None, str], Entry] = {}
    for unit in units:
        for text in unit.sentences or (unit.text,):
            context = unit.context if unit.context and len(kinds[unit.text]) > 1 else None
            entry = entries.setdefault((context, text), Entry(text, context))
            entry.locations.append((source, unit.line))
            for comment in _comments(unit):
                if comment not in entry.comments:
                    entry.comments.append(comment)
    return list(entries.values())


def _comments(unit: Unit) -> Iterator[str]:
    yield f"{unit.kind}: {unit.context}" if unit.context else unit.kind
    if unit.joined:
        yield "wrapped source lines joined; no space between CJK characters"
    for ph in unit.placeholders:
        shown = ph.source().replace("\n", "⏎")
        if len(shown) > 60:
            shown = shown[:57] + "…"
        tag = f"<x{ph.number}>…</x{ph.number}>" if ph.paired else f"<x{ph.number}/>"
        yield f"{tag} = {ph.kind}: {shown}"


def locale_of(name: str) -> Locale:
    try:
        return Locale.parse(name.replace("-", "_"))
    except (ValueError, UnknownLocaleError) as exc:
        raise ConfigError(f"unknown locale {name!r}") from exc


HEADER = """\
# {language} translation of a post: {source}
# Edit msgstr lines in a PO editor (Poedit, Lokalize,
# Weblate), then run `translator build` to publish.
# msgid lines are rebuilt from the post by `translator
# extract`: do not edit them. Tags like <x1/> stand for
# code, links and markup: keep each exactly once (you may
# move it)."""


def new_catalog(locale: str, project: str, source: str = "") -> PostCatalog:
    parsed = locale_of(locale)
    catalog = PostCatalog(
        locale=parsed,
        header_comment=HEADER.format(language=parsed.english_name, source=source),
        project=project,
        version="1.0",
        last_translator="translator",
        language_team=f"{locale} <>",
        fuzzy=False,
    )
    catalog.revision_date = catalog.creation_date
    return catalog


def update_catalog(
    old: PostCatalog | None,
    entries: list[Entry],
    *,
    locale: str,
    project: str,
    source: str,
    digest: str,
) -> PostCatalog:
    """Return the catalog ``entries`` call for, keeping what ``old`` knows.

    Translations, flags and translator comments of unchanged entries are kept; entries no
    longer in the source become obsolete, and come back from there if the text returns.
    """
    catalog = new_catalog(locale, project, source)
    if old is not None:
        catalog.creation_date = old.creation_date
        catalog.revision_date = old.revision_date
        catalog.last_translator = old.last_translator
        catalog.language_team = old.language_team
    catalog.extra_headers = {SOURCE_PATH: source, SOURCE_HASH: digest}
    for entry in entries:
        message = Message(
            entry.msgid,
            locations=entry.locations,
            auto_comments=entry.comments,
            context=entry.context,
        )
        previous = _find(old, entry.msgid, entry.context)
        if previous is not None:
            message.string = previous.string
            message.flags = set(previous.flags)
            message.user_comments = list(previous.user_comments)
            message.previous_id = previous.previous_id
        catalog[entry.msgid] = message
    if old is not None:
        wanted = {(e.context, e.msgid) for e in entries}
        for message in [*old, *old.obsolete.values()]:
            if not message.id or (message.context, message.id) in wanted:
                continue
            if message.string:
                message.locations = []
                catalog.obsolete[
                    (message.id, message.context) if message.context else message.id
                ] = message
    return catalog


def _find(catalog: Catalog | None, msgid: str, context: str | None) -> Message | None:
    if catalog is None:
        return None
    message = catalog.get(msgid, context)
    if message is None:
        key = (msgid, context) if context else msgid
        message = catalog.obsolete.get(key)
    return message


def read_catalog(path: Path) -> PostCatalog | None:
    """Read a PO file; ``None`` if it does not exist. Raises :class:`CatalogError`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", path) from exc
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogError("not UTF-8", path, line) from exc
    problem = lint_po(data.decode("utf-8"))
    if problem is not None:
        raise CatalogError(f"PO syntax error: {problem[1]}", path, problem[0])
    catalog = PostCatalog()
    parser = PoFileParser(catalog, ignore_obsolete=False, abort_invalid=True)
    try:
        parser.parse(io.BytesIO(data))
    except PoFileError as exc:
        raise CatalogError(
            f"PO syntax error: {str(exc).rsplit(' on ', 1)[0]}", path, exc.lineno + 1
        ) from exc
    except (ValueError, SyntaxError) as exc:
        raise CatalogError(f"PO syntax error: {exc}", path) from exc
    return catalog


_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD_LINE = re.compile(
    r"(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+(" + _STRING + r")[ \t]*"
)
_CONTINUATION = re.compile(r"(" + _STRING + r")[ \t]*")


def lint_po(text: str) -> tuple[int, str] | None:
    """Find what GNU gettext would reject but Babel's lenient parser lets through:
    unterminated strings, unknown keywords, text after a string, duplicate messages.
    Returns (1-based line, message) of the first problem."""
    seen: dict[tuple[str | None, str], int] = {}
    context: str | None = None
    msgid: str | None = None
    msgid_line = 0
    field: str | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _KEYWORD_LINE.fullmatch(line)
        if m:
            keyword, value = m.group(1), m.group(2)[1:-1]
            if keyword == "msgctxt":
                context, msgid, field = value, None, "msgctxt"
            elif keyword == "msgid":
                msgid, msgid_line, field = value, number, "msgid"
            else:
                if field in ("msgid", "msgid_plural") and msgid is not None:
                    key = (context, msgid)
                    if key in seen and msgid:
                        return (
                            msgid_line,
                            f"duplicate message definition (first defined on line {seen[key]})",
                        )
                    seen[key] = msgid_line
                    context = None
                field = keyword
            continue
        m = _CONTINUATION.fullmatch(line)
        if m and field is not None:
            if field == "msgid" and msgid is not None:
                msgid += m.group(1)[1:-1]
            elif field == "msgctxt" and context is not None:
                context += m.group(1)[1:-1]
            continue
        if line.count('"') % 2 == 1 or re.fullmatch(r'\w+(\[\d+\])?\s+"[^"]*', line):
            return number, "unterminated string"
        keyword = line.split()[0]
        if re.fullmatch(r"(msgctxt|msgid|msgid_plural|msgstr(\[\d+\])?)", keyword):
            return number, f"text after the string of {keyword}"
        return number, f"unknown keyword {keyword!r}"
    return None


def render_catalog(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, include_previous=True)
    return buffer.getvalue()


def same_content(catalog: Catalog, path: Path) -> bool:
    """Whether the PO file at ``path`` says what ``catalog`` says, however it is laid out
    (a save by Poedit or Weblate wraps lines its own way)."""
    data = render_catalog(catalog)
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        return False
    if current == data:
        return True
    try:
        on_disk = read_catalog(path)
    except CatalogError:
        return False
    return on_disk is not None and render_catalog(on_disk) == data


def write_catalog(path: Path, catalog: PostCatalog) -> bool:
    """Write ``catalog`` atomically unless it says nothing new; True if written."""
    if same_content(catalog, path):
        return False
    current = path.read_bytes() if path.exists() else None
    data = render_catalog(catalog)
    if current is not None:
        catalog.revision_date = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        data = render_catalog(catalog)
    write_atomic(path, data)
    return True


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(path.stat().st_mode & 0o777 if path.exists() else 0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def origin_of(message: Message) -> str | None:
    """Which backend (or person) wrote a message's translation, from its comment."""
    for comment in message.user_comments:
        if comment.startswith(ORIGIN_PREFIX):
            return comment[len(ORIGIN_PREFIX) :].strip()
    return None


def set_origin(message: Message, origin: str) -> None:
    message.user_comments = [c for c in message.user_comments if not c.startswith(ORIGIN_PREFIX)]
    message.user_comments.append(ORIGIN_PREFIX + origin)
