"""Checks every translation must pass before it is published, whoever wrote it.

A translation that fails is not published (the unit keeps its source text) and is
reported with its PO line; the rest of the post is published.
"""

from __future__ import annotations

import re

from . import syntax
from .cjk import leftover_cjk
from .placeholders import TAG, PlaceholderError, check_tags, placeholders_in

IGNORE_CJK_FLAG = "ignore-cjk"  # a PO flag: this entry may keep Han characters
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
    source: str, translation: str, *, cjk_target: bool, flags: set[str], machine: str | None
) -> str | None:
    """What is wrong with ``translation`` of ``source`` (a msgid), or None."""
    problem = _tags_problem(source, translation)
    if problem:
        return problem
    text = TAG.sub("", translation)
    if not cjk_target and IGNORE_CJK_FLAG not in flags and machine != "pseudo":
        problem = _chinese_left(text)
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


def _tags_problem(source: str, translation: str) -> str | None:
    try:
        check_tags(translation, placeholders_in(source))
    except PlaceholderError as exc:
        return str(exc)
    return None


def _chinese_left(text: str) -> str | None:
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


_TOKENS = re.compile(r"\d+(?:[.,:]\d+)*%?|[A-Za-z][A-Za-z0-9+#]*(?:[._-][A-Za-z0-9+#]+)*")


def machine_problem(source: str, output: str, *, cjk_target: bool) -> str | None:
    """What a machine got wrong that a person rarely does: tags lost or invented, numbers
    and Latin-script names changed ("2017" turned into "April 17th"), Chinese left in a
    non-CJK target, nothing at all."""
    if not output.strip():
        return "empty translation"
    problem = _tags_problem(source, output)
    if problem:
        return problem
    plain_out = TAG.sub(" ", output).lower()
    for token in _TOKENS.findall(TAG.sub(" ", source)):
        # numbers and names (OpenStack, K8S, CockroachDB, v1.2) must survive; plain
        # lowercase words a Chinese author mixed in ("topic") may be rephrased
        if not any(c.isdigit() or c.isupper() for c in token):
            continue
        if token.lower() not in plain_out:
            return f"{token!r} of the source is missing"
    invented = _numbers(TAG.sub(" ", output)) - _numbers(TAG.sub(" ", source)) - _spelled(source)
    if invented:
        return f"number {sorted(invented, key=int)[0]} is not in the source"
    return None if cjk_target else _chinese_left(TAG.sub("", output))


_HAN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_HAN_UNITS = {"十": 10, "百": 100, "千": 1000}


def _numbers(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in re.findall(r"\d+", text)}


def _spelled(text: str) -> set[str]:
    """Numbers a Chinese source writes in Han numerals (二 → 2, 二十 → 20, 第三 → 3)."""
    found = set()
    for run in re.findall(r"[零一二两三四五六七八九十百千]+", text):
        total, digit = 0, 0
        for ch in run:
            if ch in _HAN_DIGITS:
                digit = _HAN_DIGITS[ch]
            else:
                total += (digit or 1) * _HAN_UNITS[ch]
                digit = 0
        found |= {str(total + digit), *(str(_HAN_DIGITS[c]) for c in run if c in _HAN_DIGITS)}
    return found
