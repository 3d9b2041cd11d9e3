"""Translation cut into steps that can run apart, for a queue that spreads them over
machines (``workers/``); the steps know nothing of the queue.

1. :func:`plan_job`, where the site lives: extract the catalogs, fill what the
   site-bound backends can (translation memory), write the catalogs, and cut the
   distinct texts still missing, per locale, into batches within the first machine
   backend's request limits.
2. :func:`run_batch`, anywhere: a batch's protected texts in, JSON-ready results out.
   It reads no file of the site, so it runs on a host with no copy of it.
3. :func:`write_part`, where the site lives: one post and locale's results applied to
   its catalog under a file lock, written atomically, and the post built. Applying the
   same results twice changes nothing.

Everything that crosses a process boundary is plain JSON and is checked on the way in:
:func:`check_locale`, :func:`check_post_id` and :meth:`BatchSpec.from_json` refuse what a
well-behaved producer never sends (a path that leaves the site, an oversized batch).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .backends import Backend, Batch, Request, Suggestion
from .build import build
from .catalogs.catalog import PostCatalog
from .context import Outcome, Site
from .errors import BackendRejected, ConfigError, InputError, TranslatorError
from .fill import (
    BATCH_SIZE,
    fill,
    fill_messages,
    load_backends,
    offered,
    pending_texts,
    requests_for,
    wants_backend,
)
from .site.files import locked
from .site.glossary import terms_in
from .site.paths import MARKDOWN, PostPaths, find_posts
from .translate import collect

LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
MAX_TEXTS = 500  # texts in one batch: far above any provider's limit per request
MAX_CHARS = 250_000  # characters in one batch
SECRET_OPTIONS = re.compile(r"(?i)(^|_)(key|api_key|token|secret|password)$")


class Refused(InputError):
    """A task's arguments that no well-behaved producer sends; the task is not run."""


def check_locale(locale: object) -> str:
    if not isinstance(locale, str) or not LOCALE.fullmatch(locale):
        raise Refused(f"not a locale: {str(locale)[:40]!r}")
    return locale


def check_post_id(site: Site, post_id: object, locales: Sequence[str]) -> PostPaths:
    """The post ``post_id`` names (a path relative to the site root, as ``queue`` wrote
    it), or :class:`Refused` if it leaves the root or is not one of the site's posts."""
    if not isinstance(post_id, str) or not post_id or "\0" in post_id or "\\" in post_id:
        raise Refused(f"not a post id: {str(post_id)[:80]!r}")
    pure = PurePosixPath(post_id)
    if pure.is_absolute() or ".." in pure.parts:
        raise Refused(f"post id outside the site: {post_id[:80]!r}")
    root = site.settings.root.resolve()
    path = (root / pure).resolve()
    if not path.is_relative_to(root):
        raise Refused(f"post id outside the site: {post_id[:80]!r}")
    if not path.is_file() or path.suffix.lower() not in MARKDOWN:
        raise Refused(f"no such post: {post_id[:80]!r}")
    found = find_posts([path], site.settings, locales)
    if len(found) != 1 or found[0].source != post_id:
        raise Refused(f"not a source post of the site: {post_id[:80]!r}")
    return found[0]


# -- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """One batch for the machine backends: what a task carries (texts, never paths)."""

    locale: str
    texts: tuple[str, ...]
    contexts: tuple[str, ...]  # per text: JSON with the post title and neighbouring units
    posts: tuple[str, ...]  # post ids whose catalogs wait for some of these texts
    glossary: Mapping[str, str] = field(default_factory=dict)
    number: int = 0  # the batch's number in its job

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "locale": self.locale,
            "texts": list(self.texts),
            "contexts": list(self.contexts),
            "posts": list(self.posts),
            "glossary": dict(self.glossary),
        }

    def subset(self, texts: Iterable[str]) -> BatchSpec:
        """The same batch with only ``texts`` (in this batch's order)."""
        keep = set(texts)
        pairs = [(t, c) for t, c in zip(self.texts, self.contexts, strict=True) if t in keep]
        kept = tuple(t for t, _c in pairs)
        return BatchSpec(
            self.locale,
            kept,
            tuple(c for _t, c in pairs),
            self.posts,
            terms_in(self.glossary, kept),
            self.number,
        )

    @classmethod
    def from_json(cls, data: object) -> BatchSpec:
        if not isinstance(data, dict):
            raise Refused("a batch must be a JSON object")
        texts, contexts, posts = data.get("texts"), data.get("contexts"), data.get("posts", [])
        glossary = data.get("glossary", {})
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise Refused("batch texts must be a list of strings")
        if not isinstance(contexts, list) or len(contexts) != len(texts):
            raise Refused("batch contexts must be a list as long as its texts")
        if not all(isinstance(c, str) for c in contexts):
            raise Refused("batch contexts must be strings")
        if not isinstance(posts, list) or not all(isinstance(p, str) for p in posts):
            raise Refused("batch posts must be a list of strings")
        if not isinstance(glossary, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in glossary.items()
        ):
            raise Refused("batch glossary must map strings to strings")
        number = data.get("number", 0)
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise Refused("batch number must be a whole number")
        if len(texts) > MAX_TEXTS or sum(map(len, texts)) > MAX_CHARS:
            raise Refused(
                f"oversized batch: {len(texts)} texts, {sum(map(len, texts))} characters "
                f"(at most {MAX_TEXTS} and {MAX_CHARS})"
            )
        return cls(
            check_locale(data.get("locale")),
            tuple(texts),
            tuple(contexts),
            tuple(posts),
            glossary,
            number,
        )


