"""``translator queue`` and ``translator job`` (``translator status JOB``): the queue's
side of the CLI, added to the ``translator`` command through an entry point so the core
never imports Celery."""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import redis

from translator.cli.command import JSON, PATHS, ROOT, TIMEOUT, TO, WAIT, Argument, command, echo
from translator.cli.commands import BACKEND, translate_command
from translator.cli.run import Summary, backend_chain, setup
from translator.errors import TranslatorError
from translator.jobs import build_ready, plan_job

from .app import BROKER_ENV, SITE_QUEUE
from .consumers import unserved
from .logs import redact
from .store import JobStore, connect, part_key


def _reachable(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError):
        return False


@command(
    "queue",
    PATHS,
    TO,
    BACKEND,
    WAIT,
    TIMEOUT,
    Argument(
        "--site-queue",
        metavar="NAME",
        help="Queue of the worker running in this site's checkout, which writes the results "
        f"(default: $TRANSLATOR_SITE_QUEUE, else {SITE_QUEUE}).",
    ),
    ROOT,
)
def queue_command(
    paths: Sequence[Path],
    to: Sequence[str],
    backends: Sequence[str],
    wait: bool,
    timeout: float | None,
    site_queue: str | None,
    root: Path,
) -> None:
    """Queue posts for translation on the workers; print the job id at once.

    Catalogs are extracted here and translation memory applied; the missing units go
    to ``celery -A workers worker -Q translator.mt`` workers (anywhere), and a worker in
    this checkout (``-Q translator.site``) writes the catalogs and builds the posts.
    With no broker configured and none running locally, the job runs in-process."""
    site_queue = site_queue or os.environ.get("TRANSLATOR_SITE_QUEUE") or SITE_QUEUE
    client = connect()
    if not _reachable(client):
        if os.environ.get(BROKER_ENV):
            raise TranslatorError(
                f"cannot reach the broker {redact(os.environ[BROKER_ENV])} ({BROKER_ENV})"
            )
        echo(
            f"no broker: {BROKER_ENV} is not set and no Redis answers on 127.0.0.1:6379; "
            "translating in-process",
            err=True,
        )
        translate_command(
            paths=paths,
            to=to,
            backends=backends,
            dry_run=False,
            max_chars=None,
            retry_rejected=False,
            root=root,
        )
        return
    from .tasks import translate_batch

    run, posts, locales = setup(root, paths, to)
    chain = backend_chain(run.settings, backends)
    site = run.site
    plan = plan_job(site, posts, locales, chain, lambda _p, exc: run.error(exc))
    summary = Summary(run.settings)
    ready = []
    for post, locale in plan.ready:
        try:
            outcome = build_ready(site, post, locale)
            summary.add(outcome)
            ready.append(part_key(locale, post.source))
        except TranslatorError as exc:
            run.error(exc)
    site.save_records()
    job = uuid.uuid4().hex
    jobs = JobStore(client)
    jobs.create(job, plan, site=str(site.settings.root), site_queue=site_queue, ready=ready)
    for batch in plan.batches:
        translate_batch.apply_async(args=[job, plan.source_locale, plan.backends, batch.to_json()])
    texts = sum(len(b.texts) for b in plan.batches)
    echo(
        f"queued {texts} texts in {len(plan.batches)} batches for {len(plan.parts)} post "
        f"translations ({len(ready)} already complete); follow it with: translator status {job}",
        err=True,
    )
    echo(job)
    code = run.exit_code()
    if not wait:
        for line in unserved(jobs, job):
            echo(line, err=True)
    else:
        code = max(code, watch(jobs, job, timeout))
        parts = jobs.parts(job)
        show(job, jobs.job(job), parts)
        if any_failed(parts):
            code = max(code, 1)
    sys.exit(code)


@command(
    "job",
    Argument("job_id", metavar="JOB", help="The id translator queue printed."),
    WAIT,
    TIMEOUT,
    JSON,
    Argument(
        "--resend",
        action="store_true",
        help="Send again the tasks the job still waits for (lost ones).",
    ),
)
def job_command(
    job_id: str, wait: bool, timeout: float | None, as_json: bool, resend: bool = False
) -> None:
    """Show a queued job: units translated and failed, per post and locale."""
    jobs = JobStore(connect())
    if not _reachable(jobs.r):
        raise TranslatorError(f"cannot reach Redis ({BROKER_ENV})")
    if resend and jobs.job(job_id):
        echo(f"sent {resend_tasks(jobs, job_id)} tasks again", err=True)
    code = watch(jobs, job_id, timeout) if wait else 0
    head = jobs.job(job_id)
    if not head:
        raise TranslatorError(f"unknown job {job_id}: never queued, expired, or lost by Redis")
    parts = jobs.parts(job_id)
    if as_json:
        echo(json.dumps({"job": job_id, **head, "parts": parts}, indent=1))
    else:
        show(job_id, head, parts)
    if head.get("state") == "done" and any_failed(parts):
        code = max(code, 1)
    sys.exit(code)


