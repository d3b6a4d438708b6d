"""How figures are rounded where they leave the service (JSON, CLI, CSV); the store keeps
full precision and every computation uses it.

- tonnes of CO2, tonnes of coal equivalent, MWh and other amounts: 0.001 (a kilogram of CO2);
- intensities, ratios and factors (tCO2/万元, K = L / L_industry, tce/万元): 6 significant
  digits, enough to recompute a grade boundary from what is shown;
- scores (0–100): 0.01;
- figures inside free-form documents (a rating's explanation, the old and new values of a
  dry run, a job's result): 12 significant digits, which removes the noise of binary
  floating point (``117.10000000000001`` -> ``117.1``) and keeps every digit a figure has.
"""

from __future__ import annotations

import math

AMOUNT_DECIMALS = 3
SIGNIFICANT_DIGITS = 6
SCORE_DECIMALS = 2
CLEAN_DIGITS = 12


def amount(value: float | None) -> float | None:
    """An amount (tCO2, tce, MWh) to 0.001: ``2856.3789799999995`` -> ``2856.379``."""
    if value is None or not math.isfinite(value):
        return value
    return round(value, AMOUNT_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def significant(value: float | None, digits: int = SIGNIFICANT_DIGITS) -> float | None:
    """An intensity or ratio to ``digits`` significant digits: ``0.123456789`` -> ``0.123457``."""
    if value is None or not math.isfinite(value) or value == 0:
        return value
    return float(f"{value:.{digits}g}") + 0.0


def score(value: float | None) -> float | None:
    """A score (0–100) to 0.01."""
    if value is None or not math.isfinite(value):
        return value
    return round(value, SCORE_DECIMALS) + 0.0


class CleanDict(dict[str, object]):
    """A document that is already ``clean`` (a cached explanation): cleaned once, it is given
    back as it is by ``clean``, however often it is read."""


def clean(value: object) -> object:
    """Every float in ``value`` (nested dicts, lists and tuples walked) to 12 significant
    digits; anything else as it is."""
    kind = type(value)
    if kind is float:
        return significant(value, CLEAN_DIGITS)  # type: ignore[arg-type]
    if kind is CleanDict:
        return value
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, float):  # a float subclass
        return significant(value, CLEAN_DIGITS)
    return value
