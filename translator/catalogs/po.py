"""PO catalogs on disk: one per post and locale, read and written with Babel.

Reading is strict (what GNU gettext rejects, we reject, with the line); writing is atomic
and skipped when the file already says the same thing, however it is laid out.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, PoFileParser, normalize, unescape, write_po

from ..errors import CatalogError, ConfigError
from ..site.files import write_atomic

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


@lru_cache(maxsize=64)
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
    # Babel wraps a long "#| msgid" into one broken comment line: we write those ourselves
    write_po(buffer, catalog, width=WIDTH, include_previous=False)
    return _with_previous(buffer.getvalue().decode("utf-8"), catalog).encode("utf-8")


WIDTH = 76


def _with_previous(text: str, catalog: Catalog) -> str:
    """Insert ``#| msgid`` lines (GNU layout) before the entries that have a previous text."""
    blocks = text.split("\n\n")
    messages = [m for m in catalog if m.id]
    if not any(m.previous_id for m in messages):
        return text
    # block 0 is the header; live messages follow in catalog order
    for index, message in enumerate(messages, start=1):
        if not message.previous_id or index >= len(blocks):
            continue
        lines = blocks[index].split("\n")
        at = next(i for i, ln in enumerate(lines) if ln.startswith(("msgctxt ", "msgid ")))
        previous = normalize(str(message.previous_id[0]), width=WIDTH).split("\n")
        comment = [f"#| msgid {previous[0]}", *(f"#| {ln}" for ln in previous[1:])]
        blocks[index] = "\n".join([*lines[:at], *comment, *lines[at:]])
    return "\n\n".join(blocks)


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


def write_catalog(path: Path, catalog: PostCatalog, *, changed: bool = False) -> bool:
    """Write ``catalog`` atomically unless it says nothing new (not compared when the
    caller knows it ``changed``); True if written."""
    if not changed and same_content(catalog, path):
        return False
    if path.exists():
        catalog.revision_date = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    write_atomic(path, render_catalog(catalog))
    return True


def header_value(text: str, name: str) -> str | None:
    """A header's value, read from the PO text without parsing the whole file."""
    m = re.search(r'^"' + re.escape(name) + r': ([^"\\]*)(?:\\n)?"$', text[:4096], re.MULTILINE)
    return m.group(1).strip() if m else None


@dataclass(frozen=True, slots=True)
class Counts:
    translated: int = 0  # without fuzzy
    fuzzy: int = 0
    untranslated: int = 0
    obsolete: int = 0


_Q = r'"(?:[^"\\\n]|\\.)*"'
_COUNTED = re.compile(r'^(?:(msgid )|(msgstr ""\n(?!"))|(#,.*\bfuzzy\b)|(#~ msgid ))', re.MULTILINE)
_UNTRANSLATED = re.compile(
    r"^(?:msgctxt (" + _Q + r"\n(?:" + _Q + r"\n)*))?msgid (" + _Q + r"\n(?:" + _Q + r"\n)*)"
    r'msgstr ""(?:\n(?!")|\Z)',
    re.MULTILINE,
)


def quick_counts(text: str) -> Counts:
    """Count entries by state from the PO text alone: fast enough for a whole site.

    (A fuzzy entry with an empty msgstr counts as untranslated and as fuzzy.)
    """
    if not text.endswith("\n"):
        text += "\n"
    found = [0, 0, 0, 0]  # msgids, empty msgstrs, fuzzy flags, obsolete msgids
    for m in _COUNTED.finditer(text):
        found[(m.lastindex or 1) - 1] += 1
    entries = found[0] - 1  # the header is msgid ""
    untranslated, fuzzy, obsolete = found[1], found[2], found[3]
    translated = max(0, entries - untranslated - fuzzy)
    return Counts(translated, fuzzy, untranslated, obsolete)


def untranslated_texts(text: str) -> set[str]:
    """The msgids (without msgctxt) of the untranslated entries, from the PO text alone."""
    return {
        "".join(unescape(q) for q in re.findall(_Q, m.group(2)))
        for m in _UNTRANSLATED.finditer(text if text.endswith("\n") else text + "\n")
    } - {""}


class EntryLines:
    """The line of each message's ``msgid`` keyword in a PO file, for reports.

    (Babel remembers the line of a message's first string, which for a wrapped msgid is
    the line after ``msgid ""``.)
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lines: list[str] | None = None

    def of(self, message: Message) -> int | None:
        if message.lineno is None:
            return None
        if self._lines is None:
            try:
                self._lines = self.path.read_text("utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                self._lines = []
        line = message.lineno + 1
        for number in range(min(line, len(self._lines)), 0, -1):
            if self._lines[number - 1].startswith("msgid "):
                return number
        return line

    def report(self, shown_path: str, message: Message | None, why: str) -> str:
        """``po:line: entry "…": why``, the one form every entry-level problem takes."""
        line = self.of(message) if message is not None else None
        text = str(message.id) if message is not None else ""
        short = text if len(text) <= 40 else text[:39] + "…"
        where = f"{shown_path}:{line}" if line else shown_path
        return f'{where}: entry "{short}": {why}'
