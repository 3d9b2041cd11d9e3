"""Emoji shortcodes (``:smile:``) on a site that turns them into emoji (Hugo's
``enableEmoji``, Jekyll's jemoji): each is one ``emoji`` token, so it is a tag, never text.

A name is letters, digits and ``_+-`` with at least one letter (``:+1:``, ``:tada:``), or
one of the few all-digit names (``:100:``, ``:1234:``): so ``10:30:00`` stays text. A name
the generator does not know is left as text by it, and protected here all the same.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

_SHORTCODE = re.compile(r":(?:[a-z0-9_+-]*[a-z+-][a-z0-9_+-]*|100|1234):")


def emoji_shortcodes(md: MarkdownIt) -> None:
    md.inline.ruler.before("text", "emoji", _emoji)
    md.add_render_rule("emoji", lambda self, tokens, idx, options, env: tokens[idx].content)


def _emoji(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != ":":
        return False
    m = _SHORTCODE.match(state.src, state.pos, state.posMax)
    if m is None:
        return False
    if not silent:
        state.push("emoji", "", 0).content = m.group(0)
    state.pos = m.end()
    return True
