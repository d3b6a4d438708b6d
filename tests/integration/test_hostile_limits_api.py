"""Limits that keep one user from taking the server down, through the API (issue 12 #9):
bounded error lists, rejected files purged, statement timeouts, ANALYZE after bulk writes."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from click.testing import CliRunner
from conftest import configure
from openpyxl import load_workbook
from sqlalchemy import event, text

from carbon.domain.identifiers import make_uscc
from reports.error_workbook import BAD_FILL_COLOUR, SUMMARY_SHEET

HEAD = "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,电力(万千瓦时),天然气(万立方米)\n"


def bad_csv(n: int, seed: str = "") -> bytes:
    uscc = make_uscc("91330802MA2D00001")
    rows = [f"{uscc},甲{seed},3011,330802,{2000 + m // 12}-{m % 12 + 1:02d},坏,-1" for m in range(n)]
    return (HEAD + "\n".join(rows) + "\n").encode()


def upload(client, data: bytes, name: str):
    return client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_many_bad_cells_give_a_small_answer_counted_per_column(client, app, monkeypatch):
    configure(monkeypatch, app.extensions["carbon_db"], "imports", max_errors=20)
    r = upload(client, bad_csv(300), "bad.csv")
    assert r.status_code == 422
    body = r.json
    assert len(body["errors"]) == 20 and body["errors_total"] == 600
    assert "600 error(s)" in body["message"] and "first 20" in body["message"]
    by_column = {c["column"]: c["count"] for c in body["error_counts"]["by_column"]}
    assert by_column == {"bad!F": 300, "bad!G": 300}
    assert body["error_counts"]["rows"] == 300
    view = client.get(f"/api/v1/imports/{body['import_id']}").json
    assert view["rows_rejected"] == 300 and len(view["errors"]) == 20 and view["errors_total"] == 600
    assert view["error_counts"]["omitted"] == 580 and view["content_purged_at"] is None

    d = client.get(body["error_workbook"])
    assert d.status_code == 200
    wb = load_workbook(io.BytesIO(d.data))
    red = [
        c for ws in wb.worksheets if ws.title != SUMMARY_SHEET for row in ws.iter_rows() for c in row
        if c.fill is not None and c.fill.fgColor is not None and c.fill.fgColor.rgb.endswith(BAD_FILL_COLOUR)
        and c.comment is not None
    ]  # fmt: skip
    assert 0 < len(red) <= 20
    summary = " ".join(str(c.value) for row in wb[SUMMARY_SHEET].iter_rows() for c in row if c.value)
    assert "580 more error(s)" in summary and "bad!F 300" in summary


def test_errors_stored_before_the_cap_still_give_a_workbook(client, app, monkeypatch):
    """A rejected import recorded with 5,000 errors (as before the cap): errors.xlsx marks
    the first N and says how many more there were, instead of failing."""
    from carbon.store.models import ImportRow

    configure(monkeypatch, app.extensions["carbon_db"], "imports", max_errors=30)
    body = upload(client, bad_csv(3), "old.csv").json
    with app.extensions["carbon_db"].unit_of_work() as s:
        imp = s.get(ImportRow, body["import_id"])
        imp.errors = [
            {"sheet": "old", "row": 2 + i % 3, "column": "F", "message": f"e{i}"} for i in range(5000)
        ]
        imp.error_counts = None
    d = client.get(body["error_workbook"])
    assert d.status_code == 200
    summary = load_workbook(io.BytesIO(d.data))[SUMMARY_SHEET]
    assert summary.max_row <= 40
    assert any("4,970 more error(s)" in str(c.value) for row in summary.iter_rows() for c in row)


def test_rejected_files_bytes_are_purged_beyond_the_total_size(client, app, monkeypatch):
    from carbon.store.models import ImportRow

    first = bad_csv(200, "a")
    configure(monkeypatch, app.extensions["carbon_db"], "imports", rejected_keep_bytes=int(len(first) * 1.5))
    a = upload(client, first, "a.csv").json["import_id"]
    b = upload(client, bad_csv(200, "b"), "b.csv").json["import_id"]
    with app.extensions["carbon_db"].read() as s:
        old, new = s.get(ImportRow, a), s.get(ImportRow, b)
        assert old.content is None and old.content_purged_at is not None and old.size == len(first)
        assert old.sha256 and old.errors and new.content is not None
    view = client.get(f"/api/v1/imports/{a}").json
    assert view["content_purged_at"] and view["size"] == len(first) and view["errors"]
    d = client.get(f"/api/v1/imports/{a}/errors.xlsx")
    assert d.status_code == 200
    wb = load_workbook(io.BytesIO(d.data))
    assert wb.sheetnames == [SUMMARY_SHEET]  # nothing left to mark in
    assert any("was deleted on" in str(c.value) for row in wb[SUMMARY_SHEET].iter_rows() for c in row)


def test_old_rejected_files_are_purged_by_the_command(client, app, db_url):
    from api.cli import cli
    from carbon.store.models import ImportRow

    a = upload(client, bad_csv(5), "a.csv").json["import_id"]
    b = upload(client, bad_csv(5, "x"), "b.csv").json["import_id"]
    with app.extensions["carbon_db"].unit_of_work() as s:
        s.get(ImportRow, a).created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
    out = CliRunner().invoke(cli, ["--db", db_url, "imports", "purge", "--json"])
    assert out.exit_code == 0, out.output
    assert '"files": 1' in out.output and f'"ids": [\n    {a}\n  ]' in out.output
    with app.extensions["carbon_db"].read() as s:
        assert s.get(ImportRow, a).content is None and s.get(ImportRow, b).content is not None


@pytest.mark.postgres
def test_a_statement_over_the_timeout_is_a_503_not_a_hung_thread(client, app, monkeypatch):
    if app.extensions["carbon_db"].dialect != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    from carbon.services import usecases

    def slow(db, import_id, *, by):
        with db.read() as s:
            s.execute(text("SELECT pg_sleep(5)"))

    monkeypatch.setattr(usecases, "import_record", slow)
    app.config["STATEMENT_TIMEOUT"] = 0.2
    start = time.perf_counter()
    r = client.get("/api/v1/imports/1")
    assert time.perf_counter() - start < 3
    assert r.status_code == 503 and r.json["code"] == "statement_timeout"
    assert "0.2 s" in r.json["message"] and "秒" in r.json["message"] and r.headers["Retry-After"]
    # outside a request (the CLI, jobs) the connection gets the background setting: none
    with app.extensions["carbon_db"].read() as s:
        assert s.scalar(text("SHOW statement_timeout")) == "0"


def test_waitress_gets_an_idle_timeout_and_a_body_limit(app):
    from api.limits import waitress_options

    opts = waitress_options(app)
    assert opts["channel_timeout"] == 60
    assert opts["max_request_body_size"] == app.config["MAX_CONTENT_LENGTH"] + (1 << 20)


def test_analyze_runs_after_a_bulk_import_on_postgresql(client, app, monkeypatch, sample_files):
    configure(monkeypatch, app.extensions["carbon_db"], "database", analyze_rows=20)  # 216 inputs, 36 results
    seen: list[str] = []
    engine = app.extensions["carbon_db"].engine

    def spy(_conn, _cursor, statement, *_args):
        if statement.startswith("ANALYZE"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", spy)
    f = sample_files[0]
    r = client.post(
        "/api/v1/imports", data={"file": (f.open("rb"), f.name)}, content_type="multipart/form-data"
    )
    assert r.status_code == 201, r.json
    if engine.dialect.name == "postgresql":
        assert (
            'ANALYZE "monthly_inputs"' in seen
            and 'ANALYZE "accounts"' in seen
            and 'ANALYZE "ratings"' in seen
        )
        with engine.connect() as conn:
            last = conn.scalar(
                text(
                    "SELECT greatest(last_analyze, last_autoanalyze) FROM pg_stat_user_tables "
                    "WHERE relname = 'monthly_inputs' AND schemaname = current_schema()"
                )
            )
        assert last is not None
    else:
        assert seen == []  # SQLite needs no statistics
