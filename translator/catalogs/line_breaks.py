"""Where a line of a PO string may break, and how many columns a character takes: the
Unicode line breaking algorithm (UAX #14) and ``uc_width`` as libunistring 1.0 implements
them for UTF-8 text, which is what GNU gettext wraps with (between two CJK ideographs, and
after a space, which stays at the end of the line)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

# -- line breaking classes (UAX #14), resolved as libunistring does for UTF-8 text --------

# Classes that the pair table below decides; SP, ZW, CM, ZWJ and BK/CR/LF are handled by
# the loop itself. AI, SA and XX resolve to AL, CB to ID, CJ to NS (libunistring's choice).
_HL_BA = "HL+BA"  # a Hebrew letter then a hyphen: no break after (LB21a)


def _derived_class(cp: int) -> str:
    """A code point's class from its Unicode properties, right for all but the exceptions
    listed in ``_EXCEPTIONS``."""
    if 0xAC00 <= cp <= 0xD7A3:  # Hangul syllables: LV every 28th, else LVT
        return "H2" if (cp - 0xAC00) % 28 == 0 else "H3"
    ch = chr(cp)
    category = unicodedata.category(ch)
    if category == "Cn":
        cjk = (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFD)
        return "ID" if any(a <= cp <= b for a, b in cjk) else "AL"
    if category == "Zs":
        return {0x20: "SP", 0xA0: "GL", 0x2007: "GL", 0x202F: "GL"}.get(cp, "BA")
    if category == "Cc":
        return {0x09: "BA", 0x0A: "LF", 0x0B: "BK", 0x0C: "BK", 0x0D: "CR", 0x85: "BK"}.get(
            cp, "CM"
        )
    if any(a <= cp <= b for a, b in _COMPLEX):
        return "NU" if category == "Nd" else "AL"
    if category in ("Mn", "Mc", "Me"):
        return "CM"
    if category == "Nd":
        return "NU"
    wide = unicodedata.east_asian_width(ch) in ("W", "F")
    if "LETTER SMALL" in unicodedata.name(ch, "") and (
        0x3040 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF70
    ):
        return "NS"  # small kana
    if category == "Ps":
        return "OP2" if wide or unicodedata.east_asian_width(ch) == "H" else "OP1"
    if category == "Pe":
        return "CL"
    if category in ("Pi", "Pf"):
        return "QU"
    return "ID" if wide else "AL"


# South East Asian scripts (class SA), which libunistring breaks like letters
_COMPLEX = (
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
    (0x1950, 0x19DF),
    (0x1A20, 0x1AAF),
    (0xA9E0, 0xA9FF),
    (0xAA60, 0xAADF),
    (0x11700, 0x1174F),
)

# Where LineBreak.txt (as libunistring 1.0 tailors it) says otherwise: "first[-last] class".
_EXCEPTIONS_TEXT = """
0021 EX 0022 QU 0024 PR 0025 PO 0027 QU 0029 CP1 002B PR 002C IS 002D HY 002E IS 002F SY
003A-003B IS 003F EX 005C PR 005D CP1 007C BA 00A1 OP1 00A2 PO 00A3-00A5 PR 00AD BA
00B0 PO 00B1 PR 00B4 BB 00BF OP1 02C8 BB 02CC BB 02DF BB 034F GL 035C-0362 GL 037E IS
0589 IS 058A BA 058F PR 05BE BA 05C6 EX 05D0-05EA HL 05EF-05F2 HL 0609-060B PO
060C-060D IS 061B EX 061C CM 061D-061F EX 066A PO 066B-066C NU 06D4 EX 07F8 IS 07F9 EX
07FE-07FF PR 0964-0965 BA 09F2-09F3 PO 09F9 PO 09FB PR 0AF1 PR 0BF9 PR 0C77 BB 0C84 BB
0D79 PO 0E3F PR 0E5A-0E5B BA 0F01-0F04 BB 0F06-0F07 BB 0F08 GL 0F09-0F0A BB 0F0B BA
0F0C GL 0F0D-0F11 EX 0F12 GL 0F14 EX 0F34 BA 0F7F BA 0F85 BA 0FBE-0FBF BA 0FD0-0FD1 BB
0FD2 BA 0FD3 BB 0FD9-0FDA GL 104A-104B BA 1100-115F JL 1160-11A7 JV 11A8-11FF JT 1361 BA
1400 BA 16EB-16ED BA 1735-1736 BA 17D4-17D5 BA 17D6 NS 17D8 BA 17DA BA 17DB PR
1802-1803 EX 1804-1805 BA 1806 BB 1808-1809 EX 180E GL 1944-1945 EX 1A7F CM 1B5A-1B5B BA
1B5D-1B60 BA 1B7D-1B7E BA 1C3B-1C3F BA 1C7E-1C7F BA 1FFD BB 200B ZW 200C CM 200D ZWJ
200E-200F CM 2010 BA 2011 GL 2012-2013 BA 2014 B2 2024-2026 IN 2027 BA 2028-2029 BK
202A-202E CM 2030-2037 PO 203C-203D NS 2044 IS 2047-2049 NS 2056 BA 2058-205B BA
205D-205E BA 2060 WJ 2066-206F CM 20A0-20A6 PR 20A7 PO 20A8-20B5 PR 20B6 PO 20B7-20BA PR
20BB PO 20BC-20BD PR 20BE PO 20BF PR 20C0 PO 2103 PO 2109 PO 2116 PR 2212-2213 PR
22EF IN 23E9-23EC AL 23F1-23F2 ID 25FD-25FE AL 2600-2603 ID 2618 ID 261A-261C ID 261D EB
261E-261F ID 2639-263B ID 2648-2653 AL 2668 ID 2693 AL 26A1 AL 26AA-26AB AL 26BF-26C3 ID
26C6-26C8 ID 26CD ID 26CE AL 26CF-26D1 ID 26D3 ID 26D8-26D9 ID 26DC ID 26DF-26E1 ID
26F1 ID 26F4 ID 26F7-26F8 ID 26F9 EB 26FE-2704 ID 2705 AL 2708-2709 ID 270A-270D EB
2728 AL 274C AL 274E AL 2753-2755 AL 2757 AL 275B-2760 QU 2762-2763 EX 2764 ID
2795-2797 AL 27B0 AL 27BF AL 2B1B-2B1C AL 2B50 AL 2B55 AL 2CF9 EX 2CFA-2CFC BA 2CFE EX
2CFF BA 2D70 BA 2E00-2E01 QU 2E06-2E08 QU 2E0B QU 2E0E-2E15 BA 2E17 BA 2E18 OP1 2E19 BA
2E2A-2E2D BA 2E2E EX 2E30-2E31 BA 2E33-2E34 BA 2E3A-2E3B B2 2E3C-2E3E BA 2E40-2E41 BA
2E43-2E4A BA 2E4C BA 2E4E-2E4F BA 2E53-2E54 EX 2E5D BA 3001-3002 CL 3005 NS 301C NS
3035 CM 303B-303C NS 303F ID 309B-309E NS 30A0 NS 30FB-30FE NS A015 NS A4FE-A4FF BA
A60D BA A60E EX A60F BA A6F3-A6F7 BA A838 PO A874-A875 BB A876-A877 EX A8CE-A8CF BA
A8FC BB A92E-A92F BA A960-A97C JL A9C7-A9C9 BA AA5D-AA5F BA AAF0-AAF1 BA ABEB BA
D7B0-D7C6 JV D7CB-D7FB JT FB1D HL FB1F-FB28 HL FB2A-FB36 HL FB38-FB3C HL FB3E HL
FB40-FB41 HL FB43-FB44 HL FB46-FB4F HL FDFC PO FE10 IS FE11-FE12 CL FE13-FE14 IS
FE15-FE16 EX FE19 IN FE50 CL FE52 CL FE54-FE55 NS FE56-FE57 EX FE69 PR FE6A PO FEFF WJ
FF01 EX FF04 PR FF05 PO FF0C CL FF0E CL FF10-FF19 ID FF1A-FF1B NS FF1F EX FF61 CL
FF64 CL FF65 NS FF66 ID FF70 NS FF71-FF9D ID FF9E-FF9F NS FFA0-FFBE ID FFC2-FFC7 ID
FFCA-FFCF ID FFD2-FFD7 ID FFDA-FFDC ID FFE0 PO FFE1 PR FFE5-FFE6 PR FFF9-FFFB CM FFFC ID
10100-10102 BA 1039F BA 103D0 BA 10857 BA 1091F BA 10A50-10A57 BA 10AF0-10AF5 BA
10AF6 IN 10B39-10B3F BA 10EAD BA 11047-11048 BA 110BE-110C1 BA 11140-11143 BA 11175 BB
111C5-111C6 BA 111C8 BA 111DB BB 111DD-111DF BA 11238-11239 BA 1123B-1123C BA 112A9 BA
1144B-1144E BA 1145A-1145B BA 115C1 BB 115C2-115C3 BA 115C4-115C5 EX 115C9-115D7 BA
11641-11642 BA 11660-1166C BB 1173C-1173E BA 11944-11946 BA 119E2 BB 11A3F BB
11A41-11A44 BA 11A45 BB 11A9A-11A9C BA 11A9E-11AA0 BB 11AA1-11AA2 BA 11C41-11C45 BA
11C70 BB 11C71 EX 11FDD-11FE0 PO 11FFF BA 12470-12474 BA 13258-1325A OP1 1325B-1325D CL
13282 CL 13286 OP1 13287 CL 13288 OP1 13289 CL 13379 OP1 1337A-1337B CL 13430-13436 GL
13437 OP1 13438 CL 145CE OP1 145CF CL 16A6E-16A6F BA 16AF5 BA 16B37-16B39 BA 16B44 BA
16E97-16E98 BA 16FE0-16FE3 NS 16FE4 GL 18B00-18CD5 AL 1AFF0-1AFF3 AL 1AFF5-1AFFB AL
1AFFD-1AFFE AL 1B150-1B152 NS 1B164-1B167 NS 1BC9F BA 1BCA0-1BCA3 CM 1D173-1D17A CM
1DA87-1DA8A BA 1E2FF PR 1E95E-1E95F OP1 1ECAC PO 1ECB0 PO 1F000-1F003 ID 1F005-1F02B ID
1F030-1F093 ID 1F0A0-1F0AE ID 1F0B1-1F0BF ID 1F0C1-1F0CE ID 1F0D1-1F0F5 ID
1F10D-1F10F ID 1F16D-1F16F ID 1F18E AL 1F191-1F19A AL 1F1AD ID 1F1E6-1F1FF RI
1F321-1F32C ID 1F336 ID 1F37D ID 1F385 EB 1F394-1F39B ID 1F39E-1F39F ID 1F3B5-1F3B6 AL
1F3BC AL 1F3C2-1F3C4 EB 1F3C7 EB 1F3CA-1F3CC EB 1F3CD-1F3CE ID 1F3D4-1F3DF ID
1F3F1-1F3F3 ID 1F3F5-1F3F7 ID 1F3FB-1F3FF EM 1F43F ID 1F441 ID 1F442-1F443 EB
1F446-1F450 EB 1F466-1F478 EB 1F47C EB 1F481-1F483 EB 1F485-1F487 EB 1F48F EB 1F491 EB
1F4A0 AL 1F4A2 AL 1F4A4 AL 1F4AA EB 1F4AF AL 1F4B1-1F4B2 AL 1F4FD-1F4FE ID
1F500-1F506 AL 1F517-1F524 AL 1F532-1F53D AL 1F54A ID 1F54F ID 1F568-1F573 ID
1F574-1F575 EB 1F576-1F579 ID 1F57A EB 1F57B-1F58F ID 1F590 EB 1F591-1F594 ID
1F595-1F596 EB 1F597-1F5A3 ID 1F5A5-1F5D3 ID 1F5DC-1F5F3 ID 1F5FA ID 1F645-1F647 EB
1F64B-1F64F EB 1F676-1F678 QU 1F679-1F67B NS 1F6A3 EB 1F6B4-1F6B6 EB 1F6C0 EB
1F6C6-1F6CB ID 1F6CC EB 1F6CD-1F6CF ID 1F6D3-1F6D4 ID 1F6E0-1F6EA ID 1F6F0-1F6F3 ID
1F7D5-1F7D8 ID 1F8B0-1F8B1 ID 1F90C EB 1F90F EB 1F918-1F91F EB 1F926 EB 1F930-1F939 EB
1F93B ID 1F93C-1F93E EB 1F946 ID 1F977 EB 1F9B5-1F9B6 EB 1F9B8-1F9B9 EB 1F9BB EB
1F9CD-1F9CF EB 1F9D1-1F9DD EB 1FA60-1FA6D ID 1FAC3-1FAC5 EB 1FAF0-1FAF6 EB E0001 CM
E0020-E007F CM
"""


def _parse_exceptions(text: str) -> tuple[list[int], list[tuple[int, str]]]:
    starts: list[int] = []
    ranges: list[tuple[int, str]] = []
    for first, last, name in re.findall(r"([0-9A-F]+)(?:-([0-9A-F]+))? (\w+)", text):
        starts.append(int(first, 16))
        ranges.append((int(last or first, 16), name))
    return starts, ranges


_STARTS, _RANGES = _parse_exceptions(_EXCEPTIONS_TEXT)


@lru_cache(maxsize=8192)
def line_break_class(ch: str) -> str:
    cp = ord(ch)
    at = bisect_right(_STARTS, cp) - 1
    if at >= 0 and cp <= _RANGES[at][0]:
        return _RANGES[at][1]
    return _derived_class(cp)


@lru_cache(maxsize=4096)
def column_width(ch: str) -> int:
    """Columns ``ch`` takes, as libunistring's ``uc_width`` says in UTF-8 (-1: a control
    character, which takes none)."""
    cp = ord(ch)
    if cp == 0:
        return 0
    if cp < 0x20 or 0x7F <= cp < 0xA0:
        return -1
    if 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF:
        return 0  # conjoining Hangul vowels and finals
    category = unicodedata.category(ch)
    if category in ("Mn", "Me", "Cf"):
        return 1 if cp in (0x0CBF, 0x0CC6, 0x11A07, 0x11A08, 0x11C3F) else 0
    if category == "Cn":  # unassigned: wide only in the ideograph planes
        return 2 if 0x20000 <= cp <= 0x3FFFD else 1
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


@lru_cache(maxsize=4096)
def _columns(ch: str) -> int:
    return max(column_width(ch), 0)


# -- the pair table: may a line break between a character of class x and one of class y? --

_DIRECT, _INDIRECT, _PROHIBITED = "direct", "indirect", "prohibited"  # UAX #14's ÷, %, ^
_CLASSES = (
    "WJ",
    "GL",
    "B2",
    "BA",
    "BB",
    "HY",
    "CL",
    "CP1",
    "CP2",
    "EX",
    "IN",
    "NS",
    "OP1",
    "OP2",
    "QU",
    "IS",
    "NU",
    "PO",
    "PR",
    "SY",
    "AL",
    "H2",
    "H3",
    "ID",
    "ID2",
    "JL",
    "JV",
    "JT",
    "HL",
    "RI",
    "EB",
    "EM",
)
_AH = ("AL", "HL")
_IDS = ("ID", "ID2", "EB", "EM")
_JAMO = ("JL", "JV", "JT", "H2", "H3")
# pairs with no break unless a space comes between (LB19-LB30b, as libunistring 1.0 has
# them: LB16 for CL only, no LB29)
_NO_DIRECT_BREAK = (
    (("SY",), ("HL",)),
    (_AH, ("NU",)),
    (("NU",), _AH),
    (("PR",), _IDS),
    (_IDS, ("PO",)),
    (("PR", "PO"), _AH),
    (_AH, ("PR", "PO")),
    (("CL", "CP1", "CP2", "NU"), ("PO", "PR")),
    (("PO", "PR"), ("OP1", "OP2", "NU")),
    (("HY", "IS", "NU", "SY"), ("NU",)),
    (("JL",), ("JL", "JV", "H2", "H3")),
    (("JV", "H2"), ("JV", "JT")),
    (("JT", "H3"), ("JT",)),
    (_JAMO, ("PO",)),
    (("PR",), _JAMO),
    (_AH, _AH),
    (("AL", "HL", "NU"), ("OP1",)),
    (("CP1",), ("AL", "HL", "NU")),
    (("EB", "ID2"), ("EM",)),
)
_NO_DIRECT = {(x, y) for before, after in _NO_DIRECT_BREAK for x in before for y in after}


def _pair_rule(x: str, y: str) -> str:
    if y in ("WJ", "CL", "CP1", "CP2", "EX", "IS", "SY") or x in ("OP1", "OP2"):
        return _PROHIBITED  # LB11, LB13, LB14
    if (x == "QU" and y in ("OP1", "OP2")) or (x, y) in (("CL", "NS"), ("B2", "B2")):
        return _PROHIBITED  # LB15, LB16, LB17
    if x in ("WJ", "GL", "BB", "QU"):
        return _INDIRECT  # LB11, LB12, LB21, LB19
    if y == "GL":
        return _DIRECT if x in ("BA", "HY") else _INDIRECT  # LB12a
    if y in ("BA", "HY", "NS", "QU", "IN"):
        return _INDIRECT  # LB21, LB19, LB22
    if (x, y) in _NO_DIRECT:
        return _INDIRECT
    return _DIRECT  # LB31


_PAIRS = {(x, y): _pair_rule(x, y) for x in _CLASSES for y in _CLASSES}

_NO, _YES, _MANDATORY = 0, 1, 2


def break_opportunities(text: str) -> list[int]:
    """For each character, whether a line may break before it (libunistring's
    ``u8_possible_linebreaks``)."""
    out: list[int] = []
    prev = last = "BK"  # the class of the previous character; of the last non-space one
    seen_space = False
    regional = 0  # regional indicators just before this point
    for ch in text:
        cls = line_break_class(ch)
        if cls in ("BK", "LF", "CR"):
            out.append(_MANDATORY)
            prev, last, seen_space = cls, "BK", False
        else:
            if cls == "SP":
                out.append(_NO)
                seen_space = True
            elif cls == "ZW":
                out.append(_NO)
                last, seen_space = "ZW", False
            elif cls in ("CM", "ZWJ"):
                if last == "BK":  # a mark at the start of a line: as a letter
                    out.append(_NO)
                    last, seen_space = "AL", False
                elif last == "ZW" or seen_space:
                    out.append(_YES)
                    last, seen_space = "AL", False
                else:  # a mark belongs to what it follows
                    out.append(_NO)
            else:
                if last == "BK":
                    out.append(_NO)
                elif last == "ZW":
                    out.append(_YES)
                elif prev in ("ZWJ", _HL_BA):
                    out.append(_NO)
                elif last == "RI" and cls == "RI":
                    out.append(_YES if seen_space or regional % 2 == 0 else _NO)
                else:
                    rule = _PAIRS[last, cls]
                    direct = rule == _DIRECT or (rule == _INDIRECT and seen_space)
                    out.append(_YES if direct else _NO)
                last, seen_space = cls, False
            prev = _HL_BA if prev == "HL" and cls in ("HY", "BA") else cls
        regional = regional + 1 if cls == "RI" else 0
    return out


def line_breaks(text: str, forbidden: Sequence[bool], width: int, start: int) -> list[bool]:
    """Where to break ``text`` so that no line passes ``width`` columns, the first line
    starting at column ``start`` (libunistring's ``u8_width_linebreaks``): at the last
    opportunity before a piece that would not fit. ``forbidden[i]``: never before i."""
    breaks = [False] * len(text)
    # a line that fits needs no break (the common case: a title, a table cell); no
    # character takes more than two columns
    if start + 2 * len(text) <= width or start + sum(map(_columns, text)) <= width:
        return breaks
    opportunities = break_opportunities(text)
    last_break: int | None = None  # the opportunity that starts the current piece
    column, piece = start, 0
    for i, ch in enumerate(text):
        kind = _NO if forbidden[i] else opportunities[i]
        if kind != _NO and last_break is not None and column + piece > width:
            breaks[last_break] = True
            column = 0
        if kind == _MANDATORY:
            last_break, column, piece = None, 0, 0
            continue
        if kind == _YES:
            last_break, column, piece = i, column + piece, 0
        piece += _columns(ch)
    if last_break is not None and column + piece > width:
        breaks[last_break] = True
    return breaks
