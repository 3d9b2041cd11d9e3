"""Extract: create or update one post's catalog for one locale (skipped when the catalog
was extracted from this very source with these settings)."""

from __future__ import annotations

from .context import Outcome, Site
from .site.paths import PostPaths


def extract(site: Site, post: PostPaths, locale: str, *, purge: bool = False) -> Outcome:
    outcome = Outcome(post, locale)
    if not purge and site.extracted(post, locale) is not None:
        return outcome  # nothing to do: not even counted
    catalog, _old, outcome.merge = site.updated_catalog(post, locale, purge=purge)
    outcome.catalog_written = site.write(post, locale, catalog)
    outcome.count(catalog)
    return outcome
