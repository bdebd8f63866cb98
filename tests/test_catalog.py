"""Every message gets every placeholder it uses, from every place that asks for it.

The refusals and warnings of the reader declare their parameters (exgen/answers/diagnostics.py);
every other message is asked for with ``t("key", name=...)``. Both are checked against the
English catalog, statically, so a message can never fail for a missing parameter at the
moment a student needs it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from exgen.answers.diagnostics import REFUSALS, UNPLACED, WARNINGS
from exgen.i18n import catalog, message_placeholders, t

ROOT = Path(__file__).resolve().parents[1] / "exgen"


def placeholders(message: str) -> set[str]:
    return message_placeholders(message)


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_refusal_messages_use_exactly_their_declared_parameters(code: str) -> None:
    message = catalog("en")[f"answer.error.{code}"]
    expected = set(REFUSALS[code]) | (set() if code in UNPLACED else {"column"})
    assert placeholders(message) <= expected and set(REFUSALS[code]) <= placeholders(message), (code, message)


@pytest.mark.parametrize("code", sorted(WARNINGS))
def test_warning_messages_use_exactly_their_declared_parameters(code: str) -> None:
    message = catalog("en")[f"answer.warning.{code}"]
    assert set(WARNINGS[code]) <= placeholders(message) <= set(WARNINGS[code]) | {"column"}, (code, message)


def _calls(name: str) -> list[tuple[Path, ast.Call]]:
    found = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                if called == name:
                    found.append((path, node))
    return found


def test_every_translated_message_gets_its_placeholders() -> None:
    english = catalog("en")
    problems = []
    calls = _calls("t")
    assert len(calls) > 50
    for path, call in calls:
        if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
            continue  # a computed key: checked by the declared tables above
        key = call.args[0].value
        if key not in english:
            problems.append(f"{path.name}:{call.lineno}: no catalog entry {key!r}")
            continue
        if any(k.arg is None for k in call.keywords):
            continue  # **params: the tables above
        given = {k.arg for k in call.keywords}
        needed = placeholders(str(english[key]))
        if needed - given:
            problems.append(f"{path.name}:{call.lineno}: {key} needs {sorted(needed - given)}")
    assert not problems, problems


def test_every_refusal_raised_in_the_code_passes_its_declared_parameters() -> None:
    problems = []
    for path, call in _calls("Refusal"):
        if not call.args or not isinstance(call.args[0], ast.Constant):
            continue
        code = call.args[0].value
        if code not in REFUSALS:
            problems.append(f"{path.name}:{call.lineno}: undeclared refusal {code!r}")
            continue
        if any(k.arg is None for k in call.keywords):
            continue
        given = {k.arg for k in call.keywords}
        if given != set(REFUSALS[code]):
            problems.append(f"{path.name}:{call.lineno}: {code} given {sorted(given)}, declares {REFUSALS[code]}")
    assert not problems, problems


def test_declared_codes_all_have_messages() -> None:
    english = catalog("en")
    assert all(f"answer.error.{code}" in english for code in REFUSALS)
    assert all(f"answer.warning.{code}" in english for code in WARNINGS)


def _params_by_key() -> dict[str, set[str]]:
    """The parameters the code passes to each message (t(...) and text(...) calls)."""
    found: dict[str, set[str]] = {}
    for name in ("t", "text"):
        for _path, call in _calls(name):
            if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
                found.setdefault(call.args[0].value, set()).update(k.arg for k in call.keywords if k.arg)
    return found


def test_placeholders_in_mathematics_are_not_latex_arguments() -> None:
    """``\\frac{u}{v}`` in a message whose parameters include u and v would typeset the values as
    the fraction; a letter that is also a parameter's name is written ``{{u}}``."""
    import re

    from exgen.i18n import MATH_FIELD, parse_message

    params = _params_by_key()
    suspicious = []
    for key, message in catalog("en").items():
        if not isinstance(message, str) or key not in params:
            continue
        for kind, piece in parse_message(message):
            if kind not in ("math", "display"):
                continue
            for match in MATH_FIELD.finditer(piece):
                if match.group(1) in params[key] and re.search(r"(\\frac|\\sqrt|\\hat|\\text|\^|_|\})$", piece[: match.start()]):
                    suspicious.append((key, piece))
    assert not suspicious


def test_every_math_piece_converts_to_mathml() -> None:
    from latex2mathml.converter import convert

    from exgen.i18n import fill_math, parse_message

    params = _params_by_key()
    for key, message in catalog("en").items():
        if isinstance(message, str):
            names = dict.fromkeys(params.get(key, ()), "Q")
            for kind, piece in parse_message(message):
                if kind in ("math", "display"):
                    markup = convert(fill_math(piece, names, str))
                    assert "<math" in markup and "\\" not in markup, (key, piece, markup)


