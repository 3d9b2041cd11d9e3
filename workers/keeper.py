"""The keeper: a thread in each worker's main process that renews the visibility of every
message its worker holds, and makes the acks and redeliveries Redis could not take when
they were due, as soon as Redis answers again (see :mod:`workers.broker`).

It has its own connection to Redis (a clone of the consumer's), so it works while the
consumer reconnects, and it never stops: a failure is logged and tried again.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .broker import QoS

log = logging.getLogger("workers.keeper")

IDLE = 0.5  # seconds between two tries while something waits for Redis


@dataclass(slots=True)
class Deferred:
    """An ack (``requeue`` False) or a redelivery Redis could not take when it was due."""

    requeue: bool
    why: str  # why it is redelivered, or why the ack comes late
    since: float  # when the message was taken (a redelivery says how long it was held)
    name: str  # the task message, as logs name it
    due: float  # when it was deferred


class Keeper:
    def __init__(self, connection: Any, visibility: float) -> None:
        self.connection = connection  # kombu Connection; cloned again after each failure
        self.renew_every = max(0.5, visibility / 5)
        self.io = threading.RLock()  # the keeper's channel: one user at a time
        self.mutex = threading.Lock()  # the tables below
        self.wake = threading.Event()
        self.watched: weakref.WeakSet[QoS] = weakref.WeakSet()
        self.kept: dict[str, tuple[float, str]] = {}  # tag -> (taken, name): still running
        self.pending: dict[str, Deferred] = {}
        self.put_backs: list[tuple[dict[str, Any], float]] = []  # (payload, when taken)
        self._channel: Any = None
        self._down: float | None = None
        self._next_renewal = 0.0
        self.pid = os.getpid()
        self.thread = threading.Thread(target=self._run, name="translator-keeper", daemon=True)
        self.thread.start()
        atexit.register(self._last_try)

    # -- called by the QoS, in the consumer's thread -------------------------------------

    def watch(self, qos: QoS) -> None:
        self.watched.add(qos)

    def keep(self, tag: str, taken: float, name: str) -> None:
        """A message whose task still runs after the connection was lost: renewed until its
        task ends and acknowledges it."""
        with self.mutex:
            self.kept[tag] = (taken, name)
        log.warning(
            "kept %s: its task still runs after the connection to Redis was lost; "
            "acknowledged when it ends",
            name or tag,
        )

    def release(self, tag: str) -> tuple[float, str] | None:
        """(when it was taken, its name) if ``tag`` was kept; it is not any more."""
        with self.mutex:
            return self.kept.pop(tag, None)

    def defer(self, tag: str, *, requeue: bool, why: str, since: float, name: str) -> None:
        with self.mutex:
            self.pending[tag] = Deferred(requeue, why, since, name, time.time())
        self.wake.set()

    def put_back(self, payload: dict[str, Any], since: float) -> None:
        """A message taken off its queue but never recorded as held (the connection broke
        in between): back on its queue as soon as Redis answers."""
        with self.mutex:
            self.put_backs.append((payload, since))
        self.wake.set()

    def hand_back_now(self, items: list[tuple[str, str, float, str]]) -> None:
        """Hand these messages back now (at shutdown the keeper may not get another
        chance), or as soon as Redis answers."""
        done = 0
        if self.io.acquire(timeout=1.0):
            try:
                channel = self._open()
                for tag, why, since, _name in items:
                    channel.qos.hand_back(tag, why, since)
                    done += 1
            except Exception as exc:  # Redis down, most likely: deferred
                self._reset(exc)
            finally:
                self.io.release()
        for tag, why, since, name in items[done:]:
            self.defer(tag, requeue=True, why=why, since=since, name=name)

    def _last_try(self) -> None:
        """At exit (a warm shutdown): what still waits for Redis gets one more try."""
        with self.mutex:
            busy = bool(self.pending or self.put_backs)
        if os.getpid() != self.pid or not busy or not self.io.acquire(timeout=5):
            return  # a forked pool process inherits this, and nothing to do
        try:
            self._tick()
        except Exception as exc:  # Redis still down: its sweep brings them back
            self._reset(exc)
        finally:
            self.io.release()

    # -- the thread ----------------------------------------------------------------------

    def holding(self) -> list[str]:
        """Tags of the messages this worker holds: renewed so that no sweep takes them."""
        with self.mutex:
            tags = set(self.kept)
            waiting = set(self.pending)
        for qos in list(self.watched):
            try:
                delivered, dirty = list(qos._delivered), set(qos._dirty)
            except RuntimeError:  # changed while read: renewed next time
                continue
            tags.update(str(t) for t in delivered if t not in dirty)
        return sorted(tags - waiting)

    def _run(self) -> None:
        while True:
            with self.mutex:
                busy = bool(self.pending or self.put_backs)
            self.wake.wait(IDLE if busy else self.renew_every)
            self.wake.clear()
            try:
                with self.io:
                    self._tick()
            except Exception as exc:  # never stops: logged, tried again
                self._reset(exc)

    def _tick(self) -> None:
        renew = time.monotonic() >= self._next_renewal
        with self.mutex:
            pending = dict(self.pending)
            put_backs = list(self.put_backs)
        if not (renew or pending or put_backs):
            return
        channel = self._open()
        if renew:
            tags = self.holding()
            if tags:
                with channel.conn_or_acquire() as client:
                    pipe = client.pipeline(transaction=False)
                    now = time.time()
                    for tag in tags:
                        pipe.zadd(channel.unacked_index_key, {tag: now}, xx=True)
                    pipe.execute()
            self._next_renewal = time.monotonic() + self.renew_every
        for tag, deferred in pending.items():
            if deferred.requeue:
                channel.qos.hand_back(tag, deferred.why, deferred.since)
            else:
                channel.qos._remove_from_indices(tag).execute()
                log.warning(
                    "acknowledged %s %.1f s after its task ended: %s",
                    deferred.name or tag,
                    time.time() - deferred.due,
                    deferred.why,
                )
            with self.mutex:
                if self.pending.get(tag) is deferred:
                    del self.pending[tag]
        for item in put_backs:
            channel.qos.put_back(*item)
            with self.mutex:
                self.put_backs.remove(item)
        if self._down is not None:
            log.warning("Redis answers again after %.1f s", time.time() - self._down)
            self._down = None

    def _open(self) -> Any:
        if self._channel is None:
            connection = self.connection.clone()
            connection.connect()
            self._channel = connection.channel()  # pings Redis: raises if it is down
            self.connection = connection
        return self._channel

    def _reset(self, exc: BaseException) -> None:
        if self._down is None:
            self._down = time.time()
            with self.mutex:
                waiting = len(self.pending) + len(self.put_backs)
            log.warning(
                "Redis unreachable (%s): %d acks and redeliveries wait for it", exc, waiting
            )
        channel, self._channel = self._channel, None
        if channel is not None:
            with contextlib.suppress(Exception):  # a dead connection: nothing to close
                channel.close()
        with contextlib.suppress(Exception):
            self.connection.collect()


_keeper: Keeper | None = None
_lock = threading.Lock()


def keeper_for(qos: QoS) -> Keeper:
    """The keeper of this process, started with the first message it takes."""
    global _keeper
    with _lock:
        if _keeper is None:
            _keeper = Keeper(qos.channel.connection.client.clone(), qos.visibility_timeout)
        return _keeper


def _forget() -> None:
    global _keeper
    _keeper = None  # a forked pool process has no keeper thread, and needs none


os.register_at_fork(after_in_child=_forget)
