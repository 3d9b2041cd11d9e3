"""The Redis transport the workers use: kombu's, changed so that a connection loss never
drops a task message and a dead worker's message comes back in seconds.

How kombu's Redis transport keeps a message a worker has taken (kombu 5.7,
``kombu/transport/redis.py``): BRPOP takes it off the queue, then ``QoS.append`` stores
it in the ``unacked`` hash (by delivery tag) and the ``unacked_index`` sorted set (scored
by delivery time). An ack deletes both entries, from any connection. A reject with
requeue, or ``restore_unacked`` when the channel closes, moves it back to its queue. And
``restore_visible``, a sweep every running worker makes, moves back every entry older
than the visibility timeout. Three gaps, each closed here:

- When the connection is lost, the channel closes and ``restore_unacked`` tries to put
  back what it held, on a Redis that is not there: the attempt fails and the messages
  stay in the hash, forgotten, until the visibility timeout. Here, a message whose task
  still runs is kept (its task goes on and acknowledges it at the end); the others, and
  every ack or reject that could not reach Redis, are handed to the :mod:`keeper`, which
  does them as soon as Redis answers again.
- An ack or reject through a channel closed by a connection loss raises (the channel
  has no connection to make a client from), so the message would wait for the
  visibility timeout: here it goes through the keeper's own connection.
- The visibility timeout has to be longer than any task may run, or a task still
  running is handed to another worker: a dead worker's message came back after ten
  minutes. Here the keeper renews the score of every message its worker holds, every
  fifth of the timeout, so the timeout only has to outlast a few missed renewals.

A message handed back gets a new delivery tag: a worker that still holds the old one
(its task ran on after the connection loss, or its renewals stopped for a while) and
acknowledges it later removes nothing that is not its own. Every hand-back is one log
line: ``redelivered <task>[<id>] job <job>: <why>; after <seconds> s``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis
from kombu.transport import virtual
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads

from .keeper import keeper_for

log = logging.getLogger("workers.broker")

NOTE = "translator_redelivered"  # header on a handed-back message: why, and when
_JOB = re.compile(r"[0-9a-f]{32}")


def about(headers: dict[str, Any] | None) -> str:
    """``translator.translate_batch[<id>] job <job>``: a task message, as logs name it."""
    headers = headers or {}
    job = _JOB.search(str(headers.get("argsrepr", "")))
    name = f"{headers.get('task', '?')}[{headers.get('id', '?')}]"
    return f"{name} job {job.group(0)}" if job else name


_reason: list[str] = []


@contextmanager
def reason(why: str) -> Iterator[None]:
    """Why the worker rejects a message within this block (the task's own words, or its
    pool process's death), for the log line of its redelivery."""
    _reason.append(why)
    try:
        yield
    finally:
        _reason.pop()


def running_tags() -> set[str]:
    """Delivery tags of the tasks this worker runs now (they outlive a connection loss)."""
    from celery.worker import state

    tags = set()
    for request in list(state.active_requests):
        tag = getattr(request.message, "delivery_tag", None)
        if tag is not None:
            tags.add(str(tag))
    return tags


class QoS(kombu_redis.QoS):
    """kombu's ack emulation, with acks and restores that survive a connection loss."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.taken: dict[str, tuple[float, str]] = {}  # tag -> (when it was taken, about)

    # -- a message taken, settled --------------------------------------------------------

    def append(self, message: Any, delivery_tag: str) -> None:
        try:
            super().append(message, delivery_tag)
        except self.channel.connection_errors:
            # taken off the queue (BRPOP) but not recorded as held: put back as soon as
            # Redis answers, and not run here
            keeper_for(self).put_back(message._raw, time.time())
            raise
        self.taken[delivery_tag] = (time.time(), about(message.headers))
        keeper_for(self).watch(self)

    def ack(self, delivery_tag: str) -> None:
        self._settle(delivery_tag, requeue=False, why="")

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        why = _reason[-1] if _reason else "rejected by its worker"
        self._settle(delivery_tag, requeue=requeue, why=why)

    def _settle(self, tag: str, *, requeue: bool, why: str) -> None:
        keeper = keeper_for(self)
        kept = keeper.release(tag)
        taken, name = kept or self.taken.pop(tag, (time.time(), ""))
        late = "the connection to Redis was lost while its task ran"
        if not self.channel.closed and not kept:
            try:
                if requeue:
                    self.hand_back(tag, why, taken)
                else:
                    self._remove_from_indices(tag).execute()
                virtual.QoS.ack(self, tag)
                return
            except self.channel.connection_errors as exc:
                what = "redelivery" if requeue else "ack"
                log.warning("%s of %s waits for Redis: %s", what, name or tag, exc)
                late = "Redis was unreachable when its task ended"
        # the connection is gone (or was lost while the task ran): the keeper does it
        keeper.defer(tag, requeue=requeue, why=why if requeue else late, since=taken, name=name)
        virtual.QoS.ack(self, tag)

    # -- the channel closes ---------------------------------------------------------------

    def restore_unacked(self, client: Any = None) -> None:
        """At a connection loss or at shutdown: keep what still runs here, hand back the
        rest (now, or through the keeper as soon as Redis answers)."""
        if not self._delivered:
            return
        from celery.worker import state

        keeper = keeper_for(self)
        running = running_tags()
        lost = time.time()
        back = []
        for tag in list(self._delivered):
            taken, name = self.taken.pop(tag, (lost, ""))
            if tag in running:
                keeper.keep(tag, taken, name)
            else:
                back.append((tag, taken, name))
        self._delivered.clear()
        if not back:
            return
        stopping = state.should_stop is not None or state.should_terminate is not None
        why = (
            "its worker stopped before running it"
            if stopping
            else "its worker lost the connection to Redis before running it"
        )
        keeper.hand_back_now([(tag, why, taken, name) for tag, taken, name in back])

    # -- the message back on its queue ------------------------------------------------------

    def hand_back(self, tag: str, why: str, since: float, client: Any = None) -> bool:
        """Move message ``tag`` from the unacked hash to the head of its queue, with a new
        tag and a note of why; False if nothing held it any more (acknowledged, or handed
        back by someone else)."""
        found: list[dict[str, Any]] = []

        def move(pipe: Any) -> None:
            found.clear()
            raw = pipe.hget(self.unacked_key, tag)
            pipe.multi()
            self._remove_from_indices(tag, pipe)
            if raw:
                payload, exchange, routing_key = loads(bytes_to_str(raw))
                found.append(payload)
                self._requeue(payload, exchange, routing_key, why, pipe)

        with self.channel.conn_or_acquire(client) as conn:
            conn.transaction(move, self.unacked_key)
        if found:
            _logged(found[0], why, since)
        return bool(found)

    def put_back(self, payload: dict[str, Any], since: float) -> None:
        """A message taken off its queue but never recorded as held, back on its queue."""
        why = "taken off its queue as the connection to Redis broke"
        delivery = payload.get("properties", {}).get("delivery_info", {})
        with self.channel.conn_or_acquire() as conn:
            pipe = conn.pipeline()
            self._requeue(payload, delivery.get("exchange"), delivery.get("routing_key"), why, pipe)
            pipe.execute()
        _logged(payload, why, since)

    def _requeue(
        self, payload: dict[str, Any], exchange: str, routing_key: str, why: str, pipe: Any
    ) -> None:
        """Push ``payload`` at the head of its queue, with a note of why and a new tag."""
        payload.setdefault("headers", {})[NOTE] = {"why": why, "at": time.time()}
        payload.setdefault("properties", {})["delivery_tag"] = str(uuid.uuid4())
        self.channel._do_restore_message(payload, exchange, routing_key, pipe, True)

    def restore_visible(self, start: int = 0, num: int = 10, interval: int = 10) -> None:
        """kombu's sweep (messages whose worker stopped renewing them go back), which
        waits after a Redis restart until every live worker has renewed what it holds."""
        self._vrestore_count += 1
        if (self._vrestore_count - 1) % (interval or 1):
            return
        with self.channel.conn_or_acquire() as client:
            if float(client.info("server").get("uptime_in_seconds", 0)) < self.visibility_timeout:
                return  # restarted: renewals stopped while it was down, not the workers
            ceil = time.time() - self.visibility_timeout
            try:
                with kombu_redis.Mutex(client, self.unacked_mutex_key, self.unacked_mutex_expire):
                    stale = client.zrange(
                        self.unacked_index_key, ceil, 0, desc=True, byscore=True,
                        offset=num and start, num=num, withscores=True,
                    )  # fmt: skip
                    for tag, score in stale or []:
                        silent = time.time() - float(score)
                        why = (
                            f"its worker stopped renewing it {silent:.1f} s ago "
                            "(killed, or cut off from Redis)"
                        )
                        self.hand_back(bytes_to_str(tag), why, float(score), client)
            except kombu_redis.MutexHeld:
                pass


def _logged(payload: dict[str, Any], why: str, since: float) -> None:
    queue = payload.get("properties", {}).get("delivery_info", {}).get("routing_key")
    log.warning(
        "redelivered %s: %s; back in %s after %.1f s",
        about(payload.get("headers")),
        why,
        queue,
        max(0.0, time.time() - since),
    )


class Channel(kombu_redis.Channel):
    QoS = QoS


class Transport(kombu_redis.Transport):
    """``broker_transport`` for ``redis://`` and ``rediss://`` broker URLs."""

    Channel = Channel
