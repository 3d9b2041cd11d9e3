"""Translations survive source edits; reviewers' work is never lost; policies decide what
is published."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po, write_po

from translator.catalogs.states import State, origin_of, state_of
from translator.cli import main

from .conftest import CORPUS

SEED = CORPUS / "seed-2017-05-09-openstack-boston-summit.md"


def _human(msgid: str) -> str:
    """What a reviewer writes: English with every tag kept."""
    return f"[en] {msgid}"


class Site:
    def __init__(self, root: Path, source: Path, name: str = "post.md") -> None:
        self.root = root
        self.post = root / "content" / name
        self.post.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, self.post)
        self.po_path = root / "locales" / "en" / f"{Path(name).stem}.po"

    def edit(self, old: str, new: str) -> None:
        text = self.post.read_text("utf-8")
        assert text.count(old) == 1, old
        self.post.write_text(text.replace(old, new), "utf-8")

    def extract(self) -> polib.POFile:
        assert main(["extract", "--to", "en", "--root", str(self.root), str(self.post)]) == 0
        return polib.pofile(str(self.po_path))

    def review_all(self, translate: Callable[[str], str] = _human) -> dict[str, str]:
        po = polib.pofile(str(self.po_path))
        done = {}
        for entry in po:
            if not entry.obsolete and not entry.msgstr:
                entry.msgstr = translate(entry.msgid)
                done[entry.msgid] = entry.msgstr
        po.save()
        return done


def _states(po: polib.POFile) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"translated": [], "fuzzy": [], "untranslated": [], "obsolete": []}
    for entry in po:
        if entry.obsolete:
            out["obsolete"].append(entry.msgid)
        elif "fuzzy" in entry.flags:
            out["fuzzy"].append(entry.msgid)
        elif entry.msgstr:
            out["translated"].append(entry.msgid)
        else:
            out["untranslated"].append(entry.msgid)
    return {state: sorted(ids) for state, ids in out.items()}  # order follows the post


def _nothing_lost(po: polib.POFile, human: dict[str, str]) -> None:
    kept = {e.msgstr for e in po}
    assert set(human.values()) <= kept, set(human.values()) - kept


def test_edit_history_of_the_seed_post(tmp_path: Path) -> None:
    site = Site(tmp_path, SEED)
    total = len(site.extract())
    human = site.review_all()

    # a typo fix: the entry keeps its translation, fuzzy, with the old text to compare
    site.edit("还说了一写关于安全的", "还说了一些关于安全的")
    po = site.extract()
    states = _states(po)
    assert len(states["fuzzy"]) == 1 and "一些关于安全的" in states["fuzzy"][0]
    fuzzy = po.find(states["fuzzy"][0])
    assert fuzzy is not None and "一写关于安全的" in (fuzzy.previous_msgid or "")
    assert len(states["translated"]) == total - 1 and states["obsolete"] == []
    _nothing_lost(po, human)

    # a paragraph moved: nothing changes
    site.edit("\n希望下次可以温哥华见", "")
    site.edit(
        "## OpenStack Boston Summit Day2 Keynote\n",
        "希望下次可以温哥华见\n\n## OpenStack Boston Summit Day2 Keynote\n",
    )
    po = site.extract()
    assert _states(po) == states

    # lines re-wrapped (a break between two Han characters): nothing changes
    site.edit(
        "这次的峰会主题重点从周一上午的Keynote中就可以看出，",
        "这次的峰会主题重点从周一上午的Keynote中就可以看\n出，",
    )
    po = site.extract()
    assert _states(po) == states

    # a paragraph deleted becomes obsolete, with its translation; restored, it is back
    site.edit("下面是本次峰会的主要赞助商\n\n", "")
    po = site.extract()
    assert _states(po)["obsolete"] == ["下面是本次峰会的主要赞助商"]
    assert po.obsolete_entries()[0].msgstr == human["下面是本次峰会的主要赞助商"]
    _nothing_lost(po, human)
    site.edit(
        "![image](/images/openstack_boston_summit/3.png)",
        "下面是本次峰会的主要赞助商\n\n![image](/images/openstack_boston_summit/3.png)",
    )
    po = site.extract()
    assert _states(po) == states

    # a heading renamed
    site.edit("## Keynote简述", "## Keynote概述")
    po = site.extract()
    renamed = po.find("Keynote概述")
    assert (
        renamed is not None and "fuzzy" in renamed.flags and renamed.previous_msgid == "Keynote简述"
    )
    assert renamed.msgstr == human["Keynote简述"]

    # the front-matter title edited: description (same old text) stays translated
    site.edit("title: OpenStack Boston Summit直击", "title: OpenStack Boston Summit现场直击")
    po = site.extract()
    title = po.find("OpenStack Boston Summit现场直击")
    description = po.find("OpenStack Boston Summit直击")
    assert (
        title is not None
        and "fuzzy" in title.flags
        and title.previous_msgid == "OpenStack Boston Summit直击"
    )
    assert description is not None and "fuzzy" not in description.flags and description.msgstr

    # a negation added: a cheap meaning flip is still fuzzy, never silently kept
    site.edit("希望下次可以温哥华见", "希望下次不可以温哥华见")
    po = site.extract()
    flipped = po.find("希望下次不可以温哥华见")
    assert (
        flipped is not None
        and "fuzzy" in flipped.flags
        and flipped.previous_msgid == "希望下次可以温哥华见"
    )

    states = _states(po)
    assert len(states["fuzzy"]) == 4 and states["obsolete"] == [] and states["untranslated"] == []
    _nothing_lost(po, human)
    # and obsolete entries go only when asked
    site.edit("希望下次不可以温哥华见\n\n", "")
    po = site.extract()
    assert len(_states(po)["obsolete"]) == 1
    assert (
        main(["extract", "--to", "en", "--root", str(tmp_path), str(site.post), "--purge-obsolete"])
        == 0
    )
    assert _states(polib.pofile(str(site.po_path)))["obsolete"] == []


@pytest.mark.parametrize("post", sorted(p.name for p in CORPUS.glob("20*.md")))
def test_edit_history_over_the_corpus(post: str, tmp_path: Path) -> None:
    site = Site(tmp_path, CORPUS / post, post)
    po = site.extract()
    human = site.review_all()
    entries = len([e for e in po if not e.obsolete])
    text = site.post.read_text("utf-8")
    # re-wrap every paragraph line that ends between two Han characters: no change
    body_at = text.index("\n---\n", 4) + 5
    head, body = text[:body_at], text[body_at:]
    site.post.write_text(head + body.replace("，", "，\n", 1) if "，" in body else text, "utf-8")
    po = site.extract()
    assert len(_states(po)["translated"]) == entries
    # edit the first heading that holds Chinese: exactly that entry goes fuzzy
    heading = next(
        line
        for line in body.split("\n")
        if line.startswith("#") and any("\u4e00" <= c <= "\u9fff" for c in line)
    )
    site.edit(heading + "\n", heading + "（修订）\n")
    po = site.extract()
    states = _states(po)
    assert len(states["fuzzy"]) == 1 and states["fuzzy"][0].endswith("（修订）")
    assert len(states["translated"]) == entries - 1
    _nothing_lost(po, human)


def _translate(root: Path, *args: str) -> int:
    return main(["translate", "--to", "en", "--root", str(root), str(root / "content"), *args])


def test_backends_never_overwrite_a_person_and_redo_their_own_stale_work(tmp_path: Path) -> None:
    site = Site(tmp_path, CORPUS / "2022-01-15-yunnan-travel.md")
    assert _translate(tmp_path, "--backend", "pseudo") == 0
    po = polib.pofile(str(site.po_path))
    person = po.find("第一天：抵达大理")
    assert person is not None
    person.msgstr = "Day 1: arriving in Dali"
    person.flags.remove("fuzzy")  # the reviewer approves their own text
    po.save()
    site.edit("## 第一天：抵达大理", "## 第一天：到达大理")  # the person's entry goes stale
    site.edit("## 第三天：丽江古城", "## 第三天：丽江的古城")  # a machine's entry goes stale
    assert _translate(tmp_path, "--backend", "pseudo") == 0
    po = polib.pofile(str(site.po_path))
    mine = po.find("第一天：到达大理")
    assert mine is not None and mine.msgstr == "Day 1: arriving in Dali" and "fuzzy" in mine.flags
    machine = po.find("第三天：丽江的古城")
    assert (
        machine is not None
        and machine.msgstr == "⟦第三天：丽江的古城⟧"
        and not machine.previous_msgid
    )


def test_who_translated_what_survives_other_po_tools(tmp_path: Path) -> None:
    site = Site(tmp_path, SEED)
    assert _translate(tmp_path, "--backend", "pseudo") == 0
    with site.po_path.open("rb") as f:
        catalog = read_po(f)
    with site.po_path.open("wb") as f:
        write_po(f, catalog, width=79, include_previous=True)  # as another Babel-based tool would
    polib.pofile(str(site.po_path)).save()  # and as polib (Poedit's format) would
    with site.po_path.open("rb") as f:
        catalog = read_po(f)
    message = catalog.get("Keynote会场")
    assert (
        message is not None
        and origin_of(message) == "pseudo"
        and state_of(message) is State.MACHINE
    )
    # a person who edits the machine's text becomes its author, even before approving it
    message.string = "The keynote hall"
    assert origin_of(message) is None and state_of(message) is State.STALE
    message.flags.discard("fuzzy")
    assert state_of(message) is State.REVIEWED


def test_policies_decide_what_is_published(tmp_path: Path) -> None:
    site = Site(tmp_path, SEED)
    assert _translate(tmp_path, "--backend", "pseudo") == 0
    po = polib.pofile(str(site.po_path))
    approved = po.find("Keynote会场")
    assert approved is not None
    approved.msgstr = "The keynote hall"
    approved.flags.remove("fuzzy")
    po.save()
    out = tmp_path / "content" / "post.en.md"

    assert _translate(tmp_path) == 0  # default policy: machine
    machine = out.read_text("utf-8")
    assert "The keynote hall" in machine and "⟦下面是本次峰会的主要赞助商⟧" in machine

    (tmp_path / "translator.toml").write_text('policies = { en = "reviewed" }\n')
    assert _translate(tmp_path) == 0
    reviewed = out.read_text("utf-8")
    assert "The keynote hall" in reviewed and "⟦" not in reviewed
    assert "下面是本次峰会的主要赞助商" in reviewed

    # a stale translation is shown under machine, hidden under reviewed, and never lost
    (tmp_path / "translator.toml").write_text('policy = "machine"\n')
    site.edit("Keynote会场", "Keynote主会场")
    assert _translate(tmp_path) == 0
    assert "The keynote hall" in out.read_text("utf-8")
    (tmp_path / "translator.toml").write_text('policy = "machine"\nshow_stale = false\n')
    assert main(["build", "--to", "en", "--root", str(tmp_path), str(tmp_path / "content")]) == 0
    assert "Keynote主会场" in out.read_text("utf-8")
    stale = polib.pofile(str(site.po_path)).find("Keynote主会场")
    assert stale is not None and stale.msgstr == "The keynote hall"


def test_reviewer_edits_are_checked_before_they_are_published(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = Site(tmp_path, CORPUS / "2019-03-12-docker-network.md")
    site.extract()
    po = polib.pofile(str(site.po_path))
    cases = {
        "问题的现象是这样的：": ("This is what happened:", None),
        "各模式的主要区别如下表所示：": (
            "The **main differences are below:",
            "unbalanced emphasis: ** left as text",
        ),
        "二、一次排错经历": ("2. A troubleshooting story <x1/>", "tag <x1/> is not in the source"),
        "三、总结": ("3. 总结", "Chinese left in the translation: 总结"),
        "中": ("<b>medium</b>", "HTML that is not in the source: <b>"),
        "性能": ("[Performance] (perf)", "broken link syntax: a space between ] and ("),
    }
    for msgid, (msgstr, _why) in cases.items():
        entry = po.find(msgid)
        assert entry is not None, msgid
        entry.msgstr = msgstr
    po.save()
    capsys.readouterr()
    assert main(["build", "--to", "en", "--root", str(tmp_path), str(site.post)]) == 1
    err = capsys.readouterr().err.strip().split("\n")
    lines = site.po_path.read_text("utf-8").split("\n")
    published = (tmp_path / "content" / "post.en.md").read_text("utf-8")
    assert "This is what happened:" in published
    for msgid, (msgstr, why) in cases.items():
        if why is None:
            continue
        line = next(i for i, text in enumerate(lines, 1) if text == f'msgid "{msgid}"')
        shown = f'{site.po_path.relative_to(tmp_path).as_posix()}:{line}: entry "{msgid}": {why}; the source text is used'
        assert any(e.endswith(shown) for e in err), (shown, err)
        assert msgstr not in published
    assert len(err) == 5


def test_the_review_backend_leaves_units_to_people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = Site(tmp_path, SEED)
    assert _translate(tmp_path, "--backend", "review") == 0
    po = polib.pofile(str(site.po_path))
    assert all(not e.msgstr for e in po)
    capsys.readouterr()
    assert (
        main(
            [
                "status",
                "--to",
                "en",
                "--root",
                str(tmp_path),
                "--waiting",
                str(tmp_path / "content"),
            ]
        )
        == 0
    )
    listing = capsys.readouterr().out
    assert "locales/en/post.po:" in listing and ": untranslated: 希望下次可以温哥华见" in listing
    # with drafts from another backend, pre-filled and fuzzy; published only once approved
    (tmp_path / "translator.toml").write_text(
        'policy = "reviewed"\nbackend = "review"\n[backends.review]\nsuggest = "pseudo"\n'
    )
    assert _translate(tmp_path) == 0
    po = polib.pofile(str(site.po_path))
    draft = po.find("希望下次可以温哥华见")
    assert draft is not None and draft.msgstr == "⟦希望下次可以温哥华见⟧" and "fuzzy" in draft.flags
    assert "review draft by pseudo" in draft.tcomment
    out = tmp_path / "content" / "post.en.md"
    assert "⟦" not in out.read_text("utf-8")
    draft.msgstr = "See you in Vancouver next time"
    draft.flags.remove("fuzzy")
    po.save()
    assert main(["build", "--to", "en", "--root", str(tmp_path), str(tmp_path / "content")]) == 0
    assert "See you in Vancouver next time" in out.read_text("utf-8")
    capsys.readouterr()
    assert (
        main(["status", "--json", "--to", "en", "--root", str(tmp_path), str(tmp_path / "content")])
        == 0
    )
    import json

    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["entries"]["reviewed"] == 1 and rows[0]["entries"]["machine"] == len(
        rows[0]["waiting"]
    )


def test_export_to_xliff_and_import_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import xml.etree.ElementTree as ET

    site = Site(tmp_path, CORPUS / "2019-03-12-docker-network.md")
    assert _translate(tmp_path) == 0
    xlf = tmp_path / "pending.xlf"
    base = ["--root", str(tmp_path)]
    assert main(["export", "--to", "en", "-o", str(xlf), *base, str(tmp_path / "content")]) == 0
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    tree = ET.parse(xlf)
    units = tree.getroot().findall(".//x:trans-unit", ns)
    assert len(units) == len(polib.pofile(str(site.po_path)))
    file = tree.getroot().find("x:file", ns)
    assert (
        file is not None
        and file.get("original") == "locales/en/post.po"
        and file.get("target-language") == "en"
    )

    def unit(source_start: str) -> ET.Element:
        for u in units:
            source = u.find("x:source", ns)
            assert source is not None
            if (source.text or "").startswith(source_start):
                return u
        raise AssertionError(source_start)

    # a CAT tool fills targets, keeping the inline codes
    link = unit("使用 ")  # 使用 <x id="1"/> 启动的容器…详见<g id="2">官方文档</g>。
    assert link.find("x:source/x:x", ns) is not None and link.find("x:source/x:g", ns) is not None

    def target_of(unit: ET.Element, state: str) -> ET.Element:
        """The unit's target, emptied, as a CAT tool about to fill it."""
        target = unit.find("x:target", ns)
        assert target is not None, "every unit is exported with its target and state"
        target.clear()
        target.set("state", state)
        return target

    target = target_of(link, "translated")
    link.attrib.pop("approved")  # a tool that does not mark approval: 'translated' is taken
    target.text = "Containers started with "
    code = ET.SubElement(target, "{urn:oasis:names:tc:xliff:document:1.2}x", {"id": "1"})
    code.tail = " share the host's network stack. See "
    g = ET.SubElement(target, "{urn:oasis:names:tc:xliff:document:1.2}g", {"id": "2"})
    g.text = "the docs"
    g.tail = "."
    draft = unit("问题的现象是这样的")
    target_of(draft, "needs-review-translation").text = "What happened:"
    broken = unit("Docker 安装完成后")
    target_of(broken, "final").text = "Docker makes three networks."
    tree.write(xlf, encoding="utf-8", xml_declaration=True)

    capsys.readouterr()
    assert main(["import", str(xlf), *base]) == 1
    captured = capsys.readouterr()
    assert "locales/en/post.po: 2 entries updated" in captured.out
    assert "tag <x1/> is missing" in captured.err
    po = polib.pofile(str(site.po_path))
    done = next(e for e in po if e.msgid.startswith("使用 "))
    assert (
        done.msgstr
        == "Containers started with <x1/> share the host's network stack. See <x2>the docs</x2>."
        and "fuzzy" not in done.flags
    )
    pending = po.find("问题的现象是这样的：")
    assert pending is not None and pending.msgstr == "What happened:" and "fuzzy" in pending.flags
    assert main(["build", "--to", "en", *base, str(tmp_path / "content")]) == 0
    out = (tmp_path / "content" / "post.en.md").read_text("utf-8")
    assert (
        'Containers started with `--network host` share the host\'s network stack. See [the docs](https://docs.docker.com/network/host/ "Host networking").'
        in out
    )


