"""Dialect benchmark: the dialect fixture posts (tests/fixtures/dialects/<dialect>/), the
synthetic Chinese posts and the CommonMark spec examples of ../shared/corpus/, built by the
real generator of each dialect (Jekyll 4.3 for kramdown, Hugo 0.111 for Goldmark).

    python bench/dialects.py [--corpus DIR] [--no-spec]

Per dialect and construct (a fixture post, the synthetic posts, each spec section):

- identical: with an empty catalog, the per-locale post is the source byte for byte;
- same structure: with the pseudo backend (copy_latin = false), the English page has the
  source page's tags, ids, classes, attributes, code and link targets;
- Han left: with every entry translated into Latin words, the Han characters a reader of
  the English page still sees (code aside): text that was never offered for translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py must not shadow the standard library's ``queue`` for this script
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import json
import shutil
import tempfile
import time
from collections import defaultdict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sites import (  # noqa: E402
    GENERATORS,
    ascii_words,
    build_site,
    chinese_left,
    fixture_posts,
    structure_differences,
)

FRONT = "---\ntitle: 例子\n---\n"


def corpus_posts(corpus: Path, spec: bool) -> list[tuple[str, str, bytes]]:
    """(construct, name, post) for the synthetic posts and the spec examples."""
    posts = [
        ("synthetic posts", p.stem, p.read_bytes())
        for p in sorted((corpus / "zh-posts-synthetic").glob("*.md"))
    ]
    if spec:
        examples = json.loads((corpus / "commonmark-spec-0.31.2" / "commonmark.json").read_text())
        posts += [
            (f"spec: {e['section']}", f"spec-{e['example']:03d}", (FRONT + e["markdown"]).encode())
            for e in examples
        ]
    return posts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--no-spec", action="store_true", help="leave out the 652 spec examples")
    args = parser.parse_args()
    corpus = args.corpus if args.corpus.is_dir() else ROOT / "tests" / "fixtures" / "corpus"
    others = corpus_posts(corpus, not args.no_spec) if args.corpus.is_dir() else []
    rows: list[tuple[str, str, int, int, int, int]] = []
    for dialect, tool in GENERATORS.items():
        if shutil.which(tool) is None:
            print(f"{dialect}: {tool} is not installed, skipped", file=sys.stderr)
            continue
        posts = [(name, name, data) for name, data in fixture_posts(dialect)] + others
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            pairs = [(name, data) for _, name, data in posts]
            pseudo = build_site(dialect, Path(tmp) / "pseudo", pairs)
            latin = build_site(dialect, Path(tmp) / "latin", pairs, ascii_words)
        seconds = time.perf_counter() - started
        print(
            f"{dialect}: {len(posts)} posts built twice by {tool} in {seconds:.1f} s",
            file=sys.stderr,
        )
        groups: dict[str, list[str]] = defaultdict(list)
        for construct, name, _ in posts:
            groups[construct].append(name)
        for construct, names in groups.items():
            identical = sum(pseudo.pages[n].identical for n in names)
            same = sum(
                bool(pseudo.pages[n].source_html)
                and not structure_differences(
                    pseudo.pages[n].source_html, pseudo.pages[n].english_html
                )
                for n in names
            )
            left = sum(len(chinese_left(latin.pages[n].english_html)) for n in names)
            rows.append((dialect, construct, len(names), identical, same, left))
    print_table(rows)
    return 0


def print_table(rows: list[tuple[str, str, int, int, int, int]]) -> None:
    header = ("dialect", "construct", "posts", "identical", "same structure", "Han left")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for dialect, construct, posts, identical, same, left in rows:
        print(f"| {dialect} | {construct} | {posts} | {identical} | {same} | {left} |")
        for i, value in enumerate((posts, identical, same, left)):
            totals[dialect][i] += value
    for dialect, (posts, identical, same, left) in totals.items():
        print(f"| {dialect} | **all** | {posts} | {identical} | {same} | {left} |")


if __name__ == "__main__":
    raise SystemExit(main())
