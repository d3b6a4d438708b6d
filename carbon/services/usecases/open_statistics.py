"""Open data: a year's statistics, suppressed and masked, for anyone."""

from __future__ import annotations

from typing import Any

from carbon.domain.errors import InvalidValue
from carbon.store.db import Database

OPEN_DATA_FORMATS = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv-regions": "text/csv; charset=utf-8",
    "csv-industries": "text/csv; charset=utf-8",
    "csv-enterprises": "text/csv; charset=utf-8",
}


def open_data(db: Database, year: int, fmt: str) -> tuple[bytes | dict[str, Any], str]:
    """The open-data statistics of a year (public: no principal), suppressed and masked
    (``carbon.services.disclosure``): a dict for ``json``, else the file's bytes; and the
    mime type. ``fmt``: json, xlsx, csv-regions, csv-industries, csv-enterprises."""
    from carbon.services import disclosure

    if fmt not in OPEN_DATA_FORMATS:
        raise InvalidValue(f"format must be one of {', '.join(OPEN_DATA_FORMATS)} / 格式不支持")
    with db.read() as session:
        stats = disclosure.statistics(session, year)
    if fmt == "json":
        return stats, OPEN_DATA_FORMATS[fmt]
    if fmt == "xlsx":
        return disclosure.statistics_xlsx(stats), OPEN_DATA_FORMATS[fmt]
    return disclosure.statistics_csv(stats, fmt.removeprefix("csv-")), OPEN_DATA_FORMATS[fmt]
