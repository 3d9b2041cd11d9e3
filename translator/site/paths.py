"""Where things live on a site: which files are source posts, where each post's catalog
and per-locale posts go.

Per-locale posts go, by default, where the site generator publishes them correctly: on a
Jekyll site (a ``_config.yml`` above the post) ``<site>/<locale>/<path in site>``, so
``_posts/x.md`` becomes ``en/_posts/x.md`` (a ``x.en.md`` beside it would be published as
a second post); elsewhere Hugo-style ``<dir>/<stem>.<locale><ext>``. The ``output``
setting overrides both with a pattern.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path, PurePosixPath

from ..errors import InputError
from ..named_tuple import NamedTuple
from .config import LOCALE, Settings

MARKDOWN = (".md", ".markdown")
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")
JEKYLL_PATTERN = "{site}/{locale}/{subdir}/{stem}{ext}"
HUGO_PATTERN = "{dir}/{stem}.{locale}{ext}"
_SKIP_DIRS = {"_site", "public", "resources", "node_modules", "vendor", ".git", ".jekyll-cache"}


class PostPaths(NamedTuple):
    """The files of one source post, relative to the site root (POSIX style; a named
    tuple, as :mod:`..markdown.dialects` says why)."""

    source: str
    name: str  # the catalog's name: the stem, or the folder of a page bundle's index.md
    site: str  # the Jekyll site folder holding _config.yml ("" when none, or the root)
    jekyll: bool = False  # on a Jekyll site (its _config.yml may be at the root)

    def catalog(self, settings: Settings, locale: str) -> str:
        return _fill(
            settings.catalog, self.source, self.name, self.site, locale, settings.locales_dir
        )

    def output(self, settings: Settings, locale: str) -> str:
        pattern = settings.output or (JEKYLL_PATTERN if self.jekyll else HUGO_PATTERN)
        return _fill(pattern, self.source, self.name, self.site, locale, settings.locales_dir)


@lru_cache(maxsize=65536)
def _fill(pattern: str, source: str, name: str, site: str, locale: str, locales_dir: str) -> str:
    directory, _, filename = source.rpartition("/")
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    subdir = directory[len(site) :].lstrip("/") if site else directory
    filled = pattern.format(
        locale=locale,
        dir=directory,
        stem=stem,
        ext=dot + ext,
        name=name,
        site=site,
        subdir=subdir,
        locales_dir=locales_dir,
    )
    return "/".join(p for p in filled.split("/") if p not in ("", "."))


def post_paths(path: Path, settings: Settings) -> PostPaths:
    root = settings.root
    absolute = path if path.is_absolute() else (Path.cwd() / path)
    try:
        rel = absolute.resolve().relative_to(root)
    except ValueError as exc:
        raise InputError(f"outside the site root {root}", path) from exc
    return _post_paths(rel.as_posix(), root)


def _post_paths(rel: str, root: Path) -> PostPaths:
    posix = PurePosixPath(rel)
    name = posix.stem
    if name in ("index", "_index") and posix.parent.name:
        name = posix.parent.name
    site = _jekyll_site(root, posix.parent)
    return PostPaths(str(posix), name, site, bool(site) or _has_jekyll_config(root))


@lru_cache(maxsize=4096)
def _jekyll_site(root: Path, folder: PurePosixPath) -> str:
    """The nearest folder above a post (below the root) that holds a Jekyll config."""
    if folder == PurePosixPath("."):
        return ""
    if _has_jekyll_config(root / folder):
        return str(folder)
    return _jekyll_site(root, folder.parent)


@lru_cache(maxsize=4096)
def _has_jekyll_config(folder: Path) -> bool:
    return any((folder / c).is_file() for c in JEKYLL_CONFIGS)


def known_locales(settings: Settings, requested: Iterable[str] = ()) -> list[str]:
    """Requested locales, else configured ones, else the folders under ``locales/``."""
    wanted = list(dict.fromkeys(requested)) or list(settings.locales)
    for locale in wanted:
        if not LOCALE.fullmatch(locale):
            raise InputError(f"{locale!r} is not a locale (like en, ja, zh-Hant, pt_BR)")
    if wanted:
        return wanted
    base = settings.root / settings.locales_dir
    if base.is_dir():
        return sorted(p.name for p in base.iterdir() if p.is_dir() and LOCALE.fullmatch(p.name))
    return []


def find_posts(
    paths: Iterable[Path], settings: Settings, locales: Iterable[str]
) -> list[PostPaths]:
    """The source posts under ``paths``, leaving out per-locale posts we build."""
    every_locale = set(locales) | set(known_locales(settings))
    found: list[PostPaths] = []
    for path in paths:
        if path.is_file():
            found.append(post_paths(path, settings))
        elif path.is_dir():
            folder = post_paths(path, settings).source  # checked and resolved once
            for rel in _walk(settings.root, "" if folder == "." else folder):
                if not _hugo_translation(rel, every_locale):
                    found.append(_post_paths(rel, settings.root))
        else:
            raise InputError("no such file or folder", path)
    outputs = {p.output(settings, loc) for p in found for loc in every_locale}
    locale_dir = settings.locales_dir.strip("/") + "/"
    seen: dict[str, PostPaths] = {}
    for post in found:
        if post.source in outputs or post.source.startswith(locale_dir):
            continue
        if _hugo_translation(post.source, every_locale):
            continue
        in_site = post.source[len(post.site) :].lstrip("/") if post.site else post.source
        if post.jekyll and in_site.split("/", 1)[0] in every_locale:
            continue  # Jekyll-style <locale>/_posts/x.md
        seen.setdefault(post.source, post)
    posts = list(seen.values())
    _check_names(posts, settings, every_locale)
    return posts


def _hugo_translation(source: str, locales: set[str]) -> bool:
    """A Hugo-style translation of a post: ``x.en.md``."""
    stem_suffix = source.rpartition("/")[2].rsplit(".", 2)
    return len(stem_suffix) == 3 and stem_suffix[1] in locales


def _check_names(posts: list[PostPaths], settings: Settings, locales: set[str]) -> None:
    for locale in sorted(locales) or ["xx"]:
        owners: dict[str, str] = {}
        for post in posts:
            catalog = post.catalog(settings, locale)
            if catalog in owners:
                raise InputError(
                    f"posts {owners[catalog]} and {post.source} would share the catalog {catalog}; "
                    "set 'catalog' in translator.toml to a pattern with {dir}",
                    post.source,
                )
            owners[catalog] = post.source


def _walk(root: Path, folder: str) -> list[str]:
    """Markdown files under ``folder`` (relative to ``root``), as POSIX paths from the root."""
    out: list[str] = []
    for directory, dirs, files in os.walk(root / folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        rel = os.path.relpath(directory, root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        out.extend(prefix + f for f in sorted(files) if f.endswith(MARKDOWN))
    return out
