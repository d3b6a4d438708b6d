"""Hostile and corrupt uploads: always a 4xx error envelope, never a 5xx, nothing written.

A rejected import may leave its ``imports`` record (with the errors); the data tables
(monthly inputs, enterprises, accounts, ratings) must be exactly as before.
"""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from carbon.domain.identifiers import make_uscc
from carbon.store.models import AccountRow, Enterprise, MonthlyInput, RatingRow
from importers.layout import TEMPLATE_HEADERS
from importers.template import read_template, write_template

DATA_TABLES = (MonthlyInput, Enterprise, AccountRow, RatingRow)
ZH = list(TEMPLATE_HEADERS["zh"])
IDENTITY = ZH[:5]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def uscc(n: int) -> str:
    return make_uscc(f"91330802{n:09d}")


def template_rows(n_ent: int = 2, months: int = 2, seed: int = 0) -> list[dict[str, object]]:
    rnd = random.Random(seed)
    return [
        {
            "uscc": uscc(seed * 100 + e),
            "name": f"测试企业{seed}-{e}",
            "industry_code": "2614",
            "region_code": "330802",
            "month": f"2023-{m:02d}",
            "electricity": round(rnd.uniform(1, 500), 3),
            "natural_gas": round(rnd.uniform(0, 50), 3),
            "value_added": round(rnd.uniform(100, 9000), 2),
        }
        for e in range(n_ent)
        for m in range(1, months + 1)
    ]


VALID = write_template(template_rows(seed=7), lang="zh")


