"""Find a backend by name: through the ``translator.backends`` entry points, so another
package can add one; the built-ins are registered the same way, with a fallback table for
a source checkout that was never installed. Naming a backend (``--backend`` or the
``backend`` setting) is the only way to use one: installing a plug-in enables nothing."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..errors import ConfigError
from .base import Backend, BackendContext, Batch, Request, Suggestion

__all__ = [
    "DEFAULT_BACKEND",
    "Backend",
    "BackendContext",
    "Batch",
    "Request",
    "Suggestion",
    "available",
    "load_backend",
]

GROUP = "translator.backends"
DEFAULT_BACKEND = "tm"
_BUILTIN = {
    "amazon": "translator.backends.providers:AmazonBackend",
    "azure": "translator.backends.providers:AzureBackend",
    "deepl": "translator.backends.providers:DeepLBackend",
    "google": "translator.backends.providers:GoogleBackend",
    "google-v3": "translator.backends.providers:GoogleV3Backend",
    "libretranslate": "translator.backends.providers:LibreTranslateBackend",
    "local": "translator.backends.local:LocalBackend",
    "openai": "translator.backends.chat:ChatBackend",
    "pseudo": "translator.backends.pseudo:PseudoBackend",
    "review": "translator.backends.review:ReviewBackend",
    "tm": "translator.backends.memory:MemoryBackend",
}


def available() -> dict[str, str]:
    """Backend name -> ``module:attr``, from entry points and the built-in table."""
    from importlib.metadata import entry_points  # slow to import: only when asked

    found = dict(_BUILTIN)
    for ep in entry_points(group=GROUP):
        found[ep.name] = ep.value
    return found


def load_backend(name: str, context: BackendContext) -> Backend:
    # built-ins are ours: no need to scan every installed distribution for them
    target = _BUILTIN.get(name) or available().get(name)
    if target is None:
        raise ConfigError(f"unknown backend {name!r} (available: {', '.join(sorted(available()))})")
    module_name, _, attr = target.partition(":")
    factory: Callable[[BackendContext], Backend] = getattr(
        importlib.import_module(module_name), attr
    )
    return factory(context)
