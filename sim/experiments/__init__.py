"""Experiments over the model: sweep specs and designs, the runner, analysis, validation, bench."""