def any_failed(parts: dict[str, dict[str, Any]]) -> bool:
    """Whether a unit or a whole part of the job failed."""
    return any(p.get("failed") or p.get("state") == "failed" for p in parts.values())


def _line(job: str, head: dict[str, str]) -> str:
    return (
        f"job {job}: {head.get('state')}; {head.get('texts_done', 0)} of "
        f"{head.get('texts_total', 0)} texts translated, {head.get('texts_failed', 0)} failed; "
        f"{head.get('parts_written', 0)} of {head.get('parts_total', 0)} post translations written"
    )


def show(job: str, head: dict[str, str], parts: dict[str, dict[str, Any]]) -> None:
    echo(_line(job, head))
    for name in sorted(parts, key=lambda n: n.split(" ", 1)[::-1]):
        part = parts[name]
        locale, _, post = name.partition(" ")
        state = part.get("state", "")
        if state == "translating":
            detail = f"{part.get('waiting', 0)} of {part.get('units', 0)} units waiting"
        elif state == "failed":
            detail = str(part.get("error", ""))
        else:
            detail = (
                f"{part.get('filled', 0)} translated, {part.get('failed', 0)} failed, "
                f"{part.get('untranslated', 0)} untranslated in all"
            )
        echo(f"  {post} [{locale}]: {state}: {detail}")
        for problem in part.get("problems", []):
            echo(f"    {problem}")


def resend_tasks(jobs: JobStore, job: str) -> int:
    """Send again what a job still waits for (its messages may have been lost with a
    broker that restarted without them): every step is idempotent, and texts already
    paid for come from the shared cache. Returns the number of tasks sent."""
    from .tasks import translate_batch, write_parts_task

    batches, parts = jobs.unfinished(job)
    queue = jobs.job(job).get("site_queue") or SITE_QUEUE
    for args in batches:
        translate_batch.apply_async(args=[job, *args])
    by_locale: dict[str, list[str]] = {}
    for name in parts:
        locale, _, post = name.partition(" ")
        by_locale.setdefault(locale, []).append(post)
    for locale, posts in by_locale.items():
        write_parts_task.apply_async(args=[job, posts, locale], queue=queue)
    return len(batches) + len(by_locale)


CHECK_EVERY = 15.0  # seconds between two questions to the workers while a job waits


class _Watch:
    """One job's progress as ``watch`` sees it, and which of its queues lack a worker."""

    def __init__(self, jobs: JobStore, job: str) -> None:
        self.jobs = jobs
        self.job = job
        self.done = -1
        self.unserved: list[str] = []
        self.asked = -CHECK_EVERY

    def moved(self, head: dict[str, str]) -> None:
        self.done = sum(
            int(head.get(k, 0)) for k in ("texts_done", "texts_failed", "parts_written")
        )

    def ask(self) -> None:
        """Ask the workers which queues they consume (every so often); say it when one of
        the job's queues has no worker, and when it has one again."""
        if time.monotonic() - self.asked < CHECK_EVERY:
            return
        self.asked = time.monotonic()
        lines = unserved(self.jobs, self.job)
        for line in lines:
            if line not in self.unserved:
                echo(f"{line} (waiting)", err=True)
        if self.unserved and not lines:
            echo("every queue of the job has a worker now", err=True)
        self.unserved = lines


def watch(jobs: JobStore, job: str, timeout: float | None) -> int:
    """Wait for ``job`` to end; 0 when it did, 1 on timeout or an unknown job. It only
    watches: lost work is sent again by the workers and the broker, not from here."""
    deadline = None if timeout is None else time.monotonic() + timeout
    seen = _Watch(jobs, job)
    progress = None
    if sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
    bar = None
    head: dict[str, str] = {}
    try:
        while deadline is None or time.monotonic() < deadline:
            try:
                head = jobs.job(job)
                if not head:
                    echo(f"unknown job {job}: never queued, expired, or lost", err=True)
                    return 1
                if head.get("state") == "done":
                    return 0
                seen.moved(head)
                seen.ask()
                if progress is not None:
                    total = int(head.get("texts_total", 0)) + int(head.get("parts_total", 0))
                    if bar is None:
                        bar = progress.add_task("translating", total=total)
                    progress.update(bar, completed=seen.done)
            except (redis.ConnectionError, redis.TimeoutError):
                time.sleep(1)  # Redis restarting: keep waiting
            time.sleep(0.2)
        echo(f"timed out: {_line(job, head)}", err=True)
        for line in seen.unserved:
            echo(line, err=True)
        return 1
    finally:
        if progress is not None:
            progress.stop()
