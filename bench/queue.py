"""Queue benchmark: generated posts in three locales, through real Celery workers on a
real redis-server, against a fake DeepL server that takes 100 ms per request.

    python bench/queue.py [--posts 200] [--locales en,ja,fr] [--latency 0.1]
    python bench/queue.py --faults [--posts 30] [--latency 0.2]   (see bench/faults.py)

For 1, 2 and 4 machine-translation worker processes (concurrency set so that four
requests are in flight in every case), it reports: the job's wall time against the ideal
(requests x latency / requests in flight), the broker's overhead per task (the time
beyond the ideal, per task slot), the peak memory of each worker process, and Redis's
memory before and after the job (a finished job drops its results; the rest expires).
The posts are written so that every unit is distinct: nothing is saved by deduplication,
every unit is paid for. Needs redis-server and the queue extra.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# run as ``python bench/queue.py``, this folder comes first on sys.path and this file
# would shadow the standard library's ``queue`` for every module (Celery's included)
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import os
import shutil
import subprocess
import tempfile
import threading
import time

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes import KEY, FakeServer  # noqa: E402
from tests.queue import RedisServer, script  # noqa: E402

IN_FLIGHT = 4
SENTENCES = [
    "这是第{i}篇文章的第{j}段，讲的是分布式翻译系统里的一个细节。",
    "第{i}篇的第{j}段里，我们看看队列和工作进程是怎么配合的。",
    "在第{i}篇第{j}段中，作者记录了一次排查问题的经过，以及后来的改进。",
]


def generate(site: Path, count: int, paragraphs: int = 12) -> None:
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    for i in range(count):
        body = "\n\n".join(
            SENTENCES[j % len(SENTENCES)].format(i=i, j=j) for j in range(paragraphs)
        )
        text = f"---\ntitle: 第{i}篇：队列测试\ndate: 2024-01-01\n---\n\n{body}\n"
        (posts / f"post-{i:04d}.md").write_text(text, "utf-8")


def config(site: Path, endpoint: str, locales: list[str]) -> None:
    quoted = ", ".join(f'"{loc}"' for loc in locales)
    (site / "translator.toml").write_text(
        f'locales = [{quoted}]\nbackend = "deepl"\n[backends.deepl]\nendpoint = "{endpoint}"\n'
        'key_env = "FAKE_MT_KEY"\ntimeout = 30\n',
        "utf-8",
    )


class Peak:
    """The largest resident memory of each worker process seen while the job runs."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak: dict[int, int] = {}
        self.cpu: dict[int, float] = {}  # seconds of CPU each process used so far
        self.first: dict[int, float] = {}  # …when first seen (the job's start)
        self.done = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.done:
            for pid in self.pids:
                try:
                    parent = psutil.Process(pid)
                    for proc in [parent, *parent.children(recursive=True)]:
                        rss = proc.memory_info().rss
                        self.peak[proc.pid] = max(self.peak.get(proc.pid, 0), rss)
                        times = proc.cpu_times()
                        self.cpu[proc.pid] = times.user + times.system
                        self.first.setdefault(proc.pid, self.cpu[proc.pid])
                except psutil.Error:
                    pass
            time.sleep(0.2)

    def stop(self) -> dict[int, int]:
        self.done = True
        self.thread.join()
        return self.peak


