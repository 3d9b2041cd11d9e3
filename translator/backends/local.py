"""Offline machine translation: an instruction-tuned LLM run by llama-cpp-python from a GGUF
file, in a child process (:mod:`.model_process`), no key and no network.

Each unit is a conversation of its own, so an answer can never carry a neighbour's text;
a long unit goes sentence by sentence (quote-aware, tag pairs kept whole), each sentence
seeing the ones before it. Every conversation starts with the same system prompt and
worked examples, then the post's title and the glossary terms it uses as earlier turns;
the model process evaluates that shared start once and decodes four conversations at a
time (:mod:`.llama_batch`). Each piece is checked (tags, numbers, Latin names, no Chinese
left, not cut short) and, on a problem, asked once more with the problem named; what
still fails goes back to the shared checks, which keep it as a rejected draft.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import BackendRejected
from ..markdown.cjk import is_cjk_locale, language_of, split_sentences
from ..markdown.placeholders import TAG
from . import model_files
from .base import Backend, BackendContext
from .checks import machine_problem
from .http import HttpBackend, Limits
from .llama_batch import Answer, Conversation
from .model_process import ModelProcess
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
    ("2017年OpenStack峰会在<x1>波士顿</x1>举行，详见<x2/>。",
     "The 2017 OpenStack Summit was held in <x1>Boston</x1>; see <x2/> for details."),
    ("运行 <x1/> 即可启动服务，默认端口是 8080。",
     "Run <x1/> to start the service; the default port is 8080."),
    ("**注意：**这个功能需要 v1.2 以上的版本。",
     "**Note:** this feature needs version v1.2 or later."),
]  # fmt: skip
# a word left in Chinese, asked alone: said plainly, or a small model echoes it back
LOOKUP = "Translate the Chinese word {word} into English: one word or a short phrase."
LONG = 90  # characters (tags aside) above which a unit is translated sentence by sentence
PIECE = 70  # …in pieces of about this many characters
UNITS = 32  # units per request to the model process, decoded four at a time
AGAIN = 2  # rounds of trying a piece with a problem another way


class LocalBackend(HttpBackend):
    name = "local"
    default_endpoint = "in-process"
    default_key_env = None
    limits = Limits(texts=UNITS, chars=100_000)  # each unit its own conversation
    solo_retry = False  # each unit is already alone; a piece is asked again with its problem

    def __init__(self, context: BackendContext) -> None:
        super().__init__(context)
        model = self.options.get("model", model_files.default_model_path())
        self.model_path = Path(str(model)).expanduser()
        self.threads = int(self.options.get("threads", os.cpu_count() or 2))
        self.context_size = int(self.options.get("context", 12_288))
        self.batch_size = int(self.options.get("n_batch", 512))
        self.slots = int(self.options.get("parallel_sequences", 4))

    def fingerprint(self) -> str:
        return json.dumps([self.model_path.name, PROMPT_VERSION])

    def bill(self, wire_texts: list[str], source: str, target: str) -> int:
        return 0  # it runs here: nothing to pay

    def glossary_by_tags(self) -> bool:
        return False  # the terms go into the conversation

    def model(self) -> ModelProcess:
        hint = model_files.INSTALL_HINT
        if not model_files.runtime_installed():
            raise BackendRejected(f"local: llama-cpp-python is not installed: {hint}")
        if not self.model_path.is_file():
            raise BackendRejected(f"local: no model at {self.model_path}: {hint}")
        return shared_model(
            self.model_path, self.threads, self.context_size, self.batch_size, self.slots
        )

    def plan(self, texts: Sequence[str]) -> list[list[str]]:
        """Titles first, in a request of their own, so that the other units of their posts
        are asked with the title's translation as context; then :data:`UNITS` at a time."""
        titles = [w for w in texts if self._title_of(from_wire(w)) == from_wire(w)]
        rest = [w for w in texts if w not in set(titles)]
        return ([titles] if titles else []) + [
            rest[i : i + UNITS] for i in range(0, len(rest), UNITS)
        ]

    def _title_of(self, text: str) -> str:
        try:
            return str(json.loads(self.contexts.get(text) or "{}").get("title", ""))
        except ValueError:
            return ""

    def send(self, wire_texts: list[str], source: str, target: str) -> list[str]:
        """Each unit in a conversation of its own (so no answer can be another unit's),
        a long one sentence by sentence; every piece checked, and a piece with a problem
        tried once more another way (see :meth:`_again`)."""
        if self.dry_run:
            raise BackendRejected("local: nothing is run in a dry run")
        model = self.model()
        cjk, keep = is_cjk_locale(target), self.kept_terms()
        texts = [from_wire(w) for w in wire_texts]
        units = [[t] if len(TAG.sub("", t)) <= LONG else pieces_of(t) for t in texts]
        heads = [self._head(text, source, target) for text in texts]
        asked = [self._ask(h, pieces) for h, pieces in zip(heads, units, strict=True)]
        answers = [
            [_fitted(a, piece, cjk) for a, piece in zip(found, pieces, strict=True)]
            for found, pieces in zip(self._generate(model, asked), units, strict=True)
        ]
        tries = {
            (u, k): (answers[u][k], why)
            for u, pieces in enumerate(units)
            for k, piece in enumerate(pieces)
            if (why := _problem(piece, answers[u][k], cjk, keep)) is not None
        }
        for attempt in range(AGAIN):  # a fix can leave another problem: one more round
            plans = {
                (u, k): self._again(heads[u], units[u][k], answer, why, attempt)
                for (u, k), (answer, why) in tries.items()
            }
            asked = [c for plan in plans.values() for c in plan.conversations]
            found = iter(self._generate(model, asked))
            for (u, k), plan in plans.items():
                answer = plan.finish([next(found) for _ in plan.conversations], cjk)
                why = _problem(units[u][k], answer, cjk, keep)
                if why is None:
                    answers[u][k] = answer
                    del tries[(u, k)]
                else:
                    tries[(u, k)] = (answer, why)
        joiner = "" if cjk else " "
        return [joiner.join(a.text.strip() for a in found) for found in answers]

    def _again(
        self, head: list[dict[str, Any]], piece: str, answer: Answer, why: str, attempt: int
    ) -> _Plan:
        """How to try a piece once more. Chinese left: each word left looked up alone and
        put in its place. A tag lost, the second time: the text between the tags asked
        piece by piece, and the tags put back between the answers where the source has
        them. Several sentences: sentence by sentence. Otherwise: the piece alone, without
        the pieces before it (another context, another path)."""
        if why.startswith(CHINESE_LEFT):
            runs = list(dict.fromkeys(re.findall(_HAN_RUN, TAG.sub(" ", answer.text))))
            lookups = [self._ask(head, [LOOKUP.format(word=run)]) for run in runs]
            return _Plan(piece, lookups, "words", runs, answer)
        if attempt > 0 and "tag" in why and TAG.search(piece):
            parts = _between_tags(piece)
            asked = [p for p in parts if not TAG.fullmatch(p) and _HAN.search(p)]
            return _Plan(piece, [self._ask(head, asked)] if asked else [], "tags", parts)
        sentences = split_sentences(piece)
        if len(sentences) > 1:
            return _Plan(piece, [self._ask(head, sentences)], "sentences", sentences)
        return _Plan(piece, [self._ask(head, [piece])], "alone", [piece])

    def _head(self, text: str, source: str, target: str) -> list[dict[str, Any]]:
        """What every conversation about ``text`` starts with: the system prompt, the worked
        examples, then the post's title (when its translation is known) and the glossary
        terms it uses, each as a turn of its own."""
        names = (
            LANGUAGES.get(language_of(source), source),
            LANGUAGES.get(language_of(target), target),
        )
        turns = list(EXAMPLES)
        title = self._title_of(text)
        if title and title != text:
            known = self.cache.get(self.key(title, source, target))  # accepted ones only
            if known:
                turns.append((title, known))
        turns += [(t, v or t) for t, v in self.glossary.items() if t in text]
        head: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM.format(source=names[0], target=names[1])}
        ]
        for said, answer in turns:
            head += [{"role": "user", "content": said}, {"role": "assistant", "content": answer}]
        return head

    def _ask(self, head: list[dict[str, Any]], pieces: list[str]) -> Conversation:
        """A conversation that asks for ``pieces`` one after another, each without the
        tags at its edges (put back by :func:`_fitted`)."""
        messages = list(head)
        for piece in pieces:
            core = _edges(piece)[1]
            messages += [{"role": "user", "content": core}, {"role": "assistant", "content": None}]
        stop = [] if any("\n" in p for p in pieces) else ["\n"]
        return Conversation(messages, [_budget(p) for p in pieces], stop, keep=len(head))

    def _generate(
        self, model: ModelProcess, conversations: list[Conversation]
    ) -> list[list[Answer]]:
        if not conversations:
            return []
        with self._counting:
            self.requests += 1
            self.sent_chars += sum(
                len(m["content"] or "") for c in conversations for m in c.messages[c.keep :]
            )
        return model.generate(conversations)


