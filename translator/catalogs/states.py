"""Who translated an entry, what state it is in, and whether a locale publishes it.

The PO file is the only record, in forms every PO editor keeps when it saves:

- a machine translation carries the translator comment ``# translated-by: NAME sha:XXXX``
  (the hash of the text the machine wrote) and the ``fuzzy`` flag: a suggestion to review;
- a reviewer approves an entry by clearing ``fuzzy`` (Poedit: "Needs work" off); an entry
  without ``fuzzy`` is a human's, whoever typed it first;
- an entry whose source text changed keeps its old translation, ``fuzzy``, with the old
  source as ``#| msgid``: stale.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from enum import Enum
from functools import cache

TYPE_CHECKING = False  # typing's own, without importing typing (see named_tuple.py)
if TYPE_CHECKING:
    from babel.messages.catalog import Message

ORIGIN_PREFIX = "translated-by: "


class State(Enum):
    """What an entry is, one of six; every summary, ``status`` and README use these words."""

    REVIEWED = "reviewed"  # written or approved by a person
    MACHINE = "machine"  # a machine's translation, not reviewed yet
    STALE = "stale"  # fuzzy: its source changed, or a person marked it as needing work
    SUGGESTED = "suggested"  # a draft for a person to finish: a fuzzy memory match
    REJECTED = "rejected"  # a machine's translation that failed the checks: never published
    BROKEN = "broken"  # would be published, but fails the checks: the source text is used
    UNTRANSLATED = "untranslated"


STATES = tuple(State)


def _text_hash(text: str) -> str:
    return "sha:" + hashlib.sha256(text.encode()).hexdigest()[:8]


def origin_of(message: Message) -> str | None:
    """The backend that wrote the entry's translation, if a machine did and nobody edited it."""
    for comment in message.user_comments:
        if comment.startswith(ORIGIN_PREFIX):
            name, _, mark = comment[len(ORIGIN_PREFIX) :].strip().rpartition(" ")
            if mark == _text_hash(str(message.string)):
                return name
            return None  # a person has changed what the machine wrote
    return None


REJECTED_PREFIX = "not published: "
SUGGESTERS = ("tm-fuzzy",)  # origins of drafts meant only as a start for a person


def set_origin(message: Message, origin: str, *, rejected: str = "") -> None:
    """Record that ``origin`` wrote the current translation (and why it was rejected)."""
    message.user_comments = [
        c for c in message.user_comments if not c.startswith((ORIGIN_PREFIX, REJECTED_PREFIX))
    ]
    message.user_comments.append(f"{ORIGIN_PREFIX}{origin} {_text_hash(str(message.string))}")
    if rejected:
        message.user_comments.append(REJECTED_PREFIX + rejected)


def state_of(message: Message) -> State:
    if not message.string:
        return State.UNTRANSLATED
    if not message.fuzzy:
        return State.REVIEWED
    origin = origin_of(message)
    if message.previous_id or origin is None:
        return State.STALE
    if origin.startswith(SUGGESTERS):
        return State.SUGGESTED  # for a person to finish: never published as it is
    if any(c.startswith(REJECTED_PREFIX) for c in message.user_comments):
        return State.REJECTED  # for a person to fix: never published as it is
    return State.MACHINE


POLICIES = ("machine", "reviewed")


def publishes(state: State, policy: str, show_stale: bool) -> bool:
    """Whether a locale with ``policy`` publishes an entry in ``state``.

    ``machine`` publishes machine suggestions; ``reviewed`` only what a person approved.
    A stale translation is published only with ``show_stale``; either way it stays in the
    catalog (and in ``status``) until someone updates it.
    """
    if state is State.REVIEWED:
        return True
    if state is State.MACHINE:
        return policy == "machine"
    if state is State.STALE:
        return show_stale
    return False  # untranslated, a suggestion, or rejected


def human_owned(message: Message) -> bool:
    """A backend must never overwrite this entry: a person wrote or approved it."""
    if not message.string:
        return False
    return not message.fuzzy or origin_of(message) is None


@cache
def _word() -> re.Pattern[str]:
    """A word, compiled when first counted: its ranges take a millisecond to compile, and
    ``status`` read from the build records counts none."""
    return re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]|[^\W\d_]+|\d+")


_TAG = re.compile(r"</?x\d+/?>")  # our tags (markdown.placeholders.TAG, without its groups)


def words(text: str) -> int:
    """Source words: each Han or kana character is one, as are Latin words and numbers."""
    return len(_word().findall(_TAG.sub(" ", text)))


def state_in(message: Message, broken: Collection[tuple[str | None, str]]) -> State:
    """The entry's state, broken if the build could not use it."""
    return State.BROKEN if (message.context, str(message.id)) in broken else state_of(message)


def count_words(
    messages: Iterable[Message], broken: Collection[tuple[str | None, str]] = ()
) -> dict[str, int]:
    """Source words by state (what is left to review, in the unit translators bill)."""
    found = {state.value: 0 for state in State}
    for message in messages:
        if message.id:
            found[state_in(message, broken).value] += words(str(message.id))
    return found


def rejections(messages: Iterable[Message]) -> list[tuple[Message, str]]:
    """Each machine translation the checks rejected, with the reason it was given."""
    found = []
    for message in messages:
        if message.id and state_of(message) is State.REJECTED:
            why = next(c for c in message.user_comments if c.startswith(REJECTED_PREFIX))
            found.append((message, why))
    return found


def count_states(
    messages: Iterable[Message], broken: Collection[tuple[str | None, str]] = ()
) -> dict[str, int]:
    """Entries by state, every state present (zeros included): the one set of numbers
    every summary and ``status`` shows. ``broken``: the (msgctxt, msgid) of entries the
    build could not use, counted as broken and as nothing else."""
    counts = {state.value: 0 for state in State}
    for message in messages:
        if message.id:
            counts[state_in(message, broken).value] += 1
    return counts
