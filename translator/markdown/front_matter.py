"""Translatable values in YAML (``---``) and TOML (``+++``) front matter.

Values are found by their dotted key path (``title``, ``cover.alt``; a list value yields
``tags[0]``, ``tags[1]``…). Only string scalars are ever translated: dates, numbers and
booleans never are. Writing a translation back keeps every other byte of the block and the
value's own quoting style where that is still valid; otherwise the value is re-quoted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

if TYPE_CHECKING:  # tomlkit is imported when a post has TOML front matter
    import tomlkit
    from tomlkit.items import String

from ..errors import BuildError, PostError
from .cjk import join_lines
from .document import Post

# libyaml when PyYAML was built with it (the wheels are): the same nodes and marks, faster
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


class Field(NamedTuple):
    """One translatable front-matter value."""

    path: str  # "title", "cover.alt", "tags[0]"
    text: str  # the value as a translator sees it (wrapped lines joined)
    line: int  # 1-based line in the post
    start: int  # YAML: offsets of the value's source in the post text; TOML: -1
    end: int
    style: str  # YAML: "plain" ' " > |; TOML: the tomlkit string type name


def find_fields(post: Post, keys: Sequence[str]) -> list[Field]:
    """Return the translatable values named by ``keys``, in document order."""
    fm = post.front_matter
    if fm is None or not keys:
        return []
    source = fm.text_of(post.text)
    wanted = set(keys)
    if fm.kind == "yaml":
        node = _compose_yaml(source, post, fm.first_line)
        fields = list(_yaml_fields(node, "", wanted, source, fm.start, fm.first_line))
        fields.sort(key=lambda f: f.start)
        return fields
    doc = _parse_toml(source, post, fm.first_line)
    return list(_toml_fields(doc, "", wanted, source, fm.first_line))


def render_front_matter(post: Post, translations: Mapping[str, str]) -> str:
    """Return the front-matter block content with ``translations`` (path -> text) applied.

    Raises :class:`BuildError` if the result would not parse back to the same data.
    """
    fm = post.front_matter
    assert fm is not None
    source = fm.text_of(post.text)
    if not translations:
        return source
    if fm.kind == "yaml":
        return _render_yaml(post, source, translations)
    return _render_toml(post, source, translations)


# -- YAML -------------------------------------------------------------------------------


def _compose_yaml(source: str, post: Post, first_line: int) -> yaml.Node | None:
    try:
        node = yaml.compose(source, Loader=_LOADER)
        _load(source)  # also catches what composing lets through (bad timestamps…)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "invalid YAML"
        raise PostError(f"front matter: invalid YAML: {problem}", post.path, line) from exc
    except yaml.YAMLError as exc:
        raise PostError(f"front matter: invalid YAML: {exc}", post.path, first_line) from exc
    if node is not None and not isinstance(node, yaml.MappingNode):
        raise PostError(
            "front matter: YAML must be a mapping of keys to values", post.path, first_line
        )
    return node


def _yaml_fields(
    node: yaml.Node | None, prefix: str, wanted: set[str], source: str, base: int, first_line: int
) -> Iterator[Field]:
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        path = f"{prefix}{key.value}"
        if path in wanted:
            if isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    field = _yaml_field(item, f"{path}[{i}]", source, base, first_line)
                    if field:
                        yield field
            else:
                field = _yaml_field(value, path, source, base, first_line)
                if field:
                    yield field
        elif isinstance(value, yaml.MappingNode) and any(w.startswith(path + ".") for w in wanted):
            yield from _yaml_fields(value, path + ".", wanted, source, base, first_line)


def _yaml_field(
    node: yaml.Node, path: str, source: str, base: int, first_line: int
) -> Field | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        return None
    if _DATE.match(node.value):
        return None
    raw = source[node.start_mark.index : node.end_mark.index]
    style = node.style or "plain"
    return Field(
        path=path,
        text=_yaml_text(node.value, raw, style),
        line=first_line + node.start_mark.line,
        start=base + node.start_mark.index,
        end=base + node.end_mark.index,
        style=style,
    )


def _yaml_text(value: str, raw: str, style: str) -> str:
    """The value as a translator should see it: wrapped lines joined CJK-aware."""
    if style == "|":
        return value.rstrip("\n")
    if "\n" not in raw.rstrip("\n"):
        return value
    if style == ">":
        return join_lines(raw.split("\n")[1:])
    if style == "plain":
        return join_lines(raw.split("\n"))
    if style == "'":
        return join_lines(raw[1:-1].replace("''", "'").split("\n"))
    if style == '"' and "\\" not in raw:
        return join_lines(raw[1:-1].split("\n"))
    return value


def _yaml_scalar(field: Field, text: str, source_raw: str, quote: bool) -> str:
    """Render ``text`` in the style of ``field`` (or double-quoted when ``quote``)."""
    core = source_raw.rstrip("\n")
    tail = source_raw[len(core) :]  # a block scalar's span ends with its line break(s)
    one_line = "\n" not in text and text == text.strip() and text != ""
    style = '"' if quote else field.style
    if style == "plain" and one_line and _plain_is_safe(text):
        return text + tail
    if style == "'" and one_line:
        return "'" + text.replace("'", "''") + "'" + tail
    if style in (">", "|") and text and text == text.strip():
        header, _, rest = core.partition("\n")
        indent = next(
            (ln[: len(ln) - len(ln.lstrip(" "))] for ln in rest.split("\n") if ln.strip()), "  "
        )
        body_lines = text.split("\n") if style == "|" else [text.replace("\n", " ")]
        body = "\n".join(indent + ln if ln else "" for ln in body_lines)
        return f"{header}\n{body}" + (tail or "\n")
    return json.dumps(text, ensure_ascii=False) + tail


def _plain_is_safe(text: str) -> bool:
    try:
        return bool(_load(f"k: {text}") == {"k": text})
    except yaml.YAMLError:
        return False


def _render_yaml(post: Post, source: str, translations: Mapping[str, str]) -> str:
    fm = post.front_matter
    assert fm is not None
    fields = [f for f in find_fields(post, list(_keys_of(translations))) if f.path in translations]

    def render(chosen: list[Field], quoted: set[str]) -> str:
        out = source
        for field in sorted(chosen, key=lambda f: f.start, reverse=True):
            a, b = field.start - fm.start, field.end - fm.start
            scalar = _yaml_scalar(
                field, translations[field.path], source[a:b], field.path in quoted
            )
            out = out[:a] + scalar + out[b:]
        return out

    # keep each value's own style where that still reads back right, else double-quote it
    quoted = {
        f.path
        for f in fields
        if _yaml_mismatches(source, render([f], set()), {f.path: translations[f.path]})
    }
    out = render(fields, quoted)
    bad = _yaml_mismatches(source, out, {f.path: translations[f.path] for f in fields})
    if bad:
        raise BuildError(
            "front matter would not parse back after translation (keys: "
            + ", ".join(sorted(bad))
            + ")",
            post.path,
            fm.first_line,
        )
    return out


def _yaml_mismatches(old: str, new: str, translations: Mapping[str, str]) -> set[str]:
    """The keys whose value does not read back as its translation (all, if nothing parses)."""
    try:
        node = yaml.compose(new, Loader=_LOADER)
        new_data = _load(new)
    except yaml.YAMLError:
        return set(translations)
    wanted = {_base(p) for p in translations}
    got = {f.path: f.text for f in _yaml_fields(node, "", wanted, new, 0, 0)}
    bad = {p for p, t in translations.items() if got.get(p) != t}
    if bad:
        return bad
    if _without(_load(old), translations) != _without(new_data, translations):
        return set(translations)
    return set()


# -- TOML -------------------------------------------------------------------------------


def _parse_toml(source: str, post: Post, first_line: int) -> tomlkit.TOMLDocument:
    import tomllib  # (the TOML readers only for a post with TOML front matter)

    import tomlkit

    try:
        tomllib.loads(source)
        return tomlkit.parse(source)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = first_line + int(m.group(1)) - 1 if m else first_line
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise PostError(f"front matter: invalid TOML: {msg}", post.path, line) from exc
    except Exception as exc:  # tomlkit's own parse errors, after tomllib accepted the text
        raise PostError(f"front matter: cannot parse TOML: {exc}", post.path, first_line) from exc


def _toml_fields(
    table: Mapping[str, Any], prefix: str, wanted: set[str], source: str, first_line: int
) -> Iterator[Field]:
    from tomlkit.items import String

    for key, value in table.items():
        path = f"{prefix}{key}"
        if path in wanted:
            items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            for i, item in items:
                if isinstance(item, String) and not _DATE.match(str(item)):
                    sub = path if i is None else f"{path}[{i}]"
                    line = first_line + _toml_line(source, path)
                    yield Field(sub, _toml_text(item), line, -1, -1, item.type.name)
        elif isinstance(value, Mapping) and any(w.startswith(path + ".") for w in wanted):
            yield from _toml_fields(value, path + ".", wanted, source, first_line)


def _toml_text(item: String) -> str:
    from tomlkit.items import StringType

    if item.type in (StringType.MLB, StringType.MLL):
        return join_lines(str(item).split("\n"))
    return str(item)


def _toml_line(source: str, path: str) -> int:
    """0-based line of the key ``path`` inside the block (best effort)."""
    parts = path.split(".")
    table, key = ".".join(parts[:-1]), parts[-1]
    current = ""
    lines = source.split("\n")
    for number, line in enumerate(lines):
        header = re.match(r"\s*\[+\s*([^\]]+?)\s*\]+", line)
        if header:
            current = header.group(1).replace('"', "").replace("'", "")
            continue
        m = re.match(r"\s*([A-Za-z0-9_.\"' -]+?)\s*=", line)
        if not m:
            continue
        name = m.group(1).replace('"', "").replace("'", "").replace(" ", "")
        full = f"{current}.{name}" if current else name
        if full in (path, table) or (current == table and name == key):
            return number
    return 0


def _render_toml(post: Post, source: str, translations: Mapping[str, str]) -> str:
    import tomllib

    import tomlkit
    from tomlkit.items import String, StringType

    fm = post.front_matter
    assert fm is not None
    doc = tomlkit.parse(source)
    for path, text in translations.items():
        container, key = _toml_slot(doc, path)
        old = container[key]
        kind = old.type if isinstance(old, String) else StringType.SLB
        if kind in (StringType.MLB, StringType.MLL):
            kind = StringType.SLB if "\n" not in text else StringType.MLB
        if kind is StringType.SLL and ("'" in text or "\n" in text):
            kind = StringType.SLB
        container[key] = String.from_raw(text, kind)
    out = tomlkit.dumps(doc)
    try:
        new_data = tomllib.loads(out)
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(
            f"front matter would not parse back: {exc}", post.path, fm.first_line
        ) from exc
    expected = tomllib.loads(source)
    for path, text in translations.items():
        container, key = _toml_slot(expected, path)
        container[key] = text
    if new_data != expected:
        raise BuildError(
            "front matter would not parse back to the same data", post.path, fm.first_line
        )
    return out


def _toml_slot(doc: Any, path: str) -> tuple[Any, Any]:
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        node = node[part]
    last = parts[-1]
    m = re.fullmatch(r"(.+)\[(\d+)\]", last)
    if m:
        return node[m.group(1)], int(m.group(2))
    return node, last


# -- shared -----------------------------------------------------------------------------


def _base(path: str) -> str:
    return re.sub(r"\[\d+\]$", "", path)


def _keys_of(translations: Mapping[str, str]) -> set[str]:
    return {_base(p) for p in translations}


def _without(data: Any, translations: Mapping[str, str]) -> Any:
    """``data`` with the translated values blanked, to compare everything else."""
    if not isinstance(data, dict):
        return data
    data = json.loads(json.dumps(data, default=str))
    for path in translations:
        try:
            container, key = _toml_slot(data, path)
            container[key] = None
        except (KeyError, IndexError, TypeError):
            continue
    return data
