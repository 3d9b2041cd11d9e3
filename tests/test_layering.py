from __future__ import annotations

import subprocess
import sys

import translator


def test_core_is_queue_free() -> None:
    probe = (
        "import sys, translator.cli, translator.context;"
        "print(sorted({'celery', 'redis', 'kombu', 'workers'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api_is_exactly() -> None:
    assert set(translator.__all__) == {"TranslatorError", "__version__"}
