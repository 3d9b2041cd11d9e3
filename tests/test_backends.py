"""Machine-translation backends against fake servers that speak each provider's wire
format over real HTTP on 127.0.0.1. No test reaches the network."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest

from translator.cli import main
from translator.markdown.cjk import has_ideographs

from .conftest import CORPUS
from .fakes import AWS_ACCESS, KEY, FakeServer
from .roundtrip import protected_parts, segment

SEED = CORPUS / "seed-2017-05-09-openstack-boston-summit.md"
PROVIDERS = {
    "amazon": ('region = "eu-west-1"\naccess_key_env = "FAKE_AWS_ACCESS_KEY_ID"\n', 1),
    "deepl": ("", 50),
    "libretranslate": ("", 50),
    "azure": ('region = "eastasia"\n', 1000),
    "google": ("", 128),
    "google-v3": ('project = "demo-project"\n', 1024),
    "openai": ('model = "test-model"\n', 8),
}


@pytest.fixture(autouse=True)
def _aws_access_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_AWS_ACCESS_KEY_ID", AWS_ACCESS)


@pytest.fixture(params=sorted(PROVIDERS))
def provider(request: pytest.FixtureRequest) -> Iterator[tuple[str, FakeServer]]:
    with FakeServer(request.param) as server:
        yield request.param, server


def _site(root: Path, name: str, server: FakeServer, extra: str = "") -> Path:
    (root / "content").mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, root / "content" / "post.md")
    options, _limit = PROVIDERS[name]
    (root / "translator.toml").write_text(
        f'locales = ["en"]\nbackend = "{name}"\n[backends.{name}]\nendpoint = "{server.url}"\n'
        f'key_env = "FAKE_MT_KEY"\nbackoff = 0.01\nmax_wait = 0.05\ntimeout = 0.5\n{options}{extra}'
    )
    return root


def _run(root: Path, *args: str) -> int:
    return main(["translate", "--root", str(root), str(root / "content"), *args])


def test_the_seed_post_end_to_end(
    provider: tuple[str, FakeServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, server = provider
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    root = _site(tmp_path, name, server)
    assert _run(root) == 0
    out = (root / "content" / "post.en.md").read_text("utf-8")
    seg = segment(SEED.read_bytes())
    # every protected span of the source is in the published post, byte for byte
    for part in set(protected_parts(seg)):
        assert out.count(part) >= protected_parts(seg).count(part), part
    assert not has_ideographs(out.split("---", 2)[2]), "everything was translated"
    # only units with Chinese were sent, each once, batched within the provider's limit
    sent = server.texts
    assert sent and all(has_ideographs(t) for t in sent)
    assert len(sent) == len(set(sent))
    units = len([u for u in seg.units if u.needs_translation])
    assert (
        len(server.log)
        <= math.ceil(len({u.text for u in seg.units if u.needs_translation}) / PROVIDERS[name][1])
        + 1
    )
    assert len(sent) <= units
    po = polib.pofile(str(root / "locales/en/post.po"))
    assert all(
        e.msgstr and f"translated-by: {name}" in e.tcomment and "fuzzy" in e.flags for e in po
    )
    assert KEY not in (root / "locales/en/post.po").read_text("utf-8")
    # a second run sends nothing at all
    before = len(server.log)
    assert _run(root) == 0
    assert len(server.log) == before
    # nor does a run from scratch: the cache remembers what was paid for
    shutil.rmtree(root / "locales")
    (root / "content" / "post.en.md").unlink()
    assert _run(root) == 0
    assert len(server.log) == before
    assert (root / "content" / "post.en.md").read_text("utf-8") == out


@pytest.mark.parametrize("fault", ["429:1", "429", "503", "timeout", "malformed", "drop"])
def test_temporary_faults_are_retried(
    fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("deepl") as server:
        server.faults += [fault, fault]
        root = _site(tmp_path, "deepl", server)
        assert _run(root) == 0
        assert not server.faults
        assert "tr" in (root / "content" / "post.en.md").read_text("utf-8")


def test_faults_that_do_not_pass_give_up_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("deepl") as server:
        server.faults += ["503"] * 10
        root = _site(tmp_path, "deepl", server)
        capsys.readouterr()
        assert _run(root) == 1
        err = capsys.readouterr().err
        assert "deepl: HTTP 503" in err and "gave up after 5 tries" in err
        # the run goes on without the engine: every catalog whole, nothing from the engine,
        # every post built with its source text
        po = polib.pofile(str(root / "locales/en/post.po"))
        assert len(po) > 0 and all(not e.msgstr for e in po)
        source = (root / "content" / "post.md").read_bytes()
        assert (root / "content" / "post.en.md").read_bytes() == source


def test_quota_exceeded_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("deepl") as server:
        server.faults.append("456")
        root = _site(tmp_path, "deepl", server)
        capsys.readouterr()
        assert _run(root) == 1
        assert "deepl: quota exceeded: Quota exceeded" in capsys.readouterr().err
        assert len(server.log) == 0, "nothing more is sent once the quota is spent"
        po = polib.pofile(str(root / "locales/en/post.po"))
        assert all(not e.msgstr for e in po), "the catalog is whole, with nothing invented"


def test_a_bad_key_names_the_variable_and_never_shows_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", "wrong-" + KEY)
    with FakeServer("deepl") as server:
        root = _site(tmp_path, "deepl", server)
        capsys.readouterr()
        assert _run(root) == 1
        captured = capsys.readouterr()
        assert "deepl: not authorized (the key in FAKE_MT_KEY)" in captured.err
        assert KEY not in captured.err + captured.out
    monkeypatch.delenv("FAKE_MT_KEY")
    assert _run(root) == 1
    assert "set the environment variable FAKE_MT_KEY" in capsys.readouterr().err


def test_amazon_signs_each_request_and_reads_errors_by_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("amazon") as server:
        server.faults += ["throttle", "throttle"]
        server.latency = 0.05
        root = _site(tmp_path, "amazon", server)
        assert _run(root) == 0  # throttled twice, retried, then every request signed right
        assert all(len(entry.texts) == 1 for entry in server.log)
        assert server.most_in_flight == 4  # one text a request: four requests at a time
        assert all(e.headers["Authorization"].startswith("AWS4-HMAC-SHA256") for e in server.log)
    monkeypatch.setenv("FAKE_MT_KEY", "wrong-" + KEY)
    with FakeServer("amazon") as server:
        root = _site(tmp_path / "again", "amazon", server)
        capsys.readouterr()
        assert _run(root) == 1
        err = capsys.readouterr().err
        assert "amazon: not authorized (the keys in FAKE_AWS_ACCESS_KEY_ID and FAKE_MT_KEY)" in err
        assert KEY not in err and not server.log


@pytest.mark.parametrize("fault", ["drop-tag", "leave-chinese"])
def test_a_bad_translation_is_retried_alone_then_kept_as_a_fuzzy_suggestion(
    fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("deepl") as server:
        server.faults += [fault] * 30
        root = _site(tmp_path, "deepl", server)
        _run(root)
        po = polib.pofile(str(root / "locales/en/post.po"))
        rejected = [e for e in po if "not published:" in e.tcomment]
        assert rejected and all("fuzzy" in e.flags for e in rejected)
        out = (root / "content" / "post.en.md").read_text("utf-8")
        assert " 中文" not in out, "a rejected suggestion is never published"
        retried_alone = [entry for entry in server.log if len(entry.texts) == 1]
        assert retried_alone


def test_dry_run_and_budget_send_and_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("deepl") as server:
        root = _site(tmp_path, "deepl", server)
        capsys.readouterr()
        assert _run(root, "--dry-run") == 0
        out = capsys.readouterr().out
        assert "dry run: nothing sent, nothing written" in out
        line = next(ln for ln in out.split("\n") if ln.startswith("deepl:"))
        assert " texts in 1 requests, " in line
        assert not server.log and not (root / "locales").exists()
        assert _run(root, "--max-chars", "100") == 1
        assert "over the budget of 100" in capsys.readouterr().err
        assert not server.log and not (root / "locales").exists()
        assert _run(root, "--max-chars", "100000") == 0
        assert server.log


def test_openai_reply_problems_are_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("openai") as server:
        server.faults += ["length", "missing-key"]
        root = _site(tmp_path, "openai", server)
        assert _run(root) == 0
        assert not server.faults
        po = polib.pofile(str(root / "locales/en/post.po"))
        assert all(e.msgstr for e in po)


def test_a_reply_one_row_off_is_caught_and_each_unit_asked_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An LLM that answers u1 with u2's translation and u2 with u1's: tags and numbers may
    well match (table cells), but each answer opens with its own text's first words."""
    from tests.fakes import fake_translate

    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("openai") as server:
        server.faults.append("swap")
        root = _site(tmp_path, "openai", server)
        (root / "content" / "post.md").write_text(
            "| 年份 | 月份 |\n|---|---|\n| 年份的数字 | 月份的数字 |\n", "utf-8"
        )
        assert _run(root) == 0
        first, *alone = server.log
        assert len(first.texts) == 4 and [len(e.texts) for e in alone] == [1, 1]
        assert sorted(t for e in alone for t in e.texts) == sorted(first.texts[:2])
        for entry in polib.pofile(str(root / "locales/en/post.po")):
            assert entry.msgstr == fake_translate(entry.msgid).strip() or entry.msgstr == (
                fake_translate(entry.msgid)
            )


