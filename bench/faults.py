"""The queue under faults (``python bench/queue.py --faults``): one job of generated posts
through two MT workers and a site worker, real Redis, a fake DeepL server, with nobody
watching the job; once without a fault, then with each fault of issue 15, then with all
three in one run:

- an MT worker SIGKILLed while its request is in flight;
- the site worker SIGKILLed 14 ms after it changed a file (a new one started at once, as
  a service manager would);
- ``redis-server`` stopped and started again on the same port and data, 1.2 s later.

Per run: the time from the queue command to the job's end (watched in Redis) against the
fault-free run, the characters the provider billed, and those billed twice; each run's
outputs are checked byte for byte against the in-process run, and Redis must hold no
unacknowledged message or claim afterwards. Bound: fault-free time + Redis downtime + 30 s.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import redis

from tests.fakes import KEY, FakeServer
from tests.queue import RedisServer, nothing_held, script, tree

Config = Callable[[Path, str, list[str]], None]  # bench/queue.py's: a site's settings

DOWN = 1.2  # seconds Redis stays stopped
BOUND = 30.0  # seconds a fault may add, beyond Redis's downtime


class Run:
    """One job on its own Redis database, workers started as an operator starts them."""

    def __init__(self, redis: RedisServer, db: int, site: Path, work: Path, latency: float):
        self.redis = redis
        self.db = db
        self.site = site
        self.work = work
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TRANSLATOR_")}
        self.env.update(TRANSLATOR_BROKER_URL=redis.url(db), FAKE_MT_KEY=KEY)
        self.server = FakeServer("deepl")
        self.server.latency = latency
        # a killed worker's request: nobody reads the answer, no traceback wanted
        self.server.httpd.handle_error = lambda *_args: None  # type: ignore[method-assign]
        self.workers: list[subprocess.Popen[bytes]] = []
        self.client = redis.client(db)
        self.client.flushdb()  # nothing paid for by an earlier run

    def start(self, queue: str, cwd: Path, concurrency: int) -> subprocess.Popen[bytes]:
        log = self.work / f"{self.site.name}-{queue}-{len(self.workers)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [script("celery"), "-A", "workers", "worker", "-Q", queue, "-c", str(concurrency),
                 "-n", f"{queue}-{os.urandom(3).hex()}@%h", "--without-mingle",
                 "--without-gossip", "--without-heartbeat", "-l", "warning"],
                cwd=cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.workers.append(process)
        return process

    def head(self, job: str) -> dict[str, str]:
        try:
            raw = self.client.hgetall(f"translator:job:{job}")
        except redis.ConnectionError:  # restarting: ask again
            return {}
        return {k.decode(): v.decode() for k, v in raw.items()}

    def billed(self) -> tuple[int, int]:
        """(characters sent to the provider, characters of texts it was sent again)."""
        seen: set[tuple[str, str]] = set()
        total = again = 0
        for entry in self.server.log:
            for text in entry.texts:
                key = (entry.body["target_lang"], text)
                total += len(text)
                if key in seen:
                    again += len(text)
                seen.add(key)
        return total, again

    def stop(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def outputs(site: Path) -> dict[str, bytes]:
    """The site's files but its settings (each run has its own fake server's address)."""
    return {k: v for k, v in tree(site).items() if k != "translator.toml"}


def kill(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def mt_killed(run: Run) -> None:
    """SIGKILL the MT worker that has a request of the job in flight."""
    while True:
        for port in list(run.server.callers):
            for worker in run.workers[1:3]:
                if worker.poll() is None and port in client_ports(worker.pid):
                    kill(worker)
                    return
        time.sleep(0.002)


def client_ports(pid: int) -> set[int]:
    """Local TCP ports of a worker's processes (its pool's, which send the requests)."""
    ports: set[int] = set()
    try:
        parent = psutil.Process(pid)
        for process in [parent, *parent.children(recursive=True)]:
            ports.update(c.laddr.port for c in process.net_connections("tcp") if c.laddr)
    except psutil.Error:
        pass
    return ports


def site_killed(run: Run) -> None:
    """SIGKILL the site worker 14 ms after it changed a catalog; start another at once."""
    while not any(run.client.scan_iter("translator:job:*")):
        time.sleep(0.005)  # queued: the catalogs are extracted, not filled yet
    catalogs = list((run.site / "locales").rglob("*.po"))
    before = {p: p.stat().st_mtime_ns for p in catalogs}
    while all(p.stat().st_mtime_ns == before[p] for p in catalogs):
        time.sleep(0.001)
    time.sleep(0.014)
    kill(run.workers[0])
    run.start("translator.site", run.site, 1)


def redis_restarted(run: Run) -> None:
    """Stop redis-server mid-batch, start it again 1.2 s later on the same data."""
    while run.server.in_flight == 0:
        time.sleep(0.002)
    run.redis.stop()
    time.sleep(DOWN)
    run.redis.start()


def all_three(run: Run) -> None:
    mt_killed(run)
    redis_restarted(run)
    site_killed(run)


FAULTS: list[tuple[str, Callable[[Run], None] | None, float]] = [
    ("none", None, 0.0),
    ("MT worker SIGKILLed mid-request", mt_killed, 0.0),
    ("site worker SIGKILLed 14 ms into a write", site_killed, 0.0),
    (f"Redis stopped, started {DOWN} s later", redis_restarted, DOWN),
    ("all three", all_three, DOWN),
]


def one(
    redis: RedisServer, db: int, template: Path, reference: dict[str, bytes], work: Path,
    name: str, fault: Callable[[Run], None] | None, latency: float, config: Config,
    wait_ready: Callable[[str, int], None],
) -> dict[str, Any]:  # fmt: skip
    site = work / f"faults-{db}"
    shutil.copytree(template, site)
    run = Run(redis, db, site, work, latency)
    with run.server:
        config(site, run.server.url, ["en", "ja"])
        run.start("translator.site", site, 1)
        for _ in range(2):
            run.start("translator.mt", work, 2)
        wait_ready(redis.url(db), 3)
        try:
            # from the queue command on: the workers start on the batches while it plans
            start = time.monotonic()
            injector = None
            if fault is not None:
                injector = threading.Thread(target=fault, args=(run,), daemon=True)
                injector.start()
            queued = subprocess.run(
                [script("translator"), "queue", "--to", "en,ja"], cwd=site, env=run.env,
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            job = queued.stdout.strip().splitlines()[-1]
            while run.head(job).get("state") != "done":
                if time.monotonic() - start > 300:
                    raise RuntimeError(f"{name}: job not done after 300 s: {run.head(job)}")
                time.sleep(0.05)
            took = time.monotonic() - start
            if injector is not None:
                injector.join(60)
            nothing_held(run.client, 30)
            same = outputs(site) == reference
            total, again = run.billed()
        finally:
            run.stop()
    return {"name": name, "took": took, "same": same, "billed": total, "again": again}


def run_faults(
    work: Path, posts: int, latency: float, generate: Callable[[Path, int], None],
    config: Config, wait_ready: Callable[[str, int], None],
) -> int:  # fmt: skip
    """Run the table; 1 if a run's outputs differ or a fault broke the bound."""
    template = work / "template"
    generate(template, posts)
    reference_site = work / "reference"
    shutil.copytree(template, reference_site)
    with FakeServer("deepl") as server:
        config(reference_site, server.url, ["en", "ja"])
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRANSLATOR_")}
        subprocess.run(
            [script("translator"), "translate", "--to", "en,ja"], cwd=reference_site,
            env={**env, "FAKE_MT_KEY": KEY}, capture_output=True, check=False,
        )  # fmt: skip
    reference = outputs(reference_site)
    redis = RedisServer(work)
    redis.start()
    rows = []
    try:
        for db, (name, fault, down) in enumerate(FAULTS, start=1):
            row = one(
                redis, db, template, reference, work, name, fault, latency, config, wait_ready
            )
            row["down"] = down
            rows.append(row)
    finally:
        redis.stop()
    base = rows[0]
    print(f"{posts} posts x en, ja; fake DeepL at {latency * 1000:.0f} ms per request; "
          f"2 MT workers (-c 2), 1 site worker; nobody watching the job")  # fmt: skip
    print(
        "| fault | time to done | vs fault-free | bound | chars billed | billed again | outputs |"
    )
    print("|---|---|---|---|---|---|---|")
    code = 0
    for row in rows:
        bound = base["took"] + row["down"] + BOUND
        ok = row["took"] <= bound and row["same"]
        code = code if ok else 1
        print(
            f"| {row['name']} | {row['took']:.1f} s | {row['took'] - base['took']:+.1f} s | "
            f"{'within' if row['took'] <= bound else 'OVER'} {bound:.0f} s | {row['billed']:,} | "
            f"{row['again']:,} | {'identical' if row['same'] else 'DIFFER'} |"
        )
    return code
