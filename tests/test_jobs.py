"""The steps a queued job is made of (translator.jobs), without a queue: planning at the
site, a batch run with no site, results written back idempotently, and refusal of task
arguments no well-behaved producer sends. The same steps run on real workers in
test_workers.py."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from translator.backends import BackendContext, load_backend
from translator.context import Site
from translator.jobs import (
    MAX_TEXTS,
    BatchSpec,
    Refused,
    check_locale,
    check_post_id,
    plan_job,
    run_batch,
    site_at,
    suggestion_of,
    write_part,
)
from translator.site.config import load_settings
from translator.site.paths import find_posts

from .conftest import corpus_posts
from .queue import script, tree

SEED = "seed-2017-05-09-openstack-boston-summit.md"


def make_site(root: Path) -> Path:
    (root / "content" / "posts").mkdir(parents=True)
    for post in corpus_posts()[:3]:
        shutil.copy(post, root / "content" / "posts" / post.name)
    (root / "translator.toml").write_text('locales = ["en", "ja"]\n', "utf-8")
    return root


def posts_of(site: Site):
    return find_posts([site.settings.root / "content"], site.settings, ["en", "ja"])


def run_queued_steps(root: Path) -> None:
    """What the workers do, in this process: plan, run each batch, write each part."""
    site = site_at(root)
    errors: list[object] = []
    plan = plan_job(
        site, posts_of(site), ["en", "ja"], ["tm", "pseudo"], lambda p, e: errors.append(e)
    )
    assert not errors
    chain = [
        load_backend(b["name"], BackendContext(Path("/nonexistent"), "locales", b["options"]))
        for b in plan.backends
    ]
    results: dict[str, dict[str, object]] = {}
    for batch in plan.batches:
        wire = BatchSpec.from_json(batch.to_json())  # what crosses the broker
        for text, result in zip(
            wire.texts, run_batch(chain, plan.source_locale, wire), strict=True
        ):
            results[f"{wire.locale}\0{text}"] = result
    for part in plan.parts:

        def lookup(texts: list[str], locale: str = part.locale) -> dict[str, object]:
            return {
                t: suggestion_of(results[f"{locale}\0{t}"])
                for t in texts
                if f"{locale}\0{t}" in results
            }

        writer = site_at(root)
        write_part(writer, part.post, part.locale, lookup)  # type: ignore[arg-type]
        writer.save_records()
    for post, locale in plan.ready:
        writer = site_at(root)
        write_part(writer, post, locale, lambda _t: {})
        writer.save_records()


def test_the_steps_apart_give_what_translate_gives(tmp_path: Path) -> None:
    queued = make_site(tmp_path / "queued")
    direct = make_site(tmp_path / "direct")
    run_queued_steps(queued)
    subprocess.run(
        [script("translator"), "translate", "--backend", "pseudo"], cwd=direct, check=False,
        capture_output=True, env={k: v for k, v in os.environ.items() if not k.startswith("TRANSLATOR_")},
    )  # fmt: skip
    assert tree(queued) == tree(direct)


def test_writing_the_same_results_twice_changes_nothing(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    run_queued_steps(root)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*.po")}
    run_queued_steps(root)  # a redelivered job: every task again
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*.po")} == before


def test_a_reviewers_translation_is_never_replaced(tmp_path: Path) -> None:
    import polib

    root = make_site(tmp_path / "site")
    site = site_at(root)
    plan = plan_job(site, posts_of(site), ["en"], ["tm", "pseudo"], lambda p, e: None)
    part = plan.parts[0]
    po_path = root / site.catalog_path(part.post, "en")
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.msgid == part.texts[0])
    entry.msgstr = "A reviewer's words"
    po.save()
    write_part(
        site_at(root),
        part.post,
        "en",
        lambda texts: {t: suggestion_of({"text": "machine", "origin": "pseudo"}) for t in texts},
    )
    after = polib.pofile(str(po_path))
    assert next(e for e in after if e.msgid == part.texts[0]).msgstr == "A reviewer's words"


def test_a_killed_writers_temporary_file_goes_with_the_next_write(tmp_path: Path) -> None:
    from translator.site.files import write_atomic

    target = tmp_path / "post.en.md"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_WRITE, str(target)], check=False, capture_output=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert [p.suffix for p in tmp_path.iterdir()] == [".tmp"]  # what SIGKILL leaves
    write_atomic(target, b"the post\n")
    assert [p.name for p in tmp_path.iterdir()] == ["post.en.md"]  # no temporary file left
    assert target.read_bytes() == b"the post\n"


# a writer SIGKILLed after it wrote its temporary file, before the rename
KILLED_MID_WRITE = """
import os, signal, sys
from pathlib import Path
from translator.site.files import write_atomic
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)
write_atomic(Path(sys.argv[1]), b"half a post")
"""


def test_a_folder_lock_is_reentrant_in_its_thread_and_exclusive_across_threads(
    tmp_path: Path,
) -> None:
    from translator.site.files import locked

    path = tmp_path / "records" / "en.json"
    order: list[str] = []
    held = threading.Event()

    def other() -> None:
        held.wait()
        with locked(path):
            order.append("other")

    thread = threading.Thread(target=other)
    thread.start()
    with locked(path):
        with locked(path):  # the same thread again: no deadlock
            held.set()
            thread.join(0.3)
            assert thread.is_alive()  # the other thread waits for the outer block to end
            order.append("inner")
        order.append("outer")
    thread.join(5)
    assert order == ["inner", "outer", "other"]
    with locked(path):  # released by both threads
        pass


def test_a_forked_child_forgets_the_folder_locks_of_other_threads(tmp_path: Path) -> None:
    from translator.site import files

    inside, leave = threading.Event(), threading.Event()

    def holder() -> None:
        with files.locked(tmp_path / "records" / "en.json"):
            inside.set()
            leave.wait()

    thread = threading.Thread(target=holder)
    thread.start()
    inside.wait()
    try:
        pid = os.fork()
        if pid == 0:  # the child: only this thread goes on, holding nothing
            os._exit(0 if not files._held else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert len(files._held) == 1  # the parent's thread still holds its lock
    finally:
        leave.set()
        thread.join()
    assert not files._held


@pytest.mark.parametrize(
    "post_id",
    ["../outside.md", "/etc/passwd", "content/../../outside.md", "content/posts/../../../x.md",
     "", "content\\posts\\a.md", "content/posts/none.md", "translator.toml", "content/link.md", 42],
)  # fmt: skip
def test_post_ids_that_leave_the_site_or_name_no_post_are_refused(
    tmp_path: Path, post_id: object
) -> None:
    root = make_site(tmp_path / "site")
    (tmp_path / "outside.md").write_text("# 外面\n", "utf-8")
    (root / "content" / "link.md").symlink_to(tmp_path / "outside.md")
    with pytest.raises(Refused):
        check_post_id(Site(load_settings(root)), post_id, ["en"])


def test_a_real_post_id_is_accepted(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    name = f"content/posts/{corpus_posts()[0].name}"
    assert check_post_id(Site(load_settings(root)), name, ["en"]).source == name


@pytest.mark.parametrize("locale", ["../en", "en/../../x", "", "e", "en\n", None, "x" * 40])
def test_bad_locales_are_refused(locale: object) -> None:
    with pytest.raises(Refused):
        check_locale(locale)


@pytest.mark.parametrize(
    "batch",
    [
        None,
        {"locale": "en", "texts": "你好", "contexts": []},
        {"locale": "en", "texts": ["你好"], "contexts": []},
        {"locale": "en", "texts": [1], "contexts": [""]},
        {"locale": "../x", "texts": ["你好"], "contexts": [""]},
        {"locale": "en", "texts": ["你好"], "contexts": [""], "glossary": {"a": 1}},
        {"locale": "en", "texts": ["字"] * (MAX_TEXTS + 1), "contexts": [""] * (MAX_TEXTS + 1)},
        {"locale": "en", "texts": ["字" * 300_000], "contexts": [""]},
        {"locale": "en", "texts": ["你好"], "contexts": [""], "number": -1},
    ],
)
def test_malformed_or_oversized_batches_are_refused(batch: object) -> None:
    with pytest.raises(Refused):
        BatchSpec.from_json(batch)


def test_secrets_never_go_into_a_task(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    (root / "translator.toml").write_text(
        'locales = ["en"]\n[backends.pseudo]\napi_key = "sk-oops"\nkey_env = "X_KEY"\n', "utf-8"
    )
    site = site_at(root)
    plan = plan_job(site, posts_of(site), ["en"], ["tm", "pseudo"], lambda p, e: None)
    assert plan.backends == [{"name": "pseudo", "options": {"key_env": "X_KEY"}}]


# -- the Celery settings -----------------------------------------------------------------


def test_celery_settings_are_safe_by_default() -> None:
    from workers.app import settings

    conf = settings({})
    assert conf["broker_url"] == "redis://127.0.0.1:6379/0"
    assert conf["accept_content"] == ["json"] and conf["result_accept_content"] == ["json"]
    assert conf["task_serializer"] == "json"
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1
    visibility = conf["visibility_timeout"]
    # never handed out again while it runs, however long: the keeper of the worker that
    # runs it renews its visibility (test_workers.py runs a task past the timeout)
    assert conf["broker_transport"] == "workers.broker:Transport"
    assert conf["broker_transport_options"]["visibility_timeout"] == visibility
    assert conf["result_backend_transport_options"]["visibility_timeout"] == visibility
    # a connection loss neither cancels a running task nor drops its message, and a task
    # past its time limit is delivered again rather than acknowledged
    assert conf["worker_cancel_long_running_tasks_on_connection_loss"] is False
    assert conf["task_acks_on_timeout"] is False


def test_rediss_urls_get_verified_tls() -> None:
    from workers.app import settings

    conf = settings(
        {
            "TRANSLATOR_BROKER_URL": "rediss://:pw@redis.example:6380/0",
            "TRANSLATOR_REDIS_CA_CERTS": "/etc/ca.pem",
        }
    )
    for key in ("broker_use_ssl", "redis_backend_use_ssl"):
        assert conf[key] == {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_ca_certs": "/etc/ca.pem"}
    named = settings({"TRANSLATOR_BROKER_URL": "rediss://h:6380/0?ssl_cert_reqs=required"})
    assert "broker_use_ssl" not in named  # the URL says it


def test_passwords_are_masked_in_log_lines() -> None:
    from workers.logs import redact

    line = "Connected to redis://user:s3cr3t@10.0.0.1:6379/0 and rediss://:other@h/1"
    assert redact(line) == "Connected to redis://user:***@10.0.0.1:6379/0 and rediss://:***@h/1"


def test_queue_with_no_broker_runs_in_process(tmp_path: Path) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 6379)) == 0:
            pytest.skip("a Redis runs on 127.0.0.1:6379 here: the job would go to it")
    queued = make_site(tmp_path / "queued")
    direct = make_site(tmp_path / "direct")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRANSLATOR_")}
    run = subprocess.run(
        [script("translator"), "queue", "--backend", "pseudo"], cwd=queued, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert "translating in-process" in run.stderr
    subprocess.run(
        [script("translator"), "translate", "--backend", "pseudo"], cwd=direct, env=env,
        capture_output=True, check=False,
    )  # fmt: skip
    assert tree(queued) == tree(direct)