def _budget(piece: str) -> int:
    """Tokens an answer may take: English runs to about one token per Chinese character."""
    return 2 * len(piece) + 24


_EDGE_BEFORE = re.compile(r"^\s*(?:<x\d+/>\s*)+")
_EDGE_AFTER = re.compile(r"((?:\s*<x\d+/>)+)([\s。！？；：.!?;:…」』”’）)]*)$")
_END_PUNCT = re.compile(r"[\s.!?;:…\"')\]]*$")
_HAN_RUN = r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]+"
CHINESE_LEFT = "Chinese left"


def _edges(piece: str) -> tuple[str, str, str, str]:
    """(tags before, the piece without its edge tags, tags after, punctuation after them):
    a footnote mark or an image at a sentence's edge is put back by rule, not left to the
    model to place (``…取舍<x1/>。`` → ``…trade-off<x1/>.``)."""
    before = m.group(0) if (m := _EDGE_BEFORE.match(piece)) else ""
    rest = piece[len(before) :]
    after = _EDGE_AFTER.search(rest)
    if after is None or not TAG.sub("", rest[: after.start()]).strip():
        core, tags, punct = rest, "", ""
    else:
        core, tags, punct = rest[: after.start()] + after.group(2), after.group(1), after.group(2)
    if not TAG.sub("", core).strip():
        return "", piece, "", ""  # nothing but tags: leave it whole
    return before, core, tags, punct


