"""Which of a job's queues no worker consumes, asked of the workers themselves (a
broadcast through the broker, ``inspect().active_queues()``), so that ``queue`` and
``status --wait`` say at once that nothing would run, and which command starts a worker
that will."""

from __future__ import annotations

from typing import Any

from .app import MT_QUEUE, SITE_QUEUE, app
from .store import JobStore


def consumed(timeout: float = 1.0) -> set[str] | None:
    """The queues some worker consumes now; None if the broker could not be asked."""
    try:
        replies: dict[str, Any] = app.control.inspect(timeout=timeout).active_queues() or {}
    except Exception:  # the broker unreachable: say nothing rather than something false
        return None
    return {str(q.get("name")) for queues in replies.values() for q in queues or []}


def needed(jobs: JobStore, job: str) -> list[str]:
    """The queues the job still waits on: machine translation while batches are left, the
    site's queue while posts are left to write."""
    head = jobs.job(job)
    if not head or head.get("state") == "done":
        return []
    queues = []
    if jobs.r.hlen(jobs.key(job, "batches")):
        queues.append(MT_QUEUE)
    if int(head.get("parts_written", 0)) < int(head.get("parts_total", 0)):
        queues.append(head.get("site_queue") or SITE_QUEUE)
    return queues


def advice(queue: str, site: str) -> str:
    """What to run so that ``queue`` has a worker."""
    if queue == MT_QUEUE:
        return (
            f"no worker consumes {queue}: start one on any machine that reaches the broker: "
            f"celery -A workers worker -Q {queue}"
        )
    return (
        f"no worker consumes {queue}: start one in the site's checkout ({site}): "
        f"celery -A workers worker -Q {queue}"
    )


def unserved(jobs: JobStore, job: str, timeout: float = 1.0) -> list[str]:
    """One line of advice per queue the job waits on that no worker consumes."""
    queues = needed(jobs, job)
    if not queues:
        return []
    served = consumed(timeout)
    if served is None:
        return []
    site = jobs.job(job).get("site", "")
    return [advice(q, site) for q in queues if q not in served]
