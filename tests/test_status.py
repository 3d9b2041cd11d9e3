"""``translator status``: the table, ``--json`` and ``--markdown`` (a pull request's body)
tell the same numbers, per post and locale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polib
import pytest

from translator.cli import main
from translator.cli.report import code

A = "---\ntitle: 你好\n---\n\n第一段。\n"
B = (
    "---\ntitle: 升级笔记\n---\n\n第一步：备份数据库。\n\n第二步：运行 `nova-manage db sync`。\n\n"
    "详见[官方文档](https://docs.openstack.org)。\n\n最后重启2台服务器。\n"
)


def _site(root: Path) -> Path:
    """Two posts: ``a`` reviewed in full; ``b`` machine-translated, then one entry approved,
    one rejected by the checks, one a reviewer broke (its tags), one emptied."""
    (root / "content").mkdir(parents=True)
    (root / "content" / "a.md").write_text(A, "utf-8")
    (root / "content" / "b.md").write_text(B, "utf-8")
    (root / "translator.toml").write_text('locales = ["en"]\n')
    assert (
        main(["translate", "--root", str(root), str(root / "content"), "--backend", "pseudo"]) == 0
    )
    a = polib.pofile(str(root / "locales/en/a.po"))
    for entry in a:
        entry.msgstr, entry.flags = "Hello", []
    a.save()
    b = polib.pofile(str(root / "locales/en/b.po"))
    title = b.find("升级笔记")
    rejected = b.find("最后重启2台服务器。")
    broken = b.find("详见<x1>官方文档</x1>。")
    emptied = b.find("第一步：备份数据库。")
    assert title and rejected and broken and emptied
    title.msgstr, title.flags = "Upgrade notes", []
    rejected.tcomment += "\nnot published: the number 2 is missing"
    broken.msgstr, broken.flags = "See the docs.", []
    emptied.msgstr, emptied.flags = "", []
    b.save()
    assert main(["build", "--root", str(root), str(root / "content")]) == 1  # the broken entry
    return root


def _status(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["status", "--root", str(root), str(root / "content"), *args])
    return code, capsys.readouterr().out


def _line(root: Path, msgid: str) -> int:
    lines = (root / "locales/en/b.po").read_text("utf-8").split("\n")
    return next(i for i, text in enumerate(lines, 1) if text == f'msgid "{msgid}"')


def test_markdown_lists_what_waits_and_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _site(tmp_path)
    code_, out = _status(root, capsys, "--markdown")
    assert code_ == 0
    rejected, broken = _line(root, "最后重启2台服务器。"), _line(root, "详见<x1>官方文档</x1>。")
    assert out == (
        "**2 post translations (1 reviewed in full, not listed)**: 3 reviewed, 1 machine, "
        "1 rejected, 1 broken, 1 untranslated; 28 words to review; 2 problems.\n"
        "\n"
        "| post | locale | reviewed | machine | stale | suggested | rejected | broken "
        "| untranslated | words to review | problems |\n"
        "|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
        "| `content/b.md` | en | 1 | 1 | 0 | 0 | 1 | 1 | 1 | 28 | 2 |\n"
        "\n"
        "Problems:\n"
        "\n"
        f'- `locales/en/b.po:{broken}: entry "详见<x1>官方文档</x1>。": tag <x1> is missing; '
        "the source text is used`\n"
        f'- `locales/en/b.po:{rejected}: entry "最后重启2台服务器。": not published: the number '
        "2 is missing`\n"
    )


def test_markdown_table_and_json_tell_the_same_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _site(tmp_path)
    rows = json.loads(_status(root, capsys, "--json")[1])
    b = next(row for row in rows if row["post"] == "content/b.md")
    assert b["entries"] == {
        "reviewed": 1,
        "machine": 1,
        "stale": 0,
        "suggested": 0,
        "rejected": 1,
        "broken": 1,  # a person's translation the build cannot use: never also "reviewed"
        "untranslated": 1,
    }
    assert sum(n for state, n in b["words"].items() if state != "reviewed") == 28
    assert len(b["problems"]) == 2 and b["problems"][1].endswith("the number 2 is missing")
    table = _status(root, capsys)[1]
    row = next(line for line in table.split("\n") if "b.md" in line)
    cells = [cell.strip() for cell in row.split("│")[3:-1]]
    assert " ".join(cells) == "1 1 0 0 1 1 1 28 2"
    markdown = _status(root, capsys, "--markdown")[1]
    assert "| `content/b.md` | en | 1 | 1 | 0 | 0 | 1 | 1 | 1 | 28 | 2 |" in markdown
    # once every entry is approved and whole, nothing is listed, only counted
    po = polib.pofile(str(root / "locales/en/b.po"))
    fixed = {
        "详见<x1>官方文档</x1>。": "See <x1>the docs</x1>.",
        "最后重启2台服务器。": "Restart 2.",
        "第二步：运行 <x1/>。": "Step 2: run <x1/>.",
    }
    for entry in po:
        entry.msgstr = fixed.get(entry.msgid, entry.msgstr) or "Back up the database."
        entry.flags, entry.tcomment = [], ""
    po.save()
    assert main(["build", "--root", str(root), str(root / "content")]) == 0
    assert _status(root, capsys, "--markdown") == (
        0,
        "**2 post translations (2 reviewed in full, not listed)**: 7 reviewed; "
        "0 words to review; 0 problems.\n",
    )


def test_markdown_names_a_post_without_catalog_and_unreadable_ones(
    tmp_path: Path, chdir, capsys: pytest.CaptureFixture[str]
) -> None:
    chdir(tmp_path)
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(A, "utf-8")
    (tmp_path / "translator.toml").write_text('locales = ["en"]\n')
    assert _status(tmp_path, capsys, "--markdown") == (
        0,
        "**1 post translation**: no entries; 0 words to review; 1 without a catalog; "
        "0 problems.\n"
        "\n"
        "| post | locale | reviewed | machine | stale | suggested | rejected | broken "
        "| untranslated | words to review | problems |\n"
        "|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
        "| `content/a.md` | en | — | — | — | — | — | — | — | — | no catalog |\n",
    )
    (tmp_path / "locales/en").mkdir(parents=True)
    (tmp_path / "locales/en/a.po").write_text('msgid "x\n')
    code_, out = _status(tmp_path, capsys, "--markdown")
    assert code_ == 2
    assert out.startswith("**0 post translations**: no entries; 0 words to review; 1 problem.\n")
    assert out.endswith(
        "\nProblems:\n\n- `locales/en/a.po:1: PO syntax error: unterminated string`\n"
    )
    assert main(["status", "--json", "--markdown", "--root", str(tmp_path)]) == 2


def test_code_spans_hold_any_text() -> None:
    assert code("a.md") == "`a.md`"
    assert code("<x1/> and `x`") == "`` <x1/> and `x` ``"
    assert code("`x`") == "`` `x` ``"
    assert code("a``b") == "```a``b```"


def test_status_json_of_an_unchanged_site_comes_from_what_was_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second --json parses no catalog: rows come from the cache, by catalog and build."""
    from translator.catalogs import po

    root = _site(tmp_path)
    first = _status(root, capsys, "--json")[1]
    parsed: list[object] = []
    real = po.parse_catalog

    def counted(*args: Any) -> Any:
        parsed.append(args)
        return real(*args)

    monkeypatch.setattr(po, "parse_catalog", counted)
    assert _status(root, capsys, "--json")[1] == first
    assert _status(root, capsys)[0] == 0
    assert parsed == [], "nothing parsed: the table from the records, --json from the cache"


def test_the_table_lines_up_chinese_post_names(capsys: pytest.CaptureFixture[str]) -> None:
    from translator.catalogs.states import STATES
    from translator.cli.review import render_table
    from translator.status import Row

    counts = {s.value: 1 for s in STATES}
    render_table(
        [
            Row("content/升级笔记.md", "en", "locales/en/升级笔记.po", counts, {"machine": 12}),
            Row("content/a-much-longer-name.md", "ja", "locales/ja/a.po"),
        ]
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Translation status"
    bars = [[i for i, c in enumerate(_columns(line)) if c in "│┼├┤"] for line in lines[1:]]
    assert len({tuple(b) for b in bars}) == 1, "\n".join(lines)  # every bar in its column
    assert [cell.strip() for cell in lines[3].split("│")[-3:-1]] == ["12", "0"]
    assert "no catalog" in lines[4]


def _columns(line: str) -> str:
    """``line`` as a terminal shows it: a wide (Chinese) character takes two columns."""
    import unicodedata

    return "".join(c * (2 if unicodedata.east_asian_width(c) in "WF" else 1) for c in line)
