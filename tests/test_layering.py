from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import translator

PACKAGE = Path(translator.__file__).parent

# The stages in the order data flows (see ARCHITECTURE.md): a module may import its own
# stage and the stages before it, never one after it. Each entry: a stage and the modules
# (or packages) it holds; a new module must be placed here.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("errors", ("translator", "translator.errors", "translator.named_tuple")),
    ("markdown", ("translator.markdown",)),
    ("site", ("translator.site",)),
    ("catalogs", ("translator.catalogs",)),
    ("backends", ("translator.backends",)),
    (
        "use cases",
        (
            "translator.context",
            "translator.extract",
            "translator.build",
            "translator.fill",
            "translator.translate",
            "translator.check",
            "translator.status",
            "translator.jobs",
        ),
    ),
    ("cli", ("translator.cli", "translator.__main__")),
]
QUEUE = {"celery", "redis", "kombu", "workers"}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module ``name`` imports, anywhere in it (lazy imports too), as absolute names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:  # "from . import syntax" imports a submodule
                submodule = f"{module}.{alias.name}"
                found.add(submodule if submodule in known else module)
    return found


def stage_of(module: str) -> int:
    for index, (_stage, members) in enumerate(STAGES):
        for member in members:
            if module == member or (member != "translator" and module.startswith(member + ".")):
                return index
    raise AssertionError(f"{module} is in no stage: add it to STAGES (and ARCHITECTURE.md)")


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_core_is_queue_free() -> None:
    probe = (
        "import sys, translator.cli, translator.jobs;"
        "print(sorted({'celery', 'redis', 'kombu', 'workers'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api_is_exactly() -> None:
    assert set(translator.__all__) == {"TranslatorError", "__version__"}


def test_core_never_imports_the_queue() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        for target in sorted(targets)
        if target.split(".")[0] in QUEUE
    ]
    assert wrong == []


def test_stages_import_only_earlier_stages() -> None:
    wrong = []
    for name, targets in graph().items():
        for target in sorted(targets):
            if target.split(".")[0] != "translator":
                continue
            if stage_of(target) > stage_of(name):
                wrong.append(
                    f"{name} ({STAGES[stage_of(name)][0]}) imports {target} "
                    f"({STAGES[stage_of(target)][0]})"
                )
    assert wrong == []


def test_no_import_cycles() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done or name not in edges:
            return
        for target in sorted(edges[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(edges):
        visit(name, [])


def test_stage_packages_stay_light() -> None:
    """A stage package's ``__init__`` imports nothing (start-up time): each module is
    imported by name, where it is used."""
    for package in ("markdown", "site", "catalogs"):
        tree = ast.parse((PACKAGE / package / "__init__.py").read_text("utf-8"))
        assert ast.get_docstring(tree), package
        assert not [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], package


# yaml: the demo site's _config.yml names nothing the reading depends on, so it is not parsed;
# dataclasses: it imports inspect (with ast, dis and tokenize), a fifth of a check's time, so
# the records these commands read are named tuples and plain classes; typing: a twentieth of
# it, so those named tuples are translator.named_tuple's
HEAVY = (
    "markdown_it", "babel", "rich", "httpx", "tomlkit", "yaml", "click", "dataclasses",
    "inspect", "typing", "translator.backends",
)  # fmt: skip


@pytest.mark.parametrize("command", ["check", "status"])
def test_check_and_status_of_an_unchanged_site_import_no_parser_nor_backend(
    demo_site: Path, command: str
) -> None:
    """A hash-only check, or the status table from the build records, needs those records
    and the files' hashes, nothing else: a pre-commit hook or a CI check pays for what it
    uses (the timing is bench/startup.py's)."""
    # -S: without site's hooks, which import modules of their own (typing among them) on
    # some machines; so also without site-packages: these two commands need none of them
    run = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-m", "translator", command, "--root",
         str(demo_site)],
        capture_output=True,
        text=True,
        cwd=demo_site,
        env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    imported = {
        line.split("|")[-1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY or m.startswith(HEAVY))
    assert heavy == []
