"""Student-facing words, kept in locale catalogs so a translation can replace them.

Every sentence a student or instructor reads (verdict messages, feedback, label synonyms,
template text) lives in ``exgen/locales/<lang>.toml`` and is looked up by key with :func:`t`.
A catalog only needs the keys it translates: missing keys fall back to English.
An instructor can add or override a catalog without touching the package by pointing
``EXGEN_LOCALE_PATH`` at a folder of ``<lang>.toml`` files.

A message is words with ``{placeholders}`` and pieces of mathematics between ``$`` signs
(``$$`` for a piece on its own line),
written in a small subset of LaTeX (``$f'(x) = 0$``, ``$\\frac{\\partial f}{\\partial {var}}$``).
Inside mathematics, ``{name}`` is a placeholder only where ``name`` is one of the message's
parameters; other braces are LaTeX, and ``{{name}}`` is the LaTeX group of a letter that is
also a parameter's name (``\\frac{{u}}{{v}}`` beside ``u = {u}``). The renderers typeset the mathematics (LaTeX for PDF,
MathML for HTML); :func:`t` gives plain text, with the mathematics in Unicode.
"""

from __future__ import annotations

import os
import re
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
# The catalog use_locale resolved on entry: a page asks for hundreds of sentences, and resolving
# each again (reading EXGEN_LOCALE_PATH from the environment) was a tenth of rendering one.
_current_catalog: ContextVar[dict[str, Any] | None] = ContextVar("exgen_catalog", default=None)


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
    """The merged catalog for ``lang`` with English as the fallback for missing keys (inside
    :func:`use_locale`, as it was when the block began)."""
    if lang is None:
        current = _current_catalog.get()
        if current is not None:
            return current
    return _merged(lang or _current_locale.get(), os.environ.get("EXGEN_LOCALE_PATH", ""))


class Catalog(dict[str, Any]):
    """A merged catalog, and the sentences without parameters it has already given (a page asks
    for "Your answer" once per part)."""

    def __init__(self, entries: dict[str, Any]) -> None:
        super().__init__(entries)
        self.sentences: dict[str, str] = {}


@lru_cache(maxsize=16)
def _merged(lang: str, extra_path: str) -> Catalog:
    # Keyed by the environment variable's value, so changing it takes effect.
    search_path = tuple(_locale_dirs())
    english = _load(DEFAULT_LOCALE, search_path)
    if lang == DEFAULT_LOCALE:
        return Catalog(english)
    return Catalog({**english, **_load(lang, search_path)})


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
    resolved = _current_catalog.set(catalog(lang))
    try:
        yield
    finally:
        _current_catalog.reset(resolved)
        _current_locale.reset(token)


def t(key: str, /, **params: Any) -> str:
    """The sentence for ``key`` in the current locale, with ``{placeholders}`` filled in
    (plain text: mathematics in Unicode)."""
    entries = catalog()
    known = entries.sentences if not params and isinstance(entries, Catalog) else None
    if known is not None and key in known:
        return known[key]
    entry = entries.get(key)
    if entry is None:
        # A missing key is a programming error, but a student must still see something.
        return key if not params else f"{key} {params}"
    sentence = _sentence(entry, params)
    if known is not None:
        known[key] = sentence
    return sentence


def _sentence(entry: Any, params: dict[str, Any]) -> str:
    pieces = []
    for kind, value in parse_message(str(entry), params):
        if kind == "text":
            pieces.append(value)
        elif kind == "field":
            pieces.append(str(params[value]))
        else:
            pieces.append(latex_to_plain(fill_math(value, params, lambda v: str(v))))
    return "".join(pieces)


def tn(key: str, count: int, /, **params: Any) -> str:
    """A sentence about ``count`` things, in the plural form the locale's rule picks.

    The catalog gives ``key.one`` and ``key.other`` (English) or only ``key.other`` (Chinese);
    ``plural_rule`` in the catalog names the rule: ``one_other`` (one for 1) or ``other``.
    """
    rule = catalog().get("plural_rule", "one_other")
    form = "one" if rule == "one_other" and count == 1 else "other"
    if f"{key}.{form}" not in catalog():
        form = "other"
    return t(f"{key}.{form}", count=count, **params)


_MATH = re.compile(r"\$\$([^$]+)\$\$|\$([^$]+)\$")
# a placeholder in mathematics; ``{{u}}`` is the LaTeX group {u} when ``u`` is also a parameter
MATH_FIELD = re.compile(r"(?!(?<=\{)\{[A-Za-z_][A-Za-z0-9_]*\}\})\{([A-Za-z_][A-Za-z0-9_]*)\}")


@lru_cache(maxsize=4096)
def _split(template: str) -> tuple[tuple[str, str], ...]:
    """A message as ("text" | "field" | "math", content) pieces ("{{" and "}}" are braces)."""

    pieces: list[tuple[str, str]] = []
    position = 0
    for match in _MATH.finditer(template):
        pieces += _words(template[position : match.start()])
        pieces.append(("display", match.group(1)) if match.group(1) is not None else ("math", match.group(2)))
        position = match.end()
    pieces += _words(template[position:])
    return tuple(pieces)


def _words(chunk: str) -> list[tuple[str, str]]:
    import string

    pieces: list[tuple[str, str]] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(chunk):
        if literal:
            pieces.append(("text", literal))
        if name is not None:
            pieces.append(("field", name))
    return pieces


def parse_message(template: str, params: Mapping[str, Any] | None = None) -> tuple[tuple[str, str], ...]:
    return _split(template)


