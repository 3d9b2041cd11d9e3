"""Round-trip benchmark: extract + build per post, in process and as whole commands, side by
side with po4a and mdpo on the same posts (each when installed).

    python bench/roundtrip.py [--runs N] [--big]

Byte-exactness is checked for two round trips: an empty catalog (nothing translated) and
an identity catalog (every msgstr set to its msgid). Timings are medians over --runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py must not shadow the standard library's ``queue`` for this script
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import polib

from translator.catalogs.merging import entries_for, update_catalog
from translator.catalogs.po import render_catalog
from translator.markdown.document import encode_post, parse_post
from translator.markdown.reassembler import assemble
from translator.markdown.segmenter import segment_post
from translator.site.config import DEFAULT_KEYS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.queue import script  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
# Byte-compiled modules are what an installation runs: let the commands write them.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def in_process(data: bytes, name: str) -> bytes:
    """Extract (parse, segment, render the PO) and build (splice) one post; return the post."""
    seg = segment_post(parse_post(data, Path(name)), DEFAULT_KEYS)
    entries = entries_for(seg, name)
    catalog, _ = update_catalog(None, entries, locale="en", project="b", source=name, digest="d")
    render_catalog(catalog)
    index = {(m.context, m.id): m.string for m in catalog if m.id}

    def lookup(text: str, ctx: str | None) -> str | None:
        found = index.get((ctx, text)) or index.get((None, text))
        return found if isinstance(found, str) and found else None

    return encode_post(seg.post, assemble(seg, lookup).text)


def run(cmd: list[str], cwd: Path) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, env=ENV)


def identity(po_path: Path) -> None:
    po = polib.pofile(str(po_path))
    for entry in po:
        entry.msgstr = entry.msgid
    po.save()


def both(tool: Tool) -> None:
    tool.extract()
    tool.build()


@dataclass
class Tool:
    """How one tool extracts, builds, and where its files are, for one post in ``work``."""

    name: str
    extract: Callable[[], None]
    build: Callable[[], None]
    po: Path
    out: Path


def ours(work: Path, post: Path) -> Tool:
    (work / "content").mkdir(parents=True, exist_ok=True)
    shutil.copy(post, work / "content" / post.name)
    exe, rel = script("translator"), f"content/{post.name}"
    # a CJK target: an identity catalog (Chinese msgstr) passes our checks there, while an
    # English target rejects Chinese left in a translation
    to = ["--to", "ja"]

    def extract() -> None:
        shutil.rmtree(work / "locales", ignore_errors=True)
        run([exe, "extract", rel, *to], work)

    return Tool(
        "translator",
        extract,
        lambda: run([exe, "build", rel, *to], work),
        work / "locales" / "ja" / f"{post.stem}.po",
        work / "content" / f"{post.stem}.ja.md",
    )


def po4a(work: Path, post: Path) -> Tool:
    shutil.copy(post, work / post.name)
    opts = ["-f", "text", "-o", "markdown", "-M", "UTF-8"]
    opts += ["-o", "yfm_keys=title,description,summary,excerpt"]

    def extract() -> None:
        (work / "x.po").unlink(missing_ok=True)
        run(["po4a-updatepo", *opts, "-m", post.name, "-p", "x.po"], work)

    def build() -> None:
        run(
            ["po4a-translate", *opts, "-m", post.name, "-p", "x.po", "-l", "out.md", "-k", "0"],
            work,
        )

    return Tool("po4a", extract, build, work / "x.po", work / "out.md")


def mdpo(work: Path, post: Path) -> Tool:
    shutil.copy(post, work / post.name)

    def extract() -> None:
        (work / "x.po").unlink(missing_ok=True)
        run([script("md2po"), post.name, "--po-filepath", "x.po", "--save"], work)

    def build() -> None:
        run([script("po2md"), post.name, "--pofiles", "x.po", "--save", "out.md"], work)

    return Tool("mdpo", extract, build, work / "x.po", work / "out.md")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--big", action="store_true", help="also a ~5 MB post")
    args = parser.parse_args()
    posts = sorted(CORPUS.glob("*.md"))
    makers: dict[str, Callable[[Path, Path], Tool]] = {"translator": ours}
    if shutil.which("po4a-updatepo"):
        makers["po4a"] = po4a
    if shutil.which("md2po"):
        makers["mdpo"] = mdpo

    print(f"in process, extract + build, ms per post (median of {args.runs * 5})")
    total = 0.0
    for post in posts:
        data = post.read_bytes()
        ms = median_ms(partial(in_process, data, post.name), args.runs * 5)
        total += ms
        print(f"  {post.name:46} {ms:7.2f}")
    print(f"  {'mean':46} {total / len(posts):7.2f}")

    names = list(makers)
    print(f"\nwhole commands, extract + build of one post, ms (median of {args.runs})")
    print("  " + f"{'post':46}" + "".join(f"{n:>11}" for n in names))
    sums = dict.fromkeys(names, 0.0)
    exact_empty = dict.fromkeys(names, 0)
    exact_identity = dict.fromkeys(names, 0)
    with tempfile.TemporaryDirectory() as tmp:
        for post in posts:
            row = []
            for name, make in makers.items():
                work = Path(tmp) / name / post.stem
                work.mkdir(parents=True)
                tool = make(work, post)
                try:
                    ms = median_ms(partial(both, tool), args.runs)
                    exact_empty[name] += tool.out.read_bytes() == post.read_bytes()
                except subprocess.CalledProcessError:
                    ms = float("nan")
                try:
                    identity(tool.po)
                    tool.build()
                    exact_identity[name] += tool.out.read_bytes() == post.read_bytes()
                except (subprocess.CalledProcessError, OSError):
                    pass
                sums[name] += ms
                row.append(ms)
            print("  " + f"{post.name:46}" + "".join(f"{ms:11.1f}" for ms in row))
    means = {n: sums[n] / len(posts) for n in names}
    print("  " + f"{'mean':46}" + "".join(f"{means[n]:11.1f}" for n in names))
    for name in names[1:]:
        print(f"  translator / {name}: {means['translator'] / means[name]:.2f}")

    print("\nbyte-identical to the source after a round trip, of", len(posts))
    for name in names:
        print(
            f"  {name:12} empty catalog {exact_empty[name]}, identity catalog {exact_identity[name]}"
        )

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "content").mkdir()
        for post in posts:
            shutil.copy(post, site / "content" / post.name)
        (site / "translator.toml").write_text('backend = "tm"\n')  # no MT: this is about I/O
        exe = script("translator")
        ms = median_ms(lambda: run([exe, "translate", "content", "--to", "en"], site), args.runs)
        print(
            f"\ntranslator translate content/ ({len(posts)} posts, one process): "
            f"{ms:.1f} ms, {ms / len(posts):.1f} ms per post"
        )
        single = median_ms(
            lambda: run([exe, "translate", f"content/{posts[0].name}", "--to", "en"], site),
            args.runs,
        )
        bare = median_ms(lambda: run([sys.executable, "-c", "pass"], site), args.runs)
        print(f"translator translate (one post, one process): {single:.1f} ms")
        print(f"python -c pass on this machine: {bare:.1f} ms")

    if args.big:
        body = b"".join(p.read_bytes().split(b"\n---\n", 1)[-1] for p in posts)
        big = b"---\ntitle: \xe5\xa4\xa7\n---\n" + body * max(1, 5_000_000 // len(body))
        start = time.perf_counter()
        out = in_process(big, "big.md")
        seconds = time.perf_counter() - start
        print(f"\n{len(big) / 1e6:.1f} MB post, in process: extract + build {seconds:.2f} s")
        assert out == big
    return 0


if __name__ == "__main__":
    sys.exit(main())
