"""What a provider's HTTP reply says when it is not a translation: a temporary failure to
retry (and after how long, if the provider said), and the error's own words."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx


class Retry(Exception):
    """A temporary failure; ``after`` seconds if the provider said so."""

    def __init__(self, message: str, after: float | None = None, *, reply: bool = False) -> None:
        super().__init__(message)
        self.after = after
        self.reply = reply  # the provider answered, but not with what was asked


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    ms = response.headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def error_detail(response: httpx.Response) -> str:
    """What an error reply says, in at most 200 characters (its JSON message if any)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        error = body.get("error", body.get("message", body))
        if isinstance(error, dict):
            error = error.get("message", error)
        return str(error)[:200]
    return str(body)[:200]
