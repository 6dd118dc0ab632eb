"""The shipped content model (``default.json`` + ``default.npz``), built by ``rejoinder train``."""
