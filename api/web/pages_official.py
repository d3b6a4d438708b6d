"""The official's pages (政府部门)."""

from __future__ import annotations
