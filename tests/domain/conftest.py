from __future__ import annotations

import json
from pathlib import Path

import pytest

from carbon.domain.factors import FactorSet, parse_factor_set
from carbon.domain.methodology import Methodology, parse_methodology

DATA = Path(__file__).resolve().parents[2] / "carbon" / "data"


def _doc(kind: str, name: str) -> dict[str, object]:
    doc: dict[str, object] = json.loads((DATA / kind / name).read_text("utf-8"))
    return doc


@pytest.fixture(scope="session")
def fs() -> FactorSet:
    return parse_factor_set(_doc("factor_sets", "cn-default-2.json"))


@pytest.fixture(scope="session")
def fs_v1() -> FactorSet:
    return parse_factor_set(_doc("factor_sets", "cn-default-1.json"), strict=False)


@pytest.fixture(scope="session")
def methodology() -> Methodology:
    return parse_methodology(_doc("methodologies", "quzhou-3d-2.json"))


@pytest.fixture(scope="session")
def methodology_v1() -> Methodology:
    return parse_methodology(_doc("methodologies", "quzhou-3d-1.json"), strict=False)
