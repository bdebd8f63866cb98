"""CSV cells that are safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` is a formula to Excel, LibreOffice and
Google Sheets, so a student's name or answer could run one in the instructor's spreadsheet
(CSV formula injection). Such cells are written with a leading apostrophe, which spreadsheets
show as text; numbers such as ``-3`` stay numbers. exgen's own readers strip the apostrophe
again, so a file can go through a spreadsheet and back.
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_cell(value: object) -> object:
    """``value`` as a CSV cell no spreadsheet will evaluate."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or _NUMBER.fullmatch(value):
        return value
    return "'" + value


def read_cell(text: str) -> str:
    """The cell as written before :func:`spreadsheet_cell` protected it."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text