def _fitted(answer: Answer, piece: str, cjk: bool) -> Answer:
    """The answer without quotes the model put around it, its tags in the source's form,
    and the piece's edge tags back in their places."""
    text = answer.text.strip()
    if len(text) > 1 and text[0] in "\"“'" and text[-1] in "\"”'" and text[0] not in piece:
        text = text[1:-1].strip()
    before, core, tags, punct = _edges(piece)
    text = repair_tags(text, core)
    if not cjk:
        text = text.translate(_ASCII_PUNCTUATION)
    if tags:
        end = _END_PUNCT.search(text) if punct.strip() else None
        at = end.start() if end is not None else len(text)
        text = text[:at] + tags.strip() + text[at:]
    return replace(answer, text=before + text)


@dataclass(slots=True)
class _Plan:
    """A piece tried once more: the conversations it takes, and how their answers make a
    new answer for the piece."""

    piece: str
    conversations: list[Conversation]
    how: str  # "words", "tags", "sentences" or "alone" (see LocalBackend._again)
    parts: list[str] = field(default_factory=list)  # what was asked, in order
    first: Answer | None = None  # for "words": the answer the words are put into

    def finish(self, found: list[list[Answer]], cjk: bool) -> Answer:
        if self.how == "words":
            assert self.first is not None
            text = self.first.text
            for word, answers in zip(self.parts, found, strict=True):
                english = _english_of(answers[0].text)
                if english:
                    text = re.sub(re.escape(word), partial(_spaced, word=english), text)
            return replace(self.first, text=text.strip())
        answers = found[0] if found else []
        if self.how == "tags":
            return _rejoined(self.parts, answers, cjk)
        parts = [_fitted(a, p, cjk) for a, p in zip(answers, self.parts, strict=True)]
        text = ("" if cjk else " ").join(p.text.strip() for p in parts)
        cut = any(p.finish_reason == "length" for p in parts)
        return Answer(text, "length" if cut else "stop")


