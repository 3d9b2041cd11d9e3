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


# What an engine (an LLM above all) writes for our tags besides the tags themselves:
# ``<g id="1"/>``, ``<x id='1'/>``, ``<x 1/>``, ``< X1 />``, full-width ``＜x1/＞``, ``</g>``…
_LOOSE = re.compile(r"[<＜]\s*(/?)\s*[xXgG]\s*(?:id\s*=\s*)?[\"']?\s*(\d*)\s*[\"']?\s*(/?)\s*[>＞]")


def repair_tags(output: str, source: str) -> str:
    """``output`` with tag variants turned back into the source's tags, where that is
    unambiguous: each variant names a tag the source has, as the same kind (self-closing,
    or one end of a pair; a nameless ``</g>`` closes the pair opened last), and the result
    carries every tag exactly once. Anything else comes back unchanged, for the checks to
    reject with the engine's own words."""
    kinds = {int(m.group(2)): bool(m.group(3)) for m in TAG.finditer(source) if not m.group(1)}
    if not kinds or _canonical(output, kinds):
        return output
    out: list[str] = []
    opened: list[int] = []
    last_empty: int | None = None  # a self-closing tag written open: drop its closing twin
    pos = 0
    for m in _LOOSE.finditer(output):
        between = output[pos : m.start()]
        out.append(between)
        pos = m.end()
        closing, digits, empty = bool(m.group(1)), m.group(2), bool(m.group(3))
        number = int(digits) if digits else (opened[-1] if closing and opened else None)
        was_empty, last_empty = last_empty, None
        if number is None or number not in kinds or (closing and empty):
            out.append(m.group(0))
        elif kinds[number]:  # self-closing in the source
            if closing and was_empty == number and not between.strip():
                continue
            if closing:
                out.append(m.group(0))
            else:
                out.append(f"<x{number}/>")
                last_empty = None if empty else number
        elif empty:
            out.append(m.group(0))  # a pair written as one tag: not ours to guess
        elif closing:
            if opened and opened[-1] == number:
                opened.pop()
            out.append(f"</x{number}>")
        else:
            opened.append(number)
            out.append(f"<x{number}>")
    out.append(output[pos:])
    repaired = "".join(out)
    return repaired if _canonical(repaired, kinds) else output


def _canonical(text: str, kinds: dict[int, bool]) -> bool:
    """Whether ``text`` has exactly the tags ``kinds`` describes, once each, in our form,
    and nothing else that looks like a tag."""
    found = sorted((m.group(1), int(m.group(2)), m.group(3)) for m in TAG.finditer(text))
    wanted = sorted(
        (end, n, "/" if empty else "")
        for n, empty in kinds.items()
        for end in (("",) if empty else ("", "/"))
    )
    return found == wanted and len(_LOOSE.findall(text)) == len(found)
