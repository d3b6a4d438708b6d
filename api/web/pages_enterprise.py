"""The enterprise's pages (企业)."""

from __future__ import annotations
