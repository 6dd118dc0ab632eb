"""rejoinder: self-hosted comments with an Akismet-compatible spam engine."""

__version__ = "0.1.0"
