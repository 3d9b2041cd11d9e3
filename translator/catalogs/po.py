"""PO catalogs on disk: one per post and locale, read with Babel, written as GNU gettext
writes them (``gettext_style``).

Reading is strict (what GNU gettext rejects, we reject, with the line); writing is atomic
and skipped when the file already says the same thing, however it is laid out.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, PoFileParser, unescape

from ..errors import CatalogError, ConfigError
from ..site.files import write_atomic
from . import gettext_style
from .catalog import PostCatalog


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


# Babel loads a locale's whole data file to name it (15 ms a process): the usual targets
# are named here, and Babel names the rest
_NAMES = {"en": "English", "ja": "Japanese", "ko": "Korean", "fr": "French", "de": "German",
          "es": "Spanish", "pt": "Portuguese", "it": "Italian", "ru": "Russian",
          "vi": "Vietnamese", "th": "Thai", "id": "Indonesian", "nl": "Dutch", "pl": "Polish",
          "tr": "Turkish", "ar": "Arabic", "uk": "Ukrainian", "zh": "Chinese"}  # fmt: skip


def english_name(locale: Locale) -> str:
    if str(locale) in _NAMES:
        return _NAMES[str(locale)]
    return str(locale.english_name)


def new_catalog(locale: str, project: str, source: str = "") -> PostCatalog:
    parsed = locale_of(locale)
    catalog = PostCatalog(
        locale=parsed,
        header_comment=HEADER.format(language=english_name(parsed), source=source),
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
    return parse_catalog(data, path)


def parse_catalog(data: bytes, path: Path) -> PostCatalog:
    """The catalog in ``data`` (read from ``path``). Raises :class:`CatalogError`."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogError("not UTF-8", path, line) from exc
    problem = lint_po(data.decode("utf-8"))
    if problem is not None:
        raise CatalogError(f"PO syntax error: {problem[1]}", path, problem[0])
    text, previous = _previous_lines(data.decode("utf-8"))
    catalog = PostCatalog()
    parser = PoFileParser(catalog, ignore_obsolete=False, abort_invalid=True)
    try:
        parser.parse(io.StringIO(text))
    except PoFileError as exc:
        raise CatalogError(
            f"PO syntax error: {str(exc).rsplit(' on ', 1)[0]}", path, exc.lineno + 1
        ) from exc
    except (ValueError, SyntaxError) as exc:
        raise CatalogError(f"PO syntax error: {exc}", path) from exc
    for message in [*catalog.entries(), *catalog.obsolete.values()]:
        if message.lineno in previous:
            message.previous_id = previous[message.lineno]
    return catalog


def _previous_lines(text: str) -> tuple[str, dict[int, list[str]]]:
    """Take the ``#|`` (and obsolete ``#~|``) previous msgid lines out of ``text``, which
    Babel would keep as translator comments or reject: (the text with blank lines in their
    place, {line of the msgid they precede: [previous msgid, previous msgid_plural]})."""
    lines = text.split("\n")
    found: dict[int, list[str]] = {}
    pending: dict[str, str] = {}
    field: str | None = None
    for number, line in enumerate(lines, 1):
        m = _PREVIOUS.fullmatch(line.strip())
        if m:
            field = m.group(1) or field
            if field is not None:
                pending[field] = pending.get(field, "") + unescape(m.group(2))
            lines[number - 1] = ""
        elif pending and re.match(r"(#~[ \t]*)?msgid[ \t]", line.lstrip()):
            found[number] = [pending[k] for k in ("msgid", "msgid_plural") if k in pending]
            pending, field = {}, None
    return "\n".join(lines), found


_STRING = r'"(?:[^"\\]|\\.)*"'
_PREVIOUS = re.compile(
    r"#~?\|[ \t]*(?:(msgctxt|msgid|msgid_plural)[ \t]+)?(" + _STRING + r")[ \t]*"
)
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
    """The PO file for ``catalog``, laid out as GNU gettext lays it out (``msgcat`` on it
    changes nothing)."""
    return gettext_style.render(catalog).encode("utf-8")


def same_content(catalog: Catalog, path: Path, data: bytes | None = None) -> bool:
    """Whether the PO file at ``path`` says what ``catalog`` says, however it is laid out
    (a save by Poedit or Weblate wraps lines its own way). ``data``: the catalog already
    rendered, if the caller has it."""
    data = render_catalog(catalog) if data is None else data
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
    if on_disk is None:
        return False
    _rejoin_comments(on_disk, catalog)
    return render_catalog(on_disk) == data


def _rejoin_comments(on_disk: Catalog, catalog: Catalog) -> None:
    """Undo what a writer that wraps comments (Babel's) did to the ones extraction writes
    (the header comment, ``#.`` comments): where only the line breaks differ, take ours."""

    def words(lines: Iterable[str]) -> list[str]:
        return " ".join(lines).split()

    def header(comment: str) -> list[str]:
        return words(line.removeprefix("#") for line in comment.split("\n"))

    if header(on_disk.header_comment) == header(catalog.header_comment):
        on_disk.header_comment = catalog.header_comment
    for message in on_disk:
        ours = catalog.get(message.id, message.context) if message.id else None
        if ours is not None and words(message.auto_comments) == words(ours.auto_comments):
            message.auto_comments = list(ours.auto_comments)


def write_catalog(path: Path, catalog: PostCatalog, *, changed: bool = False) -> bool:
    """Write ``catalog`` atomically unless it says nothing new (not compared when the
    caller knows it ``changed``); True if written."""
    data = render_catalog(catalog)
    if not changed and same_content(catalog, path, data):
        return False
    if path.exists():
        catalog.revision_date = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        data = render_catalog(catalog)  # with the new date
    write_atomic(path, data)
    return True
