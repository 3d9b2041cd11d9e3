"""Translate, the main job: extract, fill the gaps through the backends, write the
catalogs, build the posts; within a character budget if one is set."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .backends import Backend
from .build import build
from .catalogs.provenance import PostCatalog
from .catalogs.scan import untranslated_texts
from .context import Outcome, Site
from .errors import TranslatorError
from .fill import Fill, estimate, fill, load_backends
from .site.paths import PostPaths


class BudgetExceeded(TranslatorError):
    """A run would send more than ``--max-chars``; nothing was sent or written."""


def _needs_backends(text: str, locale: str, backends: Sequence[Backend]) -> bool:
    """Whether a catalog (already up to date with its post) may get anything from the
    backends, judged from its text: a stale machine translation, or an untranslated text
    some backend might fill."""
    if "#| msgid" in text and "translated-by:" in text:
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
) -> tuple[list[tuple[PostPaths, str, PostCatalog]], list[tuple[PostPaths, str]]]:
    """(catalogs to extract or fill, in memory; post translations with nothing to do).

    Only catalogs that changed, or that a backend may fill, are parsed."""
    catalogs: list[tuple[PostPaths, str, PostCatalog]] = []
    current: list[tuple[PostPaths, str]] = []
    for post in posts:
        try:
            for locale in locales:
                text = site.extracted(post, locale)
                if text is None:
                    catalogs.append((post, locale, site.updated_catalog(post, locale)[0]))
                elif _needs_backends(text, locale, backends):
                    catalog = site.read(post, locale)
                    assert catalog is not None
                    catalogs.append((post, locale, catalog))
                else:
                    current.append((post, locale))  # nothing to extract, nothing to fill
                step()
        except TranslatorError as exc:
            on_error(post, exc)
    return catalogs, current


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
) -> tuple[list[Outcome], Fill]:
    """Extract, fill the gaps through the backends, write the catalogs, build the posts.

    Only catalogs that changed, or that a backend may fill, are parsed. ``step`` is
    called once per post and locale extracted, and once per one built. With ``dry_run``
    nothing is sent or written: the report carries the estimates. With ``max_chars``, a
    run that would send more characters stops before sending anything.
    """
    backends = load_backends(site, backend_names, dry_run=dry_run)
    catalogs, current = collect(site, posts, locales, backends, on_error, step)
    if dry_run or max_chars is not None:
        estimates = estimate(site, catalogs, backends)
        total = sum(e.chars for e in estimates)
        if dry_run:
            return [], Fill(estimates=estimates)
        if max_chars is not None and total > max_chars:
            raise BudgetExceeded(
                f"this run would send {total:,} characters, over the budget of "
                f"{max_chars:,} (--max-chars); nothing was sent or written"
            )
    report = fill(site, catalogs, backends)
    written = set()
    for post, locale, catalog in catalogs:
        try:
            if site.write(post, locale, catalog):
                written.add((post.source, locale))
        except OSError as exc:
            on_error(post, TranslatorError(f"cannot write: {exc}", site.catalog_path(post, locale)))
    outcomes = []
    for post, locale in [*[(p, loc) for p, loc, _c in catalogs], *current]:
        try:
            # read back: line numbers in problem reports point into the file as written
            outcome = build(site, post, locale)
            outcome.catalog_written = (post.source, locale) in written
            outcomes.append(outcome)
        except TranslatorError as exc:
            on_error(post, exc)
        finally:
            step()
    return outcomes, report
