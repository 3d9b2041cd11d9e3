"""OpenAI-compatible chat backends: the prompt, the JSON request and the JSON reply, shared
by :class:`ChatBackend` (any Chat Completions API) and the offline ``local`` backend."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ..markdown.cjk import language_of
from .base import Backend
from .http import HttpBackend, Limits, Retry

_base = language_of


SYSTEM_PROMPT = """\
You translate parts of a blog post from {source} to {target}.
You get a JSON object whose values are the texts; reply with a JSON object with the same \
keys and the translations as values, and nothing else.
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

    def parse(self, response: httpx.Response, count: int) -> list[str]:
        choice = response.json()["choices"][0]
        if choice.get("finish_reason") not in (None, "stop"):
            raise Retry(f"the model stopped: {choice.get('finish_reason')}")
        return parse_reply(str(choice["message"]["content"]), count)


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


def parse_reply(content: str, count: int) -> list[str]:
    """The translations of a JSON reply with keys u1…uN, strictly."""
    start, end = content.find("{"), content.rfind("}")
    data = json.loads(content[start : end + 1])
    if not isinstance(data, dict):
        raise ValueError("the reply is not a JSON object")
    missing = [f"u{i + 1}" for i in range(count) if not isinstance(data.get(f"u{i + 1}"), str)]
    if missing:
        raise ValueError(f"the reply lacks {', '.join(missing)}")
    return [str(data[f"u{i + 1}"]) for i in range(count)]


_: list[type[Backend]] = [ChatBackend]
