"""Texts inside a tag (alt texts, titles) are published wherever the tag stands: inside a
translated unit, or on its own (an image alone in its paragraph, a reference definition)."""

from __future__ import annotations

from pathlib import Path

from translator.cli import main

from .roundtrip import build, segment


def test_an_image_alone_in_its_paragraph_is_translated(tmp_path: Path, chdir) -> None:
    chdir(tmp_path)
    (tmp_path / "content").mkdir()
    post = tmp_path / "content" / "a.md"
    post.write_text(
        '---\ntitle: 图\n---\n\n![效果对比](/images/x.png "标题")\n\n'
        '![只有替代文字](/images/y.png){: width="600"}\n'
    )
    assert main(["translate", "content", "--to", "en", "--backend", "pseudo"]) == 0
    built = (tmp_path / "content" / "a.en.md").read_text()
    assert '![⟦效果对比⟧](/images/x.png "⟦标题⟧")' in built
    assert '![⟦只有替代文字⟧](/images/y.png){: width="600"}' in built
    assert main(["check", "content", "--to", "en"]) == 0


def test_a_reference_definition_title_is_translated_in_place() -> None:
    seg = segment('参考[文档][doc]。\n\n[doc]: https://example.com/docs "文档首页"\n'.encode())
    out, result = build(seg, lambda text: {"文档首页": 'Docs "home"'}.get(text))
    assert out.decode().endswith('[doc]: https://example.com/docs "Docs \\"home\\""\n')
    assert result.problems == []
