"""Catalogs are written as GNU gettext writes them: ``msgcat`` changes no byte of any catalog
we write, and a catalog saved by msgcat, polib or Babel is not seen as changed."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import write_po

from translator.catalogs import gettext_style
from translator.catalogs.merging import entries_for, update_catalog
from translator.catalogs.po import read_catalog, render_catalog, same_content, write_catalog
from translator.cli.main import main
from translator.context import Site
from translator.site.config import load_settings
from translator.site.paths import find_posts

from .conftest import REPO, commonmark_examples, corpus_posts
from .po_cases import hard_catalog
from .roundtrip import segment

MSGCAT = shutil.which("msgcat")
MSGFMT = shutil.which("msgfmt")
IN_CI = os.environ.get("CI") == "true"


def _gettext() -> tuple[str, str]:
    if MSGCAT is None or MSGFMT is None:
        assert not IN_CI, "CI must install gettext"
        pytest.skip("msgcat (gettext) is not installed")
    return MSGCAT, MSGFMT


def msgcat(path: Path) -> bytes:
    run = subprocess.run([_gettext()[0], str(path)], capture_output=True, check=True)
    return run.stdout


def assert_gettext_layout(path: Path) -> None:
    """``msgcat`` prints the file byte for byte; ``msgfmt --check`` accepts it."""
    data = path.read_bytes()
    out = msgcat(path)
    assert out == data, _first_difference(data, out)
    run = subprocess.run(
        [_gettext()[1], "--check", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr


def _first_difference(ours: bytes, gnu: bytes) -> str:
    a, b = ours.decode().split("\n"), gnu.decode().split("\n")
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return f"line {at + 1}:\n ours: {a[at : at + 3]}\n  gnu: {b[at : at + 3]}"


# -- what we write ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_msgcat_changes_no_byte_of_catalogs_full_of_hard_cases(seed: int, tmp_path: Path) -> None:
    # 8 catalogs x 60-75 entries: long Chinese with and without spaces, tags, escapes, long
    # words and URLs, full-width punctuation, format directives, msgctxt, fuzzy, #|, #~ …
    catalog = hard_catalog(seed)
    path = tmp_path / "x.po"
    path.write_bytes(render_catalog(catalog))
    assert_gettext_layout(path)
    again = read_catalog(path)
    assert again is not None and render_catalog(again) == path.read_bytes()


def test_msgcat_changes_no_byte_of_the_demo_site_catalogs() -> None:
    catalogs = sorted((REPO / "locales").rglob("*.po"))
    assert catalogs
    for path in catalogs:
        assert_gettext_layout(path)
        catalog = read_catalog(path)
        assert catalog is not None and render_catalog(catalog) == path.read_bytes(), path


def test_msgcat_changes_no_byte_of_the_corpus_catalogs(tmp_path: Path, chdir) -> None:
    site = tmp_path / "site"
    (site / "content/_posts").mkdir(parents=True)
    for post in corpus_posts():
        shutil.copy(post, site / "content/_posts" / post.name.removeprefix("seed-"))
    chdir(site)
    assert main(["translate", "content", "--to", "en,ja", "--backend", "pseudo"]) == 0
    # an edit: fuzzy entries with their previous msgid, and an obsolete one
    post = site / "content/_posts/2017-05-09-openstack-boston-summit.md"
    text = post.read_text("utf-8")
    post.write_text(text.replace("还说了一写关于安全的", "还说了一些关于安全的"), "utf-8")
    post.write_text(post.read_text("utf-8").replace("下面是本次峰会的主要赞助商\n\n", ""), "utf-8")
    assert main(["extract", "content", "--to", "en,ja"]) == 0
    catalogs = sorted((site / "locales").rglob("*.po"))
    assert len(catalogs) == 2 * len(corpus_posts())
    text = "".join(p.read_text("utf-8") for p in catalogs)
    assert "#| msgid" in text and "#~ msgid" in text and "#, fuzzy" in text
    for path in catalogs:
        assert_gettext_layout(path)


def test_msgcat_changes_no_byte_of_the_commonmark_examples(tmp_path: Path) -> None:
    # every unit of the 652 spec examples, in one catalog, half of them translated
    catalog = None
    for example in commonmark_examples():
        name = f"spec-{example['example']}.md"
        data = ("---\ntitle: 例子\n---\n" + str(example["markdown"])).encode()
        entries = entries_for(segment(data, name), name, copy_latin=False)
        part, _ = update_catalog(None, entries, locale="ja", project="p", source=name, digest="d")
        if catalog is None:
            catalog = part
            continue
        for message in part:
            if message.id and (message.id, message.context) not in catalog._messages:
                if len(catalog) % 2:
                    message.string = f"⟦{message.id}⟧"
                catalog[message.id] = message
    assert catalog is not None and len(catalog) > 300
    path = tmp_path / "spec.po"
    path.write_bytes(render_catalog(catalog))
    assert_gettext_layout(path)


def test_what_gnu_does_to_strings() -> None:
    wrap = gettext_style.wrap
    assert wrap("msgid", "") == ['msgid ""']
    assert wrap("msgid", 'a "b" \\ \t\n') == ['msgid "a \\"b\\" \\\\ \\t\\n"']
    assert wrap("msgid", "a\nb") == ['msgid ""', '"a\\n"', '"b"']
    # a CJK character takes two columns, and a line may break between two of them
    lines = wrap("msgid", "中" * 50)
    assert lines == ['msgid ""', '"' + "中" * 38 + '"', '"' + "中" * 12 + '"']
    # after a space, which stays at the end of the line; a word longer than a line stays whole
    assert wrap("msgstr", "word " * 20) == [
        'msgstr ""',
        '"' + "word " * 15 + '"',
        '"' + "word " * 5 + '"',
    ]
    assert wrap("msgid", "x" * 100) == ['msgid "' + "x" * 100 + '"']
    # never before the closing punctuation 。」, nor after an opening 「
    assert all(not line.startswith(('"。', '"」')) for line in wrap("msgid", "「中文」。" * 30))
    # nor inside a format directive
    text = "ab " * 24 + "%(a b c)s"
    assert wrap("msgid", text, flags=["python-format"])[-1] == '"%(a b c)s"'
    assert wrap("msgid", text)[-1] == '"b c)s"'


def test_flags_and_references_as_gnu_writes_them() -> None:
    line = gettext_style.flags_line
    assert line({"python-format", "fuzzy", "ignore-cjk"}, translated=True, obsolete=False) == (
        "#, fuzzy, python-format, ignore-cjk"
    )
    assert line({"fuzzy"}, translated=False, obsolete=False) is None  # nothing to be fuzzy
    assert line({"fuzzy", "no-wrap"}, translated=True, obsolete=True) == "#, fuzzy, no-wrap"
    refs = gettext_style.references([("content/_posts/a-long-post-name.md", n) for n in range(3)])
    assert refs == [
        "#: content/_posts/a-long-post-name.md:0 content/_posts/a-long-post-name.md:1",
        "#: content/_posts/a-long-post-name.md:2",
    ]


def test_obsolete_entries_and_previous_msgids_survive_a_read(tmp_path: Path) -> None:
    catalog = hard_catalog(3, entries=5)
    live_id, gone_id = "新的文字" * 10, "走了" * 30
    live = Message(live_id, "new text", flags=["fuzzy"], previous_id=["旧的文字" * 12])
    catalog[live_id] = live
    gone = Message(gone_id, "gone", flags=["fuzzy"], previous_id=["更早" * 30])
    catalog.obsolete[gone_id] = gone
    path = tmp_path / "x.po"
    path.write_bytes(render_catalog(catalog))
    assert "#~| msgid" in path.read_text("utf-8")
    assert_gettext_layout(path)
    again = read_catalog(path)
    assert again is not None
    assert again[live_id].previous_id == live.previous_id
    assert again.obsolete[gone_id].previous_id == gone.previous_id
    assert not any("msgid" in c for m in again for c in m.user_comments)


# -- what others write --------------------------------------------------------------------


def _save_with_msgcat(path: Path) -> None:
    path.write_bytes(msgcat(path))


def _save_with_polib(path: Path) -> None:
    polib.pofile(str(path)).save()


def _save_with_babel(path: Path) -> None:
    buffer = io.BytesIO()
    catalog = read_catalog(path)
    assert catalog is not None
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize("save", [_save_with_msgcat, _save_with_polib, _save_with_babel])
def test_a_save_by_another_tool_is_not_a_change(save, demo_site: Path, chdir, capsys) -> None:
    if save is _save_with_msgcat:
        _gettext()
    chdir(demo_site)
    assert main(["translate", "content", "--to", "en,ja", "--backend", "pseudo"]) == 0
    seed = demo_site / "content/_posts/2017-05-09-openstack-boston-summit.md"
    seed.write_text(seed.read_text("utf-8").replace("一写关于", "一些关于"), "utf-8")
    assert main(["extract", "content", "--to", "en,ja"]) == 0  # a fuzzy entry with #|
    catalogs = sorted((demo_site / "locales").rglob("*.po"))
    ours = {p: p.read_bytes() for p in catalogs}
    for path in catalogs:
        save(path)
    saved = {p: p.read_bytes() for p in catalogs}
    assert (saved == ours) == (save is _save_with_msgcat)  # the others lay it out their way
    capsys.readouterr()
    assert main(["extract", "content", "--to", "en,ja"]) == 0
    assert {p: p.read_bytes() for p in catalogs} == saved  # extract wrote nothing
    main(["check", "content", "--to", "en,ja"])
    assert "extract would change" not in capsys.readouterr().out
    # and extraction run again from scratch (as when a setting changed) sees no change
    site = Site(load_settings(demo_site))
    for post in find_posts([demo_site / "content"], site.settings, ["en", "ja"]):
        for locale in ("en", "ja"):
            new, _old, _stats = site.updated_catalog(post, locale)
            path = demo_site / site.catalog_path(post, locale)
            assert same_content(new, path), path
            assert not write_catalog(path, new), path
    assert {p: p.read_bytes() for p in catalogs} == saved


def test_headers_are_read_from_the_text_however_they_are_wrapped() -> None:
    """``check`` of an unchanged site reads our headers without parsing the catalog: as we
    write them, as GNU gettext wraps a long one, and with escapes in a value."""
    from translator.catalogs.provenance import EXTRACT_OPTIONS, SOURCE_HASH, header_values

    text = (
        '# a comment\nmsgid ""\nmsgstr ""\n"Project-Id-Version: post\\n"\n'
        '"X-Source-Hash: sha256:0123456789abcdef\\n"\n'
        '"Last-Translator: \\"Li\\" <li@example.org>\\n"\n'
        '"X-Extract-Options: a very long value that GNU gettext wraps at the 79th column "\n'
        '"of its line\\n"\n\n#: content/a.md:3\nmsgid "你好"\nmsgstr "X-Source-Hash: no"\n'
    )
    found = header_values(text)
    assert found[SOURCE_HASH.lower()] == "sha256:0123456789abcdef"
    assert found[EXTRACT_OPTIONS.lower()].endswith("79th column of its line")
    assert found["last-translator"] == '"Li" <li@example.org>'
    assert header_values('msgid "a"\nmsgstr "b\n') == {}  # not a header: nothing, no error
