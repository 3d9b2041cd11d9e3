"""Inline spans: each inline token of a block, with the span of the block's content it
came from (markdown-it does not keep them: the inline rules are rerun where needed)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# a soft or hard line break; kramdown also ends a line with two backslashes
_BREAK = re.compile(r"(?: *|\\{1,2})\n[ \t]*")


class Unaligned(Exception):
    """A token whose span cannot be found in the source: its block is left out."""


@lru_cache(maxsize=16)
def _rules(md: MarkdownIt) -> dict[str, Callable[[StateInline, bool], bool]]:
    return {r.name: r.fn for r in md.inline.ruler.__rules__}


def inline_spans(
    md: MarkdownIt, children: list[Token], src: str, env: dict[str, object]
) -> list[tuple[Token, int, int]]:
    """Give each inline token its span in ``src`` (the block's inline content), as ``md``
    (the dialect's parser) read it."""
    rules = _rules(md)
    out: list[tuple[Token, int, int]] = []
    links: list[int] = []
    cursor = 0

    def rerun(name: str) -> int:
        state = StateInline(src, md, env, [])
        state.pos = cursor
        if not rules[name](state, True) or state.pos <= cursor:
            raise Unaligned(name)
        return state.pos

    i = 0
    while i < len(children):
        t = children[i]
        ty = t.type
        if ty in ("text", "html_inline", "template", "ial", "emoji", "bare_url"):
            end = cursor + len(t.content)
            if src[cursor:end] != t.content:
                raise Unaligned(ty)
        elif ty == "text_special" or (
            ty.endswith(("_open", "_close")) and ty[:2] in ("em", "st", "s_")
        ):
            end = cursor + len(t.markup)
            if src[cursor:end] != t.markup:
                raise Unaligned(ty)
        elif ty in ("softbreak", "hardbreak"):
            m = _BREAK.match(src, cursor)
            if m is None:
                raise Unaligned(ty)
            end = m.end()
        elif ty == "link_open" and t.info == "auto":
            # <https://…>, or a bare URL the dialect links (its source kept by the rule)
            source = t.meta.get("source")
            end = cursor + len(source) if source is not None else rerun("autolink")
            if source is not None and src[cursor:end] != source:
                raise Unaligned(ty)
            out.append((t, cursor, end))
            while i < len(children) and children[i].type != "link_close":
                i += 1
            i += 1
            cursor = end
            continue
        elif ty == "link_open":
            links.append(rerun("template_link" if t.markup == "template" else "link"))
            end = cursor + 1
        elif ty == "link_close":
            end = links.pop()
        elif ty == "image":
            end = rerun("image")
        elif ty == "code_inline":
            end = _code_span_end(src, cursor, t.markup)
        elif ty == "footnote_ref":
            end = rerun("footnote_ref")
        elif ty == "math_inline":
            end = rerun("math_inline")
        else:
            raise Unaligned(ty)
        out.append((t, cursor, end))
        cursor = end
        i += 1
    if cursor != len(src):
        raise Unaligned("trailing")
    return out


def _code_span_end(src: str, start: int, fence: str) -> int:
    """Where the code span opened by ``fence`` at ``start`` ends: after the next run of
    exactly as many backticks (CommonMark's rule, as markdown-it's backticks rule reads it)."""
    if not fence or src[start : start + len(fence)] != fence:
        raise Unaligned("code_inline")
    pos = start + len(fence)
    while (found := src.find("`", pos)) >= 0:
        pos = found + 1
        while pos < len(src) and src[pos] == "`":
            pos += 1
        if pos - found == len(fence):
            return pos
    raise Unaligned("code_inline")
