from __future__ import annotations

import doctest

import pytest

from translator.markdown import cjk
from translator.markdown.cjk import join_lines, split_sentences


def test_doctests() -> None:
    assert doctest.testmod(cjk).failed == 0


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["借这个机", "会把"], "借这个机会把"),
        (["（veth", "pair）"], "（veth pair）"),
        (["使得预测值", "与真实值"], "使得预测值与真实值"),
        (["Hugo", "用 Go 编写"], "Hugo 用 Go 编写"),
        (["，", "English"], "，English"),
        (["Hugo", "。"], "Hugo。"),
        (["Hugo", "“引号”"], "Hugo “引号”"),
        (["ひらがな", "カタカナ"], "ひらがなカタカナ"),
        (["한국어", "문장"], "한국어 문장"),
        (["  缩进  ", "  行  "], "缩进行"),
    ],
)
def test_join_lines(lines: list[str], joined: str) -> None:
    assert join_lines(lines) == joined


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("第一句。第二句！第三句？", ["第一句。", "第二句！", "第三句？"]),
        ("“这是对的。”他说。", ["“这是对的。”他说。"]),
        ("他说：「好。」然后走了。", ["他说：「好。」然后走了。"]),
        ("书名《一。二》很长。下一句", ["书名《一。二》很长。", "下一句"]),
        ("真的吗？！是的。", ["真的吗？！", "是的。"]),
        ("版本 3.5 发布了。好", ["版本 3.5 发布了。", "好"]),
        ("列表：甲、乙、丙；然后", ["列表：甲、乙、丙；", "然后"]),
        ("见<x1>文档。</x1>下一句。", ["见<x1>文档。</x1>下一句。"]),
        ("取舍<x1/>。如果", ["取舍<x1/>。", "如果"]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences
    assert "".join(split_sentences(text)) == text
