"""Helpers shared by the round-trip tests: run a post through segmenter and reassembler."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from markdown_it.token import Token

from translator.markdown import syntax
from translator.markdown.cjk import joins_without_space
from translator.markdown.dialects import GFM, PLAIN, Dialect, Reading
from translator.markdown.document import encode_post, parse_post
from translator.markdown.reassembler import Assembly, assemble
from translator.markdown.segmenter import segment_post
from translator.markdown.units import Segmentation
from translator.site.config import DEFAULT_KEYS

KEYS = (*DEFAULT_KEYS, "cover.alt", "image.alt")


def segment(
    data: bytes, name: str = "post.md", split: bool = False, reading: Reading = PLAIN
) -> Segmentation:
    return segment_post(parse_post(data, Path(name)), KEYS, split=split, reading=reading)


def build(
    seg: Segmentation, translate: Callable[[str], str | None], *, keep_identical: bool = True
) -> tuple[bytes, Assembly]:
    result = assemble(seg, lambda text, _ctx: translate(text), keep_identical=keep_identical)
    return encode_post(seg.post, result.text), result


def html(body: str, *, join_cjk: bool) -> str:
    """Rendered HTML with whitespace runs made equal; CJK soft breaks dropped if asked."""
    out = syntax.renderer().render(body)
    if join_cjk:
        out = re.sub(
            r"(.)\n(.)",
            lambda m: (
                m.group(1) + m.group(2)
                if joins_without_space(m.group(1), m.group(2))
                else m.group(0)
            ),
            out,
        )
    return re.sub(r"\s+", " ", out)


def token_types(body: str, dialect: Dialect = GFM) -> list[str]:
    """Every token type, inline ones included, but text and soft breaks (which translation
    legitimately adds, removes and merges)."""
    out: list[str] = []

    def walk(tokens: list[Token]) -> None:
        for t in tokens:
            if t.type == "inline":
                walk(t.children or [])
            elif t.type not in ("text", "text_special", "softbreak"):
                out.append(t.type)

    walk(syntax.parser(dialect).parse(body, {}))
    return out


def protected_parts(seg: Segmentation) -> list[str]:
    """Every fixed byte string of every tag (slots, which are translated, left out)."""
    return [
        part
        for unit in seg.units
        for ph in unit.placeholders
        for part in (*ph.open, *(ph.close or ()))
        if isinstance(part, str) and part
    ]
