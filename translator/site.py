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
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import Settings
from .errors import InputError

MARKDOWN = (".md", ".markdown")
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")
JEKYLL_PATTERN = "{site}/{locale}/{subdir}/{stem}{ext}"
HUGO_PATTERN = "{dir}/{stem}.{locale}{ext}"
_SKIP_DIRS = {"_site", "public", "resources", "node_modules", "vendor", ".git", ".jekyll-cache"}


@dataclass(frozen=True, slots=True)
class PostPaths:
    """The files of one source post, relative to the site root (POSIX style)."""

    source: str
    name: str  # the catalog's name: the stem, or the folder of a page bundle's index.md
    site: str  # the Jekyll site folder holding _config.yml ("" when none)

    def catalog(self, settings: Settings, locale: str) -> str:
        return _fill(settings.catalog, self, settings, locale)

    def output(self, settings: Settings, locale: str) -> str:
        jekyll = self.site or self.is_jekyll_root(settings)
        pattern = settings.output or (JEKYLL_PATTERN if jekyll else HUGO_PATTERN)
        return _fill(pattern, self, settings, locale)

    def is_jekyll_root(self, settings: Settings) -> bool:
        return self.site == "" and any((settings.root / c).is_file() for c in JEKYLL_CONFIGS)


def _fill(pattern: str, post: PostPaths, settings: Settings, locale: str) -> str:
    source = PurePosixPath(post.source)
    directory = str(source.parent) if str(source.parent) != "." else ""
    site = post.site
    subdir = str(source.parent.relative_to(site)) if site else directory
    if subdir == ".":
        subdir = ""
    filled = pattern.format(
        locale=locale,
        dir=directory,
        stem=source.stem,
        ext=source.suffix,
        name=post.name,
        site=site,
        subdir=subdir,
        locales_dir=settings.locales_dir,
    )
    parts = [p for p in filled.split("/") if p not in ("", ".")]
    return "/".join(parts)


def post_paths(path: Path, settings: Settings) -> PostPaths:
    root = settings.root
    absolute = path if path.is_absolute() else (Path.cwd() / path)
    try:
        rel = absolute.resolve().relative_to(root)
    except ValueError as exc:
        raise InputError(f"outside the site root {root}", path) from exc
    posix = PurePosixPath(rel.as_posix())
    name = posix.stem
    if name in ("index", "_index") and posix.parent.name:
        name = posix.parent.name
    return PostPaths(str(posix), name, _jekyll_site(root, posix))


def _jekyll_site(root: Path, rel: PurePosixPath) -> str:
    for parent in rel.parents:
        if parent == PurePosixPath("."):
            break
        if any((root / parent / c).is_file() for c in JEKYLL_CONFIGS):
            return str(parent)
    return ""


def known_locales(settings: Settings, requested: Iterable[str] = ()) -> list[str]:
    """Requested locales, else configured ones, else the folders under ``locales/``."""
    wanted = list(dict.fromkeys(requested)) or list(settings.locales)
    if wanted:
        return wanted
    base = settings.root / settings.locales_dir
    if base.is_dir():
        return sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    return []


def find_posts(
    paths: Iterable[Path], settings: Settings, locales: Iterable[str]
) -> list[PostPaths]:
    """The source posts under ``paths``, leaving out per-locale posts we build."""
    found: list[PostPaths] = []
    for path in paths:
        if path.is_file():
            found.append(post_paths(path, settings))
        elif path.is_dir():
            for file in _walk(path):
                found.append(post_paths(file, settings))
        else:
            raise InputError("no such file or folder", path)
    every_locale = set(locales) | set(known_locales(settings))
    outputs = {p.output(settings, loc) for p in found for loc in every_locale}
    locale_dir = settings.locales_dir.strip("/") + "/"
    seen: dict[str, PostPaths] = {}
    for post in found:
        if post.source in outputs or post.source.startswith(locale_dir):
            continue
        stem_suffix = PurePosixPath(post.source).stem.rsplit(".", 1)
        if len(stem_suffix) == 2 and stem_suffix[1] in every_locale:
            continue  # Hugo-style x.en.md
        in_site = (
            PurePosixPath(post.source).relative_to(post.site)
            if post.site
            else PurePosixPath(post.source)
        )
        if (post.site or post.is_jekyll_root(settings)) and in_site.parts[0] in every_locale:
            continue  # Jekyll-style <locale>/_posts/x.md
        seen.setdefault(post.source, post)
    posts = list(seen.values())
    _check_names(posts, settings, every_locale)
    return posts


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


def _walk(folder: Path) -> list[Path]:
    out: list[Path] = []
    for directory, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        out.extend(Path(directory) / f for f in sorted(files) if f.endswith(MARKDOWN))
    return out
