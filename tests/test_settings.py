"""The configuration: defaults, parsing, and a bad value named with what was expected."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from carbon.settings import Settings, SettingsError
from importers.template import Limits


def test_the_defaults_are_the_components_own():
    s = Settings.from_env({})
    assert s == Settings()
    assert s.database.url is None and s.jobs.mode == "thread" and s.web.max_upload_bytes == 50 * 1024 * 1024
    i = s.imports
    assert Limits(i.max_rows, i.max_unpacked_bytes, i.max_line_bytes, i.max_errors) == Limits()
    argon2 = PasswordHasher()  # the library's recommended profile
    p = s.passwords
    assert (p.time_cost, p.memory_kib, p.parallelism) == (
        argon2.time_cost,
        argon2.memory_cost,
        argon2.parallelism,
    )
    assert s.jobs.heartbeat_interval == 5 and s.jobs.max_attempts == 4 and s.jobs.retry_delay(3) == 120


def test_values_are_parsed_in_their_units():
    s = Settings.from_env(
        {
            "CARBON_MAX_UNPACKED_MB": "2.5",
            "CARBON_MAX_UPLOAD_MB": "1",
            "CARBON_JOB_LEASE_S": "3",
            "CARBON_JOB_BACKOFF": "0.5, 1",
            "CARBON_SECURE_COOKIES": "TRUE",
            "CARBON_MAX_ROWS": "",  # empty: the default
        }
    )
    assert s.imports.max_unpacked_bytes == 2_500_000 and s.web.max_upload_bytes == 1 << 20
    assert s.jobs.heartbeat_interval == 1 and s.jobs.backoff_s == (0.5, 1.0) and s.jobs.max_attempts == 3
    assert s.web.secure_cookies and s.imports.max_rows == 1_000_000
    assert Settings.from_env({"CARBON_JOB_BACKOFF": ""}).jobs.max_attempts == 1  # no retries


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CARBON_JOB_THREADS", "two", "a whole number ≥ 1"),
        ("CARBON_JOBS", "celry", "eager or thread or celery"),
        ("CARBON_SECURE_COOKIES", "yes", "true or false"),
        ("CARBON_JOB_LEASE_S", "0", "a number > 0"),
        ("CARBON_JOB_BACKOFF", "5,soon", "seconds separated by commas"),
        ("CARBON_ARGON2_MEMORY_KIB", "4", "a whole number ≥ 8"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_was_expected(name, value, expected):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({name: value})
    assert err.value.message.startswith(f"{name}: expected {expected}") and repr(value) in err.value.message


def test_secrets_stay_out_of_the_representation():
    s = Settings.from_env(
        {
            "CARBON_SECRET_KEY": "k3y",
            "CARBON_DATABASE_URL": "postgresql://u:pw@db/x",
            "CARBON_BROKER_URL": "redis://:pw@r",
        }
    )
    assert "k3y" not in repr(s) and "pw" not in repr(s)
