"""Charts: every chart in every format and language gives valid, deterministic bytes whose
text (read back from the PDF) is in the requested language, with no missing glyphs."""

from __future__ import annotations

import functools
import io
import re
import struct
import warnings
from collections.abc import Callable

import pytest
from matplotlib import font_manager
from pypdf import PdfReader

from reports import charts, fonts
from reports.charts import (
    colour_distribution_chart,
    grade_history_chart,
    intensity_chart,
    monthly_emissions_chart,
)

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]
BY_CARRIER = {
    "electricity": [820, 790, 860, 900, 950, 1010, 1100, 1120, 980, 900, 860, 880],
    "electricity_exported": [-120, -100, -150, -180, -220, -260, -300, -310, -240, -180, -140, -120],
    "raw_coal": [1500, 1400, 1450, 1380, 1300, 1250, 1200, 1220, 1280, 1350, 1420, 1480],
    "natural_gas": [310, 300, 280, 240, 200, 180, 170, 175, 210, 260, 300, 330],
    "heat": [90, 85, 70, 50, 30, 20, 15, 15, 30, 55, 75, 90],
    "process_co2": [400, 380, 410, 420, 430, 440, 450, 455, 430, 420, 410, 400],
}
YEARS = [2020, 2021, 2022, 2023, 2024]
CJK = re.compile(r"[\u4e00-\u9fff]")

Chart = Callable[..., bytes]


def monthly(**kw: object) -> bytes:
    return monthly_emissions_chart(MONTHS, BY_CARRIER, **kw)


def intensity(**kw: object) -> bytes:
    return intensity_chart(
        YEARS,
        [2.41, 2.18, None, 1.86, 1.72],
        [2.05, 2.0, 1.95, 1.9, 1.84],
        [1.32, 1.3, 1.27, None, 1.21],
        **kw,
    )


def grades(**kw: object) -> bytes:
    return grade_history_chart(
        YEARS, [4, None, 3, 2, 1], ["red", None, "yellow", "light_green", "dark_green"], **kw
    )


def colours(**kw: object) -> bytes:
    return colour_distribution_chart({"dark_green": 132, "light_green": 418, "yellow": 251, "red": 67}, **kw)


CHARTS: dict[str, Chart] = {"monthly": monthly, "intensity": intensity, "grades": grades, "colours": colours}


@functools.cache
def rendered(name: str, lang: str = "zh", fmt: str = "png") -> bytes:
    """A chart with its default title, drawn once per run (charts are pure functions)."""
    return CHARTS[name](lang=lang, fmt=fmt)


