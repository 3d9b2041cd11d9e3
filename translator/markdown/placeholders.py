"""Protected spans inside a unit, shown to translators as numbered tags.

A self-closing tag ``<x1/>`` stands for a span that is copied back byte for byte (inline
code, a URL, inline HTML, a Liquid tag, a hard line break…). A pair ``<x2>…</x2>`` stands
for the two ends of a link whose text is translated. Translators and MT engines may move
tags but not edit them; :func:`restore` checks that each one comes back exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import NamedTuple

TAG = re.compile(r"<(/?)x(\d+)(/?)>")


class Slot(NamedTuple):
    """A translatable part inside a protected span: image alt text or a link title."""

    text: str  # what the translator sees (the msgid of its own unit)
    raw: str  # the source bytes it replaces
    kind: str  # "image alt", "image title", "link title", "abbreviation", "HTML alt"…
    quote: str  # for titles: the delimiter ('"', "'" or "("); "" for alt text and others
    syntax: str = "markdown"  # what it is written in: markdown, html, template

    def render(self, translation: str | None) -> str:
        if not translation or translation == self.text:
            return self.raw
        text = translation.replace("\n", " ")
        if self.syntax == "html":
            return _html_value(text, self.quote)
        if self.syntax == "template":
            return _template_value(text, self.quote)
        if self.kind == "image alt":
            return re.sub(r"(?<!\\)([\[\]])", r"\\\1", text)
        if not self.quote:
            return text
        closer = ")" if self.quote == "(" else self.quote
        return re.sub(r"(?<!\\)([" + re.escape(closer) + r"])", r"\\\1", text)


def _html_value(text: str, quote: str) -> str:
    """A translated attribute value or comment, escaped for where it goes in HTML."""
    if quote == "-->":
        return text.replace("--", "- -")
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text).replace("<", "&lt;")
    if quote == "'":
        return text.replace("'", "&#39;")
    text = text.replace('"', "&quot;")
    return text if quote else f'"{text}"'  # an unquoted value may now hold a space


def _template_value(text: str, quote: str) -> str:
    """A translated template argument: Liquid strings have no escapes, so a quote inside
    one becomes a typographic quote; a bare word that is no longer one is quoted."""
    text = text.replace('"', "\u201d").replace("'", "\u2019").replace("`", "\u2019")
    if not quote and re.search(r"[\s,|%}>]", text):
        return f'"{text}"'
    return text


Part = str | Slot


class Placeholder(NamedTuple):
    """A protected span: ``open`` alone for a self-closing tag, ``open`` + ``close`` for a pair."""

    number: int
    kind: str  # code, math, url, html, entity, template, ial, break, footnote, image, link, task
    open: tuple[Part, ...]
    close: tuple[Part, ...] | None = None
    spaced: bool = False  # a bare URL the generator links only with a space on each side

    @property
    def paired(self) -> bool:
        return self.close is not None

    @property
    def slots(self) -> list[Slot]:
        return [p for p in (*self.open, *(self.close or ())) if isinstance(p, Slot)]

    def raw(self, parts: tuple[Part, ...], lookup: Callable[[str], str | None]) -> str:
        return "".join(p if isinstance(p, str) else p.render(lookup(p.text)) for p in parts)

    def source(self) -> str:
        """Every source byte of the span (both ends for a pair)."""
        return self.raw(self.open, lambda _: None) + self.raw(self.close or (), lambda _: None)


class PlaceholderError(ValueError):
    """A translation does not carry the unit's tags exactly once each."""


def tags_of(text: str) -> list[tuple[str, int]]:
    """Return the tags in ``text`` as ``("open"|"close"|"empty", number)``."""
    out = []
    for m in TAG.finditer(text):
        kind = "close" if m.group(1) else "empty" if m.group(3) else "open"
        if m.group(1) and m.group(3):
            kind = "bad"
        out.append((kind, int(m.group(2))))
    return out


def check_tags(text: str, placeholders: Mapping[int, Placeholder]) -> None:
    """Raise :class:`PlaceholderError` unless ``text`` has every tag exactly once, well nested."""
    seen: dict[tuple[str, int], int] = {}
    stack: list[int] = []
    for kind, number in tags_of(text):
        ph = placeholders.get(number)
        if ph is None or kind == "bad":
            raise PlaceholderError(f"tag {_show(kind, number)} is not in the source")
        if ph.paired == (kind == "empty"):
            raise PlaceholderError(
                f"tag {_show(kind, number)} should be "
                + (f"<x{number}>…</x{number}>" if ph.paired else f"<x{number}/>")
            )
        seen[(kind, number)] = seen.get((kind, number), 0) + 1
        if kind == "open":
            stack.append(number)
        elif kind == "close":
            if not stack or stack[-1] != number:
                raise PlaceholderError(f"tag </x{number}> closes out of order")
            stack.pop()
    for number, ph in sorted(placeholders.items()):
        wanted = [("open", number), ("close", number)] if ph.paired else [("empty", number)]
        for key in wanted:
            count = seen.get(key, 0)
            if count == 0:
                raise PlaceholderError(f"tag {_show(*key)} is missing")
            if count > 1:
                raise PlaceholderError(f"tag {_show(*key)} appears {count} times")


def restore(
    text: str,
    placeholders: Mapping[int, Placeholder],
    lookup: Callable[[str], str | None],
    escape: Callable[[str, bool], str] = lambda s, _start: s,
) -> str:
    """Put the protected spans back into a checked translation.

    ``escape(chunk, at_line_start)`` is applied to each piece of translated text.
    """
    check_tags(text, placeholders)
    out: list[str] = []
    spaced: list[int] = []
    pos = 0
    for m in TAG.finditer(text):
        out.append(escape(text[pos : m.start()], _at_line_start(out)))
        ph = placeholders[int(m.group(2))]
        parts = (ph.close or ()) if m.group(1) else ph.open
        if ph.spaced:
            spaced.append(len(out))
        out.append(ph.raw(parts, lookup))
        pos = m.end()
    out.append(escape(text[pos:], _at_line_start(out)))
    for i in spaced:
        out[i] = _spaced(out[i], "".join(out[:i]), "".join(out[i + 1 :]))
    return "".join(out)


def _spaced(url: str, before: str, after: str) -> str:
    """A linked bare URL with what GFM and Goldmark need around it to link it as the source
    did: a space, ``*_~(`` or nothing before it; after it a space, nothing, or punctuation
    that ends the text or comes before a space (it is not taken into the URL)."""
    if before and not before[-1].isspace() and before[-1] not in "*_~(":
        url = " " + url
    if after and not after[0].isspace():
        ends = after[0] in ".,;:!?)" and (len(after) == 1 or after[1].isspace())
        if not ends:
            url += " "
    return url


def _at_line_start(out: list[str]) -> bool:
    joined = "".join(out[-2:]) if out else ""
    return not "".join(out) or joined.endswith("\n")


def _show(kind: str, number: int) -> str:
    return {"open": f"<x{number}>", "close": f"</x{number}>", "empty": f"<x{number}/>"}.get(
        kind, f"<x{number}>"
    )


def placeholders_in(msgid: str) -> dict[int, Placeholder]:
    """The tags a source text carries, as bare placeholders (to check a translation of it)."""
    found: dict[int, Placeholder] = {}
    for kind, number in tags_of(msgid):
        if kind == "empty":
            found[number] = Placeholder(number, "tag", ("",))
        elif kind == "open":
            found[number] = Placeholder(number, "tag", ("",), ("",))
    return found
