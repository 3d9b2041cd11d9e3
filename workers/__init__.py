"""Celery workers for translator: ``celery -A workers worker -Q translator.mt`` on any
machine that can reach the broker (machine translation, no copy of the site needed), and
``celery -A workers worker -Q translator.site -c 1`` in the site's checkout (writes the
catalogs and builds the posts). See README.md, "Workers".
"""

from .app import app

__all__ = ["app"]
