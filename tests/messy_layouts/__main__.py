"""``python -m messy_layouts`` (from tests/) or ``python tests/messy_layouts``: the self-check."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, to import the package

from messy_layouts.selfcheck import _selfcheck  # noqa: E402

if __name__ == "__main__":
    sys.exit(_selfcheck())