@dataclass(slots=True)
class Part:
    """One post in one locale, and the distinct texts its catalog waits for."""

    post: PostPaths
    locale: str
    texts: list[str]


@dataclass(slots=True)
class JobPlan:
    source_locale: str
    backends: list[dict[str, Any]]  # the machine backends, in order: name and settings
    parts: list[Part] = field(default_factory=list)  # waiting for batches
    ready: list[tuple[PostPaths, str]] = field(default_factory=list)  # nothing to wait for
    batches: list[BatchSpec] = field(default_factory=list)


def backend_spec(site: Site, name: str) -> dict[str, Any]:
    """A backend's name and settings as a task carries them: never a secret (keys come
    from the worker's own environment, through the variable the settings name)."""
    options = site.settings.backends.get(name, {})
    return {
        "name": name,
        "options": {k: v for k, v in options.items() if not SECRET_OPTIONS.search(k)},
    }


def plan_job(
    site: Site,
    posts: Iterable[PostPaths],
    locales: Sequence[str],
    chain: Sequence[str],
    on_error: Callable[[PostPaths, TranslatorError], None],
) -> JobPlan:
    """Extract and write the catalogs, fill them from the site-bound backends at the head
    of ``chain``, and cut what is left into batches for the machine backends after them."""
    backends = load_backends(site, chain)
    head = 0
    while head < len(backends) and getattr(backends[head], "site_bound", False):
        head += 1
    for backend in backends[head:]:
        if getattr(backend, "site_bound", False):
            raise ConfigError(
                f"backend {backend.name!r} reads the site's files: put it before "
                "the machine backends, which run on workers"
            )
    plan = JobPlan(
        site.settings.source_locale, [backend_spec(site, b.name) for b in backends[head:]]
    )
    catalogs, _extracted, current = collect(site, posts, locales, backends, on_error)
    fill(site, catalogs, backends[:head])
    for post, locale, catalog in catalogs:
        path = site.settings.root / site.catalog_path(post, locale)
        try:
            with locked(path):
                site.write(post, locale, catalog)
        except OSError as exc:
            on_error(post, TranslatorError(f"cannot write: {exc}", path))
    plan.ready.extend(current)
    if not backends[head:]:
        plan.ready.extend((post, locale) for post, locale, _c in catalogs)
        return plan
    first = backends[head]
    requests = requests_for(catalogs)
    for post, locale, catalog in catalogs:
        texts = waiting_texts(catalog)
        if texts:
            plan.parts.append(Part(post, locale, texts))
        else:
            plan.ready.append((post, locale))
    waiting: dict[tuple[str, str], list[str]] = {}
    for part in plan.parts:
        for text in part.texts:
            waiting.setdefault((part.locale, text), []).append(part.post.source)
    for locale, pending in pending_texts(catalogs).items():
        terms = site.glossary.for_locale(locale)
        for group in _groups(first, list(pending)):
            owners = dict.fromkeys(p for t in group for p in waiting[(locale, t)])
            plan.batches.append(
                BatchSpec(
                    locale,
                    tuple(group),
                    tuple(requests[t].context if t in requests else "" for t in group),
                    tuple(owners),
                    terms_in(terms, group),
                    len(plan.batches),
                )
            )
    return plan


def waiting_texts(catalog: PostCatalog) -> list[str]:
    """The distinct texts of ``catalog`` that wait for a backend, in catalog order."""
    return list(dict.fromkeys(str(m.id) for m in catalog.entries() if wants_backend(m)))


def _groups(backend: Backend, texts: list[str]) -> list[list[str]]:
    """``texts`` cut as the backend would cut them into requests (one batch, one request)."""
    plan = getattr(backend, "plan", None)
    if plan is None:
        return [texts[i : i + BATCH_SIZE] for i in range(0, len(texts), BATCH_SIZE)]
    from .backends.wire import to_wire

    groups, start = [], 0
    for wire_group in plan([to_wire(t) for t in texts]):
        groups.append(texts[start : start + len(wire_group)])
        start += len(wire_group)
    return groups


def build_ready(site: Site, post: PostPaths, locale: str) -> Outcome:
    """Build a post that waits for no batch (:attr:`JobPlan.ready`), under its catalog's
    lock, as :func:`write_part` builds the others."""
    with locked(site.settings.root / site.catalog_path(post, locale)):
        return build(site, post, locale)


# -- the machine step: no site needed ----------------------------------------------------


