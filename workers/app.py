"""The Celery app: where the broker is, and the delivery rules every task relies on.

Configured from the environment only (so a worker on another machine needs nothing but
these variables):

``TRANSLATOR_BROKER_URL``       default ``redis://127.0.0.1:6379/0``; ``rediss://`` for TLS
``TRANSLATOR_RESULT_BACKEND``   default: the broker URL (where the job store lives)
``TRANSLATOR_REDIS_CA_CERTS``, ``TRANSLATOR_REDIS_CERTFILE``, ``TRANSLATOR_REDIS_KEYFILE``
                                TLS files for a ``rediss://`` URL that does not name them
``TRANSLATOR_TASK_TIME_LIMIT``  seconds a task may run before it is killed (default 600)
``TRANSLATOR_VISIBILITY_TIMEOUT`` seconds after which a message held by a worker that
                                stopped renewing it (killed, cut off) is handed out again
                                (default 15)
``TRANSLATOR_REDIS_WAIT``       seconds a task waits for an unreachable Redis before it
                                hands its message back (default 30)

Delivery: JSON only (a pickle message is refused), late acknowledgement and
reject-on-worker-lost (a killed worker's task is delivered again; every task is
idempotent), one message reserved per process, results stored by the tasks themselves
(in the job's Redis keys, which expire), never in Celery's result backend.

No message is dropped by a broker or job-store outage (connection refused, timeout, a
restart with the data kept, a failover behind the same address). The mechanism, and the
Celery and kombu facts it rests on (Celery and kombu 5.7; ``redis://`` and ``rediss://``
URLs, other schemes get kombu's transport as it is):

- With the Redis transport, the message of a task being run is not on the connection: it
  waits in Redis's ``unacked`` hash, and an ack is a delete by delivery tag from any
  connection. So a running task need not be cancelled when the connection is lost
  (``worker_cancel_long_running_tasks_on_connection_loss``, whose cancel also writes to
  the result backend, which is down too, and fails): it goes on, its Redis commands wait
  for Redis (``TRANSLATOR_REDIS_WAIT``), and it acknowledges at the end.
- A task that still cannot reach Redis raises ``Reject(requeue=True)``: its message goes
  back to its queue. Never ``autoretry_for`` Redis errors: a retry is a message sent to
  the broker that is down, and Celery turns a retry it cannot send into
  ``Reject(requeue=False)``, which deletes the message (``Task.retry``); that is what lost
  two batches in issue 15. Our tasks turn that into ``Reject(requeue=True)`` too.
- kombu restores a closed channel's unacked messages at once (``restore_unacked``), which
  fails while Redis is down, and after that only the visibility sweep
  (``restore_visible``) brings them back. :mod:`workers.broker` hands them to a keeper
  thread (:mod:`workers.keeper`) that restores them, and makes the acks and rejects that
  failed, as soon as Redis answers again: not after the visibility timeout.
- The same keeper renews the visibility of what its worker holds, so the timeout is short
  (a SIGKILLed worker's message is back within ``TRANSLATOR_VISIBILITY_TIMEOUT`` plus a
  sweep) without handing out a task that is still running, however long it runs.
- A task that outlives its hard time limit is rejected with requeue
  (``task_acks_on_timeout`` off), not acknowledged: its batch is not lost, and a batch that
  keeps failing so ends as failed units after three deliveries.
"""

from __future__ import annotations

import os
import ssl
import warnings
from collections.abc import Mapping
from typing import Any

from celery import Celery
from celery.exceptions import CPendingDeprecationWarning
from celery.signals import worker_ready

from .logs import install_redaction

