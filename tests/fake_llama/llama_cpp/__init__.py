"""A stand-in for llama-cpp-python in the model's child process, for tests: compiling the
real one takes minutes and the real model is 1.1 GB (it runs in bench/local_quality.py).

It offers the part of the library the model process uses: ``Llama`` for the tokenizer and
the chat template, and the low-level context, memory, batch and decode calls. Its "model"
answers the last user turn of each sequence the way tests.fakes.fake_translate does (Chinese
runs become words), a token for each Chinese character and for up to four Latin letters
(about as real tokenizers cut), and checks what it is given as llama.cpp would
not: every position taken in order, no sequence read before it was written. The "model
file" it loads is JSON::

    {"faults": [["即可构建", "drop-tag"], ["", "segv"]], "log": "/tmp/calls.jsonl",
     "system_info": "AVX2 = 1 | AMX_INT8 = 0", "crash_on_load": false}

A fault is used once, by the first answer whose question holds its text (or any, for
""): ``segv`` (the process dies as a native crash would), ``drop-tag``, ``g-tag``
(``<g id="1"/>`` for ``<x1/>``), ``april`` (2017 becomes "April 17th"), ``chinese``
(nothing translated), ``quoted``, ``ramble`` (never stops: cut by max_tokens), ``empty``,
``slow`` (five seconds to answer).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.fakes import fake_translate

SPECIAL = {"<|im_start|>": 1, "<|im_end|>": 2, "<|endoftext|>": 3}
VOCAB = 1 << 16  # ids are given out as pieces are first seen
_PIECES = re.compile("(" + "|".join(re.escape(s) for s in SPECIAL) + r")|[A-Za-z]{1,4}|.", re.S)
_ids: dict[str, int] = dict(SPECIAL)
_pieces: dict[int, str] = {v: k for k, v in SPECIAL.items()}
NAMES = dict(_pieces)


def _id(piece: str) -> int:
    if piece not in _ids:
        _ids[piece] = len(_ids) + 16
        _pieces[_ids[piece]] = piece
        assert len(_ids) < VOCAB - 16
    return _ids[piece]


def _text(tokens: list[int]) -> str:
    return "".join(_pieces[t] for t in tokens)


_state: dict[str, Any] = {"system_info": "CPU : AVX = 1 | AVX2 = 1 | FMA = 1 | AMX_INT8 = 0 |"}


def llama_print_system_info() -> bytes:
    return str(_state["system_info"]).encode()


class Llama:
    def __init__(self, model_path: str, **options: Any) -> None:
        config: dict[str, Any] = json.loads(Path(model_path).read_text("utf-8"))
        _state.update(config=config, faults=list(config.get("faults", [])))
        _state["system_info"] = config.get("system_info", _state["system_info"])
        if config.get("crash_on_load"):
            os.kill(os.getpid(), signal.SIGSEGV)
        self.model = SimpleNamespace(path=model_path)
        self.metadata = {
            "tokenizer.chat_template": "chatml",
            "tokenizer.ggml.eos_token_id": "2",
        }

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        assert special and not add_bos
        return [_id(m.group(0)) for m in _PIECES.finditer(text.decode("utf-8"))]

    def detokenize(self, tokens: list[int], special: bool = False) -> bytes:
        return _text([t for t in tokens if special or t not in NAMES]).encode()


def llama_context_default_params() -> SimpleNamespace:
    return SimpleNamespace(n_ctx=512, n_batch=512, n_ubatch=512, n_seq_max=1, n_threads=1,
                           n_threads_batch=1, kv_unified=False)  # fmt: skip


class _Context:
    def __init__(self, params: SimpleNamespace) -> None:
        self.params = params
        self.sequences: dict[int, list[int]] = {}
        self.logits: dict[int, Any] = {}


def llama_init_from_model(model: Any, params: SimpleNamespace) -> _Context:
    assert params.kv_unified and params.n_seq_max >= 2
    return _Context(params)


def llama_get_memory(ctx: _Context) -> _Context:
    return ctx


def llama_model_get_vocab(model: Any) -> str:
    return "vocab"


def llama_vocab_n_tokens(vocab: str) -> int:
    return VOCAB


def llama_vocab_is_eog(vocab: str, token: int) -> bool:
    return token in (SPECIAL["<|im_end|>"], SPECIAL["<|endoftext|>"])


def llama_memory_seq_rm(memory: _Context, seq: int, start: int, end: int) -> bool:
    assert end == -1
    memory.sequences[seq] = memory.sequences.get(seq, [])[:start]
    return True


def llama_memory_seq_cp(memory: _Context, src: int, dst: int, start: int, end: int) -> None:
    assert start == 0 and end <= len(memory.sequences.get(src, []))
    assert not memory.sequences.get(dst), "copied into a sequence that holds tokens"
    memory.sequences[dst] = list(memory.sequences.get(src, []))[:end]


def llama_batch_init(n_tokens: int, embd: int, n_seq_max: int) -> SimpleNamespace:
    return SimpleNamespace(
        n_tokens=0,
        token=[0] * n_tokens,
        pos=[0] * n_tokens,
        n_seq_id=[0] * n_tokens,
        seq_id=[[0] * n_seq_max for _ in range(n_tokens)],
        logits=[False] * n_tokens,
        capacity=n_tokens,
    )


def llama_decode(ctx: _Context, batch: SimpleNamespace) -> int:
    assert 0 < batch.n_tokens <= min(batch.capacity, ctx.params.n_batch)
    ctx.logits = {}
    for k in range(batch.n_tokens):
        seq = batch.seq_id[k][0]
        held = ctx.sequences.setdefault(seq, [])
        assert batch.pos[k] == len(held), (
            f"sequence {seq}: position {batch.pos[k]}, not {len(held)}"
        )
        held.append(batch.token[k])
        if batch.logits[k]:
            row = (ctypes.c_float * VOCAB)()
            row[_next_token(held)] = 1.0
            ctx.logits[k] = row
    assert sum(len(s) for s in ctx.sequences.values()) <= ctx.params.n_ctx * ctx.params.n_seq_max
    return 0


def llama_get_logits_ith(ctx: _Context, k: int) -> Any:
    return ctypes.cast(ctx.logits[k], ctypes.POINTER(ctypes.c_float))


def _next_token(held: list[int]) -> int:
    """What the model writes next in a sequence: its answer to the last user turn."""
    text = _text(held)
    head, _, written = text.rpartition("<|im_start|>assistant\n")
    asked = head.rpartition("<|im_start|>user\n")[2].partition("<|im_end|>")[0]
    answers: dict[int, str] = _state.setdefault("answers", {})
    key = hash(head)  # one answer per place, whichever sequence writes it
    if not written or key not in answers:
        answers[key] = _answer(asked, head)
    answer = answers[key]
    if len(written) >= len(answer):
        return SPECIAL["<|im_end|>"]
    return _id(next(_PIECES.finditer(answer, len(written))).group(0))


def _answer(asked: str, before: str) -> str:
    config = _state["config"]
    if config.get("log"):
        with Path(config["log"]).open("a", encoding="utf-8") as log:
            log.write(json.dumps({"asked": asked, "before": before}, ensure_ascii=False) + "\n")
    fault = ""
    for i, (where, what) in enumerate(_state["faults"]):
        if where in asked:
            fault = what
            del _state["faults"][i]
            break
    if fault == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    if fault == "slow":
        time.sleep(5)
    word = re.fullmatch(r"Translate the Chinese word (\S+) into English: .*", asked)
    text = fake_translate(word.group(1) if word else asked).strip()
    if fault == "drop-tag":
        text = re.sub(r"<x\d+/>", "", text, count=1)
    elif fault == "g-tag":
        text = re.sub(r"<x(\d+)/>", r'<g id="\1"/>', text)
    elif fault == "april":
        text = text.replace("2017", "April 17th")
    elif fault == "chinese":
        text = asked
    elif fault == "quoted":
        text = f'"{text}"'
    elif fault == "ramble":
        text = text + " and so on" * 200
    elif fault == "empty":
        text = ""
    return text
