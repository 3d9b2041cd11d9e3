"""The HTTP translation providers, each speaking its documented wire format.

Endpoints, models, formality and glossary ids come from ``[backends.NAME]`` in the config;
the secret only from the environment variable named there (``key_env``), never from a flag,
and it is never written to a log, a PO file or an error message.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

import httpx

from ..errors import BackendRejected
from ..markdown.cjk import language_of
from ..markdown.placeholders import TAG
from .base import Backend, BackendContext
from .http import HttpBackend, Limits
from .replies import Retry
from .wire import from_wire

_base = language_of


class DeepLBackend(HttpBackend):
    """DeepL API v2 (Free and Pro hosts), XML tag handling, glossaries, formality."""

    name = "deepl"
    default_endpoint = "https://api-free.deepl.com"  # Pro: https://api.deepl.com
    default_key_env = "DEEPL_AUTH_KEY"
    limits = Limits(texts=50, chars=100_000, utf8_bytes=True)  # body <= 128 KiB
    price_per_million = 25.0

    def glossary_by_tags(self) -> bool:
        return "glossary_id" not in self.options  # with one: DeepL's own glossary

    def _target(self, locale: str) -> str:
        base = _base(locale)
        if base == "en":
            return str(self.options.get("english", "EN-US"))
        if base == "zh":
            return "ZH-HANT" if "hant" in locale.lower() or locale.endswith("TW") else "ZH-HANS"
        if base == "pt":
            return "PT-BR" if "br" in locale.lower() else "PT-PT"
        return base.upper()

    def request(self, texts: list[str], source: str, target: str) -> httpx.Request:
        body: dict[str, Any] = {
            "text": texts,
            "source_lang": _base(source).upper(),
            "target_lang": self._target(target),
            "tag_handling": "xml",
            "split_sentences": "nonewlines",
            "show_billed_characters": True,
        }
        for option in ("formality", "glossary_id", "model_type", "context"):
            if option in self.options:
                body[option] = self.options[option]
        return self.client.build_request(
            "POST",
            f"{self.endpoint}/v2/translate",
            json=body,
            headers={"Authorization": f"DeepL-Auth-Key {self.secret}"},
        )

    def parse(self, response: httpx.Response, texts: list[str]) -> list[str]:
        return [str(t["text"]) for t in response.json()["translations"]]

    def bill(self, wire_texts: list[str], source: str, target: str) -> int:
        """DeepL bills the source's code points; with tag handling, not the tags."""
        return sum(len(TAG.sub("", from_wire(w))) for w in wire_texts)

    def billed_by(self, response: httpx.Response, wire_texts: list[str]) -> int:
        counts = [t.get("billed_characters") for t in response.json()["translations"]]
        if all(isinstance(c, int) for c in counts):
            return sum(int(c) for c in counts)
        return super().billed_by(response, wire_texts)


class LibreTranslateBackend(HttpBackend):
    """A self-hosted LibreTranslate server, HTML mode, optional API key."""

    name = "libretranslate"
    default_endpoint = "http://127.0.0.1:5000"
    default_key_env = None  # set key_env when the server requires keys
    limits = Limits(texts=50, chars=5_000)

    def _code(self, locale: str) -> str:
        base = _base(locale)
        if base == "zh":
            return "zh-Hant" if "hant" in locale.lower() else "zh-Hans"
        return base

    def request(self, texts: list[str], source: str, target: str) -> httpx.Request:
        body = {
            "q": texts,
            "source": self._code(source),
            "target": self._code(target),
            "format": "html",
        }
        if self.key_env:
            body["api_key"] = self.secret
        return self.client.build_request("POST", f"{self.endpoint}/translate", json=body)

    def bill(self, wire_texts: list[str], source: str, target: str) -> int:
        return 0  # a self-hosted server bills nothing

    def parse(self, response: httpx.Response, texts: list[str]) -> list[str]:
        translated = response.json()["translatedText"]
        return [str(t) for t in translated] if isinstance(translated, list) else [str(translated)]


