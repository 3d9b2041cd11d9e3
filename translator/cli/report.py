"""``translator status --markdown``: the status as GitHub-flavoured Markdown, for a pull
request's body or a CI job's summary. The same rows and numbers as the table and
``--json``; catalogs reviewed in full are counted in the summary line, not listed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..catalogs.states import STATES
from ..status import Row, totals
from .run import describe_counts

COLUMNS = tuple(s.value for s in STATES)  # reviewed, machine, stale, suggested, rejected, …
MAX_PROBLEMS = 50  # listed one per line; past that, counted (a pull request's body is short)
_TICKS = re.compile(r"`+")


def code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds: tags such as
    ``<x1/>`` then show as they are instead of being taken for HTML."""
    fence = "`" * (max((len(m) for m in _TICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # GFM splits cells at a bare pipe, even in code


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary(rows: Sequence[Row], errors: Sequence[str] = ()) -> str:
    """One line: how many post translations, their entries by state, the words to review,
    the problems, and how many are reviewed in full (and so not listed)."""
    done = sum(1 for row in rows if row.reviewed_in_full)
    problems = sum(len(row.problems) for row in rows) + len(errors)
    missing = sum(1 for row in rows if not row.entries)
    parts = [describe_counts(totals(list(rows)))]
    parts.append(f"{_plural(sum(row.words_to_review for row in rows), 'word')} to review")
    if missing:
        parts.append(f"{missing} without a catalog")
    parts.append(_plural(problems, "problem"))
    head = _plural(len(rows), "post translation")
    if done:
        head += f" ({done} reviewed in full, not listed)"
    return f"**{head}**: " + "; ".join(parts) + "."


def table(rows: Sequence[Row]) -> list[str]:
    """The rows with something waiting for a person, or a problem, as a GFM table."""
    shown = [row for row in rows if not row.reviewed_in_full]
    if not shown:
        return []
    header = ["post", "locale", *COLUMNS, "words to review", "problems"]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join([":--", ":--", *["--:"] * (len(header) - 2)]) + "|",
    ]
    for row in shown:
        if row.entries:
            numbers = [str(row.entries.get(state, 0)) for state in COLUMNS]
            numbers += [str(row.words_to_review), str(len(row.problems))]
        else:
            numbers = ["—"] * len(COLUMNS) + ["—", "no catalog"]
        cells = [_cell(code(row.post)), _cell(row.locale), *numbers]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def status_markdown(rows: Sequence[Row], errors: Sequence[str] = ()) -> str:
    """The summary line, the table, then each problem on a line of its own."""
    out = [summary(rows, errors)]
    listed = table(rows)
    if listed:
        out += ["", *listed]
    problems = [line for row in rows for line in row.problems] + list(errors)
    if problems:
        out += ["", "Problems:", ""]
        out += [f"- {code(line)}" for line in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            out.append(f"- and {more} more: `translator status --json` lists them all")
    return "\n".join(out) + "\n"
