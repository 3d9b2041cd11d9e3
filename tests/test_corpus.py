"""Invariants over every post we have: the seed, the synthetic corpus and the 652
CommonMark spec examples (each wrapped in a small front matter, as a post would be)."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.catalogs.merging import entries_for, update_catalog
from translator.catalogs.po import read_catalog, render_catalog
from translator.markdown.document import parse_post

from .conftest import commonmark_examples, corpus_posts
from .roundtrip import build, html, protected_parts, segment, token_types

FRONT = "---\ntitle: 例子\n---\n"
CASES: list[tuple[str, bytes]] = [(p.name, p.read_bytes()) for p in corpus_posts()] + [
    (f"spec-{e['example']}", (FRONT + str(e["markdown"])).encode()) for e in commonmark_examples()
]
IDS = [name for name, _ in CASES]


@pytest.mark.parametrize(("name", "data"), CASES, ids=IDS)
def test_empty_catalog_gives_back_the_source_byte_for_byte(name: str, data: bytes) -> None:
    out, result = build(segment(data, name), lambda _text: None)
    assert out == data
    assert result.translated == 0


@pytest.mark.parametrize(("name", "data"), CASES, ids=IDS)
def test_identity_translation_renders_the_same_html(name: str, data: bytes) -> None:
    seg = segment(data, name)
    # every unit re-rendered from its msgid (wrapped lines joined, tags restored)
    out, result = build(seg, lambda text: text, keep_identical=False)
    assert result.problems == []
    rebuilt = parse_post(out, Path(name))
    assert html(rebuilt.body, join_cjk=True) == html(seg.post.body, join_cjk=True)


@pytest.mark.parametrize(("name", "data"), CASES, ids=IDS)
def test_identity_translation_keeps_the_source_bytes(name: str, data: bytes) -> None:
    out, _result = build(segment(data, name), lambda text: text)
    assert out == data


@pytest.mark.parametrize(("name", "data"), CASES, ids=IDS)
def test_pseudo_translation_keeps_every_protected_span_and_token(name: str, data: bytes) -> None:
    seg = segment(data, name)
    out, result = build(seg, lambda text: f"⟦{text}⟧")
    assert result.problems == []
    assert result.translated == len([u for u in seg.units if u.slot is None])
    rebuilt = parse_post(out, Path(name))
    assert token_types(rebuilt.body) == token_types(seg.post.body)
    parts = protected_parts(seg)
    for part in set(parts):
        assert rebuilt.text.count(part) >= parts.count(part), part


@pytest.mark.parametrize(("name", "data"), CASES, ids=IDS)
def test_second_extract_changes_no_byte(name: str, data: bytes, tmp_path: Path) -> None:
    seg = segment(data, name)
    entries = entries_for(seg, name, copy_latin=False)
    po = tmp_path / "x.po"
    first = render_catalog(
        update_catalog(None, entries, locale="en", project="p", source=name, digest="d")[0]
    )
    po.write_bytes(first)
    again = update_catalog(
        read_catalog(po),
        entries_for(segment(data, name), name, copy_latin=False),
        locale="en",
        project="p",
        source=name,
        digest="d",
    )[0]
    assert render_catalog(again) == first


def test_the_corpus_is_all_here() -> None:
    assert len(CASES) == 8 + 652