def run_batch(
    backends: Sequence[Backend], source_locale: str, spec: BatchSpec
) -> list[dict[str, Any]]:
    """Each text's result, in order: ``{"text", "origin", "fuzzy", "note"}`` or
    ``{"failed": why}``. The backends are asked in order; what one fills, the next is not
    asked for. A temporary failure (:class:`BackendUnavailable`) propagates, to be retried;
    a backend that refuses the work (:class:`BackendRejected`) fails the batch's texts."""
    results: dict[str, dict[str, Any]] = {}
    reasons: dict[str, str] = {}
    contexts = dict(zip(spec.texts, spec.contexts, strict=True))
    for backend in backends:
        todo = [t for t in dict.fromkeys(spec.texts) if t not in results]
        todo = offered(backend, spec.locale, todo)
        if not todo:
            continue
        batch = Batch(
            source_locale,
            spec.locale,
            tuple(Request(t, contexts[t]) for t in todo),
            terms_in(spec.glossary, todo),
        )
        try:
            suggestions = backend.translate(batch)
        except BackendRejected as exc:
            reasons.update(dict.fromkeys(todo, exc.message))
            continue
        for text, suggestion in zip(todo, suggestions, strict=True):
            if suggestion is not None:
                results[text] = {
                    "text": suggestion.text,
                    "origin": suggestion.origin,
                    "fuzzy": suggestion.fuzzy,
                    "note": suggestion.note,
                }
        for text, why in getattr(backend, "failed", {}).items():
            reasons.setdefault(text, f"{backend.name}: {why}")
    return [
        results.get(t) or {"failed": reasons.get(t, "no backend could translate it")}
        for t in spec.texts
    ]


def suggestion_of(result: object) -> Suggestion | str:
    """A result from :func:`run_batch`, checked: the suggestion, or why there is none."""
    if not isinstance(result, dict):
        raise Refused("a result must be a JSON object")
    if "failed" in result:
        return str(result["failed"])[:500]
    text, origin = result.get("text"), result.get("origin")
    fuzzy, note = result.get("fuzzy", True), result.get("note", "")
    if not (isinstance(text, str) and isinstance(origin, str) and isinstance(note, str)):
        raise Refused("a result needs text, origin and note strings")
    return Suggestion(text, origin, fuzzy=bool(fuzzy), note=note)


# -- the writing step: where the site lives ----------------------------------------------


@dataclass(slots=True)
class Written:
    outcome: Outcome
    filled: int = 0  # distinct texts of the part the catalog holds the result of
    failed: int = 0  # distinct texts of the part no backend could translate (untranslated)


def write_part(
    site: Site,
    post: PostPaths,
    locale: str,
    lookup: Callable[[list[str]], Mapping[str, Suggestion | str]],
    *,
    part: Callable[[str], bool] | None = None,
) -> Written:
    """Apply the results ``lookup`` gives for the texts of the part (``part`` says which
    of the catalog's texts it waited for; by default, those it still waits for) to the
    catalog of ``post`` in ``locale`` (text -> suggestion, or why there is none), and build
    the post. Under the catalog's lock; the catalog is written only if it changed, so
    applying the same results twice changes nothing, and a person's translation (or one
    already applied) is never replaced. The counts are what the catalog holds once this is
    done, so a second delivery, finding the work done, counts what the first one did.
    The caller saves the build records (``site.save_records``), once for all the parts it
    writes."""
    path = site.settings.root / site.catalog_path(post, locale)
    with locked(path):
        catalog = site.read(post, locale)
        if catalog is None:
            raise InputError(
                f"no catalog for {locale}: the post was queued but not extracted", path
            )
        if part is None:
            texts = waiting_texts(catalog)
        else:
            texts = [
                t for t in dict.fromkeys(str(m.id) for m in catalog.entries() if m.id) if part(t)
            ]
        results = lookup(texts) if texts else {}
        if _apply(catalog, results):
            site.write(post, locale, catalog, changed=True)
        filled, failed = _held(catalog, results)
        outcome = build(site, post, locale)
    return Written(outcome, filled, failed)


def _apply(catalog: PostCatalog, results: Mapping[str, Suggestion | str]) -> bool:
    """Fill the messages still waiting for a text with its suggestion; whether any was."""
    changed = False
    for message in catalog.entries():
        result = results.get(str(message.id)) if message.id else None
        if isinstance(result, Suggestion) and wants_backend(message):
            fill_messages([message], str(message.id), result)
            changed = True
    return changed


def _held(catalog: PostCatalog, results: Mapping[str, Suggestion | str]) -> tuple[int, int]:
    """(texts whose result the catalog holds, texts that failed and still wait)."""
    filled: set[str] = set()
    failed: set[str] = set()
    for message in catalog.entries():
        text = str(message.id)
        result = results.get(text) if message.id else None
        if isinstance(result, str):
            if wants_backend(message):
                failed.add(text)
        elif result is not None and str(message.string) == result.text:
            filled.add(text)
    return len(filled), len(failed)


def site_at(root: Path) -> Site:
    """The site whose settings are at ``root`` (a fresh view: nothing cached from before)."""
    from .site.config import load_settings

    return Site(load_settings(root))
