"""Problem families: determinism, seeds, structure, verification through the engine."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import sympy

from exgen.answers.kinds import KINDS
from exgen.answers.sympy_bridge import sigmoid
from exgen.problems import DIFFICULTIES, Mistake, generate, load_families, student_seed
from exgen.problems.derive import ASKS, derive
from exgen.problems.model import Part, Text
from exgen.problems.sets import Section, generate_set
from exgen.problems.values import effective_mistakes, same_value
from exgen.problems.verify import verify_family, verify_problem

FAMILIES = sorted(load_families())
REQUIRED_ASKS = {"derivative", "derivative_at", "tangent_line", "partial", "gradient", "gradient_at",
                 "critical_points", "classify", "lagrange_points", "lagrange_extreme_value", "gd_step"}


def test_all_eight_families_are_registered() -> None:
    assert FAMILIES == sorted([
        "activations", "critical_points", "derivative_rules", "hessian", "lagrange",
        "neural_gradients", "partial_derivatives", "tangent_line",
    ])


def test_the_documented_ask_vocabulary_is_implemented() -> None:
    assert REQUIRED_ASKS <= set(ASKS)
    for name, family in load_families().items():
        assert set(family.info.asks) <= set(ASKS), name


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_generated_problems_verify(family: str, difficulty: int) -> None:
    for seed in range(3):
        problem = generate(family, difficulty, seed)
        failures, _ = verify_problem(problem)
        assert not failures, [str(f) for f in failures]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_part_is_complete(family: str) -> None:
    problem = generate(family, 2, 11)
    assert isinstance(problem.statement, Text)
    for part in problem.parts:
        assert part.kind in KINDS
        assert part.ask in ASKS
        assert any(step.value is not None for step in part.steps), part.id
        assert part.mistakes, f"{family} part {part.id} has no mistake model"
        assert all(isinstance(m, Mistake) and m.text.key.startswith("mistakes.") for m in part.mistakes)
        for dependency in part.depends_on:
            assert dependency in {p.id for p in problem.parts}


@pytest.mark.parametrize("family", FAMILIES)
def test_description_is_json_and_rederivable_without_exgen(family: str) -> None:
    problem = generate(family, 3, 5)
    description = json.loads(json.dumps(problem.describe()))
    assert description["family"] == family and description["seed"] == 5
    for part in description["parts"]:
        derived = derive(part["ask"], part["args"], description["givens"])
        if part["kind"] == "label":
            assert derived == part["answer"]
            continue
        # the stored answer string parses with plain sympy and equals the re-derivation
        names = {name: sympy.Symbol(name) for name in part["variables"]}
        stored = sympy.sympify(part["answer"], locals={**names, "sigmoid": sigmoid})
        if part["kind"] == "points":
            stored = [tuple(p) for p in stored]
        if part["kind"] == "classified_points":  # [((x, y), label), …]: labels read as names
            stored = [(tuple(p), str(label)) for p, label in stored]
        assert same_value(part["kind"], stored, derived, part["variables"]), (part["id"], stored, derived)


def test_same_seed_same_problem_and_different_seeds_differ() -> None:
    for family in FAMILIES:
        first = generate(family, 2, 42).describe()
        assert first == generate(family, 2, 42).describe()
        others = {json.dumps(generate(family, 2, s).describe(), sort_keys=True) for s in range(10)}
        assert len(others) > 3, family


def test_problems_do_not_depend_on_the_hash_seed() -> None:
    code = (
        "import json; from exgen.problems import generate, load_families;"
        "print(json.dumps([generate(f, d, 7).describe() for f in sorted(load_families()) for d in (1, 2, 3)], sort_keys=True))"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("0", "1", "4242")
    }
    assert len(outputs) == 1


def test_student_seed_rule_is_stable() -> None:
    # sha256("exgen-student:<course seed>:<student id>"), first 8 bytes, big-endian
    import hashlib

    expected = int.from_bytes(hashlib.sha256(b"exgen-student:2026:s001").digest()[:8], "big")
    assert student_seed(2026, "s001") == expected
    assert student_seed(2026, " s001 ") == expected
    assert student_seed(2026, "s002") != expected


def test_a_sheet_has_no_duplicate_problems() -> None:
    sections = [Section("activations", 6, 1), Section("derivative_rules", 4, 1)]
    problems = generate_set(sections, seed=3)
    assert len(problems) == 10
    assert len({p.fingerprint for p in problems}) == 10
    assert [p.family for p in problems] == ["activations"] * 6 + ["derivative_rules"] * 4


def test_mistake_equivalent_to_the_key_is_dropped() -> None:
    x = sympy.Symbol("x")
    part = Part(
        id="a", prompt=Text("problems.derivative_rules.prompt"), kind="expression", answer=2 * x, ask="derivative",
        args={"f": "f", "var": "x"}, variables=("x",),
        mistakes=(Mistake("same", Text("mistakes.sign_error"), x + x), Mistake("other", Text("mistakes.sign_error"), -2 * x)),
    )
    assert [m.id for m in effective_mistakes(part)] == ["other"]


def test_verify_reports_counts() -> None:
    report = verify_family("derivative_rules", range(6))
    assert report.variants == 6 and not report.failures and report.distinct >= 5


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_verify_1000_seeds(family: str) -> None:
    report = verify_family(family, range(1000))
    assert not report.failures, [str(f) for f in report.failures[:10]]


# -- worked solutions read as a teacher writes them ------------------------------------------------

TERM_BY_TERM = {"steps.power_rule_terms", "steps.partial_treat_constant", "steps.partial_treat_constant_one", "steps.partial_again",
                "steps.tangent_terms.exp", "steps.tangent_terms.log", "steps.tangent_terms.sqrt"}


def _statement_function(problem) -> sympy.Expr:
    return problem.statement.params["f"].value.rhs


def _printed_sympy_terms(expr: sympy.Expr) -> list[sympy.Expr]:
    """The terms of ``expr`` in the order the page prints them, back as sympy values."""
    from exgen.answers.order import ordered_terms
    from exgen.answers.sympy_bridge import from_sympy, to_sympy

    tree = from_sympy(expr)
    return [to_sympy(term) for term in ordered_terms(tree)] if len(sympy.Add.make_args(expr)) > 1 else [expr]


@pytest.mark.parametrize("family", ["derivative_rules", "partial_derivatives", "tangent_line"])
def test_a_term_by_term_step_lists_each_result_under_its_term(family: str) -> None:
    """The i-th term of a term-by-term step is the derivative of the i-th term as the formula is
    printed (6x^4 + 4x^3 - 6x^2 gives 24x^3 + 12x^2 - 12x, not 12x^2 + 24x^3 - 12x); a term that
    vanishes shows as 0 in its place."""
    from exgen.answers.printer import to_text
    from exgen.answers.sympy_bridge import to_sympy
    from exgen.problems.steps import tree_of

    checked = 0
    for difficulty in DIFFICULTIES:
        for seed in range(120):
            problem = generate(family, difficulty, seed)
            f = _statement_function(problem)
            for part in problem.parts:
                for step in part.steps:
                    if step.text.key not in TERM_BY_TERM:
                        continue
                    if step.text.key == "steps.partial_again":
                        source, var = step.text.params["first"].value, step.text.params["var"].value
                    else:
                        source = f
                        var = sympy.Symbol(part.args["wrt"][0]) if part.ask == "partial" else sympy.Symbol("x")
                    wanted = [sympy.diff(term, var) for term in _printed_sympy_terms(sympy.expand(source))
                              if family == "partial_derivatives" or term.has(var)]
                    tree = tree_of(step.value)
                    shown = [to_sympy(term) for term in (tree.terms if len(wanted) > 1 else (tree,))]
                    assert len(shown) == len(wanted), (problem.seed, to_text(tree))
                    for got, expected in zip(shown, wanted):
                        assert sympy.simplify(got - expected) == 0, (family, difficulty, seed, to_text(tree), expected)
                    checked += 1
    assert checked >= 50  # (the power rule is one of several rules)


_X, _Y, _Z = sympy.symbols("x y z")


@pytest.mark.parametrize(("f", "var", "shown", "inner"), [
    # the power rule's exponent, and the chain rule's inner derivative, written before multiplying out
    (2 * _X**3 * _Y**3 + 2 * _X * _Y + 3 * sympy.exp(2 * _X * _Y), _X, "2*3*x^2*y^3 + 2*y + 3*exp(2*x*y)*2*y", ["2*y"]),
    # a factor without a number goes first (x e^{xy}); a negative number keeps its brackets
    (-sympy.exp(_X * _Y) - sympy.sin(2 * _X - 3 * _Y) + 5 * _Y**2, _Y, "5*2*y - x*exp(x*y) - cos(2*x - 3*y)*(-3)", ["x", "-3"]),
    # the variable in both factors: the product rule's two terms
    (6 * _Y * sympy.exp(2 * _X * _Y), _Y, "6*(exp(2*x*y) + y*exp(2*x*y)*2*x)", ["2*x"]),
    (-3 * sympy.log(_X**2 + _Y**2 + _Z**2 + 1), _Z, "-3*2*z*(x^2 + y^2 + z^2 + 1)^(-1)", ["2*z"]),
    (-4 * _X / (_X**2 + _Y**2 + 1), _Y, "4*x*(x^2 + y^2 + 1)^(-2)*2*y", ["2*y"]),
    # an inner derivative 1 is no chain factor worth writing
    (2 * sympy.cos(_X + _Y), _X, "-2*sin(x + y)", []),
    (4 * _Y**4 - _X, _X, "0 - 1", []),
])
def test_a_partial_derivative_is_written_term_by_term_with_its_rules(f: sympy.Expr, var: sympy.Symbol, shown: str, inner: list[str]) -> None:
    """∂f/∂v before multiplying out shows where each factor comes from, equals ∂f/∂v, and each
    chain rule's mistake model is ∂f/∂v with exactly that inner derivative left out."""
    from exgen.answers.printer import to_text
    from exgen.answers.sympy_bridge import to_sympy
    from exgen.problems.steps import partial_term_by_term

    work = partial_term_by_term(f, var)
    assert to_text(work.shown, ordered=True) == shown
    assert sympy.simplify(to_sympy(work.shown) - sympy.diff(f, var)) == 0
    assert [str(chain.inner) for chain in work.chains] == inner
    for chain in work.chains:  # the derivative with ∂(inside)/∂v taken as 1 for this one function
        inside = sympy.Dummy("s")
        frozen = f.xreplace({chain.function: chain.function.xreplace({chain.inside: inside})})
        expected = (sympy.diff(frozen, var) + sympy.diff(frozen, inside)).xreplace({inside: chain.inside})
        assert sympy.simplify(expected - chain.forgotten) == 0
        assert sympy.simplify(chain.forgotten - sympy.diff(f, var)) != 0


