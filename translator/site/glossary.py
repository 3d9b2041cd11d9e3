"""The site glossary: how terms must be translated, and which must not be.

``glossary`` in the config names a file at the site root:

- CSV: ``source,target[,locale]`` per line; an empty target means "do not translate";
- TOML: a table per locale of ``"source" = "target"``, and ``keep = ["term", …]``;
- TBX: ``termEntry`` elements whose ``langSet`` for the source and target locales each hold
  a ``term``.

It reaches each engine the way it can take it (DeepL and Google v3 through their own
glossary ids in config, LLMs in the prompt), and ``check --fail-on glossary`` reports
translations that ignore it.
"""

from __future__ import annotations

import csv
import io
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..markdown.cjk import language_of

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True, slots=True)
class Glossary:
    terms: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # locale ("*": any) -> src -> tgt
    keep: frozenset[str] = frozenset()  # do not translate

    def for_locale(self, locale: str) -> dict[str, str]:
        """Source term -> its translation in ``locale`` (kept terms map to themselves)."""
        base = language_of(locale)
        found = {term: term for term in self.keep}
        found.update(self.terms.get("*", {}))
        found.update(self.terms.get(base, {}))
        found.update(self.terms.get(locale, {}))
        return found

    def ignored(self, source: str, translation: str, locale: str) -> list[tuple[str, str]]:
        """The (term, expected translation) pairs of ``source`` that ``translation`` lacks."""
        low = translation.lower()
        return [
            (term, target)
            for term, target in self.for_locale(locale).items()
            if term in source and target.lower() not in low
        ]


def terms_in(terms: Mapping[str, str], texts: Iterable[str]) -> dict[str, str]:
    """The entries of ``terms`` whose source term occurs in one of ``texts``: what a batch
    of those texts carries."""
    texts = list(texts)
    return {k: v for k, v in terms.items() if any(k in t for t in texts)}


def load_glossary(path: Path, source_locale: str) -> Glossary:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"glossary: cannot read: {exc.strerror}", path) from exc
    if path.suffix == ".toml":
        return _from_toml(text, path)
    if path.suffix in (".tbx", ".xml"):
        return _from_tbx(text, path, source_locale)
    return _from_csv(text, path)


def _from_csv(text: str, path: Path) -> Glossary:
    terms: dict[str, dict[str, str]] = {}
    keep: set[str] = set()
    for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row or row[0].startswith("#") or (number == 1 and row[0].lower() == "source"):
            continue
        source = row[0].strip()
        target = row[1].strip() if len(row) > 1 else ""
        locale = row[2].strip() if len(row) > 2 and row[2].strip() else "*"
        if not source:
            raise ConfigError("glossary: a row without a source term", path, number)
        if target:
            terms.setdefault(locale, {})[source] = target
        else:
            keep.add(source)
    return Glossary(terms, frozenset(keep))


def _from_toml(text: str, path: Path) -> Glossary:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"glossary: invalid TOML: {exc}", path) from exc
    keep = data.pop("keep", [])
    if not isinstance(keep, list) or not all(isinstance(k, str) for k in keep):
        raise ConfigError("glossary: keep must be a list of terms", path)
    terms: dict[str, dict[str, str]] = {}
    for locale, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ConfigError(f"glossary: [{locale}] must map terms to translations", path)
        terms[locale] = dict(table)
    return Glossary(terms, frozenset(keep))


def _from_tbx(text: str, path: Path, source_locale: str) -> Glossary:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ConfigError(f"glossary: invalid TBX: {exc}", path, exc.position[0]) from exc
    terms: dict[str, dict[str, str]] = {}
    base = language_of(source_locale)
    for entry in root.iter("termEntry"):
        by_lang = {}
        for lang_set in entry.iter("langSet"):
            lang = language_of(lang_set.get(XML_LANG) or lang_set.get("lang") or "")
            term = lang_set.find(".//term")
            if term is not None and term.text:
                by_lang[lang] = term.text.strip()
        source = by_lang.pop(base, None)
        if source:
            for lang, target in by_lang.items():
                terms.setdefault(lang, {})[source] = target
    return Glossary(terms)
