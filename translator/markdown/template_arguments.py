"""The arguments of a template tag that a reader sees, as slots: ``{{< figure
title="系统架构" >}}``, ``{{< alert "注意" >}}``, ``{% include card.html caption="说明" %}``,
``{{ page.editor | default: "佚名" }}``, Hexo's ``{% note warning 提示 %}``.

Which are translated is the site's ``template_arguments`` setting, per tag name (for a
Liquid output tag, per filter name): named arguments by name, positional ones by their
0-based position. Hugo's built-in ``figure`` and ``details`` have defaults; nothing else is
translated unless the site says so. Every other byte of the tag is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .dialects import Reading
from .placeholders import Slot

_OPENER = re.compile(r"\{\{[<%]\s*|\{%-?\s*|\{\{-?\s*")
_CLOSER = re.compile(r"\s*(?:[>%]\}\}|-?%\}|-?\}\})\Z")
_NAME = re.compile(r"[\w.-]+")
# one argument: name=value (Hugo, Liquid), or a value; a value is quoted, raw or bare
_ARGUMENT = re.compile(
    r"""\s*(?:([\w-]+)=)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|[^\s"'`,|]+)\s*,?"""
)


def template_slots(src: str, a: int, b: int, reading: Reading) -> list[tuple[int, int, Slot]]:
    """The translated arguments of the template tag ``src[a:b]``, in ``src``'s coordinates."""
    tag = src[a:b]
    opener = _OPENER.match(tag)
    closer = _CLOSER.search(tag)
    if opener is None or closer is None:
        return []
    out = []
    for name, start, end in _calls(tag, opener.end(), closer.start()):
        wanted = reading.arguments(name)
        if not wanted:
            continue
        position = 0
        pos = start
        while pos < end and (m := _ARGUMENT.match(tag, pos, end)) and m.end() > pos:
            pos = m.end()
            key = m.group(1) or str(position)
            if m.group(1) is None:
                position += 1
            if key not in wanted:
                continue
            value = m.group(2)
            quote = value[0] if value[0] in "\"'`" else ""
            inner = value[1:-1] if quote else value
            if inner.strip():
                at = a + m.start(2) + len(quote)
                kind = f"{name} {key}"
                slot = Slot(" ".join(inner.split()), inner, kind, quote, "template")
                out.append((at, at + len(inner), slot))
    return out


def _calls(tag: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """(name, start, end) of each call in the tag: the tag itself (``{% name args %}``,
    ``{{< name args >}}``), or each filter of a Liquid output (``{{ x | name: args }}``)."""
    if tag.startswith("{{") and not tag.startswith(("{{<", "{{%")):
        for m in re.finditer(r"\|\s*([\w-]+)\s*:?", tag[:end]):
            if m.start() >= start:
                following = tag.find("|", m.end(), end)
                yield m.group(1), m.end(), end if following < 0 else following
        return
    name = _NAME.match(tag, start)
    if name is not None:
        yield name.group(0), name.end(), end
