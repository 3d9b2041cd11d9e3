from __future__ import annotations

import pytest

from translator.markdown.dialects import Reading, dialect_named

from .conftest import FIXTURES
from .fixture_file import read_cases
from .roundtrip import segment

CASES = read_cases(FIXTURES / "segmenter.md", 2)
# units/<dialect>.md: the same cases, read in that dialect (units/goldmark+emoji.md: with
# the dialect's option "emoji" on)
DIALECT_CASES = [
    (f"{path.stem}: {title}", (path.stem, *sections))
    for path in sorted((FIXTURES / "units").glob("*.md"))
    for title, sections in read_cases(path, 2)
]


@pytest.mark.parametrize(("markdown", "expected"), [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_units(markdown: str, expected: str) -> None:
    seg = segment(markdown.encode() + b"\n")
    got = [f"{u.kind} {'T' if u.needs_translation else '-'} {u.text}" for u in seg.units]
    assert got == [line for line in expected.split("\n") if line]


@pytest.mark.parametrize(
    ("dialect", "markdown", "expected"),
    [c[1] for c in DIALECT_CASES],
    ids=[c[0] for c in DIALECT_CASES],
)
def test_units_in_each_dialect(dialect: str, markdown: str, expected: str) -> None:
    name, *options = dialect.split("+")  # goldmark+emoji: Goldmark with emoji on
    reading = Reading(dialect_named(name, **dict.fromkeys(options, True)))
    seg = segment(markdown.encode() + b"\n", reading=reading)
    got = [f"{u.kind} {'T' if u.needs_translation else '-'} {u.text}" for u in seg.units]
    assert got == [line for line in expected.split("\n") if line]


def test_units_carry_the_source_span_they_replace() -> None:
    data = "---\ntitle: 标题\n---\n\n> 第一行\n> 第二行\n".encode()
    seg = segment(data)
    quote = seg.units[-1]
    assert seg.post.text[quote.start : quote.end] == "第一行\n> 第二行"
    assert quote.line == 5
    assert seg.units[0].context == "title" and seg.units[0].line == 2


def test_cjk_join_is_noted_only_where_it_matters() -> None:
    seg = segment("甲乙\n丙丁\n\nfoo\nbar\n".encode())
    assert [u.joined for u in seg.units] == [True, False]


def test_sentence_splitting_is_quote_aware_and_optional() -> None:
    data = "他说：「好。」然后走了。我们留下！还有<b>一句。</b>\n".encode()
    assert segment(data).units[0].sentences == ()
    units = segment(data, split=True).units
    assert units[0].sentences == ("他说：「好。」然后走了。", "我们留下！", "还有<x1/>一句。<x2/>")