def test_translation_memory_exact_and_fuzzy(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("## 安装步骤\n\n容器启动时会创建一对虚拟网卡。\n")
    (content / "b.md").write_text("## 安装步骤\n\n容器启动时会创建两对虚拟网卡。\n")
    assert main(["extract", "--to", "en", "--root", str(tmp_path), str(content / "a.md")]) == 0
    po = polib.pofile(str(tmp_path / "locales/en/a.po"))
    for entry in po:
        entry.msgstr = {
            "安装步骤": "Installation",
            "容器启动时会创建一对虚拟网卡。": "A started container gets a pair of virtual NICs.",
        }[entry.msgid]
    po.save()
    (tmp_path / "translator.toml").write_text("[backends.tm]\nfuzzy = 0.8\n")
    assert _translate(tmp_path) == 0
    b = polib.pofile(str(tmp_path / "locales/en/b.po"))
    exact = b.find("安装步骤")
    assert exact is not None and exact.msgstr == "Installation" and "fuzzy" not in exact.flags
    assert "translated-by: tm: locales/en/a.po" in exact.tcomment
    near = b.find("容器启动时会创建两对虚拟网卡。")
    assert near is not None and "fuzzy" in near.flags and "fuzzy match 93%" in near.tcomment
    assert state_of(_babel(tmp_path / "locales/en/b.po", near.msgid)) is State.SUGGESTED
    out = (content / "b.en.md").read_text("utf-8")
    assert "## Installation" in out and "容器启动时会创建两对虚拟网卡。" in out, (
        "a fuzzy match is never published"
    )


def _babel(path: Path, msgid: str) -> Message:
    with path.open("rb") as f:
        message = read_po(f).get(msgid)
    assert message is not None
    return message


def test_xliff_carries_the_review_state_through_translate_toolkit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exported, converted to PO and back by Translate Toolkit (xliff2po, po2xliff), edited
    on the way as a reviewer would, imported: approvals survive, and so do the rest."""
    import re
    import subprocess
    import xml.etree.ElementTree as ET

    tools = [shutil.which(t) for t in ("xliff2po", "po2xliff", "pocount")]
    if not all(tools):
        pytest.skip("Translate Toolkit is not installed (apt-get install translate-toolkit)")
    site = Site(tmp_path, CORPUS / "2019-03-12-docker-network.md")
    assert _translate(tmp_path, "--backend", "pseudo") == 0  # every unit a machine's
    po = polib.pofile(str(site.po_path))
    approved = next(e for e in po if e.msgid.startswith("问题的现象是这样的"))
    approved.flags.remove("fuzzy")  # a person approved this one
    po.save()
    xlf, converted, back = (tmp_path / n for n in ("out.xlf", "review.po", "back.xlf"))
    base = ["--root", str(tmp_path)]
    assert main(["export", "--to", "en", "--all", "-o", str(xlf), *base]) == 0
    root = ET.parse(xlf).getroot()
    states = {
        (u.get("approved"), t.get("state"), t.get("state-qualifier"))
        for u in root.iter("{urn:oasis:names:tc:xliff:document:1.2}trans-unit")
        for t in u.iter("{urn:oasis:names:tc:xliff:document:1.2}target")
    }
    assert states == {("yes", "final", None), ("no", "needs-review-translation", "leveraged-mt")}
    count = subprocess.run(["pocount", str(xlf)], capture_output=True, text=True, check=True)
    assert re.search(r"Translated:\s+1 ", count.stdout), "pocount reads the export"
    subprocess.run(["xliff2po", str(xlf), str(converted)], capture_output=True, check=True)
    review = polib.pofile(str(converted))
    assert [e.msgid for e in review if "fuzzy" not in e.flags] == [approved.msgid]
    edited = next(e for e in review if e.msgid.startswith("各模式的主要区别"))
    edited.msgstr, edited.flags = "How the modes differ:", []
    review.save()
    subprocess.run(["po2xliff", str(converted), str(back)], capture_output=True, check=True)
    capsys.readouterr()
    assert main(["import", str(back), "--to", "en", *base]) == 0
    assert "locales/en/post.po: 1 entries updated" in capsys.readouterr().out
    # xliff2po drops inline codes: units whose text is otherwise the same keep their
    # tags; one a reviewer rewrote without its tag would be refused (tested elsewhere)
    after = polib.pofile(str(site.po_path))
    for entry in after:
        if entry.msgid in (approved.msgid, edited.msgid):
            assert "fuzzy" not in entry.flags, "approved, and still approved"
        else:
            assert "fuzzy" in entry.flags and "translated-by: pseudo" in entry.tcomment
    assert after.find(edited.msgid).msgstr == edited.msgstr
