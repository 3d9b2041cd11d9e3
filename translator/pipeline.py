"""The use cases, shared by the CLI (and later by workers): extract, fill, build, check.

Each works on one post at a time and either finishes it or leaves its files as they were;
an error in one post never stops the others (the caller collects them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Message

from .backends import BackendContext, Batch, Request, load_backend
from .catalogs import (
    SOURCE_HASH,
    PostCatalog,
    entries_for,
    read_catalog,
    same_content,
    set_origin,
    source_hash,
    update_catalog,
    write_atomic,
    write_catalog,
)
from .cjk import is_cjk
from .config import Settings
from .document import encode_post, parse_post
from .errors import BuildError, CatalogError, PostError, TranslatorError
from .placeholders import PlaceholderError, check_tags, placeholders_in
from .reassembler import assemble
from .segmenter import Segmentation, segment_post
from .site import PostPaths

BATCH_SIZE = 50


@dataclass(slots=True)
class Outcome:
    """What happened to one post in one locale."""

    post: PostPaths
    locale: str
    catalog_written: bool = False
    output_written: bool = False
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    problems: list[str] = field(default_factory=list)  # "path:line: message" lines
    stale: list[str] = field(default_factory=list)  # for check: why this post is out of date


class Site:
    """A site's settings plus the posts read so far (each post is parsed once per run)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._segmentations: dict[str, tuple[bytes, Segmentation]] = {}

    def segment(self, post: PostPaths) -> tuple[bytes, Segmentation]:
        if post.source not in self._segmentations:
            try:
                data = (self.settings.root / post.source).read_bytes()
            except OSError as exc:
                raise PostError(f"cannot read: {exc.strerror}", post.source) from exc
            parsed = parse_post(data, Path(post.source))
            seg = segment_post(
                parsed, self.settings.front_matter_keys, split=self.settings.split_sentences
            )
            self._segmentations[post.source] = (data, seg)
        return self._segmentations[post.source]

    def catalog_path(self, post: PostPaths, locale: str) -> str:
        return post.catalog(self.settings, locale)

    def read(self, post: PostPaths, locale: str) -> PostCatalog | None:
        return read_catalog(self.settings.root / self.catalog_path(post, locale))

    def updated_catalog(
        self, post: PostPaths, locale: str
    ) -> tuple[PostCatalog, PostCatalog | None]:
        """(catalog as extraction wants it, catalog on disk)."""
        data, seg = self.segment(post)
        old = self.read(post, locale)
        entries = entries_for(seg, post.source, copy_latin=self.settings.copy_latin)
        new = update_catalog(
            old,
            entries,
            locale=locale,
            project=self.settings.project or post.name,
            source=post.source,
            digest=source_hash(data),
        )
        return new, old


# -- extract ----------------------------------------------------------------------------


def extract(site: Site, post: PostPaths, locale: str) -> Outcome:
    catalog, _old = site.updated_catalog(post, locale)
    outcome = Outcome(post, locale)
    outcome.catalog_written = write_catalog(
        site.settings.root / site.catalog_path(post, locale), catalog
    )
    _count(outcome, catalog)
    return outcome


def _count(outcome: Outcome, catalog: PostCatalog) -> None:
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            outcome.fuzzy += 1
        elif message.string:
            outcome.translated += 1
        else:
            outcome.untranslated += 1


# -- build ------------------------------------------------------------------------------


def render(
    site: Site, post: PostPaths, locale: str, catalog: PostCatalog
) -> tuple[bytes, list[str]]:
    """The per-locale post for ``catalog`` and the problems found on the way."""
    _data, seg = site.segment(post)
    index: dict[tuple[str | None, str], Message] = {}
    for message in catalog:
        if message.id:
            index[(message.context, str(message.id))] = message

    def find(text: str, context: str | None) -> Message | None:
        return index.get((context, text)) or index.get((None, text))

    def lookup(text: str, context: str | None) -> str | None:
        message = find(text, context)
        if message is None or message.fuzzy or not message.string:
            return None
        return str(message.string)

    cjk_target = is_cjk(_sample_char(locale))
    result = assemble(seg, lookup, cjk_target=cjk_target)
    po = site.catalog_path(post, locale)
    problems = []
    po_lines: list[str] | None = None
    for problem in result.problems:
        entry = find(problem.unit.text, problem.unit.context)
        line = None
        if entry is not None and entry.lineno is not None:
            if po_lines is None:
                po_lines = _lines_of(site.settings.root / po)
            line = _msgid_line(po_lines, entry.lineno + 1)
        shown = problem.unit.text if len(problem.unit.text) <= 40 else problem.unit.text[:39] + "…"
        where = f"{po}:{line}" if line else po
        problems.append(f'{where}: entry "{shown}": {problem.message}; the source text is used')
    output = encode_post(seg.post, result.text)
    # the post we are about to publish must read back as a post
    try:
        parse_post(output, seg.post.path)
    except PostError as exc:
        raise BuildError(f"built post would not parse: {exc.message}", post.source) from exc
    return output, problems


