"""What the workers share through Redis besides the queue: each job's progress and
results, the machine-translation cache, claims on texts being translated, and the
per-backend rate limits.

Keys (all under ``translator:``)::

    job:<id>                   hash: state, site, counts (texts, parts)
    job:<id>:parts             hash: "<locale> <post>" -> JSON (units, filled, failed, state)
    job:<id>:wait:<locale> <post>  set: hashes of the texts that part still waits for
    job:<id>:texts:<locale> <post> set: hashes of all the texts that part waited for
    job:<id>:results:<locale>  hash: text hash -> JSON result (dropped when the job ends)
    job:<id>:written           set: parts written to the site
    job:<id>:batches           hash: batches not yet translated (to send again if lost)
    job:<id>:tries:<task id>   deliveries of one batch (a batch that keeps killing its
                               worker ends as failed units, not as a loop)
    mt:<key>                   a machine translation paid for (the backends' cache key)
    mt-claim:<key>             a text some worker is translating now
    limit:<backend>            token bucket shared by every worker

Every update is idempotent: a redelivered task re-applies what it already applied and
counts nothing twice; so is every command the client sends again after a connection
error (``connect(wait=…)``), whether or not Redis ran it the first time (but a count of
deliveries, which can only count one too many). Job keys expire
(``TRANSLATOR_JOB_TTL``, default a week) and a finished job drops its results at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from translator.jobs import BatchSpec, JobPlan

from .app import RESULT_ENV, broker_url, tls_options

PREFIX = "translator:"
JOB_TTL = int(os.environ.get("TRANSLATOR_JOB_TTL") or 7 * 24 * 3600)
# paid translations are kept for good unless this says how long (seconds)
MT_CACHE_TTL = int(os.environ.get("TRANSLATOR_MT_CACHE_TTL") or 0)


# seconds a worker's command waits for an unreachable Redis (restarting, failing over)
REDIS_WAIT = float(os.environ.get("TRANSLATOR_REDIS_WAIT") or 30)


def connect(url: str | None = None, *, wait: float = 0) -> redis.Redis:
    """A client of the job store; with ``wait``, each command is sent again (after a
    reconnection) for about that many seconds while Redis is unreachable."""
    url = url or os.environ.get(RESULT_ENV) or broker_url()
    extra: dict[str, Any] = {}
    if url.startswith("rediss://") and "ssl_cert_reqs" not in url:
        extra = tls_options(os.environ)
    # backoff 0.1, 0.2, 0.4, 0.8 s, then 1 s per try: about ``wait`` seconds in all
    retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), int(wait) + 4 if wait else 0)
    return redis.Redis.from_url(
        url,
        socket_timeout=30,
        socket_connect_timeout=5,  # a Redis that drops packets: tried again, not waited for
        health_check_interval=10,
        decode_responses=True,
        retry=retry,
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        **extra,
    )


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def part_key(locale: str, post: str) -> str:
    return f"{locale} {post}"


# A batch's results, each stored once, counted once; nothing for a job that has ended
# (a late redelivery). {done, failed} newly stored, or {-1, -1}.
_RECORD = """
if redis.call('HGET', KEYS[2], 'state') == 'done' then return {-1, -1} end
local done, failed = 0, 0
for i = 2, #ARGV, 3 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    if ARGV[i + 2] == '1' then failed = failed + 1 else done = done + 1 end
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
if done > 0 then redis.call('HINCRBY', KEYS[2], 'texts_done', done) end
if failed > 0 then redis.call('HINCRBY', KEYS[2], 'texts_failed', failed) end
return {done, failed}
"""

# Remove a batch's texts from a part's waiting set; return how many it still waits for.
_SETTLE = """
if #ARGV > 0 then redis.call('SREM', KEYS[1], unpack(ARGV)) end
return redis.call('SCARD', KEYS[1])
"""

# A part written: count it once; end the job when it was the last.
_WRITTEN = """
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return -1 end
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
local n = redis.call('HINCRBY', KEYS[1], 'parts_written', 1)
if n >= tonumber(redis.call('HGET', KEYS[1], 'parts_total')) then
  redis.call('HSET', KEYS[1], 'state', 'done', 'finished', ARGV[3])
  return 1
