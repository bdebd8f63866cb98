"""Student-facing words, kept in locale catalogs so a translation can replace them.

Every sentence a student or instructor reads (verdict messages, feedback, label synonyms,
template text) lives in ``exgen/locales/<lang>.toml`` and is looked up by key with :func:`t`.
A catalog only needs the keys it translates: missing keys fall back to English.
An instructor can add or override a catalog without touching the package by pointing
``EXGEN_LOCALE_PATH`` at a folder of ``<lang>.toml`` files.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_LOCALE = "en"
_PACKAGE_LOCALES = Path(__file__).parent / "locales"
_current_locale: ContextVar[str] = ContextVar("exgen_locale", default=DEFAULT_LOCALE)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _locale_dirs() -> list[Path]:
    extra = os.environ.get("EXGEN_LOCALE_PATH", "")
    return [Path(p) for p in extra.split(os.pathsep) if p] + [_PACKAGE_LOCALES]


@lru_cache(maxsize=16)
def _load(lang: str, search_path: tuple[Path, ...]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    # Package catalog first, user folders override it.
    for folder in reversed(search_path):
        path = folder / f"{lang}.toml"
        if path.is_file():
            with path.open("rb") as handle:
                merged.update(_flatten(tomllib.load(handle)))
    return merged


def catalog(lang: str | None = None) -> dict[str, Any]:
    """The merged catalog for ``lang`` with English as the fallback for missing keys."""
    return _merged(lang or _current_locale.get(), os.environ.get("EXGEN_LOCALE_PATH", ""))


@lru_cache(maxsize=16)
def _merged(lang: str, extra_path: str) -> dict[str, Any]:
    # Keyed by the environment variable's value, so changing it takes effect.
    search_path = tuple(_locale_dirs())
    english = _load(DEFAULT_LOCALE, search_path)
    if lang == DEFAULT_LOCALE:
        return english
    return {**english, **_load(lang, search_path)}


def available_locales() -> list[str]:
    return sorted({p.stem for d in _locale_dirs() if d.is_dir() for p in d.glob("*.toml")})


def current_locale() -> str:
    return _current_locale.get()


@contextmanager
def use_locale(lang: str | None) -> Iterator[None]:
    """Render messages in ``lang`` inside the block (``None`` keeps the current locale)."""
    if lang is None:
        yield
        return
    token = _current_locale.set(lang)
    try:
        yield
    finally:
        _current_locale.reset(token)


def t(key: str, /, **params: Any) -> str:
    """The sentence for ``key`` in the current locale, with ``{placeholders}`` filled in."""
    entry = catalog().get(key)
    if entry is None:
        # A missing key is a programming error, but a student must still see something.
        return key if not params else f"{key} {params}"
    return str(entry).format(**params)


def lookup(key: str, default: Any = None) -> Any:
    """A raw catalog entry (lists, tables) for data such as label synonyms."""
    return catalog().get(key, default)
