"""Text in HTML is translated with its tags and attributes protected, and written back
escaped for HTML."""

from __future__ import annotations

from translator.markdown.dialects import PLAIN, Reading

from .roundtrip import build, segment


def _build(markdown: str, translations: dict[str, str], reading: Reading = PLAIN) -> str:
    seg = segment(markdown.encode(), reading=reading)
    out, result = build(seg, translations.get)
    assert result.problems == []
    return out.decode()


def test_a_translation_is_escaped_for_html() -> None:
    english = _build(
        '<p>甲 <a href="/x">乙</a></p>\n\n<img alt="图" title=\'标题\' src=/y.png>\n',
        {
            "甲 <x1>乙</x1>": "A < B & C &amp; <x1>D</x1>",
            "图": 'a "quoted" figure',
            "标题": "it's",
        },
    )
    assert english == (
        '<p>A &lt; B & C &amp;amp; <a href="/x">D</a></p>\n\n'
        "<img alt=\"a &quot;quoted&quot; figure\" title='it&#39;s' src=/y.png>\n"
    )


def test_an_unquoted_attribute_value_is_quoted_when_translated() -> None:
    assert _build("<img alt=图 src=/y.png>\n", {"图": "a figure"}) == (
        '<img alt="a figure" src=/y.png>\n'
    )


def test_comments_are_kept_unless_the_site_translates_them() -> None:
    source = "<!-- 作者的备注 -->\n\n段落<!-- 行内备注 -->。\n"
    assert [u.text for u in segment(source.encode()).units] == ["段落<x1/>。"]
    reading = Reading(translate_comments=True)
    units = segment(source.encode(), reading=reading).units
    assert [u.text for u in units] == ["作者的备注", "段落<x1/>。", "行内备注"]
    english = _build(source, {"作者的备注": "a -- note", "行内备注": "inline"}, reading)
    assert english == "<!-- a - - note -->\n\n段落<!-- inline -->。\n"


def test_which_attributes_are_translated_is_a_setting() -> None:
    source = '<input placeholder="搜索" data-hint="提示" aria-label="搜索框">\n'
    assert [u.text for u in segment(source.encode()).units] == ["搜索", "搜索框"]
    reading = Reading(html_attributes=("data-hint",))
    assert [u.text for u in segment(source.encode(), reading=reading).units] == ["提示"]