BROKER_ENV = "TRANSLATOR_BROKER_URL"
RESULT_ENV = "TRANSLATOR_RESULT_BACKEND"
DEFAULT_URL = "redis://127.0.0.1:6379/0"
MT_QUEUE = "translator.mt"  # machine translation: slow, I/O bound, may run anywhere
SITE_QUEUE = "translator.site"  # writes to the site: consumed only in the site's checkout
MAX_RETRY_COUNTDOWN = 30.0
VISIBILITY_TIMEOUT = 15.0
TRANSPORT = "workers.broker:Transport"  # kombu's Redis transport, healed (see above)


def _quiet(**_kwargs: Any) -> None:
    """Celery warns on each connection loss that cancelling running tasks will be the
    default in 6.0; we keep them running on purpose (see above). Its logging setup turns
    every such warning on again: this runs again once the worker is ready."""
    warnings.filterwarnings(
        "ignore", message=r"\s*In Celery 5\.1 we introduced", category=CPendingDeprecationWarning
    )


def broker_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get(BROKER_ENV) or DEFAULT_URL


def settings(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Celery settings from the environment."""
    env = os.environ if env is None else env
    broker = broker_url(env)
    backend = env.get(RESULT_ENV) or broker
    time_limit = float(env.get("TRANSLATOR_TASK_TIME_LIMIT") or 600)
    visibility = float(env.get("TRANSLATOR_VISIBILITY_TIMEOUT") or VISIBILITY_TIMEOUT)
    # a dead worker's message comes back after the visibility timeout, at the next sweep
    sweep = max(1, min(10, int(visibility // 5)))
    transport = {
        "visibility_timeout": visibility,
        "unacked_restore_interval": sweep,
        "unacked_restore_throttle": 1,
        "unacked_mutex_expire": max(5, int(visibility)),  # a sweeper killed mid-sweep
        "health_check_interval": 10,
        # a Redis that vanished without closing the connection (failover, partition) is
        # noticed, not waited for forever
        "socket_timeout": 15,
        "socket_connect_timeout": 5,
    }
    conf: dict[str, Any] = {
        "broker_url": broker,
        "result_backend": backend,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "event_serializer": "json",
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "result_expires": 24 * 3600,
        "task_time_limit": time_limit,
        "task_soft_time_limit": max(1.0, time_limit - 10),
        "broker_transport_options": transport,
        "result_backend_transport_options": dict(transport),
        "visibility_timeout": visibility,
        "task_default_queue": MT_QUEUE,
        "task_routes": {
            "translator.translate_batch": {"queue": MT_QUEUE},
            "translator.write_parts": {"queue": SITE_QUEUE},
        },
        "broker_connection_retry_on_startup": True,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "task_acks_on_timeout": False,
        # a message sent while Redis restarts waits for it (30 s), as the tasks' commands do
        "task_publish_retry_policy": {
            "max_retries": 20,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 2,
        },
        "worker_soft_shutdown_timeout": 30,
        "worker_send_task_events": False,
    }
    if broker.partition("://")[0] in ("redis", "rediss"):
        conf["broker_transport"] = TRANSPORT
    for key, url in (("broker_use_ssl", broker), ("redis_backend_use_ssl", backend)):
        if url.startswith("rediss://") and "ssl_cert_reqs" not in url:
            conf[key] = tls_options(env)
    return conf


def tls_options(env: Mapping[str, str]) -> dict[str, Any]:
    """TLS for a ``rediss://`` URL: certificates verified, files from the environment."""
    options: dict[str, Any] = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    for name, key in (
        ("TRANSLATOR_REDIS_CA_CERTS", "ssl_ca_certs"),
        ("TRANSLATOR_REDIS_CERTFILE", "ssl_certfile"),
        ("TRANSLATOR_REDIS_KEYFILE", "ssl_keyfile"),
    ):
        if env.get(name):
            options[key] = env[name]
    return options


def make_app(env: Mapping[str, str] | None = None) -> Celery:
    app = Celery("translator", include=["workers.tasks"])
    app.conf.update(settings(env))
    install_redaction()
    _quiet()
    worker_ready.connect(_quiet, weak=False)
    return app


app = make_app()
