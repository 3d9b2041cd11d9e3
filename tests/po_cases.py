"""Catalogs full of what is hard to lay out as GNU gettext does: long Chinese texts with and
without spaces, tags, escapes, long words and URLs, full-width punctuation, format
directives, contexts, flags, comments, obsolete entries and previous msgids."""

from __future__ import annotations

import random

from babel.messages.catalog import Message

from translator.catalogs.catalog import PostCatalog
from translator.catalogs.po import new_catalog
from translator.catalogs.provenance import EXTRACT_OPTIONS, SOURCE_HASH, SOURCE_PATH

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
KANA = "あいうえおかきくけこっゃゅょアイウエオカキクケコッャュョー"
CJK_PUNCT = "，。、；：？！「」『』（）《》〈〉【】〔〕…—～·“”‘’"
WORDS = [
    "OpenStack",
    "Keynote",
    "Private",
    "Cloud",
    "K8S",
    "Ebay",
    "the",
    "of",
    "and",
    "to",
    "cloud",
    "native",
    "database",
    "CockroachDB",
    "Kubernetes",
    "node",
    "cluster",
    "realtime",
    "hybrid",
    "530",
    "applications",
    "42%",
    "in",
    "v2.3.1",
    "2017-05-09",
    "e.g.",
    "i.e.",
    "(see)",
    "[1]",
    "{x}",
    "a/b",
    "C++",
    "C#",
    ".NET",
    "node.js",
    "foo_bar",
    "--",
    "-",
    "—",
    "Hello,",
    "world!",
    "Why?",
    "Yes:",
    "no;",
    "3.14",
    "$5",
    "€10",
    "100%",
    "50%off",
]
URLS = [
    "https://docs.openstack.org/project-install-guide/baremetal/ocata/configure-glance-swift.html",
    "http://example.com/a/very/long/path/without/any/spaces/at/all/that/goes/on/and/on/index.html?q=1&r=2",
    "supercalifragilisticexpialidocious" * 3,
    "/var/lib/docker/overlay2/3f9a1e0c2b7d4e8f9a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f/merged",
    "a" * 90,
    "中" * 50,
]
ESCAPES = ['"', "\\", "\n", "\t", '\\"', '"\\', "\\n", "\r"]
ODD = [
    "\u00a0",  # no-break space
    "\u200b",  # zero width space
    "\u2060",  # word joiner
    "\u0301",  # combining acute
    "e\u0301",
    "\u200d",
    "👍🏻",
    "🇨🇳",
    "한국어",
    "각",
    "עברית-טקסט",
    "Ελληνικά",
    "Русский",
    "ไทย",
    "\u3000",
    "\u2028",
    "\u0085",
    "\x01",
    "％",
    "＄",
    "１２３",
    "ｱｲｳ",
    "%s",
    "%(name)s",
    "%-5.2f",
    "%%",
    "%(未闭合",
    "{name}",
    "{0:>10}",
    "{{literal}}",
    "{a.b[0]:{width}}",
    "{bad",
]


def _piece(rnd: random.Random) -> str:
    kind = rnd.random()
    if kind < 0.35:
        return "".join(rnd.choice(HAN) for _ in range(rnd.randint(1, 40)))
    if kind < 0.5:
        return rnd.choice(CJK_PUNCT)
    if kind < 0.65:
        return rnd.choice(WORDS) + rnd.choice([" ", " ", "", "  "])
    if kind < 0.72:
        n = rnd.randint(1, 12)
        return rnd.choice([f"<x{n}/>", f"<x{n}>", f"</x{n}>"])
    if kind < 0.78:
        return rnd.choice(ESCAPES)
    if kind < 0.84:
        return rnd.choice(ODD)
    if kind < 0.88:
        return rnd.choice(URLS)
    if kind < 0.93:
        return "".join(rnd.choice(KANA) for _ in range(rnd.randint(1, 10)))
    return " " * rnd.randint(1, 3)


def text(rnd: random.Random, size: int | None = None) -> str:
    size = rnd.choice([0, 1, 2, 3, 5, 8, 15, 30]) if size is None else size
    return "".join(_piece(rnd) for _ in range(size))


def hard_catalog(seed: int, entries: int = 60) -> PostCatalog:
    """A catalog of ``entries`` random hard entries (and some obsolete ones)."""
    rnd = random.Random(seed)
    source = rnd.choice(
        [
            "content/_posts/2017-05-09-openstack-boston-summit.md",
            "content/_posts/" + "very-long-post-name-" * rnd.randint(1, 4) + "x.md",
            "posts/带空格的名字.md",
        ]
    )
    catalog = new_catalog(
        rnd.choice(["en", "ja", "zh_TW", "de"]), rnd.choice(["p", "博客"]), source
    )
    catalog.extra_headers = {SOURCE_PATH: source, SOURCE_HASH: "sha256:" + "0123456789abcdef" * 4}
    if rnd.random() < 0.5:
        catalog.extra_headers[EXTRACT_OPTIONS] = "sha256:a1e928d2a4e19691"
    seen: set[tuple[str | None, str]] = set()
    for index in range(entries + entries // 4):
        msgid = text(rnd) or f"{index}"
        context = rnd.choice([None] * 6 + ["title", "front matter: title", "标题", text(rnd, 2)])
        if (context, msgid) in seen or (context is None and msgid == ""):
            continue
        seen.add((context, msgid))
        translated = rnd.random() < 0.7
        string = _translation(rnd, msgid) if translated else ""
        message = Message(
            msgid,
            string,
            locations=[
                (source, rnd.randint(1, 2000)) for _ in range(rnd.choice([0, 1, 1, 1, 2, 5, 12]))
            ],
            auto_comments=[rnd.choice(["paragraph", "heading", "list item", "table cell"])]
            + ([f"<x1/> = code: {text(rnd, 3)[:60]}"] if rnd.random() < 0.3 else []),
            user_comments=rnd.choice(
                [
                    [],
                    ["translated-by: pseudo 1a2b3c4d"],
                    ["translated-by: local 0f0f0f0f", "not published: tag <x1/> lost"],
                    ["", "a reviewer's note: 「注意」"],
                ]
            ),
            context=context,
        )
        if rnd.random() < 0.3:
            message.flags.add("fuzzy")
            if rnd.random() < 0.6:
                message.previous_id = [text(rnd) or "old"]
        if rnd.random() < 0.05:
            message.flags.add("no-wrap")
        if index < entries:
            catalog[msgid] = message
        elif translated:
            message.locations = []
            message.auto_comments = []
            catalog.obsolete[(msgid, context) if context else msgid] = message
    return catalog


def _translation(rnd: random.Random, msgid: str) -> str:
    """A translation that keeps the msgid's format directives and leading/trailing new
    lines (what ``msgfmt --check`` asks of one)."""
    if msgid.strip("\n") == "":
        return msgid or "x"
    head = "\n" if msgid.startswith("\n") else ""
    tail = "\n" if msgid.endswith("\n") and len(msgid) > 1 else ""
    body = msgid[len(head) : len(msgid) - len(tail)] if len(msgid) > len(head) else ""
    return head + text(rnd, 2).replace("%", "").replace("{", "").replace("\n", " ") + body + tail
