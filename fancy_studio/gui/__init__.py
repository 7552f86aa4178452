"""The studio: a PySide6 node-graph editor over the core's workflow model (in progress)."""
