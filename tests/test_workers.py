"""The queue for real: a redis-server started here, ``celery -A workers worker`` processes
as an operator starts them, the ``translator`` CLI as a user runs it, and fake MT servers
speaking DeepL's wire format. No eager mode, no mocks of Celery or Redis."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from celery import Celery

from .conftest import corpus_posts
from .fakes import KEY, FakeServer
from .queue import (
    RedisServer,
    Workers,
    folders_locked,
    job_state,
    nothing_held,
    records_folder,
    script,
    tree,
    wait_done,
    workers_fixture,
    wrote_a_catalog,
)

SEED = "seed-2017-05-09-openstack-boston-summit.md"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workers(redis_server: RedisServer, tmp_path: Path) -> Iterator[Workers]:
    logs = tmp_path / "logs"
    logs.mkdir()
    yield from workers_fixture(redis_server, logs, {})


@pytest.fixture
def deepl() -> Iterator[FakeServer]:
    with FakeServer("deepl") as server:
        yield server


def make_site(
    root: Path, endpoint: str, posts: list[Path] | None = None, settings: str = ""
) -> Path:
    (root / "content" / "posts").mkdir(parents=True)
    for post in posts or corpus_posts():
        shutil.copy(post, root / "content" / "posts" / post.name)
    (root / "translator.toml").write_text(
        f'locales = ["en", "ja"]\nbackend = "deepl"\n{settings}[backends.deepl]\n'
        f'endpoint = "{endpoint}"\nkey_env = "FAKE_MT_KEY"\nbackoff = 0.01\n'
        "max_wait = 0.05\ntimeout = 10\n",
        "utf-8",
    )
    return root


def translated(client, job: str, timeout: float = 60) -> None:
    """Until every text of the job is translated (its posts wait for a site worker)."""
    deadline = time.monotonic() + timeout
    while True:
        head = job_state(client, job)
        if int(head["texts_done"]) + int(head["texts_failed"]) == int(head["texts_total"]):
            return
        assert time.monotonic() < deadline, head
        time.sleep(0.05)


def truthful(workers: Workers, job: str, site: Path) -> None:
    """What status says of every part is what its catalog holds: each written, every text
    it waited for translated, whichever delivery wrote it."""
    shown = workers.cli("status", job, "--json", cwd=site)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    parts = json.loads(shown.stdout)["parts"]
    assert parts and all(p["state"] == "written" for p in parts.values()), parts
    for name, part in parts.items():
        assert part["filled"] == part["units"] > 0 and part["failed"] == 0, (name, part)


def in_process(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The reference: the same job with no broker, run by ``translator translate``."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("TRANSLATOR_")}
    env["FAKE_MT_KEY"] = KEY
    run = subprocess.run(
        [script("translator"), "translate", *args], cwd=root, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    # 1: the fake's crude output breaks some emphasis, reported (both runs report it)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stdout + run.stderr
    return run


def job_of(run: subprocess.CompletedProcess[str]) -> str:
    # 1: the fake's crude output breaks some emphasis, reported (both runs report it)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stdout + run.stderr
    return run.stdout.strip().splitlines()[-1]


def wait_job(workers: Workers, job: str, cwd: Path, timeout: float = 90) -> str:
    done = workers.cli(
        "status", job, "--wait", "--timeout", str(timeout), cwd=cwd, timeout=timeout + 30
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"job {job}: done" in done.stdout
    return done.stdout


def test_queued_job_writes_what_the_in_process_run_writes(
    workers: Workers, redis_server: RedisServer, deepl: FakeServer, tmp_path: Path
) -> None:
    twin = make_site(tmp_path / "reference", deepl.url)
    in_process(twin, "--to", "en,ja")
    reference_requests = len(deepl.log)
    deepl.log.clear()

    site = make_site(tmp_path / "site", deepl.url)
    started = time.monotonic()
    queued = workers.cli("queue", "--to", "en,ja", cwd=site)
    job = job_of(queued)
    assert time.monotonic() - started < 30  # at once: nothing waits for a worker

    # the messages on the queue: texts and relative post ids; no key, no path of this disk
    messages = redis_server.client(workers.db).lrange("translator.mt", 0, -1)
    assert len(messages) == reference_requests
    for raw in messages:
        assert KEY.encode() not in raw
        assert str(tmp_path).encode() not in raw
        assert json.loads(raw)["content-type"] == "application/json"

    nowhere = tmp_path / "empty"
    nowhere.mkdir()  # the MT worker's host has no copy of the site
    mt = workers.start("translator.mt", nowhere, concurrency=2, FAKE_MT_KEY=KEY)
    writer = workers.start("translator.site", site)
    report = wait_job(workers, job, site)
    inspect = subprocess.run(
        [script("celery"), "-A", "workers", "inspect", "registered", "-t", "10"],
        cwd=nowhere, env=workers.environ(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "translator.translate_batch" in inspect.stdout, inspect.stdout + inspect.stderr
    assert f"{mt.name}@" in inspect.stdout and f"{writer.name}@" in inspect.stdout
    assert "0 failed" in report

    assert tree(site) == tree(twin)  # catalogs and posts, byte for byte
    assert len(deepl.log) == reference_requests
    redis = redis_server.client(workers.db)
    assert not list(redis.scan_iter(f"translator:job:{job}:results:*"))  # dropped when done
    assert [
        k for k in redis.scan_iter(f"translator:job:{job}*") if redis.ttl(k) <= 0
    ] == []  # all expire
    sent = [(entry.body["target_lang"], text) for entry in deepl.log for text in entry.texts]
    assert len(sent) == len(set(sent))  # each text paid for once per locale

    # again: nothing left to translate, nothing sent
    deepl.log.clear()
    wait_job(workers, job_of(workers.cli("queue", "--to", "en,ja", cwd=site)), site)
    assert deepl.log == []
    assert tree(site) == tree(twin)

    # another checkout with the same posts: its own site worker, the workers' shared cache
    other = make_site(tmp_path / "other", deepl.url)
    workers.start("translator.site.other", other)
    job = job_of(workers.cli("queue", "--site-queue", "translator.site.other", cwd=other))
    wait_job(workers, job, other)
    assert deepl.log == []  # paid for once, by the first job
    assert tree(other) == tree(twin)

    for worker in (mt, writer):
        log = worker.text()
        assert redis_server.password not in log  # redacted in every line
        assert KEY not in log
    assert ":***@" in mt.text()


def test_same_texts_queued_twice_at_once_are_translated_once(
    workers: Workers, deepl: FakeServer, tmp_path: Path
) -> None:
    deepl.latency = 0.5
    posts = [p for p in corpus_posts() if p.name == SEED]
    first = make_site(tmp_path / "first", deepl.url, posts)
    second = make_site(tmp_path / "second", deepl.url, posts)
    job1 = job_of(workers.cli("queue", "--to", "en", "--site-queue", "s1", cwd=first))
    job2 = job_of(workers.cli("queue", "--to", "en", "--site-queue", "s2", cwd=second))
    workers.start("translator.mt", tmp_path, concurrency=2, FAKE_MT_KEY=KEY)
    workers.start("s1", first)
    workers.start("s2", second)
    wait_job(workers, job1, first)
    wait_job(workers, job2, second)
    # both batches ran at once; each text went to the provider once (a batch waits for
    # the texts the other claimed, and reads them from the shared cache)
    assert len(deepl.texts) == len(set(deepl.texts)) == 17
    assert tree(first / "locales") == tree(second / "locales")


def test_worker_killed_mid_batch(
    workers: Workers, redis_server: RedisServer, deepl: FakeServer, tmp_path: Path
) -> None:
    twin = make_site(tmp_path / "reference", deepl.url)
    in_process(twin, "--to", "en,ja")
    deepl.log.clear()
    deepl.started = 0  # from here on, requests of the queued job only
    site = make_site(tmp_path / "site", deepl.url)
    job = job_of(workers.cli("queue", "--to", "en,ja", cwd=site))
    workers.start("translator.site", site)
    deepl.latency = 1.5
    doomed = workers.start("translator.mt", tmp_path, FAKE_MT_KEY=KEY)
    deadline = time.monotonic() + 30
    while deepl.started == 0:
        assert time.monotonic() < deadline, doomed.text()
        time.sleep(0.02)
    doomed.kill()  # mid-request: the batch was taken but never finished nor acknowledged
    deepl.latency = 0
    heir = workers.start("translator.mt", tmp_path, FAKE_MT_KEY=KEY)
    client = redis_server.client(workers.db)
    # nobody runs status --wait: the broker hands the dead worker's batch out again once
    # its renewals stop (the visibility timeout, 5 s here, and a sweep)
    wait_done(client, job, 60)
    nothing_held(client)
    assert tree(site) == tree(twin)  # no unit lost, none applied twice
    for po in (site / "locales").rglob("*.po"):
        polib.pofile(str(po))  # whole
    truthful(workers, job, site)
    logs = "".join(w.text() for w in workers.started)  # whichever worker swept it
    assert "redelivered translator.translate_batch[" in logs
    assert "its worker stopped renewing it" in logs
    assert "delivery 2" in heir.text()


def test_redis_restarted_during_a_job(
    workers: Workers, redis_server: RedisServer, deepl: FakeServer, tmp_path: Path
) -> None:
    twin = make_site(tmp_path / "reference", deepl.url)
    in_process(twin, "--to", "en,ja")
    deepl.log.clear()
    deepl.started = 0  # from here on, requests of the queued job only
    site = make_site(tmp_path / "site", deepl.url)
    job = job_of(workers.cli("queue", "--to", "en,ja", cwd=site))
    deepl.latency = 1.0
    workers.start("translator.site", site)
    mt = workers.start("translator.mt", tmp_path, concurrency=2, FAKE_MT_KEY=KEY)
    deadline = time.monotonic() + 30
    while deepl.started == 0:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    redis_server.restart(down=1.2)  # mid-request: its data kept (append-only file)
    deepl.latency = 0
    client = redis_server.client(workers.db)
    wait_done(client, job, 60)
    nothing_held(client)
    logs = "".join(w.text() for w in workers.started)
    assert "stopped renewing" not in logs  # nothing waited for the visibility timeout
    assert tree(site) == tree(twin)
    truthful(workers, job, site)
    # the requests in flight were not cut off: nothing was paid for twice
    sent = [(entry.body["target_lang"], text) for entry in deepl.log for text in entry.texts]
    assert len(sent) == len(set(sent))
    assert "requeue=False" not in mt.text()


def _translated(
    workers: Workers, redis_server: RedisServer, deepl: FakeServer, tmp_path: Path
) -> tuple[Path, Path, str, Any, dict[str, bytes]]:
    """A site built in process (the twin), and the same site queued in en and ja with every
    text translated and nothing yet written back: (twin, site, job, Redis client, catalogs)."""
    twin = make_site(tmp_path / "reference", deepl.url)
    in_process(twin, "--to", "en,ja")
    site = make_site(tmp_path / "site", deepl.url)
    job = job_of(workers.cli("queue", "--to", "en,ja", cwd=site))
    workers.start("translator.mt", tmp_path, FAKE_MT_KEY=KEY)
    client = redis_server.client(workers.db)
    translated(client, job)
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.po")}
    return twin, site, job, client, before


def test_redis_restarted_mid_write(
    workers: Workers, redis_server: RedisServer, deepl: FakeServer, tmp_path: Path
) -> None:
    twin, site, job, client, before = _translated(workers, redis_server, deepl, tmp_path)
    with folders_locked(records_folder(site)):
        writer = workers.start("translator.site", site)
        wrote_a_catalog(writer, site, before)
        time.sleep(0.2)  # it wrote a catalog and waits to save the build records
        redis_server.stop()
    time.sleep(1.2)  # it saves its records and finds Redis gone
    redis_server.start()
    wait_done(client, job, 60)
    nothing_held(client)
    assert tree(site) == tree(twin)
    truthful(workers, job, site)
    logs = "".join(w.text() for w in workers.started)
    assert "stopped renewing" not in logs  # nothing waited for the visibility timeout
    assert "requeue=False" not in logs


def test_site_worker_killed_mid_write(
    workers: Workers, redis_server: RedisServer, deepl: FakeServer, tmp_path: Path
) -> None:
    twin, site, job, client, before = _translated(workers, redis_server, deepl, tmp_path)
    with folders_locked(records_folder(site)):
        doomed = workers.start("translator.site", site)
        wrote_a_catalog(doomed, site, before)
        doomed.kill()  # it changed a catalog; nothing of it counted in Redis
    heir = workers.start("translator.site", site)
    wait_done(client, job, 60)
    nothing_held(client)
    assert tree(site) == tree(twin)  # and no temporary file the kill left behind
    truthful(workers, job, site)  # the second delivery counts what the first one wrote
    assert "delivered again" in heir.text()
    logs = "".join(w.text() for w in workers.started)  # whichever worker swept it
    assert "redelivered translator.write_parts[" in logs


def test_a_job_waits_for_its_workers(
    workers: Workers, redis_server: RedisServer, deepl: FakeServer, tmp_path: Path
) -> None:
    posts = [p for p in corpus_posts() if p.name == SEED]
    twin = make_site(tmp_path / "reference", deepl.url, posts)
    in_process(twin, "--to", "en,ja")
    site = make_site(tmp_path / "site", deepl.url, posts)
    queued = workers.cli("queue", "--to", "en,ja", cwd=site)
    job = job_of(queued)
    # no worker at all: said at once, with the commands that start them
    assert "celery -A workers worker -Q translator.mt" in queued.stderr
    assert "celery -A workers worker -Q translator.site" in queued.stderr
    assert str(site) in queued.stderr  # the site worker runs in the site's checkout
    mt = workers.start("translator.mt", tmp_path, FAKE_MT_KEY=KEY)
    waited = workers.cli("status", job, "--wait", "--timeout", "5", cwd=site)
    assert waited.returncode == 1
    assert "no worker consumes translator.site" in waited.stderr
    assert "translator.mt:" not in waited.stderr  # that one has its worker now
    workers.start("translator.site", site)
    client = redis_server.client(workers.db)
    wait_done(client, job, 60)
    nothing_held(client)
    assert tree(site) == tree(twin)
    assert mt.process.poll() is None


def test_a_task_running_past_the_visibility_timeout_is_not_handed_out_again(
    workers: Workers, redis_server: RedisServer, deepl: FakeServer, tmp_path: Path
) -> None:
    site = make_site(tmp_path / "site", deepl.url, [p for p in corpus_posts() if p.name == SEED])
    deepl.latency = 5.0  # two and a half visibility timeouts: its worker renews it meanwhile
    job = job_of(workers.cli("queue", "--to", "en", cwd=site))
    for _ in range(2):  # another worker, free to take what a sweep would hand out
        workers.start("translator.mt", tmp_path, FAKE_MT_KEY=KEY, TRANSLATOR_VISIBILITY_TIMEOUT="2")
    workers.start("translator.site", site, TRANSLATOR_VISIBILITY_TIMEOUT="2")
    client = redis_server.client(workers.db)
    wait_done(client, job, 60)
    nothing_held(client)
    assert deepl.started == len(deepl.log) == 1  # sent once
    for worker in workers.started:
        assert "redelivered" not in worker.text()


def test_bad_messages_are_refused_and_the_worker_goes_on(
    workers: Workers, redis_server: RedisServer, deepl: FakeServer, tmp_path: Path
) -> None:
    site = make_site(tmp_path / "site", deepl.url, [p for p in corpus_posts() if p.name == SEED])
    mt = workers.start("translator.mt", tmp_path, FAKE_MT_KEY=KEY)
    writer = workers.start("translator.site", site)
    job = job_of(workers.cli("queue", "--to", "en", cwd=site))
    wait_job(workers, job, site)
    before = tree(site)

    sender = Celery(broker=redis_server.url(workers.db))
    sender.conf.update(task_serializer="json", accept_content=["json", "pickle"])
    batch = {"locale": "en", "texts": ["你好"], "contexts": [""], "posts": [], "glossary": {}}
    backends = [{"name": "deepl", "options": {"endpoint": deepl.url, "key_env": "FAKE_MT_KEY"}}]
    sender.send_task(
        "translator.translate_batch", args=[job, "zh", backends, batch], queue="translator.mt",
        serializer="pickle",
    )  # fmt: skip
    sender.send_task("translator.no_such_task", args=[1], queue="translator.mt")
    huge = {**batch, "texts": ["字"] * 600, "contexts": [""] * 600}
    sender.send_task(
        "translator.translate_batch", args=[job, "zh", backends, huge], queue="translator.mt"
    )
    sender.send_task(
        "translator.translate_batch", args=["../../x", "zh", backends, batch], queue="translator.mt"
    )
    post = next(iter(json.loads(workers.cli("status", job, "--json", cwd=site).stdout)["parts"]))
    _locale, _, post_id = post.partition(" ")
    for bad in ("../../../etc/passwd", "/etc/passwd", "content/../../outside.md"):
        sender.send_task("translator.write_parts", args=[job, [bad], "en"], queue="translator.site")
    sender.send_task(
        "translator.write_parts", args=[job, [post_id], "../en"], queue="translator.site"
    )
    sender.send_task(
        "translator.write_parts", args=[job, "not a list", "en"], queue="translator.site"
    )

    mt.wait_for("Refusing to deserialize untrusted content of type pickle", 30)
    mt.wait_for("Received unregistered task of type 'translator.no_such_task'", 30)
    mt.wait_for("oversized batch: 600 texts", 30)
    mt.wait_for("not a job id", 30)
    writer.wait_for("not a locale: '../en'", 30)
    writer.wait_for("post ids must be a list", 30)
    for _ in range(3):
        writer.wait_for("not a part of job", 30)
    assert mt.process.poll() is None and writer.process.poll() is None
    assert tree(site) == before  # nothing written anywhere
    assert not (tmp_path / "outside.md").exists()

    # and both still work
    (site / "content" / "posts" / SEED).write_text(
        (site / "content" / "posts" / SEED).read_text("utf-8") + "\n新的一段。\n", "utf-8"
    )
    waited = workers.cli("queue", "--to", "en", "--wait", "--timeout", "60", cwd=site)
    assert waited.returncode == 0, waited.stdout + waited.stderr
    assert (
        ": done; 1 of 1 texts translated, 0 failed; 1 of 1 post translations written"
        in waited.stdout
    )


def test_texts_another_task_filled_between_read_and_claim_are_not_sent_again(
    redis_server: RedisServer, deepl: FakeServer, tmp_path: Path, monkeypatch
) -> None:
    """The race behind a text paid for twice: this task reads the cache (the texts are not
    there), the task translating them stores them and lets go of its claims, then this task
    claims them. It must read them from the cache, not send them again."""
    from translator.backends import BackendContext, load_backend
    from translator.backends.http import HttpBackend
    from translator.jobs import BatchSpec, run_batch
    from workers.store import SharedCache, connect
    from workers.tasks import _translate

    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    db = redis_server.new_db()
    options = {"endpoint": deepl.url, "key_env": "FAKE_MT_KEY", "backoff": 0.01}
    spec = BatchSpec("en", ("第一句。", "第二句。"), ("", ""), ("a.md",))

    def backend(cache: SharedCache) -> HttpBackend:  # a worker's DeepL, on the shared cache
        found = load_backend("deepl", BackendContext(tmp_path, "locales", options))
        assert isinstance(found, HttpBackend)
        found.cache = cache
        return found

    other = backend(SharedCache(connect(redis_server.url(db))))

    class ClaimsLate(SharedCache):
        def claim(self, keys, owner):
            if keys:  # the other task finishes in between: stores, then lets go
                run_batch([other], "zh", spec)
            return super().claim(keys, owner)

    results = _translate([backend(ClaimsLate(connect(redis_server.url(db))))], "zh", spec, "task-2")
    assert [r["text"] for r in results] == [r["text"] for r in run_batch([other], "zh", spec)]
    assert sorted(deepl.texts) == sorted(spec.texts)  # each sent once, by the other task
    assert not list(redis_server.client(db).scan_iter("translator:mt-claim:*"))  # none held


def test_rate_limit_is_shared_by_every_process(redis_server: RedisServer) -> None:
    from workers.store import RateLimit

    db = redis_server.new_db()
    clients = [redis_server.client(db) for _ in range(3)]
    limits = [RateLimit(c, "deepl", per_second=20, burst=1) for c in clients]
    start = time.monotonic()
    threads = [
        threading.Thread(target=lambda lim=lim: [lim(1) for _ in range(10)]) for lim in limits
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    # 30 requests at 20 per second, whoever sends them: about 1.45 s, never 0.5 s
    assert 1.3 < elapsed < 5, elapsed
