"""OpenAI-compatible chat backends (OpenAI, Ollama, vLLM, llama.cpp's server): the prompt,
the JSON request and the JSON reply.

Several units go in one request, each under an id (``u1``…); each comes back under its id
with the opening words of the text it translates, copied. A reply whose opening words are
not its own unit's (a model that slipped by one row and answered a neighbour), or whose
length is far from the source's, is in doubt: that unit is asked again on its own."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx

from ..markdown.cjk import language_of
from .base import Backend
from .checks import length_doubt
from .http import HttpBackend, Limits
from .replies import Retry
from .wire import from_wire

_base = language_of


SYSTEM_PROMPT = """\
You translate parts of a blog post from {source} to {target}.
You get a JSON object whose values are the texts; reply with a JSON object with the same \
keys, and nothing else. Under each key put a list of two strings: the first few words of \
the text under that key, copied as they are, then its translation.
Rules: keep every tag like <x id="1"/>, <g id="2"> and </g> exactly as it is, once, \
moving it to where it belongs in the translation; translate the text inside <g> tags; \
keep numbers, names, code and Latin-script terms as they are; no Chinese characters or \
full-width punctuation in the translation; Markdown such as **bold** stays Markdown.{extra}"""

LANGUAGES = {"zh": "Simplified Chinese", "en": "English", "ja": "Japanese", "ko": "Korean",
             "fr": "French", "de": "German", "es": "Spanish"}  # fmt: skip


class ChatBackend(HttpBackend):
    """OpenAI-compatible Chat Completions (OpenAI, Ollama, vLLM, llama.cpp server): a JSON
    object of texts in, the same keys back; everything checked like any other engine."""

    name = "openai"
    default_endpoint = "https://api.openai.com"
    default_key_env = "OPENAI_API_KEY"
    limits = Limits(texts=8, chars=8_000)
    price_per_million = 2.0  # per million characters, roughly, for a small model

    def glossary_by_tags(self) -> bool:
        return False  # the terms go into the prompt

    def request(self, texts: list[str], source: str, target: str) -> httpx.Request:
        model = self.options.get("model")
        if not model:
            from ..errors import ConfigError

            raise ConfigError(f"backends.{self.name}.model is not set")
        return self.client.build_request(
            "POST",
            f"{self.endpoint}/v1/chat/completions",
            json=chat_body(str(model), texts, source, target, self.chat_options(texts)),
            headers={"Authorization": f"Bearer {self.secret or 'none'}"},
        )

    def chat_options(self, wire_texts: list[str]) -> dict[str, Any]:
        return chat_options(self.options, self.glossary, self.contexts, wire_texts)

    billing = "tokens"

    def fingerprint(self) -> str:
        return json.dumps([super().fingerprint(), PROMPT_VERSION])

    def bill(self, wire_texts: list[str], source: str, target: str) -> int:
        """Tokens, roughly: the prompt as sent, and an answer of about the length a
        translation into English runs (with each unit's opening words copied)."""
        body = chat_body("model", wire_texts, source, target, self.chat_options(wire_texts))
        prompt = sum(approx_tokens(m["content"]) for m in body["messages"]) + 4 * 2
        answers = sum(
            approx_tokens(from_wire(w)[:8]) + _answer_tokens(from_wire(w)) + 8 for w in wire_texts
        )
        return prompt + answers + 2

    def billed_by(self, response: httpx.Response, wire_texts: list[str]) -> int:
        usage = response.json().get("usage") or {}
        total = usage.get("total_tokens")
        return int(total) if isinstance(total, int) else super().billed_by(response, wire_texts)

    def parse(self, response: httpx.Response, texts: list[str]) -> list[str]:
        choice = response.json()["choices"][0]
        if choice.get("finish_reason") not in (None, "stop"):
            raise Retry(f"the model stopped: {choice.get('finish_reason')}")
        replies = parse_reply(str(choice["message"]["content"]), len(texts))
        for i, (text, (opening, translation)) in enumerate(zip(texts, replies, strict=True)):
            doubt = _shifted(i, opening, texts) or length_doubt(from_wire(text), translation)
            if doubt and len(texts) > 1:
                self.doubts[text] = doubt
        return [translation for _opening, translation in replies]


def chat_options(
    options: Any, glossary: Any, contexts: dict[str, str], wire_texts: list[str]
) -> dict[str, Any]:
    """The prompt's context for a batch: the glossary, the post's title, and the text just
    before the first unit and just after the last."""
    from .wire import from_wire, to_wire

    merged = {**options, "glossary_terms": glossary}
    first = contexts.get(from_wire(wire_texts[0]), "") if wire_texts else ""
    last = contexts.get(from_wire(wire_texts[-1]), "") if wire_texts else ""
    try:
        head = json.loads(first) if first else {}
        tail = json.loads(last) if last else {}
    except ValueError:
        return merged
    if head.get("title") and "title" not in options:
        merged["title"] = head["title"]
    merged["before"] = to_wire(head.get("before", ""))
    merged["after"] = to_wire(tail.get("after", ""))
    return merged


def chat_body(
    model: str, texts: list[str], source: str, target: str, options: Any
) -> dict[str, Any]:
    """The request shared by the OpenAI-compatible and the local backend."""
    glossary = options.get("glossary_terms") or {}
    extra = ""
    if glossary:
        extra = "\nUse these translations of terms: " + "; ".join(
            f"{k} = {v}" for k, v in glossary.items()
        )
    if options.get("title"):
        extra += f"\nThe post is titled: {options['title']}"
    if options.get("before"):
        extra += (
            f"\nThe text just before these (context only, not to translate): {options['before']}"
        )
    if options.get("after"):
        extra += f"\nThe text just after these (context only, not to translate): {options['after']}"
    system = SYSTEM_PROMPT.format(
        source=LANGUAGES.get(_base(source), source),
        target=LANGUAGES.get(_base(target), target),
        extra=extra,
    )
    payload = {f"u{i + 1}": text for i, text in enumerate(texts)}
    return {
        "model": model,
        "temperature": 0,
        "seed": 0,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
        ],
        "response_format": {"type": "json_object"},
        "max_tokens": int(options.get("max_tokens", 4 * sum(len(t) for t in texts) + 256)),
    }