def test_partial_derivative_steps_name_each_chain_and_product_rule_in_formula_order() -> None:
    """The sentences before a term-by-term partial derivative: a product rule and each chain rule
    it uses (with the inside's derivative), in the order of the terms; and a mistake model for
    each chain factor a student can forget."""
    checked = 0
    for difficulty in (2, 3):
        for seed in range(40):
            problem = generate("partial_derivatives", difficulty, seed)
            for part in problem.parts:
                keys = [step.text.key for step in part.steps]
                if "steps.partial_chain" not in keys:
                    continue
                checked += 1
                chains = [step for step in part.steps if step.text.key == "steps.partial_chain"]
                worked = next(step for step in part.steps if step.text.key in TERM_BY_TERM)
                assert keys.index("steps.partial_chain") < keys.index(worked.text.key)
                for step in chains:
                    function, inside, var = (step.text.params[k].value for k in ("function", "inside", "var"))
                    assert sympy.simplify(step.text.params["inner"].value - sympy.diff(inside, var)) == 0
                    assert function.has(inside)
                if part.id in ("a", "b"):
                    assert sum(m.id == "partial_chain_dropped" for m in part.mistakes) >= 1, (seed, part.id)
    assert checked >= 40


@pytest.mark.parametrize("family", FAMILIES)
def test_a_worked_solution_says_nothing_twice(family: str) -> None:
    """No "simplify" or "result" line repeats the formula of the step before it."""
    from exgen.answers.printer import to_text
    from exgen.problems.steps import tree_of

    def printed(value):
        if isinstance(value, (tuple, list)):
            return tuple(printed(v) for v in value)
        return to_text(tree_of(value), ordered=True)

    for difficulty in DIFFICULTIES:
        for seed in range(25):
            for part in generate(family, difficulty, seed).parts:
                valued = [step for step in part.steps if step.value is not None]
                for before, step in zip(valued, valued[1:]):
                    if step.text.key in ("steps.simplify", "steps.result"):
                        assert printed(step.value) != printed(before.value), (difficulty, seed, part.id, printed(step.value))