def sheet(rows: list[list[object]], start_row: int = 1) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                ws.cell(row=start_row + i, column=j + 1, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ident(n: int, month: str = "2023-01", name: str | None = None) -> list[object]:
    return [uscc(900 + n), name or f"企业{n}", "2614", "330802", month]


def with_cached(data: bytes, cell: str, cached: str) -> bytes:
    """``data`` with the formula cell ``cell`` given the cached value Excel would save.

    openpyxl saves a formula without its value (``<v />``); Excel saves the result, here
    an error (``t="e"``, #DIV/0!) or a string (``t="str"``)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                kind = "e" if cached.startswith("#") else "str"
                head = f'<c r="{cell}">'.encode()
                start = body.index(head)
                end = body.index(b"</c>", start) + 4
                formula = body[start:end].split(b"<f>")[1].split(b"</f>")[0]
                new = f'<c r="{cell}" t="{kind}"><f>'.encode() + formula + f"</f><v>{cached}</v></c>".encode()
                body = body[:start] + new + body[end:]
            dst.writestr(info.filename, body)
    return out.getvalue()


def flipped(data: bytes, offset: int) -> bytes:
    b = bytearray(data)
    b[offset] ^= 0xFF
    return bytes(b)


def garbage_sheet_xml() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(VALID))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = (
                    b"<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>99999</v></c></row><<<\x00garbage"
                )
            dst.writestr(info.filename, data)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
        z.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


def with_bad_cell() -> bytes:
    """A readable xlsx with one rejected cell (a negative quantity)."""
    rows = template_rows(seed=3)
    rows[-1]["natural_gas"] = -1.0
    return write_template(rows, lang="en")


# Truncated and byte-flipped files start from a workbook with one rejected cell: a flip in
# a part the reader ignores (docProps, a local header) leaves a readable file, which must
# still be rejected, never imported.
BAD = with_bad_cell()


def ole_encrypted() -> bytes:
    return OLE_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(1024)


def ole_header_only() -> bytes:
    return OLE_MAGIC + random.Random(5).randbytes(3000)


def gbk_csv() -> bytes:
    lines = [
        ",".join(IDENTITY + ["电力(万千瓦时)", "天然气(万立方米)"]),
        ",".join(map(str, [*ident(1), "12.5", "3"])),
        ",".join(map(str, [*ident(2), "十二", "3"])),  # not a number
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def nul_csv() -> bytes:
    text = ",".join(IDENTITY + ["电力(万千瓦时)"]) + "\n" + ",".join(map(str, [*ident(1), "1\x002"])) + "\n"
    return text.encode("utf-8")


HUGE_NAME = "企" * 100_000  # xlsx keeps 32,767; on PostgreSQL this was a 500 (name is varchar(200))

CASES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "empty.xlsx"),
    ("empty-csv", b"", "empty.csv"),
    *[(f"random-bytes-{s}", random.Random(s).randbytes(n), "random.xlsx") for s, n in
      ((0, 1), (1, 17), (2, 512), (3, 4096), (4, 40000))],
    ("random-bytes-csv", random.Random(9).randbytes(2000), "random.csv"),
    ("zip-magic-then-random", b"PK\x03\x04" + random.Random(6).randbytes(3000), "x.xlsx"),
    # ids name the cut, not its byte offset: the workbook's length may differ between
    # test workers (its creation time is inside), and every worker must collect the same ids
    *[(f"truncated-{i}", BAD[:n], "truncated.xlsx") for i, n in
      enumerate((1, 4, 30, 100, 1000, len(BAD) // 2, len(BAD) - 22, len(BAD) - 1))],
    *[(f"flipped-{i}", flipped(BAD, o), "flipped.xlsx") for i, o in
      enumerate((0, 2, 10, 30, 200, len(BAD) // 3, len(BAD) // 2, len(BAD) - 20, len(BAD) - 10))],
    ("zip-not-xlsx", plain_zip(), "archive.xlsx"),
    ("garbage-sheet-xml", garbage_sheet_xml(), "garbage.xlsx"),
    ("csv-with-nul", nul_csv(), "nul.csv"),
    ("csv-gbk-bad-value", gbk_csv(), "gbk.csv"),
    ("huge-name-cell", sheet([IDENTITY + ["电力(万千瓦时)"], [*ident(1, name=HUGE_NAME), 1]]), "huge.xlsx"),
    (
        "formula-hyperlink",
        with_cached(
            sheet([IDENTITY + ["天然气(万立方米)"], [*ident(1), '=HYPERLINK("http://example.com","link")']]),
            "F2",
            "link",
        ),
        "hyperlink.xlsx",
    ),
    ("header-on-row-41", sheet([IDENTITY + ["电力(万千瓦时)"], [*ident(1), 1.0]], start_row=41), "late.xlsx"),
    (
        "formula-error-div0",
        with_cached(sheet([IDENTITY + ["电力(万千瓦时)"], [*ident(1), "=1/0"]]), "F2", "#DIV/0!"),
        "div0.xlsx",
    ),
    ("formula-without-cached-value", sheet([IDENTITY + ["电力(万千瓦时)"], [*ident(1), "=2*3"]]), "f.xlsx"),
    ("xls-name-xlsx-content", with_bad_cell(), "misnamed.xls"),
    ("csv-name-xlsx-content", with_bad_cell(), "misnamed.csv"),
    ("ole-encrypted", ole_encrypted(), "secret.xlsx"),
    ("ole-header-garbage", ole_header_only(), "old.xls"),
]  # fmt: skip


def counts(app) -> dict[str, int]:
    with app.extensions["carbon_db"].read() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in DATA_TABLES}


def post(client, data: bytes, filename: str, dry_run: bool = False):
    url = "/api/v1/imports" + ("?dry_run=true" if dry_run else "")
    return client.post(url, data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


@pytest.fixture
def seeded(app, client):
    """The API with one small valid workbook already imported, so a partial write shows."""
    r = post(client, write_template(template_rows(seed=1), lang="zh"), "seed.xlsx")
    assert r.status_code == 201, r.json
    return app, client


@pytest.mark.parametrize(("data", "filename"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_upload_is_rejected_cleanly(seeded, data, filename):
    app, client = seeded
    before = counts(app)
    for dry_run in (True, False):
        r = post(client, data, filename, dry_run=dry_run)
        assert 400 <= r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:500])
        body = r.get_json()
        assert isinstance(body, dict), r.get_data(as_text=True)[:500]
        assert {"code", "status", "message", "errors"} <= set(body), body
        assert body["status"] == r.status_code
        assert isinstance(body["errors"], list)
        assert counts(app) == before


def test_header_only_workbook_changes_nothing(seeded):
    """0 data rows: rejected (DESIGN §9.2, "no data rows found / 未找到数据行")."""
    app, client = seeded
    before = counts(app)
    r = post(client, sheet([IDENTITY + ["电力(万千瓦时)"]]), "header-only.xlsx")
    assert r.status_code == 422, r.get_data(as_text=True)[:500]
    assert any("no data rows" in e["message"] for e in r.get_json()["errors"])
    assert counts(app) == before


@pytest.mark.parametrize("filename", ["valid.xls", "valid.csv", "valid.ods"])
def test_content_decides_the_format_not_the_name(filename):
    """A valid xlsx under another extension is read as what it is (by its bytes)."""
    parsed = read_template(VALID, filename)
    assert parsed.errors == [] and parsed.accepted == 4


@settings(max_examples=30, deadline=None, derandomize=True)
@given(data=st.binary(max_size=2000), name=st.sampled_from(["f.xlsx", "f.xls", "f.csv", "f.ods"]))
def test_read_template_never_raises_on_random_bytes(data, name):
    parsed = read_template(data, name)
    if name != "f.csv":
        # Random bytes are not a workbook.
        assert parsed.errors, parsed
        assert parsed.records == [] and parsed.accepted == 0


@settings(max_examples=30, deadline=None, derandomize=True)
@given(data=st.binary(min_size=1, max_size=2000))
def test_read_template_never_raises_on_corrupted_xlsx_prefix(data):
    """Random bytes after a valid zip header, and a valid workbook with random bytes mixed in."""
    read_template(b"PK\x03\x04" + data, "f.xlsx")
    cut = len(data) * 7 % len(VALID)
    parsed = read_template(VALID[:cut] + data + VALID[cut + len(data) :], "f.xlsx")
    assert parsed.errors or parsed.accepted in (0, 4)


def test_a_csv_with_a_very_long_file_name_imports(client):
    from carbon.domain.identifiers import make_uscc

    uscc = make_uscc("91330802LXNGNAME0")
    header = "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,电力(万千瓦时)"
    text = f"{header}\n{uscc},长名,3011,330802,2023-01,1\n"
    name = "能耗" * 150 + ".csv"
    r = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.json
