"""Front matter: only the translated values' lines change, and every value still parses."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from translator.markdown.document import parse_post
from translator.markdown.front_matter import find_fields
from translator.markdown.reassembler import assemble
from translator.markdown.segmenter import segment_post

from .conftest import FIXTURES

KEYS = (
    "title",
    "subtitle",
    "description",
    "summary",
    "excerpt",
    "cover.alt",
    "flow.alt",
    "params.summary",
)
# Translations chosen to need new quoting: colons, quotes, '#', leading dash, YAML booleans.
TRANSLATIONS = {
    "峰会直击": "Summit: Day 1",
    "第一天": "It's day #1",
    "开幕式：主题演讲": 'Opening: the "keynote"',
    "本文梳理了 Docker 的几种网络模式，介绍如何选择。": "- a dash first, then: colons",
    "第一行\n第二行": "first line\nsecond line",
    "首页截图": "yes",
    "流式映射": "a, b {c}",
    "参数里的摘要": "summary 'in' params",
}


def _data(text: str, kind: str) -> dict[str, Any]:
    block = text.split("---\n" if kind == "yaml" else "+++\n")[1]
    data = yaml.safe_load(block) if kind == "yaml" else tomllib.loads(block)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", ["yaml-styles.md", "toml-styles.md"])
def test_only_translated_lines_change_and_values_parse(name: str) -> None:
    data = (FIXTURES / "front_matter" / name).read_bytes()
    post = parse_post(data, Path(name))
    seg = segment_post(post, KEYS)
    fields = find_fields(post, KEYS)
    assert {f.text for f in fields} <= set(TRANSLATIONS)
    result = assemble(seg, lambda text, _ctx: TRANSLATIONS.get(text))
    assert result.problems == []
    kind = "yaml" if name.startswith("yaml") else "toml"
    before, after = _data(post.text, kind), _data(result.text, kind)

    def get(d: dict[str, Any], path: str) -> Any:
        for part in path.split("."):
            d = d[part]
        return d

    for field in fields:
        expected = TRANSLATIONS[field.text]
        got = get(after, field.path)
        assert got.rstrip("\n") == expected, field.path
    # everything else is the same data…
    for key in set(before) - {
        "title",
        "subtitle",
        "description",
        "summary",
        "excerpt",
        "cover",
        "flow",
        "params",
    }:
        assert after[key] == before[key]
    # …and the same bytes: only lines holding a translated value differ
    translated_lines: set[int] = set()
    for field in fields:
        end_line = (
            field.line + post.text[field.start : field.end].rstrip("\n").count("\n")
            if field.start >= 0
            else field.line + 1
        )
        translated_lines.update(range(field.line, end_line + 1))
    old_lines = post.text.split("\n")
    new_lines = result.text.split("\n")
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag != "equal":
            touched = set(range(i1 + 1, i2 + 1))
            assert touched <= translated_lines, (tag, old_lines[i1:i2])


def test_plain_style_is_kept_where_still_valid() -> None:
    data = "---\ntitle: 峰会直击\nsubtitle: '第一天'\n---\n".encode()
    seg = segment_post(parse_post(data, Path("p.md")), KEYS)
    out = assemble(
        seg, lambda text, _ctx: {"峰会直击": "Summit day one", "第一天": "Day one"}[text]
    ).text
    assert out == "---\ntitle: Summit day one\nsubtitle: 'Day one'\n---\n"


def test_dates_numbers_booleans_and_unnamed_keys_are_never_units() -> None:
    data = (FIXTURES / "front_matter" / "yaml-styles.md").read_bytes()
    paths = {
        f.path
        for f in find_fields(parse_post(data, Path("p.md")), (*KEYS, "date", "draft", "weight"))
    }
    assert "date" not in paths and "draft" not in paths and "weight" not in paths
    assert "tags[0]" not in paths and "slug" not in paths


def test_a_named_list_yields_one_unit_per_item() -> None:
    data = (FIXTURES / "front_matter" / "yaml-styles.md").read_bytes()
    paths = [f.path for f in find_fields(parse_post(data, Path("p.md")), ("tags",))]
    assert paths == ["tags[0]", "tags[1]"]


@pytest.mark.parametrize("opening", ["---\n\n", "---  \n\t\n", "----\n\n"])
def test_a_post_that_opens_with_a_thematic_break_has_no_front_matter(opening: str) -> None:
    """``---`` then a blank line, never closed: a thematic break (Jekyll shows it as <hr>)."""
    post = parse_post(f"{opening}正文。\n\n更多。\n".encode(), Path("a.md"))
    assert post.front_matter is None
    assert post.body == post.text