def _raw_catalog(lang: str) -> dict:
    """A catalog file as written (without the English fallback)."""
    import tomllib

    from exgen.i18n import _PACKAGE_LOCALES, _flatten

    with (_PACKAGE_LOCALES / f"{lang}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def _translations() -> list[str]:
    from exgen.i18n import _PACKAGE_LOCALES

    return sorted(p.stem for p in _PACKAGE_LOCALES.glob("*.toml") if p.stem != "en")


@pytest.mark.parametrize("lang", _translations())
def test_a_translation_has_exactly_the_english_keys_and_placeholders(lang: str) -> None:
    english, other = _raw_catalog("en"), _raw_catalog(lang)
    rule = other.get("plural_rule", "one_other")
    assert rule in ("one_other", "other")

    def needed(key: str) -> bool:  # a language without a singular form has no key.one
        return not (rule == "other" and key.endswith(".one") and key[:-4] + ".other" in english)

    missing = sorted(k for k in english if needed(k) and k not in other)
    extra = sorted(k for k in other if k not in english)
    assert not missing and not extra, (missing[:10], extra[:10])
    differing = []
    for key, message in english.items():
        if key not in other or isinstance(message, list) or key == "plural_rule":
            continue
        if key.endswith(".other") and rule == "other":
            wanted = placeholders(message) | placeholders(english.get(key[:-6] + ".one", ""))
        else:
            wanted = placeholders(message)
        if placeholders(other[key]) != wanted:
            differing.append((key, sorted(wanted), sorted(placeholders(other[key]))))
    assert not differing, differing[:10]


@pytest.mark.parametrize("lang", ["en", *_translations()])
def test_no_message_says_s_in_brackets_for_a_plural(lang: str) -> None:
    found = [k for k, v in _raw_catalog(lang).items() if isinstance(v, str) and "(s)" in v]
    assert not found, found


@pytest.mark.parametrize("lang", _translations())
def test_every_message_renders_in_every_language(lang: str) -> None:
    """Each message of the catalog, filled with its own placeholders, renders as text."""
    from exgen.i18n import use_locale

    with use_locale(lang):
        for key, message in _raw_catalog(lang).items():
            if isinstance(message, str) and key != "plural_rule":
                params = {name: "1" for name in placeholders(message)}
                assert isinstance(t(key, **params), str), key


def test_a_sentence_remembered_by_one_catalog_is_not_given_by_another(tmp_path, monkeypatch) -> None:
    from exgen.i18n import use_locale

    with use_locale("en"):
        assert t("grading.your_answer") == catalog("en")["grading.your_answer"]  # remembered now
    (tmp_path / "en.toml").write_text('[grading]\nyour_answer = "What you wrote"\n', encoding="utf-8")
    monkeypatch.setenv("EXGEN_LOCALE_PATH", str(tmp_path))
    with use_locale("en"):  # an instructor's catalog: another merged catalog, its own sentences
        assert t("grading.your_answer") == "What you wrote"
    monkeypatch.delenv("EXGEN_LOCALE_PATH")
    with use_locale("en"):
        assert t("grading.your_answer") != "What you wrote"


def test_template_records_read_as_attributes_and_as_keys() -> None:
    from exgen.rendering.templates import Fields, environment

    template = environment("html").from_string("{{ part.id }} {{ part['label'] }} {{ part.missing is undefined }}")
    assert template.render(part=Fields(id="1a", label="a")) == "1a a True"
    with pytest.raises(AttributeError):
        getattr(Fields(), "missing")  # noqa: B009 - the attribute lookup is what is tested


@pytest.mark.parametrize(("source", "plain"), [
    (r"\eta = 3", "η = 3"),  # a letter keeps the space before a relation
    (r"\lambda = 2", "λ = 2"),
    (r"\nabla f = 0", "∇f = 0"),  # and a command's own space still only ends its name
    (r"w \leftarrow w - \eta \frac{\partial L}{\partial w}", "w ← w − η∂L/∂w"),
    (r"\frac{\partial f}{\partial x}", "∂f/∂x"),
    (r"x^{2} + f_{xx}", "x² + f_xx"),
])
def test_catalog_mathematics_in_plain_text(source: str, plain: str) -> None:
    from exgen.i18n import latex_to_plain

    assert latex_to_plain(source) == plain
