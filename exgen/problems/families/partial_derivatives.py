"""Partial derivatives of functions of two or three variables: first, second and mixed
partials, and the gradient as a vector, also evaluated at a point."""

from __future__ import annotations

import random

import sympy

from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.calculus import d
from exgen.problems.model import Math, Mistake, Part, Step, Text, text
from exgen.problems.steps import PartialWork, Product, partial_term_by_term, substituted

X, Y, Z = sympy.symbols("x y z")


def _terms(rng: random.Random, variables: list[sympy.Symbol], difficulty: int) -> list[sympy.Expr]:
    x, y = variables[0], variables[1]
    pool = [
        lambda: nonzero(rng, -5, 5) * x ** rng.randint(1, 3) * y ** rng.randint(1, 3),
        lambda: nonzero(rng, -5, 5) * x ** rng.randint(1, 4),
        lambda: nonzero(rng, -5, 5) * y ** rng.randint(1, 4),
    ]
    if difficulty >= 2:
        pool += [
            lambda: nonzero(rng, -3, 3) * sympy.exp(nonzero(rng, -2, 2) * x * y),
            lambda: nonzero(rng, -3, 3) * sympy.sin(nonzero(rng, 1, 3) * x + nonzero(rng, -3, 3) * y),
            lambda: nonzero(rng, -3, 3) * x * sympy.exp(nonzero(rng, -2, 2) * y),
        ]
    if difficulty == 3:
        z = variables[2]
        pool += [
            lambda: nonzero(rng, -4, 4) * x * y * z,
            lambda: nonzero(rng, -3, 3) * sympy.log(x**2 + y**2 + z**2 + 1),
            lambda: nonzero(rng, -3, 3) * z ** rng.randint(2, 3) * x,
        ]
    count = {1: 3, 2: 3, 3: 4}[difficulty]
    chosen: list[sympy.Expr] = []
    while len(chosen) < count:
        term = rng.choice(pool)()
        if all((term / other).free_symbols for other in chosen):  # no two terms alike
            chosen.append(term)
    return chosen


def _independent_terms(terms: list[sympy.Expr], var: sympy.Symbol) -> sympy.Expr:
    return sympy.Add(*[t for t in terms if not t.has(var)])


def _rule_steps(work: PartialWork, var: sympy.Symbol) -> list[Step]:
    """The sentences before a term-by-term partial derivative: each product rule and each chain
    rule it uses, with the inside's derivative, so the factors in the formula are explained."""
    return [Step(text("steps.partial_product", term=Math(rule.term), var=Math(var))) if isinstance(rule, Product)
            else Step(text("steps.partial_chain", function=Math(rule.function), inside=Math(rule.inside), var=Math(var),
                           inner=Math(rule.inner)))
            for rule in work.rules]


