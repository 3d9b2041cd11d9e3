"""The use cases, shared by the CLI (and later by workers): extract, fill, build, check.

Each works on one post and locale at a time and either finishes it or leaves its files as
they were; an error in one post never stops the others (the caller collects them). Work
is skipped when the files say it is done: a catalog whose header names the current source
hash is not re-extracted, a post whose build record matches its catalog is not rebuilt,
so a no-op run over a whole site reads and hashes files but parses nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Message

from .backends import Backend, BackendContext, Batch, Request, Suggestion, load_backend
from .catalogs.merging import MergeStats, entries_for, update_catalog
from .catalogs.po import (
    EXTRACT_OPTIONS,
    SOURCE_HASH,
    EntryLines,
    PostCatalog,
    header_value,
    lint_po,
    quick_counts,
    read_catalog,
    same_content,
    untranslated_texts,
    write_catalog,
)
from .catalogs.states import State, human_owned, origin_of, publishes, set_origin, state_of
from .errors import BuildError, CatalogError, PostError, TranslatorError
from .markdown.checks import problem_with
from .markdown.cjk import is_cjk_locale
from .markdown.document import encode_post, parse_post
from .markdown.placeholders import PlaceholderError, check_tags, placeholders_in
from .markdown.reassembler import assemble
from .markdown.segmenter import Segmentation, segment_post
from .site.config import Settings
from .site.files import digest, write_atomic
from .site.glossary import Glossary, load_glossary, terms_in
from .site.paths import PostPaths
from .site.records import RECORD, Built, Records

BATCH_SIZE = 50
EXTRACT_FORMAT = 2  # bump when segmentation changes what units a post yields


@dataclass(slots=True)
class Outcome:
    """What happened to one post in one locale."""

    post: PostPaths
    locale: str
    catalog_written: bool = False
    output_written: bool = False
    reviewed: int = 0
    machine: int = 0
    stale: int = 0  # fuzzy: stale, or marked as needing work
    untranslated: int = 0
    obsolete: int = 0
    merge: MergeStats | None = None
    problems: list[str] = field(default_factory=list)  # "path:line: message" lines
    out_of_date: list[tuple[str, str]] = field(default_factory=list)  # check: (kind, why)

    @property
    def fuzzy(self) -> int:
        return self.machine + self.stale

    def count(self, catalog: PostCatalog) -> None:
        for message in catalog:
            if not message.id:
                continue
            state = state_of(message)
            if state is State.REVIEWED:
                self.reviewed += 1
            elif state is State.MACHINE:
                self.machine += 1
            elif state in (State.STALE, State.SUGGESTED):
                self.stale += 1
            else:
                self.untranslated += 1
        self.obsolete = len(catalog.obsolete)

    def count_quickly(self, text: str) -> None:
        counts = quick_counts(text)
        self.reviewed, self.stale = counts.translated, counts.fuzzy
        self.untranslated, self.obsolete = counts.untranslated, counts.obsolete


class Site:
    """A site's settings plus what a run has read so far (each post is parsed once)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._sources: dict[str, bytes] = {}
        self._segmentations: dict[str, Segmentation] = {}
        self._digests: dict[str, str] = {}
        self._records: dict[str, Records] = {}
        self._catalogs: dict[tuple[str, str], bytes] = {}
        self._glossary: Glossary | None = None
        keys = ",".join(settings.front_matter_keys)
        self.options = digest(
            f"{EXTRACT_FORMAT}|{keys}|{settings.split_sentences}|{settings.copy_latin}".encode()
        )

    # -- files ----------------------------------------------------------------------

    def source(self, post: PostPaths) -> bytes:
        if post.source not in self._sources:
            try:
                self._sources[post.source] = (self.settings.root / post.source).read_bytes()
            except OSError as exc:
                raise PostError(f"cannot read: {exc.strerror}", post.source) from exc
        return self._sources[post.source]

    def source_digest(self, post: PostPaths) -> str:
        """The source post's hash, computed once per run (every locale compares it)."""
        if post.source not in self._digests:
            self._digests[post.source] = digest(self.source(post))
        return self._digests[post.source]

    def segment(self, post: PostPaths) -> Segmentation:
        if post.source not in self._segmentations:
            parsed = parse_post(self.source(post), Path(post.source))
            self._segmentations[post.source] = segment_post(
                parsed, self.settings.front_matter_keys, split=self.settings.split_sentences
            )
        return self._segmentations[post.source]

    def catalog_path(self, post: PostPaths, locale: str) -> str:
        return post.catalog(self.settings, locale)

    def output_path(self, post: PostPaths, locale: str) -> str:
        return post.output(self.settings, locale)

    def read(self, post: PostPaths, locale: str) -> PostCatalog | None:
        return read_catalog(self.settings.root / self.catalog_path(post, locale))

    def records(self, locale: str) -> Records:
        if locale not in self._records:
            path = self.settings.root / self.settings.locales_dir / locale / RECORD
            self._records[locale] = Records(path)
        return self._records[locale]

    def save_records(self) -> None:
        for records in self._records.values():
            records.save()

    # -- policy ---------------------------------------------------------------------

    def policy(self, locale: str) -> tuple[str, bool]:
        """(policy, show stale translations) for ``locale``."""
        policy = self.settings.policies.get(locale, self.settings.policy)
        show = self.settings.show_stale
        return policy, (policy == "machine") if show is None else show

    @property
    def glossary(self) -> Glossary:
        if self._glossary is None:
            name = self.settings.glossary
            self._glossary = (
                load_glossary(self.settings.root / name, self.settings.source_locale)
                if name
                else Glossary()
            )
        return self._glossary

    def policy_id(self, locale: str) -> str:
        policy, show_stale = self.policy(locale)
        return policy + ("+stale" if show_stale else "")

    # -- catalogs -------------------------------------------------------------------

    def updated_catalog(
        self, post: PostPaths, locale: str, *, purge: bool = False
    ) -> tuple[PostCatalog, PostCatalog | None, MergeStats]:
        """(catalog as extraction wants it, catalog on disk, what the merge did)."""
        seg = self.segment(post)
        old = self.read(post, locale)
        entries = entries_for(seg, post.source, copy_latin=self.settings.copy_latin)
        new, stats = update_catalog(
            old,
            entries,
            locale=locale,
            project=self.settings.project or post.name,
            source=post.source,
            digest=self.source_digest(post),
            options=self.options,
            purge_obsolete=purge,
        )
        return new, old, stats

    def catalog_data(self, post: PostPaths, locale: str) -> bytes | None:
        """The catalog file's bytes (read once per run, unless written since)."""
        key = (post.source, locale)
        if key not in self._catalogs:
            try:
                self._catalogs[key] = (
                    self.settings.root / self.catalog_path(post, locale)
                ).read_bytes()
            except OSError:
                return None
        return self._catalogs[key]

    def write(
        self, post: PostPaths, locale: str, catalog: PostCatalog, *, changed: bool = False
    ) -> bool:
        self._catalogs.pop((post.source, locale), None)
        path = self.settings.root / self.catalog_path(post, locale)
        return write_catalog(path, catalog, changed=changed)

    def extracted(self, post: PostPaths, locale: str) -> str | None:
        """The catalog's text if it was extracted from this very source, else None."""
        data = self.catalog_data(post, locale)
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if header_value(text, SOURCE_HASH) != self.source_digest(post):
            return None
        if header_value(text, EXTRACT_OPTIONS) != self.options:
            return None
        record = self.records(locale).get(self.output_path(post, locale))
        if (record is None or record.catalog_hash != digest(data)) and lint_po(text) is not None:
            return None  # the slow path reports it, with its line
        return text


