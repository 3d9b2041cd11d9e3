"""What a PO file says, read from its text without parsing it: the untranslated texts, and
the line of each entry (for reports)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Message

_Q = r'"(?:[^"\\\n]|\\.)*"'
_UNTRANSLATED = re.compile(
    r"^(?:msgctxt (" + _Q + r"\n(?:" + _Q + r"\n)*))?msgid (" + _Q + r"\n(?:" + _Q + r"\n)*)"
    r'msgstr ""(?:\n(?!")|\Z)',
    re.MULTILINE,
)


def untranslated_texts(text: str) -> set[str]:
    """The msgids (without msgctxt) of the untranslated entries, from the PO text alone."""
    from babel.messages.pofile import unescape

    return {
        "".join(unescape(q) for q in re.findall(_Q, m.group(2)))
        for m in _UNTRANSLATED.finditer(text if text.endswith("\n") else text + "\n")
    } - {""}


class EntryLines:
    """The line of each message's ``msgid`` keyword in a PO file, for reports.

    (Babel remembers the line of a message's first string, which for a wrapped msgid is
    the line after ``msgid ""``.)
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lines: list[str] | None = None

    def of(self, message: Message) -> int | None:
        if message.lineno is None:
            return None
        if self._lines is None:
            try:
                self._lines = self.path.read_text("utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                self._lines = []
        line = message.lineno + 1
        for number in range(min(line, len(self._lines)), 0, -1):
            if self._lines[number - 1].startswith("msgid "):
                return number
        return line

    def report(self, shown_path: str, message: Message | None, why: str) -> str:
        """``po:line: entry "…": why``, the one form every entry-level problem takes."""
        line = self.of(message) if message is not None else None
        text = str(message.id) if message is not None else ""
        short = text if len(text) <= 40 else text[:39] + "…"
        where = f"{shown_path}:{line}" if line else shown_path
        return f'{where}: entry "{short}": {why}'
