"""The pipeline's commands: ``extract``, ``build``, ``translate`` (the main job) and
``check``, each over its use case."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ..check import DEFAULT_FAIL_ON, STALE_KINDS, check
from ..errors import TranslatorError
from .command import PATHS, ROOT, TO, Argument, UsageError, command, echo, non_negative
from .progress import display, progress
from .run import Summary, backend_chain, exclusive, setup, split_values

COUNTED = {"untranslated", "fuzzy", "obsolete", "glossary"}


@command(
    "extract",
    PATHS,
    TO,
    Argument("--purge-obsolete", action="store_true", help="Drop obsolete (#~) entries."),
    ROOT,
)
def extract_command(
    paths: Sequence[Path], to: Sequence[str], purge_obsolete: bool, root: Path
) -> None:
    """Create or update the PO catalog of each post for each locale."""
    from ..extract import extract  # each command imports what it uses: start-up is short

    run, posts, locales = setup(root, paths, to)
    summary = Summary(run.settings)
    with exclusive(run), progress(len(posts), "extract") as step:
        for post in posts:
            try:
                for locale in locales:
                    summary.add(extract(run.site, post, locale, purge=purge_obsolete))
            except TranslatorError as exc:
                run.error(exc)
            step()
    summary.close()
    sys.exit(run.exit_code())


@command("build", PATHS, TO, ROOT)
def build_command(paths: Sequence[Path], to: Sequence[str], root: Path) -> None:
    """Write each per-locale post from its catalog."""
    from ..build import build

    run, posts, locales = setup(root, paths, to)
    summary = Summary(run.settings)
    with exclusive(run), progress(len(posts), "build") as step:
        for post in posts:
            try:
                for locale in locales:
                    outcome = build(run.site, post, locale)
                    for line in outcome.problems:
                        run.problem(line)
                    summary.add(outcome)
            except TranslatorError as exc:
                run.error(exc)
            step()
        run.site.save_records()
    summary.close()
    sys.exit(run.exit_code())


BACKEND = Argument(
    "--backend",
    dest="backends",
    action="append",
    default=[],
    metavar="NAME",
    help="Backend for missing units, after translation memory: pseudo, review, tm, "
    "or one an installed plug-in registers.",
)


@command(
    "translate",
    PATHS,
    TO,
    BACKEND,
    Argument(
        "--dry-run",
        action="store_true",
        help="Send and write nothing: print, per backend, the requests, characters and cost.",
    ),
    Argument(
        "--max-chars",
        type=non_negative,
        metavar="N",
        help="Stop before sending anything if the run would send more than N characters.",
    ),
    Argument(
        "--retry-rejected",
        action="store_true",
        help="Send again the units an engine answered badly on an earlier run (paid again).",
    ),
    ROOT,
)
def translate_command(
    paths: Sequence[Path],
    to: Sequence[str],
    backends: Sequence[str],
    dry_run: bool,
    max_chars: int | None,
    retry_rejected: bool,
    root: Path,
) -> None:
    """Extract, fill missing units through a backend, and build: the main job."""
    from ..translate import translate

    run, posts, locales = setup(root, paths, to)
    chain = backend_chain(run.settings, backends)
    with exclusive(run), display() as shown:
        outcomes, report = translate(
            run.site,
            posts,
            locales,
            chain,
            lambda _p, exc: run.error(exc),
            shown.steps(2 * len(posts) * len(locales), "translate"),
            dry_run=dry_run,
            max_chars=max_chars,
            retry_rejected=retry_rejected,
            progress=shown.machine,
        )
        run.site.save_records()
    if dry_run:
        echo("dry run: nothing sent, nothing written")
        for e in report.estimates:
            approx = "about " if e.unit == "tokens" else ""
            echo(
                f"{e.backend}: {e.texts} texts in {e.requests} requests, {e.chars:,} "
                f"characters sent, {approx}{e.billed:,} {e.unit} billed, about {e.cost:.4f} "
                "(price per million: see config)"
            )
        sys.exit(run.exit_code())
    summary = Summary(run.settings)
    for outcome in outcomes:
        for line in outcome.problems:
            run.problem(line)
        summary.add(outcome)
    summary.close()
    estimated = {e.backend: e for e in report.estimates}
    for name in chain:
        if report.sent.get(name):
            echo(f"{name}: {report.filled.get(name, 0)} of {report.sent[name]} texts filled")
        if (
            name in report.billed
            and name in estimated
            and (report.billed[name] or estimated[name].billed)
        ):
            e = estimated[name]
            echo(f"{name}: billed {report.billed[name]:,} {e.unit} (estimated {e.billed:,})")
    for line in report.rejected:
        run.problem(f"rejected: {line}")
    for line in report.failed:
        run.problem(line)
    rejected = summary.totals.get("rejected", 0)
    if rejected and not report.rejected:
        run.problem(
            f"{rejected} rejected machine translations wait for a person (translator status "
            "--waiting lists them), or for: translator translate --retry-rejected"
        )
    if report.interrupted:
        echo("interrupted: what was translated until then is saved", err=True)
        sys.exit(130)
    pending: dict[str, int] = {}
    for outcome in outcomes:
        pending[outcome.locale] = pending.get(outcome.locale, 0) + outcome.untranslated
    for locale, count in pending.items():
        if count:
            hint = (
                ""
                if len(chain) > 1
                else "; for offline machine translation: "
                "pip install 'translator[local]' && translator fetch-model"
            )
            echo(
                f"{locale}: {count} units still untranslated. Fill them in "
                f"{run.settings.locales_dir}/{locale}/*.po (Poedit, Lokalize, Weblate), "
                f"or preview with: translator translate --to {locale} --backend pseudo{hint}",
                err=True,
            )
    sys.exit(run.exit_code())


@command(
    "check",
    PATHS,
    TO,
    Argument(
        "--fail-on",
        default=",".join(DEFAULT_FAIL_ON),
        metavar="KINDS",
        help=f"What counts as stale, comma-separated: {', '.join(STALE_KINDS)} "
        f"(default: {','.join(DEFAULT_FAIL_ON)}).",
    ),
    ROOT,
)
def check_command(paths: Sequence[Path], to: Sequence[str], fail_on: str, root: Path) -> None:
    """Write nothing; exit 1 if any post is stale, 0 if all are in sync, 2 on bad input."""
    kinds = set(split_values((fail_on,)))
    unknown = kinds - set(STALE_KINDS)
    if unknown:
        raise UsageError(
            f"--fail-on: unknown kind {sorted(unknown)[0]!r} (use {', '.join(STALE_KINDS)})"
        )
    run, posts, locales = setup(root, paths, to)
    stale = 0
    for post in posts:
        for locale in locales:
            try:
                outcome = check(
                    run.site,
                    post,
                    locale,
                    counts=bool(kinds & COUNTED),
                    glossary="glossary" in kinds,
                )
            except TranslatorError as exc:
                run.error(exc)
                continue
            reasons = [why for kind, why in outcome.out_of_date if kind in kinds]
            if reasons:
                stale += 1
                sync = [why for kind, why in outcome.out_of_date if kind not in COUNTED]
                echo(
                    f"{post.source}: {locale}: {outcome.untranslated} untranslated, "
                    f"{outcome.fuzzy} fuzzy" + "".join(f", {why}" for why in sync)
                )
            for line in outcome.problems:
                echo(line, err=True)
    total = len(posts) * len(locales)
    if run.bad_input:
        sys.exit(2)
    if stale:
        echo(f"{stale} of {total} post translations are stale", err=True)
        sys.exit(1)
    echo(f"{total} post translations in sync")
