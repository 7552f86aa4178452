"""Shared fixtures: a private function registry per test, so tests can register functions freely."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