def test_a_sum_written_in_order_keeps_it_with_its_numbers_last() -> None:
    """A sum a problem built unevaluated prints in its order, sympy's leading number moved last;
    a tree built in an order keeps even a 0 in its place (a term-by-term step)."""
    from exgen.answers import nodes as n
    from exgen.answers.printer import to_text
    from exgen.answers.sympy_bridge import from_sympy

    x, y = sympy.symbols("x y")
    assert to_text(from_sympy(sympy.Add(y, -x**2, evaluate=False)), ordered=True) == "y - x^2"
    assert to_text(from_sympy(sympy.Add(3, x, evaluate=False)), ordered=True) == "x + 3"
    assert to_text(from_sympy(-x**2 + y), ordered=True) == "y - x^2"
    zero_first = n.Add((n.Num(0), n.Neg(n.Mul((n.Num(2), n.Sym("x"))))), written=True)
    assert to_text(zero_first, ordered=True) == "0 - 2*x"


@pytest.mark.parametrize("family", ["derivative_rules", "tangent_line"])
def test_the_product_rule_names_u_the_factor_printed_first(family: str) -> None:
    """For f = ln(2x^2 + 5) sin x the step says u = ln(2x^2 + 5), as the reader sees f."""
    from exgen.rendering.text import math_latex

    named = 0
    for seed in range(150):
        problem = generate(family, 3, seed)
        shown = math_latex(_statement_function(problem))
        for part in problem.parts:
            for step in part.steps:
                if step.text.key == "steps.product_rule":
                    u = math_latex(step.text.params["u"].value)
                    negated = math_latex(-step.text.params["u"].value)  # -(3x^2 + 1) ln x for u = -3x^2 - 1
                    first = shown.removeprefix("\\frac{").removeprefix("-")  # a sign goes in front of the product
                    assert first.startswith((u, f"({u})", u.removeprefix("-"), f"({negated})")), (seed, shown, u)
                    named += 1
    assert named >= 25