# The default title of each chart, per language.
TITLES = {
    "monthly": "monthly_title",
    "intensity": "intensity_title",
    "grades": "grade_title",
    "colours": "colour_title",
}


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_font_names(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def assert_format(data: bytes, fmt: str) -> None:
    if fmt == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    elif fmt == "svg":
        assert b"<svg" in data[:2000]
        assert data.rstrip().endswith(b"</svg>")
    else:
        assert data.startswith(b"%PDF")
        assert data.rstrip().endswith(b"%%EOF")


# ------------------------------------------------------------------------- formats


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_renders_in_every_format_and_language(name: str, fmt: str, lang: str) -> None:
    assert_format(rendered(name, lang, fmt), fmt)


@pytest.mark.parametrize("name", list(CHARTS))
def test_chinese_labels_emit_no_missing_glyph_warning(name: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fmt in ("png", "svg", "pdf"):
            CHARTS[name](title="测试标题：碳排放与强度（吨二氧化碳/万元）", lang="zh", fmt=fmt)
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "Glyph" in m or "missing" in m], messages


def test_png_is_150_dpi() -> None:
    data = rendered("monthly", "zh", "png")
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert (width, height) == (1500, 840)  # 10 x 5.6 in at 150 dpi


def test_svg_draws_text_as_paths_without_a_date() -> None:
    data = rendered("intensity", "zh", "svg")
    assert b"<text" not in data  # renders the same where the CJK font is not installed
    assert b"<dc:date>" not in data


def test_pdf_has_no_creation_date() -> None:
    assert b"/CreationDate" not in rendered("monthly", "zh", "pdf")


# ------------------------------------------------------------------------ language


@pytest.mark.parametrize("name", list(CHARTS))
def test_chinese_title_is_real_text_in_the_pdf(name: str) -> None:
    title = "湖州市某某新材料有限公司 2024年"
    data = CHARTS[name](title=title, lang="zh", fmt="pdf")
    assert title in pdf_text(data)
    # The chosen CJK font is embedded: "Noto Sans CJK SC" -> BaseFont "ABCDEF+NotoSansCJKsc-Regular".
    family = fonts.cjk_font_family().replace(" ", "").lower()
    assert any(family in f.lower() for f in pdf_font_names(data)), pdf_font_names(data)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_default_title_follows_the_language(name: str, lang: str) -> None:
    text = pdf_text(rendered(name, lang, "pdf"))
    assert charts.TEXT[lang][TITLES[name]] in text


@pytest.mark.parametrize("name", list(CHARTS))
def test_english_chart_has_no_chinese_text(name: str) -> None:
    text = pdf_text(rendered(name, "en", "pdf"))
    assert not CJK.search(text), text


def test_empty_title_draws_no_title() -> None:
    assert charts.TEXT["en"]["colour_title"] not in pdf_text(colours(title="", lang="en", fmt="pdf"))


def test_monthly_labels_carriers_by_field_name() -> None:
    zh = pdf_text(rendered("monthly", "zh", "pdf"))
    en = pdf_text(rendered("monthly", "en", "pdf"))
    for word in (
        "电力",
        "上网电量",
        "原煤",
        "天然气",
        "热力",
        "工业过程排放",
        "排放量 (吨二氧化碳)",
        "净排放合计",
    ):
        assert word in zh
    for word in ("Electricity", "Exported electricity", "Raw coal", "Natural gas", "Heat"):
        assert word in en
    assert "Process emissions" in en
    assert "Emissions (tCO2)" in en
    assert "Net total" in en  # there are negative values


def test_monthly_shows_an_unknown_carrier_key_as_is() -> None:
    data = monthly_emissions_chart(["2024-01"], {"biomass_pellets": [3.0]}, lang="en", fmt="pdf")
    assert "biomass_pellets" in pdf_text(data)


def test_monthly_leaves_out_all_zero_carriers_and_net_total_without_negatives() -> None:
    data = monthly_emissions_chart(
        ["2024-01", "2024-02"], {"raw_coal": [5.0, 6.0], "diesel": [0.0, 0.0]}, lang="en", fmt="pdf"
    )
    text = pdf_text(data)
    assert "Raw coal" in text
    assert "Diesel" not in text
    assert "Net total" not in text


def test_intensity_marks_missing_values_and_explains_them() -> None:
    text = pdf_text(rendered("intensity", "en", "pdf"))
    assert "n/a" in text
    assert charts.TEXT["en"]["intensity_note"] in text
    for label in ("Enterprise", "Industry average", "County average", "2.41", "1.21"):
        assert label in text
    complete = intensity_chart([2024], [1.0], [1.2], [0.9], lang="en", fmt="pdf")
    assert charts.TEXT["en"]["intensity_note"] not in pdf_text(complete)


def test_grade_history_legend_names_the_four_colours() -> None:
    zh = pdf_text(rendered("grades", "zh", "pdf"))
    for word in ("深绿", "浅绿", "黄", "红", "1级", "5级"):
        assert word in zh
    assert "未评色" not in zh  # the only year without a colour has no grade either
    hollow = pdf_text(grade_history_chart([2024], [2], [None], lang="zh", fmt="pdf"))
    assert "未评色" in hollow
    en = pdf_text(rendered("grades", "en", "pdf"))
    for word in ("Dark green", "Light green", "Yellow", "Red"):
        assert word in en


def test_colour_distribution_labels_counts_and_shares() -> None:
    text = pdf_text(rendered("colours", "en", "pdf"))
    assert "418 (48.2%)" in text
    assert "868 enterprises in total" in text
    assert text.index("Dark green") < text.index("Light green") < text.index("Yellow") < text.index("Red")


# ------------------------------------------------------------------ determinism


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_same_input_gives_identical_bytes(name: str, fmt: str) -> None:
    assert CHARTS[name](lang="zh", fmt=fmt) == rendered(name, "zh", fmt)


def test_carrier_colours_are_stable() -> None:
    assert charts.carrier_colour("electricity") == charts.CARRIER_COLOURS["electricity"]
    assert charts.carrier_colour("biomass_pellets") == charts.carrier_colour("biomass_pellets")
    assert len(set(charts.CARRIER_COLOURS.values())) == len(charts.CARRIER_COLOURS)


# ------------------------------------------------------------------- edge cases


@pytest.mark.parametrize(
    "make",
    [
        lambda: monthly_emissions_chart(MONTHS, {"electricity": [0.0] * 12}),
        lambda: monthly_emissions_chart(MONTHS, {}),
        lambda: monthly_emissions_chart([], {}),
        lambda: monthly_emissions_chart(["2024-03"], {"electricity": [-50.0], "raw_coal": [120.0]}),
        lambda: monthly_emissions_chart(["2024-03"], {"electricity_exported": [-5.0]}),
        lambda: monthly_emissions_chart(
            [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)], {"coke": [1.5] * 36}
        ),
        lambda: intensity_chart([2024], [None], [None], [None]),
        lambda: intensity_chart([], [], [], []),
        lambda: intensity_chart([2023, 2024], [-0.2, 0.0], [0.0, 0.0], [0.0, 0.0]),
        lambda: grade_history_chart([2024], [None], [None]),
        lambda: grade_history_chart([2024], [5], [None]),
        lambda: grade_history_chart([], [], []),
        lambda: colour_distribution_chart({}),
        lambda: colour_distribution_chart({"red": 1}),
    ],
    ids=[
        "monthly-all-zero",
        "monthly-no-carriers",
        "monthly-no-months",
        "monthly-one-month-negative",
        "monthly-only-negative",
        "monthly-36-months",
        "intensity-all-none",
        "intensity-no-years",
        "intensity-zero-and-negative",
        "grade-all-none",
        "grade-one-year",
        "grade-no-years",
        "colours-all-zero",
        "colours-one",
    ],
)
def test_degenerate_inputs_still_draw(make: Callable[[], bytes]) -> None:
    assert_format(make(), "png")


