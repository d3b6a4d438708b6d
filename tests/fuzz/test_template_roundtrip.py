"""Property tests: what write_template (or a hand-built workbook) holds, read_template reads.

Every canonical value must equal the written value times the unit factor of its column;
blank energy cells read as 0.0 and blank economic cells as None.
"""

from __future__ import annotations

import io
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from carbon.domain.identifiers import USCC_CHARSET, Period, make_uscc
from carbon.domain.quantities import ECONOMIC_KEYS, FIELD_BY_KEY, FIELD_KEYS, UNITS, unit_factor
from importers.layout import IDENTITY_COLUMNS, is_total_label
from importers.template import read_template, write_template

FUZZ = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

INDUSTRIES = ("3011", "2614", "2221", "1713")
REGIONS = ("330802", "330803", "330822", "330824", "330825", "330881")

usccs = st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9).map(lambda s: make_uscc("91330802" + s))

# Printable text: letters (CJK included), marks, digits, punctuation, symbols, spaces.
_name_chars = st.characters(categories=("L", "M", "N", "P", "S", "Zs"))
names = (
    st.one_of(
        st.text(_name_chars, min_size=1, max_size=40),
        st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=20),
    )
    .filter(lambda s: s.strip() and not is_total_label(s))
    .map(lambda s: s.strip())
)

# Non-negative floats: zero, large values up to 1e9, and values with many decimals.
amounts = st.one_of(
    st.just(0.0),
    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=10**9).map(float),
    st.decimals(min_value=0, max_value=10**6, places=9, allow_nan=False).map(float),
)


def template_factor(key: str) -> float:
    """The factor of the template's own column unit (万千瓦时 -> MWh is 10)."""
    f = FIELD_BY_KEY[key]
    return unit_factor(f.template_unit_zh, f.dimension)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-300)


@st.composite
def datasets(draw):
    """(rows in template units, {(uscc, 'YYYY-MM'): {key: expected canonical value}})."""
    codes = draw(st.lists(usccs, min_size=1, max_size=6, unique=True))
    ents = [
        (code, draw(names), draw(st.sampled_from(INDUSTRIES)), draw(st.sampled_from(REGIONS)))
        for code in codes
    ]
    months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=12, unique=True))
    keys = draw(st.lists(st.sampled_from(FIELD_KEYS), unique=True, max_size=len(FIELD_KEYS)))
    rows, expected = [], {}
    for code, name, industry, region in ents:
        for m in months:
            month = f"2023-{m:02d}"
            row: dict[str, object] = {
                "uscc": code,
                "name": name,
                "industry_code": industry,
                "region_code": region,
                "month": month,
            }
            want: dict[str, float | None] = {k: (None if k in ECONOMIC_KEYS else 0.0) for k in FIELD_KEYS}
            for k in keys:
                blank = draw(st.booleans()) if k in ECONOMIC_KEYS else draw(st.integers(0, 9)) == 0
                if blank:
                    continue
                row[k] = draw(amounts)
            # Green power is part of purchased electricity: never more than it.
            if "electricity_green" in row:
                row["electricity_green"] = min(row["electricity_green"], row.get("electricity", 0.0))
            for k in FIELD_KEYS:
                if k in row:
                    want[k] = row[k] * template_factor(k)
            rows.append(row)
            expected[(code, month)] = want
    return rows, expected, {e[0]: e for e in ents}


def check(parsed, expected, ents=None):
    assert parsed.errors == [], parsed.errors[:5]
    got = {(r.uscc, str(r.period)): r for r in parsed.records}
    assert set(got) == set(expected)
    for at, want in expected.items():
        rec = got[at]
        assert set(rec.values) == set(want), (at, sorted(rec.values), sorted(want))
        for k, v in want.items():
            assert close(rec.values.get(k), v), (at, k, rec.values.get(k), v)
        if ents is not None:
            code, name, industry, region = ents[at[0]]
            assert rec.name == " ".join(name.split())
            assert rec.industry_code == industry
            assert rec.region_code == region


@FUZZ
@given(data=datasets(), lang=st.sampled_from(["zh", "en"]))
def test_write_then_read_roundtrip(data, lang):
    rows, expected, ents = data
    parsed = read_template(write_template(rows, lang=lang), f"fuzz-{lang}.xlsx")
    check(parsed, expected, ents)
    assert parsed.accepted == len(expected)


