"""Start-up and scale, whole processes, side by side with the peers (issue 17).

    python bench/startup.py [--venv DIR] [--mdpo PATH/md2po] [--quick]

``--venv DIR``: run translator and md2po from a plain virtual environment (``python -m venv
DIR && DIR/bin/pip install . mdpo``): an editable install and this machine's site hooks
cost every process about 20 ms that a user's install does not.

Sites are generated from the test corpus (the seed and the seven synthetic posts) copied
under new names: one post, 52 posts, and 1,924 posts in en, ja and ko; plus one 5 MB post
made of the corpus posts repeated. Times are medians of whole commands: the start-up
rows with their floors and peers run in turn, round after round, so that their ratios
hold when the machine's speed drifts; the others by hyperfine when it is installed. The
"before" column is what issue 17 measured on this machine before the change, the "peer"
column mdpo and po4a on the same input, measured now. ``--quick`` skips the 1,924-post
site and the 5 MB post.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py must not shadow the standard library's ``queue`` for this script
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
PY = sys.executable
TRANSLATOR = [PY, "-m", "translator"]
# what 'extract' of one post and 'status' really import (the floors the goals are measured
# against): the libraries each uses, its command line parser included. For extract, the
# issue named markdown-it-py with its plugins, PyYAML and Babel's pofile; it also calls
# hashlib (content hashes), json (build records), html.parser (text in HTML) and
# unicodedata (CJK line joining, PO line widths). Both floors are shown.
ISSUE_FLOOR = (
    "import markdown_it, mdit_py_plugins.footnote, mdit_py_plugins.dollarmath, yaml, "
    "babel.messages.pofile, argparse"
)
IMPORT_FLOOR = ISSUE_FLOOR + ", hashlib, json, html.parser, unicodedata"
STATUS_FLOOR = "import argparse, hashlib, json, pathlib"
BEFORE = {  # issue 17's figures (hyperfine, this 2-core machine), in seconds
    "check, unchanged one-post site": 0.144,
    "extract, one post": 0.140,
    "status (table), demo site": None,
    "check, unchanged 52-post site": 0.148,
    "cold extract, 52 posts": 0.855,
    "extract, 5 MB post": 4.50,
    "build, 5 MB post": 4.41,
    "cold extract, 1,924 posts x 3": 27.7,
    "cold build, 1,924 posts x 3": 19.0,
    "no-op check, 1,924 posts x 3": 0.84,
    "no-op extract, 1,924 posts x 3": 0.59,
    "status --json, 1,924 posts x 3": 9.4,
    "status (table), 1,924 posts x 3": None,
}


def posts_from_corpus(folder: Path, count: int) -> list[Path]:
    """``count`` posts: the corpus posts, each copied under new names, cycling."""
    sources = sorted(CORPUS.glob("*.md"))
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        text = sources[i % len(sources)].read_text("utf-8")
        head, sep, body = text.partition("\n---\n")
        text = f"{head}{sep}这是第 {i} 篇。\n\n{body}" if sep else f"这是第 {i} 篇。\n\n{text}"
        path = folder / f"{i:05d}-{sources[i % len(sources)].name}"
        path.write_text(text, "utf-8")
        made.append(path)
    return made


def big_post(path: Path, size: int = 5_000_000) -> Path:
    bodies = []
    for source in sorted(CORPUS.glob("*.md")):
        text = source.read_text("utf-8")
        bodies.append(text.split("\n---\n", 1)[1] if text.startswith("---") else text)
    out, total, i = ["---\ntitle: 大文件\n---\n\n"], 0, 0
    while total < size:
        body = bodies[i % len(bodies)].replace("\n# ", f"\n# 第{i}部分 ")
        out.append(body + "\n\n")
        total += len(body.encode())
        i += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(out), "utf-8")
    return path


def timed(cmd: list[str] | str, cwd: Path, runs: int, prepare: str | None = None) -> float:
    """Median seconds of ``cmd`` (a shell string for hyperfine, or argv)."""
    line = cmd if isinstance(cmd, str) else shlex.join(cmd)
    if shutil.which("hyperfine") and runs > 1:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            args = ["hyperfine", "--runs", str(runs), "--warmup", "1",
                    "--export-json", out.name, "--style", "none"]  # fmt: skip
            args += ["--prepare", prepare] if prepare is not None else []
            subprocess.run([*args, line], cwd=cwd, env=ENV, capture_output=True, check=True)
            return float(json.loads(Path(out.name).read_text())["results"][0]["median"])
    return statistics.median(_run(cmd, cwd, prepare) for _ in range(runs))


def _run(cmd: list[str] | str, cwd: Path, prepare: str | None = None) -> float:
    """Seconds ``cmd`` took (``prepare`` run first, untimed)."""
    if prepare is not None:
        subprocess.run(prepare, shell=True, cwd=cwd, env=ENV, check=True)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, shell=isinstance(cmd, str))
    return time.perf_counter() - start


Job = tuple[list[str] | str, Path, str | None]  # command, folder, what to run before it


def interleaved(jobs: dict[str, Job], rounds: int) -> dict[str, float]:
    """Median seconds of each job, the jobs run in turn round after round: a ratio of two
    is then not skewed by the machine's speed drifting between the runs of one and of the
    other (10 to 20 % within minutes on this VM), as it is when each is timed apart."""
    for cmd, cwd, prepare in jobs.values():  # warm-up: caches, .pyc files
        _run(cmd, cwd, prepare)
    seconds: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(rounds):
        for name, (cmd, cwd, prepare) in jobs.items():
            seconds[name].append(_run(cmd, cwd, prepare))
    return {name: statistics.median(found) for name, found in seconds.items()}


def updatepo(po4a: str, post: Path, pot: Path) -> Job:
    """po4a's ``po4a-updatepo`` making a POT of ``post`` from nothing."""
    return f"{po4a} -f text -o markdown -m {post} -p {pot} -M UTF-8", pot.parent, f"rm -f {pot}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--venv", type=Path, help="a venv with translator and mdpo installed")
    parser.add_argument("--mdpo", default=shutil.which("md2po"), help="the md2po command")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    global PY, TRANSLATOR
    if args.venv is not None:
        PY = str(args.venv / "bin" / "python")
        TRANSLATOR = [str(args.venv / "bin" / "translator")]
        args.mdpo = str(args.venv / "bin" / "md2po")
    po4a = shutil.which("po4a-updatepo")
    rows: list[tuple[str, float | None, float | None, str]] = []  # name, now, peer, peer name
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        one = base / "one"
        (one / "content").mkdir(parents=True)
        seed = sorted(CORPUS.glob("seed-*.md"))[0]
        shutil.copy(seed, one / "content" / "post.md")
        to = ["--to", "en"]
        subprocess.run([*TRANSLATOR, "translate", *to, "--backend", "tm"], cwd=one, env=ENV,
                       capture_output=True, check=True)  # fmt: skip
        fresh = base / "fresh"  # extracted from nothing again and again, apart from one
        shutil.copytree(one, fresh)  # (which check must find unchanged)
        demo = base / "demo"
        shutil.copytree(ROOT / "content", demo / "content")
        for folder in ("locales", ".translator"):
            shutil.copytree(ROOT / folder, demo / folder)
        # the start-up rows and their floors and peers, in turn (see interleaved)
        jobs: dict[str, Job] = {
            "pass": ([PY, "-c", "pass"], ROOT, None),
            "imports": ([PY, "-c", IMPORT_FLOOR], ROOT, None),
            "issue imports": ([PY, "-c", ISSUE_FLOOR], ROOT, None),
            "status imports": ([PY, "-c", STATUS_FLOOR], ROOT, None),
            "check": ([*TRANSLATOR, "check", *to], one, None),
            "extract": ([*TRANSLATOR, "extract", *to], fresh, f"rm -rf {fresh}/locales"),
            "status": ([*TRANSLATOR, "status", *to], demo, None),
        }
        if args.mdpo:
            jobs["md2po"] = ([args.mdpo, str(one / "content/post.md"), "--po-filepath",
                              str(base / "mdpo.po"), "--save"], base, None)  # fmt: skip
        if po4a is not None:
            jobs["updatepo"] = updatepo(po4a, one / "content/post.md", base / "p.pot")
        found = interleaved(jobs, 20)
        floor, imports, issue_imports, status_imports = (
            found["pass"], found["imports"], found["issue imports"], found["status imports"]
        )  # fmt: skip
        rows.append(("check, unchanged one-post site", found["check"], found.get("md2po"),
                     "mdpo md2po"))  # fmt: skip
        rows.append(("extract, one post", found["extract"], found.get("updatepo"),
                     "po4a-updatepo"))  # fmt: skip
        rows.append(("status (table), demo site", found["status"], None, ""))

        site52 = base / "site52"
        posts52 = posts_from_corpus(site52 / "content", 52)
        cold = timed([*TRANSLATOR, "extract", *to], site52, 3, prepare=f"rm -rf {site52}/locales")
        mdpo52 = None
        if args.mdpo:  # mdpo takes one file a process
            start = time.perf_counter()
            for post in posts52:
                subprocess.run([args.mdpo, str(post), "--po-filepath", str(base / "m.po"),
                                "--save"], capture_output=True, env=ENV)  # fmt: skip
            mdpo52 = time.perf_counter() - start
        subprocess.run([*TRANSLATOR, "translate", *to, "--backend", "tm"], cwd=site52, env=ENV,
                       capture_output=True)  # fmt: skip
        rows.append(("check, unchanged 52-post site",
                     timed([*TRANSLATOR, "check", *to], site52, 10), None, ""))  # fmt: skip
        rows.append(("cold extract, 52 posts", cold, mdpo52, "mdpo, a process a post"))

        if not args.quick:
            big = base / "big"
            big_post(big / "content" / "big.md")
            big_jobs: dict[str, Job] = {  # in turn too: the goal is their ratio
                "extract": ([*TRANSLATOR, "extract", *to], big, f"rm -rf {big}/locales"),
                "build": ([*TRANSLATOR, "build", *to], big,
                          f"rm -rf {big}/.translator {big}/content/big.en.md"),
            }  # fmt: skip
            if po4a is not None:
                big_jobs["updatepo"] = updatepo(po4a, big / "content/big.md", base / "b.pot")
            found = interleaved(big_jobs, 3)
            rows.append(("extract, 5 MB post", found["extract"], found.get("updatepo"),
                         "po4a-updatepo"))  # fmt: skip
            rows.append(("build, 5 MB post", found["build"], None, ""))

            large = base / "large"
            posts_from_corpus(large / "content", 1924)
            three = ["--to", "en,ja,ko"]
            rows.append(("cold extract, 1,924 posts x 3",
                         timed([*TRANSLATOR, "extract", *three], large, 1), None, ""))  # fmt: skip
            rows.append(("cold build, 1,924 posts x 3",
                         timed([*TRANSLATOR, "build", *three], large, 1), None, ""))  # fmt: skip
            rows.append(("no-op check, 1,924 posts x 3",
                         timed([*TRANSLATOR, "check", *three], large, 3), None, ""))  # fmt: skip
            rows.append(("no-op extract, 1,924 posts x 3",
                         timed([*TRANSLATOR, "extract", *three], large, 3), None, ""))  # fmt: skip
            rows.append(("status (table), 1,924 posts x 3",
                         timed([*TRANSLATOR, "status", *three], large, 3), None, ""))  # fmt: skip
            rows.append(("status --json, 1,924 posts x 3",
                         timed([*TRANSLATOR, "status", "--json", *three], large, 1), None, ""))  # fmt: skip

    print(f"python -c pass: {floor * 1000:.0f} ms; importing what extract uses "
          f"({IMPORT_FLOOR.removeprefix('import ')}): {imports * 1000:.0f} ms (the issue's "
          f"list alone: {issue_imports * 1000:.0f} ms); what status uses "
          f"({STATUS_FLOOR.removeprefix('import ')}): {status_imports * 1000:.0f} ms\n")  # fmt: skip
    print(
        f"{'work':34}{'before':>10}{'now':>10}{'now/before':>12}{'peer':>10}  {'now/peer':>9}  peer"
    )
    for name, now, peer, who in rows:
        before = BEFORE.get(name)
        b = f"{before * 1000:.0f} ms" if before else "—"
        n = f"{now * 1000:.0f} ms" if now is not None else "—"
        ratio = f"{now / before:.2f}" if before and now else "—"
        p = f"{peer * 1000:.0f} ms" if peer else "—"
        vs = f"{now / peer:.2f}" if peer and now else "—"
        print(f"{name:34}{b:>10}{n:>10}{ratio:>12}{p:>10}  {vs:>9}  {who}")
    extract = rows[1][1] or 0.0
    status = rows[2][1] or 0.0
    print(f"\nextract of one post / its import floor = {extract / imports:.2f} (goal <= 1.2; "
          f"{extract / issue_imports:.2f} over the issue's list alone)")  # fmt: skip
    print(
        f"status of the demo site / its import floor = {status / status_imports:.2f} (goal <= 1.2)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
