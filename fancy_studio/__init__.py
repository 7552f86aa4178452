"""Fancy Studio: build data pipelines by wiring functions on a canvas, and run them headless."""

__version__ = "0.1.0"
