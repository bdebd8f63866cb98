"""Batch grading: key.json + submissions → gradebook, results, feedback and item analysis."""
