"""Offline model building: `rejoinder train` and `rejoinder evaluate` (datasets, augmentation,
fitting, evaluation, promotion of a new model).

It needs the `train` extra (``pip install 'rejoinder[train]'``: scikit-learn, matplotlib). The
runtime never imports this package (the import-linter contracts in pyproject.toml say so); the
model it writes is loaded by ``rejoinder.spam.learning.artifact``.
"""
