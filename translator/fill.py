"""Fill: send the units that need it to the backends, in order (each distinct text once
per locale), and the dry run's estimate of what they would be sent."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from babel.messages.catalog import Message

from .backends import Backend, BackendContext, Batch, Request, Suggestion, load_backend
from .catalogs.catalog import PostCatalog
from .catalogs.states import State, human_owned, set_origin, state_of
from .context import Site
from .errors import BackendError
from .markdown.placeholders import TAG, PlaceholderError, check_tags, placeholders_in
from .site.glossary import terms_in
from .site.paths import PostPaths

BATCH_SIZE = 50


@dataclass(slots=True)
class Fill:
    """Units filled by the backends in one run."""

    sent: dict[str, int] = field(default_factory=dict)  # backend -> texts sent
    filled: dict[str, int] = field(default_factory=dict)  # backend -> texts filled
    rejected: list[str] = field(default_factory=list)  # units an engine answered badly
    failed: list[str] = field(default_factory=list)  # backends that stopped, and why
    interrupted: bool = False  # stopped by Ctrl-C: what was done so far is kept
    billed: dict[str, int] = field(default_factory=dict)  # backend -> what it was billed
    touched: set[int] = field(default_factory=set)  # catalogs (by index) given anything
    estimates: list[Estimate] = field(default_factory=list)  # a dry run's


@dataclass(frozen=True, slots=True)
class Progress:
    """How far one backend is: texts answered of those it was given, and their size."""

    backend: str
    done: int
    total: int
    chars: int  # source characters answered so far, tags aside


def wants_backend(message: Message) -> bool:
    """Untranslated; a machine's translation of a text that has since changed; or one the
    checks rejected (the backend remembers its answer and sends nothing again unless told
    to, or unless the engine, model, glossary or prompt changed)."""
    if not message.id:
        return False
    if not message.string:
        return True
    if human_owned(message):
        return False
    return bool(message.previous_id) or state_of(message) is State.REJECTED


def load_backends(
    site: Site, names: Sequence[str], *, dry_run: bool = False, retry: bool = False
) -> list[Backend]:
    return [
        load_backend(
            name,
            BackendContext(
                site.settings.root,
                site.settings.locales_dir,
                site.settings.backends.get(name, {}),
                dry_run,
                retry,
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
        for message in catalog.entries():
            if wants_backend(message):
                by_locale.setdefault(locale, {}).setdefault(str(message.id), []).append(message)
    return by_locale


def requests_for(catalogs: Sequence[tuple[PostPaths, str, PostCatalog]]) -> dict[str, Request]:
    """Each text's request with its context: the post's title and the units around it
    (where the text first occurs), for engines that read context (LLMs)."""
    found: dict[str, Request] = {}
    for post, _locale, catalog in catalogs:
        ids = [str(m.id) for m in catalog.entries() if m.id]
        title = next((str(m.id) for m in catalog.entries() if m.id and m.context == "title"), "")
        title = title or next(
            (
                str(m.id)
                for m in catalog.entries()
                if m.id and "front matter: title" in m.auto_comments
            ),
            "",
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
    chars: int = 0  # characters sent, markup included (what --max-chars counts)
    billed: int = 0  # what the provider bills for them, in ``unit``
    unit: str = "characters"
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
    contexts = {text: r.context for text, r in requests_for(catalogs).items() if r.context}
    for backend in backends:
        found = Estimate(backend.name)
        if isinstance(backend, HttpBackend):
            backend.contexts = contexts  # a chat prompt carries them: they are billed
        for locale, texts in left.items():
            asked = offered(backend, locale, texts)
            if isinstance(backend, HttpBackend):
                todo = backend.uncached(asked, source, locale)
                groups = backend.plan([to_wire(t) for t in todo])
                found.texts += len(todo)
                found.requests += len(groups)
                found.chars += sum(backend.size(w) for g in groups for w in g)
                found.billed += sum(backend.bill(g, source, locale) for g in groups)
            left[locale] = [t for t in texts if t not in set(asked)]
        if isinstance(backend, HttpBackend):
            found.unit = backend.billing
            found.cost = found.billed / 1e6 * backend.price
        estimates.append(found)
    return estimates


def fill(
    site: Site,
    catalogs: Sequence[tuple[PostPaths, str, PostCatalog]],
    backends: Sequence[Backend],
    *,
    progress: Callable[[Progress], None] = lambda _p: None,
    ready: Callable[[int], None] = lambda _i: None,
) -> Fill:
    """Send every unit that needs it (once per distinct text and locale) to the backends,
    in order; what one backend fills, the next is not asked for. Nothing a person wrote
    or approved is ever replaced. A translation that fails the checks is kept as a fuzzy
    draft with the reason, never published.

    Texts go a request's worth at a time, post by post: after each, ``progress`` is told,
    and ``ready`` is called with the index of each catalog that this backend has nothing
    more to give, so the caller can write it at once. A backend that fails for good (a
    refused key, a quota, a model that died) stops; the others go on. Ctrl-C stops the
    run: the report says so, with everything filled until then in the catalogs."""
    report = Fill()
    requests = requests_for(catalogs)
    for backend in backends:
        try:
            _fill_from(site, catalogs, backend, requests, report, progress, ready)
        except BackendError as exc:
            report.failed.append(exc.located())
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            close = getattr(backend, "close", None)
            if close is not None:
                close()
        for text, why in getattr(backend, "failed", {}).items():
            report.rejected.append(f"{backend.name}: {text[:40]!r}: {why}; left untranslated")
        if getattr(backend, "requests", 0):
            report.billed[backend.name] = int(getattr(backend, "billed", 0))
        if report.interrupted:
            break
    return report


def _fill_from(
    site: Site,
    catalogs: Sequence[tuple[PostPaths, str, PostCatalog]],
    backend: Backend,
    requests: dict[str, Request],
    report: Fill,
    progress: Callable[[Progress], None],
    ready: Callable[[int], None],
) -> None:
    name = backend.name
    queues = {
        locale: offered(backend, locale, list(pending))
        for locale, pending in pending_texts(catalogs).items()
    }
    pending = pending_texts(catalogs)
    waiting: dict[int, set[str]] = {}  # catalog -> texts of its still to be answered
    owners: dict[tuple[str, str], list[int]] = {}
    for index, (_post, locale, catalog) in enumerate(catalogs):
        asked = set(queues.get(locale, ())) & {
            str(m.id) for m in catalog.entries() if wants_backend(m)
        }
        if asked:
            waiting[index] = asked
            for text in asked:
                owners.setdefault((locale, text), []).append(index)
    total = sum(len(texts) for texts in queues.values())
    done = chars = 0
    progress(Progress(name, done, total, chars))  # the clock starts
    for locale, texts in queues.items():
        terms = site.glossary.for_locale(locale)
        for chunk in _chunks(backend, texts):
            batch = Batch(
                site.settings.source_locale,
                locale,
                tuple(requests.get(t) or Request(t) for t in chunk),
                terms_in(terms, chunk),
            )
            try:
                suggestions = backend.translate(batch)
            except BackendError as exc:  # what it did before it failed is kept
                _apply(chunk, list(exc.partial), locale, name, pending, owners, report)
                raise
            report.sent[name] = report.sent.get(name, 0) + len(chunk)
            _apply(chunk, suggestions, locale, name, pending, owners, report)
            done += len(chunk)
            chars += sum(len(TAG.sub("", t)) for t in chunk)
            progress(Progress(name, done, total, chars))
            for text in chunk:
                for index in owners.get((locale, text), ()):
                    waiting[index].discard(text)
                    if not waiting[index]:
                        del waiting[index]
                        ready(index)


def _apply(
    chunk: list[str],
    suggestions: Sequence[object],
    locale: str,
    name: str,
    pending: dict[str, dict[str, list[Message]]],
    owners: dict[tuple[str, str], list[int]],
    report: Fill,
) -> None:
    """Give each text's suggestion to the messages waiting for it, and count."""
    for text, suggestion in zip(chunk, suggestions, strict=False):
        if not isinstance(suggestion, Suggestion):
            continue
        note = fill_messages(pending[locale][text], text, suggestion)
        report.touched.update(owners.get((locale, text), ()))
        if note and suggestion.fuzzy and not suggestion.note.startswith("fuzzy match"):
            report.rejected.append(f"{name}: {locale}: {text[:40]!r}: {note}")
        if not note:
            report.filled[name] = report.filled.get(name, 0) + 1


def _chunks(backend: Backend, texts: list[str]) -> list[list[str]]:
    """``texts`` in runs of one request's worth (``parallel`` requests' for an engine that
    sends several at a time), or of :data:`BATCH_SIZE` for a backend with no limits."""
    plan = getattr(backend, "plan", None)
    if plan is None:
        return [texts[i : i + BATCH_SIZE] for i in range(0, len(texts), BATCH_SIZE)]
    from .backends.wire import to_wire

    sizes = [len(group) for group in plan([to_wire(t) for t in texts])]
    per = max(1, int(getattr(backend, "parallel", 1)))
    chunks, start = [], 0
    for i in range(0, len(sizes), per):
        count = sum(sizes[i : i + per])
        chunks.append(texts[start : start + count])
        start += count
    return chunks


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
