"""Translate, the main job: extract, fill the gaps through the backends, write the
catalogs, build the posts; within a character budget if one is set."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .backends import Backend
from .build import build
from .catalogs.catalog import PostCatalog
from .catalogs.scan import untranslated_texts
from .catalogs.states import REJECTED_PREFIX
from .context import Outcome, Site
from .errors import TranslatorError
from .fill import Fill, Progress, estimate, fill, load_backends
from .site.paths import PostPaths


class BudgetExceeded(TranslatorError):
    """A run would send more than ``--max-chars``; nothing was sent or written."""


def _needs_backends(text: str, locale: str, backends: Sequence[Backend]) -> bool:
    """Whether a catalog (already up to date with its post) may get anything from the
    backends, judged from its text: a stale machine translation, or an untranslated text
    some backend might fill."""
    if "translated-by:" in text and ("#| msgid" in text or REJECTED_PREFIX in text):
        return True
    pending = untranslated_texts(text)
    if not pending:
        return False
    for backend in backends:
        prefilter = getattr(backend, "prefilter", None)
        if prefilter is None or prefilter(locale, pending):
            return True
    return False


def collect(
    site: Site,
    posts: Iterable[PostPaths],
    locales: Sequence[str],
    backends: Sequence[Backend],
    on_error: Callable[[PostPaths, TranslatorError], None],
    step: Callable[[], None] = lambda: None,
) -> tuple[list[tuple[PostPaths, str, PostCatalog]], set[int], list[tuple[PostPaths, str]]]:
    """(catalogs to extract or fill, in memory; which of them extraction changed or made;
    post translations with nothing to do).

    Only catalogs that changed, or that a backend may fill, are parsed."""
    catalogs: list[tuple[PostPaths, str, PostCatalog]] = []
    extracted: set[int] = set()
    current: list[tuple[PostPaths, str]] = []
    for post in posts:
        try:
            for locale in locales:
                text = site.extracted(post, locale)
                if text is None:
                    fresh = site.updated_catalog(post, locale)[0]
                    extracted.add(len(catalogs))
                    catalogs.append((post, locale, fresh))
                elif _needs_backends(text, locale, backends):
                    catalog = site.read(post, locale)
                    assert catalog is not None
                    catalogs.append((post, locale, catalog))
                else:
                    current.append((post, locale))  # nothing to extract, nothing to fill
                step()
        except TranslatorError as exc:
            on_error(post, exc)
    return catalogs, extracted, current


def translate(
    site: Site,
    posts: Iterable[PostPaths],
    locales: Sequence[str],
    backend_names: Sequence[str],
    on_error: Callable[[PostPaths, TranslatorError], None],
    step: Callable[[], None] = lambda: None,
    *,
    dry_run: bool = False,
    max_chars: int | None = None,
    retry_rejected: bool = False,
    progress: Callable[[Progress], None] = lambda _p: None,
) -> tuple[list[Outcome], Fill]:
    """Extract, fill the gaps through the backends, write the catalogs, build the posts.

    Only catalogs that changed, or that a backend may fill, are parsed. ``step`` is
    called once per post and locale extracted, and once per one built; ``progress`` as
    machine translation goes. Each catalog is written, and its post built, as soon as the
    backends have nothing more for it, so a run stopped (Ctrl-C, a crash) loses at most
    the request in flight; after Ctrl-C what was done is written and the report says it
    was interrupted. With ``dry_run`` nothing is sent or written: the report carries the
    estimates. With ``max_chars``, a run that would send more characters stops before
    sending anything.
    """
    backends = load_backends(site, backend_names, dry_run=dry_run, retry=retry_rejected)
    catalogs, extracted, current = collect(site, posts, locales, backends, on_error, step)
    estimates = estimate(site, catalogs, backends)  # told beside what was billed
    if dry_run or max_chars is not None:
        total = sum(e.chars for e in estimates)
        if dry_run:
            return [], Fill(estimates=estimates)
        if max_chars is not None and total > max_chars:
            raise BudgetExceeded(
                f"this run would send {total:,} characters, over the budget of "
                f"{max_chars:,} (--max-chars); nothing was sent or written"
            )
    written: set[int] = set()
    outcomes: dict[int, Outcome] = {}

    def finish(index: int) -> None:
        """Write catalog ``index`` (if it changed) and build its post."""
        post, locale, catalog = catalogs[index]
        try:
            if site.write(post, locale, catalog):
                written.add(index)
            # read back: line numbers in problem reports point into the file as written
            outcomes[index] = build(site, post, locale)
            outcomes[index].catalog_written = index in written
        except OSError as exc:
            path = site.catalog_path(post, locale)
            on_error(post, TranslatorError(f"cannot write: {exc}", path))
        except TranslatorError as exc:
            on_error(post, exc)

    report = fill(site, catalogs, backends, progress=progress, ready=finish)
    report.estimates = estimates
    for index in sorted((extracted | report.touched) - set(outcomes)):
        finish(index)
    if report.interrupted:
        return [outcomes[i] for i in sorted(outcomes)], report
    done = [outcomes[i] for i in sorted(outcomes)]
    rest = [(p, loc) for i, (p, loc, _c) in enumerate(catalogs) if i not in outcomes]
    for post, locale in [*rest, *current]:
        try:
            done.append(build(site, post, locale))
        except TranslatorError as exc:
            on_error(post, exc)
        finally:
            step()
    return done, report