def _lines_of(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return []


def _msgid_line(lines: list[str], line: int) -> int:
    """The line of the ``msgid`` keyword of the entry whose text Babel saw on ``line``."""
    for number in range(min(line, len(lines)), 0, -1):
        if lines[number - 1].startswith("msgid "):
            return number
    return line


def _sample_char(locale: str) -> str:
    return "中" if locale.split("-")[0].split("_")[0] in ("zh", "ja", "ko", "yue") else "a"


def build(site: Site, post: PostPaths, locale: str, catalog: PostCatalog | None = None) -> Outcome:
    outcome = Outcome(post, locale)
    if catalog is None:
        catalog = site.read(post, locale)
    if catalog is None:
        raise CatalogError(
            f"no catalog for {locale}: run 'translator extract {post.source} --to {locale}' first",
            site.catalog_path(post, locale),
        )
    output, outcome.problems = render(site, post, locale, catalog)
    target = site.settings.root / post.output(site.settings, locale)
    current = target.read_bytes() if target.is_file() else None
    if current != output:
        write_atomic(target, output)
        outcome.output_written = True
    _count(outcome, catalog)
    return outcome


# -- translate --------------------------------------------------------------------------


@dataclass(slots=True)
class Fill:
    """Units filled by the backends in one run."""

    sent: dict[str, int] = field(default_factory=dict)  # backend -> texts sent
    filled: dict[str, int] = field(default_factory=dict)  # backend -> texts filled
    rejected: list[str] = field(default_factory=list)


def fill(
    site: Site,
    catalogs: Sequence[tuple[PostPaths, str, PostCatalog]],
    backend_names: Sequence[str],
    progress: Callable[[int], None] = lambda _n: None,
) -> Fill:
    """Send every untranslated unit (once per distinct text and locale) through the backends."""
    report = Fill()
    context = BackendContext(site.settings.root, site.settings.locales_dir, {})
    for name in backend_names:
        options = site.settings.backends.get(name, {})
        backend = load_backend(name, BackendContext(context.root, context.locales_dir, options))
        by_locale: dict[str, dict[str, list[Message]]] = {}
        for post, locale, catalog in catalogs:
            for message in catalog:
                if message.id and not message.string and not message.fuzzy:
                    by_locale.setdefault(locale, {}).setdefault(str(message.id), []).append(message)
                    message.auto_comments = list(message.auto_comments)
            del post
        for locale, pending in by_locale.items():
            texts = list(pending)
            for start in range(0, len(texts), BATCH_SIZE):
                chunk = texts[start : start + BATCH_SIZE]
                batch = Batch(site.settings.source_locale, locale, tuple(Request(t) for t in chunk))
                suggestions = backend.translate(batch)
                report.sent[name] = report.sent.get(name, 0) + len(chunk)
                for text, suggestion in zip(chunk, suggestions, strict=True):
                    if suggestion is None:
                        continue
                    try:
                        check_tags(suggestion.text, placeholders_in(text))
                    except PlaceholderError as exc:
                        report.rejected.append(f"{name}: {text[:40]!r}: {exc}")
                        continue
                    for message in pending[text]:
                        message.string = suggestion.text
                        if suggestion.fuzzy:
                            message.flags.add("fuzzy")
                        set_origin(message, suggestion.origin)
                    report.filled[name] = report.filled.get(name, 0) + 1
                progress(len(chunk))
    return report


def translate(
    site: Site,
    posts: Iterable[PostPaths],
    locales: Sequence[str],
    backend_names: Sequence[str],
    on_error: Callable[[PostPaths, TranslatorError], None],
    step: Callable[[], None] = lambda: None,
) -> tuple[list[Outcome], Fill]:
    """Extract, fill the gaps through the backends, write the catalogs, build the posts.

    ``step`` is called once per post and locale extracted, and once per one built.
    """
    catalogs: list[tuple[PostPaths, str, PostCatalog]] = []
    for post in posts:
        try:
            for locale in locales:
                catalogs.append((post, locale, site.updated_catalog(post, locale)[0]))
                step()
        except TranslatorError as exc:
            on_error(post, exc)
    report = fill(site, catalogs, backend_names)
    outcomes = []
    for post, locale, catalog in catalogs:
        written = write_catalog(site.settings.root / site.catalog_path(post, locale), catalog)
        try:
            # read back: line numbers in problem reports point into the file as written
            outcome = build(site, post, locale)
        except TranslatorError as exc:
            on_error(post, exc)
            continue
        finally:
            step()
        outcome.catalog_written = written
        outcomes.append(outcome)
    return outcomes, report


# -- check ------------------------------------------------------------------------------


def check(site: Site, post: PostPaths, locale: str) -> Outcome:
    """Say, without writing anything, why ``post`` is out of date in ``locale`` (if it is)."""
    outcome = Outcome(post, locale)
    data, _seg = site.segment(post)
    new, old = site.updated_catalog(post, locale)
    po = site.catalog_path(post, locale)
    if old is None:
        outcome.stale.append(f"no catalog {po}")
        return outcome
    if old.extra_headers.get(SOURCE_HASH) != source_hash(data):
        outcome.stale.append("source changed since extract")
    elif not same_content(new, site.settings.root / po):
        outcome.stale.append(f"catalog {po} is not what extract would write")
    _count(outcome, old)
    target = site.settings.root / post.output(site.settings, locale)
    if not target.is_file():
        outcome.stale.append(f"not built: {post.output(site.settings, locale)} is missing")
        return outcome
    output, outcome.problems = render(site, post, locale, old)
    if target.read_bytes() != output:
        outcome.stale.append(
            f"built post {post.output(site.settings, locale)} differs from the catalog"
        )
    return outcome
