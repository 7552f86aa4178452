"""Placeholder; filled in next."""
