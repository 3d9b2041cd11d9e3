"""Hand the waiting units to reviewers outside the repository, and take their work back:
XLIFF 1.2, which CAT tools (OmegaT, Trados, memoQ, Poedit) read and write.

Tags become XLIFF inline codes — ``<x1/>`` is ``<x id="1"/>``, ``<x2>…</x2>`` is
``<g id="2">…</g>`` — so tools protect them the same way. Each ``<file>`` is one catalog;
each unit's id is stable (the hash of its msgctxt and msgid), so an export can be imported
after the catalogs moved on: units whose source changed meanwhile are skipped, not forced.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from babel.messages.catalog import Message

from ..errors import InputError
from ..markdown.placeholders import TAG, PlaceholderError, check_tags, placeholders_in
from .catalog import PostCatalog
from .po import read_catalog, write_catalog
from .states import ORIGIN_PREFIX, REJECTED_PREFIX, State, state_of

NS = "urn:oasis:names:tc:xliff:document:1.2"
_APPROVED_STATES = {"translated", "final", "signed-off"}


def unit_id(message: Message) -> str:
    key = f"{message.context or ''}\x04{message.id}".encode()
    return "u" + hashlib.sha256(key).hexdigest()[:16]


def _to_xliff(parent: ET.Element, text: str) -> None:
    """Fill ``parent`` with ``text``, our tags turned into XLIFF inline codes."""
    markup = []
    pos = 0
    for m in TAG.finditer(text):
        markup.append(escape(text[pos : m.start()]))
        closing, number, empty = m.group(1), m.group(2), m.group(3)
        markup.append(
            f'<x id="{number}"/>' if empty else "</g>" if closing else f'<g id="{number}">'
        )
        pos = m.end()
    markup.append(escape(text[pos:]))
    fragment = ET.fromstring(f'<wrap xmlns="{NS}">{"".join(markup)}</wrap>')
    parent.text = fragment.text
    parent.extend(list(fragment))


def _from_xliff(element: ET.Element) -> str:
    out = [element.text or ""]
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        number = child.get("id", "")
        if tag == "x":
            out.append(f"<x{number}/>")
        elif tag == "g":
            out.append(f"<x{number}>{_from_xliff(child)}</x{number}>")
        else:
            out.append(_from_xliff(child))
        out.append(child.tail or "")
    return "".join(out)


def export_units(
    catalogs: Iterable[tuple[str, str, str, PostCatalog]], source_locale: str, *, everything: bool
) -> bytes:
    """XLIFF for ``(catalog path, post path, locale, catalog)``: the units waiting for a
    person (all of them with ``everything``), each with its review state in the words
    XLIFF 1.2 and CAT tools use: a reviewed unit is ``approved="yes"``, ``final``; a
    machine's is ``needs-review-translation`` with ``state-qualifier="leveraged-mt"``; a
    stale or draft one ``needs-review-translation``; an untranslated one ``new``."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}xliff", version="1.2")
    for po, post, locale, catalog in catalogs:
        units = [
            m
            for m in catalog.entries()
            if m.id and (everything or state_of(m) is not State.REVIEWED)
        ]
        if not units:
            continue
        attributes = {
            "original": po,
            "datatype": "x-markdown",
            "source-language": source_locale,
            "target-language": locale,
        }
        file = ET.SubElement(root, f"{{{NS}}}file", attributes)
        ET.SubElement(ET.SubElement(file, f"{{{NS}}}header"), f"{{{NS}}}note").text = post
        body = ET.SubElement(file, f"{{{NS}}}body")
        for message in units:
            state = state_of(message)
            reviewed = state is State.REVIEWED
            unit = ET.SubElement(
                body,
                f"{{{NS}}}trans-unit",
                {"id": unit_id(message), "approved": "yes" if reviewed else "no"},
            )
            if message.context:
                unit.set("resname", str(message.context))
            _to_xliff(ET.SubElement(unit, f"{{{NS}}}source"), str(message.id))
            target = ET.SubElement(unit, f"{{{NS}}}target", state=_STATES[state])
            if state is State.MACHINE:
                target.set("state-qualifier", "leveraged-mt")
            _to_xliff(target, str(message.string))
            for comment in message.auto_comments:
                ET.SubElement(unit, f"{{{NS}}}note", {"from": "developer"}).text = comment
            if message.previous_id:
                note = ET.SubElement(unit, f"{{{NS}}}note", {"from": "translator"})
                note.text = f"source changed; was: {message.previous_id[0]}"
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


_STATES = {State.REVIEWED: "final", State.UNTRANSLATED: "new"}
for _state in State:
    _STATES.setdefault(_state, "needs-review-translation")


