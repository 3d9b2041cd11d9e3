"""Offline MT quality: the seed post through the ``local`` backend and the real model
(``translator fetch-model`` first), or, with ``--server``, through the OpenAI-compatible
backend talking to a real ``llama_cpp.server`` on 127.0.0.1 serving the same model.

    python bench/local_quality.py [--server] [--model PATH]

Prints seconds per unit, the units that failed validation and why, and writes the English
post to bench/out/ for a person to read.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py must not shadow the standard library's ``queue`` for this script
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import contextlib
import io
import os
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
from translator.cli import main  # noqa: E402

SEED = ROOT / "content" / "_posts" / "2017-05-09-openstack-boston-summit.md"


def run(model: Path, server: bool) -> int:
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "content").mkdir()
        shutil.copy(SEED, site / "content" / "post.md")
        proc = None
        if server:
            port = free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--port", str(port),
                 "--host", "127.0.0.1", "--n_ctx", "4096"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for _ in range(600):
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", port), 0.2),
                ):
                    break
                time.sleep(0.1)
            config = (
                f'locales = ["en"]\nbackend = "openai"\n[backends.openai]\n'
                f'endpoint = "http://127.0.0.1:{port}"\nmodel = "local"\nkey_env = "LLAMA_KEY"\n'
                f"timeout = 600\n"
            )
            os.environ["LLAMA_KEY"] = "none"
        else:
            config = f'locales = ["en"]\nbackend = "local"\n[backends.local]\nmodel = "{model}"\n'
        (site / "translator.toml").write_text(config)
        start = time.perf_counter()
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["translate", "--root", str(site), str(site / "content")])
        seconds = time.perf_counter() - start
        if proc is not None:
            proc.terminate()
            proc.wait()
        if not (site / "locales/en/post.po").is_file():
            print(f"translate failed (exit {code}):\n{err.getvalue()[-3000:]}")
            return 1
        po = polib.pofile(str(site / "locales/en/post.po"))
        units = [e for e in po if not e.obsolete]
        rejected = [e for e in units if "not published:" in e.tcomment]
        name = "llama-server" if server else "local"
        print(
            f"{name}: exit {code}, {len(units)} units in {seconds:.1f} s, {seconds / max(1, len(units)):.2f} s per unit"
        )
        print(f"failed validation: {len(rejected)}")
        for entry in rejected:
            reason = next(
                line for line in entry.tcomment.split("\n") if line.startswith("not published:")
            )
            print(f"  {entry.msgid[:50]!r}: {reason}")
        target = out_dir / f"seed.{name}.en.md"
        shutil.copy(site / "content" / "post.en.md", target)
        shutil.copy(site / "locales/en/post.po", out_dir / f"seed.{name}.en.po")
        print(f"wrote {target}")
        if err.getvalue().strip():
            print(err.getvalue().strip()[-2000:])
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", action="store_true")
    parser.add_argument("--model", type=Path, default=default_model_path())
    args = parser.parse_args()
    sys.exit(run(args.model, args.server))
