"""What the browser tests share besides fixtures: the served demo (``Live``), logging in
through the login page, and the phone-width check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "sample_inputs").glob("*.xlsx"))
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Live:
    base_url: str
    users: dict[str, dict[str, Any]]  # by role: username, password, and what the demo gives
    uscc: str  # the demo enterprise, whose account the demo bank may see
    app: Any

    def url(self, path: str) -> str:
        return self.base_url + path


def login(page: Any, live: Live, role: str) -> None:
    """Log in through the login page as the demo user of ``role``."""
    user = live.users[role]
    page.goto(live.url("/login"))
    page.get_by_label(re.compile("用户名|Username")).fill(user["username"])
    page.get_by_label(re.compile("密码|Password")).fill(user["password"])
    page.get_by_role("button", name=re.compile("登录|Log in")).click()
    page.wait_for_load_state()


def at(page: Any, suffix: str) -> None:
    """Wait until the page has arrived at an address ending in ``suffix`` (a click that
    navigates, through a redirect, returns before the new page is there)."""
    page.wait_for_url(lambda url: url.endswith(suffix))


def no_horizontal_overflow(page: Any) -> None:
    """Nothing wider than the screen (tables scroll inside their own box)."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"the page is {wide} px wider than the screen"
