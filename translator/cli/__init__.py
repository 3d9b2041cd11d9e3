"""The ``translator`` command: takes the command line, gives the use cases' reports on
stdout/stderr and an exit code; the only place that prints or exits."""

from .main import main

__all__ = ["main"]
