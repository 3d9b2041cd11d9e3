"""Hand the waiting units to reviewers outside the repository, and take their work back:
XLIFF 1.2, which CAT tools (OmegaT, Trados, memoQ, Poedit) read and write.

Tags become XLIFF inline codes — ``<x1/>`` is ``<x id="1"/>``, ``<x2>…</x2>`` is
``<g id="2">…</g>`` — so tools protect them the same way. Each ``<file>`` is one catalog;
each unit's id is stable (the hash of its msgctxt and msgid), so an export can be imported
after the catalogs moved on: units whose source changed meanwhile are skipped, not forced.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from babel.messages.catalog import Message

from ..errors import InputError
from ..markdown.placeholders import TAG, PlaceholderError, check_tags, placeholders_in
from .po import read_catalog, write_catalog
from .provenance import PostCatalog
from .states import ORIGIN_PREFIX, State, state_of

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
    person (all of them with ``everything``)."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}xliff", version="1.2")
    for po, post, locale, catalog in catalogs:
        units = [m for m in catalog if m.id and (everything or state_of(m) is not State.REVIEWED)]
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
            unit = ET.SubElement(body, f"{{{NS}}}trans-unit", id=unit_id(message))
            if message.context:
                unit.set("resname", str(message.context))
            _to_xliff(ET.SubElement(unit, f"{{{NS}}}source"), str(message.id))
            state = state_of(message)
            if message.string:
                target = ET.SubElement(unit, f"{{{NS}}}target")
                target.set(
                    "state", "translated" if state is State.REVIEWED else "needs-review-translation"
                )
                _to_xliff(target, str(message.string))
            for comment in message.auto_comments:
                ET.SubElement(unit, f"{{{NS}}}note", {"from": "developer"}).text = comment
            if message.previous_id:
                note = ET.SubElement(unit, f"{{{NS}}}note", {"from": "translator"})
                note.text = f"source changed; was: {message.previous_id[0]}"
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


@dataclass(slots=True)
class Imported:
    updated: dict[str, int] = field(default_factory=dict)  # catalog -> entries
    skipped: list[str] = field(default_factory=list)  # "file: unit: why"


def import_units(path: Path, root: Path) -> Imported:
    """Write the translations of an XLIFF file back into its catalogs (approved when the
    unit's state says so, fuzzy otherwise); units that do not fit are skipped and listed."""
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        raise InputError(f"not XLIFF: {exc}", path, exc.position[0]) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from exc
    result = Imported()
    for file in tree.getroot().iter(f"{{{NS}}}file"):
        po = file.get("original", "")
        target_path = (root / po).resolve()
        if not po or not target_path.is_relative_to(root.resolve()) or not target_path.is_file():
            result.skipped.append(f"{path}: file {po!r}: no such catalog under the site")
            continue
        catalog = read_catalog(target_path)
        assert catalog is not None
        by_id = {unit_id(m): m for m in catalog if m.id}
        count = 0
        for unit in file.iter(f"{{{NS}}}trans-unit"):
            uid = unit.get("id", "")
            target = unit.find(f"{{{NS}}}target")
            message = by_id.get(uid)
            if target is None:
                continue
            text = _from_xliff(target).strip()
            if not text:
                continue
            if message is None:
                result.skipped.append(f"{path}: unit {uid}: its source changed since the export")
                continue
            try:
                check_tags(text, placeholders_in(str(message.id)))
            except PlaceholderError as exc:
                result.skipped.append(f"{path}: unit {uid}: {exc}")
                continue
            approved = target.get("state", "translated") in _APPROVED_STATES
            if text == message.string and approved != message.fuzzy:
                continue
            message.string = text
            message.previous_id = []
            message.user_comments = [
                c for c in message.user_comments if not c.startswith(ORIGIN_PREFIX)
            ]
            if approved:
                message.flags.discard("fuzzy")
            else:
                message.flags.add("fuzzy")
            count += 1
        if count:
            write_catalog(target_path, catalog)
            result.updated[po] = count
    return result
