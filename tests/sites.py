"""Build posts with the real generators, in one site per dialect, and compare each source
page with its English page: the same tags, ids, classes, attributes, code and link targets,
and no Han character left outside translated text.

One Jekyll site (kramdown) and one Hugo site (Goldmark) hold every post at once, so a run
starts each generator once. Each dialect's site files (config, layouts, includes, plugins,
``translator.toml``) are in ``tests/fixtures/dialects/<dialect>/site/``.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import polib

from translator.cli import main

DIALECTS = Path(__file__).parent / "fixtures" / "dialects"
GENERATORS = {"kramdown": "jekyll", "goldmark": "hugo"}
TRANSLATED_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
OPEN, CLOSE = "⟦", "⟧"  # the pseudo backend's marks around translated text
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def fixture_posts(dialect: str) -> list[tuple[str, bytes]]:
    """(construct, post) for each fixture post of ``dialect``."""
    return [(p.stem, p.read_bytes()) for p in sorted((DIALECTS / dialect).glob("*.md"))]


@dataclass
class Page:
    """One post as built: the Markdown the translator wrote, and both pages' HTML."""

    identical: bool  # with an empty catalog, the per-locale post is the source, byte for byte
    source_html: str = ""
    english_html: str = ""
    english_markdown: bytes = b""
    msgids: list[str] = field(default_factory=list)  # the catalog's texts (tags and all)


@dataclass
class Built:
    dialect: str
    root: Path
    pages: dict[str, Page] = field(default_factory=dict)
    log: str = ""


