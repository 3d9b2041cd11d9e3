"""The dialect a post is read in follows from its site: kramdown on a Jekyll site, Goldmark
on a Hugo site, GFM on neither; the markdown setting overrides; the generator's own config
says whether emoji and bare-URL links apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.errors import ConfigError
from translator.site.config import load_settings
from translator.site.generator import dialect_for, reading_for
from translator.site.paths import post_paths


def _dialect(root: Path, post: str = "content/a.md"):
    (root / post).parent.mkdir(parents=True, exist_ok=True)
    (root / post).write_text("正文。\n")
    settings = load_settings(root)
    return dialect_for(settings, post_paths(root / post, settings))


@pytest.mark.parametrize(
    ("files", "name"),
    [
        ({"_config.yml": "title: x\n"}, "kramdown"),
        ({"content/_config.yml": "title: x\n"}, "kramdown"),
        ({"hugo.toml": "baseURL = '/'\n"}, "goldmark"),
        ({"config.toml": "baseURL = '/'\n"}, "goldmark"),
        ({"hugo.yaml": "baseURL: /\n"}, "goldmark"),
        ({"config/_default/hugo.toml": ""}, "goldmark"),
        ({}, "gfm"),
        ({"_config.yml": "title: x\n", "package.json": '{"dependencies": {"hexo": "7"}}'}, "gfm"),
        ({"hugo.toml": "", "translator.toml": 'markdown = "kramdown"\n'}, "kramdown"),
        ({"_config.yml": "", "translator.toml": 'markdown = "gfm"\n'}, "gfm"),
    ],
)
def test_the_site_says_which_dialect(tmp_path: Path, files: dict[str, str], name: str) -> None:
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert _dialect(tmp_path).name == name


def test_hugo_options_come_from_its_config(tmp_path: Path) -> None:
    (tmp_path / "hugo.toml").write_text(
        "enableEmoji = true\n[markup.goldmark.extensions]\n  linkify = false\n"
        "[markup.goldmark.parser.attribute]\n  block = true\n"
    )
    dialect = _dialect(tmp_path)
    assert (dialect.emoji, dialect.linkify) == (True, False)
    (tmp_path / "hugo.toml").unlink()
    (tmp_path / "hugo.yaml").write_text("baseURL: /\n")
    dialect = _dialect(tmp_path)
    assert (dialect.emoji, dialect.linkify) == (False, True)


def test_jemoji_turns_emoji_on_for_jekyll(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("plugins:\n  - jemoji\n")
    assert _dialect(tmp_path).emoji


def test_the_reading_settings_reach_the_reading(tmp_path: Path) -> None:
    (tmp_path / "translator.toml").write_text(
        'anchors = "translate"\nhtml_attributes = ["alt"]\ntranslate_comments = true\n'
        '[template_arguments]\nalert = [0, "title"]\nfigure = []\n'
    )
    (tmp_path / "a.md").write_text("正文。\n")
    settings = load_settings(tmp_path)
    reading = reading_for(settings, post_paths(tmp_path / "a.md", settings))
    assert reading.anchors == "translate"
    assert reading.html_attributes == ("alt",)
    assert reading.translate_comments
    assert reading.arguments("alert") == ("0", "title")
    assert reading.arguments("figure") == ()  # the site turned the default off
    assert reading.arguments("details") == ("summary",)  # Hugo's default


@pytest.mark.parametrize(
    ("config", "line", "message"),
    [
        (
            'locales = ["en"]\nmarkdown = "commonmark"\n',
            2,
            "markdown: 'commonmark' is not one of \"kramdown\"",
        ),
        ('anchors = "drop"\n', 1, "anchors: 'drop' is not one of"),
        ("html_attributes = [1]\n", 1, "html_attributes must be a list of strings"),
        ("translate_comments = 1\n", 1, "translate_comments must be a bool"),
        ('[template_arguments]\nfigure = "title"\n', 2, "template_arguments.figure must be a list"),
        ("[template_arguments]\nalert = [-1]\n", 2, "template_arguments.alert must be a list"),
    ],
)
def test_a_bad_reading_setting_names_the_file_and_line(
    tmp_path: Path, config: str, line: int, message: str
) -> None:
    (tmp_path / "translator.toml").write_text(config)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert caught.value.line == line
    assert message in caught.value.message
