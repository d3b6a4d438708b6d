from __future__ import annotations

import json
from pathlib import Path

import pytest

from carbon.domain.factors import FactorSet, parse_factor_set
from carbon.domain.methodology import Methodology, parse_methodology

DATA = Path(__file__).resolve().parents[2] / "carbon" / "data"


@pytest.fixture(scope="session")
def fs() -> FactorSet:
    return parse_factor_set(json.loads((DATA / "factor_sets" / "cn-default-1.json").read_text("utf-8")))


@pytest.fixture(scope="session")
def methodology() -> Methodology:
    return parse_methodology(json.loads((DATA / "methodologies" / "quzhou-3d-1.json").read_text("utf-8")))
