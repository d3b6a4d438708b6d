from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inputs"


@pytest.fixture(scope="session")
def sample_files() -> list[Path]:
    files = sorted(SAMPLES.glob("*.xlsx"))
    assert len(files) >= 6, "sample_inputs/ must hold the generated workbooks"
    return files


@pytest.fixture
def loaded(client, sample_files):
    """The API with two counties' sample workbooks imported."""
    for f in sample_files[:2]:
        r = client.post(
            "/api/v1/imports", data={"file": (f.open("rb"), f.name)}, content_type="multipart/form-data"
        )
        assert r.status_code == 201, r.json
    return client
