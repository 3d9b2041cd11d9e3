"""What every backend that calls a paid or remote HTTP API shares: the secret from an
environment variable, batching within the provider's limits, retries that respect the
provider, one error tree, a disk cache so nothing is paid for twice, and validation of
what comes back.

A provider backend subclasses :class:`HttpBackend` and writes two methods: ``request``
(texts on the wire in, an ``httpx.Request`` out) and ``parse`` (the response in, texts on
the wire out).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import BackendError, BackendRejected, BackendUnavailable, ConfigError
from ..markdown.cjk import is_cjk_locale
from .base import BackendContext, Batch, Suggestion
from .cache import Cache, MachineCache
from .checks import machine_problem
from .replies import Retry, error_detail, retry_after
from .wire import from_wire, repair_tags, to_wire

CACHE_DIR = ".translator-cache"
REJECTED = "rejected:"  # the cache key of an answer that failed the checks


@dataclass(frozen=True, slots=True)
class Limits:
    texts: int  # texts per request
    chars: int  # characters per request (the provider's unit: code points or bytes)
    utf8_bytes: bool = False  # count ``chars`` in UTF-8 bytes


class BadReply(BackendUnavailable):
    """The provider kept answering with something unusable (often: a batch too hard)."""


class HttpBackend:
    name = "http"
    default_endpoint = ""
    default_key_env: str | None = None  # the environment variable holding the secret
    limits = Limits(texts=50, chars=10_000)
    price_per_million = 0.0  # estimated cost of a million billed units, for --dry-run
    billing = "characters"  # what the provider bills by (see :meth:`bill`)
    default_parallel = 1  # requests at a time (``parallel``): for APIs of one text a request
    solo_retry = True  # a unit whose answer fails the checks is sent again, alone, once

    def __init__(self, context: BackendContext) -> None:
        options = dict(context.options)
        self.options: Mapping[str, Any] = options
        self.endpoint = str(options.get("endpoint", self.default_endpoint)).rstrip("/")
        if not self.endpoint:
            raise ConfigError(f"backends.{self.name}.endpoint is not set")
        self.key_env = options.get("key_env", self.default_key_env)
        self.timeout = float(options.get("timeout", 30))
        self.retries = int(options.get("retries", 4))
        self.backoff = float(options.get("backoff", 1.0))
        self.max_wait = float(options.get("max_wait", 60))
        self.parallel = max(1, int(options.get("parallel", self.default_parallel)))
        self._counting = threading.Lock()
        self.price = float(options.get("price_per_million", self.price_per_million))
        self.dry_run = context.dry_run
        self._client: httpx.Client | None = None
        # where paid results are kept; a worker swaps in one shared by every machine
        self.cache: Cache = MachineCache(
            context.root / CACHE_DIR / "mt" / f"{self.name}.jsonl", context.root
        )
        # called before each request with the characters it sends: a limiter shared by
        # every process (a worker's Redis token bucket) can make it wait
        self.throttle: Callable[[int], None] | None = None
        self.sent_chars = 0
        self.requests = 0
        self.billed = 0  # what the provider billed (its own count where it gives one)
        self.failed: dict[str, str] = {}  # text -> why the engine gave nothing usable
        self.glossary: Mapping[str, str] = {}  # the current batch's terms
        self.contexts: dict[str, str] = {}  # text -> its context (JSON: title, before, after)
        self._fingerprint: str | None = None
        self._sent: dict[str, tuple[str, dict[int, str]]] = {}  # wire -> (text, glossary tags)
        self.retry_rejected = context.retry_rejected  # send again what was rejected before
        # wire text -> why its answer is in doubt though it passes the checks (an LLM's
        # reply that may belong to another unit of the batch): it is asked again alone
        self.doubts: dict[str, str] = {}
        self._languages = ("", "")  # the current batch's (source, target)

    # -- what a provider writes ---------------------------------------------------------

    def request(self, texts: list[str], source: str, target: str) -> httpx.Request:
        raise NotImplementedError

    def parse(self, response: httpx.Response, texts: list[str]) -> list[str]:
        raise NotImplementedError

    def fingerprint(self) -> str:
        """Everything besides the text that changes what comes back (model, glossary…)."""
        keys = ("model", "formality", "glossary_id", "glossary", "prompt")
        return json.dumps([self.endpoint, *[self.options.get(k) for k in keys]])

    # -- shared ---------------------------------------------------------------------

    @property
    def secret(self) -> str:
        if not self.key_env:
            return ""
        value = os.environ.get(str(self.key_env), "")
        if not value:
            raise BackendRejected(
                f"{self.name}: no API key: set the environment variable {self.key_env}"
            )
        return value

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, verify=tls_context())
        return self._client

    def bill(self, wire_texts: list[str], source: str, target: str) -> int:
        """What a request of these texts is billed, in :attr:`billing` units: by default
        every character sent, markup included (Google, Azure, Amazon)."""
        return sum(len(w) for w in wire_texts)

    def billed_by(self, response: httpx.Response, wire_texts: list[str]) -> int:
        """What the provider billed for a request: its own count where the reply gives
        one (DeepL, Azure, chat APIs), else :meth:`bill`'s."""
        return self.bill(wire_texts, *self._languages)

    def size(self, text: str) -> int:
        return len(text.encode()) if self.limits.utf8_bytes else len(text)

    def plan(self, texts: Sequence[str]) -> list[list[str]]:
        """Group wire texts into requests within the provider's limits."""
        requests: list[list[str]] = []
        current: list[str] = []
        chars = 0
        for text in texts:
            size = self.size(text)
            if current and (len(current) >= self.limits.texts or chars + size > self.limits.chars):
                requests.append(current)
                current, chars = [], 0
            current.append(text)
            chars += size
        if current:
            requests.append(current)
        return requests

    def key(self, text: str, source: str, target: str) -> str:
        terms = sorted((k, v) for k, v in self.glossary.items() if k in text)
        if self._fingerprint is None:  # settings do not change once built
            self._fingerprint = self.fingerprint()
        raw = json.dumps([self.name, self._fingerprint, source, target, text, *terms])
        return hashlib.sha256(raw.encode()).hexdigest()

    def remembered(self, text: str, source: str, target: str) -> tuple[str, str] | None:
        """What the engine answered for ``text`` on an earlier request, paid for once:
        (translation, "") if it passed the checks, (translation or "", why) if not."""
        key = self.key(text, source, target)
        accepted = self.cache.get(key)
        if accepted is not None:
            return accepted, ""
        rejected = self.cache.get(REJECTED + key)
        if rejected is None:
            return None
        result, why = json.loads(rejected)
        return str(result), str(why)

    def uncached(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """The texts a run would send: neither accepted nor rejected before (with
        ``retry_rejected``, rejected ones are sent again)."""
        todo = []
        for text in texts:
            known = self.remembered(text, source, target)
            if known is None or (known[1] and self.retry_rejected):
                todo.append(text)
        return todo

    def kept_terms(self) -> set[str]:
        """The current batch's glossary terms that stay as they are."""
        return {term for term, target in self.glossary.items() if target in ("", term)}

    def glossary_by_tags(self) -> bool:
        """Whether glossary terms travel as placeholders: for an engine with no glossary
        of its own, a term becomes a tag the engine keeps in place, and the term's
        translation is put there on the way back."""
        return True

    def hide_terms(self, text: str) -> tuple[str, dict[int, str]]:
        """``text`` with each glossary term outside the tags replaced by a new tag; the
        tags' translations (tag number -> target term)."""
        terms = {k: v for k, v in self.glossary.items() if k and k in text}
        if not terms or not self.glossary_by_tags():
            return text, {}
        pattern = re.compile("|".join(re.escape(k) for k in sorted(terms, key=len, reverse=True)))
        numbers = [int(n) for n in re.findall(r"<\/?x(\d+)/?>", text)]
        following = max(numbers, default=0) + 1
        found: dict[int, str] = {}
        parts = re.split(r"(<\/?x\d+/?>)", text)
        for i in range(0, len(parts), 2):  # the text between tags

            def swap(m: re.Match[str]) -> str:
                number = following + len(found)
                found[number] = terms[m.group(0)] or m.group(0)  # no target: keep the term
                return f"<x{number}/>"

            parts[i] = pattern.sub(swap, parts[i])
        return "".join(parts), found

    def _wire_of(self, text: str) -> str:
        hidden, terms = self.hide_terms(text)
        wire = to_wire(hidden)
        self._sent[wire] = (text, terms)
        return wire

    def _store(self, wire: str, result: str, source: str, target: str) -> str | None:
        """Keep what the engine returned for ``wire`` (glossary terms put back) with its
        verdict, so that neither a good nor a bad answer is ever paid for twice; return
        what is wrong with it, if anything."""
        text, terms = self._sent.get(wire, (from_wire(wire), {}))
        result = repair_tags(result, from_wire(wire))  # <g id="1"/> for <x1/>, and the like
        lost = ""
        for number, term in terms.items():
            tag = f"<x{number}/>"
            if tag not in result:
                lost = term
            result = result.replace(tag, term, 1)
        problem = (
            f"the engine dropped the glossary term {lost!r}"
            if lost
            else self.doubts.pop(wire, None)
            or machine_problem(
                text, result, cjk_target=is_cjk_locale(target), keep=self.kept_terms()
            )
        )
        self._remember(text, result, problem, source, target)
        return problem

    def _remember(self, text: str, result: str, why: str | None, source: str, target: str) -> None:
        key = self.key(text, source, target)
        if why is None:
            self.cache.put(key, result)
        else:
            self.cache.put(REJECTED + key, json.dumps([result, why], ensure_ascii=False))

    def translate(self, batch: Batch) -> list[Suggestion | None]:
        source, target = batch.source_locale, batch.target_locale
        self._languages = (source, target)
        self.glossary = batch.glossary
        self.contexts = {r.text: r.context for r in batch.requests if r.context}
        texts = [r.text for r in batch.requests]
        todo = self.uncached(texts, source, target)
        self.failed = {}
        self._sent = {}
        groups = self.plan([self._wire_of(t) for t in todo])
        try:
            self._send_all(groups, source, target)
        except BackendError as exc:  # what was paid for is used all the same
            exc.partial = [self._known(t, source, target, todo) for t in texts]
            raise
        fresh = set(todo)
        out: list[Suggestion | None] = []
        for text in texts:
            known = self.remembered(text, source, target)
            if known is not None and known[1] and text in fresh and self.solo_retry:
                known = self._alone(text, source, target) or known
            out.append(self._known(text, source, target, todo, known))
        return out

    def _known(
        self,
        text: str,
        source: str,
        target: str,
        fresh: Sequence[str],
        known: tuple[str, str] | None = None,
    ) -> Suggestion | None:
        """The suggestion for ``text`` from what the engine answered (now or before)."""
        known = known or self.remembered(text, source, target)
        if known is None or not known[0]:
            if known is not None and text not in fresh:
                self.failed[text] = f"{known[1]} (on an earlier run: --retry-rejected)"
            return None
        if known[1]:
            return Suggestion(known[0], self.name, fuzzy=True, note=known[1])
        return Suggestion(known[0], self.name)

    def _send_all(self, groups: list[list[str]], source: str, target: str) -> None:
        if self.parallel > 1 and len(groups) > 1:
            # an API that takes few texts per request: several requests at a time, their
            # results kept in order, here (the cache is not shared between threads)
            pool = ThreadPoolExecutor(self.parallel, thread_name_prefix=self.name)
            try:
                futures = [pool.submit(self._send_group, g, source, target) for g in groups]
                for future in futures:
                    self._keep(future.result(), source, target)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)  # quota, Ctrl-C: stop now
                raise
            pool.shutdown()
        else:
            for group in groups:
                self._keep(self._send_group(group, source, target), source, target)

    def _alone(self, text: str, source: str, target: str) -> tuple[str, str] | None:
        """``text`` sent again on its own (batches lose units' tags more): its answer, if
        that one passes the checks."""
        try:
            wire = self._wire_of(text)
            answer = self.send([wire], source, target)[0]
        except BadReply:
            return None
        if self._store(wire, answer, source, target) is not None:
            return None
        self.cache.flush()
        self.failed.pop(text, None)
        return self.remembered(text, source, target)

    def _send_group(
        self, group: list[str], source: str, target: str
    ) -> list[tuple[str, str | None, str]]:
        """(wire text, its translation or None, why not) for one planned request; a batch
        the engine cannot answer is sent again unit by unit."""
        try:
            return [
                (w, r, "") for w, r in zip(group, self.send(group, source, target), strict=True)
            ]
        except BadReply as exc:
            if len(group) == 1:
                return [(group[0], None, str(exc))]
        answers: list[tuple[str, str | None, str]] = []
        for wire in group:  # each unit alone (left out if it fails too)
            try:
                answers.append((wire, self.send([wire], source, target)[0], ""))
            except BadReply as single:
                answers.append((wire, None, str(single)))
        return answers

    def _keep(self, answers: list[tuple[str, str | None, str]], source: str, target: str) -> None:
        for wire, result, why in answers:
            if result is None:  # nothing usable: remembered too, not asked again
                text = self._sent[wire][0]
                self.failed[text] = why
                self._remember(text, "", why, source, target)
            else:
                self._store(wire, result, source, target)
        self.cache.flush()  # paid for: kept, whatever happens next

    def send(self, wire_texts: list[str], source: str, target: str) -> list[str]:
        """One request (retried as the provider allows); the texts back, off the wire."""
        if self.dry_run:
            raise BackendRejected(f"{self.name}: nothing is sent in a dry run")
        attempt = 0
        while True:
            try:
                request = self.request(wire_texts, source, target)
                if self.throttle is not None:
                    self.throttle(sum(self.size(t) for t in wire_texts))
                with self._counting:
                    self.requests += 1
                    self.sent_chars += sum(self.size(t) for t in wire_texts)
                response = self.client.send(request)
                self.raise_for_status(response)
                results = self.parse(response, wire_texts)
                billed = self.billed_by(response, wire_texts)
                with self._counting:
                    self.billed += billed
                if len(results) != len(wire_texts):
                    raise Retry(
                        f"{len(results)} translations for {len(wire_texts)} texts", reply=True
                    )
                return [from_wire(r) for r in results]
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                failure: Retry = Retry(f"{type(exc).__name__}: {exc}")
            except (ValueError, KeyError, TypeError, IndexError) as exc:
                failure = Retry(f"malformed reply: {exc}", reply=True)
            except Retry as exc:
                failure = exc
            attempt += 1
            if attempt > self.retries:
                error = BadReply if failure.reply else BackendUnavailable
                raise error(f"{self.name}: {failure} (gave up after {attempt} tries)")
            time.sleep(self.wait(attempt, failure.after))

    def wait(self, attempt: int, after: float | None) -> float:
        """Seconds before the next try: what the provider asked, else exponential + jitter."""
        if after is not None:
            return min(after, self.max_wait)
        delay: float = self.backoff * 2 ** (attempt - 1) * (0.5 + random.random() / 2)
        return min(delay, self.max_wait)

    def raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = error_detail(response)
        if status in (401, 403):
            where = f" (the key in {self.key_env})" if self.key_env else ""
            raise BackendRejected(f"{self.name}: not authorized{where}: {detail}")
        if status == 456:
            raise BackendRejected(f"{self.name}: quota exceeded: {detail}")
        if status in (408, 429, 500, 502, 503, 504, 529):
            raise Retry(f"HTTP {status}: {detail}", retry_after(response))
        raise BackendRejected(f"{self.name}: HTTP {status}: {detail}")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The certificate store, loaded once per process (loading it takes tens of ms; a
    worker loads it before it forks, and every pool process shares it)."""
    return httpx.create_ssl_context()
