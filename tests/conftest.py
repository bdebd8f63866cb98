"""Shared fixtures: the conformance data lives beside the checkout in ../shared (read in place)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EXGEN_SHARED", ROOT.parent / "shared")) / "conformance"


def load_conformance(name: str) -> Any:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"conformance data {path} is not available")
    return json.loads(path.read_text(encoding="utf-8"))
