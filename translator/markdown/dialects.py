"""How a post is read: its Markdown dialect (named after the parser that publishes it) and
what else decides which of its parts are text for a reader.

kramdown (Jekyll 4.3's default, GFM input), Goldmark with Hugo's defaults, and GFM for a
site that is neither. A dialect only says what the generator's parser does differently; the
parser itself is built from it in :mod:`.syntax`.

Both are named tuples, as is every record ``translator check`` reads (settings, post paths,
build records): importing :mod:`dataclasses` (and the :mod:`inspect` it imports) would
cost a check of an unchanged site a fifth of its time. ``tests/test_layering.py`` keeps
it out.
"""

from __future__ import annotations

import hashlib

from ..named_tuple import NamedTuple

DIALECTS = ("kramdown", "goldmark", "gfm")
ANCHORS = ("keep", "translate")
HTML_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
# Hugo's built-in shortcodes whose arguments a reader sees (named, or 0-based positions).
TEMPLATE_ARGUMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("figure", ("title", "alt", "caption")),
    ("details", ("summary",)),
)


class Dialect(NamedTuple):
    """What a generator's Markdown parser reads beyond CommonMark."""

    name: str = "gfm"
    linkify: bool = True  # bare URLs and e-mail addresses become links
    emoji: bool = False  # :smile: becomes an emoji (jemoji, Hugo's enableEmoji)

    @property
    def kramdown(self) -> bool:
        return self.name == "kramdown"

    @property
    def goldmark(self) -> bool:
        return self.name == "goldmark"


GFM = Dialect()


def dialect_named(name: str, **options: bool) -> Dialect:
    """The dialect ``name`` with the generator's defaults, then ``options``."""
    defaults = {
        "kramdown": {"linkify": False},  # kramdown does not link bare URLs
        "goldmark": {"linkify": True},
        "gfm": {"linkify": True},
    }[name]
    return Dialect(name, **{**defaults, **options})


class Reading(NamedTuple):
    """How to read a post: its dialect, and which parts of HTML and templates are text."""

    dialect: Dialect = GFM
    html_attributes: tuple[str, ...] = HTML_ATTRIBUTES  # translated inside HTML tags
    translate_comments: bool = False  # HTML comments are text
    template_arguments: tuple[tuple[str, tuple[str, ...]], ...] = TEMPLATE_ARGUMENTS
    anchors: str = "keep"  # a translated heading keeps its source's anchor, or links follow

    def arguments(self, tag: str) -> tuple[str, ...]:
        """The translated arguments of template tag ``tag`` (names, or positions "0"…)."""
        for name, arguments in self.template_arguments:
            if name == tag:
                return arguments
        return ()

    @property
    def fingerprint(self) -> str:
        """What extraction depends on, for the catalog's options header."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:12]


PLAIN = Reading()  # a GFM post with the default settings
