"""Viewers of values the Datums dock cannot show as a line: tables, images and plots."""
