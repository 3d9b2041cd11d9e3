"""Checks every translation must pass before it is published, whoever wrote it.

A translation that fails is not published (the unit keeps its source text) and is
reported with its PO line; the rest of the post is published.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from . import syntax
from .cjk import leftover_cjk
from .placeholders import TAG, PlaceholderError, check_tags, placeholders_in

# This entry may keep Han characters: a translator comment "# ignore-cjk" (which every PO
# editor keeps), or the PO flag of that name (which gettext-style saves drop).
IGNORE_CJK_FLAG = "ignore-cjk"
_HTML = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>")
_MARKERS = {
    "**": "unbalanced emphasis: ** left as text",
    "__": "unbalanced emphasis: __ left as text",
    "~~": "unbalanced strikethrough: ~~ left as text",
    "`": "unbalanced code: ` left as text",
    "](": "broken link syntax: ]( left as text",
    "] (": "broken link syntax: a space between ] and (",
}


def problem_with(
    source: str,
    translation: str,
    *,
    cjk_target: bool,
    flags: set[str],
    machine: str | None,
    keep: Collection[str] = (),
) -> str | None:
    """What is wrong with ``translation`` of ``source`` (a msgid), or None. ``keep``: terms
    the site's glossary keeps as they are, Chinese or not."""
    problem = tags_problem(source, translation)
    if problem:
        return problem
    text = TAG.sub("", translation)
    if not cjk_target and IGNORE_CJK_FLAG not in flags and machine != "pseudo":
        problem = chinese_left(source, translation, keep)
        if problem:
            return problem
    html = {m.group(1).lower() for m in _HTML.finditer(text)} - {
        m.group(1).lower() for m in _HTML.finditer(TAG.sub("", source))
    }
    if html:
        return "HTML that is not in the source: " + ", ".join(f"<{t}>" for t in sorted(html))
    broken = _leftover_markup(translation) - _leftover_markup(source)
    if broken:
        return _MARKERS[sorted(broken)[0]]
    return None


def tags_problem(source: str, translation: str) -> str | None:
    """What is wrong with the tags of ``translation`` (each of ``source``'s exactly once)."""
    try:
        check_tags(translation, placeholders_in(source))
    except PlaceholderError as exc:
        return str(exc)
    return None


_HANDLE = re.compile(r"@[^\s@<>()（）\[\]，。、：；！？,.:;!?]+")


def chinese_left(source: str, translation: str, keep: Collection[str] = ()) -> str | None:
    """Han, kana or full-width punctuation left in a translation into a non-CJK language.

    What may stay as written: an ``@handle`` of the source (``@用户``, also as a link's
    text), a name; and a term of the source the site's glossary keeps as it is (``keep``)."""
    plain = TAG.sub(" ", source)
    handles = {m.group(0) for m in _HANDLE.finditer(plain)} | {t for t in keep if t in plain}
    text = TAG.sub(" ", translation)
    for handle in sorted(handles, key=len, reverse=True):
        text = text.replace(handle, " ")
    left = leftover_cjk(text)
    return f"Chinese left in the translation: {''.join(dict.fromkeys(left))[:10]}" if left else None


def _leftover_markup(text: str) -> set[str]:
    """Markdown markers that parse as plain text: emphasis or links that did not close."""
    neutral = TAG.sub(lambda m: "" if not m.group(3) else "\ufffc", text)
    found: set[str] = set()
    tokens = syntax.parser().parseInline(neutral, {})
    for token in tokens:
        for child in token.children or []:
            if child.type != "text":
                continue
            found.update(marker for marker in _MARKERS if marker in child.content)
    return found
