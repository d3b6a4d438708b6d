"""Fixtures of the browser tests (a plugin loaded by tests/conftest.py, so that no second
``conftest`` module shadows the integration tests' one). Browser tests: Debian's Chromium
driven by Playwright, headless, against the demo data (the six sample workbooks and the
demo users, as ``carbon demo`` makes them) served on a real local port, on SQLite and on
PostgreSQL.

``live`` is the served demo (its address, the demo users with their passwords, the demo
enterprise's USCC); ``page`` a fresh browser context for one test, phone-sized when the
test asks for ``phone``; each test's last screen is saved under ``test-output/screenshots``
(look at them: Chinese renders, nothing overflows at 390 pixels). Under CI=true a missing
Chromium or Playwright fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from browser_kit import CHROMIUM, DESKTOP, PHONE, SAMPLES, SCREENSHOTS, Live


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is needed for the browser tests in CI")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright (pip install playwright)")
    if not shutil.which(CHROMIUM):
        _missing(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test in one xdist group (``--dist loadgroup``): one worker builds the
    served demo once per database and runs them all, while the other workers run the rest."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def live(db_url_session: str) -> Iterator[Live]:
    """The demo, served, for the whole session (per database): tests add what they need
    (users, uploads) under names of their own and do not undo it."""
    from werkzeug.serving import make_server

    from api.app import create_app
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    app = create_app({"DATABASE_URL": db_url_session, "JOBS": "eager"})
    db, runner = app.extensions["carbon_db"], app.extensions["carbon_jobs"]
    for path in SAMPLES:
        res = usecases.import_file(db, path.read_bytes(), path.name, runner=runner, by=SYSTEM)
        assert res.status == "imported", res.errors[:3]
    users = {u["role"]: u for u in usecases.demo_users(db)}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.server_port}", users, str(users["enterprise"]["usccs"]), app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        runner.shutdown()
        db.dispose()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url_session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for the browser tests (``tests/conftest.py`` makes them per test)."""
    from dbkit import _migrate, _pg_schema_url

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'carbon.db'}"
        _migrate(url)
        yield url
    else:
        for url in _pg_schema_url():
            _migrate(url)
            yield url


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    size = PHONE if "phone" in request.fixturenames or "phone" in request.node.name else DESKTOP
    context = browser.new_context(viewport=size, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        yield pg
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            # the whole page, unless it is very long (the methodology): then the screen
            tall = pg.evaluate("document.documentElement.scrollHeight") > 5000
            pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=not tall)
        finally:
            context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors  # nothing the CSP refused


@pytest.fixture
def phone() -> dict[str, int]:
    """Ask for it to get a 390-pixel-wide screen."""
    return PHONE