def build_site(
    dialect: str,
    root: Path,
    posts: Iterable[tuple[str, bytes]],
    translate: Callable[[str], str] | None = None,
    settings: dict[str, str] | None = None,
) -> Built:
    """Put ``posts`` in a new site of ``dialect`` at ``root``; build them with an empty
    catalog (identity), then with the pseudo backend (or, with ``translate``, with every
    entry translated by it and approved), then run the generator."""
    shutil.copytree(DIALECTS / dialect / "site", root)
    config = root / "translator.toml"
    extra = "".join(f'{key} = "{value}"\n' for key, value in (settings or {}).items())
    config.write_text(extra + config.read_text())  # before the file's tables
    sources = {}
    for name, data in posts:
        path = root / _source_path(dialect, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        sources[name] = path
    built = Built(dialect, root)
    out = io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        main(["translate", ".", "--to", "en", "--backend", "review"])
        identical = {
            n: _read(_english_path(dialect, p)) == p.read_bytes() for n, p in sources.items()
        }
        if translate is None:
            main(["translate", ".", "--to", "en", "--backend", "pseudo"])
        else:
            for catalog in (root / "locales" / "en").glob("*.po"):
                po = polib.pofile(str(catalog))
                for entry in po:
                    entry.msgstr = translate(entry.msgid)
                po.save()
            main(["build", ".", "--to", "en"])
    built.log = out.getvalue()
    _generate(dialect, root)
    for name, path in sources.items():
        page = Page(identical[name])
        english = _english_path(dialect, path)
        page.english_markdown = _read(english)
        page.source_html, page.english_html = _html_pages(dialect, root, name)
        catalog = root / "locales" / "en" / f"{path.stem}.po"
        if catalog.is_file():
            page.msgids = [e.msgid for e in polib.pofile(str(catalog)) if e.msgid]
        built.pages[name] = page
    return built


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")  # kramdown may write a stray byte


def _read(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


def _source_path(dialect: str, name: str) -> str:
    if dialect == "kramdown":
        dated = name if re.match(r"\d{4}-\d\d-\d\d-", name) else f"2024-01-01-{name}"
        return f"_posts/{dated}.md"
    return f"content/posts/{name}.md"


def _english_path(dialect: str, source: Path) -> Path:
    if dialect == "kramdown":
        return source.parent.parent / "en" / "_posts" / source.name
    return source.with_suffix(".en.md")


def _generate(dialect: str, root: Path) -> None:
    tool = shutil.which(GENERATORS[dialect])
    assert tool is not None, GENERATORS[dialect]
    if dialect == "kramdown":
        command = [tool, "build", "--quiet", "-s", str(root), "-d", str(root / "_site")]
    else:
        command = [tool, "--quiet", "-s", str(root), "-d", str(root / "public")]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr + run.stdout


def _html_pages(dialect: str, root: Path, name: str) -> tuple[str, str]:
    slugs = {name, re.sub(r"^\d{4}-\d\d-\d\d-", "", name)}
    out = root / ("_site" if dialect == "kramdown" else "public")
    found = sorted(p for p in out.rglob("index.html") if p.parent.name in slugs)
    source = [p for p in found if p.relative_to(out).parts[0] != "en"]
    english = [p for p in found if p.relative_to(out).parts[0] == "en"]
    if len(source) != 1 or len(english) != 1:
        return "", ""  # not published: the structure test says so
    return _text(source[0]), _text(english[0])


# -- what a page is made of ---------------------------------------------------------------


class _Reader(HTMLParser):
    """Collects a page's structure (tags with their attributes, code, link targets) and
    the text a reader sees (with translatable attribute values)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.structure: list[str] = []
        self.visible: list[str] = []  # the page's text, in order
        self.attributes: list[str] = []  # translatable attribute values
        self._code = 0  # inside <code>, <pre>, <script>, <style>
        self._link: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = []
        for key, value in sorted(attrs):
            if key in TRANSLATED_ATTRIBUTES:
                self.attributes.append(value or "")
                value = "…"
            shown.append(f"{key}={value!r}")
        self.structure.append(f"<{tag} {' '.join(shown)}>")
        if tag in ("code", "pre", "script", "style"):
            self._code += 1
        if tag == "a":
            self._link.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        self.structure.append(f"</{tag}>")
        if tag in ("code", "pre", "script", "style") and self._code:
            self._code -= 1
        if tag == "a" and self._link:
            self._link.pop()

    def handle_data(self, data: str) -> None:
        if self._code:
            self.structure.append(data)
        elif self._link and _is_target(self._link[-1], data.strip()):
            self.structure.append(data)  # a bare URL, linked: the link's text is its target
        else:
            self.visible.append(data)


def _is_target(href: str, text: str) -> bool:
    href = unquote(href)
    return bool(text) and (href == text or href.endswith("://" + text) or href == "mailto:" + text)


def read_page(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def structure_differences(source_html: str, english_html: str) -> list[str]:
    """Where the English page's structure differs from the source page's (as a diff)."""
    import difflib

    a, b = read_page(source_html).structure, read_page(english_html).structure
    return [
        line
        for line in difflib.unified_diff(a, b, lineterm="", n=1)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]


def chinese_left(english_html: str) -> str:
    """The Han characters a reader of the English page sees outside translated text."""
    page = read_page(english_html)
    return "".join(_outside_marks(t) for t in ["".join(page.visible), *page.attributes])


def _outside_marks(text: str) -> str:
    left = []
    depth = 0
    for ch in text:
        if ch == OPEN:
            depth += 1
        elif ch == CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and _HAN.match(ch):
            left.append(ch)
    return "".join(left)


# What must never be text for a translator: only ever a tag (or left out of the unit).
NEVER_TEXT = {
    "URL": re.compile(r"https?://|www\.[a-z]|[\w.+-]+@[\w-]+\.[a-z]"),
    "emoji shortcode": re.compile(r":[a-z0-9_+-]*[a-z][a-z0-9_+-]*:"),
    "attribute list": re.compile(r"\{:|\{[#.][\w-]|\{\w+=[\"\w]"),
    "template tag": re.compile(r"\{[%{]|[%}]\}"),
    "HTML": re.compile(r"</?[a-zA-Z][^>]*>|&[a-z]+;"),
}


def never_text(msgid: str) -> list[str]:
    """What ``msgid`` (its tags removed) shows a translator that it must not."""
    text = re.sub(r"</?x\d+/?>", " ", msgid)
    return [what for what, pattern in NEVER_TEXT.items() if pattern.search(text)]


def ascii_words(msgid: str) -> str:
    """A translation with no Chinese left that changes every id derived from the text:
    each run of Han characters becomes a Latin word (its length), Chinese punctuation its
    ASCII look-alike, tags and the rest kept."""
    words = _HAN_RUN.sub(lambda m: f"w{len(m.group(0))}", msgid)
    words = unicodedata.normalize("NFKC", words)  # full-width forms: ASCII
    for zh, en in zip(
        "，。：、；！？「」『』《》〈〉【】“”‘’…—", ',.:,;!?""""""<>[]""\'\'.-', strict=True
    ):
        words = words.replace(zh, en + (" " if en in ",.:;!?" else ""))
    return words.strip()


_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def broken_fragments(html: str) -> list[str]:
    """The in-page links (``href="#…"``) of a page that no id on it answers."""
    ids = set(re.findall(r'\sid="([^"]*)"', html))
    return [href for href in re.findall(r'href="#([^"]*)"', html) if unquote(href) not in ids]