def test_the_glossary_reaches_the_prompt_and_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("openai") as server:
        root = _site(tmp_path, "openai", server)
        (root / "translator.toml").write_text(
            'glossary = "glossary.csv"\n' + (root / "translator.toml").read_text()
        )
        (root / "glossary.csv").write_text(
            "source,target,locale\n私有云,private cloud,en\n容器,container\nKubernetes,\n"
        )
        assert _run(root) == 0
        prompts = [entry.body["messages"][0]["content"] for entry in server.log]
        assert any("私有云 = private cloud" in p and "容器 = container" in p for p in prompts)
        assert all(
            "私有云" in p
            for p, entry in zip(prompts, server.log, strict=True)
            if any("私有云" in t for t in entry.texts)
        )
        unit_prompt = json.loads(server.log[0].body["messages"][1]["content"])
        assert set(unit_prompt) == {f"u{i + 1}" for i in range(len(unit_prompt))}
        capsys.readouterr()
        # the fake engine ignores glossaries: the check says where
        assert (
            main(["check", "--root", str(root), "--fail-on", "glossary", str(root / "content")])
            == 1
        )
        err = capsys.readouterr().err
        assert (
            "locales/en/post.po:" in err and "ignores the glossary: 私有云 → private cloud" in err
        )


@pytest.mark.parametrize("provider_name", ["azure", "libretranslate", "google", "deepl"])
def test_engines_without_a_glossary_get_its_terms_as_placeholders(
    provider_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer(provider_name) as server:
        root = _site(tmp_path, provider_name, server)
        (root / "translator.toml").write_text(
            'glossary = "glossary.csv"\n' + (root / "translator.toml").read_text()
        )
        (root / "glossary.csv").write_text("私有云,private cloud,en\n波士顿,\n")
        assert _run(root) == 0
        sent = [t for t in server.texts if "<x id=" in t]
        assert server.texts and not any("私有云" in t or "波士顿" in t for t in server.texts)
        po = polib.pofile(str(root / "locales/en/post.po"))
        with_term = [e for e in po if "私有云" in e.msgid]
        assert with_term and all("private cloud" in e.msgstr for e in with_term)
        assert all("波士顿" in e.msgstr for e in po if "波士顿" in e.msgid)  # kept as it is
        assert not any("not published" in (e.tcomment or "") for e in with_term)  # passed checks
        assert sent  # the terms travelled as tags


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("g.toml", 'keep = ["Kubernetes"]\n[en]\n"容器" = "container"\n'),
        (
            "g.tbx",
            '<tbx><text><body><termEntry><langSet xml:lang="zh"><tig><term>容器</term></tig></langSet>'
            '<langSet xml:lang="en"><tig><term>container</term></tig></langSet></termEntry></body></text></tbx>',
        ),
        ("g.csv", "容器,container,en\n"),
    ],
)
def test_glossary_formats(name: str, text: str, tmp_path: Path) -> None:
    from translator.site.glossary import load_glossary

    (tmp_path / name).write_text(text)
    glossary = load_glossary(tmp_path / name, "zh")
    assert glossary.for_locale("en")["容器"] == "container"
    assert glossary.ignored("容器网络", "the container network", "en") == []
    assert glossary.ignored("容器网络", "the box network", "en") == [("容器", "container")]