@family(
    "partial_derivatives",
    title="families.partial_derivatives.title",
    summary="families.partial_derivatives.summary",
    asks=("partial", "gradient", "gradient_at"),
)
class PartialDerivatives(Family):
    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        variables = [X, Y, Z] if difficulty == 3 else [X, Y]
        names = tuple(str(v) for v in variables)
        terms = _terms(rng, variables, difficulty)
        f = sympy.Add(*terms)
        if any(not f.has(v) for v in variables):
            raise RejectVariant("a variable does not occur")
        gradient = tuple(d(f, v) for v in variables)
        x, y = variables[0], variables[1]
        second = d(f, x, 2) if difficulty == 1 else d(f, x, y)
        if any(g.is_number for g in gradient[:2]) or second.is_number:
            raise RejectVariant("a constant partial derivative: nothing to practise")
        parts: list[Part] = []
        letters = iter("abcdefgh")
        for var, component in list(zip(variables, gradient))[:2]:
            kept = _independent_terms(terms, var)
            mistakes = [Mistake("sign_error", text("mistakes.sign_error"), -component)]
            if kept != 0:
                mistakes.append(Mistake("other_variable_terms_kept", text("mistakes.other_variable_terms_kept", var=Math(var)), component + kept))
            others = [v for v in variables if v != var]
            mistakes.append(Mistake("other_variable_differentiated", text("mistakes.other_variable_differentiated", var=Math(var)),
                                    d(f, var) + sympy.Add(*[d(f, o) for o in others])))
            work = partial_term_by_term(f, var)
            mistakes += [Mistake("partial_chain_dropped", text("mistakes.partial_chain_dropped", function=Math(chain.function),
                                                               var=Math(var), inner=Math(chain.inner)), chain.forgotten)
                         for chain in work.chains]
            parts.append(
                Part(
                    id=next(letters), prompt=text("problems.partial_derivatives.prompt_partial", var=Math(var)),
                    kind="expression", answer=component, ask="partial", args={"f": "f", "wrt": [str(var)]},
                    variables=names,
                    steps=(*_rule_steps(work, var),
                           Step(text("steps.partial_treat_constant" if len(others) > 1 else "steps.partial_treat_constant_one",
                                     var=Math(var), others=Math(list(others)) if len(others) > 1 else Math(others[0])), work.shown),
                           Step(text("steps.simplify"), component)),
                    mistakes=tuple(mistakes),
                )
            )
        if difficulty == 1:
            order, prompt = [str(x), str(x)], text("problems.partial_derivatives.prompt_second", var=Math(x))
            wrong = [Mistake("second_as_first", text("mistakes.second_as_first"), gradient[0])]
        else:
            order, prompt = [str(x), str(y)], text("problems.partial_derivatives.prompt_mixed", first=Math(x), second=Math(y))
            wrong = [Mistake("mixed_as_pure", text("mistakes.mixed_as_pure"), d(f, x, 2)),
                     Mistake("mixed_as_product", text("mistakes.mixed_as_product"), gradient[0] * gradient[1])]
        again = sympy.Symbol(order[1])
        work_again = partial_term_by_term(sympy.expand(gradient[0]), again)
        parts.append(
            Part(
                id=next(letters), prompt=prompt, kind="expression", answer=second, ask="partial",
                args={"f": "f", "wrt": order}, variables=names,
                steps=(*_rule_steps(work_again, again),
                       Step(text("steps.partial_again", first=Math(gradient[0]), var=Math(again)), work_again.shown),
                       Step(text("steps.simplify"), second)),
                mistakes=tuple(wrong), depends_on=("a",),
            )
        )
        gradient_id = next(letters)
        parts.append(
            Part(
                id=gradient_id, prompt=text("problems.partial_derivatives.prompt_gradient"), kind="vector", answer=gradient,
                ask="gradient", args={"f": "f", "vars": list(names)}, variables=names,
                steps=(Step(text("steps.gradient_collect"), gradient),),
                mistakes=(Mistake("gradient_order", text("mistakes.gradient_order"), tuple(reversed(gradient))),),
                depends_on=("a", "b") if difficulty < 3 else (),
            )
        )
        point = [sympy.Integer(rng.choice([-2, -1, 1, 2])) for _ in variables]
        if f.has(sympy.exp) and rng.random() < 0.7:
            point[rng.randrange(len(point))] = sympy.Integer(0)  # e^(kxy) is 1 where a coordinate is 0
        at = dict(zip(variables, point))
        value = tuple(g.xreplace(at) for g in gradient)
        all_rational = all(v.is_Rational for v in value)
        work = tuple(substituted(g, {str(v): p for v, p in zip(variables, point)}) for g in gradient)
        parts.append(
            Part(
                id=next(letters),
                prompt=text("problems.partial_derivatives.prompt_gradient_at", point=Math(tuple(point))),
                kind="vector", answer=value, ask="gradient_at",
                args={"f": "f", "vars": list(names), "at": [sstr(p) for p in point]}, variables=names,
                steps=(Step(text("steps.substitute_into_gradient", at=Math(tuple(point))), work), Step(text("steps.conclude"), value)),
                mistakes=(Mistake("value_not_gradient", text("mistakes.value_not_gradient"), (f.xreplace(at),) * len(variables)),
                          Mistake("gradient_order", text("mistakes.gradient_order"), tuple(reversed(value)))),
                depends_on=(gradient_id,), nice="integer" if all_rational and not f.has(sympy.exp, sympy.sin, sympy.log) else None,
            )
        )
        function = sympy.Function("f")(*variables)
        statement = text("problems.partial_derivatives.statement", f=Math(sympy.Eq(function, f, evaluate=False)))
        return statement, {"f": sstr(f)}, parts

