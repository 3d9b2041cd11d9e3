"""The commands a user runs, on a copy of the demo site."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from translator.cli import main

from .conftest import CORPUS

SEED = "content/_posts/2017-05-09-openstack-boston-summit.md"
SEED_PO = "locales/en/2017-05-09-openstack-boston-summit.po"
SEED_OUT = "content/en/_posts/2017-05-09-openstack-boston-summit.md"
IN_CI = os.environ.get("CI") == "true"


def _mtimes(root: Path) -> dict[str, int]:
    """Every file's mtime, but caches'."""
    return {
        str(p): p.stat().st_mtime_ns
        for p in root.rglob("*")
        if p.is_file() and ".translator-cache" not in p.parts
    }


def test_translate_then_nothing_changes_on_a_second_run(demo_site: Path, chdir) -> None:
    chdir(demo_site)
    shutil.rmtree(demo_site / "locales")
    shutil.rmtree(demo_site / "content" / "en", ignore_errors=True)
    assert main(["translate", "content", "--to", "en"]) == 0
    assert (demo_site / SEED_PO).is_file()
    # with no translations yet, the built post is the source, byte for byte
    assert (demo_site / SEED_OUT).read_bytes() == (demo_site / SEED).read_bytes()
    before = _mtimes(demo_site)
    assert main(["translate", "content", "--to", "en"]) == 0
    assert main(["extract", "content", "--to", "en"]) == 0
    assert main(["build", "content", "--to", "en"]) == 0
    assert _mtimes(demo_site) == before
    assert main(["check", "content", "--to", "en"]) == 0


def test_pseudo_marks_every_unit_and_keeps_the_post_publishable(demo_site: Path, chdir) -> None:
    chdir(demo_site)
    for post in CORPUS.glob("20*.md"):
        shutil.copy(post, demo_site / "content" / "_posts" / post.name)
    assert main(["translate", "content", "--to", "en", "--backend", "pseudo"]) == 0
    out = (demo_site / "content/en/_posts/2019-03-12-docker-network.md").read_text("utf-8")
    assert 'title: "⟦Docker 网络模式详解：从 bridge 到 overlay⟧"' in out
    assert "| ⟦模式⟧ | ⟦隔离程度⟧ | ⟦性能⟧ | ⟦典型场景⟧ |" in out
    assert "```bash\n$ docker network ls\n" in out
    po = polib.pofile(str(demo_site / "locales/en/2019-03-12-docker-network.po"))
    # machine output is a suggestion to review: fuzzy, with who wrote it
    assert all(
        e.msgstr and "fuzzy" in e.flags and "translated-by: pseudo" in e.tcomment for e in po
    )
    assert main(["check", "content", "--to", "en"]) == 0


def test_check_tells_each_kind_of_staleness(
    demo_site: Path, chdir, capsys: pytest.CaptureFixture[str]
) -> None:
    chdir(demo_site)

    for other in ("content/_posts", "content/en/_posts", "locales/en"):  # the seed alone
        for path in (demo_site / other).glob("2017-06-20-*"):
            path.unlink()

    def check(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["check", *args])
        return code, capsys.readouterr().out

    assert main(["translate"]) == 0
    assert check() == (0, "1 post translations in sync\n")

    out = demo_site / SEED_OUT
    saved = out.read_bytes()
    out.unlink()
    assert check() == (
        1,
        f"{SEED}: en: 0 untranslated, 0 fuzzy, not built: {SEED_OUT} is missing\n",
    )
    out.write_bytes(saved + b"\nhand edit\n")
    assert check() == (
        1,
        f"{SEED}: en: 0 untranslated, 0 fuzzy, built post {SEED_OUT} was edited by hand\n",
    )
    out.write_bytes(saved)
    assert check()[0] == 0

    po = demo_site / SEED_PO
    po_saved = po.read_bytes()
    po.write_bytes(po_saved.replace(b'msgstr "The keynote hall"', b'msgstr "The keynote room"'))
    assert check() == (1, f"{SEED}: en: 0 untranslated, 0 fuzzy, catalog changed since build\n")
    po.write_bytes(po_saved)

    source = demo_site / SEED
    source_saved = source.read_bytes()
    source.write_bytes(
        source_saved.replace("希望下次可以温哥华见".encode(), "希望下次可以在温哥华见".encode())
    )
    code, report = check()
    assert code == 1 and report.startswith(
        f"{SEED}: en: 0 untranslated, 0 fuzzy, source changed since extract"
    )
    source.write_bytes(source_saved)

    (demo_site / "translator.toml").write_text('extra_front_matter_keys = ["categories"]\n')
    assert check(SEED) == (
        1,
        f"{SEED}: en: 0 untranslated, 0 fuzzy, extract would change the catalog\n",
    )
    (demo_site / "translator.toml").unlink()

    # counts are reported, and fail the check only when asked
    po.write_bytes(po_saved.replace(b'msgstr "The keynote hall"', b'msgstr ""'))
    assert main(["build"]) == 0
    assert check()[0] == 0
    assert check("--fail-on", "untranslated") == (1, f"{SEED}: en: 1 untranslated, 0 fuzzy\n")
    assert check("--fail-on", "fuzzy")[0] == 0
    assert check("--fail-on", "nonsense")[0] == 2
    po.write_bytes(po_saved)
    assert main(["build"]) == 0

    po.unlink()
    assert check() == (1, f"{SEED}: en: 0 untranslated, 0 fuzzy, no catalog {SEED_PO}\n")
    po.write_bytes(po_saved)
    (demo_site / "content/_posts/2024-01-01-broken.md").write_bytes(b"---\ntitle: [\n---\n")
    before = _mtimes(demo_site)
    assert check()[0] == 2
    assert _mtimes(demo_site) == before, "check writes nothing"


def test_reviewer_translations_are_published_and_broken_ones_reported(
    demo_site: Path, chdir, capsys: pytest.CaptureFixture[str]
) -> None:
    chdir(demo_site)
    assert main(["extract", "content", "--to", "en"]) == 0
    po = polib.pofile(str(demo_site / SEED_PO))
    good = po.find("Keynote会场")
    assert good is not None
    good.msgstr = "The keynote hall"
    broken = next(e for e in po if e.msgid.startswith("然后GE的人"))
    broken.msgstr = "Then GE stressed how much they moved to private clouds<x1/>the data<x2/>"
    invented = po.find("下面是本次峰会的主要赞助商")
    assert invented is not None
    invented.msgstr = "The main sponsors <x9/>"
    po.save()
    saved = (demo_site / SEED_PO).read_bytes()
    # a PO editor lays the file out its own way: extract keeps that, as it says nothing new
    assert main(["extract", "content", "--to", "en"]) == 0
    assert (demo_site / SEED_PO).read_bytes() == saved
    capsys.readouterr()
    assert main(["build", "content", "--to", "en"]) == 1
    err = capsys.readouterr().err.strip().split("\n")
    assert len(err) == 2
    lines = (demo_site / SEED_PO).read_text("utf-8").split("\n")
    line = next(
        i
        for i, text in enumerate(lines, 1)
        if text.startswith("msgid") and "然后GE的人" in text + lines[i]
    )
    assert any(
        e.startswith(f'{SEED_PO}:{line}: entry "然后GE的人') and "tag <x3/> is missing" in e
        for e in err
    )
    assert any("tag <x9/> is not in the source" in e for e in err)
    built = (demo_site / SEED_OUT).read_text("utf-8")
    assert "The keynote hall" in built
    assert "然后GE的人就上来强调了" in built, "a broken entry falls back to the source text"
    assert "The main sponsors" not in built


def test_outputs_go_where_the_generator_publishes_them(tmp_path: Path, chdir) -> None:
    chdir(tmp_path)
    post = "---\ntitle: 标题\n---\n\n正文。\n"
    (tmp_path / "site/_posts").mkdir(parents=True)
    (tmp_path / "site/_config.yml").write_text("title: x\n")
    (tmp_path / "site/_posts/2020-01-01-a.md").write_text(post)
    (tmp_path / "hugo/content/posts/b").mkdir(parents=True)
    (tmp_path / "hugo/content/posts/b/index.md").write_text(post)
    (tmp_path / "hugo/content/posts/c.md").write_text(post)
    assert main(["extract", "site", "hugo", "--to", "en,ja"]) == 0
    assert main(["build", "site", "hugo", "--to", "en,ja"]) == 0
    for path in [
        "site/en/_posts/2020-01-01-a.md",
        "site/ja/_posts/2020-01-01-a.md",
        "hugo/content/posts/b/index.en.md",
        "hugo/content/posts/c.ja.md",
        "locales/en/2020-01-01-a.po",
        "locales/ja/b.po",
        "locales/en/c.po",
    ]:
        assert (tmp_path / path).is_file(), path
    assert not (tmp_path / "site/_posts/2020-01-01-a.en.md").exists()
    # a second run does not mistake the built posts for sources
    assert main(["extract", "site", "hugo", "--to", "en,ja"]) == 0
    assert sorted(p.name for p in (tmp_path / "locales/en").glob("*.po")) == [
        "2020-01-01-a.po",
        "b.po",
        "c.po",
    ]
    # a pattern overrides both
    (tmp_path / "translator.toml").write_text('output = "build/{locale}/{stem}{ext}"\n')
    assert main(["build", "site", "hugo", "--to", "en"]) == 0
    assert (tmp_path / "build/en/2020-01-01-a.md").is_file()
    assert (tmp_path / "build/en/c.md").is_file()


def test_catalogs_pass_msgfmt_and_keep_their_headers(demo_site: Path, chdir) -> None:
    chdir(demo_site)
    shutil.rmtree(demo_site / "locales")
    assert main(["translate", "content", "--to", "en,ja", "--backend", "pseudo"]) == 0
    po = polib.pofile(str(demo_site / SEED_PO))
    for header in (
        "Language",
        "Plural-Forms",
        "Content-Type",
        "Project-Id-Version",
        "X-Source-Hash",
    ):
        assert po.metadata.get(header), header
    assert po.metadata["Content-Type"] == "text/plain; charset=utf-8"
    assert po.metadata["X-Source-Hash"].startswith("sha256:")
    entry = po.find("Keynote会场")
    assert (
        entry is not None and entry.occurrences == [(SEED, "15")] and "paragraph" in entry.comment
    )
    assert "translated-by: pseudo" in entry.tcomment
    # a save by another PO tool keeps who translated what
    po.save()
    assert main(["check", "content", "--to", "en"]) in (0, 1)
    assert (
        "translated-by: pseudo"
        in (polib.pofile(str(demo_site / SEED_PO)).find("Keynote会场") or entry).tcomment
    )
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        assert not IN_CI, "CI must install gettext"
        pytest.skip("msgfmt (gettext) is not installed")
    for catalog in (demo_site / "locales").rglob("*.po"):
        run = subprocess.run(
            [msgfmt, "--check", "-o", "/dev/null", str(catalog)], capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr


def test_python_dash_m_and_console_script(demo_site: Path) -> None:
    assert (
        main(["translate", str(demo_site / "content"), "--to", "en", "--root", str(demo_site)]) == 0
    )
    run = subprocess.run(
        [sys.executable, "-m", "translator", "check", "content", "--to", "en"],
        cwd=demo_site,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "in sync" in run.stdout


def test_no_locale_is_a_usage_error(
    tmp_path: Path, chdir, capsys: pytest.CaptureFixture[str]
) -> None:
    chdir(tmp_path)
    (tmp_path / "a.md").write_text("正文。\n")
    assert main(["extract", "a.md"]) == 2
    assert "no target locale" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--help"], 0, "commands (translator COMMAND --help for each):"),
        (["check", "--help"], 0, "usage: translator check"),
        (["--version"], 0, "translator 0."),
        ([], 2, "usage: translator"),
        (["chek"], 2, "translator: error: no command 'chek' (use build, check,"),
        (["check", "--fail-on", "stale"], 2, "--fail-on: unknown kind 'stale'"),
        (["translate", "--max-chars", "-3"], 2, "'-3' is not a whole number of 0 or more"),
        (["status", "--json", "--markdown"], 2, "--json and --markdown: choose one"),
        (["check", "--to", "zh"], 2, "--to zh is the source locale"),
        (["build", "--bogus"], 2, "unrecognized arguments: --bogus"),
        (["check", "--root", SEED], 2, "is a file, not a folder"),
        (["export", "-o", "content", "--to", "en"], 2, "'content' is a folder, not a file"),
        (["fetch-model", "--dest", "content"], 2, "'content' is a folder, not a file"),
    ],
)
def test_the_command_line_says_what_is_wrong(
    demo_site: Path, chdir, capsys: pytest.CaptureFixture[str], args: list[str], code: int,
    says: str,
) -> None:  # fmt: skip
    chdir(demo_site)
    assert main(args) == code
    out = capsys.readouterr()
    assert says in (out.out if code == 0 else out.err)


@pytest.mark.parametrize("columns", [60, 80, 200])
def test_help_fits_the_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], columns: int
) -> None:
    """Usage is wrapped to the terminal's width (``COLUMNS``), as argparse itself finds it
    (the description is the command's docstring, as written)."""
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["status", "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    usage = lines[: lines.index("")]
    assert max(map(len, usage)) <= columns - 2
    assert len(usage) == {60: 5, 80: 3, 200: 1}[columns], usage


def test_help_is_80_columns_without_a_terminal_or_a_positive_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "-5")
    monkeypatch.setattr(sys, "__stdout__", None)
    assert main(["status", "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines[: lines.index("")]) == 3  # as wrapped at 80 columns


def test_what_follows_a_double_dash_is_a_path_even_for_a_single_one(
    demo_site: Path, chdir, capsys: pytest.CaptureFixture[str]
) -> None:
    chdir(demo_site)
    assert main(["import", "--", "-r.xliff"]) == 2
    assert "-r.xliff" in capsys.readouterr().err


def test_paths_and_options_may_come_in_any_order(demo_site: Path, chdir) -> None:
    chdir(demo_site)
    assert main(["check", "--to", "en", SEED]) == 0
    assert main(["check", SEED, "--to", "en", SEED, "--fail-on", "extract"]) == 0
    assert main(["check", "--to", "en", "--", SEED]) == 0


def test_the_committed_demo_site_is_in_sync(demo_site: Path, chdir) -> None:
    chdir(demo_site)
    built = (demo_site / SEED_OUT).read_bytes()
    assert main(["check"]) == 0
    assert main(["translate"]) == 0
    assert (demo_site / SEED_OUT).read_bytes() == built
    assert b'title: "OpenStack Boston Summit: a live report"' in built


def test_build_records_sit_out_of_the_catalogs_way_and_old_ones_are_taken_over(
    demo_site: Path, chdir
) -> None:
    chdir(demo_site)
    assert [p.name for p in (demo_site / "locales/en").iterdir()] == sorted(
        p.name for p in (demo_site / "locales/en").glob("*.po")
    ), "only catalogs where catalog scanners look"
    new = demo_site / ".translator/builds/en.json"
    old = demo_site / "locales/en/.built.json"
    records = json.loads(new.read_text("utf-8"))["posts"]
    new.rename(old)  # as an older version left them
    assert main(["check"]) == 0, "the old records still count"
    assert main(["build"]) == 0
    assert not old.exists() and json.loads(new.read_text("utf-8"))["posts"].keys() == records.keys()
    assert main(["check"]) == 0


def test_bom_and_crlf_posts_round_trip_exactly(tmp_path: Path, chdir) -> None:
    chdir(tmp_path)
    (tmp_path / "content").mkdir()
    source = "\ufeff---\r\ntitle: 标题\r\n---\r\n\r\n第一行\r\n第二行  \r\n第三行\r\n".encode()
    (tmp_path / "content" / "a.md").write_bytes(source)
    assert main(["translate", "content", "--to", "en"]) == 0
    assert (tmp_path / "content" / "a.en.md").read_bytes() == source
    assert main(["translate", "content", "--to", "en", "--backend", "pseudo"]) == 0
    built = (tmp_path / "content" / "a.en.md").read_bytes()
    assert (
        built
        == "\ufeff---\r\ntitle: ⟦标题⟧\r\n---\r\n\r\n⟦第一行第二行<x1/>第三行⟧\r\n".encode().replace(
            b"<x1/>", b"  \r\n"
        )
    )


def test_sentence_splitting_gives_one_entry_per_sentence(tmp_path: Path, chdir) -> None:
    chdir(tmp_path)
    (tmp_path / "translator.toml").write_text("split_sentences = true\nlocales = ['en']\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("他说：「好。」然后走了。我们留下！\n")
    assert main(["extract"]) == 0
    po = polib.pofile(str(tmp_path / "locales/en/a.po"))
    assert [e.msgid for e in po] == ["他说：「好。」然后走了。", "我们留下！"]
    po[0].msgstr = "He said: “Fine.” Then he left."
    po.save()
    assert main(["build"]) == 0
    # one sentence translated is not a translated paragraph: the source stays
    assert (tmp_path / "content/a.en.md").read_text() == "他说：「好。」然后走了。我们留下！\n"
    po[1].msgstr = "We stayed!"
    po.save()
    assert main(["build"]) == 0
    assert (
        tmp_path / "content/a.en.md"
    ).read_text() == "He said: “Fine.” Then he left. We stayed!\n"


def test_settings_come_from_pyproject_too(
    tmp_path: Path, chdir, capsys: pytest.CaptureFixture[str]
) -> None:
    chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.translator]\nlocales = ["ja"]\nlocales_dir = "i18n"\n'
    )
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("正文。\n")
    assert main(["extract"]) == 0
    assert (tmp_path / "i18n/ja/a.po").is_file()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.translator]\nlocales = ["ja"]\ncolour = "red"\n'
    )
    assert main(["extract"]) == 2
    assert capsys.readouterr().err.startswith("pyproject.toml:3: unknown key 'colour'")


def test_ignore_cjk_survives_a_gettext_style_save(demo_site: Path, chdir) -> None:
    """A reviewer keeps a Chinese name on purpose: the comment that allows it is kept by
    every PO editor, msgcat included (which drops flags it does not know)."""
    import shutil
    import subprocess

    if shutil.which("msgcat") is None:
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    chdir(demo_site)
    po_path = demo_site / SEED_PO
    po = polib.pofile(str(po_path))
    entry = po.find("Keynote会场")
    assert entry is not None
    entry.msgstr, entry.tcomment = "The Keynote hall (Keynote会场)", "ignore-cjk"
    po.save()
    subprocess.run(["msgcat", "-o", str(po_path), str(po_path)], check=True)
    assert "# ignore-cjk" in po_path.read_text("utf-8")
    assert main(["build"]) == 0
    assert "The Keynote hall (Keynote会场)" in (demo_site / SEED_OUT).read_text("utf-8")