# ------------------------------------------------------------------- validation


@pytest.mark.parametrize("name", list(CHARTS))
@pytest.mark.parametrize("kw", [{"fmt": "jpg"}, {"fmt": "PNG"}, {"lang": "fr"}, {"lang": "zh-CN"}])
def test_bad_format_or_language_is_a_value_error(name: str, kw: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="format|language"):
        CHARTS[name](**kw)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: monthly_emissions_chart(MONTHS, {"electricity": [1.0]}), "expected 12"),
        (lambda: monthly_emissions_chart(["2024-01"], {"electricity": [float("nan")]}), "non-finite"),
        (lambda: monthly_emissions_chart(["2024-01"], {"electricity": ["x"]}), "numbers"),
        (lambda: intensity_chart([2024, 2023], [1, 1], [1, 1], [1, 1]), "increasing"),
        (lambda: intensity_chart([2024], [1.0, 2.0], [1.0], [1.0]), "expected 1"),
        (lambda: intensity_chart([2024.5], [1.0], [1.0], [1.0]), "integers"),
        (lambda: grade_history_chart([2024], [6], ["red"]), "1..5"),
        (lambda: grade_history_chart([2024], [2], ["green"]), "colour id"),
        (lambda: grade_history_chart([2024], [2], []), "expected 1"),
        (lambda: colour_distribution_chart({"green": 3}), "colour id"),
        (lambda: colour_distribution_chart({"red": -1}), "non-negative"),
    ],
)
def test_bad_data_is_a_value_error(make: Callable[[], bytes], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


# ------------------------------------------------------------------------ fonts


def test_cjk_font_is_found_and_configured() -> None:
    family = fonts.cjk_font_family()
    assert family in fonts.PREFERRED_CJK_FONTS
    rc = fonts.chart_rc()
    assert rc["font.family"][0] == family
    assert rc["axes.unicode_minus"] is False
    assert rc["svg.fonttype"] == "path"
    assert rc["pdf.fonttype"] == 42


def test_missing_cjk_font_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    fonts.cjk_font_family.cache_clear()
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    try:
        with pytest.raises(fonts.CJKFontNotFound, match="fonts-noto-cjk"):
            fonts.cjk_font_family()
    finally:
        monkeypatch.undo()
        fonts.cjk_font_family.cache_clear()
    assert fonts.cjk_font_family()