def test_a_product_rule_key_is_simplified_as_a_teacher_would() -> None:
    """(p(x) e^(kx+c))′ is one polynomial times the exponential, (p(x)√(x+c))′ one fraction over
    2√(x+c): the exponential or the root appears once in the key, not once per term."""
    x = sympy.Symbol("x")
    for seed in range(60):
        problem = generate("tangent_line", 3, seed)
        f, key = _statement_function(problem), problem.parts[0].answer
        assert sympy.simplify(sympy.diff(f, x) - key) == 0
        def pieces(expr: sympy.Expr) -> list[sympy.Expr]:
            return [node for node in sympy.preorder_traversal(expr)
                    if isinstance(node, sympy.exp) or (node.is_Pow and abs(node.exp) == sympy.Rational(1, 2))]

        if pieces(f):
            assert len(pieces(key)) == 1, (seed, f, key)


def test_a_root_differentiated_without_its_exponent_is_a_named_slip() -> None:
    """(√x)′ = 1/√x, the classic slip: a mistake model of its own, whose message names the term."""
    from exgen.answers.check import check
    from exgen.rendering.text import render

    found = 0
    for seed in range(80):
        problem = generate("derivative_rules", 1, seed)
        part = problem.parts[0]
        slip = next((m for m in part.mistakes if m.id == "fractional_exponent_not_multiplied"), None)
        if slip is None:
            continue
        root = sympy.sqrt(sympy.Symbol("x"))
        a = slip.text.params["term"].value.as_coeff_Mul()[0]  # the term a·√x (difficulty 1 has no other fractional power)
        typed = KINDS["expression"].typed(part.answer - a / (2 * root) + a / root)  # the key with (a√x)′ written a/√x
        assert check(KINDS["expression"].typed(slip.answer), typed).verdict == "correct", (seed, typed)
        assert check(KINDS["expression"].typed(part.answer), typed).verdict == "incorrect", (seed, typed)
        message = render(slip.text, "latex")
        assert r"\sqrt{x}" in message and "not" in message, message
        found += 1
    assert found >= 5


def test_the_power_rule_step_shows_each_coefficient_times_its_exponent() -> None:
    """-4x^5 - 2x^3: the step reads -4·5x^4 - 2·3x^2, then the simplified key."""
    from exgen.rendering.text import math_latex

    shown = 0
    for seed in range(60):
        problem = generate("derivative_rules", 1, seed)
        steps = [s for s in problem.parts[0].steps if s.value is not None]
        if problem.parts[0].steps[0].text.key != "steps.rule_name.power":
            continue
        if len(steps) == 1:  # only negative or fractional powers: nothing to multiply out, no second line
            assert r"\cdot" not in math_latex(steps[0].value)
            continue
        lowered, simplified = steps
        assert lowered.text.key == "steps.power_rule_terms" and simplified.text.key == "steps.simplify"
        assert r"\cdot" in math_latex(lowered.value), math_latex(lowered.value)
        assert KINDS["expression"].same_value(simplified.value, problem.parts[0].answer, ("x",))
        shown += 1
    assert shown >= 5


