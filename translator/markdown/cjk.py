"""Chinese, Japanese and Korean text rules: which characters count, how wrapped lines join,
and where sentences end."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF))

# Han ideographs (with extensions and compatibility blocks), kana and bopomofo: the scripts
# whose presence makes a unit worth translating.
_IDEOGRAPHIC = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)
# Full-width punctuation and symbols (CJK Symbols and Punctuation, full-width forms).
_FULLWIDTH_PUNCT = re.compile("[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")


@lru_cache(maxsize=4096)
def is_cjk(ch: str) -> bool:
    """Tell whether a line break next to ``ch`` may be dropped (CSS segment-break rule).

    True for characters of East Asian Width F, W or H that are not Hangul: Han, kana,
    full-width punctuation. Korean uses spaces between words, so it never joins.
    """
    if not ch:
        return False
    code = ord(ch)
    if any(lo <= code <= hi for lo, hi in _HANGUL):
        return False
    return unicodedata.east_asian_width(ch) in ("F", "W", "H")


def language_of(locale: str) -> str:
    """The language part of a locale: ``zh`` for ``zh-Hans``, ``pt`` for ``pt_BR``."""
    return locale.replace("_", "-").split("-")[0].lower()


def is_cjk_locale(locale: str) -> bool:
    """Whether text in ``locale`` is written with CJK characters (no leftover-Han checks)."""
    return language_of(locale) in ("zh", "ja", "ko", "yue")


def has_ideographs(text: str) -> bool:
    """Tell whether ``text`` holds Han or kana, i.e. whether it needs translating at all."""
    return _IDEOGRAPHIC.search(text) is not None


def leftover_cjk(text: str) -> list[str]:
    """Return the Han/kana characters and full-width punctuation left in ``text``."""
    return _IDEOGRAPHIC.findall(text) + _FULLWIDTH_PUNCT.findall(text)


def joins_without_space(before: str, after: str) -> bool:
    """Tell whether a soft line break between ``before`` and ``after`` is dropped.

    Between two CJK characters it is; and next to full-width punctuation, which never takes
    a space on either side (``，\nEnglish`` joins too: the case the plain CSS rule misses).
    """
    if is_cjk(before) and is_cjk(after):
        return True
    return bool(
        _FULLWIDTH_PUNCT.fullmatch(before or " ") or _FULLWIDTH_PUNCT.fullmatch(after or " ")
    )


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines the way a CJK-aware renderer shows them.

    Leading and trailing blanks of each line go; a break between two CJK characters
    disappears, any other break becomes one space.

    >>> join_lines(["最近在公司的容器平台上遇到了问题，借这个机", "会把 Docker 整理一遍"])
    '最近在公司的容器平台上遇到了问题，借这个机会把 Docker 整理一遍'
    >>> join_lines(["a veth", "pair"])
    'a veth pair'
    """
    out = ""
    for raw in lines:
        line = raw.strip(" \t")
        if not line:
            continue
        if out and not joins_without_space(out[-1], line[0]):
            out += " "
        out += line
    return out


_TERMINATORS = "。！？；…!?"
_CLOSERS = "」』”’）》〉】〕\"')]"
_PAIRS = {"「": "」", "『": "』", "《": "》", "（": "）", "〔": "〕", "“": "”", "(": ")"}


def split_sentences(text: str) -> list[str]:
    """Split Chinese text into sentences, quote-aware.

    ``。！？；…`` end a sentence; closing quotes and brackets that follow stay with it; a
    terminator inside ``「」『』《》（）`` (or a placeholder pair ``<xN>…</xN>``) does not end
    the outer sentence. Joining the result with ``""`` gives back ``text``.

    >>> split_sentences("他说：「好。」然后走了。我们留下！")
    ['他说：「好。」然后走了。', '我们留下！']
    """
    sentences: list[str] = []
    depth: list[str] = []
    tag_depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            if m:
                if m.group(1):
                    tag_depth -= 1
                elif not m.group(3):
                    tag_depth += 1
                i = m.end()
                continue
        if ch in _PAIRS:
            depth.append(_PAIRS[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
        elif ch in _TERMINATORS and not depth and tag_depth <= 0:
            j = i + 1
            while j < n:
                if text[j] in _TERMINATORS or text[j] in _CLOSERS:
                    j += 1
                elif (tag := _TAG.match(text, j)) and not tag.group(1) and not tag.group(3):
                    break  # an opening tag starts the next sentence
                elif tag:
                    j = tag.end()  # a closing or self-closing tag (footnote…) stays with it
                else:
                    break
            while j < n and text[j] == " ":
                j += 1
            if j < n:
                sentences.append(text[start:j])
                start = j
            i = j
            continue
        i += 1
    sentences.append(text[start:])
    return [s for s in sentences if s]


_TAG = re.compile(r"<(/)?x(\d+)(/)?>")
