"""Many conversations with the offline model at once, in its child process.

A CPU spends most of a token's time reading the model's weights, so decoding four
sequences together costs little more than decoding one (measured on this project's 2-core
machine: 12 tokens/s alone, 29 in all for four). The :class:`Scheduler` keeps up to
``slots`` conversations in parallel sequences of one llama.cpp context, greedy decoding;
the prefix they share (the system prompt, the worked examples, the post's title) is
evaluated once, kept in a sequence of its own across calls, and copied into each.

A conversation is a list of chat messages in which an assistant message with no content
marks where the model writes; a later user turn may follow that answer (a long unit, one
sentence after another, each seeing the ones before). :class:`LlamaEngine` is the part
that speaks to llama-cpp-python's low-level API; everything else is plain Python.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

Entry = tuple[int, int, int, bool]  # token, position, sequence, whether its next token is wanted


@dataclass(slots=True)
class Conversation:
    messages: list[dict[str, Any]]  # {"role", "content"}; content None: the model writes here
    max_tokens: list[int]  # per place to write
    stop: list[str] = field(default_factory=list)
    keep: int = 0  # leading messages kept when an old turn must go to make room


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    finish_reason: str  # "stop", or "length" when max_tokens cut it
    prompt_tokens: int = 0  # tokens evaluated for it (the shared prefix aside)
    completion_tokens: int = 0


class Engine(Protocol):
    slots: int  # conversations at a time
    batch: int  # tokens per decode
    window: int  # tokens one conversation may hold

    def render(self, messages: list[dict[str, Any]]) -> str: ...
    def tokenize(self, text: str) -> list[int]: ...
    def text(self, tokens: list[int]) -> str: ...
    def is_end(self, token: int) -> bool: ...
    def forget(self, seq: int, start: int) -> None: ...
    def copy(self, src: int, dst: int, length: int) -> None: ...
    def decode(self, entries: list[Entry]) -> list[int]: ...


def _places(conversation: Conversation) -> list[int]:
    """Where the model has still to write: the assistant messages with no content."""
    return [i for i, m in enumerate(conversation.messages) if m["content"] is None]


def _common(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass(slots=True)
class _Slot:
    seq: int
    index: int  # which conversation
    conversation: Conversation
    point: int = 0  # which place to write, of the conversation's
    tokens: list[int] = field(default_factory=list)  # what the sequence holds
    feed: list[int] = field(default_factory=list)  # what it must take in next
    out: list[int] = field(default_factory=list)  # what the model wrote at this point
    evaluated: int = 0


class Scheduler:
    """Runs conversations over an :class:`Engine`, ``engine.slots`` at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.prefix_seq = engine.slots  # the shared prefix lives in the last sequence
        self.prefix: list[int] = []

    def run(self, conversations: Sequence[Conversation]) -> list[list[Answer]]:
        answers: list[list[Answer]] = [[] for _ in conversations]
        if not conversations:
            return answers
        self._share([self._target(c) for c in conversations])
        waiting = deque(range(len(conversations)))
        slots: list[_Slot | None] = [None] * self.engine.slots
        while waiting or any(slots):
            for seq, slot in enumerate(slots):
                if slot is None and waiting:
                    slots[seq] = self._start(seq, waiting.popleft(), conversations)
            # writers first (a token each), then as much of each prompt as the batch holds
            active = sorted((s for s in slots if s is not None), key=lambda s: len(s.feed))
            entries, fed = self._entries(active)
            tokens = iter(self.engine.decode(entries))
            for slot in active:  # in the order of the entries: the next tokens come so
                taken = fed.get(slot.seq, 0)
                slot.tokens += slot.feed[:taken]
                slot.feed = slot.feed[taken:]
                slot.evaluated += taken
                if taken and not slot.feed and self._wrote(slot, next(tokens), answers):
                    slots[slot.seq] = None
        return answers

    # -- the shared prefix ------------------------------------------------------------

    def _share(self, firsts: list[list[int]]) -> None:
        """Keep in the prefix sequence what every first prompt starts with (at least
        one token of each left to evaluate: its logits are the first answer's)."""
        shared = firsts[0]
        for tokens in firsts[1:]:
            shared = shared[: _common(shared, tokens)]
        shared = shared[: min(len(t) for t in firsts) - 1]
        kept = _common(self.prefix, shared)
        if kept < len(self.prefix):
            self.engine.forget(self.prefix_seq, kept)
            self.prefix = self.prefix[:kept]
        rest = shared[kept:]
        for start in range(0, len(rest), self.engine.batch):
            chunk = rest[start : start + self.engine.batch]
            base = len(self.prefix)
            self.engine.decode([(t, base + i, self.prefix_seq, False) for i, t in enumerate(chunk)])
            self.prefix += chunk

    # -- one conversation in one sequence ---------------------------------------------

    def _target(self, conversation: Conversation) -> list[int]:
        """The tokens up to the next place to write (earlier turns dropped if too long)."""
        upto = conversation.messages[: _places(conversation)[0]]
        tokens = self.engine.tokenize(self.engine.render(upto))
        keep = conversation.keep
        while len(tokens) > self.engine.window and len(upto) > keep + 3:
            upto = upto[:keep] + upto[keep + 2 :]  # the oldest turn after the fixed ones
            tokens = self.engine.tokenize(self.engine.render(upto))
        return tokens

    def _start(self, seq: int, index: int, conversations: Sequence[Conversation]) -> _Slot:
        slot = _Slot(seq, index, conversations[index])
        self.engine.forget(seq, 0)
        if self.prefix:
            self.engine.copy(self.prefix_seq, seq, len(self.prefix))
        slot.tokens = list(self.prefix)
        self._aim(slot)
        return slot

    def _aim(self, slot: _Slot) -> None:
        """Make the sequence hold exactly the prompt of the slot's next place to write:
        keep what it shares with it, drop the rest, take in the difference."""
        target = self._target(slot.conversation)
        kept = min(_common(slot.tokens, target), len(target) - 1)
        if kept < len(slot.tokens):
            self.engine.forget(slot.seq, kept)
            slot.tokens = slot.tokens[:kept]
        slot.feed = target[kept:]
        slot.out = []

    def _entries(self, active: list[_Slot]) -> tuple[list[Entry], dict[int, int]]:
        """This round's tokens, slot after slot, as many as the batch holds."""
        entries: list[Entry] = []
        fed: dict[int, int] = {}
        budget = self.engine.batch
        for slot in active:
            take = slot.feed[: max(0, budget)]
            if not take:
                continue
            base = len(slot.tokens)
            last = len(take) == len(slot.feed)
            for i, token in enumerate(take):
                entries.append((token, base + i, slot.seq, last and i == len(take) - 1))
            fed[slot.seq] = len(take)
            budget -= len(take)
        return entries, fed

    def _wrote(self, slot: _Slot, token: int, answers: list[list[Answer]]) -> bool:
        """Take the model's next token; when the answer at this place is done, record
        it and move on. True when the conversation is over."""
        conversation = slot.conversation
        limit = conversation.max_tokens[slot.point]
        finish = ""
        if self.engine.is_end(token):
            finish = "stop"
        else:
            slot.out.append(token)
            if len(slot.out) >= limit:
                finish = "length"
            else:
                slot.feed = [token]
        text = self.engine.text(slot.out)
        for stop in conversation.stop:
            if stop in text:
                text, finish = text[: text.index(stop)], "stop"
        if not finish:
            return False
        answers[slot.index].append(Answer(text, finish, slot.evaluated, len(slot.out)))
        places = _places(conversation)
        conversation.messages[places[0]] = {"role": "assistant", "content": text}
        slot.point += 1
        slot.evaluated = 0
        if len(places) == 1:
            return True
        self._aim(slot)
        return False