def test_exp_log_and_trig_steps_show_each_rule_before_multiplying_out() -> None:
    """3 cos 3x - 4 sin 4x: 3(-3 sin 3x) - 4(4 cos 4x), then -9 sin 3x - 16 cos 4x."""
    from exgen.rendering.text import math_latex

    shown = 0
    for seed in range(80):
        for difficulty in (1, 2):
            problem = generate("derivative_rules", difficulty, seed)
            part = problem.parts[0]
            if part.steps[0].text.key not in ("steps.rule_name.exp_log", "steps.rule_name.trig"):
                continue
            applied, simplified = [s for s in part.steps if s.value is not None]
            assert "(" in math_latex(applied.value) or r"\frac" in math_latex(applied.value), math_latex(applied.value)
            assert KINDS["expression"].same_value(applied.value, part.answer, ("x",))
            assert simplified.text.key == "steps.simplify"
            shown += 1
    assert shown >= 20


def test_the_hessian_grid_step_writes_each_factor_in_terms_of_its_line() -> None:
    """f_y = 0 as α(u − r₁)(u − r₂) = 0 with u = y − x (or x + y) written the same way in both
    factors and in the lines it gives: −6(y − x)(y − x − 3), not −6(y − x)(−x + y − 3)."""
    from exgen.answers.printer import to_text
    from exgen.problems.steps import tree_of

    checked = 0
    for seed in range(60):
        problem = generate("hessian", 3, seed)
        for step in (s for part in problem.parts for s in part.steps if s.text.key == "steps.hessian_grid"):
            equation = step.text.params["u_eq"].value
            line = to_text(tree_of(step.text.params["us"].value[0].lhs), ordered=True)
            factors = re.findall(r"\(([^()]*)\)", to_text(equation, ordered=True))
            assert len(factors) == 2 and all(f.startswith(line) for f in factors), (seed, to_text(equation, ordered=True), line)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("family", ["activations", "neural_gradients"])
def test_the_value_of_the_activation_is_read_off_ln_k(family: str) -> None:
    """σ(ln k) = k/(k + 1) is used with k in sight: z = −ln 3 is written on as ln(1/3), and 0 as
    ln 1, so σ's argument in the step is ln of a positive number k whose σ (or tanh) is the value."""
    from fractions import Fraction

    from exgen.answers import nodes as n
    from exgen.answers.sympy_bridge import to_sympy
    from exgen.problems.steps import tree_of

    checked = 0
    for difficulty in (2, 3):
        for seed in range(40):
            problem = generate(family, difficulty, seed)
            for step in (s for part in problem.parts for s in part.steps
                         if s.text.key.startswith("steps.activation_value.") or s.text.key == "steps.nn_values_sigmoid"):
                shown = tree_of(step.text.params["value" if "value" in step.text.params else "yhat"].value)
                function = shown.lhs if isinstance(shown.lhs, n.Call) else shown.rhs.lhs
                argument = function.args[0]
                assert isinstance(argument, n.Call) and argument.func == "log", (seed, step.text.key)
                k = Fraction(str(to_sympy(argument.args[0])))
                expected = (k * k - 1) / (k * k + 1) if function.func == "tanh" else k / (k + 1)
                assert k > 0 and Fraction(str(to_sympy(shown.rhs if isinstance(shown.lhs, n.Call) else shown.rhs.rhs))) == expected
                checked += 1
    assert checked >= 40


def test_the_lagrange_constraint_step_shows_the_algebra_to_lambda_squared() -> None:
    """Σ (aᵢ/(2λ))² = (Σ aᵢ²)/(4λ²) = c, so λ² = …: every side of the chain is the same
    function of λ, and the λ² it states solves it."""
    from exgen.answers import nodes as n
    from exgen.answers.sympy_bridge import to_sympy
    from exgen.problems.steps import tree_of

    lam = sympy.Symbol("lambda")
    checked = 0
    for difficulty in (1, 2, 3):
        for seed in range(30):
            problem = generate("lagrange", difficulty, seed)
            for step in (s for part in problem.parts for s in part.steps if s.text.key == "steps.lagrange_solve.into_constraint"):
                chain = tree_of(step.text.params["equation"].value)
                if not isinstance(chain.rhs, n.Eq):
                    continue
                squares, combined, c = to_sympy(chain.lhs), to_sympy(chain.rhs.lhs), to_sympy(chain.rhs.rhs)
                assert sympy.simplify(squares - combined) == 0, seed
                squared = step.text.params["lambdas"].value[0]
                assert squared.lhs == lam**2 and sympy.simplify(combined.subs(lam**2, squared.rhs) - c) == 0, seed
                checked += 1
    assert checked >= 10
