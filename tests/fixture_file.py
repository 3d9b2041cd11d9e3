"""Read ``.``-separated fixture files: a title line, then sections each closed by ``.``."""

from __future__ import annotations

from pathlib import Path


def read_cases(path: Path, sections: int) -> list[tuple[str, list[str]]]:
    """Return ``(title, [section, ...])`` for every case in ``path``."""
    lines = path.read_text("utf-8").split("\n")
    cases: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title = lines[i]
        assert lines[i + 1] == ".", f"{path}:{i + 2}: expected '.' after the title"
        i += 2
        parts: list[str] = []
        for _ in range(sections):
            start = i
            while lines[i] != ".":
                i += 1
            parts.append("\n".join(lines[start:i]))
            i += 1
        cases.append((title, parts))
    return cases