class AzureBackend(HttpBackend):
    """Microsoft Azure AI Translator, Text v3.0, HTML mode, region header."""

    name = "azure"
    default_endpoint = "https://api.cognitive.microsofttranslator.com"
    default_key_env = "AZURE_TRANSLATOR_KEY"
    limits = Limits(texts=1_000, chars=50_000)
    price_per_million = 10.0

    def _code(self, locale: str) -> str:
        base = _base(locale)
        if base == "zh":
            return "zh-Hant" if "hant" in locale.lower() else "zh-Hans"
        return base

    def request(self, texts: list[str], source: str, target: str) -> httpx.Request:
        headers = {"Ocp-Apim-Subscription-Key": self.secret}
        if "region" in self.options:
            headers["Ocp-Apim-Subscription-Region"] = str(self.options["region"])
        params = {
            "api-version": "3.0",
            "from": self._code(source),
            "to": self._code(target),
            "textType": "html",
        }
        if "category" in self.options:
            params["category"] = str(self.options["category"])
        return self.client.build_request(
            "POST",
            f"{self.endpoint}/translate",
            params=params,
            json=[{"Text": t} for t in texts],
            headers=headers,
        )

    def parse(self, response: httpx.Response, texts: list[str]) -> list[str]:
        return [str(item["translations"][0]["text"]) for item in response.json()]

    def billed_by(self, response: httpx.Response, wire_texts: list[str]) -> int:
        metered = response.headers.get("X-metered-usage", "")
        return int(metered) if metered.isdigit() else super().billed_by(response, wire_texts)


class AmazonBackend(HttpBackend):
    """Amazon Translate ``TranslateText``: one text per request, HTML kept, requests signed
    with AWS Signature Version 4 by botocore (the ``amazon`` extra). Credentials from the
    environment: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``."""

    name = "amazon"
    default_endpoint = ""  # https://translate.{region}.amazonaws.com, from ``region``
    default_key_env = "AWS_SECRET_ACCESS_KEY"
    limits = Limits(texts=1, chars=10_000, utf8_bytes=True)
    price_per_million = 15.0
    default_parallel = 4  # one text per request: four requests at a time

    def __init__(self, context: BackendContext) -> None:
        options = dict(context.options)
        self.region = str(options.get("region", "us-east-1"))
        options.setdefault("endpoint", f"https://translate.{self.region}.amazonaws.com")
        super().__init__(dataclasses.replace(context, options=options))
        self.access_env = str(self.options.get("access_key_env", "AWS_ACCESS_KEY_ID"))

    def glossary_by_tags(self) -> bool:
        return "terminology" not in self.options  # with one: Amazon's custom terminology

    def request(self, texts: list[str], source: str, target: str) -> httpx.Request:
        try:
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
        except ImportError as exc:
            raise BackendRejected(
                "amazon: botocore is not installed: pip install 'translator[amazon]'"
            ) from exc
        access = os.environ.get(self.access_env, "")
        if not access:
            raise BackendRejected(f"amazon: no access key: set {self.access_env}")
        body: dict[str, Any] = {
            "Text": texts[0],
            "SourceLanguageCode": _base(source),
            "TargetLanguageCode": target if "-" in target else _base(target),
        }
        if "terminology" in self.options:
            body["TerminologyNames"] = [str(self.options["terminology"])]
        if "formality" in self.options:
            body["Settings"] = {"Formality": str(self.options["formality"]).upper()}
        data = json.dumps(body, ensure_ascii=False).encode()
        url = f"{self.endpoint}/"
        signed = AWSRequest(
            method="POST",
            url=url,
            data=data,
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSShineFrontendService_20170701.TranslateText",
            },
        )
        token = os.environ.get("AWS_SESSION_TOKEN") or None
        SigV4Auth(Credentials(access, self.secret, token), "translate", self.region).add_auth(
            signed
        )
        return self.client.build_request("POST", url, content=data, headers=dict(signed.headers))

    def parse(self, response: httpx.Response, texts: list[str]) -> list[str]:
        return [str(response.json()["TranslatedText"])]

    def raise_for_status(self, response: httpx.Response) -> None:
        if response.status_code == 400:  # the JSON protocol names the error in ``__type``
            try:
                kind = str(response.json().get("__type", "")).rpartition("#")[2]
            except ValueError:
                kind = ""
            if kind in ("TooManyRequestsException", "ThrottlingException"):
                raise Retry(f"HTTP 400 {kind}")
            if kind in ("UnrecognizedClientException", "InvalidSignatureException"):
                raise BackendRejected(
                    f"amazon: not authorized (the keys in {self.access_env} and {self.key_env}): "
                    f"{kind}"
                )
        super().raise_for_status(response)


