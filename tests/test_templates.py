"""Template tags: the arguments a site names are translated in place, every other byte of
the tag is kept; block tags that hold code are never text."""

from __future__ import annotations

from translator.markdown.dialects import Reading

from .roundtrip import build, segment

READING = Reading(
    template_arguments=(
        ("include", ("caption",)),
        ("default", ("0",)),
        ("note", ("1",)),
        ("alert", ("0",)),
    )
)
SOURCE = (
    '{% include card.html caption="卡片说明" %}\n\n'
    '作者：{{ page.editor | default: "佚名" }}。\n\n'
    "{% note warning 提示 %}\n内容。\n{% endnote %}\n\n"
    '{{< alert "注意" >}}\n'
)


def test_the_named_arguments_are_units() -> None:
    units = segment(SOURCE.encode(), reading=READING).units
    assert [(u.kind, u.text) for u in units] == [
        ("include caption", "卡片说明"),
        ("paragraph", "作者：<x1/>。"),
        ("default 0", "佚名"),
        ("note 1", "提示"),
        ("paragraph", "内容。"),
        ("alert 0", "注意"),
    ]


def test_a_translated_argument_keeps_its_tag_working() -> None:
    english = {
        "卡片说明": 'The "card"',
        "作者：<x1/>。": "By <x1/>.",
        "佚名": "anonymous",
        "提示": "A tip",
        "内容。": "Text.",
        "注意": "Note",
    }
    out, result = build(segment(SOURCE.encode(), reading=READING), english.get)
    assert result.problems == []
    assert out.decode() == (
        '{% include card.html caption="The \u201dcard\u201d" %}\n\n'
        'By {{ page.editor | default: "anonymous" }}.\n\n'
        '{% note warning "A tip" %}\nText.\n{% endnote %}\n\n'
        '{{< alert "Note" >}}\n'
    )


def test_no_argument_is_translated_unless_the_site_names_it() -> None:
    units = segment(SOURCE.encode()).units
    assert [u.text for u in units] == ["作者：<x1/>。", "内容。"]
