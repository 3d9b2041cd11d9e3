"""Real parts for the queue tests: a ``redis-server`` on a free port in a temporary folder
(with a password and an append-only file, so it can be restarted mid-job), and real
``celery -A workers worker`` processes started as the operator would. No eager mode."""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def script(name: str) -> str:
    """The console script itself, not a version-manager shim in front of it."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name) or name


class RedisServer:
    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.password = "pw-" + secrets.token_hex(8)
        self.process: subprocess.Popen[bytes] | None = None
        self.next_db = 0

    def url(self, db: int) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/{db}"

    def new_db(self) -> int:
        self.next_db += 1
        assert self.next_db < 16, "the tests use more Redis databases than a server has"
        return self.next_db

    def start(self) -> None:
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port", str(self.port),
                    "--bind", "127.0.0.1",
                    "--dir", str(self.folder),
                    "--requirepass", self.password,
                    "--appendonly", "yes",
                    "--appendfsync", "always",
                    "--save", "",
                    "--maxmemory-policy", "noeviction",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.wait_ready()

    def client(self, db: int = 0):
        import redis

        return redis.Redis.from_url(self.url(db))

    def wait_ready(self) -> None:
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except (redis.ConnectionError, redis.BusyLoadingError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: Redis writes its append-only file and exits
            self.process.wait(10)
            self.process = None

    def restart(self, down: float = 0) -> None:
        """Stopped, and started again ``down`` seconds later on the same port and data."""
        self.stop()
        time.sleep(down)
        self.start()


class Worker:
    def __init__(self, process: subprocess.Popen[bytes], log: Path, name: str) -> None:
        self.process = process
        self.log = log
        self.name = name

    def text(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {self.name}: no {needle!r}:\n{self.text()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes: a power cut, as far as it knows."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


class Workers:
    """Start workers with the ordinary command; stop them all at the end."""

    def __init__(self, redis: RedisServer, db: int, logs: Path, env: dict[str, str]) -> None:
        self.redis = redis
        self.db = db
        self.logs = logs
        self.env = env
        self.started: list[Worker] = []

    def environ(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "TRANSLATOR_BROKER_URL": self.redis.url(self.db),
            # short, for the crash tests: a killed worker's batch comes back in seconds
            "TRANSLATOR_VISIBILITY_TIMEOUT": "5",
            "TRANSLATOR_TASK_TIME_LIMIT": "60",
            **self.env,
            **extra,
        }
        env.pop("TRANSLATOR_SITE", None)
        return env

    def start(
        self, queue: str, cwd: Path, *, concurrency: int = 1, wait: bool = True, **extra: str
    ) -> Worker:
        name = f"{queue.rpartition('.')[2]}{len(self.started)}-{secrets.token_hex(3)}"
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    script("celery"), "-A", "workers", "worker",
                    "-Q", queue, "-c", str(concurrency), "-n", f"{name}@%h",
                    "--without-mingle", "--without-gossip", "--without-heartbeat",
                    "-l", "info",
                ],
                cwd=cwd,
                env=self.environ(**extra),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = Worker(process, log, name)
        self.started.append(worker)
        if wait:
            worker.wait_for(" ready.")
        return worker

    def cli(self, *args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script("translator"), *args],
            cwd=cwd,
            env=self.environ(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def stop(self) -> None:
        for worker in self.started:
            worker.stop()


def tree(root: Path) -> dict[str, bytes]:
    """Every file of a site but caches: what a job must produce. The PO dates (and the
    catalog hashes recorded from them) are the minute each run wrote them: masked."""
    found = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or ".translator-cache" in path.parts:
            continue
        data = path.read_bytes()
        if path.suffix == ".po":
            data = re.sub(rb'"(POT-Creation|PO-Revision)-Date: [^"]*"', b"DATE", data)
        elif path.suffix == ".json" and ".translator" in path.parts:  # build records
            data = re.sub(rb'"catalog_hash": "[^"]*"', b"HASH", data)
        found[path.relative_to(root).as_posix()] = data
    return found


def workers_fixture(redis: RedisServer, tmp: Path, env: dict[str, str]) -> Iterator[Workers]:
    workers = Workers(redis, redis.new_db(), tmp, env)
    try:
        yield workers
    finally:
        workers.stop()


def job_state(client, job: str) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in client.hgetall(f"translator:job:{job}").items()}


def wait_done(client, job: str, timeout: float) -> float:
    """Seconds until the job ends, watched in Redis: no client of ours runs meanwhile."""
    start = time.monotonic()
    while job_state(client, job).get("state") != "done":
        assert time.monotonic() - start < timeout, f"job {job} not done: {job_state(client, job)}"
        time.sleep(0.1)
    return time.monotonic() - start


def nothing_held(client, timeout: float = 15) -> None:
    """Once a job is done: no message waits unacknowledged in Redis, no text is claimed
    (acks come just after the last task ends)."""
    deadline = time.monotonic() + timeout
    while True:
        unacked = [json.loads(v)[0]["headers"]["task"] for v in client.hvals("unacked")]
        index = client.zcard("unacked_index")
        claims = list(client.scan_iter("translator:mt-claim:*"))
        if not unacked and not index and not claims:
            return
        assert time.monotonic() < deadline, (unacked, index, claims)
        time.sleep(0.1)


@contextmanager
def folders_locked(*folders: Path) -> Iterator[None]:
    """Hold the lock the site's writers take on these folders (``translator.site.files``):
    a site worker that needs one waits, mid-task, until the block ends."""
    fds = [os.open(folder, os.O_RDONLY | os.O_DIRECTORY) for folder in folders]
    try:
        for fd in fds:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        for fd in fds:
            os.close(fd)


def records_folder(site: Path) -> Path:
    """Where a site's build records are saved (a site worker locks it to save them)."""
    folder = site / ".translator" / "builds"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wrote_a_catalog(worker: Worker, site: Path, before: dict[str, bytes]) -> None:
    """Until ``worker`` (a site worker) has changed a catalog of ``site``."""
    deadline = time.monotonic() + 30
    while not changed_files(site, before, ".po"):
        assert time.monotonic() < deadline, worker.text()
        time.sleep(0.005)


def changed_files(root: Path, before: dict[str, bytes], suffix: str) -> list[str]:
    """Files under ``root`` ending with ``suffix`` whose bytes differ from ``before``."""
    now = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob(f"*{suffix}")}
    return [name for name, data in now.items() if before.get(name) != data]
