"""Cited answers about Swedish regional project funding (calls, decisions, final reports)."""

__version__ = "0.1.0"
