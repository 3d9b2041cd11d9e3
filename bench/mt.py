"""MT benchmark: the seed post and the synthetic corpus through each fake provider (a real
HTTP server on 127.0.0.1 speaking the provider's wire format, 100 ms per request).

    python bench/mt.py [--latency 0.1]

For each provider: requests made, what the provider billed by its own rule (the fake
counts as the provider does), the run's estimate of it and the error, wall time; then
the same site again, which must bill nothing.
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
import math
import os
import re
import shutil
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes import AWS_ACCESS, KEY, FakeServer  # noqa: E402
from translator.cli import main  # noqa: E402
from translator.markdown.document import parse_post  # noqa: E402
from translator.markdown.segmenter import segment_post  # noqa: E402
from translator.site.config import DEFAULT_KEYS  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
PROVIDERS = {
    "amazon": ('region = "eu-west-1"\naccess_key_env = "FAKE_AWS_ACCESS_KEY_ID"\n', 1),
    "deepl": ("", 50),
    "libretranslate": ("", 50),
    "azure": ('region = "eastasia"\n', 1000),
    "google": ("", 128),
    "google-v3": ('project = "bench"\n', 1024),
    "openai": ('model = "bench-model"\n', 8),
}
_TAGS = re.compile(r'</?x\d+/?>|<x id="\d+"/>|</?g(?: id="\d+")?>')


def translatable(posts: list[Path]) -> tuple[int, int]:
    """(distinct units that need translating, their characters without tags)."""
    texts = set()
    for post in posts:
        seg = segment_post(parse_post(post.read_bytes(), post), DEFAULT_KEYS)
        texts |= {u.text for u in seg.units if u.needs_translation}
    return len(texts), sum(len(_TAGS.sub("", t)) for t in texts)


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    posts = sorted(CORPUS.glob("*.md"))
    units, chars = translatable(posts)
    print(f"{len(posts)} posts: {units} distinct units to translate, {chars:,} characters\n")
    print(
        f"{'provider':16}{'requests':>9}{'limit':>7}{'billed':>9}{'unit':>11}{'estimate':>10}"
        f"{'error':>8}{'seconds':>9}{'re-run billed':>15}"
    )
    os.environ["FAKE_MT_KEY"] = KEY
    os.environ["FAKE_AWS_ACCESS_KEY_ID"] = AWS_ACCESS
    for name, (options, limit) in PROVIDERS.items():
        with FakeServer(name) as server, tempfile.TemporaryDirectory() as tmp:
            server.latency = args.latency
            site = Path(tmp)
            (site / "content").mkdir()
            for post in posts:
                shutil.copy(post, site / "content" / post.name)
            (site / "translator.toml").write_text(
                f'locales = ["en"]\nbackend = "{name}"\n[backends.{name}]\nendpoint = "{server.url}"\n'
                f'key_env = "FAKE_MT_KEY"\n{options}'
            )
            out = io.StringIO()
            start = time.perf_counter()
            with contextlib.redirect_stdout(out):
                main(["translate", "--root", str(site), str(site / "content")])
            seconds = time.perf_counter() - start
            said = re.search(
                rf"^{name}: billed [\d,]+ (\w+) \(estimated ([\d,]+)\)$", out.getvalue(), re.M
            )
            unit, estimate = (
                (said.group(1), int(said.group(2).replace(",", ""))) if said else ("?", 0)
            )
            requests, billed = len(server.log), server.billed
            with contextlib.redirect_stdout(io.StringIO()):
                main(["translate", "--root", str(site), str(site / "content")])
            again = server.billed - billed
            error = (
                f"{(estimate - billed) / billed:+.1%}" if billed else ("0" if not estimate else "—")
            )
            print(
                f"{name:16}{requests:>9}{math.ceil(units / limit):>7}{billed:>9,}{unit:>11}"
                f"{estimate:>10,}{error:>8}{seconds:>9.2f}{again:>15,}"
            )
    print(
        "\nlimit = ceil(units / the provider's texts per request); billed = what the fake provider"
        "\ncounted by the provider's own rule; estimate = what translate --dry-run would say"
    )
    return 0


if __name__ == "__main__":
    with contextlib.redirect_stderr(io.StringIO()):
        code = main_()
    sys.exit(code)
