"""Bring a catalog up to date with its post, keeping every translation anyone made.

Units are matched by their text, never by line or position, so moving or re-wrapping a
paragraph changes nothing. A unit whose text changed gets the translation of the most
similar unit that went away, marked ``fuzzy``, with the old text as ``#| msgid`` so the
reviewer sees what changed; any change at all (a negation, a number, a tag) makes it
fuzzy. A unit that went away becomes obsolete (``#~``) and comes back from there if its
text returns; obsolete entries are dropped only when asked.

Entries follow the post's order. ``#:`` gives ``path:line`` of each occurrence, ``#.`` the
kind of block and what each tag stands for. A value that occurs under two different
front-matter keys, or both in the front matter and the body, gets ``msgctxt`` (the key);
every other repeated text shares one entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from babel.messages.catalog import Message

from ..markdown.units import Segmentation, Unit
from .catalog import PostCatalog
from .po import new_catalog
from .provenance import EXTRACT_OPTIONS, SOURCE_HASH, SOURCE_PATH

SIMILAR = 0.6  # how alike an edited text must be to its old self to inherit its translation


class Entry:
    """What extraction says one PO entry must be."""

    __slots__ = ("comments", "context", "locations", "msgid")

    def __init__(self, msgid: str, context: str | None) -> None:
        self.msgid = msgid
        self.context = context
        self.locations: list[tuple[str, int]] = []
        self.comments: list[str] = []

    def __repr__(self) -> str:
        return f"Entry({self.msgid!r}, {self.context!r}, {self.locations!r})"


class MergeStats(NamedTuple):
    kept: int = 0  # same text: translation and state kept
    fuzzy: int = 0  # edited: old translation kept as fuzzy
    new: int = 0
    obsolete: int = 0


def entries_for(seg: Segmentation, source: str, *, copy_latin: bool = True) -> list[Entry]:
    """The entries a post's units call for, in document order."""
    units = [u for u in seg.units if u.text and (u.needs_translation or not copy_latin)]
    kinds: dict[str, set[str]] = {}
    for u in units:
        kinds.setdefault(u.text, set()).add(u.context or "body")
    entries: dict[tuple[str | None, str], Entry] = {}
    commented: set[tuple[object, ...]] = set()  # an entry's comments come once per kind of use
    for unit in units:
        for text in unit.sentences or (unit.text,):
            context = unit.context if unit.context and len(kinds[unit.text]) > 1 else None
            entry = entries.get((context, text))
            if entry is None:
                entry = entries[(context, text)] = Entry(text, context)
            entry.locations.append((source, unit.line))
            use = (context, text, unit.kind, unit.context, unit.joined, unit.placeholders)
            if use in commented:
                continue
            commented.add(use)
            for comment in _comments(unit):
                if comment not in entry.comments:
                    entry.comments.append(comment)
    return list(entries.values())


def _comments(unit: Unit) -> Iterator[str]:
    yield f"{unit.kind}: {unit.context}" if unit.context else unit.kind
    if unit.joined:
        yield "wrapped source lines joined; no space between CJK characters"
    for ph in unit.placeholders:
        shown = ph.source().replace("\n", "⏎")
        if len(shown) > 60:
            shown = shown[:57] + "…"
        tag = f"<x{ph.number}>…</x{ph.number}>" if ph.paired else f"<x{ph.number}/>"
        yield f"{tag} = {ph.kind}: {shown}"


