"""A sandboxed, pytest-based autograder for CNN notebooks."""

__version__ = "0.1.0"