@dataclass(slots=True)
class Imported:
    updated: dict[str, int] = field(default_factory=dict)  # catalog -> entries
    skipped: list[str] = field(default_factory=list)  # "file: unit: why"


def import_units(path: Path, root: Path, catalogs: Iterable[Path] = ()) -> Imported:
    """Write the translations of an XLIFF file back into its catalogs: approved when the
    unit says so (``approved="yes"``, or a ``final``/``signed-off`` target, or a
    ``translated`` one from a tool that does not mark approval), fuzzy otherwise; units
    whose source changed since the export, or whose tags do not fit, are skipped and
    listed. A ``<file>`` that names one of the site's catalogs is matched to it; one that
    does not (an XLIFF made from our export by another tool, such as Translate Toolkit's
    po2xliff) has its units matched by their ids in ``catalogs``."""
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        raise InputError(f"not XLIFF: {exc}", path, exc.position[0]) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from exc
    result = Imported()
    loaded: dict[Path, PostCatalog] = {}
    changed: dict[Path, int] = {}

    def catalog_at(target: Path) -> PostCatalog:
        if target not in loaded:
            found = read_catalog(target)
            assert found is not None
            loaded[target] = found
        return loaded[target]

    everywhere = [p.resolve() for p in catalogs if p.is_file()]
    for file in _children(tree.getroot(), "file"):
        po = file.get("original", "")
        target_path = (root / po).resolve() if po else root
        own = bool(po) and target_path.is_relative_to(root.resolve()) and target_path.is_file()
        if everywhere and target_path not in everywhere:
            own = False  # not one of the site's catalogs: another tool's file name
        if not own and not everywhere:
            result.skipped.append(
                f"{path}: file {po!r}: no such catalog under the site "
                "(for an XLIFF another tool made, name the locale: --to LOCALE)"
            )
            continue
        places = [target_path] if own else everywhere
        for unit in _descendants(file, "trans-unit"):
            if unit.get("restype") == "x-gettext-domain-header":
                continue  # a PO header another tool carried along
            uid = _our_id(unit)
            target = _child(unit, "target")
            if target is None:
                continue
            text = _from_xliff(target).strip()
            if not text:
                continue
            found = [(p, m) for p in places for m in catalog_at(p) if m.id and unit_id(m) == uid]
            if not found:
                result.skipped.append(f"{path}: unit {uid}: its source changed since the export")
                continue
            for place, message in found:
                why = _apply(message, text, _approved(unit, target))
                if why:
                    result.skipped.append(f"{path}: unit {uid}: {why}")
                    break
                if why is not None:
                    changed[place] = changed.get(place, 0) + 1
    for place, count in changed.items():
        write_catalog(place, loaded[place])
        result.updated[place.relative_to(root.resolve()).as_posix()] = count
    return result


def _apply(message: Message, text: str, approved: bool) -> str | None:
    """Take a reviewer's ``text`` into ``message``: "" if it changed, None if it was
    there already, the reason if it cannot be taken."""
    try:
        check_tags(text, placeholders_in(str(message.id)))
    except PlaceholderError as exc:
        if _plain(text) != _plain(str(message.string)):
            return str(exc)
        # the same text without its tags: a tool dropped the inline codes on the way
        # (Translate Toolkit's xliff2po does); only the review state is taken
        text = str(message.string)
    if text == message.string and approved != message.fuzzy:
        return None
    if text != message.string:
        message.string = text
        message.previous_id = []
        message.user_comments = [
            c for c in message.user_comments if not c.startswith((ORIGIN_PREFIX, REJECTED_PREFIX))
        ]
    if approved:
        message.flags.discard("fuzzy")
    else:
        message.flags.add("fuzzy")
    return ""


def _approved(unit: ET.Element, target: ET.Element) -> bool:
    said = unit.get("approved")
    state = target.get("state", "translated")
    if said is not None:
        return said == "yes" or state in ("final", "signed-off")
    return state in _APPROVED_STATES


_ID = re.compile(r"u[0-9a-f]{16}")


def _plain(text: str) -> str:
    return " ".join(TAG.sub("", text).split())


def _our_id(unit: ET.Element) -> str:
    """The unit's id as we made it: its own, or where another tool kept it (Translate
    Toolkit's po2xliff numbers units anew and keeps the old id as a location)."""
    uid = unit.get("id", "")
    if _ID.fullmatch(uid):
        return uid
    for context in _descendants(unit, "context"):
        if _ID.fullmatch((context.text or "").strip()):
            return (context.text or "").strip()
    return uid


def _local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]  # XLIFF 1.1 and 1.2 alike


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in element.iter() if _local(e) == name]


def _descendants(element: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in element.iter() if _local(e) == name and e is not element]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((e for e in element if _local(e) == name), None)
