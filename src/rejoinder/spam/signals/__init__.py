"""Signal families, one module each. Every signal satisfies :class:`base.Signal`."""
