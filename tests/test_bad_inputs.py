"""The bad-input folder: each case fails cleanly (one ``path:line: message`` line, a
non-zero exit), loses nothing, and does not stop the other posts of the run."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from translator.cli import main

from .conftest import FIXTURES, REPO

BAD = FIXTURES / "bad"
CASES = tomllib.loads((BAD / "cases.toml").read_text("utf-8"))
SEED = "content/_posts/2017-05-09-openstack-boston-summit.md"
SEED_PO = "locales/en/2017-05-09-openstack-boston-summit.po"
SEED_OUT = "content/en/_posts/2017-05-09-openstack-boston-summit.md"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("name", sorted(CASES["posts"]))
@pytest.mark.parametrize("command", ["extract", "translate", "check"])
def test_bad_post_fails_cleanly_and_others_complete(
    name: str, command: str, demo_site: Path, chdir, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES["posts"][name]
    chdir(demo_site)
    shutil.copy(BAD / "posts" / name, demo_site / "content" / "_posts" / name)
    (demo_site / SEED_OUT).unlink(missing_ok=True)
    before = _snapshot(demo_site)
    code = main([command, "content", "--to", "en"])
    err = capsys.readouterr().err.strip().split("\n")
    assert code == 2
    assert err[0] == f"content/_posts/{name}:{case['line']}: " + err[0].split(": ", 1)[1]
    assert case["message"] in err[0]
    assert len([line for line in err if name in line]) == 1
    stem = Path(name).stem
    assert not (demo_site / f"locales/en/{stem}.po").exists()
    assert not (demo_site / f"content/en/_posts/{name}").exists()
    if command == "translate":
        assert (demo_site / SEED_OUT).is_file(), "the good post must still be built"
    if command == "check":
        assert _snapshot(demo_site) == before, "check writes nothing"


def _damage(po: Path, case: dict[str, Any]) -> None:
    data = po.read_bytes()
    if "replace" in case:
        old, new = case["replace"]
        assert old.encode() in data
        data = data.replace(old.encode(), new.encode(), 1)
    if "append" in case:
        data += str(case["append"]).encode()
    if "append_bytes" in case:
        data += bytes(case["append_bytes"])
    po.write_bytes(data)


@pytest.mark.parametrize("name", sorted(CASES["catalogs"]))
@pytest.mark.parametrize("command", ["extract", "build", "translate", "check"])
def test_damaged_catalog_is_reported_and_never_overwritten(
    name: str, command: str, demo_site: Path, chdir, capsys: pytest.CaptureFixture[str]
) -> None:
    chdir(demo_site)
    assert main(["extract", "content", "--to", "en"]) == 0
    po = demo_site / SEED_PO
    _damage(po, CASES["catalogs"][name])
    damaged = po.read_bytes()
    output_before = (demo_site / SEED_OUT).read_bytes() if (demo_site / SEED_OUT).exists() else None
    capsys.readouterr()
    code = main([command, "content", "--to", "en"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith(f"{SEED_PO}:")
    line = err.split(":")[1]
    assert line.isdigit()
    assert CASES["catalogs"][name]["message"] in err
    assert po.read_bytes() == damaged, "a damaged catalog is never rewritten"
    after = (demo_site / SEED_OUT).read_bytes() if (demo_site / SEED_OUT).exists() else None
    assert after == output_before, "no post is built from a damaged catalog"


@pytest.mark.parametrize("name", sorted(p.name for p in (BAD / "config").glob("*.toml")))
def test_bad_config_names_the_file(
    name: str, demo_site: Path, chdir, capsys: pytest.CaptureFixture[str]
) -> None:
    chdir(demo_site)
    shutil.copy(BAD / "config" / name, demo_site / "translator.toml")
    code = main(["extract", "content", "--to", "en"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("translator.toml:") or err.startswith(str(demo_site / "translator.toml"))
    assert "\n" not in err


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            'output = "../../../{stem}.{locale}.md"',
            "translator.toml:1: output escapes the site root",
        ),
        ('catalog = "/tmp/{locale}-{name}.po"', "translator.toml:1: catalog escapes the site root"),
        ('locales_dir = "../locales"', "translator.toml:1: locales_dir escapes the site root"),
    ],
)
def test_a_setting_that_leads_outside_the_site_is_refused_before_anything_is_done(
    setting: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "a" / "b" / "site"
    shutil.copytree(REPO / "content", site / "content")
    (site / "translator.toml").write_text(setting + "\n")
    before = sorted(tmp_path.rglob("*"))
    assert main(["translate", "--root", str(site), str(site / "content"), "--to", "en"]) == 2
    assert capsys.readouterr().err.strip().endswith(message)
    assert sorted(tmp_path.rglob("*")) == before, "nothing written, inside the site or out"


def test_a_symlink_that_leads_outside_the_site_is_not_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.rmtree(site / "content" / "en")
    (site / "content" / "en").symlink_to(outside)  # where the English posts go
    code = main(["translate", "--root", str(site), str(site / "content"), "--to", "en"])
    assert code == 2
    assert "would write outside the site root" in capsys.readouterr().err
    assert list(outside.iterdir()) == [], "nothing written through the link"
    assert (site / "locales" / "en").is_dir(), "the catalogs inside the site are written"
