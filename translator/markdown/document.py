"""A post as text: decoded, its front matter fenced off, its body located.

Nothing here rewrites the post: :class:`Post` keeps the exact text, and :func:`encode_post`
gives back the exact bytes (BOM and CRLF line endings included).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, NamedTuple

from ..errors import PostError

FrontMatterKind = Literal["yaml", "toml"]

# the opening fence, the pattern of python-frontmatter's YAMLHandler.FM_BOUNDARY (importing
# that package for its one pattern cost every command 10 ms)
_YAML_FENCE = re.compile(r"^-{3,}\s*$", re.MULTILINE)
_YAML_CLOSE = re.compile(r"^(?:-{3,}|\.{3})[ \t]*$", re.MULTILINE)
_BLANK_LINE = re.compile(r"[ \t]*(?:\n|$)")
_TOML_FENCE = re.compile(r"^\+{3,}[ \t]*$", re.MULTILINE)


class FrontMatter(NamedTuple):
    kind: FrontMatterKind
    start: int  # offset of the first byte of the block's content (after the opening fence line)
    end: int  # offset just past the content (the closing fence line starts here)
    first_line: int  # 1-based line number of the content's first line

    def text_of(self, post_text: str) -> str:
        return post_text[self.start : self.end]


class Post(NamedTuple):
    path: Path
    text: str  # decoded, BOM removed, CRLF turned into LF
    bom: bool
    crlf: bool
    front_matter: FrontMatter | None
    body_start: int  # offset of the body in ``text``
    body_line: int  # number of lines before the body (0 without front matter)

    @property
    def body(self) -> str:
        return self.text[self.body_start :]


def read_post(path: Path) -> Post:
    """Read and decode a post; raise :class:`PostError` with the line of the problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PostError(f"cannot read: {exc.strerror}", path) from exc
    return parse_post(data, path)


def parse_post(data: bytes, path: Path) -> Post:
    """Decode ``data`` and fence off its front matter."""
    if not data.strip():
        raise PostError("empty file: nothing to translate", path, 1)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise PostError("binary file (NUL byte): not a Markdown post", path, line)
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PostError(
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8",
            path,
            line,
        ) from exc
    crlf = "\r\n" in text
    if crlf:
        if text.count("\r\n") != text.count("\n"):
            bare = re.search(r"(?<!\r)\n", text)
            line = text[: bare.start()].count("\n") + 1 if bare else 1
            raise PostError(
                "mixed CRLF and LF line endings; convert the file to one style", path, line
            )
        text = text.replace("\r\n", "\n")
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise PostError("bare carriage return (old Mac line ending)", path, line)
    front = _find_front_matter(text, path)
    if front is None:
        return Post(path, text, bom, crlf, None, 0, 0)
    closing_end = text.find("\n", front.end)
    body_start = len(text) if closing_end < 0 else closing_end + 1
    body_line = text[:body_start].count("\n")
    return Post(path, text, bom, crlf, front, body_start, body_line)


def encode_post(post: Post, text: str) -> bytes:
    """Encode ``text`` (LF line endings) with the BOM and line endings of ``post``."""
    if post.crlf:
        text = text.replace("\n", "\r\n")
    return (b"\xef\xbb\xbf" if post.bom else b"") + text.encode("utf-8")


def _find_front_matter(text: str, path: Path) -> FrontMatter | None:
    first_nl = text.find("\n")
    first = text if first_nl < 0 else text[:first_nl]
    if _YAML_FENCE.fullmatch(first) and first.startswith("---"):
        kind: FrontMatterKind = "yaml"
        closer = _YAML_CLOSE
    elif _TOML_FENCE.fullmatch(first):
        kind = "toml"
        closer = _TOML_FENCE
    else:
        return None
    if first_nl < 0:
        raise PostError(f"{kind.upper()} front matter is opened but never closed", path, 1)
    start = first_nl + 1
    m = closer.search(text, start)
    if m is None and kind == "yaml" and _BLANK_LINE.match(text, start):
        return None  # "---" then a blank line, never closed: a thematic break opens the post
    if m is None:
        raise PostError(
            f"{kind.upper()} front matter is opened on line 1 but never closed "
            f"(no closing '{first.strip()[:3]}' line)",
            path,
            1,
        )
    return FrontMatter(kind, start, m.start(), 2)
