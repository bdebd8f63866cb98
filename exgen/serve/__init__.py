"""``exgen serve``: students type their answers into their own version of the sheet, see how
each answer is read as they type, and save or check it; the instructor follows progress and
collects the answers in the answers.csv layout that ``exgen grade`` reads.

links (signed personal links) → store (append-only attempts, SQLite or PostgreSQL) →
pages (what the pages show, typeset from key.json) → app (the Starlette application).
"""
