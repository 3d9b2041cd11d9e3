"""The two tasks, thin over :mod:`translator.jobs`.

``translator.translate_batch`` (queue ``translator.mt``): a batch of protected texts
through the machine backends; needs no copy of the site. It stores the results in Redis
and, for the posts whose catalogs wait for nothing more, queues ``translator.write_parts``
(queue ``translator.site``): the results written into that catalog and the post built,
by a worker started in the site's checkout.

Both are idempotent (late acknowledgement redelivers a task whose worker died), refuse
malformed arguments without running, and never raise for a failure of the work itself:
a batch that cannot be translated ends as failed units of its job, so a job always ends.
Redis unreachable is not the work's failure: the task waits for it, then hands its
message back to be delivered again (:mod:`workers.delivery`).
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_init
from celery.utils.log import get_task_logger

import translator.backends.chat  # imported before the pool forks, as the providers are
import translator.backends.providers  # noqa: F401 (imported before the pool forks)
from translator.backends import Backend, BackendContext, load_backend
from translator.backends.http import HttpBackend, tls_context
from translator.context import Site
from translator.errors import BackendUnavailable, TranslatorError
from translator.jobs import (
    BatchSpec,
    Refused,
    check_locale,
    check_post_id,
    run_batch,
    site_at,
    suggestion_of,
    write_part,
)

from .app import MAX_RETRY_COUNTDOWN, SITE_QUEUE, app
from .delivery import REDIS_DOWN, hand_back, redelivered
from .delivery import Task as Delivered
from .store import REDIS_WAIT, JobStore, RateLimit, SharedCache, connect, text_hash

log = get_task_logger(__name__)


@worker_init.connect(weak=False)
def _warm_up(**_kwargs: Any) -> None:
    """In the worker's main process, before it forks its pool (not in the ``queue``
    command, which imports these tasks only to send them): every pool process starts with
    the HTTP transport imported (a first client imports httpcore, which takes a second of
    CPU) and the certificate store loaded."""
    httpx.Client(verify=tls_context()).close()


JOB_ID = re.compile(r"[0-9a-f]{32}")
MAX_RETRIES = int(os.environ.get("TRANSLATOR_MAX_RETRIES") or 3)  # temporary backend faults
MAX_DELIVERIES = 3  # a batch whose worker keeps dying (out of memory…) fails instead


@functools.cache
def store() -> JobStore:
    """One Redis client per process (redis-py reconnects after a fork); a command waits
    for a Redis that restarts or fails over."""
    return JobStore(connect(wait=REDIS_WAIT))


def check_job_id(job: object) -> str:
    if not isinstance(job, str) or not JOB_ID.fullmatch(job):
        raise Refused(f"not a job id: {str(job)[:40]!r}")
    return job


class _Loaded(threading.local):
    def __init__(self) -> None:
        self.chains: dict[str, list[Backend]] = {}


_loaded = _Loaded()  # per thread: a backend keeps a batch's state while it translates it


def worker_backends(specs: object) -> list[Backend]:
    """The backends a batch names, built once per worker process (per thread, with the
    threads pool) and reused: the model of the ``local`` backend is loaded once per
    process, not per task; with the shared cache and the shared rate limits."""
    key = json.dumps(specs, sort_keys=True, default=str)
    if key in _loaded.chains:
        return _loaded.chains[key]
    if not isinstance(specs, list) or not specs or len(specs) > 8:
        raise Refused("backends must be a list of one to eight backends")
    chain: list[Backend] = []
    for spec in specs:
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise Refused("each backend needs a name")
        options = spec.get("options", {})
        if not isinstance(options, dict):
            raise Refused(f"backend {spec['name']!r}: options must be an object")
        context = BackendContext(Path.cwd(), "locales", options)
        try:
            backend = load_backend(spec["name"], context)
        except TranslatorError as exc:
            raise Refused(exc.message) from exc
        if getattr(backend, "site_bound", False):
            raise Refused(f"backend {backend.name!r} reads the site's files: not run on workers")
        if isinstance(backend, HttpBackend):
            # a claim lapses well before the task's time limit: a task waiting for texts
            # claimed by a worker that died translates them itself in time
            lease = float(app.conf.task_time_limit or 600) / 3
            backend.cache = SharedCache(store().r, lease=lease)
            rate = options.get("requests_per_second")
            if isinstance(rate, (int, float)) and rate > 0:
                burst = options.get("burst", rate)
                backend.throttle = RateLimit(store().r, backend.name, float(rate), float(burst))
        chain.append(backend)
    _loaded.chains[key] = chain
    return chain


def _failed(spec: BatchSpec, why: str) -> list[dict[str, Any]]:
    return [{"failed": why} for _ in spec.texts]


def _translate(
    chain: list[Backend], source: str, spec: BatchSpec, owner: str
) -> list[dict[str, Any]]:
    """run_batch, leaving the texts another worker is translating right now to it: they are
    waited for and read from the shared cache, not paid for twice. Texts are claimed, and
    what this task claimed is translated before it waits for anything (no task holds a
    claim while it waits: two tasks sharing texts cannot wait for each other)."""
    first = chain[0]
    if not isinstance(first, HttpBackend) or not isinstance(first.cache, SharedCache):
        return run_batch(chain, source, spec)
    cache = first.cache
    cache.begin()
    first.glossary = spec.glossary
    key = {t: first.key(t, source, spec.locale) for t in spec.texts}
    resolved: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + cache.lease
    while True:
        open_texts = [t for t in dict.fromkeys(spec.texts) if t not in resolved]
        missing = set(cache.missing([key[t] for t in open_texts]))
        claimed = set(cache.claim([key[t] for t in open_texts if key[t] in missing], owner))
        held = set(claimed)
        try:  # whatever happens, what this task claimed is let go of
            if claimed:
                # another task may have filled the cache and let go of its claims between
                # the read and the claim: what it filled is read now, not paid for again
                filled = claimed - set(cache.missing(list(claimed)))
                held -= filled
                missing -= filled
            ready = [t for t in open_texts if key[t] not in missing or key[t] in held]
            waiting = [t for t in open_texts if key[t] in missing and key[t] not in held]
            if time.monotonic() > deadline:
                ready, waiting = ready + waiting, []  # its holder is gone: translate it here
            if ready:
                part = spec.subset(ready)
                resolved.update(zip(part.texts, run_batch(chain, source, part), strict=True))
        finally:
            cache.release(claimed)
        if not waiting:
            return [resolved[t] for t in spec.texts]
        time.sleep(0.05)
        cache.begin()  # what the other task wrote since


@app.task(name="translator.translate_batch", bind=True, base=Delivered, max_retries=MAX_RETRIES)
def translate_batch(
    self: Task, job_id: object, source_locale: object, backends: object, batch: object
) -> None:
    try:
        job = check_job_id(job_id)
        source = check_locale(source_locale)
        spec = BatchSpec.from_json(batch)
        chain = worker_backends(backends)
    except Refused as exc:
        log.error("refused %s: %s", self.request.id, exc.message)
        return
    try:
        _translate_batch(self, job, source, chain, spec)
    except REDIS_DOWN as exc:
        raise hand_back(self, exc) from exc


def _translate_batch(
    self: Task, job: str, source: str, chain: list[Backend], spec: BatchSpec
) -> None:
    jobs = store()
    head = jobs.job(job)
    if not head:
        log.warning("job %s is unknown (expired, or Redis lost it): batch dropped", job)
        return
    if head.get("state") == "done":
        log.info("job %s has ended: batch %d delivered again, nothing to do", job, spec.number)
        return
    deliveries = jobs.tries(job, f"{self.request.id}:{self.request.retries}")
    why = redelivered(self)
    if why:
        log.warning(
            "job %s: batch %d delivered again (delivery %d): %s", job, spec.number, deliveries, why
        )
    if deliveries > MAX_DELIVERIES:
        results = _failed(spec, f"its worker was lost {deliveries - 1} times")
    else:
        try:
            results = _translate(chain, source, spec, str(self.request.id))
        except BackendUnavailable as exc:
            if self.request.retries < MAX_RETRIES:
                delay = min(MAX_RETRY_COUNTDOWN, 2**self.request.retries * (1 + random.random()))
                log.warning("job %s: %s; retrying in %.0f s", job, exc.message, delay)
                raise self.retry(countdown=delay, exc=exc) from exc
            results = _failed(spec, f"{exc.message} (gave up after {MAX_RETRIES} retries)")
        except REDIS_DOWN:
            raise  # not the batch's fault: its message goes back to the queue
        except SoftTimeLimitExceeded:
            results = _failed(spec, "the batch took longer than the task time limit")
        except Exception as exc:  # a bug or a backend's surprise: the units fail, the job ends
            log.exception("job %s: batch failed", job)
            results = _failed(spec, f"{type(exc).__name__}: {exc}")
    complete = jobs.record(job, spec, results)
    if complete is None:
        log.info("job %s has ended: batch %d translated again, nothing to do", job, spec.number)
    elif complete:
        queue = head.get("site_queue") or SITE_QUEUE
        write_parts_task.apply_async(args=[job, complete, spec.locale], queue=queue)


def site_root() -> Path:
    return Path(os.environ.get("TRANSLATOR_SITE") or Path.cwd()).resolve()


MAX_PARTS = 1000  # posts in one write task: far above what one batch completes


@app.task(name="translator.write_parts", bind=True, base=Delivered)
def write_parts_task(self: Task, job_id: object, post_ids: object, locale: object) -> None:
    """Write the results of the posts ``post_ids`` (in ``locale``) into the site and build
    them; the posts one batch completed, so the site is read and its records saved once."""
    try:
        job = check_job_id(job_id)
        check_locale(locale)
        if not isinstance(post_ids, list) or not 0 < len(post_ids) <= MAX_PARTS:
            raise Refused(f"post ids must be a list of 1 to {MAX_PARTS}")
    except Refused as exc:
        log.error("refused %s: %s", self.request.id, exc.message)
        return
    assert isinstance(locale, str)
    try:
        _write_parts(self, job, [str(p)[:200] for p in post_ids], locale)
    except REDIS_DOWN as exc:
        raise hand_back(self, exc) from exc


def _write_parts(self: Task, job: str, post_ids: list[str], locale: str) -> None:
    jobs = store()
    if not jobs.job(job):
        log.warning("job %s is unknown (expired, or Redis lost it): nothing written", job)
        return
    why = redelivered(self)
    if why:
        log.warning("job %s: %d posts [%s] delivered again: %s", job, len(post_ids), locale, why)
    site = site_at(site_root())
    summaries: dict[str, dict[str, Any]] = {}
    for name in post_ids:
        if not jobs.has_part(job, locale, name):
            log.error(
                "refused %s: %r [%s] is not a part of job %s", self.request.id, name, locale, job
            )
            continue
        if jobs.written(job, locale, name):
            continue  # a second delivery: already done
        summaries[name] = _write(site, jobs, job, name, locale)
    site.save_records()  # before the parts count as written: a kill here redoes them
    for name, summary in summaries.items():
        if jobs.part_written(job, locale, name, summary):
            log.info("job %s done", job)


def _write(site: Site, jobs: JobStore, job: str, name: str, locale: str) -> dict[str, Any]:
    """One part written; its summary for the job (a failure is the part's, not the task's)."""
    try:
        post = check_post_id(site, name, [locale])
    except TranslatorError as exc:
        log.error("refused: %s", exc.located())
        return {"state": "failed", "error": exc.located()[:500]}

    def lookup(texts: list[str]) -> dict[str, Any]:
        return {t: suggestion_of(r) for t, r in jobs.results(job, locale, texts).items()}

    texts = jobs.part_texts(job, locale, name)
    try:
        # counted from what the catalog holds: the same whichever delivery filled it
        written = write_part(site, post, locale, lookup, part=lambda t: text_hash(t) in texts)
    except TranslatorError as exc:
        log.error("job %s: %s", job, exc.located())
        return {"state": "failed", "error": exc.located()[:500]}
    outcome = written.outcome
    return {
        "state": "written",
        "units": written.filled + written.failed,
        "filled": written.filled,
        "failed": written.failed,
        "untranslated": outcome.untranslated,
        "output": post.output(site.settings, locale),
        "problems": outcome.problems[:20],
    }