# -- extract ----------------------------------------------------------------------------


def extract(site: Site, post: PostPaths, locale: str, *, purge: bool = False) -> Outcome:
    outcome = Outcome(post, locale)
    if not purge and site.extracted(post, locale) is not None:
        return outcome  # nothing to do: not even counted
    catalog, _old, outcome.merge = site.updated_catalog(post, locale, purge=purge)
    outcome.catalog_written = site.write(post, locale, catalog)
    outcome.count(catalog)
    return outcome


# -- build ------------------------------------------------------------------------------


def render(
    site: Site, post: PostPaths, locale: str, catalog: PostCatalog
) -> tuple[bytes, list[str]]:
    """The per-locale post for ``catalog`` and the problems found on the way."""
    seg = site.segment(post)
    policy, show_stale = site.policy(locale)
    cjk_target = is_cjk_locale(locale)
    index: dict[tuple[str | None, str], Message] = {}
    for message in catalog:
        if message.id:
            index[(message.context, str(message.id))] = message
    verdicts: dict[int, str | None] = {}
    rejected: list[tuple[Message, str]] = []

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
                    flags=set(message.flags),
                    machine=origin_of(message),
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
    for entry, why in found:
        problems.append(lines.report(po, entry, f"{why}; the source text is used"))
    output = encode_post(seg.post, result.text)
    try:
        parse_post(output, seg.post.path)  # what we publish must read back as a post
    except PostError as exc:
        raise BuildError(f"built post would not parse: {exc.message}", post.source) from exc
    return output, problems


