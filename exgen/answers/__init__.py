"""The answer engine: read what students type, decide equivalence, explain the verdict.

Flow: :mod:`~exgen.answers.lexer` and :mod:`~exgen.answers.reader` (text → tree, safely),
:mod:`~exgen.answers.kinds` (expression, number, points, vector, label, equation),
:mod:`~exgen.answers.equivalence` (exact proofs and certified numeric sampling),
:mod:`~exgen.answers.check` (the public ``check`` call and JSON-lines batches).
"""

from exgen.answers.check import check, check_lines, check_record
from exgen.answers.reader import Reading, ReadOptions, read
from exgen.answers.verdict import Verdict

__all__ = ["check", "check_lines", "check_record", "read", "ReadOptions", "Reading", "Verdict"]
