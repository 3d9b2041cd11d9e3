"""Format directives in a PO string (``python-format``, ``python-brace-format``), where GNU
gettext never breaks a line: emulated as ``msgcat`` really does it, bugs included."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

# -- format directives, where a line never breaks ------------------------------------------

# GNU's order, which is also the order of the flags
FORMATS = (
    "c",
    "objc",
    "python",
    "python-brace",
    "java",
    "java-printf",
    "csharp",
    "javascript",
    "scheme",
    "lisp",
    "elisp",
    "librep",
    "ruby",
    "sh",
    "awk",
    "lua",
    "object-pascal",
    "smalltalk",
    "qt",
    "qt-plural",
    "kde",
    "kde-kuit",
    "boost",
    "tcl",
    "perl",
    "perl-brace",
    "php",
    "gcc-internal",
    "gfc-internal",
    "ycp",
)


def _python_directives(s: str) -> Iterator[tuple[int, int]]:
    """(first, last) index of each ``%`` directive GNU's python-format parser accepts before
    the first one it rejects."""
    at = _at(s)
    i, named, unnamed = 0, 0, 0
    while i < len(s):
        if s[i] != "%":
            i += 1
            continue
        start, i, name = i, i + 1, False
        if at(i) == "(":
            depth, i = 0, i + 1
            while i < len(s) and not (s[i] == ")" and depth == 0):
                depth += {"(": 1, ")": -1}.get(s[i], 0)
                i += 1
            if i >= len(s):
                return
            i, name = i + 1, True
        while at(i) in ("-", "+", " ", "#", "0"):
            i += 1
        for field in ("width", "precision"):  # each a number or a ``*`` argument
            if field == "precision":
                if at(i) != ".":
                    break
                i += 1
            if at(i) == "*":
                if named:
                    return
                i, unnamed = i + 1, unnamed + 1
            while "0" <= at(i) <= "9":
                i += 1
        if at(i) in ("h", "l", "L"):
            i += 1
        if at(i) not in tuple("%csrdiuoxXeEfgG"):
            return
        if name:
            if unnamed:
                return
            named += 1
        elif s[i] != "%":
            if named:
                return
            unnamed += 1
        yield start, i
        i += 1


def _brace_directives(s: str) -> Iterator[tuple[int, int]]:
    """The span where GNU's python-brace-format parser forbids breaks. That parser marks
    each directive's start and end relative to the directive itself, not to the string
    (gettext 0.21 to 1.0), so what it protects is the string's first characters, up to the
    nearest end or error it marked: we do the same, or ``msgcat`` would break elsewhere."""
    at = _at(s)
    marks: list[tuple[int, bool]] = []  # (end or error, relative to its directive; error?)
    found = False

    def field(i: int) -> int | None:
        if at(i).isascii() and (at(i).isalpha() or at(i) == "_"):
            while at(i).isascii() and (at(i).isalnum() or at(i) == "_"):
                i += 1
            return i
        if "0" <= at(i) <= "9":
            while "0" <= at(i) <= "9":
                i += 1
            return i
        return None

    def directive(start: int, top: bool) -> int | None:
        """Parse the directive at ``start`` (a ``{``); where it ends, or None."""
        nonlocal found
        i = start + 1
        if at(i) == "{":
            return i + 1
        end = field(i)
        while end is not None and at(end) in (".", "["):
            getitem, i = at(end) == "[", end + 1
            end = field(i)
            if getitem and end is not None:
                i, end = end + 1, end + 1 if at(end) == "]" else None
        if end is None:
            marks.append((i - start, True))
            return None
        i = end
        if at(i) == ":":
            if not top:
                marks.append((i - start, True))
                return None
            i += 1
            if at(i) == "{":
                nested = directive(i, False)
                if nested is None:
                    return None
                i = nested
            else:
                i += 2 if at(i + 1) in tuple("<>=^") else 1 if at(i) in tuple("<>=^") else 0
                i += 1 if at(i) in ("+", "-", " ") else 0
                i += 1 if at(i) == "#" else 0
                i += 1 if at(i) == "0" else 0
                while "0" <= at(i) <= "9":
                    i += 1
                if at(i) == ".":
                    i += 1
                    while "0" <= at(i) <= "9":
                        i += 1
                i += 1 if at(i) in tuple("bcdoxXneEfFgG%") else 0
        if at(i) != "}":
            marks.append((i - start, True))
            return None
        if top:
            found = True
            marks.append((i - start, False))
        return i + 1

    i = 0
    while i < len(s):
        if s[i] != "{":
            i += 1
            continue
        after = directive(i, True)
        if after is None:
            break
        i = after
    end, error = min(marks, key=lambda m: (m[0], not m[1])) if marks else (0, True)
    if found and not error:
        yield 0, end


def _at(s: str) -> Callable[[int], str]:
    return lambda i: s[i] if 0 <= i < len(s) else ""


def inside_directives(value: str, flags: Iterable[str]) -> list[bool]:
    """For each character of ``value``: inside a format directive (not its first)?"""
    inside = [False] * len(value)
    languages = format_flags(flags)
    language = next((f for f in FORMATS if f in languages), None)
    if language == "python":
        for first, last in _python_directives(value):
            inside[first + 1 : last + 1] = [True] * (last - first)
    elif language == "python-brace":
        # GNU's marks are byte offsets, which for this one land at the string's start
        for _first, last in _brace_directives(value):
            offset = 0
            for index, ch in enumerate(value):
                if offset > last:
                    break
                inside[index] = offset > 0
                offset += len(ch.encode("utf-8"))
    return inside


def format_flags(flags: Iterable[str]) -> set[str]:
    """The languages a message is (possibly) a format string of."""
    out = set()
    for flag in flags:
        if flag.endswith("-format") and not flag.startswith(("no-", "impossible-")):
            out.add(flag.removeprefix("possible-").removesuffix("-format"))
    return out
