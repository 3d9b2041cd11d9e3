"""Pseudo-localisation: shows what would be translated, and where, without a real engine."""

from __future__ import annotations

from collections.abc import Sequence

from .base import Backend, BackendContext, Batch, Suggestion

OPEN, CLOSE = "⟦", "⟧"


class PseudoBackend:
    """Wrap every unit in ``⟦…⟧`` (tags and all kept), so a built post shows each unit."""

    name = "pseudo"

    def __init__(self, context: BackendContext | None = None) -> None:
        del context

    def translate(self, batch: Batch) -> Sequence[Suggestion | None]:
        return [Suggestion(f"{OPEN}{r.text}{CLOSE}", self.name) for r in batch.requests]


_: type[Backend] = PseudoBackend