def message_placeholders(template: str) -> set[str]:
    """Every parameter a message uses, in words or in its mathematics."""
    names: set[str] = set()
    for kind, value in _split(template):
        if kind == "field":
            names.add(value)
        elif kind in ("math", "display"):
            names |= set(MATH_FIELD.findall(value))
    return names


def fill_math(source: str, params: Mapping[str, Any], render: Any) -> str:
    """A math piece with each ``{name}`` that is a parameter replaced by ``render(value)``."""
    return MATH_FIELD.sub(lambda m: render(params[m.group(1)]) if m.group(1) in params else m.group(0), source)


# -- LaTeX (the subset messages use) as plain Unicode text --------------------------------------

_SYMBOLS = {
    "partial": "∂", "nabla": "∇", "cdot": " · ", "times": " × ", "leftarrow": " ← ", "rightarrow": " → ", "to": " → ",
    "geq": " ≥ ", "ge": " ≥ ", "leq": " ≤ ", "le": " ≤ ", "neq": " ≠ ", "ne": " ≠ ", "infty": "∞", "pm": "±", "approx": " ≈ ",
    "prime": "′", "in": "∈", "quad": "  ", "qquad": "    ", ",": " ", ";": " ", " ": " ", "!": "", "ldots": "…",
    "dots": "…", "mid": "|", "parallel": "∥",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
    "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω", "Delta": "Δ",
}
_NAMED = {"sin", "cos", "tan", "sec", "csc", "cot", "ln", "log", "exp", "sinh", "cosh", "tanh", "max", "min",
          "arcsin", "arccos", "arctan", "sgn"}
_SUPER = str.maketrans("0123456789+-−()nxkiy", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁽⁾ⁿˣᵏⁱʸ")
_SUB = str.maketrans("0123456789+-()", "₀₁₂₃₄₅₆₇₈₉₊₋₍₎")
_SUPER_OK = set("0123456789+-−()nxkiy")
_SUB_OK = set("0123456789+-()")


def latex_to_plain(source: str) -> str:
    """``\\frac{\\partial f}{\\partial x}`` as ``∂f/∂x``, ``x^{2}`` as ``x²``, ``f_{xx}`` as ``f_xx``."""
    out, _ = _plain(source, 0)
    return " ".join(out.split()) if "\n" not in out else out


def _group(source: str, i: int) -> tuple[str, int]:
    """The plain text of the group or single token at ``i``."""
    while i < len(source) and source[i] == " ":
        i += 1
    if i < len(source) and source[i] == "{":
        return _plain(source, i + 1, closing="}")
    if i < len(source) and source[i] == "\\":
        return _command(source, i)
    return (source[i] if i < len(source) else ""), i + 1


def _command(source: str, i: int) -> tuple[str, int]:
    j = i + 1
    if j < len(source) and not source[j].isalpha():
        return _SYMBOLS.get(source[j], source[j]), j + 1
    while j < len(source) and source[j].isalpha():
        j += 1
    name = source[i + 1 : j]
    while j < len(source) and source[j] == " ":  # a space after a command only ends its name
        j += 1
    if name in ("frac", "tfrac", "dfrac"):
        top, j = _group(source, j)
        bottom, j = _group(source, j)
        top, bottom = (part.replace(" ", "") if part.startswith("∂") else part.strip() for part in (top, bottom))
        wrap = lambda s: s if len(s) <= 1 or s.isalnum() or (s.startswith("∂") and " " not in s) else f"({s})"  # noqa: E731
        return f"{wrap(top)}/{wrap(bottom)}", j
    if name in ("hat", "bar", "tilde", "vec"):
        inner, j = _group(source, j)
        marks = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7"}
        return inner + marks[name], j
    if name in ("text", "mathrm", "mathit", "operatorname", "mathbf"):
        return _group(source, j)
    if name == "sqrt":
        inner, j = _group(source, j)
        return f"√({inner})" if len(inner) > 1 else f"√{inner}", j
    if name in ("left", "right", "big", "Big", "bigl", "bigr", "displaystyle"):
        return "", j
    if name in _NAMED:
        return name + (" " if j < len(source) and (source[j].isalnum() or source[j] == "\\") else ""), j
    # a letter before a relation or an operator keeps the space it was written with: η = 1/5
    spaced = j > i + 1 + len(name) and j < len(source) and source[j] in "=<>+-"
    return _SYMBOLS.get(name, name) + (" " if spaced else ""), j


def _plain(source: str, i: int, closing: str | None = None) -> tuple[str, int]:
    out: list[str] = []
    while i < len(source):
        char = source[i]
        if closing is not None and char == closing:
            return "".join(out), i + 1
        if char == "\\":
            text, i = _command(source, i)
            out.append(text)
        elif char in "^_":
            inner, i = _group(source, i + 1)
            allowed, table = (_SUPER_OK, _SUPER) if char == "^" else (_SUB_OK, _SUB)
            if inner == "′" or inner == "\\prime":
                out.append("′")
            elif inner and set(inner) <= allowed:
                out.append(inner.translate(table))
            else:
                out.append(f"{char}({inner})" if char == "^" and len(inner) > 1 else f"{char}{inner}")
        elif char == "{":
            text, i = _plain(source, i + 1, closing="}")
            out.append(text)
        elif char == "'":
            out.append("′")
            i += 1
        elif char == "-":
            out.append("−")
            i += 1
        elif char == "~":
            out.append(" ")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out), i


def lookup(key: str, default: Any = None) -> Any:
    """A raw catalog entry (lists, tables) for data such as label synonyms."""
    return catalog().get(key, default)