def test_a_run_killed_mid_way_resumes_without_paying_twice(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    with FakeServer("openai") as server:
        server.latency = 0.3
        root = _site(tmp_path, "openai", server)
        env = {**os.environ, "FAKE_MT_KEY": KEY}
        cmd = [
            sys.executable,
            "-m",
            "translator",
            "translate",
            "--root",
            str(root),
            str(root / "content"),
        ]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while len(server.log) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        paid = list(server.texts)
        in_flight = set(server.log[-1].texts)  # answered, maybe never received: may go again
        assert 0 < len(server.log) < 5, "killed in the middle"
        po = root / "locales/en/post.po"
        assert not po.exists() or polib.pofile(str(po)) is not None  # old state or new, never half
        assert not list((root / "locales").rglob("*.tmp")) if (root / "locales").exists() else True
        server.latency = 0
        assert subprocess.run(cmd, env=env, capture_output=True).returncode == 0
        again = server.texts[len(paid) :]
        assert set(again) & set(paid) <= in_flight, "nothing received is paid for twice"
        assert all(e.msgstr for e in polib.pofile(str(po)))


def test_llm_prompts_carry_the_title_and_the_neighbouring_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("openai") as server:
        root = _site(tmp_path, "openai", server)
        assert _run(root) == 0
        systems = [entry.body["messages"][0]["content"] for entry in server.log]
        assert all("The post is titled: OpenStack Boston Summit直击" in s for s in systems)
        second = systems[1]
        assert "The text just before these (context only, not to translate):" in second
        assert "The text just after these" in systems[0]


@pytest.mark.parametrize(
    ("source", "output", "problem"),
    [
        ("2017年波士顿OpenStack Summit", "The 2017 OpenStack Summit in Boston", None),
        (
            "2017年波士顿OpenStack Summit",
            "The April 17th OpenStack Summit",
            "'2017' of the source is missing",
        ),
        ("接下去是director的topic", "Next came the director's talk", None),
        (
            "部署在Kuberneters的node上",
            "deployed on Kubernetes nodes",
            "'Kuberneters' of the source is missing",
        ),
        ("运行 <x1/> 命令", "Run the command", "tag <x1/> is missing"),
        ("运行 <x1/> 命令", "Run the <x1/> command。", "Chinese left in the translation: 。"),
        ("运行 <x1/> 命令", "   ", "empty translation"),
    ],
)
def test_machine_output_checks(source: str, output: str, problem: str | None) -> None:
    from translator.backends.checks import machine_problem

    assert machine_problem(source, output, cjk_target=False) == problem


@pytest.mark.parametrize(
    ("source", "output", "problem"),
    [
        (
            "2017年波士顿OpenStack Summit在Hynes会议中心如期举办",
            "The OpenStack Summit took place at Hynes on January 18, 2017.",
            "number 18 is not in the source",
        ),
        ("第二天的Keynote", "The day 2 keynote", None),
        ("几年前觉得AI是二十年以后的事", "AI felt 20 years away", None),
        (
            "重启容器后问题暂时消失",
            "After 3 restarts the problem went away",
            "number 3 is not in the source",
        ),
    ],
)
def test_machine_output_must_not_invent_numbers(
    source: str, output: str, problem: str | None
) -> None:
    from translator.backends.checks import machine_problem

    assert machine_problem(source, output, cjk_target=False) == problem


def test_the_estimate_is_what_each_provider_bills_within_ten_percent(
    provider: tuple[str, FakeServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """DeepL bills code points without tags, Google, Azure and Amazon everything sent,
    LibreTranslate nothing, a chat API tokens (approximate); a re-run bills nothing."""
    import re

    name, server = provider
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    root = _site(tmp_path, name, server)
    for corpus_post in sorted(CORPUS.glob("20*.md"))[:3]:
        shutil.copy(corpus_post, root / "content" / corpus_post.name)
    capsys.readouterr()
    assert _run(root, "--dry-run") == 0
    dry = re.search(
        rf"^{name}: .* ([\d,]+) (characters|tokens) billed", capsys.readouterr().out, re.M
    )
    assert dry is not None and not server.log, "a dry run sends nothing"
    assert _run(root) == 0
    out = capsys.readouterr().out
    line = re.search(rf"^{name}: billed ([\d,]+) (\w+) \(estimated ([\d,]+)\)$", out, re.M)
    if name == "libretranslate":  # self-hosted: nothing billed, nothing said
        assert line is None and server.billed == 0 and dry.group(1) == "0"
        return
    assert line is not None, out
    billed, estimated = (int(line.group(i).replace(",", "")) for i in (1, 3))
    assert billed == server.billed, "what the run says it was billed is what the provider billed"
    assert estimated == int(dry.group(1).replace(",", "")), "the dry run said the same"
    assert abs(estimated - billed) <= 0.1 * billed, (estimated, billed)
    requests, paid = len(server.log), server.billed
    assert _run(root) == 0
    assert len(server.log) == requests and server.billed == paid, "an unchanged re-run bills 0"


def test_a_reply_always_rejected_is_paid_for_once_over_three_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("deepl") as server:
        server.always = "drop-tag"  # every answer loses a tag: rejected, each time
        root = _site(tmp_path, "deepl", server)
        assert _run(root) == 1
        first = (len(server.log), server.billed)
        assert first[1] > 0
        assert "rejected: deepl: en:" in capsys.readouterr().err
        for _ in range(2):
            assert _run(root) == 1, "rejected units wait for a person: the run says so"
            assert (len(server.log), server.billed) == first, "nothing is paid for again"
        po = polib.pofile(str(root / "locales/en/post.po"))
        assert any("not published: tag" in e.tcomment for e in po)
        assert _run(root, "--retry-rejected") == 1
        assert len(server.log) > first[0], "--retry-rejected sends them again"


def test_a_reviewer_save_made_while_the_engine_works_survives_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run reads the catalog, waits on a slow engine, then writes: the reviewer's save
    in between is kept as the reviewer wrote it; the machine fills only what they left."""
    import threading

    monkeypatch.setenv("FAKE_MT_KEY", KEY)
    with FakeServer("deepl") as server:
        root = _site(tmp_path, "deepl", server)
        assert main(["extract", "--root", str(root), str(root / "content"), "--to", "en"]) == 0
        po_path = root / "locales/en/post.po"
        asked, reviewer_saved = threading.Event(), threading.Event()
        answer = server.handle

        def engine_at_work(*args: object) -> object:
            asked.set()  # the run has read the catalog and waits on the engine…
            reviewer_saved.wait(10)  # …which answers once the reviewer has saved
            return answer(*args)  # type: ignore[arg-type]

        server.handle = engine_at_work  # type: ignore[method-assign,assignment]
        done: list[int] = []
        run = threading.Thread(target=lambda: done.append(_run(root)))
        run.start()
        assert asked.wait(10)
        po = polib.pofile(str(po_path))
        once = [
            e for e in po if has_ideographs(e.msgid) and [x.msgid for x in po].count(e.msgid) == 1
        ]
        first, second = once[:2]
        first.msgstr = "The reviewer's own words, kept as written."
        second.msgstr, second.flags = "A reviewer's approved line.", []
        po.save()
        saved = {first.msgid: first.msgstr, second.msgid: second.msgstr}
        reviewer_saved.set()
        run.join(30)
        assert done == [0]
        after = polib.pofile(str(po_path))
        for msgid, text in saved.items():
            entry = after.find(msgid)
            assert entry is not None and entry.msgstr == text, "the person's text wins"
        others = [e for e in after if e.msgid not in saved and has_ideographs(e.msgid)]
        assert others and all("translated-by: deepl" in e.tcomment for e in others)
        assert "saved by someone while this run worked on it" in capsys.readouterr().err


def test_two_runs_on_one_site_take_turns(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from translator.site.files import site_locked

    site = tmp_path / "site"
    shutil.copytree(CORPUS.parent.parent.parent / "content", site / "content")
    said: list[str] = []
    with site_locked(site, said.append):
        other = subprocess.Popen(
            [sys.executable, "-m", "translator", "extract", "--root", str(site), "--to", "en"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)
        assert other.poll() is None, "it waits for the run that holds the site"
        assert not (site / "locales").exists()
    _out, err = other.communicate(timeout=60)
    assert other.returncode == 0, err
    assert "waiting for another translator run on this site: pid" in err
    assert (site / "locales/en").is_dir()
