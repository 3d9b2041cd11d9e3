"""What every command shares: its options, its setup (settings, posts, locales, the
backend chain), the :class:`Run` that turns errors into an exit code, and the summary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..catalogs.states import STATES
from ..context import Outcome, Site
from ..errors import InputError, TranslatorError
from ..site.config import Settings, load_settings
from ..site.files import site_locked
from ..site.paths import PostPaths, find_posts, known_locales
from .command import UsageError, echo


@contextmanager
def exclusive(run: Run) -> Iterator[None]:
    """Hold the site for a command that writes to it; say so if another run holds it.
    When the command ends, say which catalogs someone saved while it ran (kept)."""

    def waiting(holder: str) -> None:
        echo(f"waiting for another translator run on this site: {holder}", err=True)

    with site_locked(run.settings.root, waiting):
        try:
            yield
        finally:
            for catalog, taken in run.site.merged:
                echo(
                    f"{catalog}: saved by someone while this run worked on it: their save is "
                    f"kept, and {taken} translations of this run went where it left the "
                    "entries untranslated",
                    err=True,
                )


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
        echo(exc.located(), err=True)

    def problem(self, line: str) -> None:
        self.failed = True
        echo(line, err=True)

    def exit_code(self) -> int:
        return 2 if self.bad_input else 1 if self.failed else 0


def split_values(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for item in value for part in item.split(",") if part.strip())


def setup(
    root: Path, paths: Sequence[Path], to: Sequence[str]
) -> tuple[Run, list[PostPaths], list[str]]:
    settings = load_settings(root)
    run = Run(settings)
    locales = known_locales(settings, split_values(to))
    if not locales:
        raise UsageError("no target locale: pass --to LOCALE or set locales in translator.toml")
    for locale in locales:
        if locale == settings.source_locale:
            raise UsageError(f"--to {locale} is the source locale")
    default = settings.root / "content"
    targets = [p if p.is_absolute() else Path.cwd() / p for p in paths] or [
        default if default.is_dir() else settings.root
    ]
    posts = find_posts(targets, settings, locales)
    return run, posts, locales


def backend_chain(settings: Settings, named: Sequence[str]) -> list[str]:
    """The backends a run asks, in order: translation memory first, then those named by
    ``--backend`` or the settings, else the embedded default."""
    from ..backends import DEFAULT_BACKEND

    chosen = list(named) or ([settings.backend] if settings.backend else [])
    if not chosen:
        from ..backends.model_files import available

        # the embedded default: real offline MT once it is installed, else memory only
        chosen = ["local"] if available() else []
    return [DEFAULT_BACKEND, *[b for b in chosen if b != DEFAULT_BACKEND]]


def describe_counts(counts: dict[str, int]) -> str:
    """``18 reviewed, 9 machine, 1 rejected``: the states an outcome has, in one order,
    in the words ``status`` and README use."""
    shown = [f"{counts[s.value]} {s.value}" for s in STATES if counts.get(s.value)]
    return ", ".join(shown) or "no entries"


class Summary:
    """Prints what changed, post by post, and one line for everything else."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.unchanged = 0
        self.totals: dict[str, int] = {}

    def add(self, outcome: Outcome) -> None:
        for state, count in outcome.counts.items():
            self.totals[state] = self.totals.get(state, 0) + count
        if outcome.catalog_written or outcome.output_written or outcome.problems:
            _report(outcome, self.settings)
        else:
            self.unchanged += 1

    def close(self) -> None:
        if self.unchanged:
            echo(f"{self.unchanged} post translations unchanged")
        echo("in all: " + describe_counts(self.totals))


def _report(outcome: Outcome, settings: Settings) -> None:
    done = []
    if outcome.catalog_written:
        done.append(f"wrote {outcome.post.catalog(settings, outcome.locale)}")
    if outcome.output_written:
        done.append(f"wrote {outcome.post.output(settings, outcome.locale)}")
    if outcome.merge is not None and (outcome.merge.fuzzy or outcome.merge.obsolete):
        done.append(f"{outcome.merge.fuzzy} changed in the source (now fuzzy)")
        done.append(f"{outcome.merge.obsolete} obsolete")
    echo(
        f"{outcome.post.source} [{outcome.locale}]: {'; '.join(done) or 'unchanged'}; "
        + describe_counts(outcome.counts)
    )
