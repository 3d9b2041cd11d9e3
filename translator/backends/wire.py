"""Our tags on the wire: how a protected text travels to an MT engine and comes back.

``<x1/>`` becomes ``<x id="1"/>`` and ``<x2>…</x2>`` becomes ``<g id="2">…</g>``, with the
text XML-escaped: the form DeepL's XML tag handling, and HTML-mode engines, keep in place.
Coming back, the engine's variations (attribute order, quotes, ``<x …></x>``, spaces,
escaped entities) are accepted and turned back into our tags.
"""

from __future__ import annotations

import html
import re

from ..markdown.placeholders import TAG

_WIRE = re.compile(
    r"<x\s+id\s*=\s*[\"'](\d+)[\"']\s*/>"  # self-closing
    r"|<x\s+id\s*=\s*[\"'](\d+)[\"']\s*>\s*</x\s*>"  # …written open/close
    r"|<g\s+id\s*=\s*[\"'](\d+)[\"']\s*>"  # pair opens
    r"|</g\s*>"  # pair closes
)


def to_wire(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in TAG.finditer(text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        closing, number, empty = m.group(1), m.group(2), m.group(3)
        out.append(f'<x id="{number}"/>' if empty else "</g>" if closing else f'<g id="{number}">')
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def from_wire(text: str) -> str:
    out: list[str] = []
    opened: list[str] = []
    pos = 0
    for m in _WIRE.finditer(text):
        out.append(html.unescape(text[pos : m.start()]))
        empty = m.group(1) or m.group(2)
        if empty:
            out.append(f"<x{empty}/>")
        elif m.group(3):
            opened.append(m.group(3))
            out.append(f"<x{m.group(3)}>")
        else:
            out.append(f"</x{opened.pop()}>" if opened else "</x?>")
        pos = m.end()
    out.append(html.unescape(text[pos:]))
    return "".join(out)