class GoogleBackend(HttpBackend):
    """Google Cloud Translation Basic (v2), HTML format; API key or OAuth bearer."""

    name = "google"
    default_endpoint = "https://translation.googleapis.com"
    default_key_env = "GOOGLE_TRANSLATE_KEY"
    limits = Limits(texts=128, chars=30_000, utf8_bytes=True)
    price_per_million = 20.0

    def _code(self, locale: str) -> str:
        base = _base(locale)
        if base == "zh":
            return "zh-TW" if "hant" in locale.lower() else "zh-CN"
        return base

    def request(self, texts: list[str], source: str, target: str) -> httpx.Request:
        body = {
            "q": texts,
            "source": self._code(source),
            "target": self._code(target),
            "format": "html",
        }
        if self.options.get("auth") == "bearer":
            headers = {"Authorization": f"Bearer {self.secret}"}
            params = {}
        else:
            headers, params = {}, {"key": self.secret}
        return self.client.build_request(
            "POST",
            f"{self.endpoint}/language/translate/v2",
            params=params,
            json=body,
            headers=headers,
        )

    def parse(self, response: httpx.Response, texts: list[str]) -> list[str]:
        return [str(t["translatedText"]) for t in response.json()["data"]["translations"]]

    def raise_for_status(self, response: httpx.Response) -> None:
        if response.status_code == 403 and "Rate Limit" in response.text:
            raise Retry("HTTP 403: rate limit exceeded")  # Google's way of saying 429
        super().raise_for_status(response)


class GoogleV3Backend(GoogleBackend):
    """Google Cloud Translation Advanced (v3) ``translateText``, OAuth bearer token from an
    environment variable, ``text/html``, optional glossary."""

    name = "google-v3"
    default_key_env = "GOOGLE_OAUTH_TOKEN"
    limits = Limits(texts=1024, chars=30_000)

    def glossary_by_tags(self) -> bool:
        return "glossary" not in self.options  # with one: the project's glossary

    def request(self, texts: list[str], source: str, target: str) -> httpx.Request:
        project = self.options.get("project")
        if not project:
            from ..errors import ConfigError

            raise ConfigError(f"backends.{self.name}.project is not set")
        location = self.options.get("location", "global")
        parent = f"projects/{project}/locations/{location}"
        body: dict[str, Any] = {
            "contents": texts,
            "mimeType": "text/html",
            "sourceLanguageCode": self._code(source),
            "targetLanguageCode": self._code(target),
        }
        if "glossary" in self.options:
            body["glossaryConfig"] = {"glossary": f"{parent}/glossaries/{self.options['glossary']}"}
        return self.client.build_request(
            "POST",
            f"{self.endpoint}/v3/{parent}:translateText",
            json=body,
            headers={"Authorization": f"Bearer {self.secret}"},
        )

    def parse(self, response: httpx.Response, texts: list[str]) -> list[str]:
        data = response.json()
        key = "glossaryTranslations" if "glossaryTranslations" in data else "translations"
        return [str(t["translatedText"]) for t in data[key]]


_: list[type[Backend]] = [
    DeepLBackend,
    LibreTranslateBackend,
    AzureBackend,
    GoogleBackend,
    GoogleV3Backend,
]
