"""No password in any log line: every handler the worker sets up gets a filter that
masks the password part of URLs (``redis://user:secret@host`` -> ``redis://user:***@host``)."""

from __future__ import annotations

import logging
import re
from typing import Any

from celery.signals import after_setup_logger, after_setup_task_logger

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@\s]+)@")


def redact(text: str) -> str:
    return _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = Redact()


def _on_handlers(logger: logging.Logger) -> None:
    for handler in logger.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def _after_setup(logger: logging.Logger | None = None, **_kwargs: Any) -> None:
    _on_handlers(logging.getLogger())
    if logger is not None:
        _on_handlers(logger)


def install_redaction() -> None:
    after_setup_logger.connect(_after_setup, weak=False)
    after_setup_task_logger.connect(_after_setup, weak=False)
    _on_handlers(logging.getLogger())