def _up_to_date(site: Site, post: PostPaths, locale: str) -> tuple[bytes, bytes] | None:
    """(catalog bytes, output bytes) if the build record says the post is current."""
    record = site.records(locale).get(site.output_path(post, locale))
    if record is None:
        return None
    catalog = site.catalog_data(post, locale)
    try:
        output = (site.settings.root / site.output_path(post, locale)).read_bytes()
    except OSError:
        return None
    if catalog is None:
        return None
    current = Built(
        post.source,
        site.source_digest(post),
        digest(catalog),
        digest(output),
        site.policy_id(locale),
    )
    return (catalog, output) if current == record else None


def build(site: Site, post: PostPaths, locale: str) -> Outcome:
    outcome = Outcome(post, locale)
    current = _up_to_date(site, post, locale)
    if current is not None:
        outcome.count_quickly(current[0].decode("utf-8", "replace"))
        return outcome
    path = site.settings.root / site.catalog_path(post, locale)
    catalog = read_catalog(path)
    if catalog is None:
        raise CatalogError(
            f"no catalog for {locale}: run 'translator extract {post.source} --to {locale}' first",
            site.catalog_path(post, locale),
        )
    output, outcome.problems = render(site, post, locale, catalog)
    target = site.settings.root / site.output_path(post, locale)
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
        ),
    )
    outcome.count(catalog)
    return outcome


# -- translate --------------------------------------------------------------------------


@dataclass(slots=True)
class Fill:
    """Units filled by the backends in one run."""

    sent: dict[str, int] = field(default_factory=dict)  # backend -> texts sent
    filled: dict[str, int] = field(default_factory=dict)  # backend -> texts filled
    rejected: list[str] = field(default_factory=list)
    estimates: list[Estimate] = field(default_factory=list)  # a dry run's


def wants_backend(message: Message) -> bool:
    """Untranslated, or a machine's translation of a text that has since changed."""
    if not message.id:
        return False
    if not message.string:
        return True
    return not human_owned(message) and bool(message.previous_id)


def load_backends(site: Site, names: Sequence[str], *, dry_run: bool = False) -> list[Backend]:
    return [
        load_backend(
            name,
            BackendContext(
                site.settings.root,
                site.settings.locales_dir,
                site.settings.backends.get(name, {}),
                dry_run,
            ),
        )
        for name in names
    ]


def pending_texts(
    catalogs: Sequence[tuple[PostPaths, str, PostCatalog]],
) -> dict[str, dict[str, list[Message]]]:
    """locale -> text -> the messages waiting for it: each distinct text once per locale."""
    by_locale: dict[str, dict[str, list[Message]]] = {}
    for _post, locale, catalog in catalogs:
        for message in catalog:
            if wants_backend(message):
                by_locale.setdefault(locale, {}).setdefault(str(message.id), []).append(message)
    return by_locale


