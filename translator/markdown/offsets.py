"""Where a block's inline content lies in the post: each character's offset, through
container prefixes, soft line breaks and table cells (where ``\\|`` is one ``|``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from markdown_it.token import Token


@lru_cache(maxsize=8)
def line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts."""
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def line_at(text: str, lines: list[int], number: int) -> tuple[int, str]:
    """(offset, text without newline) of 0-based line ``number``."""
    start = lines[number]
    end = lines[number + 1] - 1 if number + 1 < len(lines) else len(text)
    return start, text[start:end]


def unit_offsets(
    text: str,
    lines: list[int],
    tok: Token,
    first: int,
    kind: str,
    column: int,
    pipes: Callable[[str], list[int]] | None = None,
) -> Sequence[int] | None:
    """Map each character of ``tok.content`` (and its end) to an offset in ``text``;
    ``pipes`` says where a table row is split (by default at every unescaped ``|``)."""
    content = tok.content
    if kind == "table cell":
        start, row = line_at(text, lines, first)
        cell = _cell_span(row, column, pipes or _pipes)
        if cell is None:
            return None
        a, b = cell
        return _align(content, row[a:b], start + a)
    parts = content.split("\n")
    assert tok.map is not None
    if len(parts) > tok.map[1] - tok.map[0] or first + len(parts) > len(lines):
        return None
    offsets: list[int] = []
    last = len(parts) - 1
    one_line = last == 0  # most blocks
    for i, part in enumerate(parts):
        start, full = line_at(text, lines, first + i)
        line = full.rstrip() if i == last else full
        if kind == "heading" and one_line and line.lstrip().startswith("#"):
            k = line.find(part, len(line) - len(line.lstrip(" ")) + 1)
        else:
            k = len(line) - len(part)
        if k < 0 or line[k : k + len(part)] != part:
            return None
        if one_line:  # its characters, then its end
            return range(start + k, start + k + len(part) + 1)
        offsets.extend(range(start + k, start + k + len(part)))
        # the end of a line maps to its newline, so a soft break's span covers the next
        # line's container prefix ("> ", indentation) as well
        offsets.append(start + len(full) if i < last else start + k + len(part))
    return offsets


def _pipes(row: str) -> list[int]:
    return [i for i, ch in enumerate(row) if ch == "|" and (i == 0 or row[i - 1] != "\\")]


def _cell_span(row: str, column: int, pipes: Callable[[str], list[int]]) -> tuple[int, int] | None:
    """The stripped span of the ``column``-th (1-based) cell of a table row."""
    bounds = [-1, *pipes(row), len(row)]
    cells = [(bounds[i] + 1, bounds[i + 1]) for i in range(len(bounds) - 1)]
    if cells and not row[cells[0][0] : cells[0][1]].strip() and row.lstrip().startswith("|"):
        cells = cells[1:]
    if cells and not row[cells[-1][0] : cells[-1][1]].strip() and row.rstrip().endswith("|"):
        cells = cells[:-1]
    if column - 1 >= len(cells):
        return None
    a, b = cells[column - 1]
    while a < b and row[a] in " \t":
        a += 1
    while b > a and row[b - 1] in " \t":
        b -= 1
    return a, b


def _align(content: str, raw: str, base: int) -> list[int] | None:
    """Align cell content (where ``\\|`` became ``|``) with its raw text."""
    offsets: list[int] = []
    j = 0
    for ch in content:
        if j < len(raw) and raw[j] == ch:
            offsets.append(base + j)
            j += 1
        elif ch == "|" and raw.startswith("\\|", j):
            offsets.append(base + j)
            j += 2
        else:
            return None
    if j != len(raw):
        return None
    offsets.append(base + j)
    return offsets


def block_offsets(text: str, lines: list[int], content: str, first: int) -> list[int] | None:
    """Map each character of a block's raw ``content`` (an HTML block: each of its lines
    is the end of a line of the post, from line ``first`` on), and its end, to offsets."""
    offsets: list[int] = []
    for i, part in enumerate(content.split("\n")):
        if len(offsets) > len(content):
            break
        if first + i >= len(lines):
            return None
        start, line = line_at(text, lines, first + i)
        k = len(line) - len(part)
        if k < 0 or line[k:] != part:
            return None
        offsets.extend(range(start + k, start + len(line) + 1))
    return offsets[: len(content) + 1]
