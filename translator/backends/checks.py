"""Machine checks: what a machine's translation must pass before it is kept, on top of the
checks every translation passes before it is published (:mod:`translator.markdown.checks`)."""

from __future__ import annotations

import re
from collections.abc import Collection

from ..markdown.checks import chinese_left, tags_problem
from ..markdown.placeholders import TAG


def length_doubt(source: str, output: str) -> str | None:
    """Why ``output`` seems too short or too long to translate ``source`` (a Chinese text of
    some length: English runs two to five times its Han characters), or None."""
    han = len(_HAN.findall(source))
    if han < 8:
        return None
    plain = TAG.sub("", source)
    expected = 3.2 * han + (len(plain) - han)
    ratio = len(TAG.sub("", output)) / expected
    if ratio < 0.3 or ratio > 3.0:
        return f"{len(TAG.sub('', output))} characters for a text of {han} Chinese ones"
    return None


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


_TOKENS = re.compile(r"\d+(?:[.,:]\d+)*%?|[A-Za-z][A-Za-z0-9+#]*(?:[._-][A-Za-z0-9+#]+)*")


def machine_problem(
    source: str, output: str, *, cjk_target: bool, keep: Collection[str] = ()
) -> str | None:
    """What a machine got wrong that a person rarely does: tags lost or invented, numbers
    and Latin-script names changed ("2017" turned into "April 17th"), Chinese left in a
    non-CJK target, nothing at all."""
    if not output.strip():
        return "empty translation"
    problem = tags_problem(source, output)
    if problem:
        return problem
    plain_out = TAG.sub(" ", output).lower()
    squashed = _squash(plain_out)
    for token in _TOKENS.findall(TAG.sub(" ", source)):
        # numbers and names (OpenStack, K8S, CockroachDB, v1.2) must survive; plain
        # lowercase words a Chinese author mixed in ("topic") may be rephrased, and a
        # longer name spaced or hyphenated anew ("Redhat" as "Red Hat") is the same name
        if not any(c.isdigit() or c.isupper() for c in token):
            continue
        if token.lower() not in plain_out and (len(token) < 4 or _squash(token) not in squashed):
            return f"{token!r} of the source is missing"
    # (a zero is no fact: "10 点" may well come back as "10:00")
    invented = _numbers(TAG.sub(" ", output)) - _numbers(TAG.sub(" ", source)) - _spelled(source)
    invented.discard("0")
    if invented:
        return f"number {sorted(invented, key=int)[0]} is not in the source"
    return None if cjk_target else chinese_left(source, output, keep)


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
