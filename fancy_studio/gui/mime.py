"""Mime types the studio's drags carry."""

FUNCTION_MIME = "application/x-fancy-studio-function"
"""A palette entry: the function's slug, UTF-8."""
