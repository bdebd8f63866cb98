"""Rendering: problems and verdicts as plain text, LaTeX and HTML (templates in templates/)."""
