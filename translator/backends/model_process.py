"""The offline model in a child process: native code that crashes kills the child, not the run.

The parent starts ``python -m translator.backends.model_process --model FILE`` and talks to
it in JSON lines over its stdin and stdout: one request (conversations, see
:mod:`.llama_batch`) in, their answers out. The child loads llama-cpp-python and the model
once and keeps them for every request, and the prefix the conversations share stays
evaluated from one request to the next. It ignores Ctrl-C (the parent decides when to
stop it) and exits when its stdin closes, so it never outlives the run. If it dies (a
segmentation fault in a CPU kernel, the kernel's out-of-memory killer), the parent raises
:class:`ModelDied` with the signal, the last lines the native code printed, and what to
do.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from ..errors import BackendRejected
from .llama_batch import Answer, Conversation, LlamaEngine, Scheduler

# What the install builds with: llama.cpp's portable x86 kernels, without the AMX ones that
# crash on some CPUs (ggml-org/llama.cpp issue 20824); ignored on other architectures.
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
)
REINSTALL = (
    f'CMAKE_ARGS="{PORTABLE_CMAKE_ARGS}" pip install --force-reinstall --no-cache-dir '
    "--no-deps llama-cpp-python==0.3.36"
)
START_TIMEOUT = 300.0  # seconds to load a model (a cold disk, a large GGUF)


class ModelDied(BackendRejected):
    """The model's process ended while it was working: not retried in this run."""


def describe_exit(code: int) -> str:
    """``signal 11, SIGSEGV`` or ``exit status 3``."""
    if code < 0:
        try:
            return f"signal {-code}, {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"


class ModelProcess:
    """A running model: :meth:`complete` asks it; one request at a time (a lock)."""

    def __init__(
        self,
        model: Path,
        *,
        threads: int,
        context: int,
        batch: int = 512,
        slots: int = 4,
        name: str = "local",
    ) -> None:
        self.model, self.threads, self.context, self.batch = model, threads, context, batch
        self.slots = slots
        self.name = name
        self.system_info = ""
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", __name__, "--model", str(self.model),
            "--threads", str(self.threads), "--context", str(self.context),
            "--batch", str(self.batch), "--slots", str(self.slots),
        ]  # fmt: skip

    def _start(self) -> subprocess.Popen[bytes]:
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (what llama.cpp prints: read if it dies)
        process = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,  # Ctrl-C reaches the run, which then stops the child
        )
        self._process = process
        said = self._receive(process, "while starting")
        if "error" in said:
            self.close()
            raise BackendRejected(f"{self.name}: {said['error']}")
        self.system_info = str(said.get("system_info", ""))
        self._receive(process, "while loading the model")  # {"ready": true}
        return process

    def generate(self, conversations: Sequence[Conversation]) -> list[list[Answer]]:
        """The model's answers at each place to write of each conversation."""
        with self._lock:
            process = self._process or self._start()
            assert process.stdin is not None
            request = {"conversations": [asdict(c) for c in conversations]}
            try:
                process.stdin.write(json.dumps(request, ensure_ascii=False).encode() + b"\n")
                process.stdin.flush()
            except BrokenPipeError:
                pass  # it died: _receive says how
            reply = self._receive(process, "while translating")
        if "error" in reply:
            raise BackendRejected(f"{self.name}: the model failed: {reply['error']}")
        return [[Answer(**answer) for answer in answers] for answers in reply["answers"]]

    def _receive(self, process: subprocess.Popen[bytes], doing: str) -> dict[str, Any]:
        assert process.stdout is not None
        try:
            line = process.stdout.readline()
        except BaseException:  # Ctrl-C while the model works: stop it at once
            self.close()
            raise
        if line:
            reply: dict[str, Any] = json.loads(line)
            return reply
        code = process.wait()
        message = self._death(code, doing)
        self.close()
        raise ModelDied(message)

    def _death(self, code: int, doing: str) -> str:
        said = ""
        if self._log is not None:
            self._log.seek(0)
            lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
            said = " | ".join(line.strip() for line in lines[-3:] if line.strip())
            self._log.close()
            self._log = None
        hint = (
            "if the CPU has AMX (amx_int8 in /proc/cpuinfo), llama.cpp was built with kernels "
            f"that crash on it: rebuild it with {REINSTALL}"
            if code == -signal.SIGSEGV or code == -signal.SIGILL
            else "if the machine ran out of memory, the model needs about 2 GB free"
            if code == -signal.SIGKILL
            else "run 'translator fetch-model' to check the model and the library"
        )
        return (
            f"{self.name}: the model process died ({describe_exit(code)}) {doing}"
            + (f"; it said: {said[-300:]}" if said else "")
            + f"; {hint}. Units it did not translate are left untranslated."
        )

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
                process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()
        if self._log is not None:
            self._log.close()
            self._log = None


# -- the child ----------------------------------------------------------------------------


def _serve(args: argparse.Namespace, out: IO[str]) -> int:
    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")
        out.flush()

    try:
        import llama_cpp
    except ImportError as exc:
        send({"error": f"llama-cpp-python is not installed ({exc})"})
        return 1
    info = llama_cpp.llama_print_system_info()
    send({"system_info": info.decode() if isinstance(info, bytes) else str(info)})
    engine = LlamaEngine(
        args.model,
        threads=args.threads,
        context=args.context,
        batch=args.batch,
        slots=args.slots,
    )
    scheduler = Scheduler(engine)
    send({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            conversations = [Conversation(**c) for c in request["conversations"]]
            answers = scheduler.run(conversations)
        except Exception as exc:  # a Python-level failure: report it, keep serving
            scheduler = Scheduler(engine)  # what the sequences hold is no longer known
            send({"error": f"{type(exc).__name__}: {exc}"})
            continue
        send({"answers": [[asdict(a) for a in found] for found in answers]})
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m translator.backends.model_process")
    parser.add_argument("--model", default="")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--context", type=int, default=4096)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--slots", type=int, default=4)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    # replies go to the original stdout; anything native code prints goes to stderr
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return _serve(args, out)


if __name__ == "__main__":
    sys.exit(main())
