"""Errors for the person at the terminal or the instructor's program.

Every exgen error is a ``click.ClickException``: the CLI prints its message without a traceback
and exits with ``exit_code`` (2 for usage mistakes, 1 for failures). Mistakes in *student*
answers are never exceptions; they come back as data in a verdict.
"""

from __future__ import annotations

import click


class ExgenError(click.ClickException):
    """Base class: a failure the user can act on (exit code 1)."""

    exit_code = 1


class UsageError(ExgenError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2


class ExpectedAnswerError(ExgenError):
    """An instructor-supplied expected answer (or problem definition) is unusable."""


class InputFileError(ExgenError):
    """An input file is missing, unreadable or not in the expected format."""
