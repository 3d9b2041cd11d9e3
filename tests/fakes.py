"""Fake MT providers: a real HTTP server on 127.0.0.1 that speaks each provider's wire
format (auth, request shape, limits, error bodies) and translates deterministically: every
run of Chinese becomes ``trans`` words, tags, numbers and Latin words stay where they are.

Faults are queued per server (``server.faults.append("429")``) and consumed one per request;
``server.always`` is a fault every request gets. ``server.billed`` counts what the provider
would bill, by its own rule: DeepL the source's code points without tags, Google, Azure and
Amazon every character sent, LibreTranslate nothing, a chat API tokens (a token per CJK
character, one per four other characters: the rule of thumb OpenAI gives).
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

KEY = "test-secret-key-0123456789"
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”]+")


def fake_translate(text: str) -> str:
    """Each run of Chinese becomes ``trans`` once per two characters (about as long as an
    English translation runs), spaced from the words around it; tags, numbers, Latin words
    and Markdown marks stay where they are."""

    def words(m: re.Match[str]) -> str:
        before = text[m.start() - 1 : m.start()]
        after = text[m.end() : m.end() + 1]
        run = " ".join(["trans"] * ((len(m.group(0)) + 1) // 2))
        return (" " if before.isalnum() else "") + run + (" " if after.isalnum() else "")

    return _CJK.sub(words, text)


@dataclass
class Logged:
    path: str
    headers: dict[str, str]
    body: Any
    texts: list[str] = field(default_factory=list)


class FakeServer:
    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.log: list[Logged] = []
        self.faults: list[str] = []
        self.always = ""  # a fault on every request
        self.billed = 0
        self.latency = 0.0
        self.started = 0  # requests received (counted before the latency: "in flight")
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests handled at the same time
        self.callers: list[int] = []  # client ports of the requests in flight
        self._flight = threading.Lock()
        self.raw = threading.local()  # the request body as bytes (a signature covers them)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode()
                server.raw.body = raw
                server.callers.append(self.client_address[1])
                try:
                    status, headers, reply = server.handle(self.path, dict(self.headers), body)
                finally:
                    server.callers.remove(self.client_address[1])
                if status == 0:  # a dropped connection
                    self.close_connection = True
                    return
                data = (
                    reply
                    if isinstance(reply, bytes)
                    else json.dumps(reply, ensure_ascii=False).encode()
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def texts(self) -> list[str]:
        return [t for entry in self.log for t in entry.texts]

    # -- per provider ---------------------------------------------------------------

    def handle(
        self, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        with self._flight:
            self.started += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return self._handle(path, headers, body)
        finally:
            with self._flight:
                self.in_flight -= 1

    def _handle(
        self, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        if self.latency:
            time.sleep(self.latency)
        handler = getattr(self, f"_{self.provider.replace('-', '_')}")
        fault = self.faults.pop(0) if self.faults else self.always
        if fault == "timeout":
            time.sleep(1.5)
        if fault == "drop":
            return 0, {}, b""
        if fault.startswith("429"):
            after = fault.partition(":")[2]
            return 429, {"Retry-After": after} if after else {}, self._error("Too many requests")
        if fault in ("500", "503", "529"):
            return int(fault), {}, self._error("Service unavailable")
        if fault == "malformed":
            return 200, {}, b"{not json"
        if fault == "throttle":  # how AWS's JSON protocol says 429
            return 400, {}, {"__type": "TooManyRequestsException", "message": "Rate exceeded"}
        logged = len(self.log)
        status, reply = handler(path, headers, body, fault)
        if status != 200 or len(self.log) == logged:
            return status, {}, reply
        texts = self.log[-1].texts
        if self.provider == "deepl":
            billed = sum(len(html.unescape(re.sub(r"<[^<>]*>", "", t))) for t in texts)
        elif self.provider == "libretranslate":
            billed = 0
        elif self.provider == "openai":
            billed = reply["usage"]["total_tokens"]
        else:
            billed = sum(len(t) for t in texts)
        with self._flight:
            self.billed += billed
        if self.provider == "azure":
            return status, {"X-metered-usage": str(billed)}, reply
        return status, {}, reply

    def _error(self, message: str) -> Any:
        if self.provider == "libretranslate":
            return {"error": message}
        if self.provider == "openai":
            return {
                "error": {"message": message, "type": "requests", "code": "rate_limit_exceeded"}
            }
        if self.provider == "amazon":
            return {"__type": "TooManyRequestsException", "message": message}
        if self.provider in ("azure",):
            return {"error": {"code": 429001, "message": message}}
        if self.provider == "google":
            return {"error": {"code": 429, "message": message}}
        return {"message": message}

    def _mangle(self, texts: list[str], fault: str) -> list[str]:
        out = [fake_translate(t) for t in texts]
        if fault == "drop-tag":
            out = [re.sub(r'<x id="\d+"/>', "", t, count=1) for t in out]
        if fault == "leave-chinese":
            out = [t + " 中文" for t in out]
        if fault == "leave-chinese-once":  # in the first text only
            out = [out[0] + " 中文", *out[1:]]
        return out

    def _deepl(self, path: str, headers: dict[str, str], body: Any, fault: str) -> tuple[int, Any]:
        if path != "/v2/translate":
            return 404, {"message": "Not found"}
        if headers.get("Authorization") != f"DeepL-Auth-Key {KEY}":
            return 403, {"message": "Authorization failed"}
        if fault == "456":
            return 456, {"message": "Quota exceeded"}
        texts = body.get("text")
        if not isinstance(texts, list) or not texts or len(texts) > 50:
            return 400, {"message": "Value for 'text' not supported."}
        if (
            body.get("target_lang") not in ("EN-US", "EN-GB", "JA", "ZH-HANS", "FR", "DE", "KO")
            or body.get("source_lang") != "ZH"
        ):
            return 400, {"message": "Value for 'target_lang' not supported."}
        if body.get("tag_handling") != "xml":
            return 400, {"message": "tag handling expected by this fake"}
        self.log.append(Logged(path, headers, body, list(texts)))
        out = self._mangle(texts, fault)
        return 200, {
            "translations": [
                {
                    "detected_source_language": "ZH",
                    "text": t,
                    "billed_characters": len(html.unescape(re.sub(r"<[^<>]*>", "", s))),
                }
                for t, s in zip(out, texts, strict=True)
            ]
        }

    def _libretranslate(
        self, path: str, headers: dict[str, str], body: Any, fault: str
    ) -> tuple[int, Any]:
        if path != "/translate":
            return 404, {"error": "Not found"}
        if body.get("api_key") != KEY:
            return 403, {"error": "Invalid API key"}
        if body.get("source") != "zh-Hans" or body.get("format") != "html":
            return 400, {"error": "Invalid request"}
        q = body.get("q")
        texts = q if isinstance(q, list) else [q]
        self.log.append(Logged(path, headers, body, list(texts)))
        out = [
            " ".join(t.split()) for t in self._mangle(texts, fault)
        ]  # html mode collapses whitespace
        return 200, {"translatedText": out if isinstance(q, list) else out[0]}

    def _azure(self, path: str, headers: dict[str, str], body: Any, fault: str) -> tuple[int, Any]:
        url = urlparse(path)
        query = parse_qs(url.query)
        if url.path != "/translate" or query.get("api-version") != ["3.0"]:
            return 404, {"error": {"code": 404000, "message": "Not found"}}
        if (
            headers.get("Ocp-Apim-Subscription-Key") != KEY
            or headers.get("Ocp-Apim-Subscription-Region") != "eastasia"
        ):
            return 401, {"error": {"code": 401000, "message": "Access denied"}}
        if query.get("from") != ["zh-Hans"] or query.get("textType") != ["html"]:
            return 400, {"error": {"code": 400000, "message": "Invalid request"}}
        texts = [item["Text"] for item in body]
        if len(texts) > 1000 or sum(len(t) for t in texts) > 50000:
            return 400, {"error": {"code": 400077, "message": "Maximum request size exceeded"}}
        self.log.append(Logged(path, headers, body, texts))
        return 200, [
            {"translations": [{"text": t, "to": query["to"][0]}]}
            for t in self._mangle(texts, fault)
        ]

    def _amazon(self, path: str, headers: dict[str, str], body: Any, fault: str) -> tuple[int, Any]:
        """Amazon Translate's JSON protocol, with the SigV4 signature checked for real."""
        if path != "/" or headers.get("X-Amz-Target") != (
            "AWSShineFrontendService_20170701.TranslateText"
        ):
            return 400, {"__type": "UnknownOperationException"}
        if not _sigv4_valid(headers, self.raw.body, self.url):
            return 400, {"__type": "InvalidSignatureException", "message": "Signature mismatch"}
        text = body.get("Text")
        if not isinstance(text, str) or len(text.encode()) > 10_000:
            return 400, {"__type": "TextSizeLimitExceededException", "message": "too long"}
        if body.get("SourceLanguageCode") != "zh":
            return 400, {"__type": "UnsupportedLanguagePairException", "message": "pair"}
        self.log.append(Logged(path, headers, body, [text]))
        return 200, {
            "TranslatedText": self._mangle([text], fault)[0],
            "SourceLanguageCode": "zh",
            "TargetLanguageCode": body.get("TargetLanguageCode"),
        }

    def _google(self, path: str, headers: dict[str, str], body: Any, fault: str) -> tuple[int, Any]:
        url = urlparse(path)
        if url.path != "/language/translate/v2":
            return 404, {"error": {"code": 404, "message": "Not found"}}
        if parse_qs(url.query).get("key") != [KEY]:
            return 400, {"error": {"code": 400, "message": "API key not valid."}}
        if fault == "403-rate":
            return 403, {"error": {"code": 403, "message": "User Rate Limit Exceeded"}}
        texts = body["q"]
        if len(texts) > 128:
            return 400, {"error": {"code": 400, "message": "Too many text segments"}}
        self.log.append(Logged(path, headers, body, list(texts)))
        # HTML mode escapes entities in its output
        out = [t.replace("'", "&#39;") for t in self._mangle(texts, fault)]
        return 200, {"data": {"translations": [{"translatedText": t} for t in out]}}

    def _google_v3(
        self, path: str, headers: dict[str, str], body: Any, fault: str
    ) -> tuple[int, Any]:
        if not re.fullmatch(r"/v3/projects/[\w-]+/locations/[\w-]+:translateText", path):
            return 404, {"error": {"code": 404, "message": "Not found"}}
        if headers.get("Authorization") != f"Bearer {KEY}":
            return 401, {
                "error": {"code": 401, "message": "Request had invalid authentication credentials."}
            }
        texts = body["contents"]
        if (
            len(texts) > 1024
            or body.get("mimeType") != "text/html"
            or body.get("sourceLanguageCode") != "zh-CN"
        ):
            return 400, {"error": {"code": 400, "message": "Invalid request"}}
        self.log.append(Logged(path, headers, body, list(texts)))
        return 200, {"translations": [{"translatedText": t} for t in self._mangle(texts, fault)]}

    def _openai(self, path: str, headers: dict[str, str], body: Any, fault: str) -> tuple[int, Any]:
        if path != "/v1/chat/completions":
            return 404, {"error": {"message": "Not found"}}
        if headers.get("Authorization") != f"Bearer {KEY}":
            return 401, {
                "error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}
            }
        units = json.loads(body["messages"][-1]["content"])
        self.log.append(Logged(path, headers, body, list(units.values())))
        translated = self._mangle(list(units.values()), fault)
        # each answer opens with the first words of its text, as the prompt asks
        out: dict[str, Any] = {
            key: [text[:8], t] for (key, text), t in zip(units.items(), translated, strict=True)
        }
        if fault == "missing-key":
            out.pop(next(iter(out)))
        if fault == "swap" and len(out) > 1:  # a model one row off: u1 and u2 swapped
            keys = list(out)
            out[keys[0]], out[keys[1]] = out[keys[1]], out[keys[0]]
        finish = "length" if fault == "length" else "stop"
        return 200, {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish,
                    "message": {
                        "role": "assistant",
                        "content": json.dumps(out, ensure_ascii=False),
                    },
                }
            ],
            "usage": _usage(body["messages"], json.dumps(out, ensure_ascii=False)),
        }


