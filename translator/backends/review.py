"""Human review: route units to people instead of a machine.

The units stay pending in their catalogs (``translator status`` lists them) until a
reviewer's PO comes back; the next ``build`` publishes what they approved. With the
option ``suggest = "NAME"`` each unit is pre-filled with backend NAME's suggestion, marked
fuzzy, so the reviewer starts from a draft. Pair it with ``policy = "reviewed"`` to
publish nothing a person has not approved.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ConfigError
from .base import Backend, BackendContext, Batch, Suggestion


class ReviewBackend:
    name = "review"
    site_bound = True  # marks units as waiting for the site's reviewers

    def __init__(self, context: BackendContext) -> None:
        suggest = context.options.get("suggest")
        self._helper: Backend | None = None
        if suggest is not None:
            if not isinstance(suggest, str) or suggest == self.name:
                raise ConfigError("backends.review.suggest must name another backend")
            from . import load_backend

            self._helper = load_backend(suggest, context)

    def prefilter(self, locale: str, texts: set[str]) -> set[str]:
        if self._helper is None:
            return set()  # units wait for people: nothing to look up
        helper = getattr(self._helper, "prefilter", None)
        return texts if helper is None else set(helper(locale, texts))

    def translate(self, batch: Batch) -> Sequence[Suggestion | None]:
        if self._helper is None:
            return [None] * len(batch.requests)
        drafts = self._helper.translate(batch)
        return [
            None
            if draft is None
            else Suggestion(draft.text, f"review draft by {draft.origin}", fuzzy=True)
            for draft in drafts
        ]


_: type[Backend] = ReviewBackend
