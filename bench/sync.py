"""Sync benchmark: a site of generated posts (built from the corpus) in three locales.

    python bench/sync.py [--posts 2000] [--locales en,ja,fr] [--keep DIR]

Times whole commands: the first extract and build, then a no-op extract and check (the
targets: under 2 s for the whole site), then the same after editing 1 % of the posts
(the cost should follow the posts changed, not the site); then 1 % of the catalogs saved
by PO editors (msgcat, polib, Babel) and extracted again: files changed (goal 0).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py must not shadow the standard library's ``queue`` for this script
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import os
import random
import shutil
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.queue import script  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def generate(site: Path, count: int) -> list[Path]:
    """``count`` posts: corpus posts with a numbered title and a numbered sentence."""
    sources = sorted(CORPUS.glob("*.md"))
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    made = []
    for i in range(count):
        text = sources[i % len(sources)].read_text("utf-8")
        head, sep, body = text.partition("\n---\n")
        head = head.replace("title: ", f"title: 第{i}篇 ", 1) if "title: " in head else head
        path = posts / f"post-{i:05d}.md"
        path.write_text(f"{head}{sep}这是第 {i} 篇生成的文章。\n\n{body}", "utf-8")
        made.append(path)
    return made


def editor_saves(site: Path, locale: str, count: int) -> dict[Path, bytes]:
    """Save ``count`` catalogs the way PO editors do, changing no translation: GNU
    ``msgcat`` (Lokalize, Weblate's gettext writer), polib, Babel's writer. Returns what each
    file holds after the save."""
    import babel.messages.pofile as pofile
    import polib

    catalogs = sorted((site / "locales" / locale).glob("*.po"))[:count]
    saved = {}
    for i, path in enumerate(catalogs):
        if i % 3 == 0 and shutil.which("msgcat"):
            subprocess.run(["msgcat", "-o", str(path), str(path)], check=True)
        elif i % 3 == 1:
            polib.pofile(str(path)).save()
        else:
            with path.open("rb") as handle:
                catalog = pofile.read_po(handle)
            with path.open("wb") as handle:
                pofile.write_po(handle, catalog, width=100)
        saved[path] = path.read_bytes()
    return saved


def changed_files(site: Path, saved: dict[Path, bytes]) -> int:
    return sum(1 for path, data in saved.items() if path.read_bytes() != data)


def timed(label: str, cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - start
    tail = run.stderr.strip().split("\n")[-1] if run.stderr.strip() else ""
    print(f"  {label:44} {seconds:8.2f} s   exit {run.returncode}  {tail[:60]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--locales", default="en,ja,fr")
    parser.add_argument("--keep", type=Path, help="build the site here and keep it")
    args = parser.parse_args()
    tmp = None
    if args.keep:
        site = args.keep
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir(parents=True)
    else:
        tmp = tempfile.TemporaryDirectory()
        site = Path(tmp.name)
    exe = script("translator")
    to = ["--to", args.locales]
    posts = generate(site, args.posts)
    # translation memory only: the site is about sync, not MT (the local model, if
    # installed, would otherwise be the default)
    (site / "translator.toml").write_text('backend = "tm"\n')
    n = len(args.locales.split(","))
    print(f"{args.posts} posts x {n} locales = {args.posts * n} catalogs in {site}")
    timed("first extract", [exe, "extract", *to], site)
    timed("first build", [exe, "build", *to], site)
    noop_extract = timed("no-op extract", [exe, "extract", *to], site)
    noop_check = timed("no-op check", [exe, "check", *to], site)
    timed("no-op translate, memory index built", [exe, "translate", *to], site)
    timed("no-op translate, memory index cached", [exe, "translate", *to], site)

    changed = random.Random(1).sample(posts, max(1, args.posts // 100))
    for path in changed:
        text = path.read_text("utf-8")
        path.write_text(text.replace("这是第", "这是修改后的第", 1), "utf-8")
    print(f"edited {len(changed)} posts (1 %)")
    timed("check after the edit (exit 1: stale)", [exe, "check", *to], site)
    edit_extract = timed("extract after the edit", [exe, "extract", *to], site)
    timed("build after the edit", [exe, "build", *to], site)
    timed("check after extract + build", [exe, "check", *to], site)
    per_post = (edit_extract - noop_extract) / len(changed)
    saved = editor_saves(site, args.locales.split(",")[0], args.posts // 100 or 1)
    timed("check after editors' saves (exit 0)", [exe, "check", *to], site)
    timed("extract after editors' saves", [exe, "extract", *to], site)
    after = changed_files(site, saved)
    unchanged_check = timed("check of the unchanged site", [exe, "check", *to], site)
    print(
        f"\nno-op extract {noop_extract:.2f} s, no-op check {noop_check:.2f} s (target < 2 s); "
        f"an edited post costs about {per_post * 1000:.0f} ms more to extract"
    )
    print(
        f"{len(saved)} catalogs saved by an editor (msgcat, polib and Babel in turn), then "
        f"translator extract: {after} files changed (goal 0); check of the unchanged site "
        f"{unchanged_check:.2f} s"
    )
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