def parse_reply(content: str, count: int) -> list[tuple[str, str]]:
    """(opening words copied, translation) under each key u1…uN of a JSON reply, strictly
    (a bare string is taken as a translation with no opening words)."""
    start, end = content.find("{"), content.rfind("}")
    data = json.loads(content[start : end + 1])
    if not isinstance(data, dict):
        raise ValueError("the reply is not a JSON object")
    found: list[tuple[str, str]] = []
    for i in range(count):
        value = data.get(f"u{i + 1}")
        if isinstance(value, str):
            found.append(("", value))
        elif isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            found.append((str(value[0]), str(value[1])))
        else:
            raise ValueError(f"the reply lacks u{i + 1}")
    return found


PROMPT_VERSION = 2  # part of the cache key: a new prompt is a new engine
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def approx_tokens(text: str) -> int:
    """About how many tokens a text is, by the rule of thumb chat APIs give: a token per
    CJK character, and one per four other characters."""
    wide = len(_WIDE.findall(text))
    return wide + -(-(len(text) - wide) // 4)


def _answer_tokens(text: str) -> int:
    """About how many tokens an English translation of ``text`` takes: half a token per
    Chinese character, the rest as it is."""
    plain = _PLAIN.sub(" ", text)
    wide = len(_WIDE.findall(plain))
    return -(-wide // 2) + approx_tokens(_WIDE.sub("", plain))


_PLAIN = re.compile(r"<[^<>]*(?:>|$)|\s+")  # tags (one cut short too) and spaces


def _opening(text: str) -> str:
    return _PLAIN.sub("", html.unescape(_PLAIN.sub("", text)))[:6]


def _shifted(index: int, opening: str, texts: list[str]) -> str | None:
    """Why the reply under ``index`` seems to answer another unit: its opening words are
    not its own text's, but another's."""
    said = _opening(opening)
    if not said:
        return None
    own = _opening(texts[index])
    if own.startswith(said[: len(own)]) or said.startswith(own[: len(said)]):
        return None
    for j, other in enumerate(texts):
        if j != index and _opening(other) and _opening(other).startswith(said[:3]):
            return f"the reply under u{index + 1} opens with u{j + 1}'s text (shifted)"
    return f"the reply under u{index + 1} does not open with its own text ({opening[:20]!r})"


_: list[type[Backend]] = [ChatBackend]
