"""The Datums dock: the table of stored results, its export and the full-value viewer."""
