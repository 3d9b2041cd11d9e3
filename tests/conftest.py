from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"
REPO = Path(__file__).resolve().parent.parent


def corpus_posts() -> list[Path]:
    return sorted(CORPUS.glob("*.md"))


def commonmark_examples() -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads((CORPUS / "commonmark.json").read_text("utf-8"))
    return data


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the user's model cache or MT keys."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    for name in (
        "DEEPL_AUTH_KEY",
        "OPENAI_API_KEY",
        "AZURE_TRANSLATOR_KEY",
        "GOOGLE_TRANSLATE_KEY",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def demo_site(tmp_path: Path) -> Path:
    """A copy of the repository's demo site (content/, locales/ and its build records in
    .translator/) in a temporary folder."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copytree(REPO / "content", site / "content")
    for folder in ("locales", ".translator"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, site / folder)
    return site


@pytest.fixture
def chdir(monkeypatch: pytest.MonkeyPatch):
    def go(path: Path) -> Path:
        monkeypatch.chdir(path)
        return path

    return go


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Under CI=true a skipped test fails: CI installs everything the tests need."""
    report = yield
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {report.longrepr}"
    return report