def _between_tags(piece: str) -> list[str]:
    """``piece`` cut at its tags: text, tag, text…, each tag a part of its own."""
    return [p for p in re.split(r"(</?x\d+/?>)", piece) if p]


def _rejoined(parts: list[str], answers: list[Answer], cjk: bool) -> Answer:
    """The answers for the text between the tags, with the tags back in their places and
    a space between a tag and a word where English needs one (not inside a link's text)."""
    found = iter(answers)
    out, opened, cut = "", False, False
    for part in parts:
        if TAG.fullmatch(part):
            closing = part.startswith("</")
            if not cjk and not closing and out[-1:].isalnum():
                out += " "
            out += part
            opened = not closing and not part.endswith("/>")
            continue
        if not _HAN.search(part):
            text = part if cjk else part.translate(_ASCII_PUNCTUATION)
        else:
            answer = next(found)
            cut = cut or answer.finish_reason == "length"
            text = _fitted(answer, part, cjk).text.strip()
        if not cjk and not opened and out and not out[-1].isspace() and text[:1].isalnum():
            out += " "
        out += text
        opened = False
    return Answer(out.strip(), "length" if cut else "stop")


def _spaced(m: re.Match[str], *, word: str) -> str:
    """``word`` in the place of ``m``, a space between it and a letter or digit beside it."""
    before, after = m.string[m.start() - 1 : m.start()], m.string[m.end() : m.end() + 1]
    return (" " if before.isalnum() else "") + word + (" " if after.isalnum() else "")


def _english_of(text: str) -> str:
    """A looked-up word's translation, without Chinese the model echoed around it
    (``古城 (ancient town)`` → ``ancient town``)."""
    english = _HAN.sub(" ", text)
    english = re.sub(r"[()（）\[\]「」\"“”:：=-]", " ", english)
    return " ".join(english.split()).strip(".。").lower()


_HAN = re.compile(_HAN_RUN)
# full-width punctuation left in a translation into a language written without it
_ASCII_PUNCTUATION = str.maketrans("，。：；！？（）“”‘’、", ",.:;!?()\"\"'',")


def _problem(piece: str, answer: Answer, cjk: bool, keep: set[str]) -> str | None:
    if answer.finish_reason == "length":
        return "the translation was cut off"
    return machine_problem(piece, answer.text, cjk_target=cjk, keep=keep)


def pieces_of(text: str) -> list[str]:
    """``text`` cut into runs of whole sentences of about :data:`PIECE` characters."""
    pieces: list[str] = []
    for sentence in split_sentences(text):
        if pieces and len(TAG.sub("", pieces[-1])) + len(TAG.sub("", sentence)) <= PIECE:
            pieces[-1] += sentence
        else:
            pieces.append(sentence)
    return pieces


PROMPT_VERSION = 3  # part of the cache key: a new prompt is a new engine

_MODELS: dict[tuple[str, int, int, int, int], ModelProcess] = {}
_MODELS_LOCK = threading.Lock()


def shared_model(path: Path, threads: int, context: int, batch: int, slots: int) -> ModelProcess:
    """One model process per settings, shared by every backend and thread of this process
    (a worker keeps it for every task; requests take turns)."""
    key = (str(path), threads, context, batch, slots)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = ModelProcess(
                path, threads=threads, context=context, batch=batch, slots=slots
            )
        return _MODELS[key]


@atexit.register
def _stop_models() -> None:
    for model in _MODELS.values():
        model.close()


_: type[Backend] = LocalBackend
