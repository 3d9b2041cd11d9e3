"""Progress as a command goes: a Rich bar on a terminal, and for machine translation, which
can take hours, also a line every half minute where there is none (a CI log)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .command import echo

TYPE_CHECKING = False  # typing's own, without importing typing (see named_tuple.py)
if TYPE_CHECKING:
    from typing import Any

    from ..fill import Progress as FillProgress

REPORT_EVERY = 30.0  # seconds between progress lines when stderr is not a terminal


class Display:
    """One live display per command: a bar for the command's steps, and one per machine
    backend (units, characters per second, time left)."""

    def __init__(self, bar: Any | None) -> None:
        self.bar = bar  # a rich.progress.Progress, or None off a terminal
        self._tasks: dict[str, Any] = {}
        self._started: dict[str, float] = {}
        self._last_line: dict[str, float] = {}  # backend -> when its progress was printed

    def steps(self, total: int, label: str) -> Callable[[], None]:
        bar = self.bar
        if bar is None or total < 2:
            return lambda: None
        task = bar.add_task(label, total=total, rate="")
        return lambda: bar.advance(task)

    def machine(self, progress: FillProgress) -> None:
        """What a machine backend has done: shown, not kept."""
        now = time.monotonic()
        started = self._started.setdefault(progress.backend, now)
        if progress.done == 0 or progress.total == 0:
            return
        elapsed = max(now - started, 1e-6)
        rate = progress.chars / elapsed
        left = elapsed / progress.done * (progress.total - progress.done)
        if self.bar is not None:
            task = self._tasks.get(progress.backend)
            if task is None:
                task = self.bar.add_task(progress.backend, total=progress.total, rate="")
                self._tasks[progress.backend] = task
            self.bar.update(task, completed=progress.done, rate=f"{rate:.1f} chars/s")
            return
        last = self._last_line.get(progress.backend, started)
        # a line every half minute for a long run, and its last one; none for a quick one
        finished = progress.done == progress.total and last != started
        if now - last >= REPORT_EVERY or finished:
            self._last_line[progress.backend] = now
            echo(
                f"{progress.backend}: {progress.done} of {progress.total} units, "
                f"{rate:.1f} characters/s, about {_duration(left)} left",
                err=True,
            )


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


@contextmanager
def display() -> Iterator[Display]:
    if not sys.stderr.isatty():
        yield Display(None)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        yield Display(bar)


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A bar for ``total`` steps (on a terminal): call what it yields after each."""
    with display() as shown:
        yield shown.steps(total, label)
