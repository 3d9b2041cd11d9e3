"""The Celery app: where the broker is, and the delivery rules every task relies on.

Configured from the environment only (so a worker on another machine needs nothing but
these variables):

``TRANSLATOR_BROKER_URL``       default ``redis://127.0.0.1:6379/0``; ``rediss://`` for TLS
``TRANSLATOR_RESULT_BACKEND``   default: the broker URL
``TRANSLATOR_REDIS_CA_CERTS``, ``TRANSLATOR_REDIS_CERTFILE``, ``TRANSLATOR_REDIS_KEYFILE``
                                TLS files for a ``rediss://`` URL that does not name them
``TRANSLATOR_TASK_TIME_LIMIT``  seconds a task may run before it is killed (default 600)
``TRANSLATOR_VISIBILITY_TIMEOUT`` seconds before a message taken by a worker that died is
                                handed out again (default: the time limit, plus the longest
                                retry countdown, plus a minute)

Delivery: JSON only (a pickle message is refused), late acknowledgement and
reject-on-worker-lost (a killed worker's task is delivered again; every task is
idempotent), one message reserved per process, results stored by the tasks themselves
(in the job's Redis keys, which expire), never in Celery's result backend.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from typing import Any

from celery import Celery

from .logs import install_redaction

BROKER_ENV = "TRANSLATOR_BROKER_URL"
RESULT_ENV = "TRANSLATOR_RESULT_BACKEND"
DEFAULT_URL = "redis://127.0.0.1:6379/0"
MT_QUEUE = "translator.mt"  # machine translation: slow, I/O bound, may run anywhere
SITE_QUEUE = "translator.site"  # writes to the site: consumed only in the site's checkout
MAX_RETRY_COUNTDOWN = 30.0


def broker_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get(BROKER_ENV) or DEFAULT_URL


def settings(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Celery settings from the environment."""
    env = os.environ if env is None else env
    broker = broker_url(env)
    backend = env.get(RESULT_ENV) or broker
    time_limit = float(env.get("TRANSLATOR_TASK_TIME_LIMIT") or 600)
    visibility = float(
        env.get("TRANSLATOR_VISIBILITY_TIMEOUT") or time_limit + MAX_RETRY_COUNTDOWN + 60
    )
    # a lost message comes back after the visibility timeout, at the next restore sweep
    restore = max(1, min(10, int(visibility // 3)))
    transport = {
        "visibility_timeout": visibility,
        "unacked_restore_interval": restore,
        "unacked_restore_throttle": 1,
        "health_check_interval": 10,
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
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_soft_shutdown_timeout": 30,
        "worker_send_task_events": False,
    }
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
    return app


app = make_app()
