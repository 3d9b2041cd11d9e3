"""Bare URLs and e-mail addresses, read as the generator reads them, so that each is one
protected span (a tag) that no translator or engine can change.

- GFM: the extended autolinks of the GFM spec, by mdit-py-plugins' ``gfm_autolink``
  (wrapped to keep each link's source text: its text token is normalised).
- Goldmark (Hugo's ``linkify``): Goldmark's own rules, which differ for Chinese text: a
  URL is ASCII (``https://example.com。然后`` links ``https://example.com``), and it must
  follow a space, ``*_~(`` or the start of a line.
- kramdown links none of them. A bare URL that is not linked (there, or right after Chinese
  text) is protected all the same, by Goldmark's rules (which never take Chinese text into
  it), as a ``bare_url`` token that renders as the text it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

InlineRule = Callable[[StateInline, bool], bool]

# goldmark v1.5.4 (Hugo 0.111), extension/linkify.go and util.FindEmailIndex
_PATH = r"""(?:[/#?][-a-zA-Z0-9@:%_+.~#$!?&/=();,'">^{}\[\]`]*)?"""
_URL = re.compile(r"(?:http|https|ftp)://[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-z]+(?::\d+)?" + _PATH)
_WWW = re.compile(r"www\.[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-z]+" + _PATH)
_EMAIL_LOCAL = re.compile(r"[!#$%&'*+\-./0-9=?A-Z^_`a-z{|}~]+")
_EMAIL_DOMAIN = re.compile(
    r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
_ASCII_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def gfm_links(md: MarkdownIt) -> None:
    """GFM's extended autolinks, each link_open token keeping its source in ``meta``."""
    gfm_autolink_plugin(md)
    for name in ("gfm_autolink_www", "gfm_autolink_protocol", "gfm_autolink_email"):
        rule = next(r.fn for r in md.inline.ruler.__rules__ if r.name == name)
        md.inline.ruler.at(name, partial(_keeping_source, rule))


def goldmark_links(md: MarkdownIt, *, link: bool) -> None:
    """Goldmark's linkify: links (``link``), or protected text (kramdown, and what a GFM
    site does not link)."""
    md.add_render_rule(
        "bare_url", lambda self, tokens, idx, options, env: escapeHtml(tokens[idx].content)
    )
    md.inline.add_terminator_char("w")
    rule = partial(_goldmark, link)
    md.inline.ruler.push("goldmark_link", rule)


def _keeping_source(rule: InlineRule, state: StateInline, silent: bool) -> bool:
    pending, pos, count = state.pending, state.pos, len(state.tokens)
    if not rule(state, silent):
        return False
    new = state.tokens[count:]
    if not silent and new and new[-3].type == "link_open":
        # the rule took the link's start from the pending text, flushed (the rest) before it
        kept = len(new[0].content) if new[0].type == "text" and len(new) == 4 else 0
        new[-3].meta["source"] = pending[kept:] + state.src[pos : state.pos]
        new[-3].markup = "linkify"
    return True


def _goldmark(link: bool, state: StateInline, silent: bool) -> bool:
    if silent or state.linkLevel > 0:
        return False
    src, pos = state.src, state.pos
    start = pos - len(_candidate(state))
    if start == pos and not src.startswith("www.", pos):
        return False
    # Goldmark links only after a space, *_~( or at a line's start; one elsewhere (right
    # after Chinese text) is shown as it is, and protected all the same
    link = link and (start == 0 or src[start - 1] in "*_~(" or src[start - 1].isspace())
    end = src.find("\n", start, state.posMax)
    length = goldmark_link_length(src[start : state.posMax if end < 0 else end])
    if length is None or start + length <= pos:
        return False
    text = src[start : start + length]
    state.pending = state.pending[: len(state.pending) - (pos - start)]
    if link:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": state.md.normalizeLink(_href(text))}
        token.markup, token.info, token.meta["source"] = "linkify", "auto", text
        state.push("text", "", 0).content = text
        token = state.push("link_close", "a", -1)
        token.markup, token.info = "linkify", "auto"
    else:
        state.push("bare_url", "", 0).content = text
    state.pos = start + length
    return True


def _candidate(state: StateInline) -> str:
    """The start of a URL or address that the pending text ends with: the scheme before a
    ``:``, the local part before an ``@``."""
    char = state.src[state.pos]
    if char == ":":
        found = re.search(r"(?:https?|ftp)$", state.pending)
    elif char == "@":
        found = re.search(r"[!#$%&'*+\-./0-9=?A-Z^_`a-z{|}~]+$", state.pending)
    else:
        return ""
    if found is None:
        return ""
    text = found.group(0).lstrip("*_~(") if char == "@" else found.group(0)
    # the pending text is the source right before this position (escapes are tokens)
    return text if state.src.endswith(text, 0, state.pos) else ""


def _href(text: str) -> str:
    if "://" in text:
        return text
    return ("http://" if text.startswith("www.") else "mailto:") + text


def goldmark_link_length(line: str) -> int | None:
    """How much of ``line`` Goldmark's linkify takes as a URL or e-mail address."""
    m = _URL.match(line) if line.startswith(("http:", "https:", "ftp:")) else None
    if m is None and line.startswith("www."):
        m = _WWW.match(line)
    if m is not None:
        stop = m.end()
        last = line[stop - 1]
        if last == ".":
            stop -= 1
        elif last == ")":
            closing = line[:stop].count(")") - line[:stop].count("(")
            stop -= max(closing, 0)
        elif last == ";":
            entity = re.search(r"&[A-Za-z0-9]+;$", line[:stop])
            if entity:
                stop = entity.start()
    else:
        if not line or line[0] in _ASCII_PUNCT:
            return None
        local = _EMAIL_LOCAL.match(line)
        if local is None or not line.startswith("@", local.end()):
            return None
        domain = _EMAIL_DOMAIN.match(line, local.end() + 1)
        if domain is None or domain.end() == local.end() + 1:
            return None
        stop = domain.end()
        if "." not in line[local.end() : stop - 1]:
            return None
        if line[stop - 1] == ".":
            stop -= 1
        if stop < len(line) and line[stop] in "-_":
            return None
    while stop > 1 and line[stop - 1] in "?!.,:*_~":
        stop -= 1
    return stop