_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _tokens(text: str) -> int:
    wide = len(_WIDE.findall(text))
    return wide + -(-(len(text) - wide) // 4)


def _usage(messages: list[dict[str, str]], reply: str) -> dict[str, int]:
    """Token counts as a chat API reports them (estimated by the rule of thumb)."""
    prompt = sum(_tokens(m["content"]) + 4 for m in messages)
    completion = _tokens(reply) + 2
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}  # fmt: skip


def servers(*providers: str) -> Iterator[FakeServer]:
    for provider in providers:
        with FakeServer(provider) as server:
            yield server


AWS_ACCESS = "AKIDFAKEEXAMPLE"


def _sigv4_valid(headers: dict[str, str], body: bytes, url: str) -> bool:
    """Recompute the request's AWS Signature Version 4 with the secret ``KEY``."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth = headers.get("Authorization", "")
    m = re.match(
        r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/translate/aws4_request, "
        r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$",
        auth,
    )
    if m is None or m.group(1) != AWS_ACCESS:
        return False
    signed = {h: v for h, v in headers.items() if h.lower() in m.group(4).split(";")}
    request = AWSRequest(method="POST", url=url + "/", data=body, headers=signed)
    request.context["timestamp"] = headers.get("X-Amz-Date", "")
    signer = SigV4Auth(Credentials(AWS_ACCESS, KEY), "translate", m.group(3))
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    return bool(expected == m.group(5))
