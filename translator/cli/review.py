"""The commands around review: ``status`` (what waits for a person, or a queued job's
progress), ``export`` and ``import`` (XLIFF for reviewers outside the repository)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from ..catalogs.states import STATES
from ..errors import TranslatorError
from ..site.config import load_settings
from ..site.files import site_locked
from .command import (
    JSON,
    PATHS,
    ROOT,
    TIMEOUT,
    TO,
    WAIT,
    Argument,
    UsageError,
    command,
    echo,
    file,
)
from .run import setup

TYPE_CHECKING = False  # typing's own, without importing typing (see named_tuple.py)
if TYPE_CHECKING:
    from ..status import Row

JOB_ID = re.compile(r"[0-9a-f]{32}")


@command(
    "status",
    PATHS,
    TO,
    JSON,
    Argument(
        "--markdown",
        dest="as_markdown",
        action="store_true",
        help="Print Markdown (a summary line, a table, the problems): a pull request's body.",
    ),
    Argument("--waiting", action="store_true", help="List each entry waiting for a person."),
    WAIT,
    TIMEOUT,
    ROOT,
)
def status_command(
    paths: Sequence[Path],
    to: Sequence[str],
    as_json: bool,
    as_markdown: bool,
    waiting: bool,
    wait: bool,
    timeout: float | None,
    root: Path,
) -> None:
    """Show, per post and locale, what is translated and what is waiting for review.

    Given a JOB id (from ``translator queue``): the job's progress instead."""
    from ..status import Rows, post_status

    if as_json and as_markdown:
        raise UsageError("--json and --markdown: choose one")
    if len(paths) == 1 and JOB_ID.fullmatch(str(paths[0])) and not paths[0].exists():
        from .extensions import extension

        job = extension("job")
        assert job is not None
        job(job_id=str(paths[0]), wait=wait, timeout=timeout, as_json=as_json, resend=False)
        return
    run, posts, locales = setup(root, paths, to)
    rows = []
    errors = []
    detailed = as_json or waiting
    known = Rows(run.site) if detailed else None
    for post in posts:
        for locale in locales:
            try:
                rows.append(post_status(run.site, post, locale, entries=detailed, rows=known))
            except TranslatorError as exc:
                run.error(exc)
                errors.append(exc.located())
    if known is not None:
        known.save()
    if as_json:
        # a row a line: readable, and each dumped by the C encoder (``indent`` is pure Python)
        dumped = (json.dumps(row.as_dict(), ensure_ascii=False) for row in rows)
        echo("[\n" + ",\n".join(dumped) + "\n]" if rows else "[]")
    elif as_markdown:
        from .report import status_markdown

        echo(status_markdown(rows, errors), nl=False)
    else:
        render_table(rows)
    if waiting and not as_json and not as_markdown:
        for row in rows:
            for item in row.waiting:
                text = str(item["msgid"])
                shown = text if len(text) <= 50 else text[:49] + "…"
                by = f" (by {item['by']})" if item["by"] else ""
                echo(f"{row.catalog}:{item['line']}: {item['state']}{by}: {shown}")
    sys.exit(run.exit_code())


@command(
    "export",
    PATHS,
    TO,
    Argument(
        "-o",
        "--output",
        type=file,
        required=True,
        metavar="FILE",
        help="The XLIFF 1.2 file to write.",
    ),
    Argument(
        "--all",
        dest="everything",
        action="store_true",
        help="Every unit, not only the waiting ones.",
    ),
    ROOT,
)
def export_command(
    paths: Sequence[Path], to: Sequence[str], output: Path, everything: bool, root: Path
) -> None:
    """Write the units waiting for a person to an XLIFF 1.2 file, for a CAT tool."""
    from ..catalogs.exchange import export_units
    from ..site.files import write_atomic

    run, posts, locales = setup(root, paths, to)
    found = []
    for post in posts:
        for locale in locales:
            try:
                catalog = run.site.read(post, locale)
            except TranslatorError as exc:
                run.error(exc)
                continue
            if catalog is not None:
                found.append((run.site.catalog_path(post, locale), post.source, locale, catalog))
    data = export_units(found, run.settings.source_locale, everything=everything)
    write_atomic(output, data)
    units = data.count(b"<trans-unit ")
    echo(f"wrote {output}: {units} units from {len(found)} catalogs")
    sys.exit(run.exit_code())


@command(
    "import",
    Argument("xliff", type=Path, metavar="XLIFF", help="The reviewed XLIFF file."),
    Argument(
        "--to",
        action="append",
        default=[],
        metavar="LOCALE[,LOCALE]",
        help="For an XLIFF another tool made from an export: the locales whose catalogs its "
        "units are matched in, by id.",
    ),
    ROOT,
)
def import_command(xliff: Path, to: Sequence[str], root: Path) -> None:
    """Take a reviewer's XLIFF back into the catalogs; then run `translator build`."""
    from ..catalogs.exchange import import_units

    catalogs: list[Path] = []
    if to:
        run, posts, locales = setup(root, (), to)
        settings = run.settings
        catalogs = [settings.root / run.site.catalog_path(p, loc) for p in posts for loc in locales]
    else:
        settings = load_settings(root)
    with site_locked(settings.root, lambda holder: echo(f"waiting for: {holder}", err=True)):
        result = import_units(xliff, settings.root, catalogs)
    for po, count in result.updated.items():
        echo(f"{po}: {count} entries updated")
    for line in result.skipped:
        echo(line, err=True)
    if not result.updated and not result.skipped:
        echo("nothing to import")
    sys.exit(1 if result.skipped else 0)


def render_table(rows: list[Row]) -> None:
    """Print ``status`` rows as a table: plain text drawn here, as fast for six thousand
    rows as for six (a rich table measures every cell twice: 17 s for 5,772 rows)."""
    head = ["post", "locale", *(s.value for s in STATES), "words to review", "problems"]
    lines = []
    for row in rows:
        name = PurePosixPath(row.post).name
        if not row.entries:
            lines.append([name, row.locale, *["—"] * (len(STATES) + 1), "no catalog"])
            continue
        counts = [str(row.entries[s.value]) for s in STATES]
        lines.append([name, row.locale, *counts, str(row.words_to_review), str(len(row.problems))])
    widths = [max([len(h), *(_width(line[i]) for line in lines)]) for i, h in enumerate(head)]

    def drawn(cells: list[str]) -> str:
        pads = [" " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)]
        left = [c + pad for c, pad in zip(cells[:2], pads, strict=False)]
        right = [pad + c for c, pad in zip(cells[2:], pads[2:], strict=True)]
        return "│ " + " │ ".join(left + right) + " │"

    rule = "─┼─".join("─" * w for w in widths)
    out = ["Translation status", drawn(head), f"├─{rule}─┤", *(drawn(c) for c in lines)]
    echo("\n".join(out))


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese post name's characters take two."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
