"""Emphasis delimiter runs at a line break: whether joining the two lines (dropping the
break between Chinese characters) changes whether a ``*``/``_``/``~`` run can open or
close emphasis, under CommonMark's flanking rules.

``**[链接](/x)（VPA）集成：**`` at the end of a line closes the bold: the run follows
punctuation and is followed by the line break (whitespace). Joined to ``此任务……`` it is
followed by a letter after punctuation, is no longer right-flanking, and the bold runs on.
Where that happens the break is kept (as a space).
"""

from __future__ import annotations

import unicodedata

_DELIMITERS = "*_~"


def break_matters(text: str, start: int, end: int) -> bool:
    """Whether dropping the line break ``text[start:end]`` changes what a delimiter run
    that touches it can do."""
    before, after = text[start - 1 : start], text[end : end + 1]
    if before and before in _DELIMITERS:
        i = start - 1
        while i > 0 and text[i - 1] == before:
            i -= 1
        prev = text[i - 1] if i > 0 else "\n"
        # before a break a run can only close; joined, it must still close
        if _can(before, prev, "\n")[1] != _can(before, prev, after or "\n")[1]:
            return True
    if after and after in _DELIMITERS:
        j = end
        while j < len(text) and text[j] == after:
            j += 1
        nxt = text[j] if j < len(text) else "\n"
        # after a break a run can only open; joined, it must still open
        if _can(after, "\n", nxt)[0] != _can(after, before or "\n", nxt)[0]:
            return True
    return False


def _can(char: str, prev: str, nxt: str) -> tuple[bool, bool]:
    """(can open, can close) for a run of ``char`` between ``prev`` and ``nxt``."""
    left = not nxt.isspace() and (not _punct(nxt) or prev.isspace() or _punct(prev))
    right = not prev.isspace() and (not _punct(prev) or nxt.isspace() or _punct(nxt))
    if char == "_":
        return left and (not right or _punct(prev)), right and (not left or _punct(nxt))
    return left, right


def _punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"
