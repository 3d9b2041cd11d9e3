"""Build: render one post's per-locale version from its catalog (only what the locale's
policy publishes and what passes the checks), and write it with its build record."""

from __future__ import annotations

from babel.messages.catalog import Message

from .catalogs.catalog import PostCatalog
from .catalogs.po import read_catalog
from .catalogs.provenance import content_digest
from .catalogs.scan import EntryLines
from .catalogs.states import count_words, origin_of, publishes, rejections, state_of
from .context import Outcome, Site
from .errors import BuildError, CatalogError, PostError
from .markdown.checks import problem_with
from .markdown.cjk import is_cjk_locale
from .markdown.document import encode_post, parse_post
from .markdown.reassembler import assemble
from .site.files import digest, inside, write_atomic
from .site.paths import PostPaths
from .site.records import Built


def render(
    site: Site, post: PostPaths, locale: str, catalog: PostCatalog
) -> tuple[bytes, list[str], set[tuple[str | None, str]]]:
    """The per-locale post for ``catalog``, the problems found on the way, and the
    (msgctxt, msgid) of the entries they make broken."""
    seg = site.segment(post)
    policy, show_stale = site.policy(locale)
    cjk_target = is_cjk_locale(locale)
    index: dict[tuple[str | None, str], Message] = {}
    for message in catalog.entries():
        if message.id:
            index[(message.context, str(message.id))] = message
    verdicts: dict[int, str | None] = {}
    rejected: list[tuple[Message, str]] = []
    keep = {t for t, v in site.glossary.for_locale(locale).items() if v in ("", t)}

    def find(text: str, context: str | None) -> Message | None:
        return index.get((context, text)) or index.get((None, text))

    def lookup(text: str, context: str | None) -> str | None:
        message = find(text, context)
        if message is None:
            return None
        if id(message) not in verdicts:
            verdict = None
            if publishes(state_of(message), policy, show_stale):
                translation = str(message.string)
                problem = problem_with(
                    str(message.id),
                    translation,
                    cjk_target=cjk_target,
                    flags=set(message.flags) | set(message.user_comments),
                    machine=origin_of(message),
                    keep=keep,
                )
                if problem:
                    rejected.append((message, problem))
                else:
                    verdict = translation
            verdicts[id(message)] = verdict
        return verdicts[id(message)]

    result = assemble(seg, lookup, cjk_target=cjk_target)
    po = site.catalog_path(post, locale)
    lines = EntryLines(site.settings.root / po)
    problems = []
    found: list[tuple[Message | None, str]] = [(m, why) for m, why in rejected]
    found += [(find(p.unit.text, p.unit.context), p.message) for p in result.problems]
    broken = set()
    for entry, why in found:
        problems.append(lines.report(po, entry, f"{why}; the source text is used"))
        if entry is not None:
            broken.add((entry.context, str(entry.id)))
    output = encode_post(seg.post, result.text)
    try:
        parse_post(output, seg.post.path)  # what we publish must read back as a post
    except PostError as exc:
        raise BuildError(f"built post would not parse: {exc.message}", post.source) from exc
    return output, problems, broken


def build(site: Site, post: PostPaths, locale: str) -> Outcome:
    outcome = Outcome(post, locale)
    record = site.built(post, locale)
    if record is not None and record.counts and record.words:
        outcome.counts, outcome.obsolete = dict(record.counts), record.obsolete
        outcome.problems = list(record.problems)  # reported until the catalog is fixed
        site.records(locale).put(site.output_path(post, locale), record)  # its bytes, now
        return outcome
    path = site.settings.root / site.catalog_path(post, locale)
    catalog = read_catalog(path)
    if catalog is None:
        raise CatalogError(
            f"no catalog for {locale}: run 'translator extract {post.source} --to {locale}' first",
            site.catalog_path(post, locale),
        )
    output, outcome.problems, broken = render(site, post, locale, catalog)
    outcome.count(catalog, broken)
    po = site.catalog_path(post, locale)
    lines = EntryLines(site.settings.root / po)
    target = inside(site.settings.root, site.settings.root / site.output_path(post, locale))
    if not target.is_file() or target.read_bytes() != output:
        write_atomic(target, output)
        outcome.output_written = True
    site.records(locale).put(
        site.output_path(post, locale),
        Built(
            post.source,
            site.source_digest(post),
            digest(path.read_bytes()),
            digest(output),
            site.policy_id(locale),
            outcome.counts,
            outcome.obsolete,
            outcome.problems,
            content_digest(catalog.entries()),
            sorted((ctx or "", msgid) for ctx, msgid in broken),
            count_words(catalog.entries(), broken),
            [lines.report(po, m, why) for m, why in rejections(catalog.entries())],
        ),
    )
    return outcome
