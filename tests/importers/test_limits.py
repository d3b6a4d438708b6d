"""Files over the limits are refused before their rows are read, with a clear message."""

from __future__ import annotations

import io
import zipfile

from carbon.domain.identifiers import make_uscc
from importers.template import Limits, read_template, write_template


def _rows(n: int) -> list[dict[str, object]]:
    uscc = make_uscc("91330802MA2D00001")
    base = {"uscc": uscc, "name": "甲", "industry_code": "3011", "region_code": "330802", "electricity": 1.0}
    return [{**base, "month": f"2023-{m:02d}"} for m in range(1, n + 1)]


def test_too_many_rows_is_one_clear_error():
    parsed = read_template(write_template(_rows(10)), "big.xlsx", limits=Limits(max_rows=5))
    assert len(parsed.errors) == 1 and not parsed.records
    assert "more than the 5 allowed" in parsed.errors[0].message and "上限" in parsed.errors[0].message
    assert read_template(write_template(_rows(10)), "ok.xlsx", limits=Limits(max_rows=100)).ok


def test_zip_bomb_is_refused_before_parsing():
    # An xlsx with an extra member of 50 MB of zeros: ~50 KB on disk, 50 MB unpacked.
    buf = io.BytesIO(write_template(_rows(2)))
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/bomb.bin", b"\0" * 50_000_000)
    data = buf.getvalue()
    assert len(data) < 1_000_000
    parsed = read_template(data, "bomb.xlsx", limits=Limits(max_uncompressed_bytes=10_000_000))
    assert len(parsed.errors) == 1 and "expands to 50 MB" in parsed.errors[0].message
    assert read_template(data, "bomb.xlsx").ok  # under the default 1 GB it is an ordinary file


def test_csv_rows_are_limited_too():
    text = "统一社会信用代码,月份,电力(万千瓦时)\n" + "".join(
        f"{make_uscc('91330802MA2D00001')},2023-{m:02d},1\n" for m in range(1, 13)
    )
    parsed = read_template(text.encode(), "x.csv", limits=Limits(max_rows=5))
    assert len(parsed.errors) == 1 and "13 rows" in parsed.errors[0].message


def test_service_reads_limits_from_the_settings():
    from carbon.services.imports import import_limits
    from carbon.settings import Settings

    env = {"CARBON_MAX_ROWS": "7", "CARBON_MAX_UNPACKED_MB": "2.5"}
    want = Limits(max_rows=7, max_uncompressed_bytes=2_500_000)
    assert import_limits(Settings.from_env(env).imports) == want
    assert import_limits(Settings.from_env({}).imports) == Limits()


def test_absurdly_large_quantities_are_cell_errors_whatever_the_cell_type():
    """A figure above 10^12 (in the header's unit) is refused at its cell, as a number, as
    text, and beside ordinary rows: sums of accepted figures always stay finite."""
    rows = _rows(4)
    rows[1]["electricity"] = 1e13
    rows[2]["electricity"] = "2e300"
    rows[3]["natural_gas"] = 1e308
    parsed = read_template(write_template(rows), "big-numbers.xlsx")
    assert not parsed.ok
    found = sorted((e.row, e.message.split(":")[0]) for e in parsed.errors)
    assert [r for r, _ in found] == [3, 4, 5], parsed.errors
    assert all("more than 1e+12" in e.message and "计量单位" in e.message for e in parsed.errors)
    rows[1]["electricity"], rows[2]["electricity"], rows[3]["natural_gas"] = 1e12, "1000000000000", 0.0
    assert read_template(write_template(rows), "at-the-limit.xlsx").ok
