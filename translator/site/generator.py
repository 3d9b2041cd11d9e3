"""Which generator publishes a post, from the site's config files, and so how to read it:
kramdown on a Jekyll site (a ``_config.yml``), Goldmark on a Hugo site (``hugo.toml``,
``config.toml``…), GFM on neither; the ``markdown`` setting overrides. The generator's
config also says whether emoji shortcodes and bare-URL links apply. (Attribute lists are
protected whether Goldmark applies them or prints them: either way they are not text.)"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ..markdown.dialects import Dialect, Reading, dialect_named
from .config import Settings
from .paths import JEKYLL_CONFIGS, PostPaths

TYPE_CHECKING = False  # typing's own, without importing typing (see named_tuple.py)
if TYPE_CHECKING:
    from typing import Any

# the keys read from each config (lower case): a config naming none of them is not parsed
JEKYLL_KEYS = ("jemoji",)
HUGO_KEYS = ("enableemoji", "linkify")
HUGO_CONFIGS = tuple(
    f"{folder}{name}.{ext}"
    for folder in ("", "config/_default/")
    for name in ("hugo", "config")
    for ext in ("toml", "yaml", "yml", "json")
)


def reading_for(settings: Settings, post: PostPaths) -> Reading:
    """How to read ``post``: its site's dialect and the settings that decide what is text."""
    return Reading(
        dialect_for(settings, post),
        settings.html_attributes,
        settings.translate_comments,
        tuple(sorted(settings.template_arguments.items())),
        settings.anchors,
    )


def dialect_for(settings: Settings, post: PostPaths) -> Dialect:
    jekyll = settings.root / post.site if post.site else settings.root
    if post.jekyll and _is_hexo(jekyll):
        jekyll_config: dict[str, Any] | None = None  # Hexo's _config.yml: marked reads GFM
    else:
        jekyll_config = _config(jekyll, JEKYLL_CONFIGS, JEKYLL_KEYS) if post.jekyll else None
    hugo_config = _config(settings.root, HUGO_CONFIGS, HUGO_KEYS)
    name = settings.markdown
    if name is None:
        name = (
            "kramdown"
            if jekyll_config is not None
            else "goldmark"
            if hugo_config is not None
            else "gfm"
        )
    if name == "kramdown":
        plugins = [
            *(jekyll_config or {}).get("plugins", []),
            *(jekyll_config or {}).get("gems", []),
        ]
        return dialect_named(name, emoji="jemoji" in plugins)
    if name == "goldmark":
        hugo = hugo_config or {}
        goldmark = _at(hugo, "markup", "goldmark")
        return dialect_named(
            name,
            emoji=bool(hugo.get("enableemoji", False)),
            linkify=bool(_at(goldmark, "extensions").get("linkify", True)),
        )
    return dialect_named(name)


def _at(table: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        value = table.get(key)
        table = value if isinstance(value, dict) else {}
    return table


@lru_cache(maxsize=256)
def _is_hexo(folder: Path) -> bool:
    try:
        return '"hexo"' in (folder / "package.json").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _config(folder: Path, names: tuple[str, ...], keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The first of ``names`` in ``folder``, read, its keys lower-cased (Hugo's are case
    insensitive); None if there is none. An unreadable config reads as empty: the
    generator will say what is wrong with it."""
    for name in names:
        path = folder / name
        try:
            changed = path.stat().st_mtime_ns
        except OSError:
            continue
        return _read(path, changed, keys)
    return None


@lru_cache(maxsize=256)
def _read(path: Path, changed: int, keys: tuple[str, ...]) -> dict[str, Any]:
    """The config at ``path``, parsed only if it names one of ``keys`` (what this module
    reads from it): a config that does not reads as empty, and a ``check`` on a site whose
    config says nothing about emoji or links loads no YAML or TOML parser."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    folded = text.lower()
    if not any(key in folded for key in keys):
        return {}
    import tomllib  # (a site's config is read once; each reader only where it is needed)

    import yaml

    try:
        data = (
            tomllib.loads(text)
            if path.suffix == ".toml"
            else json.loads(text)
            if path.suffix == ".json"
            else yaml.safe_load(text)
        )
    except (ValueError, yaml.YAMLError):
        data = {}
    return _lower(data) if isinstance(data, dict) else {}


def _lower(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower(v) for k, v in value.items()}
    return value
