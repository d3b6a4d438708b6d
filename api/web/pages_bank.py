"""The bank's pages (银行)."""

from __future__ import annotations
