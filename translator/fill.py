"""Fill: send the units that need it to the backends, in order (each distinct text once
per locale), and the dry run's estimate of what they would be sent."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from babel.messages.catalog import Message

from .backends import Backend, BackendContext, Batch, Request, Suggestion, load_backend
from .catalogs.provenance import PostCatalog
from .catalogs.states import human_owned, set_origin
from .context import Site
from .markdown.placeholders import PlaceholderError, check_tags, placeholders_in
from .site.glossary import terms_in
from .site.paths import PostPaths

BATCH_SIZE = 50


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
