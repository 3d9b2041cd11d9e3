"""The pieces a unit's inline content is cut into (text, soft breaks, tags), and the
tags that only frame it (template lines, IALs, task markers), dropped from its ends."""

from __future__ import annotations


class Piece:
    """One piece of a unit's inline content, in content coordinates (a plain class, as
    are the other mutable records extract makes: a dataclass costs a third of a millisecond
    to make)."""

    __slots__ = ("a", "b", "kind", "ph")

    def __init__(self, kind: str, a: int, b: int, ph: int = 0) -> None:
        self.kind = kind  # text, soft, open, close, empty
        self.a = a  # content coordinates
        self.b = b
        self.ph = ph  # placeholder number for open/close/empty

    def __repr__(self) -> str:
        return f"Piece({self.kind!r}, {self.a}, {self.b}, {self.ph})"


def absorb_line_breaks(
    pieces: list[Piece], protected: dict[int, tuple[str, int, int, int, int]]
) -> list[Piece]:
    """Keep Liquid/shortcode lines and kramdown IALs on lines of their own."""
    out: list[Piece] = []
    for i, p in enumerate(pieces):
        if p.kind == "empty" and protected[p.ph][0] in ("template", "ial"):
            kind_, a, b, _, _ = protected[p.ph]
            if out and out[-1].kind == "soft":
                a = out.pop().a
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            if kind_ == "template" and nxt is not None and nxt.kind == "soft":
                b = nxt.b
                nxt.kind = "drop"
            protected[p.ph] = (kind_, a, b, -1, -1)
            out.append(Piece("empty", a, b, p.ph))
        elif p.kind != "drop":
            out.append(p)
    return out


def trim(pieces: list[Piece], protected: dict[int, tuple[str, int, int, int, int]]) -> list[Piece]:
    """Drop tags that only frame the unit (template lines, IALs, task markers) and blanks."""

    def frame(p: Piece) -> bool:
        if p.kind == "soft":
            return True
        if p.kind == "empty":
            return protected[p.ph][0] in ("template", "ial", "task")
        return False

    while pieces and (frame(pieces[0])):
        pieces = pieces[1:]
    while pieces and (frame(pieces[-1])):
        pieces = pieces[:-1]
    return pieces
