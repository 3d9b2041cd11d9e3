"""Offline MT, measured: posts through ``translator translate`` with the real model
(README's first command installs it), or, with ``--server``, through the OpenAI-compatible
backend talking to a real ``llama_cpp.server`` on 127.0.0.1 serving the same model.

    python bench/local_quality.py [--server] [--model PATH] [POST…]

By default the demo site's second post, the seed post and the seven synthetic posts of
the test corpus. Prints units published and rejected (by reason), seconds per unit,
Chinese characters per second, and the peak memory of the run and its model process;
writes the English posts and catalogs to bench/out/ for a person to read.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py must not shadow the standard library's ``queue`` for this script
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import collections
import contextlib
import os
import re
import resource
import shutil
import socket
import subprocess
import tempfile
import time

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.queue import free_port  # noqa: E402
from translator.backends.model_files import default_model_path  # noqa: E402

POSTS = [
    ROOT / "content" / "_posts" / "2017-06-20-openstack-upgrade-notes.md",
    ROOT / "content" / "_posts" / "2017-05-09-openstack-boston-summit.md",
    *sorted((ROOT / "tests" / "fixtures" / "corpus").glob("20*.md")),
]
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
BASELINE = (
    "before (issue 14, 7 unseen real posts): 11.4 s per unit, 4.9 characters/s, 87 % published"
)


def _serve(model: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--port", str(port),
         "--host", "127.0.0.1", "--n_ctx", "4096"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(600):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            break
        time.sleep(0.1)
    return proc, port


def run(model: Path, server: bool, posts: list[Path]) -> int:
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "content").mkdir()
        for post in posts:
            shutil.copy(post, site / "content" / post.name)
        proc = None
        env = dict(os.environ)
        if server:
            proc, port = _serve(model)
            config = (
                f'locales = ["en"]\nbackend = "openai"\n[backends.openai]\n'
                f'endpoint = "http://127.0.0.1:{port}"\nmodel = "local"\nkey_env = "LLAMA_KEY"\n'
                f"timeout = 600\n"
            )
            env["LLAMA_KEY"] = "none"
        else:
            config = f'locales = ["en"]\nbackend = "local"\n[backends.local]\nmodel = "{model}"\n'
        (site / "translator.toml").write_text(config)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "translator", "translate", "--root", str(site),
             str(site / "content")],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc is not None:
            proc.terminate()
            proc.wait()
        catalogs = sorted((site / "locales" / "en").glob("*.po"))
        if not catalogs:
            print(f"translate failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
            return 1
        units = published = chars = 0
        rejected: collections.Counter[str] = collections.Counter()
        for path in catalogs:
            for entry in polib.pofile(str(path)):
                if entry.obsolete or not HAN.search(entry.msgid):
                    continue
                units += 1
                chars += len(HAN.findall(entry.msgid))
                reason = next(
                    (c[len("not published: ") :] for c in entry.tcomment.splitlines()
                     if c.startswith("not published: ")),
                    None,
                )  # fmt: skip
                if reason is not None:
                    rejected[re.sub(r"<[^>]+>|'[^']*'|\d+", "…", reason)] += 1
                elif entry.msgstr:
                    published += 1
            shutil.copy(path, out_dir / path.name)
        for post in posts:
            built = site / "content" / f"{post.stem}.en.md"
            if built.is_file():
                shutil.copy(built, out_dir / built.name)
        name = "llama.cpp server (openai backend)" if server else "local"
        print(
            f"{name}: {len(posts)} posts, {units} units with Chinese, {chars:,} Chinese characters"
        )
        print(f"  exit {done.returncode} in {seconds:.1f} s wall (model load included)")
        print(f"  published {published} of {units} ({published / max(1, units):.1%})")
        print(
            f"  rejected {sum(rejected.values())}: "
            + ", ".join(f"{n} {why}" for why, n in rejected.most_common())
        )
        print("  shifted replies: 0 possible (each unit is a conversation of its own)")
        print(
            f"  {seconds / max(1, units):.2f} s per unit, {chars / seconds:.1f} Chinese characters per second"
        )
        print(f"  peak memory of a process of the run: {peak:,.0f} MiB")
        print(f"  {BASELINE}")
        print(f"  wrote the English posts and catalogs to {out_dir}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", action="store_true")
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("posts", nargs="*", type=Path)
    args = parser.parse_args()
    sys.exit(run(args.model, args.server, args.posts or POSTS))
