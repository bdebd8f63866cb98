"""The jinja2 environments for worksheet templates, with the user's folder first.

Templates are looked up in ``--templates DIR`` first, then in exgen's packaged ``templates/``.
A user template can extend a packaged one explicitly with the ``default:`` prefix::

    {% extends "default:worksheet.tex.j2" %}
    {% block header %}...{% endblock %}

In LaTeX templates, jinja comments are ``((# … #))`` (``{#`` is common in LaTeX macros), and
every ``{{ value }}`` that is not already typeset is escaped for LaTeX, so titles and student
names such as ``O'Brien & Sons`` or ``50% Max_Power #1`` are safe. HTML templates autoescape.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, PrefixLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup

from exgen.i18n import t, tn
from exgen.rendering.text import escape_latex


def package_templates() -> Path:
    """Inside the wheel the templates are exgen/templates; in a checkout, the top-level folder."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "worksheet.tex.j2").is_file():
            return candidate
    raise FileNotFoundError("exgen's templates folder is missing")


class Fields(dict[str, Any]):
    """A template's record (a problem, a part, a step) whose keys are also attributes.

    Jinja reads ``part.id`` as an attribute first and a key second; on a plain dict the
    attribute lookup fails with an exception jinja catches, hundreds of times per page."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _tex_finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return escape_latex(str(value))


class _CompiledTemplates(FileSystemBytecodeCache):
    """Templates compiled once per machine, not once per command: compiling the feedback page
    and the item analysis was 32 ms of grading a small class. Jinja keys each entry by the
    template's source and the Python version, in a folder only this user can use
    (:func:`~exgen.private_folder.private_folder`); an entry that cannot be read is compiled again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged entry: compile again (and overwrite it)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full or read-only disk costs a compile next time, nothing more
            pass


@lru_cache(maxsize=1)
def compiled_templates() -> FileSystemBytecodeCache | None:
    from exgen.private_folder import private_folder

    folder = private_folder("templates")
    return _CompiledTemplates(str(folder)) if folder is not None else None  # no safe folder: compile each time


@lru_cache(maxsize=8)
def environment(kind: str, user_dir: str | None = None) -> Environment:
    """``kind`` is "tex" or "html"."""
    packaged = FileSystemLoader(str(package_templates()))
    loaders: list[Any] = []
    if user_dir:
        loaders.append(FileSystemLoader(user_dir))
    loaders += [PrefixLoader({"default": packaged}, delimiter=":"), packaged]
    options: dict[str, Any] = {
        "loader": ChoiceLoader(loaders),
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        "bytecode_cache": compiled_templates(),
    }
    if kind == "tex":
        environment = Environment(comment_start_string="((#", comment_end_string="#))", finalize=_tex_finalize, autoescape=False, **options)
        environment.filters["tex"] = lambda value: Markup(escape_latex(str(value)))
    else:
        environment = Environment(autoescape=True, **options)
    environment.globals["t"] = t
    environment.globals["tn"] = tn
    environment.globals["points_text"] = points_text
    environment.globals["colon"] = colon
    environment.globals["paren"] = paren_text
    return environment


def colon() -> str:
    """The colon after a label ("Version: ", "版本："), in the sheet's language."""
    return t("punct.colon")


def paren_text(text: object) -> str:
    """A remark in brackets after a word (" (s001)", "（s001）"), in the sheet's language."""
    return t("punct.paren", text=text)


def points_text(points: float) -> str:
    """"(2 points)", "(1 point)", "(1.5 points)" in the sheet's language."""
    return tn("sheet.points", 1 if points == 1 else 2, points=f"{points:g}")