def start_worker(
    queue: str, cwd: Path, env: dict[str, str], concurrency: int, log: Path
) -> subprocess.Popen[bytes]:
    pool = POOL if queue == "translator.mt" else "prefork"
    with log.open("wb") as out:
        return subprocess.Popen(
            [script("celery"), "-A", "workers", "worker", "-Q", queue, "-c", str(concurrency),
             "-P", pool,
             "-n", f"{queue}-{os.urandom(3).hex()}@%h", "--without-mingle", "--without-gossip",
             "--without-heartbeat", "-l", "warning"],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def wait_ready(url: str, count: int) -> None:
    """Until ``count`` workers answer a ping (through the broker)."""
    from celery import Celery

    app = Celery(broker=url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0)
        if len(replies) >= count:
            return
    raise RuntimeError("workers did not start")


def one_run(
    redis: RedisServer, db: int, template: Path, workers: int, latency: float, work: Path
) -> dict[str, float]:
    site = work / f"site-{workers}"
    shutil.copytree(template, site)
    empty = work / f"mt-{workers}"
    empty.mkdir()
    url = redis.url(db)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"TRANSLATOR_BROKER_URL": url, "FAKE_MT_KEY": KEY})
    client = redis.client(db)
    client.flushdb()
    with FakeServer("deepl") as server:
        server.latency = latency
        config(site, server.url, LOCALES)
        site_log = work / f"site-{workers}.log"
        processes = [] if SITE_AFTER else [start_worker("translator.site", site, env, 2, site_log)]
        for n in range(workers):
            processes.append(
                start_worker(
                    "translator.mt",
                    empty,
                    env,
                    IN_FLIGHT // workers,
                    work / f"mt-{workers}-{n}.log",
                )
            )
        wait_ready(url, len(processes))
        before = int(client.info("memory")["used_memory"])
        start = time.perf_counter()
        queued = subprocess.run(
            [script("translator"), "queue", "--to", ",".join(LOCALES)],
            cwd=site, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        planned = time.perf_counter() - start
        job = queued.stdout.strip().splitlines()[-1]
        peak = Peak([p.pid for p in processes[len(processes) - workers :]])
        start = time.perf_counter()
        translated: list[float] = []

        def poll() -> None:  # when the last machine translation was stored
            while not translated:
                head = {k.decode(): v for k, v in client.hgetall(f"translator:job:{job}").items()}
                total = int(head.get("texts_total", 1))
                if int(head.get("texts_done", 0)) + int(head.get("texts_failed", 0)) >= total:
                    translated.append(time.perf_counter() - start)
                time.sleep(0.02)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        if SITE_AFTER:  # the machine translation alone first: the broker's own overhead
            poller.join()
            processes.append(start_worker("translator.site", site, env, 2, site_log))
        done = subprocess.run(
            [script("translator"), "status", job, "--wait"], cwd=site, env=env,
            capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - start
        memory = peak.stop()
        cpu = sum(peak.cpu[pid] - peak.first[pid] for pid in peak.cpu)
        first = done.stdout.splitlines()[0] if done.stdout else done.stderr
        after = int(client.info("memory")["used_memory"])
        tasks = int(client.hget(f"translator:job:{job}", "batches") or 0)
        job_keys = list(client.scan_iter(f"translator:job:{job}*", count=1000))
        job_bytes = sum(int(client.memory_usage(k) or 0) for k in job_keys)
        cached = sum(1 for _ in client.scan_iter("translator:mt:*", count=1000))
        noop = broker_round_trip(url, client)
        for process in processes:
            os.killpg(process.pid, 15)
        for process in processes:
            process.wait(30)
        requests = len(server.log)
    poller.join(5)
    mt = translated[0] if translated else float("nan")
    ideal = requests * latency / IN_FLIGHT
    overhead = (mt - ideal) * IN_FLIGHT / max(tasks, 1)
    print(
        f"  {workers} MT worker(s) x -c {IN_FLIGHT // workers} ({POOL}): {requests} requests, {tasks} MT tasks; "
        f"queue command {planned:.2f} s; all translated after {mt:.2f} s vs ideal {ideal:.2f} s "
        f"({(mt / ideal - 1) * 100:+.1f} %), overhead {overhead * 1000:.1f} ms per task "
        f"(MT workers' CPU {cpu / max(tasks, 1) * 1000:.1f} ms per task); "
        f"all written and built after {wall:.2f} s ({(wall / ideal - 1) * 100:+.1f} %); "
        f"peak RSS per worker process {max(memory.values()) / 2**20:.0f} MiB; "
        f"Redis {before / 2**20:.2f} -> {after / 2**20:.2f} MiB"
    )
    print(
        f"    broker round trip per task (no-op tasks): {noop * 1000:.1f} ms; after the job: "
        f"{len(job_keys)} job keys, {job_bytes / 1024:.0f} KiB (expire with the job), "
        f"{cached} cached translations (kept)"
    )
    print(f"    {first}")
    return {"wall": wall, "ideal": ideal}


def broker_round_trip(url: str, client: Any, count: int = 400) -> float:
    """Per-task cost of Celery and the broker alone: ``count`` tasks that do nothing (an
    unknown job: refused after one Redis read) through the running MT workers, timed from
    the first publish until the last is acknowledged, times the tasks in flight."""
    from celery import Celery

    app = Celery(broker=url)
    app.conf.update(task_serializer="json", accept_content=["json"])
    batch = {"locale": "en", "texts": [], "contexts": [], "posts": []}
    start = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for _ in range(count):
            app.send_task(
                "translator.translate_batch", args=["0" * 32, "zh", [{"name": "pseudo"}], batch],
                queue="translator.mt", producer=producer,
            )  # fmt: skip
    while client.llen("translator.mt") or client.hlen("unacked"):
        time.sleep(0.005)
    return (time.perf_counter() - start) * IN_FLIGHT / count


LOCALES: list[str] = []
SITE_AFTER = False
POOL = "prefork"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=None, help="200; 30 with --faults")
    parser.add_argument("--locales", default="en,ja,fr")
    parser.add_argument("--latency", type=float, default=None, help="0.1; 0.2 with --faults")
    parser.add_argument(
        "--faults", action="store_true", help="Time to done and paid again, per fault."
    )
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it (logs).")
    parser.add_argument(
        "--site-after",
        action="store_true",
        help="Start the site worker only once every text is translated (MT overhead alone).",
    )
    parser.add_argument(
        "--pool", default="prefork", choices=["prefork", "threads"], help="The MT workers' pool."
    )
    args = parser.parse_args()
    global SITE_AFTER, POOL
    SITE_AFTER = args.site_after
    POOL = args.pool
    LOCALES[:] = args.locales.split(",")
    if args.faults:
        from bench.faults import run_faults

        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) if args.keep is None else args.keep
            work.mkdir(parents=True, exist_ok=True)
            return run_faults(
                work, args.posts or 30, args.latency or 0.2, generate, config, wait_ready
            )
    args.posts = args.posts or 200
    args.latency = args.latency or 0.1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) if args.keep is None else args.keep
        work.mkdir(parents=True, exist_ok=True)
        template = work / "template"
        generate(template, args.posts)
        redis = RedisServer(work)
        redis.start()
        try:
            print(f"{args.posts} posts x {len(LOCALES)} locales, {args.latency * 1000:.0f} ms per request, "
                  f"{IN_FLIGHT} requests in flight")  # fmt: skip
            for db, workers in enumerate(int(w) for w in args.workers.split(",")):
                one_run(redis, db + 1, template, workers, args.latency, work)
        finally:
            redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