def requests_for(catalogs: Sequence[tuple[PostPaths, str, PostCatalog]]) -> dict[str, Request]:
    """Each text's request with its context: the post's title and the units around it
    (where the text first occurs), for engines that read context (LLMs)."""
    found: dict[str, Request] = {}
    for post, _locale, catalog in catalogs:
        ids = [str(m.id) for m in catalog if m.id]
        title = next((str(m.id) for m in catalog if m.id and m.context == "title"), "")
        title = title or next(
            (str(m.id) for m in catalog if m.id and "front matter: title" in m.auto_comments), ""
        )
        for i, text in enumerate(ids):
            if text not in found:
                before = ids[i - 1] if i > 0 else ""
                after = ids[i + 1] if i + 1 < len(ids) else ""
                context = json.dumps(
                    {"title": title, "before": before, "after": after}, ensure_ascii=False
                )
                found[text] = Request(text, context, post.source)
    return found


def offered(backend: Backend, locale: str, texts: list[str]) -> list[str]:
    """The texts ``backend`` may fill (all of them, unless it can tell without a request)."""
    prefilter = getattr(backend, "prefilter", None)
    if prefilter is None:
        return texts
    wanted = prefilter(locale, set(texts))
    return [t for t in texts if t in wanted]


@dataclass(slots=True)
class Estimate:
    """What one backend would be sent: the dry run's answer, and the budget's measure."""

    backend: str
    texts: int = 0
    requests: int = 0
    chars: int = 0
    cost: float = 0.0


def estimate(
    site: Site,
    catalogs: Sequence[tuple[PostPaths, str, PostCatalog]],
    backends: Sequence[Backend],
) -> list[Estimate]:
    """What the backends would be sent, sending nothing: after the translation memory and
    the cache of earlier machine translations, within each provider's request limits."""
    from .backends.http import HttpBackend
    from .backends.wire import to_wire

    estimates = []
    left = {locale: list(texts) for locale, texts in pending_texts(catalogs).items()}
    source = site.settings.source_locale
    for backend in backends:
        found = Estimate(backend.name)
        for locale, texts in left.items():
            asked = offered(backend, locale, texts)
            if isinstance(backend, HttpBackend):
                todo = backend.uncached(asked, source, locale)
                groups = backend.plan([to_wire(t) for t in todo])
                found.texts += len(todo)
                found.requests += len(groups)
                found.chars += sum(backend.size(w) for g in groups for w in g)
            left[locale] = [t for t in texts if t not in set(asked)]
        if isinstance(backend, HttpBackend):
            found.cost = found.chars / 1e6 * backend.price
        estimates.append(found)
    return estimates


class BudgetExceeded(TranslatorError):
    """A run would send more than ``--max-chars``; nothing was sent or written."""


def fill(
    site: Site,
    catalogs: Sequence[tuple[PostPaths, str, PostCatalog]],
    backends: Sequence[Backend],
) -> Fill:
    """Send every unit that needs it (once per distinct text and locale) to the backends,
    in order; what one backend fills, the next is not asked for. Nothing a person wrote
    or approved is ever replaced. A translation that fails the checks is kept as a fuzzy
    suggestion with the reason, never published."""
    report = Fill()
    requests = requests_for(catalogs)
    for backend in backends:
        name = backend.name
        for locale, pending in pending_texts(catalogs).items():
            texts = offered(backend, locale, list(pending))
            # a backend that plans its own requests (within its provider's limits) gets
            # everything at once; others get batches of BATCH_SIZE
            size = (len(texts) or 1) if hasattr(backend, "plan") else BATCH_SIZE
            terms = site.glossary.for_locale(locale)
            for start in range(0, len(texts), size):
                chunk = texts[start : start + size]
                used = terms_in(terms, chunk)
                batch = Batch(
                    site.settings.source_locale,
                    locale,
                    tuple(requests.get(t) or Request(t) for t in chunk),
                    used,
                )
                suggestions = backend.translate(batch)
                report.sent[name] = report.sent.get(name, 0) + len(chunk)
                for text, suggestion in zip(chunk, suggestions, strict=True):
                    if suggestion is None:
                        continue
                    note = fill_messages(pending[text], text, suggestion)
                    if note and suggestion.fuzzy and not suggestion.note.startswith("fuzzy match"):
                        report.rejected.append(f"{name}: {locale}: {text[:40]!r}: {note}")
                    if not note:
                        report.filled[name] = report.filled.get(name, 0) + 1
        for text, why in getattr(backend, "failed", {}).items():
            report.rejected.append(f"{name}: {text[:40]!r}: {why}; left untranslated")
        close = getattr(backend, "close", None)
        if close is not None:
            close()
    return report


