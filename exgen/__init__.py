"""exgen: calculus exercises for the mathematics behind neural networks — generated, verified, graded.

Heavy modules (sympy, the answer engine) load on first use, so ``exgen --help`` stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from exgen.answers import Verdict, check, read

_LAZY = {"check": "exgen.answers", "read": "exgen.answers", "Verdict": "exgen.answers"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'exgen' has no attribute {name!r}")


__all__ = ["__version__", "check", "read", "Verdict"]
