"""Figures as the CLI prints them with ``--json``: rounded where they leave the service
(``carbon.domain.rounding``), as the API's schemas round them; the store and every
computation keep full precision, and the human lines format from the full figures.

A float is rounded by what it is, known from its key (or, in a list, the list's key):

- amounts (tCO2, tce, MWh, 万元 and the other input quantities) to 0.001;
- scores (0–100) to 0.01;
- anything else (intensities, ratios, factors, shares, percentiles) to 6 significant
  digits, which never loses more than a part in a million.

Under ``intensities`` every value is an intensity; under ``emissions_tco2``,
``emissions_by_carrier`` and ``inputs`` every value is an amount. A source cell's number
as written (``as_written``) is not a figure of the service and is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carbon.domain import rounding
from carbon.domain.quantities import FIELD_KEYS

AMOUNT_KEYS = frozenset(
    {
        *FIELD_KEYS,  # every input quantity in its canonical unit, and the economic figures
        "total",
        "fuel",
        "process",
        "electricity",
        "heat",
        "electricity_location",
        "electricity_market",
        "total_location",
        "total_market",
        "biogenic",
        "emissions",
        "energy_tce",
        "value_added",
        "gross_output",
        "tax",
        "amount",
        "amount_template",
        "canonical",
        "annual_use",
        "purchased",
        "exported",
        "green",
        "quantity",
        "denominator_sum",
        "denominator_total",
    }
)
AMOUNT_SUFFIXES = ("_tco2", "_tce", "_mwh")
SCORE_KEYS = frozenset({"score", "scores", "min_score"})
# A cell's number as its author wrote it (an account's sources): shown as it is.
AS_WRITTEN_KEYS = frozenset({"as_written"})
AMOUNT_PARENTS = frozenset({"emissions_tco2", "emissions_by_carrier", "inputs"})
INTENSITY_PARENTS = frozenset({"intensities"})

Rule = Callable[[float | None], float | None]


def rule(key: str | None, parent: str | None = None) -> Rule:
    """How a float under ``key`` (inside ``parent``) is rounded."""
    if parent in INTENSITY_PARENTS:
        return rounding.significant
    if parent in AMOUNT_PARENTS:
        return rounding.amount
    if key is None:
        return rounding.significant
    if key in SCORE_KEYS:
        return rounding.score
    if key in AMOUNT_KEYS or key.endswith(AMOUNT_SUFFIXES):
        return rounding.amount
    return rounding.significant


def figures(payload: Any, key: str | None = None, parent: str | None = None) -> Any:
    """``payload`` (JSON data) with every float rounded by its ``rule``; a new object."""
    if isinstance(payload, bool) or payload is None:
        return payload
    if isinstance(payload, float):
        return payload if key in AS_WRITTEN_KEYS else rule(key, parent)(payload)
    if isinstance(payload, dict):
        return {k: figures(v, str(k), key) for k, v in payload.items()}
    if isinstance(payload, list | tuple):
        return [figures(v, key, parent) for v in payload]
    return payload
