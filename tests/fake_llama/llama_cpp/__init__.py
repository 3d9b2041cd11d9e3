"""A stand-in for llama-cpp-python in the model's child process, for tests: compiling the
real one takes minutes and the real model is 1.1 GB (it runs in bench/local_quality.py).

It answers like an instruction-tuned model asked to translate the last user turn (Chinese
runs become words, as tests.fakes.fake_translate does), and misbehaves on demand. The
"model file" it is given is JSON::

    {"faults": ["", "segv", "drop-tag"], "log": "/tmp/calls.jsonl", "delay": 0.1,
     "system_info": "AVX2 = 1 | AMX_INT8 = 0", "crash_on_load": false}

One fault is used per request, in order: ``segv`` (the process dies as a native crash
would), ``drop-tag``, ``g-tag`` (``<g id="1"/>`` for ``<x1/>``), ``april`` (2017 becomes
"April 17th"), ``chinese`` (nothing translated), ``quoted``, ``cut`` (finish_reason
``length``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

from tests.fakes import fake_translate

_system_info = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | FMA = 1 | F16C = 1 | AMX_INT8 = 0 |"


def llama_print_system_info() -> bytes:
    return _system_info.encode()


class Llama:
    def __init__(self, model_path: str, **options: Any) -> None:
        global _system_info
        self.config: dict[str, Any] = json.loads(Path(model_path).read_text("utf-8"))
        _system_info = self.config.get("system_info", _system_info)
        if self.config.get("crash_on_load"):
            os.kill(os.getpid(), signal.SIGSEGV)
        self.faults: list[str] = list(self.config.get("faults", []))
        self.options = options

    def create_chat_completion(
        self, messages: list[dict[str, str]], temperature: float, max_tokens: int, **more: Any
    ) -> dict[str, Any]:
        assert temperature == 0
        if self.config.get("log"):
            with Path(self.config["log"]).open("a", encoding="utf-8") as log:
                log.write(json.dumps({"messages": messages, "max_tokens": max_tokens}) + "\n")
        time.sleep(float(self.config.get("delay", 0)))
        fault = self.faults.pop(0) if self.faults else ""
        if fault == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        piece = messages[-1]["content"].split("Translate again: ", 1)[-1]
        text = fake_translate(piece).strip()
        finish = "stop"
        if fault == "drop-tag":
            text = re.sub(r"<x\d+/>", "", text, count=1)
        elif fault == "g-tag":
            text = re.sub(r"<x(\d+)/>", r'<g id="\1"/>', text)
        elif fault == "april":
            text = text.replace("2017", "April 17th")
        elif fault == "chinese":
            text = piece
        elif fault == "quoted":
            text = f'"{text}"'
        elif fault == "cut":
            text, finish = text[: len(text) // 2], "length"
        usage = {"prompt_tokens": sum(len(m["content"]) for m in messages), "completion_tokens": 1}
        return {
            "choices": [{"message": {"content": text}, "finish_reason": finish}],
            "usage": usage,
        }
