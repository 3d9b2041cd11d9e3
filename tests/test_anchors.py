"""A translated heading keeps the id its generator derived from the source's text, in the
dialect's own syntax (or, with anchors = "translate", the links follow the new ids)."""

from __future__ import annotations

import pytest

from translator.markdown.dialects import Reading, dialect_named

from .roundtrip import build, segment


def _english(markdown: str, dialect: str, anchors: str = "keep") -> str:
    seg = segment(markdown.encode(), reading=Reading(dialect_named(dialect), anchors=anchors))
    out, result = build(
        seg,
        lambda text: {"标题": "Title", "三级": "Third", "2024 回顾": "2024 Review"}.get(text, text),
    )
    assert result.problems == []
    return out.decode()


@pytest.mark.parametrize(
    ("dialect", "source", "english"),
    [
        ("kramdown", "## 标题\n", "## Title {#标题}\n"),
        ("goldmark", "## 标题\n", "## Title {#标题}\n"),
        ("gfm", "## 标题\n", "## Title\n"),  # no syntax for an explicit id: links follow
        ("kramdown", "## 标题 ##\n", "## Title ## {#标题}\n"),
        ("goldmark", "标题\n===\n", "Title {#标题}\n===\n"),
        ("goldmark", "### 三级 {.small}\n", "### Third {#三级 .small}\n"),
        ("kramdown", "## 标题\n{: #own}\n", "## Title\n{: #own}\n"),
        ("goldmark", "## 标题 {#own}\n", "## Title {#own}\n"),
        ("kramdown", "## 2024 回顾\n", "## 2024 Review\n"),  # not an XML name: kramdown shows it
        ("goldmark", "## 标题\n\n## 标题\n", "## Title {#标题}\n\n## Title {#标题-1}\n"),
    ],
)
def test_a_translated_heading_keeps_its_id(dialect: str, source: str, english: str) -> None:
    assert _english(source, dialect) == english


def test_on_a_gfm_site_the_links_follow_the_headings() -> None:
    """GFM has no syntax for an explicit id: the only way to keep a link working."""
    assert _english("见[上文](#标题)。\n\n## 标题\n", "gfm") == "见[上文](#title)。\n\n## Title\n"


def test_with_anchors_translate_the_links_follow_the_headings() -> None:
    source = "见[上文](#标题)。\n\n## 标题\n\n```\n[x](#标题)\n```\n\n[ref]: #标题\n"
    english = _english(source, "goldmark", "translate")
    assert english.startswith("见[上文](#title)。\n\n## Title\n")
    assert "```\n[x](#标题)\n```" in english  # code is code
    assert english.endswith("[ref]: #title\n")
