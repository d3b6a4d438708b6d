"""How the rating vocabulary is shown: the Chinese and English labels and the colours of
the 三维四色 colours, the intensity classes and the carbon-efficiency grades, and the
names of the open-data levels.

The ids are ``carbon.domain.vocabulary``'s (``COLOURS`` and ``CLASSES``, best first); every
chart, workbook, PDF and open-data file of ``reports`` shows them through this module, so a
colour looks and reads the same everywhere.
"""

from __future__ import annotations

from carbon.domain.vocabulary import CLASSES, COLOURS, Colour, IntensityClass

# 三维四色 colours, best first (the order of ``COLOURS``).
COLOUR_LABELS: dict[str, tuple[str, str]] = {
    Colour.DARK_GREEN: ("深绿", "Dark green"),
    Colour.LIGHT_GREEN: ("浅绿", "Light green"),
    Colour.YELLOW: ("黄", "Yellow"),
    Colour.RED: ("红", "Red"),
}
COLOUR_HEX: dict[str, str] = {
    Colour.DARK_GREEN: "#1a7f37",
    Colour.LIGHT_GREEN: "#8cc152",
    Colour.YELLOW: "#f2c200",
    Colour.RED: "#d93025",
}
NOT_RATED: tuple[str, str] = ("未评价", "Not rated")

# Intensity classes of the carbon-efficiency code, lowest intensity first (``CLASSES``),
# coloured like the rating colour of the same standing.
CLASS_LABELS: dict[str, tuple[str, str]] = {
    IntensityClass.LOW: ("低碳", "Low carbon"),
    IntensityClass.MEDIUM: ("中碳", "Medium carbon"),
    IntensityClass.HIGH: ("高碳", "High carbon"),
}
CLASS_HEX: dict[str, str] = {
    IntensityClass.LOW: COLOUR_HEX[Colour.DARK_GREEN],
    IntensityClass.MEDIUM: COLOUR_HEX[Colour.YELLOW],
    IntensityClass.HIGH: COLOUR_HEX[Colour.RED],
}

# Carbon-efficiency grades, 1 best to 5 worst.
GRADES: tuple[int, ...] = (1, 2, 3, 4, 5)
GRADE_LABELS: dict[int, tuple[str, str]] = {g: (f"{g}级", f"grade {g}") for g in GRADES}
GRADE_HEX: dict[int, str] = {
    1: COLOUR_HEX[Colour.DARK_GREEN],
    2: COLOUR_HEX[Colour.LIGHT_GREEN],
    3: COLOUR_HEX[Colour.YELLOW],
    4: "#f08c00",
    5: COLOUR_HEX[Colour.RED],
}

# The levels of the open-data tables (``carbon.services.disclosure``).
LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "city": ("市", "City"),
    "county": ("区县", "County"),
    "section": ("门类", "Section"),
    "division": ("大类", "Division"),
}

assert tuple(COLOUR_LABELS) == tuple(COLOUR_HEX) == COLOURS
assert tuple(CLASS_LABELS) == tuple(CLASS_HEX) == CLASSES


def colour_text(colour: str, sep: str = " ") -> str:
    """``深绿 Dark green`` (``sep=" / "``: ``深绿 / Dark green``); an unknown id as is."""
    zh, en = COLOUR_LABELS.get(colour, (colour, colour))
    return f"{zh}{sep}{en}"


def class_text(cls: str, sep: str = " ") -> str:
    """``低碳 Low carbon``; an unknown id as is."""
    zh, en = CLASS_LABELS.get(cls, (cls, cls))
    return f"{zh}{sep}{en}"


def grade_text(grade: int | str, sep: str = " ", *, capital: bool = False) -> str:
    """``3级 grade 3`` (``capital``: ``3级 Grade 3``)."""
    zh, en = GRADE_LABELS.get(int(grade), (f"{grade}级", f"grade {grade}"))
    return f"{zh}{sep}{en[:1].upper() + en[1:] if capital else en}"


def level_text(level: str) -> str:
    """``区县 County``; an unknown level as is."""
    zh, en = LEVEL_LABELS.get(level, (level, level))
    return f"{zh} {en}" if (zh, en) != (level, level) else level
