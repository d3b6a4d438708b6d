"""Two imports of the same enterprise-months at once end in a correct state or a clear
conflict, never a lost or duplicated value (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from carbon.domain.errors import ImportConflict
from carbon.domain.identifiers import make_uscc
from carbon.services.imports import import_file
from carbon.store.models import MonthlyInput
from importers.template import write_template

ENTERPRISES = 40


def workbook(electricity: float) -> bytes:
    rows = [
        {"uscc": make_uscc(f"91330802CC{i:07d}"), "name": f"并发{i}", "industry_code": "3011",
         "region_code": "330802", "month": f"2023-{m:02d}", "electricity": electricity, "value_added": 10.0}
        for i in range(ENTERPRISES) for m in range(1, 13)
    ]  # fmt: skip
    return write_template(rows)


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_imports_of_the_same_months(db, attempt):
    files = {1.0: workbook(1.0), 2.0: workbook(2.0)}
    outcomes: dict[float, object] = {}
    barrier = threading.Barrier(2)

    def run(value: float) -> None:
        barrier.wait()
        try:
            outcomes[value] = import_file(db, files[value], f"v{value}.xlsx").status
        except ImportConflict as exc:
            outcomes[value] = exc

    threads = [threading.Thread(target=run, args=(v,)) for v in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    won = [v for v, o in outcomes.items() if o == "imported"]
    lost = [v for v, o in outcomes.items() if isinstance(o, ImportConflict)]
    assert won and len(won) + len(lost) == 2, outcomes
    for v in lost:
        assert outcomes[v].status == 409 and "upload it again" in outcomes[v].message
    with db.read() as s:
        current = s.execute(
            select(MonthlyInput.electricity, func.count()).where(MonthlyInput.is_current.is_(True))
            .group_by(MonthlyInput.electricity)
        ).all()  # fmt: skip
        total = s.scalar(select(func.count()).select_from(MonthlyInput))
    # Exactly one current row per enterprise-month, all from one file (no mixing, no loss).
    assert len(current) == 1 and current[0][1] == ENTERPRISES * 12
    value = current[0][0] / 10  # 万千瓦时 -> MWh
    if len(won) == 2:  # the imports ran one after the other: the later one is revision 2
        assert total == 2 * ENTERPRISES * 12
    else:
        assert value == won[0] and total == ENTERPRISES * 12