def update_catalog(
    old: PostCatalog | None,
    entries: list[Entry],
    *,
    locale: str,
    project: str,
    source: str,
    digest: str,
    options: str = "",
    purge_obsolete: bool = False,
) -> tuple[PostCatalog, MergeStats]:
    """Return the catalog ``entries`` call for, keeping all that ``old`` knows."""
    catalog = new_catalog(locale, project, source)
    if old is not None:
        catalog.creation_date = old.creation_date
        catalog.revision_date = old.revision_date
        catalog.last_translator = old.last_translator
        catalog.language_team = old.language_team
    catalog.extra_headers = {SOURCE_PATH: source, SOURCE_HASH: digest}
    if options:
        catalog.extra_headers[EXTRACT_OPTIONS] = options
    previous = _previous_messages(old)
    wanted = {(e.context, e.msgid) for e in entries}
    kept = 0
    messages: list[Message] = []
    unmatched: list[tuple[Entry, Message]] = []
    for entry in entries:
        message = Message(
            entry.msgid,
            locations=entry.locations,
            auto_comments=entry.comments,
            context=entry.context,
        )
        found = previous.get((entry.context, entry.msgid))
        if found is not None:
            _inherit(message, found, stale=False)
            kept += 1
        else:
            unmatched.append((entry, message))
        messages.append(message)
    gone = [m for key, m in previous.items() if key not in wanted and m.string]
    # same text under another msgctxt (a duplicate appeared or went away): not an edit
    by_text = {str(m.id): m for m in gone}
    moved = [(m, by_text[str(m.id)]) for _e, m in unmatched if str(m.id) in by_text]
    for message, match in moved:
        _inherit(message, match, stale=False)
        gone.remove(match)
    kept += len(moved)
    unmatched = [(e, m) for e, m in unmatched if not any(m is n for n, _ in moved)]
    # edited units: pair each with the most similar translated text that went away
    order = [str(m.id) for m in old] if old is not None else []
    pairs = _pairs([m for _e, m in unmatched], gone, order, [e.msgid for e in entries])
    for message, match in pairs:
        _inherit(message, match, stale=True)
    fuzzy = len(pairs)
    new = len(unmatched) - fuzzy
    for message in messages:
        catalog[message.id] = message
    reused = {id(match) for _message, match in [*pairs, *moved]}
    obsolete = 0
    if not purge_obsolete:
        for key, message in previous.items():
            if key in wanted or id(message) in reused or not message.string:
                continue
            message.locations = []
            message.auto_comments = []
            msgid, context = key[1], key[0]
            catalog.obsolete[(msgid, context) if context else msgid] = message
            obsolete += 1
    return catalog, MergeStats(kept, fuzzy, new, obsolete)


def _previous_messages(old: PostCatalog | None) -> dict[tuple[str | None, str], Message]:
    """Every message of ``old``, live ones first, obsolete ones where no live one has the key."""
    found: dict[tuple[str | None, str], Message] = {}
    if old is None:
        return found
    for message in [*old, *old.obsolete.values()]:
        if message.id and isinstance(message.id, str):
            found.setdefault((message.context, message.id), message)
    return found


def _inherit(message: Message, old: Message, *, stale: bool) -> None:
    message.string = old.string
    message.user_comments = list(old.user_comments)
    message.flags = {f for f in old.flags if f != "fuzzy"}
    if stale:
        message.flags.add("fuzzy")
        message.previous_id = [str(old.id)]
    elif old.fuzzy:
        message.flags.add("fuzzy")
        message.previous_id = list(old.previous_id)
    # a reviewed entry has no use for the text it was once stale against


def _pairs(
    new: list[Message], gone: list[Message], old_order: list[str], new_order: list[str]
) -> list[tuple[Message, Message]]:
    """Greedy one-to-one pairing of new texts with gone ones, most similar first.

    Similarity is difflib's ratio, raised when one text contains the other (a heading that
    grew a word) or when the two sit in the same place between unchanged neighbours.
    """
    if not new or not gone:
        return []
    from difflib import SequenceMatcher  # (only an update that lost texts compares them)

    same_place = _same_place(old_order, new_order)
    scored: list[tuple[float, int, int]] = []
    for i, message in enumerate(new):
        a = str(message.id)
        for j, candidate in enumerate(gone):
            b = str(candidate.id)
            bonus = 0.3 if (a in b or b in a) else 0.0
            bonus += 0.3 if (b, a) in same_place else 0.0
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            if (
                matcher.real_quick_ratio() + bonus < SIMILAR
                or matcher.quick_ratio() + bonus < SIMILAR
            ):
                continue
            score = matcher.ratio() + bonus
            if score >= SIMILAR:
                scored.append((score, i, j))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    used_new: set[int] = set()
    used_gone: set[int] = set()
    pairs = []
    for _score, i, j in scored:
        if i in used_new or j in used_gone:
            continue
        used_new.add(i)
        used_gone.add(j)
        pairs.append((new[i], gone[j]))
    return pairs


def _same_place(old: list[str], new: list[str]) -> set[tuple[str, str]]:
    """(old text, new text) pairs that replace each other one for one in the post's order."""
    from difflib import SequenceMatcher

    out: set[tuple[str, str]] = set()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            out.update(zip(old[i1:i2], new[j1:j2], strict=True))
    return out


def keep_their_save(ours: PostCatalog, theirs: PostCatalog) -> int:
    """Bring into ``theirs`` (a catalog someone saved while a run worked on ``ours``)
    what the run added: a translation goes only into an entry that is still untranslated
    there, so whatever a person wrote wins. Returns how many entries were taken."""
    taken = 0
    for message in theirs:
        if not message.id or message.string:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None or not mine.string:
            continue
        message.string = mine.string
        message.flags = set(mine.flags)
        message.user_comments = list(mine.user_comments)
        message.previous_id = list(mine.previous_id)
        taken += 1
    return taken
