"""Offline machine translation: an instruction-tuned LLM run by llama-cpp-python from a GGUF
file, in a child process (:mod:`.model_process`), no key and no network.

One unit per request, so a reply can never carry a neighbour's text; a long unit goes
sentence by sentence (quote-aware, tag pairs kept whole). The model sees a fixed system
prompt with worked examples (evaluated once: llama.cpp reuses it as a cached prefix), then
the post's title and the units just translated as earlier turns of the conversation, so it
keeps the post's terms, then the piece to translate. Each piece is checked (tags, numbers,
Latin names, no Chinese left, not cut short) and, on a problem, asked once more with the
problem named; what still fails goes back to the shared checks, which keep it as a draft.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from pathlib import Path

from ..errors import BackendRejected
from ..markdown.cjk import is_cjk_locale, language_of, split_sentences
from ..markdown.placeholders import TAG
from . import model_files
from .base import Backend, BackendContext
from .checks import machine_problem
from .http import HttpBackend, Limits
from .model_process import Completion, ModelProcess
from .wire import from_wire, repair_tags

LANGUAGES = {"zh": "Chinese", "en": "English", "ja": "Japanese", "ko": "Korean",
             "fr": "French", "de": "German", "es": "Spanish"}  # fmt: skip

SYSTEM = """\
You translate a blog post from {source} into {target}, one piece at a time. Reply with \
the {target} translation of the piece and nothing else: no notes, no quotation marks \
around it, no explanations.
Tags such as <x1/> stand for code, links, images or line breaks; a pair such as \
<x2>...</x2> wraps the words of a link. Keep every tag exactly as written, once each, \
where it belongs in the translation, and translate the words inside a pair.
Keep numbers, names, product names, code and English words as they are, and Markdown \
marks such as ** and `. Write no Chinese characters and no full-width punctuation."""

# Worked examples, part of the fixed prefix: how tags, numbers and names come through.
EXAMPLES = [
    (
        "2017年OpenStack峰会在<x1>波士顿</x1>举行，详见<x2/>。",
        "The 2017 OpenStack Summit was held in <x1>Boston</x1>; see <x2/> for details.",
    ),
    ("运行 <x1/> 即可启动服务，默认端口是 8080。",
     "Run <x1/> to start the service; the default port is 8080."),
    ("**注意：**该功能从 v1.2 起可用<x1/>",
     "**Note:** this feature is available from v1.2 on<x1/>"),
]  # fmt: skip
LONG = 90  # characters (tags aside) above which a unit is translated sentence by sentence
PIECE = 70  # …in pieces of about this many characters
HISTORY = 1_200  # characters of earlier turns kept as context before starting afresh


class LocalBackend(HttpBackend):
    name = "local"
    default_endpoint = "in-process"
    default_key_env = None
    limits = Limits(texts=1, chars=100_000)  # one unit a request: no shifted replies
    solo_retry = False  # every request is already one unit, asked again with its problem

    def __init__(self, context: BackendContext) -> None:
        super().__init__(context)
        self.model_path = Path(
            str(self.options.get("model", model_files.default_model_path()))
        ).expanduser()
        self.threads = int(self.options.get("threads", os.cpu_count() or 2))
        self.context_size = int(self.options.get("context", 4096))
        self.batch_size = int(self.options.get("n_batch", 512))
        self._title = ""
        self._turns: list[tuple[str, str]] = []  # (source, translation), this post's

    def fingerprint(self) -> str:
        return json.dumps([self.model_path.name, PROMPT_VERSION])

    def glossary_by_tags(self) -> bool:
        return False  # the terms go into the conversation

    def model(self) -> ModelProcess:
        hint = model_files.INSTALL_HINT
        if not model_files.runtime_installed():
            raise BackendRejected(f"local: llama-cpp-python is not installed: {hint}")
        if not self.model_path.is_file():
            raise BackendRejected(f"local: no model at {self.model_path}: {hint}")
        return shared_model(self.model_path, self.threads, self.context_size, self.batch_size)

    def send(self, wire_texts: list[str], source: str, target: str) -> list[str]:
        if self.dry_run:
            raise BackendRejected("local: nothing is run in a dry run")
        model = self.model()
        text = from_wire(wire_texts[0])
        self._follow(text, source, target)
        cjk = is_cjk_locale(target)
        pieces = [text] if len(TAG.sub("", text)) <= LONG else pieces_of(text)
        done = [self._piece(model, piece, source, target, cjk) for piece in pieces]
        result = ("" if cjk else " ").join(d.strip() for d in done)
        self._add_turn(text, result)
        return [result]

    def _follow(self, text: str, source: str, target: str) -> None:
        """Start the conversation afresh for another post, with its title as context."""
        try:
            title = str(json.loads(self.contexts.get(text) or "{}").get("title", ""))
        except ValueError:
            title = ""
        if title == self._title:
            return
        self._title, self._turns = title, []
        if title and title != text:
            known = self.cache.get(self.key(title, source, target))  # accepted ones only
            if known:
                self._turns.append((title, known))

    def _add_turn(self, text: str, result: str) -> None:
        self._turns.append((text, result))
        if sum(len(a) + len(b) for a, b in self._turns) > HISTORY:
            head = self._turns[:1] if self._turns[0][0] == self._title else []
            self._turns = head + self._turns[-1:]  # the prefix changes once, then grows

    def _messages(self, source: str, target: str) -> list[dict[str, str]]:
        names = (
            LANGUAGES.get(language_of(source), source),
            LANGUAGES.get(language_of(target), target),
        )
        messages = [{"role": "system", "content": SYSTEM.format(source=names[0], target=names[1])}]
        for said, answer in [*EXAMPLES, *self._turns]:
            messages += [
                {"role": "user", "content": said},
                {"role": "assistant", "content": answer},
            ]
        return messages

    def _piece(self, model: ModelProcess, piece: str, source: str, target: str, cjk: bool) -> str:
        messages = self._messages(source, target)
        for term, translation in self.glossary.items():
            if term in piece:  # a term the site fixed: shown as a turn of its own
                messages += [
                    {"role": "user", "content": term},
                    {"role": "assistant", "content": translation or term},
                ]
        messages.append({"role": "user", "content": piece})
        budget = 2 * len(piece) + 24
        first = self._ask(model, messages, budget)
        keep = self.kept_terms()
        problem = _problem(piece, first, cjk, keep)
        if problem is None:
            return first.text
        # once more, with what was wrong said plainly (and room, if it was cut short)
        again = [
            *messages,
            {"role": "assistant", "content": first.text},
            {"role": "user", "content": f"That is not right: {problem}. Translate again: {piece}"},
        ]
        second = self._ask(model, again, 2 * budget)
        return second.text if _problem(piece, second, cjk, keep) is None else first.text

    def _ask(self, model: ModelProcess, messages: list[dict[str, str]], budget: int) -> Completion:
        with self._counting:
            self.requests += 1
            self.sent_chars += len(messages[-1]["content"])
        stop = [] if "\n" in messages[-1]["content"] else ["\n"]
        reply = model.complete(messages, max_tokens=budget, stop=stop)
        text = reply.text.strip()
        if len(text) > 1 and text[0] in "\"“'" and text[-1] in "\"”'":
            text = text[1:-1].strip()  # quoted, though asked not to
        piece = messages[-1]["content"]
        return Completion(repair_tags(text, piece), reply.finish_reason)


def _problem(piece: str, reply: Completion, cjk: bool, keep: set[str]) -> str | None:
    if reply.finish_reason == "length":
        return "the translation was cut off"
    return machine_problem(piece, reply.text, cjk_target=cjk, keep=keep)


def pieces_of(text: str) -> list[str]:
    """``text`` cut into runs of whole sentences of about :data:`PIECE` characters."""
    pieces: list[str] = []
    for sentence in split_sentences(text):
        if pieces and len(TAG.sub("", pieces[-1])) + len(TAG.sub("", sentence)) <= PIECE:
            pieces[-1] += sentence
        else:
            pieces.append(sentence)
    return pieces


PROMPT_VERSION = 2  # part of the cache key: a new prompt is a new engine

_MODELS: dict[tuple[str, int, int, int], ModelProcess] = {}
_MODELS_LOCK = threading.Lock()


def shared_model(path: Path, threads: int, context: int, batch: int) -> ModelProcess:
    """One model process per settings, shared by every backend and thread of this process
    (a worker keeps it for every task; requests take turns)."""
    key = (str(path), threads, context, batch)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = ModelProcess(path, threads=threads, context=context, batch=batch)
        return _MODELS[key]


@atexit.register
def _stop_models() -> None:
    for model in _MODELS.values():
        model.close()


_: type[Backend] = LocalBackend
