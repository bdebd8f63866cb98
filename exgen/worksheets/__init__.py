"""Worksheets: a spec and a roster in, one version per student out (LaTeX/PDF, HTML, key.json, answers.csv)."""
