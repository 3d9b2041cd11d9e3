"""What becomes of a task's message when its task cannot finish: handed back to its queue
(``Reject(requeue=True)``) and delivered again, never dropped.

Celery rejects a message without requeue in two cases that are not the task's fault: a
``retry`` it could not send (the broker is down: ``Task.retry`` raises
``Reject(requeue=False)``), and, with late acknowledgement, a failure while the result
store is unreachable. :class:`Task` sends both back instead, and :class:`Request` tells
the transport why a message is rejected, for the line that logs its redelivery.
"""

from __future__ import annotations

from typing import Any

import redis
from celery import Task as CeleryTask
from celery.exceptions import Reject, TimeLimitExceeded, WorkerLostError
from celery.utils.log import get_task_logger
from celery.worker.request import Request as CeleryRequest
from kombu.exceptions import OperationalError

from .broker import NOTE, reason

log = get_task_logger(__name__)

# Redis unreachable from the task (its job store, or the broker it sends to)
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, OperationalError)


def hand_back(task: CeleryTask, exc: BaseException) -> Reject:
    """The exception that sends the task's message back: Redis is not the batch's fault."""
    why = f"Redis was unreachable from its task ({exc})"
    log.warning("%s[%s]: %s; handed back", task.name, task.request.id, why)
    return Reject(why, requeue=True)


def redelivered(task: CeleryTask) -> str:
    """Why this delivery is not the first, as the worker that handed it back noted it."""
    note = getattr(task.request, NOTE, None)
    return str(note.get("why", "")) if isinstance(note, dict) else ""


class Request(CeleryRequest):  # type: ignore[misc]
    def on_failure(
        self, exc_info: Any, send_failed_event: bool = True, return_ok: bool = False
    ) -> Any:
        exc = getattr(exc_info.exception, "exc", exc_info.exception)
        if isinstance(exc, Reject):
            why = str(exc.reason)
        elif isinstance(exc, WorkerLostError):
            why = f"its pool process died ({exc})"
        elif isinstance(exc, TimeLimitExceeded):
            why = f"it ran past its time limit ({exc})"
        else:
            why = f"{type(exc).__name__}: {exc}"
        with reason(why):
            return super().on_failure(exc_info, send_failed_event, return_ok)


class Task(CeleryTask):  # type: ignore[misc]
    Request = Request

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().retry(*args, **kwargs)
        except Reject as exc:
            if exc.requeue:
                raise
            # Celery could not send the retry (the broker is down) and would drop the
            # message: it goes back to its queue instead
            raise hand_back(self, exc.reason) from exc
