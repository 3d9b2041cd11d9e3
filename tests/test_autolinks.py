"""A bare URL the generator links stays linked, and the same link, in the translation."""

from __future__ import annotations

import pytest

from translator.markdown import syntax
from translator.markdown.dialects import Reading, dialect_named

from .roundtrip import build, segment


@pytest.mark.parametrize("dialect", ["gfm", "goldmark"])
@pytest.mark.parametrize(
    ("translation", "english"),
    [
        ("See <x1/>.", "See https://example.com/a."),
        ("See<x1/>for details", "See https://example.com/a for details"),
        ("(<x1/>)", "(https://example.com/a)"),
        ("⟦<x1/>⟧", "⟦ https://example.com/a ⟧"),
    ],
)
def test_a_linked_url_keeps_the_spaces_its_link_needs(
    dialect: str, translation: str, english: str
) -> None:
    reading = Reading(dialect_named(dialect))
    seg = segment("详见 https://example.com/a 。\n".encode(), reading=reading)
    assert seg.units[0].text == "详见 <x1/> 。"
    out, result = build(seg, lambda _text: translation)
    assert result.problems == []
    assert out.decode() == english + "\n"
    html = syntax.renderer(reading.dialect).render(out.decode())
    assert '<a href="https://example.com/a">https://example.com/a</a>' in html
