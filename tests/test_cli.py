"""The command line: exit codes, output formats, batches, and a fast --help."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from exgen import __version__
from exgen.cli import main


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0, result.output
    assert __version__ in result.output


def test_help_lists_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0, result.output
    assert "check" in result.output


def test_help_imports_nothing_heavy() -> None:
    code = "import sys; from exgen.cli import main; bad = {'sympy', 'flint', 'exgen.answers'} & set(sys.modules); print(sorted(bad))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_check_correct_exits_zero() -> None:
    result = run("check", "2x e^(x^2)", "e^(x^2)*2x")
    assert result.exit_code == 0, result.output
    assert "correct" in result.output and "read as" in result.output and "evidence" in result.output


def test_check_incorrect_exits_one_and_explains() -> None:
    result = run("check", "2x e^(x^2)", "e^2x")
    assert result.exit_code == 1, result.output
    assert "incorrect" in result.output and "differs at" in result.output and "warning" in result.output


def test_check_invalid_shows_a_caret() -> None:
    result = run("check", "x", "X + 1")
    assert result.exit_code == 1, result.output
    assert "did you mean x?" in result.output.lower()
    assert "X + 1\n" in result.output and "^" in result.output


def test_check_json() -> None:
    result = run("check", "--json", "--kind", "points", "(0,0), (2,-4)", "(2,-4)")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "incorrect" and data["score"] == 0.5
    assert set(data) >= {"verdict", "score", "message", "interpreted", "evidence", "warnings"}


def test_check_kinds_and_options() -> None:
    assert run("check", "--kind", "number", "--tolerance", "0.02", "1/3", "0.33").exit_code == 0
    assert run("check", "--kind", "vector", "--vars", "x,y", "(2x, 2y)", "<2x, 2y>").exit_code == 0
    assert run("check", "--kind", "label", "minimum", "local min").exit_code == 0
    assert run("check", "--functions", "sigma", "x", "sigma(x)").exit_code == 1


def test_batch_keeps_order_and_survives_bad_lines(tmp_path) -> None:
    lines = [
        json.dumps({"expected": "2x", "answer": "x+x"}),
        "this is not json",
        json.dumps({"expected": "(1,2", "answer": "1"}),
        json.dumps({"answer": "1"}),
        "",
        json.dumps({"expected": "minimum", "answer": "min", "type": "label"}),
        json.dumps({"expected": "1/3", "answer": "0.33", "kind": "number", "tolerance": 0.05}),
        json.dumps({"expected": "x", "answer": "y", "vars": "x,y"}),
        json.dumps(["not", "an", "object"]),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run("check", "--batch", str(path))
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["verdict"] for o in out] == ["correct", "invalid", "invalid", "invalid", "correct", "correct", "incorrect", "invalid"]
    assert [o["line"] for o in out] == [1, 2, 3, 4, 6, 7, 8, 9]


def test_batch_from_stdin_with_bom() -> None:
    result = run("check", "--batch", "-", input="\ufeff" + json.dumps({"expected": "2x", "answer": "2*x"}) + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["verdict"] == "correct"


def test_usage_errors_exit_two() -> None:
    assert run("check").exit_code == 2
    assert run("check", "x").exit_code == 2
    assert run("check", "--kind", "poem", "x", "x").exit_code == 2
    result = run("check", "--batch", "/nonexistent/file.jsonl")
    assert result.exit_code == 2, result.output


def test_bad_expected_answer_is_a_clean_failure() -> None:
    result = run("check", "(1, 2", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "expected answer" in result.output


def test_topics_lists_families() -> None:
    result = run("topics")
    assert result.exit_code == 0, result.output
    for family in ("derivative_rules", "lagrange", "neural_gradients", "hessian"):
        assert family in result.output


def test_topics_shows_a_sample_problem() -> None:
    result = run("topics", "critical_points", "--difficulty", "2", "--seed", "3", "--mistakes")
    assert result.exit_code == 0, result.output
    assert "(a)" in result.output and "Answer:" in result.output and "✗" in result.output


def test_topics_json_is_the_description() -> None:
    result = run("topics", "lagrange", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["family"] == "lagrange"


def test_topics_unknown_family_is_a_usage_error() -> None:
    assert run("topics", "calculus_of_variations").exit_code == 2


def test_verify_small_run() -> None:
    result = run("verify", "--family", "tangent_line", "--seeds", "3")
    assert result.exit_code == 0, result.output
    assert "tangent_line" in result.output and "failures" in result.output


def test_verify_unknown_family() -> None:
    assert run("verify", "--family", "nope").exit_code == 2


NEGATIVE_ARGUMENTS = [
    (["check", "-sin(x)", "−sin(x)"], 0),
    (["check", "-1/2", "-0.5", "--kind", "number"], 0),
    (["check", "--kind", "number", "-1/2", "-0.5"], 0),
    (["check", "-k", "number", "-1/2", "-0.50"], 0),
    (["check", "--kind=number", "-1/2", "-2/4"], 0),
    (["check", "-x", "x"], 1),
    (["check", "--", "-x", "-x"], 0),
]


def test_expressions_may_start_with_a_minus_sign() -> None:
    for args, code in NEGATIVE_ARGUMENTS:
        result = run(*args)
        assert result.exit_code == code, (args, result.output)
    assert run("check", "--nonsense", "x", "x").exit_code == 2  # unknown options are still refused


def test_check_shows_how_strong_the_evidence_is() -> None:
    assert "strength:   proved" in run("check", "2x", "x+x").output
    assert "strength:   sampled" in run("check", "sin(2x)", "2 sin(x) cos(x)").output
    data = json.loads(run("check", "--json", "sin(2x)", "2 sin(x) cos(x)").output)
    assert data["strength"] == "sampled"


def test_a_batch_survives_bad_bytes_and_deep_json(tmp_path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"expected": "x", "answer": "x"}\n'
        b"\xff\xfe not text\n"
        + b"[" * 200_000 + b"\n"
        + b'{"expected": "x", "answer": "2x"}\n'
        + b"not json\n"
        + b'{"expected": "x^2", "answer": "' + b"(" * 3000 + b'"}\n'
    )
    result = run("check", "--batch", str(path))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["line"] for line in lines] == [1, 2, 3, 4, 5, 6]
    assert [line["verdict"] for line in lines] == ["correct", "invalid", "invalid", "incorrect", "invalid", "invalid"]
    assert [line["code"] for line in lines[1:3]] == ["bad_encoding", "bad_json"]
    assert len(lines[5]["message"]) < 200  # a long answer is not echoed in full
