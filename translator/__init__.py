"""Translate Chinese Jekyll/Hugo posts through gettext PO catalogs, byte for byte."""

from .errors import TranslatorError

__version__ = "0.1.0"
__all__ = ("TranslatorError", "__version__")
