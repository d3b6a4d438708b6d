"""The one place that chooses the font for charts: a CJK font, so Chinese labels render.

matplotlib's bundled DejaVu Sans has no Chinese glyphs; without a CJK font every label
becomes a row of boxes (and a "Glyph ... missing from font" warning). The font is looked
up once per process among the fonts matplotlib knows, in order of preference.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from matplotlib import font_manager
from matplotlib.typing import RcKeyType

# Simplified-Chinese faces first; the JP face of Noto/Source Han has the same glyph set
# with Japanese shapes for a few characters, so it is an acceptable fallback.
PREFERRED_CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
)

# Bundled with matplotlib, so always present: catches the few symbols a CJK font lacks.
_LATIN_FALLBACK = "DejaVu Sans"


# rcParams are process-global: hold this lock while inside ``rc_context(chart_rc())`` so
# two threads drawing charts at once (any module) cannot mix each other's settings.
RC_LOCK = threading.RLock()


class CJKFontNotFound(RuntimeError):
    """No font able to draw Chinese is installed: a deployment problem, not a user error."""


@functools.cache
def cjk_font_family() -> str:
    """Name of the installed CJK font charts use; raises ``CJKFontNotFound`` if none is."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in PREFERRED_CJK_FONTS:
        if name in installed:
            return name
    raise CJKFontNotFound(
        "No CJK font found for charts (looked for: "
        + ", ".join(PREFERRED_CJK_FONTS)
        + "). On Debian/Ubuntu install one with `apt-get install fonts-noto-cjk`; if "
        "matplotlib ran before the install, delete its font cache (~/.cache/matplotlib) "
        "so it sees the new font."
    )


def chart_rc() -> dict[RcKeyType, Any]:
    """rcParams for ``matplotlib.rc_context`` around building and saving a chart.

    The family is an explicit list rather than the generic ``sans-serif``: only an
    explicit list gets matplotlib's per-glyph fallback (generic families resolve to a
    single font).
    """
    family = [cjk_font_family(), _LATIN_FALLBACK]
    return {
        "font.family": family,
        "font.sans-serif": family,
        # A CJK font's U+2212 minus is often full width; the ASCII hyphen reads better.
        "axes.unicode_minus": False,
        # Text as outlines: the SVG renders the same where the font is not installed.
        "svg.fonttype": "path",
        # TrueType embedded (subset): the PDF keeps real, searchable, extractable text.
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        # Fixed salt: SVG element ids are hashes, otherwise salted with a random UUID.
        "svg.hashsalt": "carbon-account",
    }
