"""The admin's pages (管理员)."""

from __future__ import annotations
