"""Each dialect's fixture posts, built by the generator that reads that dialect (Jekyll 4.3
for kramdown, Hugo 0.111 for Goldmark): an empty catalog gives back the source byte for
byte; the pseudo-translated English page has the source page's tags, ids, classes,
attributes, code and link targets, and no Han character outside translated text."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from translator.markdown.dialects import Reading, dialect_named
from translator.markdown.document import parse_post

from .roundtrip import build, segment, token_types
from .sites import (
    GENERATORS,
    Built,
    ascii_words,
    broken_fragments,
    build_site,
    chinese_left,
    fixture_posts,
    never_text,
    structure_differences,
)

CASES = [(dialect, name) for dialect in GENERATORS for name, _ in fixture_posts(dialect)]
IDS = [f"{dialect}/{name}" for dialect, name in CASES]


def _sites(
    factory: pytest.TempPathFactory, translate: Callable[[str], str] | None = None
) -> dict[str, Built]:
    """Each dialect's fixture site, built by its generator (where it is installed)."""
    sites = {}
    for dialect, tool in GENERATORS.items():
        if shutil.which(tool) is None:
            continue
        root = factory.mktemp(dialect) / "site"
        sites[dialect] = build_site(dialect, root, fixture_posts(dialect), translate)
    return sites


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    return _sites(tmp_path_factory)


@pytest.fixture(scope="session")
def translated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """The same sites, every entry translated into Latin words (no Chinese in any of them)."""
    return _sites(tmp_path_factory, ascii_words)


def _page(built: dict[str, Built], dialect: str, name: str):
    if dialect not in built:
        pytest.skip(
            f"{GENERATORS[dialect]} is not installed (apt-get install {GENERATORS[dialect]})"
        )
    return built[dialect].pages[name]


@pytest.mark.parametrize(("dialect", "name"), CASES, ids=IDS)
def test_empty_catalog_gives_back_the_source(
    built: dict[str, Built], dialect: str, name: str
) -> None:
    assert _page(built, dialect, name).identical


@pytest.mark.parametrize(("dialect", "name"), CASES, ids=IDS)
def test_english_page_has_the_source_structure(
    built: dict[str, Built], dialect: str, name: str
) -> None:
    page = _page(built, dialect, name)
    assert page.source_html, "the generator did not publish the post in both languages"
    assert structure_differences(page.source_html, page.english_html) == [], (
        page.english_markdown.decode()
    )


@pytest.mark.parametrize(("dialect", "name"), CASES, ids=IDS)
def test_no_chinese_left_in_the_english_page(
    built: dict[str, Built], dialect: str, name: str
) -> None:
    page = _page(built, dialect, name)
    assert chinese_left(page.english_html) == "", page.english_markdown.decode()


@pytest.mark.parametrize(("dialect", "name"), CASES, ids=IDS)
def test_every_chinese_text_a_reader_sees_was_offered(
    translated: dict[str, Built], dialect: str, name: str
) -> None:
    """Translated into Latin words, the English page shows no Han character outside code:
    all of it was offered for translation (in the pseudo page, a Chinese word a template
    fills in inside a translated sentence would hide between the marks)."""
    page = _page(translated, dialect, name)
    assert page.english_html, "not published"
    assert chinese_left(page.english_html) == "", page.english_markdown.decode()


@pytest.mark.parametrize(("dialect", "name"), CASES, ids=IDS)
def test_nothing_the_generator_reads_is_text(
    built: dict[str, Built], dialect: str, name: str
) -> None:
    """URLs, emoji shortcodes, attribute lists, template tags and HTML are tags in a msgid,
    never text a translator or an engine could change."""
    page = _page(built, dialect, name)
    assert [(m, never_text(m)) for m in page.msgids if never_text(m)] == []


@pytest.mark.parametrize("anchors", ["keep", "translate"])
@pytest.mark.parametrize("dialect", list(GENERATORS))
def test_every_in_page_link_of_the_english_page_resolves(
    dialect: str, anchors: str, tmp_path: Path
) -> None:
    """Headings translated for real (their derived ids change) keep their source's ids,
    or (anchors = "translate") the links follow them."""
    if shutil.which(GENERATORS[dialect]) is None:
        pytest.skip(f"{GENERATORS[dialect]} is not installed")
    posts = [p for p in fixture_posts(dialect) if p[0] == "anchors"]
    settings = {"anchors": anchors}
    page = build_site(dialect, tmp_path / "site", posts, ascii_words, settings).pages["anchors"]
    ids = re.findall(r'<h\d id="([^"]*)"', page.english_html)
    assert ("准备工作" in ids) == (anchors == "keep"), ids
    assert "w4" in page.english_html  # translated
    assert re.findall(r'href="#', page.english_html)
    assert broken_fragments(page.source_html) == []
    assert broken_fragments(page.english_html) == [], page.english_markdown.decode()


def test_a_chinese_abbreviation_key_is_matched_in_the_translated_text(tmp_path: Path) -> None:
    if shutil.which("jekyll") is None:
        pytest.skip("jekyll is not installed")
    post = "---\ntitle: 缩写\n---\n\n*[容器]: 一种轻量级的虚拟化技术\n\n使用容器部署应用。\n"
    english = {
        "缩写": "Abbreviations",
        "容器": "container",
        "一种轻量级的虚拟化技术": "a lightweight virtualization",
        "使用容器部署应用。": "Deploy apps in a container.",
    }
    page = build_site("kramdown", tmp_path / "site", [("abbr", post.encode())], english.__getitem__)
    assert '<abbr title="一种轻量级的虚拟化技术">容器</abbr>' in page.pages["abbr"].source_html
    assert (
        '<abbr title="a lightweight virtualization">container</abbr>'
        in page.pages["abbr"].english_html
    )


@pytest.mark.parametrize(("dialect", "name"), CASES, ids=IDS)
def test_every_msgid_renders_with_the_source_inline_structure(dialect: str, name: str) -> None:
    """Each unit rebuilt from its msgid (wrapped lines joined, tags restored) reads as the
    source did: no emphasis runs on, no link or code is lost."""
    data = dict(fixture_posts(dialect))[name]
    reading = Reading(dialect_named(dialect, emoji=dialect == "goldmark"))
    seg = segment(data, name, reading=reading)
    out, result = build(seg, lambda text: text, keep_identical=False)
    assert result.problems == []
    rebuilt = parse_post(out, Path(name))
    kept = [t for t in token_types(rebuilt.body, reading.dialect) if t != "ial"]  # {#id} added
    assert kept == [t for t in token_types(seg.post.body, reading.dialect) if t != "ial"]


def test_every_fixture_folder_is_built(built: dict[str, Built]) -> None:
    folders = {p.name for p in Path(__file__).parent.joinpath("fixtures", "dialects").iterdir()}
    assert folders == set(GENERATORS)
