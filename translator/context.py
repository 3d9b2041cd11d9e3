"""The run context the use cases share: a :class:`Site` (settings, plus what a run has
read so far) and the :class:`Outcome` of one post in one locale.

Each use case works on one post and locale at a time and either finishes it or leaves its
files as they were; an error in one post never stops the others (the caller collects
them). Work is skipped when the files say it is done: a catalog whose header names the
current source hash is not re-extracted, a post whose build record matches its catalog is
not rebuilt, so a no-op run over a whole site reads and hashes files but parses nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from .catalogs.provenance import EXTRACT_OPTIONS, SOURCE_HASH, content_digest, header_values
from .catalogs.states import State, count_states
from .errors import CatalogError, PostError
from .site.config import Settings
from .site.files import digest, inside, locked
from .site.generator import reading_for
from .site.paths import PostPaths
from .site.records import RECORD, Built, Records, records_path

# The parser, Babel and the glossary are imported by the methods that need them: a check
# of an unchanged site reads records and hashes files, and imports none of them.
TYPE_CHECKING = False  # typing's own, without importing typing (see named_tuple.py)
if TYPE_CHECKING:
    from .catalogs.catalog import PostCatalog
    from .catalogs.merging import MergeStats
    from .markdown.dialects import Reading
    from .markdown.units import Segmentation
    from .site.glossary import Glossary

EXTRACT_FORMAT = 3  # bump when segmentation changes what units a post yields


class Outcome:
    """What happened to one post in one locale (a plain class: see :mod:`.markdown.dialects`
    for why the records ``check`` uses are not dataclasses)."""

    __slots__ = (
        "catalog_written", "counts", "locale", "merge", "obsolete", "out_of_date",
        "output_written", "post", "problems",
    )  # fmt: skip

    def __init__(self, post: PostPaths, locale: str) -> None:
        self.post = post
        self.locale = locale
        self.catalog_written = False
        self.output_written = False
        self.counts: dict[str, int] = {}  # entries by state (State.value)
        self.obsolete = 0
        self.merge: MergeStats | None = None
        self.problems: list[str] = []  # "path:line: message" lines
        self.out_of_date: list[tuple[str, str]] = []  # check: (kind, why)

    def __repr__(self) -> str:
        return f"Outcome({self.post.source!r}, {self.locale!r}, counts={self.counts!r})"

    def of(self, state: State) -> int:
        return self.counts.get(state.value, 0)

    @property
    def untranslated(self) -> int:
        return self.of(State.UNTRANSLATED)

    @property
    def fuzzy(self) -> int:
        """Entries waiting for a person's approval: everything fuzzy in the PO file."""
        waiting = (State.MACHINE, State.STALE, State.SUGGESTED, State.REJECTED, State.BROKEN)
        return sum(self.of(s) for s in waiting)

    def count(self, catalog: PostCatalog, broken: Collection[tuple[str | None, str]] = ()) -> None:
        self.counts = count_states(catalog.entries(), broken)
        self.obsolete = len(catalog.obsolete)


