"""Run a GitHub Actions workflow's shell steps here, as the runner would: the workflow file
is read from disk (what ships, not a copy), each ``run:`` step goes to
``bash --noprofile --norc -eo pipefail`` (``shell: bash``) with the environment the
workflow gives it (``${{ }}`` in ``env:`` and ``if:`` evaluated over the contexts the test
provides), ``GITHUB_OUTPUT`` is read back into ``steps.<id>.outputs``, and the first step
that fails stops the job. Steps that ``uses:`` an action (checkout, setup-python, cache,
create-pull-request) are GitHub's: they are skipped, and the test plays their part.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # GitHub's `shell: bash`
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_LENIENT = {"secrets", "vars", "steps"}  # an unset name there is "", as on GitHub


def load(path: Path) -> dict[str, Any]:
    """The workflow as data; YAML 1.1 reads the key ``on`` as true, GitHub as ``on``."""
    data: dict[Any, Any] = yaml.safe_load(path.read_text("utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def _operand(token: str, contexts: dict[str, Any]) -> Any:
    token = token.strip()
    if token.startswith("'") and token.endswith("'"):
        return token[1:-1]
    if token in ("always()", "success()"):
        return True
    root, *names = token.split(".")
    if root not in contexts:
        raise AssertionError(f"the test gives no context {root!r} (in {token!r})")
    value = contexts[root]
    for name in names:
        if isinstance(value, dict) and name in value:
            value = value[name]
        elif root in _LENIENT:
            return ""  # GitHub's null: an unset secret or variable, a step that did not run
        else:
            raise AssertionError(f"the test gives no {token!r}")
    return value


def _comparison(text: str, contexts: dict[str, Any]) -> Any:
    for operator in ("!=", "=="):
        if operator in text:
            left, right = text.split(operator)
            same = str(_operand(left, contexts)) == str(_operand(right, contexts))
            return same if operator == "==" else not same
    return _operand(text, contexts)


def evaluate(expression: str, contexts: dict[str, Any]) -> Any:
    """``a || b``, ``a && b``, ``x == 'y'``, ``x != 'y'``, names and literals: what the
    workflows here use, with GitHub's meaning (``||`` gives the first truthy operand)."""
    value: Any = ""
    for alternative in expression.split("||"):
        for term in alternative.split("&&"):
            value = _comparison(term, contexts)
            if not value:
                break
        if value:
            return value
    return value


def substitute(text: str, contexts: dict[str, Any]) -> str:
    return _EXPRESSION.sub(lambda m: str(evaluate(m.group(1), contexts)), text)


@dataclass
class StepRun:
    id: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class Job:
    """One job of a workflow, run in ``workspace`` with ``secrets`` and ``vars``."""

    workflow: Path
    name: str
    workspace: Path
    temp: Path
    secrets: dict[str, str] = field(default_factory=dict)
    vars: dict[str, str] = field(default_factory=dict)
    base_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data = load(self.workflow)
        self.job = self.data["jobs"][self.name]
        self.summary = self.temp / "step-summary.md"
        self.summary.touch()

    def steps(self) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = self.job["steps"]
        return steps

    def run(
        self,
        *,
        skip: frozenset[str] = frozenset(),
        only: frozenset[str] | None = None,
        outputs: dict[str, dict[str, str]] | None = None,
    ) -> list[StepRun]:
        """Run the shell steps in order (but those whose id, or name, is in ``skip``, or
        every one not in ``only``), until one fails; ``outputs`` stand for earlier steps'."""
        done: list[StepRun] = []
        steps = {key: {"outputs": value} for key, value in (outputs or {}).items()}
        for index, step in enumerate(self.steps()):
            step_id = str(step.get("id") or step.get("name") or f"step{index}")
            if "uses" in step or step_id in skip or (only is not None and step_id not in only):
                continue
            contexts = self._contexts(steps)
            if "if" in step and not evaluate(str(step["if"]), contexts):
                continue
            result = self._step(step_id, step, contexts)
            if "id" in step:  # only a step with an id is seen by the ones after it
                steps[str(step["id"])] = {"outputs": result.outputs}
            done.append(result)
            if result.returncode != 0:
                break
        return done

    def _contexts(self, steps: dict[str, Any]) -> dict[str, Any]:
        contexts: dict[str, Any] = {
            "secrets": self.secrets,
            "vars": self.vars,
            "steps": steps,
            "env": {},
            "runner": {"temp": str(self.temp)},
            "github": {"sha": "0" * 40},
        }
        for level in (self.data, self.job):  # the workflow's env, then the job's
            for key, value in level.get("env", {}).items():
                contexts["env"][key] = substitute(str(value), contexts)
        return contexts

    def _step(self, step_id: str, step: dict[str, Any], contexts: dict[str, Any]) -> StepRun:
        script = str(step["run"])
        assert "${{" not in script, f"step {step_id}: a run block reads only its environment"
        output = self.temp / f"output-{step_id}"
        output.write_text("")
        env = {
            **self.base_env,
            **contexts["env"],
            **{k: substitute(str(v), contexts) for k, v in step.get("env", {}).items()},
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_WORKSPACE": str(self.workspace),
            "RUNNER_TEMP": str(self.temp),
        }
        path = self.temp / f"step-{step_id}.sh"
        path.write_text(script)
        proc = subprocess.run(
            [*SHELL, str(path)], cwd=self.workspace, env=env, capture_output=True, text=True
        )
        pairs = (line.partition("=") for line in output.read_text().splitlines() if line)
        return StepRun(
            step_id, proc.returncode, proc.stdout, proc.stderr, {k: v for k, _, v in pairs}
        )


def runner_env(bin_dir: Path) -> dict[str, str]:
    """What a runner's shell has that matters here: PATH (with ``bin_dir`` first), HOME."""
    keep = ("HOME", "PYTHONPATH", "XDG_CACHE_HOME", "LANG", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    return env
