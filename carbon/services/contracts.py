"""Supplier contracts: electricity bought at a supplier-specific emission factor.

They enter the market-based scope 2 figure only (docs/methodology.md §3.2: a second figure beside the
location-based one, never a replacement). Recording a contract queues the recomputation
of its year, like any other input; a new record for the same enterprise, year and
supplier supersedes the earlier one, which stays readable.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carbon.domain.errors import InvalidValue
from carbon.domain.quantities import Dimension, unit_factor
from carbon.services.jobs import enqueue_recompute
from carbon.services.queries import contract_dict, enterprise
from carbon.services.views import ContractView
from carbon.store.models import SupplierContract, utcnow

FACTOR_RANGE = (0.0, 2.0)  # tCO2/MWh: as the grid factor's, to catch gCO2/kWh typed as tCO2/MWh
YEAR_RANGE = (1990, 2100)


def _check(body: dict[str, Any]) -> tuple[int, str, float, float, str]:
    problems: list[str] = []
    year = body.get("year")
    if not isinstance(year, int) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        problems.append(f"year must be a year ({YEAR_RANGE[0]}-{YEAR_RANGE[1]}) / 年份无效")
    supplier = str(body.get("supplier") or "").strip()
    if not supplier or len(supplier) > 200:
        problems.append("supplier: give the supplier's name (at most 200 characters) / 请填写供电企业名称")
    evidence = str(body.get("evidence") or "").strip()
    if not evidence:
        problems.append("evidence: give the contract or certificate it rests on / 请填写合同或证明文件")
    problems += [
        f"{name}: must not contain NUL characters / 不能包含NUL字符"
        for name, text in (("supplier", supplier), ("evidence", evidence))
        if "\x00" in text
    ]
    mwh = factor = 0.0
    if "amount" not in body:
        problems.append("amount is required / 请填写电量")
    else:
        try:
            amount = float(body["amount"])
            mwh = amount * unit_factor(str(body.get("unit") or "MWh"), Dimension.ELECTRICITY)
            if not math.isfinite(mwh) or mwh <= 0:
                problems.append("amount must be a positive quantity of electricity / 电量应为正数")
        except KeyError as exc:  # the unit
            problems.append(f"unit: {exc.args[0]}")
        except (TypeError, ValueError):
            problems.append("amount must be a number / 电量应为数字")
    try:
        factor = float(body["factor_tco2_per_mwh"])
        if not FACTOR_RANGE[0] <= factor < FACTOR_RANGE[1]:
            problems.append(
                f"factor_tco2_per_mwh {factor:g} is outside [0, {FACTOR_RANGE[1]:g}) tCO2/MWh "
                "(is it gCO2/kWh?) / 供应商排放因子超出合理范围"
            )
    except KeyError:
        problems.append("factor_tco2_per_mwh is required / 请填写供应商排放因子")
    except (TypeError, ValueError):
        problems.append("factor_tco2_per_mwh must be a number / 排放因子应为数字")
    if problems:
        raise InvalidValue("; ".join(problems))
    assert isinstance(year, int)
    return year, supplier, mwh, factor, evidence


def record(
    session: Session, uscc: str, body: dict[str, Any], *, requested_by: int | None = None
) -> tuple[ContractView, int]:
    """Store a contract (superseding the same supplier's for that year); (contract, job id)."""
    e = enterprise(session, uscc)
    year, supplier, mwh, factor, evidence = _check(body)
    session.execute(
        update(SupplierContract)
        .where(
            SupplierContract.enterprise_id == e.id,
            SupplierContract.year == year,
            SupplierContract.supplier == supplier,
            SupplierContract.is_current.is_(True),
        )
        .values(is_current=False)
    )
    c = SupplierContract(
        enterprise_id=e.id, year=year, supplier=supplier, mwh=mwh, factor=factor, evidence=evidence,
        is_current=True, created_at=utcnow(),
    )  # fmt: skip
    session.add(c)
    session.flush()
    job = enqueue_recompute(
        session, [year], reason="supplier_contract", import_id=None, requested_by=requested_by
    )
    return contract_dict(c), job.id


def history(session: Session, uscc: str) -> list[ContractView]:
    e = enterprise(session, uscc)
    rows = session.scalars(
        select(SupplierContract)
        .where(SupplierContract.enterprise_id == e.id)
        .order_by(SupplierContract.year, SupplierContract.supplier, SupplierContract.id)
    )
    return [contract_dict(c) for c in rows]
