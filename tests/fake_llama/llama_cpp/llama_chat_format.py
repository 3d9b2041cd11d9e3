"""The stand-in's chat template: ChatML, as Qwen's GGUF files carry it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


class Jinja2ChatFormatter:
    def __init__(self, template: str, eos_token: str, bos_token: str) -> None:
        self.template = template

    def __call__(self, *, messages: list[dict[str, Any]]) -> SimpleNamespace:
        prompt = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        return SimpleNamespace(prompt=prompt + "<|im_start|>assistant\n")
