"""Check: say, without writing anything, why a post is out of date in a locale (if it is),
one reason per kind (extract, build, edited, problems, untranslated, fuzzy, obsolete,
glossary)."""

from __future__ import annotations

from .catalogs.provenance import SOURCE_HASH, content_digest
from .context import Outcome, Site
from .site.files import digest
from .site.paths import PostPaths
from .site.records import Built

STALE_KINDS = (
    "extract", "build", "edited", "problems", "untranslated", "fuzzy", "obsolete", "glossary",
)  # fmt: skip
DEFAULT_FAIL_ON = ("extract", "build", "edited", "problems")


def check(
    site: Site, post: PostPaths, locale: str, *, counts: bool = True, glossary: bool = False
) -> Outcome:
    """Say, without writing anything, why ``post`` is out of date in ``locale`` (if it is).

    Each reason comes with its kind: ``extract`` (the catalog is behind the source),
    ``build`` (the post is behind the catalog), ``edited`` (the post was changed by hand),
    ``untranslated``, ``fuzzy``, ``obsolete`` (what the catalog still holds: counted when
    ``counts`` is true, or when the post is out of date anyway).
    """
    outcome = Outcome(post, locale)
    po = site.catalog_path(post, locale)
    output = site.output_path(post, locale)
    po_path = site.settings.root / po
    if site.catalog_data(post, locale) is None:
        site.segment(post)  # a post we cannot read is bad input, not just stale
        outcome.out_of_date.append(("extract", f"no catalog {po}"))
        return outcome
    text = site.extracted(post, locale)
    if text is None:  # the slow path: parse the post and the catalog
        from .catalogs.po import same_content

        new, old, _stats = site.updated_catalog(post, locale)  # also: is the PO readable?
        assert old is not None
        if old.extra_headers.get(SOURCE_HASH) != site.source_digest(post):
            outcome.out_of_date.append(("extract", "source changed since extract"))
        elif not same_content(new, po_path):
            outcome.out_of_date.append(("extract", "extract would change the catalog"))
        outcome.count(old)
    record = site.built(post, locale)
    outcome.out_of_date.extend(_build_state(site, post, locale, output, record))
    if record is not None and record.counts:
        # what the build found stays a problem until the catalog (or the source) changes
        outcome.counts, outcome.obsolete = dict(record.counts), record.obsolete
        outcome.problems = list(record.problems)
    elif text is not None and (counts or outcome.out_of_date):
        catalog = site.read(post, locale)
        assert catalog is not None
        outcome.count(catalog)
    if outcome.problems:
        n = len(outcome.problems)
        outcome.out_of_date.append(
            ("problems", f"{n} {'entry' if n == 1 else 'entries'} not usable")
        )
    if outcome.untranslated:
        outcome.out_of_date.append(("untranslated", f"{outcome.untranslated} untranslated"))
    if outcome.fuzzy:
        outcome.out_of_date.append(("fuzzy", f"{outcome.fuzzy} fuzzy"))
    if outcome.obsolete:
        outcome.out_of_date.append(("obsolete", f"{outcome.obsolete} obsolete"))
    if glossary:
        ignored = _glossary_problems(site, post, locale)
        outcome.problems.extend(ignored)
        if ignored:
            outcome.out_of_date.append(("glossary", f"{len(ignored)} ignore the glossary"))
    return outcome


def _glossary_problems(site: Site, post: PostPaths, locale: str) -> list[str]:
    catalog = site.read(post, locale)
    if catalog is None:
        return []
    from .catalogs.scan import EntryLines

    po = site.catalog_path(post, locale)
    lines = EntryLines(site.settings.root / po)
    found = []
    for message in catalog.entries():
        if not message.id or not message.string:
            continue
        for term, target in site.glossary.ignored(str(message.id), str(message.string), locale):
            found.append(lines.report(po, message, f"ignores the glossary: {term} → {target}"))
    return found


def _build_state(
    site: Site, post: PostPaths, locale: str, output: str, current: Built | None
) -> list[tuple[str, str]]:
    """Why the built post is not what the catalog makes (empty if it is); ``current``: the
    build record if it says the post is current."""
    if current is not None:
        return []
    target = site.settings.root / output
    if not target.is_file():
        return [("build", f"not built: {output} is missing")]
    reasons = []
    record = site.records(locale).get(output)
    built = target.read_bytes()
    catalog_data = site.catalog_data(post, locale) or b""
    if record is not None:
        if digest(built) != record.output_hash:
            reasons.append(("edited", f"built post {output} was edited by hand"))
        if digest(catalog_data) != record.catalog_hash and not _same_content(
            site, post, locale, record.catalog_content
        ):
            reasons.append(("build", "catalog changed since build"))
        if record.policy != site.policy_id(locale):
            reasons.append(("build", "publishing policy changed since build"))
        if record.source_hash != site.source_digest(post):
            reasons.append(("build", "source changed since build"))
        return reasons
    from .build import render

    catalog = site.read(post, locale)
    assert catalog is not None
    rendered, _problems, _broken = render(site, post, locale, catalog)
    if rendered != built:
        reasons.append(("build", f"built post {output} differs from the catalog"))
    return reasons


def _same_content(site: Site, post: PostPaths, locale: str, recorded: str) -> bool:
    """Whether the catalog says what it said at the build, however it is laid out now."""
    if not recorded:
        return False
    catalog = site.read(post, locale)
    return catalog is not None and content_digest(catalog.entries()) == recorded
