"""The machine-translation cache: every translation ever paid for, kept by key, so that
nothing is sent twice (the :class:`Cache` protocol; workers share one in Redis)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol

from ..site.files import inside


class Cache(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str) -> None: ...
    def flush(self) -> None: ...


class MachineCache:
    """Every machine translation ever paid for, by key: an append-only JSON-lines file,
    flushed after each request, so a run killed at any point resumes without re-sending."""

    def __init__(self, path: Path, root: Path | None = None) -> None:
        self.path = path
        self.root = root  # the site: the cache must lie inside it
        self._entries: dict[str, str] | None = None
        self._pending: list[tuple[str, str]] = []

    def _load(self) -> dict[str, str]:
        if self._entries is None:
            self._entries = {}
            try:
                lines = self.path.read_text("utf-8").split("\n")
            except OSError:
                lines = []
            for line in lines:
                try:
                    key, value = json.loads(line)
                except (ValueError, TypeError):
                    continue  # a line cut short by a kill
                self._entries[str(key)] = str(value)
        return self._entries

    def get(self, key: str) -> str | None:
        return self._load().get(key)

    def put(self, key: str, value: str) -> None:
        self._load()[key] = value
        self._pending.append((key, value))

    def flush(self) -> None:
        if not self._pending:
            return
        if self.root is not None:
            inside(self.root, self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for key, value in self._pending:
                handle.write(json.dumps([key, value], ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self._pending.clear()
