"""Hypothesis draws messy layouts (tests/messy_layouts/) of random enterprises and
months; each must import with exactly the figures of its clean template equivalent."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "importers"))

from messy_layouts import english_layout, ledger_layout, register_layout  # noqa: E402
from test_messy_layouts import _ENTERPRISES, _ROWS, _same  # noqa: E402

from importers.template import read_template, write_template  # noqa: E402

USCCS = sorted({e.uscc for e in _ENTERPRISES})


@settings(
    max_examples=int(os.environ.get("MESSY_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    layout=st.sampled_from([register_layout, english_layout, ledger_layout]),
    chosen=st.sets(st.sampled_from(USCCS), min_size=1, max_size=6),
    months=st.sets(st.sampled_from([f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)]), min_size=1),
    seed=st.integers(0, 2**32 - 1),
    text_fraction=st.sampled_from([0.0, 0.05, 0.5]),
)
def test_any_messy_layout_round_trips(layout, chosen, months, seed, text_fraction):
    rows = [r for r in _ROWS if r["uscc"] in chosen and r["month"] in months]
    if not rows:
        return
    data, description = layout(rows, random.Random(seed), text_fraction=text_fraction)
    messy = read_template(data, "messy.xlsx")
    clean = read_template(write_template(rows), "clean.xlsx")
    assert messy.errors == [], (description, messy.errors[:5])
    assert _same(messy, clean) == [], description