def fill_messages(messages: Iterable[Message], text: str, suggestion: Suggestion) -> str:
    """Give ``suggestion`` to every message waiting for ``text``; return why it is kept
    as a fuzzy suggestion only (its own note, or a tag it lost), or "" if it is good."""
    note = suggestion.note
    try:
        check_tags(suggestion.text, placeholders_in(text))
    except PlaceholderError as exc:
        note = str(exc)
    for message in messages:
        message.string = suggestion.text
        message.previous_id = []
        message.flags.discard("fuzzy")
        if suggestion.fuzzy or note:
            message.flags.add("fuzzy")
        set_origin(message, suggestion.origin, rejected=note)
    return note


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


# -- check ------------------------------------------------------------------------------

STALE_KINDS = ("extract", "build", "edited", "untranslated", "fuzzy", "obsolete", "glossary")
DEFAULT_FAIL_ON = ("extract", "build", "edited")


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
    if text is None:
        new, old, _stats = site.updated_catalog(post, locale)  # also: is the PO readable?
        assert old is not None
        if old.extra_headers.get(SOURCE_HASH) != site.source_digest(post):
            outcome.out_of_date.append(("extract", "source changed since extract"))
        elif not same_content(new, po_path):
            outcome.out_of_date.append(("extract", "extract would change the catalog"))
        outcome.count(old)
    outcome.out_of_date.extend(_build_state(site, post, locale, output))
    if text is not None and (counts or outcome.out_of_date):
        outcome.count_quickly(text)
    if outcome.untranslated:
        outcome.out_of_date.append(("untranslated", f"{outcome.untranslated} untranslated"))
    if outcome.fuzzy:
        outcome.out_of_date.append(("fuzzy", f"{outcome.fuzzy} fuzzy"))
    if outcome.obsolete:
        outcome.out_of_date.append(("obsolete", f"{outcome.obsolete} obsolete"))
    if glossary:
        outcome.problems.extend(_glossary_problems(site, post, locale))
        if outcome.problems:
            outcome.out_of_date.append(("glossary", f"{len(outcome.problems)} ignore the glossary"))
    return outcome


def _glossary_problems(site: Site, post: PostPaths, locale: str) -> list[str]:
    catalog = site.read(post, locale)
    if catalog is None:
        return []
    po = site.catalog_path(post, locale)
    lines = EntryLines(site.settings.root / po)
    found = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        for term, target in site.glossary.ignored(str(message.id), str(message.string), locale):
            found.append(lines.report(po, message, f"ignores the glossary: {term} → {target}"))
    return found


def _build_state(site: Site, post: PostPaths, locale: str, output: str) -> list[tuple[str, str]]:
    """Why the built post is not what the catalog makes (empty if it is)."""
    target = site.settings.root / output
    if not target.is_file():
        return [("build", f"not built: {output} is missing")]
    if _up_to_date(site, post, locale) is not None:
        return []
    reasons = []
    record = site.records(locale).get(output)
    built = target.read_bytes()
    catalog_data = site.catalog_data(post, locale) or b""
    if record is not None:
        if digest(built) != record.output_hash:
            reasons.append(("edited", f"built post {output} was edited by hand"))
        if digest(catalog_data) != record.catalog_hash:
            reasons.append(("build", "catalog changed since build"))
        if record.policy != site.policy_id(locale):
            reasons.append(("build", "publishing policy changed since build"))
        if record.source_hash != site.source_digest(post):
            reasons.append(("build", "source changed since build"))
        return reasons
    catalog = read_catalog(site.settings.root / site.catalog_path(post, locale))
    assert catalog is not None
    rendered, _problems = render(site, post, locale, catalog)
    if rendered != built:
        reasons.append(("build", f"built post {output} differs from the catalog"))
    return reasons


__all__ = ["Outcome", "Site", "build", "check", "extract", "fill", "translate"]