# ---------------------------------------------------------------------------------------
# Hand-built workbooks: columns shuffled, any unit of the right dimension, text numbers

UNITS_BY_DIMENSION: dict[object, list[str]] = {}
for _spelling, (_dim, _factor) in UNITS.items():
    UNITS_BY_DIMENSION.setdefault(_dim, []).append(_spelling)


def thousands(x: float) -> str:
    """``1234567.125`` -> ``'1,234,567.125'`` (exact repr digits, with separators)."""
    text = repr(x)
    if "e" in text:  # 1.5e-07: the mantissa has one digit before the point
        return text
    whole, _, frac = text.partition(".")
    out = f"{int(whole):,}"
    return f"{out}.{frac}" if frac else out


@st.composite
def shuffled_sheets(draw):
    codes = draw(st.lists(usccs, min_size=1, max_size=4, unique=True))
    months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=6, unique=True))
    keys = draw(st.lists(st.sampled_from(FIELD_KEYS), unique=True, min_size=1, max_size=10))
    if "electricity_green" in keys and "electricity" not in keys:
        keys.append("electricity")
    lang = draw(st.sampled_from(["zh", "en"]))
    columns: list[tuple[str, str, float]] = []  # (key, header, factor)
    for c in IDENTITY_COLUMNS:
        columns.append((c.key, c.name_zh if lang == "zh" else c.name_en, 1.0))
    for k in keys:
        f = FIELD_BY_KEY[k]
        unit = draw(st.sampled_from(sorted(UNITS_BY_DIMENSION[f.dimension])))
        name = f.name_zh if lang == "zh" else f.name_en
        open_, close_ = draw(st.sampled_from([("(", ")"), ("（", "）"), (" (", ")"), ("[", "]")]))
        columns.append((k, f"{name}{open_}{unit}{close_}", unit_factor(unit, f.dimension)))
    columns = draw(st.permutations(columns))
    as_text = draw(st.booleans())
    rows, expected = [], {}
    for code in codes:
        for m in months:
            month = f"2023-{m:02d}"
            cells: dict[str, object] = {
                "uscc": code,
                "name": f"企业{code[-4:]}",
                "industry_code": "2614",
                "region_code": "330802",
                "month": month,
            }
            want: dict[str, float | None] = {}  # only the columns the sheet has
            for key, _header, factor in columns:
                if key in cells:
                    continue
                x = draw(amounts)
                cells[key] = x
                want[key] = x * factor
            if "electricity_green" in cells:
                # keep green <= electricity in canonical units
                fg = next(f for k, _, f in columns if k == "electricity_green")
                fe = next(f for k, _, f in columns if k == "electricity")
                if cells["electricity_green"] * fg > cells["electricity"] * fe:
                    cells["electricity_green"] = 0.0
                    want["electricity_green"] = 0.0
            if as_text:
                for key, _h, _f in columns:
                    if key in FIELD_BY_KEY:
                        cells[key] = thousands(cells[key])
            rows.append([cells[key] for key, _h, _f in columns])
            expected[(code, month)] = want
    return [h for _k, h, _f in columns], rows, expected


def build(header, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@FUZZ
@given(sheet=shuffled_sheets())
def test_shuffled_columns_and_other_units(sheet):
    header, rows, expected = sheet
    parsed = read_template(build(header, rows), "shuffled.xlsx")
    check(parsed, expected)


@FUZZ
@given(x=amounts, key=st.sampled_from(FIELD_KEYS))
def test_text_numbers_with_thousands_separators_read_the_same(x, key):
    f = FIELD_BY_KEY[key]
    code = make_uscc("913308020000000AB")
    header = ["统一社会信用代码", "企业名称", "行业代码", "行政区划代码", "月份", f.header_zh]
    ident = [code, "企业", "2614", "330802", "2023-03"]
    as_number = read_template(build(header, [[*ident, x]]), "n.xlsx")
    as_text = read_template(build(header, [[*ident, thousands(x)]]), "t.xlsx")
    assert as_number.errors == [] and as_text.errors == [], (as_number.errors, as_text.errors)
    a, b = as_number.records[0].values[key], as_text.records[0].values[key]
    assert close(a, x * template_factor(key)) and close(b, a), (x, thousands(x), a, b)
    assert as_text.records[0].originals[key] == thousands(x)
    assert Period(2023, 3) == as_text.records[0].period
