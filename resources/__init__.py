"""Bundled data files (examples, icons); installed as the package `fancy_studio_resources`."""