end
return 0
"""

# Claim texts for a task: the indexes (1-based) of those it holds now.
_CLAIM = """
local held = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) or redis.call('GET', key) == ARGV[1] then
    held[#held + 1] = i
  end
end
return held
"""

# Token bucket on Redis's clock: '0' if taken, else the seconds to wait.
_BUCKET = """
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= cost then tokens = tokens - cost else wait = (cost - tokens) / rate end
if wait == 0 then redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now) end
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(wait)
"""


class JobStore:
    def __init__(self, client: redis.Redis) -> None:
        self.r = client
        self._record = client.register_script(_RECORD)
        self._settle = client.register_script(_SETTLE)
        self._written = client.register_script(_WRITTEN)

    def key(self, job: str, *rest: str) -> str:
        return ":".join([f"{PREFIX}job", job, *rest])

    # -- the CLI, where the site lives ----------------------------------------------------

    def create(
        self, job: str, plan: JobPlan, *, site: str, site_queue: str, ready: Iterable[str]
    ) -> None:
        """Record a new job: its parts, what each waits for; ``ready`` parts are written."""
        ready = list(ready)
        texts = {(b.locale, t) for b in plan.batches for t in b.texts}
        pipe = self.r.pipeline(transaction=True)
        head = self.key(job)
        pipe.hset(
            head,
            mapping={
                "state": "running" if plan.parts else "done",
                "created": time.time(),
                "site": site,
                "site_queue": site_queue,
                "source_locale": plan.source_locale,
                "texts_total": len(texts),
                "texts_done": 0,
                "texts_failed": 0,
                "batches": len(plan.batches),
                "parts_total": len(plan.parts) + len(ready),
                "parts_written": len(ready),
            },
        )
        if not plan.parts:
            pipe.hset(head, "finished", time.time())
        parts: dict[str, str] = {}
        for name in ready:
            parts[name] = json.dumps({"units": 0, "filled": 0, "failed": 0, "state": "written"})
        for part in plan.parts:
            name = part_key(part.locale, part.post.source)
            units = len(part.texts)
            parts[name] = json.dumps({"units": units, "state": "translating"})
            hashes = [text_hash(t) for t in part.texts]
            for kind in ("wait", "texts"):
                pipe.sadd(self.key(job, kind, name), *hashes)
                pipe.expire(self.key(job, kind, name), JOB_TTL)
        if parts:
            pipe.hset(self.key(job, "parts"), mapping=cast(Any, parts))
        if ready:
            pipe.sadd(self.key(job, "written"), *ready)
        if plan.batches:
            sources = {
                str(b.number): json.dumps([plan.source_locale, plan.backends, b.to_json()])
                for b in plan.batches
            }
            pipe.hset(self.key(job, "batches"), mapping=cast(Any, sources))
        for name in ("", "parts", "written", "batches"):
            pipe.expire(self.key(job, name) if name else head, JOB_TTL)
        pipe.execute()

    # -- a machine-translation worker ----------------------------------------------------

    def job(self, job: str) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.r.hgetall(self.key(job)).items()}

    def tries(self, job: str, task_id: str) -> int:
        key = self.key(job, "tries", task_id)
        pipe = self.r.pipeline()
        pipe.incr(key)
        pipe.expire(key, JOB_TTL)
        return int(pipe.execute()[0])

    def record(
        self, job: str, spec: BatchSpec, results: Sequence[Mapping[str, Any]]
    ) -> list[str] | None:
        """Store a batch's results (once each) and return the posts of ``spec`` that now
        wait for nothing more in its locale; None if the job has ended already."""
        args: list[Any] = [JOB_TTL]
        for text, result in zip(spec.texts, results, strict=True):
            args += [
                text_hash(text),
                json.dumps(result, ensure_ascii=False),
                "1" if "failed" in result else "0",
            ]
        keys = [self.key(job, "results", spec.locale), self.key(job)]
        if list(self._record(keys=keys, args=args)) == [-1, -1]:
            return None
        hashes = [text_hash(t) for t in spec.texts]
        complete = []
        for post in spec.posts:
            wait = self.key(job, "wait", part_key(spec.locale, post))
            if int(self._settle(keys=[wait], args=hashes)) == 0:
                complete.append(post)
        self.r.hdel(self.key(job, "batches"), str(spec.number))
        return complete

    def unfinished(self, job: str) -> tuple[list[list[Any]], list[str]]:
        """(batches not yet recorded: their task arguments after the job id; parts that
        wait for nothing but are not written yet): what a lost message left behind."""
        batches = [json.loads(v) for v in self.r.hvals(self.key(job, "batches"))]
        parts = [n for n, p in self.parts(job).items() if p.get("state") == "writing"]
        return batches, parts

    # -- the site worker ------------------------------------------------------------------

    def has_part(self, job: str, locale: str, post: str) -> bool:
        return bool(self.r.hexists(self.key(job, "parts"), part_key(locale, post)))

    def written(self, job: str, locale: str, post: str) -> bool:
        return bool(self.r.sismember(self.key(job, "written"), part_key(locale, post)))

    def part_texts(self, job: str, locale: str, post: str) -> set[str]:
        """Hashes of the texts the part waited for when it was queued."""
        return {str(h) for h in self.r.smembers(self.key(job, "texts", part_key(locale, post)))}

    def results(self, job: str, locale: str, texts: Sequence[str]) -> dict[str, Any]:
        if not texts:
            return {}
        raw = self.r.hmget(self.key(job, "results", locale), [text_hash(t) for t in texts])
        return {t: json.loads(v) for t, v in zip(texts, raw, strict=True) if v is not None}

    def part_written(self, job: str, locale: str, post: str, summary: Mapping[str, Any]) -> bool:
        """Count a part written (once); True when it was the job's last: the job ends and
        its results are dropped."""
        name = part_key(locale, post)
        ended = self._written(
            keys=[self.key(job), self.key(job, "written"), self.key(job, "parts")],
            args=[name, json.dumps(dict(summary), ensure_ascii=False), time.time(), JOB_TTL],
        )
        if int(ended) == 1:
            self.r.delete(self.key(job, "batches"))
            for pattern in ("results", "tries", "texts"):
                found = list(self.r.scan_iter(self.key(job, pattern, "*"), count=1000))
                if found:
                    self.r.delete(*found)
            return True
        return False

    # -- status --------------------------------------------------------------------------

    def parts(self, job: str) -> dict[str, dict[str, Any]]:
        raw = self.r.hgetall(self.key(job, "parts"))
        found = {str(k): json.loads(v) for k, v in raw.items()}
        waiting = [n for n, p in found.items() if p.get("state") == "translating"]
        if waiting:
            pipe = self.r.pipeline()
            for name in waiting:
                pipe.scard(self.key(job, "wait", name))
            for name, left in zip(waiting, pipe.execute(), strict=True):
                found[name]["waiting"] = int(left)
                if int(left) == 0:
                    found[name]["state"] = "writing"
        return found


class SharedCache:
    """The backends' cache of paid translations, in Redis: every worker on every machine
    reuses what any of them paid for. Also claims: a text one worker is translating is
    not sent by another at the same time. Reads are made in bulk (one round trip per
    batch), and what a task learnt is remembered until the next task begins."""

    def __init__(self, client: redis.Redis, lease: float = 120) -> None:
        self.r = client
        self.lease = lease
        self._pending: dict[str, str] = {}
        self._known: dict[str, str] = {}
        self._absent: set[str] = set()
        self._claim = client.register_script(_CLAIM)

    def begin(self) -> None:
        """Forget what the last task learnt: others may have filled the cache since."""
        self._known.clear()
        self._absent.clear()

    def get(self, key: str) -> str | None:
        if key in self._pending:
            return self._pending[key]
        if key in self._known:
            return self._known[key]
        if key in self._absent:
            return None
        value = self.r.get(PREFIX + "mt:" + key)
        if value is None:
            return None
        self._known[key] = str(value)
        return self._known[key]

    def put(self, key: str, value: str) -> None:
        self._pending[key] = value

    def flush(self) -> None:
        if self._pending:
            if MT_CACHE_TTL:
                pipe = self.r.pipeline(transaction=False)
                for key, value in self._pending.items():
                    pipe.set(PREFIX + "mt:" + key, value, ex=MT_CACHE_TTL)
                pipe.execute()
            else:
                self.r.mset({PREFIX + "mt:" + k: v for k, v in self._pending.items()})
            self._known.update(self._pending)
            self._absent.difference_update(self._pending)
            self._pending.clear()

    def missing(self, keys: Sequence[str]) -> list[str]:
        """The keys not in the cache, asked in one round trip (and remembered)."""
        keys = [k for k in dict.fromkeys(keys) if k not in self._known and k not in self._pending]
        if not keys:
            return []
        values = self.r.mget([PREFIX + "mt:" + k for k in keys])
        absent = []
        for key, value in zip(keys, values, strict=True):
            if value is None:
                absent.append(key)
            else:
                self._known[key] = str(value)
        self._absent.update(absent)
        return absent

    def claim(self, keys: Sequence[str], owner: str) -> list[str]:
        """Claim texts for ``owner`` (a task id), in one round trip; return those it holds.
        A task delivered again after its worker died gets back its own claims."""
        if not keys:
            return []
        names = [PREFIX + "mt-claim:" + k for k in keys]
        held = self._claim(keys=names, args=[owner, int(self.lease * 1000)])
        return [keys[int(i) - 1] for i in held]

    def release(self, keys: Iterable[str]) -> None:
        names = [PREFIX + "mt-claim:" + k for k in keys]
        if names:
            self.r.delete(*names)


class RateLimit:
    """A request rate shared by every worker of a backend (Celery's ``rate_limit`` counts
    per worker): a token bucket in Redis, on Redis's clock."""

    def __init__(self, client: redis.Redis, name: str, per_second: float, burst: float) -> None:
        self.key = f"{PREFIX}limit:{name}"
        self.per_second = per_second
        self.burst = max(1.0, burst)
        self._take = client.register_script(_BUCKET)

    def __call__(self, _chars: int) -> None:
        while True:
            wait = float(self._take(keys=[self.key], args=[self.per_second, self.burst, 1]))
            if wait <= 0:
                return
            time.sleep(min(wait, 5.0))
