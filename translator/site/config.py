"""Settings: defaults that make a plain Jekyll or Hugo site work, overridden by
``translator.toml`` (or ``[tool.translator]`` in ``pyproject.toml``) at the site root."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import ConfigError
from ..markdown.dialects import ANCHORS, DIALECTS, HTML_ATTRIBUTES, TEMPLATE_ARGUMENTS
from ..named_tuple import NamedTuple

TYPE_CHECKING = False  # typing's own, without importing typing (see named_tuple.py)
if TYPE_CHECKING:
    from typing import Any

CONFIG_FILE = "translator.toml"
DEFAULT_KEYS = ("title", "description", "summary", "excerpt")  # front matter to translate


class Settings(NamedTuple):
    """A site's settings (a named tuple, as :mod:`..markdown.dialects` says why; its
    tables are read-only, so the defaults can be shared)."""

    root: Path = Path()
    source_locale: str = "zh"
    locales: tuple[str, ...] = ()
    locales_dir: str = "locales"
    catalog: str = "{locales_dir}/{locale}/{name}.po"
    output: str | None = None  # None: Jekyll <locale>/_posts/…, otherwise Hugo <stem>.<locale>.md
    front_matter_keys: tuple[str, ...] = DEFAULT_KEYS
    copy_latin: bool = True  # units without Han/kana are published as they are, never sent
    split_sentences: bool = False
    backend: str | None = None
    glossary: str | None = None  # a CSV, TOML or TBX file at the site root
    policy: str = "machine"  # publish machine translations; "reviewed": only approved ones
    policies: Mapping[str, str] = {}  # per locale
    show_stale: bool | None = None  # publish stale translations (default: with "machine")
    project: str = ""
    backends: Mapping[str, dict[str, Any]] = {}
    markdown: str | None = None  # the dialect; None: the site's generator says
    anchors: str = "keep"  # a translated heading keeps its anchor ("translate": links follow)
    html_attributes: tuple[str, ...] = HTML_ATTRIBUTES  # translated inside HTML tags
    translate_comments: bool = False  # HTML comments are text
    # template tag name -> its translated arguments (names, or 0-based positions as "0")
    template_arguments: Mapping[str, tuple[str, ...]] = dict(TEMPLATE_ARGUMENTS)
    config_file: Path | None = None


_TYPES: dict[str, type | tuple[type, ...]] = {
    "source_locale": str,
    "locales": list,
    "locales_dir": str,
    "catalog": str,
    "output": str,
    "front_matter_keys": list,
    "extra_front_matter_keys": list,
    "copy_latin": bool,
    "split_sentences": bool,
    "backend": str,
    "glossary": str,
    "policy": str,
    "policies": dict,
    "show_stale": bool,
    "project": str,
    "backends": dict,
    "markdown": str,
    "anchors": str,
    "html_attributes": list,
    "translate_comments": bool,
    "template_arguments": dict,
}


def load_settings(root: Path) -> Settings:
    """Read the settings of the site at ``root``; raise :class:`ConfigError` naming key and file."""
    root = root.resolve()
    table: dict[str, Any] = {}
    source: Path | None = None
    own = root / CONFIG_FILE
    pyproject = root / "pyproject.toml"
    if own.is_file():
        source = own
        table = _load(own)
    elif pyproject.is_file():
        data = _load(pyproject)
        tool = data.get("tool", {})
        if isinstance(tool, dict) and isinstance(tool.get("translator"), dict):
            source = pyproject
            table = tool["translator"]
    settings = Settings(root=root, config_file=source)
    if source is None:
        return settings
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = _TYPES.get(key)
        if expected is None:
            known = ", ".join(sorted(_TYPES))
            raise ConfigError(
                f"unknown key {key!r} (known: {known})", source, _line_of(source, key)
            )
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            name = expected.__name__ if isinstance(expected, type) else "value"
            raise ConfigError(f"{key} must be a {name}", source, _line_of(source, key))
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} must be a list of strings", source, _line_of(source, key))
        values[key] = value
    extra = values.pop("extra_front_matter_keys", [])
    for key in ("locales", "front_matter_keys", "html_attributes"):
        if key in values:
            values[key] = tuple(values[key])
    if extra:
        values["front_matter_keys"] = tuple(values.get("front_matter_keys", DEFAULT_KEYS)) + tuple(
            extra
        )
    for key in ("catalog", "output"):
        if key in values:
            _check_pattern(values[key], key, source)
    for key in ("locales_dir", "glossary"):
        if key in values and _escapes(values[key]):
            raise ConfigError(f"{key} escapes the site root", source, _line_of(source, key))
    for locale in [values.get("source_locale", "zh"), *values.get("locales", ())]:
        if not LOCALE.fullmatch(locale):
            key = "locales" if locale != values.get("source_locale") else "source_locale"
            raise ConfigError(f"{locale!r} is not a locale", source, _line_of(source, key))
    for locale, policy in [
        ("", values.get("policy", "machine")),
        *values.get("policies", {}).items(),
    ]:
        if policy not in ("machine", "reviewed"):
            key = "policies" if locale else "policy"
            raise ConfigError(
                f'{key}: {policy!r} is not a policy (use "machine" or "reviewed")',
                source,
                _line_of(source, key) or _line_of(source, locale),
            )
    _check_choice(values, "markdown", DIALECTS, source)
    _check_choice(values, "anchors", ANCHORS, source)
    if "template_arguments" in values:
        values["template_arguments"] = {
            **dict(TEMPLATE_ARGUMENTS),
            **_template_arguments(values["template_arguments"], source),
        }
    assert set(values) <= set(Settings._fields)
    return settings._replace(**values)


def _check_choice(values: dict[str, Any], key: str, choices: tuple[str, ...], source: Path) -> None:
    if key in values and values[key] not in choices:
        raise ConfigError(
            f"{key}: {values[key]!r} is not one of " + ", ".join(f'"{c}"' for c in choices),
            source,
            _line_of(source, key),
        )


def _template_arguments(table: dict[str, Any], source: Path) -> dict[str, tuple[str, ...]]:
    """``{figure = ["title", "alt"], alert = [0]}``: names, or 0-based positions."""
    out: dict[str, tuple[str, ...]] = {}
    for tag, arguments in table.items():
        if not isinstance(arguments, list) or not all(
            isinstance(a, str) or (isinstance(a, int) and not isinstance(a, bool) and a >= 0)
            for a in arguments
        ):
            raise ConfigError(
                f"template_arguments.{tag} must be a list of argument names and positions "
                '(like ["title", 0])',
                source,
                _line_of(source, tag) or _line_of(source, "template_arguments"),
            )
        out[tag] = tuple(str(a) for a in arguments)
    return out


def _check_pattern(pattern: str, key: str, source: Path) -> None:
    allowed = {"locale", "dir", "stem", "ext", "name", "site", "subdir", "locales_dir"}
    for name in re.findall(r"\{(\w*)\}", pattern):
        if name not in allowed:
            raise ConfigError(
                f"{key}: unknown placeholder {{{name}}} "
                f"(use {', '.join('{' + a + '}' for a in sorted(allowed))})",
                source,
                _line_of(source, key),
            )
    if "{locale}" not in pattern:
        raise ConfigError(
            f"{key}: the pattern must contain {{locale}}", source, _line_of(source, key)
        )
    if _escapes(pattern):
        raise ConfigError(f"{key} escapes the site root", source, _line_of(source, key))


LOCALE = re.compile(r"[A-Za-z]{2,8}(?:[_-][A-Za-z0-9]{1,8})*")  # en, zh-Hans, pt_BR, sr-Latn-RS


def _escapes(pattern: str) -> bool:
    """Whether a path pattern could lead outside the site root: an absolute path, or a
    ``..`` (the placeholders themselves are paths inside the site, a locale or a stem)."""
    return pattern.startswith(("/", "\\", "~")) or ".." in re.split(r"[/\\]", pattern)


def _load(path: Path) -> dict[str, Any]:
    import tomllib  # a site with no translator.toml never needs it

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"invalid TOML: {exc}", path, int(m.group(1)) if m else None) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path) from exc


def _line_of(path: Path, key: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError:
        return None
    for number, line in enumerate(lines, 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None
