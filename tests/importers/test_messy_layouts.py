"""Workbooks in the layouts people really keep, which the importer has never seen, import
with the same figures as their clean template equivalent (issue 4, "done when").

The layouts come from ``tests/messy_layouts/``, written from DESIGN §6.2 independently of
the importer: registers with title rows, group and unit header rows, synonyms, units,
subtotals and text numbers; English registers; months-as-columns ledgers with an
enterprise block. Each seed draws another variant.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from messy_layouts import english_layout, ledger_layout, register_layout

from carbon.domain.quantities import FIELD_KEYS
from importers.template import read_template, write_template
from sample_inputs.generate import generate

_ENTERPRISES, _ROWS = generate()
SEEDS = range(int(__import__("os").environ.get("MESSY_SEEDS", "6")))


def _subset(seed: int, n: int = 8) -> list[dict]:
    """The sample rows of ``n`` enterprises drawn by ``seed`` (all their months)."""
    chosen = set(random.Random(seed).sample([e.uscc for e in _ENTERPRISES], n))
    return [r for r in _ROWS if r["uscc"] in chosen]


def _figures(parsed) -> dict[tuple[str, str], dict[str, float | None]]:
    return {(r.uscc, str(r.period)): r.values for r in parsed.records}


def _same(messy, clean) -> list[str]:
    """Differences between two parses, per enterprise-month and field (canonical units)."""
    problems = []
    a, b = _figures(messy), _figures(clean)
    if a.keys() != b.keys():
        return [f"enterprise-months differ: {sorted(a.keys() ^ b.keys())[:5]}"]
    for k, clean_values in b.items():
        for key in FIELD_KEYS:
            x, y = a[k].get(key), clean_values.get(key)
            if x in (None, 0.0) and y in (None, 0.0):
                continue  # a column one layout leaves out is blank in the other
            if x is None or y is None or abs(x - y) > 1e-9 * max(abs(x), abs(y), 1.0):
                problems.append(f"{k} {key}: messy {x} clean {y}")
    return problems


def _totals(parsed) -> dict[tuple[str, int], dict[str, float]]:
    out: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in parsed.records:
        for key, v in r.values.items():
            out[(r.uscc, r.period.year)][key] += v or 0.0
    return out


@pytest.mark.parametrize("layout", [register_layout, english_layout, ledger_layout], ids=lambda f: f.__name__)
@pytest.mark.parametrize("seed", SEEDS)
def test_messy_layout_imports_the_same_figures_as_the_template(layout, seed):
    rows = _subset(seed)
    data, description = layout(rows, random.Random(seed))
    messy = read_template(data, "messy.xlsx")
    clean = read_template(write_template(rows), "clean.xlsx")
    assert clean.ok
    assert messy.errors == [], (description, messy.errors[:5])
    assert _same(messy, clean) == [], description
    # identity read from columns or from the block agrees with the clean file
    who = {(r.uscc, r.name, r.industry_code, r.region_code) for r in clean.records}
    assert {(r.uscc, r.name, r.industry_code, r.region_code) for r in messy.records} == who, description
    # nothing in the messy file is a problem beyond what it should note
    wrong_totals = [w for w in messy.warnings if "不符" in w.message]
    assert wrong_totals == [], (description, wrong_totals)


@pytest.mark.parametrize("layout", [register_layout, ledger_layout], ids=lambda f: f.__name__)
def test_a_wrong_subtotal_is_one_warning_and_the_figures_stand(layout):
    rows = _subset(11)
    options = {"bad_subtotal": True} if layout is register_layout else {"bad_total": True}
    data, description = layout(rows, random.Random(11), **options)
    messy = read_template(data, "messy.xlsx")
    clean = read_template(write_template(rows), "clean.xlsx")
    assert messy.errors == [], description
    assert _same(messy, clean) == [], description
    wrong = [w for w in messy.warnings if "不符" in w.message]
    assert len(wrong) == 1, (description, messy.warnings)
    # the description names the bad cell as 'sheet'!A1
    assert f"'{wrong[0].sheet}'!{wrong[0].column}{wrong[0].row}" in description, (description, wrong)


def test_totals_per_enterprise_year_match_the_generators_own_sums():
    from messy_layouts import clean_totals

    from carbon.domain.quantities import FIELD_BY_KEY, unit_factor

    rows = _subset(3)
    expected = clean_totals(rows)  # template units
    data, description = register_layout(rows, random.Random(3))
    got = _totals(read_template(data, "messy.xlsx"))
    for k, sums in expected.items():
        for key, v in sums.items():
            f = FIELD_BY_KEY[key]
            canonical = v * unit_factor(f.template_unit_zh, f.dimension)
            assert got[k][key] == pytest.approx(canonical, rel=1e-9), (description, k, key)
