"""PO text laid out as GNU gettext lays it out: for any catalog, what ``msgcat F.po`` prints.

Babel reads catalogs and holds them; this module writes them the way GNU gettext 0.21's
``write-po.c`` does (the layout Poedit, Lokalize and Weblate keep when they save in gettext
style), so that a reviewer's save and ours differ only where a translation does:

- entries: translator comments ``# x`` (``#`` alone when empty), ``#.`` comments, ``#:``
  references (wrapped before a reference that would pass byte 79), ``#,`` flags (GNU's
  order: fuzzy, ``*-format``, ``range:``, ``no-wrap``; fuzzy only where there is a
  translation), ``#|`` previous msgid, then msgctxt, msgid, msgstr. An obsolete entry keeps
  its comments, writes only fuzzy/``*-format``/``no-wrap`` flags and ``#~ `` before its
  strings (``#~| `` before its previous msgid); one without a translation is not written.
- strings: escapes ``\\a \\b \\f \\n \\r \\t \\v \\\\ \\"``; a new line after each ``\\n``; a
  string that wraps, or has a ``\\n`` before its end, starts with ``""``; each line holds at
  most 79 columns with its quotes and prefix, where a character takes the columns
  libunistring's ``uc_width`` gives it (2 for East Asian wide and full-width, 0 for
  combining marks); lines break only where the Unicode line breaking algorithm (UAX #14, as
  libunistring 1.0 implements it) allows, which includes between two CJK ideographs and
  after a space (kept at the end of the line); never inside a ``python-format`` directive
  (nor where GNU's python-brace-format parser misplaces its marks: see
  ``_brace_directives``), nor before the ``\\n`` that ends a string.

Tested byte for byte against ``msgcat``. Flags GNU does not know (such as ``ignore-cjk``)
are kept after the others, though ``msgcat`` drops them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import pairwise

from babel.messages.catalog import Catalog, Message

from .format_directives import FORMATS, inside_directives
from .line_breaks import line_breaks

PAGE_WIDTH = 79  # GNU's default --width

# -- strings ------------------------------------------------------------------------------

_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}


def wrap(keyword: str, value: str, *, prefix: str = "", flags: Iterable[str] = ()) -> list[str]:
    """``keyword "value"`` as GNU's ``wrap()`` writes it: lines of at most 79 columns."""
    return list(_wrap(keyword, value, prefix, tuple(_split_flags(flags))))


@lru_cache(maxsize=1 << 14)  # a msgid is written once per locale: wrapped once
def _wrap(keyword: str, value: str, prefix: str, flags: tuple[str, ...]) -> tuple[str, ...]:
    inside = inside_directives(value, flags)
    after_break = len(prefix) + 1  # where the text of a continuation line starts
    width = (PAGE_WIDTH if "no-wrap" not in flags else 1 << 30) - 1 - after_break
    lines: list[str] = []
    first = True
    start = 0
    while True:
        end = value.find("\n", start) + 1 or len(value)
        portion, forbidden = _escaped(value, start, end, inside)
        if end > start and value[end - 1] == "\n":
            forbidden[-2] = True  # not before the \n that ends a line
        column = len(prefix) + len(keyword) + 2 - after_break if first else 0
        breaks = line_breaks(portion, forbidden, width, column)
        if first and portion and (end < len(value) or column > width or any(breaks)):
            lines.append(f'{prefix}{keyword} ""')
            first = False
            column = 0
            breaks = line_breaks(portion, forbidden, width, column)
        head = f"{prefix}{keyword} " if first else prefix
        first = False
        cuts = [0, *(i for i, b in enumerate(breaks) if b), len(portion)]
        lines.append(f'{head}"{portion[cuts[0] : cuts[1]]}"')
        lines.extend(f'{prefix}"{portion[a:b]}"' for a, b in pairwise(cuts[1:]))
        start = end
        if start >= len(value):
            return tuple(lines)


_ESCAPED = str.maketrans({**{k: "\\" + v for k, v in _ESCAPES.items()}, "\\": "\\\\", '"': '\\"'})


def _escaped(value: str, start: int, end: int, inside: list[bool]) -> tuple[str, list[bool]]:
    """``value[start:end]`` escaped, and for each of its characters whether a line may not
    break before it (inside a directive, or inside an escape)."""
    text = value[start:end].translate(_ESCAPED)
    if len(text) == end - start:  # nothing escaped: the common case
        return text, inside[start:end]
    if len(text) == end - start + 1 and value[end - 1] == "\n" and text[-2:] == "\\n":
        return text, [*inside[start:end], True]  # only the \n that ends the line
    forbidden: list[bool] = []
    for i in range(start, end):
        ch = value[i]
        forbidden.append(inside[i])
        if ch in _ESCAPES or ch in '\\"':
            forbidden.append(True)
    return text, forbidden


# -- entries ------------------------------------------------------------------------------


def _split_flags(flags: Iterable[str]) -> Iterator[str]:
    """Flags one by one, as GNU splits a ``#,`` line (Babel keeps "a b" as one flag)."""
    for flag in flags:
        yield from (f for f in re.split(r"[\s,]+", flag) if f)