class Site:
    """A site's settings plus what a run has read so far (each post is parsed once)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._sources: dict[str, bytes] = {}
        self._segmentations: dict[str, Segmentation] = {}
        self._digests: dict[str, str] = {}
        self._records: dict[str, Records] = {}
        # catalog -> hash of the file as this run read it (None: there was none)
        self._seen: dict[tuple[str, str], str | None] = {}
        self.merged: list[tuple[str, int]] = []  # (catalog, entries of the run's kept) saves
        self._catalogs: dict[tuple[str, str], bytes] = {}
        self._glossary: Glossary | None = None
        self._readings: dict[tuple[str, bool], tuple[Reading, str]] = {}
        keys = ",".join(settings.front_matter_keys)
        self._options = f"{EXTRACT_FORMAT}|{keys}|{settings.split_sentences}|{settings.copy_latin}"

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
            from .markdown.document import parse_post
            from .markdown.segmenter import segment_post

            parsed = parse_post(self.source(post), Path(post.source))
            self._segmentations[post.source] = segment_post(
                parsed,
                self.settings.front_matter_keys,
                split=self.settings.split_sentences,
                reading=self.reading(post)[0],
            )
        return self._segmentations[post.source]

    def options(self, post: PostPaths) -> str:
        """What extraction depended on besides the source (settings, dialect, version)."""
        return self.reading(post)[1]

    def reading(self, post: PostPaths) -> tuple[Reading, str]:
        """How the post's site reads Markdown, and its options digest: the generator's
        config is looked up once per site folder a run meets, not once per post."""
        key = (post.site, post.jekyll)
        if key not in self._readings:
            reading = reading_for(self.settings, post)
            options = digest(f"{self._options}|{reading.fingerprint}".encode())
            self._readings[key] = (reading, options)
        return self._readings[key]

    def catalog_path(self, post: PostPaths, locale: str) -> str:
        return post.catalog(self.settings, locale)

    def output_path(self, post: PostPaths, locale: str) -> str:
        return post.output(self.settings, locale)

    def read(self, post: PostPaths, locale: str) -> PostCatalog | None:
        """The catalog on disk (None if there is none), remembered as what this run saw:
        a write later checks the file is still that, or merges (see :meth:`write`)."""
        path = self.settings.root / self.catalog_path(post, locale)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self._seen[(post.source, locale)] = None
            return None
        except OSError as exc:
            raise CatalogError(f"cannot read: {exc.strerror}", path) from exc
        self._seen.setdefault((post.source, locale), digest(data))
        from .catalogs.po import parse_catalog

        return parse_catalog(data, path)

    def records(self, locale: str) -> Records:
        if locale not in self._records:
            root = self.settings.root
            legacy = root / self.settings.locales_dir / locale / RECORD
            self._records[locale] = Records(inside(root, records_path(root, locale)), legacy)
        return self._records[locale]

    # -- builds ---------------------------------------------------------------------

    def built(self, post: PostPaths, locale: str) -> Built | None:
        """The build record, if it says the post is current: same source, same output, same
        policy, and the same catalog — its bytes, or failing that its content (a PO editor's
        save that only re-wraps lines or bumps a date changes nothing)."""
        record = self.records(locale).get(self.output_path(post, locale))
        if record is None:
            return None
        catalog = self.catalog_data(post, locale)
        try:
            output = (self.settings.root / self.output_path(post, locale)).read_bytes()
        except OSError:
            return None
        if catalog is None:
            return None
        current = Built(
            post.source,
            self.source_digest(post),
            digest(catalog),
            digest(output),
            self.policy_id(locale),
        )
        if current.same_build(record):
            return record
        if not record.catalog_content or current.catalog_hash == record.catalog_hash:
            return None
        if not current.same_build(record._replace(catalog_hash=current.catalog_hash)):
            return None  # something besides the catalog's bytes changed
        try:
            parsed = self.read(post, locale)
        except CatalogError:
            return None  # the slow path reports it, with its line
        if parsed is None or content_digest(parsed.entries()) != record.catalog_content:
            return None
        return record._replace(catalog_hash=current.catalog_hash)

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
            from .site.glossary import Glossary, load_glossary

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
        from .catalogs.merging import entries_for, update_catalog

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
            options=self.options(post),
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
        """Write a catalog this run read (or made); if someone saved the file since the
        run read it, the save is read back and kept: the run's work goes only into what
        is still untranslated there (see :attr:`merged`)."""
        from .catalogs.po import write_catalog

        key = (post.source, locale)
        self._catalogs.pop(key, None)
        path = inside(self.settings.root, self.settings.root / self.catalog_path(post, locale))
        with locked(path):
            try:
                now: bytes | None = path.read_bytes()
            except FileNotFoundError:
                now = None
            if key in self._seen and self._seen[key] != (None if now is None else digest(now)):
                catalog = self._merge(post, locale, catalog, now, path)
                changed = True
            written = write_catalog(path, catalog, changed=changed)
            self._seen[key] = digest(path.read_bytes()) if path.exists() else None
        return written

    def _merge(
        self, post: PostPaths, locale: str, ours: PostCatalog, saved: bytes | None, path: Path
    ) -> PostCatalog:
        if saved is None:  # deleted meanwhile: what the run made stands
            return ours
        from .catalogs.merging import entries_for, keep_their_save, update_catalog
        from .catalogs.po import parse_catalog

        theirs, _stats = update_catalog(
            parse_catalog(saved, path),
            entries_for(self.segment(post), post.source, copy_latin=self.settings.copy_latin),
            locale=locale,
            project=self.settings.project or post.name,
            source=post.source,
            digest=self.source_digest(post),
            options=self.options(post),
        )
        taken = keep_their_save(ours, theirs)
        self.merged.append((self.catalog_path(post, locale), taken))
        return theirs

    def extracted(self, post: PostPaths, locale: str) -> str | None:
        """The catalog's text if it was extracted from this very source, else None."""
        data = self.catalog_data(post, locale)
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        headers = header_values(text)
        if headers.get(SOURCE_HASH.lower()) != self.source_digest(post):
            return None
        if headers.get(EXTRACT_OPTIONS.lower()) != self.options(post):
            return None
        record = self.records(locale).get(self.output_path(post, locale))
        if record is None or record.catalog_hash != digest(data):
            from .catalogs.po import lint_po

            if lint_po(text) is not None:
                return None  # the slow path reports it, with its line
        return text