class LlamaEngine:
    """:class:`Engine` over llama-cpp-python: the model and its tokenizer and chat
    template from ``Llama``, and a second context, with a sequence per slot plus one for
    the shared prefix in one unified KV cache, driven through the low-level API."""

    def __init__(
        self, path: str, *, threads: int, context: int, batch: int, slots: int = 4
    ) -> None:
        import llama_cpp
        import numpy
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self._lib, self._numpy = llama_cpp, numpy
        self.slots, self.batch = slots, batch
        self.window = context // (slots + 1)
        # the model, its tokenizer and template (its own small context stays unused)
        self.llm = llama_cpp.Llama(
            model_path=path, n_ctx=256, n_threads=threads, n_batch=64, verbose=False, seed=0
        )
        params = llama_cpp.llama_context_default_params()
        params.n_ctx, params.n_batch, params.n_ubatch = context, batch, batch
        params.n_seq_max = slots + 1
        params.n_threads = params.n_threads_batch = threads
        params.kv_unified = True  # a copied prefix is shared, not duplicated
        self.ctx = llama_cpp.llama_init_from_model(self.llm.model, params)
        if not self.ctx:
            raise RuntimeError("llama.cpp could not create a context for the model")
        self.memory = llama_cpp.llama_get_memory(self.ctx)
        self.vocab = llama_cpp.llama_model_get_vocab(self.llm.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        metadata = self.llm.metadata
        special = {
            name: self.llm.detokenize([int(metadata[key])], special=True).decode("utf-8", "replace")
            if key in metadata
            else ""
            for name, key in (("eos", "tokenizer.ggml.eos_token_id"),
                              ("bos", "tokenizer.ggml.bos_token_id"))
        }  # fmt: skip
        self.formatter = Jinja2ChatFormatter(
            template=metadata.get("tokenizer.chat_template", _CHATML),
            eos_token=special["eos"],
            bos_token=special["bos"],
        )
        self._batch = llama_cpp.llama_batch_init(batch, 0, slots + 1)

    def render(self, messages: list[dict[str, Any]]) -> str:
        return str(self.formatter(messages=messages).prompt)  # type: ignore[arg-type]

    def tokenize(self, text: str) -> list[int]:
        return list(self.llm.tokenize(text.encode(), add_bos=False, special=True))

    def text(self, tokens: list[int]) -> str:
        return bytes(self.llm.detokenize(tokens)).decode("utf-8", "replace")

    def is_end(self, token: int) -> bool:
        return bool(self._lib.llama_vocab_is_eog(self.vocab, token))

    def forget(self, seq: int, start: int) -> None:
        self._lib.llama_memory_seq_rm(self.memory, seq, start, -1)

    def copy(self, src: int, dst: int, length: int) -> None:
        self._lib.llama_memory_seq_cp(self.memory, src, dst, 0, length)

    def decode(self, entries: list[Entry]) -> list[int]:
        batch = self._batch
        batch.n_tokens = len(entries)
        for k, (token, pos, seq, wanted) in enumerate(entries):
            batch.token[k], batch.pos[k] = token, pos
            batch.n_seq_id[k], batch.seq_id[k][0] = 1, seq
            batch.logits[k] = wanted
        if self._lib.llama_decode(self.ctx, batch) != 0:
            raise RuntimeError("llama.cpp could not decode the batch (context full?)")
        found = []
        for k, entry in enumerate(entries):
            if entry[3]:
                row = self._lib.llama_get_logits_ith(self.ctx, k)
                logits = self._numpy.ctypeslib.as_array(row, shape=(self.n_vocab,))
                found.append(int(logits.argmax()))
        return found


_CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