def flags_line(flags: Iterable[str], *, translated: bool, obsolete: bool) -> str | None:
    """The ``#,`` line GNU writes for these flags (None: no line). GNU forgets the flags it
    does not know; we keep them, last (``ignore-cjk`` is ours)."""
    tokens = list(_split_flags(flags))
    formats: dict[str, str] = {}
    unknown: set[str] = set()
    fuzzy = no_wrap = False
    span: str | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        m = re.fullmatch(r"(no-|possible-|impossible-)?(.+)-format", token)
        if token == "fuzzy":
            fuzzy = True
        elif m and m.group(2) in FORMATS:
            formats[m.group(2)] = m.group(1) or ""
        elif token == "range:":
            r = re.fullmatch(r"(\d+)\.\.(\d+)", tokens[i]) if i < len(tokens) else None
            i += 1
            if r and int(r.group(1)) <= int(r.group(2)):
                span = f"range: {int(r.group(1))}..{int(r.group(2))}"
        elif token in ("no-wrap", "wrap"):
            no_wrap = token == "no-wrap"
        else:
            unknown.add(token)
    out = ["fuzzy"] if fuzzy and (translated or obsolete) else []
    out += [
        ("no-" if formats[f] == "no-" else "") + f"{f}-format"
        for f in FORMATS
        if formats.get(f, "impossible-") != "impossible-"
    ]
    if span and not obsolete:
        out.append(span)
    if no_wrap:
        out.append("no-wrap")
    out += sorted(unknown)
    return "#, " + ", ".join(out) if out else None


def _comment(mark: str, text: str) -> Iterator[str]:
    for line in text.split("\n"):
        line = line.strip()
        # GNU's reader joins a line that ends with a backslash to the next one (Babel's does
        # not): a space after it, which Babel strips again, keeps the two apart
        yield f"{mark} {line}" + (" " if line.endswith("\\") else "") if line else mark


def references(locations: Iterable[tuple[str, int | None]]) -> list[str]:
    """``#:`` lines: references in order, each once, a new line before one that would pass
    byte 79."""
    lines: list[str] = []
    seen: set[str] = set()
    column = 2
    current = "#:"
    for path, line in locations:
        while path.startswith("./"):
            path = path[2:]
        ref = f"{path}:{line}" if line is not None and line >= 0 else path
        if ref in seen:
            continue
        seen.add(ref)
        size = len(ref.encode("utf-8")) + 1  # GNU counts bytes here, not columns
        if column > 2 and column + size > PAGE_WIDTH:
            lines.append(current)
            current, column = "#:", 2
        current += " " + ref
        column += size
    if column > 2:
        lines.append(current)
    return lines


def entry(message: Message, *, obsolete: bool = False, num_plurals: int = 2) -> list[str]:
    """The lines of one entry (none for an obsolete one without a translation)."""
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    strings = [s or "" for s in strings]
    translated = bool(strings and strings[0])
    if obsolete and not translated:
        return []
    lines: list[str] = []
    for comment in message.user_comments:
        lines.extend(_comment("#", comment))
    for comment in message.auto_comments:  # Babel forgets empty ones: so do we
        lines.extend(line for line in _comment("#.", comment) if line != "#.")
    lines.extend(references(message.locations))
    flags = flags_line(message.flags, translated=translated, obsolete=obsolete)
    if flags:
        lines.append(flags)
    keep = message.flags
    previous = list(message.previous_id or [])
    for keyword, text in zip(("msgid", "msgid_plural"), previous[:2], strict=False):
        lines.extend(wrap(keyword, str(text), prefix="#~| " if obsolete else "#| ", flags=keep))
    prefix = "#~ " if obsolete else ""
    if message.context is not None:
        lines.extend(wrap("msgctxt", message.context, prefix=prefix, flags=keep))
    if isinstance(message.id, (list, tuple)):
        lines.extend(wrap("msgid", str(message.id[0]), prefix=prefix, flags=keep))
        lines.extend(wrap("msgid_plural", str(message.id[1]), prefix=prefix, flags=keep))
        strings += [""] * (num_plurals - len(strings))
        for index, text in enumerate(strings):
            lines.extend(wrap(f"msgstr[{index}]", text, prefix=prefix, flags=keep))
    else:
        lines.extend(wrap("msgid", str(message.id), prefix=prefix, flags=keep))
        lines.extend(wrap("msgstr", strings[0] if strings else "", prefix=prefix, flags=keep))
    return lines


def render(catalog: Catalog) -> str:
    """The whole catalog as GNU gettext writes it."""
    blocks: list[list[str]] = []
    for message in catalog:
        lines = entry(message, num_plurals=catalog.num_plurals)
        if not message.id and message.context is None and catalog.header_comment:
            comments: list[str] = []
            for line in catalog.header_comment.split("\n"):
                text = line[1:] if line.startswith("#") else line
                comments.extend(_comment("#", text))
            lines = comments + lines
        blocks.append(lines)
    for message in catalog.obsolete.values():
        lines = entry(message, obsolete=True, num_plurals=catalog.num_plurals)
        if lines:
            blocks.append(lines)
    return "\n\n".join("\n".join(lines) for lines in blocks) + "\n"
