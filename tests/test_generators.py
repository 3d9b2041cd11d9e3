"""The per-locale posts are what the real site generators publish correctly."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from translator.cli import main

from .conftest import CORPUS, FIXTURES


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (apt-get install {tool})")
    return path


def _html_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.html"))


def test_jekyll_publishes_one_post_per_locale(demo_site: Path, chdir) -> None:
    jekyll = _need("jekyll")
    chdir(demo_site)
    content = demo_site / "content"
    (content / "_includes").mkdir()
    (content / "_includes" / "toc.html").write_text("<nav>toc</nav>\n")
    for name in (
        "2019-03-12-docker-network.md",
        "2020-07-01-reading-notes.md",
        "2022-01-15-yunnan-travel.md",
    ):
        shutil.copy(CORPUS / name, content / "_posts" / name)
    assert main(["translate", "content", "--to", "en", "--backend", "pseudo"]) == 0
    run = subprocess.run(
        [jekyll, "build", "--quiet", "-s", str(content), "-d", str(demo_site / "_site")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    pages = _html_files(demo_site / "_site")
    posts = [p for p in pages if re.search(r"/\d{4}/\d\d/\d\d/", p)]
    assert len(posts) == 10, posts  # 5 sources + 5 translations, no duplicates
    assert len([p for p in posts if p.startswith("en/")]) == 5, posts
    english = (demo_site / "_site/en/openstack/2017/05/09/openstack-boston-summit.html").read_text(
        "utf-8"
    )
    assert "<title>OpenStack Boston Summit: a live report</title>" in english  # the reviewer's
    assert 'src="/images/openstack_boston_summit/1.png"' in english
    docker = (demo_site / "_site/en/技术/云原生/2019/03/12/docker-network.html").read_text("utf-8")
    assert "<td>⟦单机多容器⟧</td>" in docker or "⟦单机多容器⟧</td>" in docker
    assert "docker network ls" in docker and "⟦" not in docker.split("<pre")[1].split("</pre>")[0]


def test_hugo_publishes_each_language(tmp_path: Path, chdir) -> None:
    hugo = _need("hugo")
    site = chdir(tmp_path)
    (site / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\n'
        'defaultContentLanguage = "zh"\n'
        "[languages.zh]\n  weight = 1\n[languages.en]\n  weight = 2\n"
        "[markup.goldmark.renderer]\n  unsafe = true\n"
    )
    layouts = site / "layouts"
    (layouts / "_default").mkdir(parents=True)
    (layouts / "shortcodes").mkdir()
    (layouts / "_default" / "single.html").write_text(
        "<title>{{ .Title }}</title>\n{{ .Content }}\n"
    )
    (layouts / "_default" / "list.html").write_text("{{ range .Pages }}{{ .Title }}\n{{ end }}\n")
    (layouts / "shortcodes" / "notice.html").write_text(
        '<div class="notice">{{ .Inner | markdownify }}</div>\n'
    )
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    shutil.copy(CORPUS / "2021-11-20-hugo-blog-setup.md", posts / "hugo-blog-setup.md")
    shutil.copy(FIXTURES / "front_matter" / "toml-styles.md", posts / "toml-post.md")
    assert main(["translate", "content", "--to", "en", "--backend", "pseudo"]) == 0
    assert (posts / "hugo-blog-setup.en.md").is_file()
    run = subprocess.run(
        [hugo, "--quiet", "-d", str(site / "public")], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr + run.stdout
    zh = (site / "public/posts/hugo-blog-setup/index.html").read_text("utf-8")
    en = (site / "public/en/posts/hugo-blog-setup/index.html").read_text("utf-8")
    assert "<title>用 Hugo 搭建个人博客的完整记录</title>" in zh
    assert "<title>⟦用 Hugo 搭建个人博客的完整记录⟧</title>" in en
    assert '<div class="notice">⟦一定要打开 <code>hasCJKLanguage</code>' in en
    toml_en = (site / "public/en/posts/summit-day-1/index.html").read_text("utf-8")
    assert "<title>⟦峰会直击⟧</title>" in toml_en
