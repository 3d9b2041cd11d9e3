"""The pipeline's commands: ``extract``, ``build``, ``translate`` (the main job) and
``check``, each over its use case."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..check import DEFAULT_FAIL_ON, STALE_KINDS, check
from ..errors import TranslatorError
from .progress import display, progress
from .run import (
    Summary,
    backend_chain,
    exclusive,
    paths_argument,
    root_option,
    setup,
    split_values,
    to_option,
)

COUNTED = {"untranslated", "fuzzy", "obsolete", "glossary"}


@click.command("extract")
@paths_argument
@to_option
@click.option("--purge-obsolete", is_flag=True, help="Drop obsolete (#~) entries.")
@root_option
def extract_command(
    paths: tuple[Path, ...], to: tuple[str, ...], purge_obsolete: bool, root: Path
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


@click.command("build")
@paths_argument
@to_option
@root_option
def build_command(paths: tuple[Path, ...], to: tuple[str, ...], root: Path) -> None:
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


@click.command("translate")
@paths_argument
@to_option
@click.option(
    "--backend",
    "backends",
    multiple=True,
    metavar="NAME",
    help="Backend for missing units, after translation memory: pseudo, review, tm, "
    "or one an installed plug-in registers.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Send and write nothing: print, per backend, the requests, characters and cost.",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=0),
    metavar="N",
    help="Stop before sending anything if the run would send more than N characters.",
)
@click.option(
    "--retry-rejected",
    is_flag=True,
    help="Send again the units an engine answered badly on an earlier run (paid again).",
)
@root_option
def translate_command(
    paths: tuple[Path, ...],
    to: tuple[str, ...],
    backends: tuple[str, ...],
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
        click.echo("dry run: nothing sent, nothing written")
        for e in report.estimates:
            approx = "about " if e.unit == "tokens" else ""
            click.echo(
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
            click.echo(f"{name}: {report.filled.get(name, 0)} of {report.sent[name]} texts filled")
        if (
            name in report.billed
            and name in estimated
            and (report.billed[name] or estimated[name].billed)
        ):
            e = estimated[name]
            click.echo(f"{name}: billed {report.billed[name]:,} {e.unit} (estimated {e.billed:,})")
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
        click.echo("interrupted: what was translated until then is saved", err=True)
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
            click.echo(
                f"{locale}: {count} units still untranslated. Fill them in "
                f"{run.settings.locales_dir}/{locale}/*.po (Poedit, Lokalize, Weblate), "
                f"or preview with: translator translate --to {locale} --backend pseudo{hint}",
                err=True,
            )
    sys.exit(run.exit_code())


@click.command("check")
@paths_argument
@to_option
@click.option(
    "--fail-on",
    "fail_on",
    default=",".join(DEFAULT_FAIL_ON),
    show_default=True,
    metavar="KINDS",
    help=f"What counts as stale, comma-separated: {', '.join(STALE_KINDS)}.",
)
@root_option
def check_command(paths: tuple[Path, ...], to: tuple[str, ...], fail_on: str, root: Path) -> None:
    """Write nothing; exit 1 if any post is stale, 0 if all are in sync, 2 on bad input."""
    kinds = set(split_values((fail_on,)))
    unknown = kinds - set(STALE_KINDS)
    if unknown:
        raise click.BadParameter(
            f"unknown kind {sorted(unknown)[0]!r} (use {', '.join(STALE_KINDS)})",
            param_hint="--fail-on",
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
                click.echo(
                    f"{post.source}: {locale}: {outcome.untranslated} untranslated, "
                    f"{outcome.fuzzy} fuzzy" + "".join(f", {why}" for why in sync)
                )
            for line in outcome.problems:
                click.echo(line, err=True)
    total = len(posts) * len(locales)
    if run.bad_input:
        sys.exit(2)
    if stale:
        click.echo(f"{stale} of {total} post translations are stale", err=True)
        sys.exit(1)
    click.echo(f"{total} post translations in sync")
