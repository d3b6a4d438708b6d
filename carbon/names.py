"""Display names of the codes the service shows, from data files (``carbon/data/names``):
GB/T 2260 regions of Zhejiang (the province, its 11 cities and 90 county-level units, as
of 2023) and GB/T 4754-2017 industries (门类 sections A–T, 大类 divisions 01–97), in
Chinese and English.

This module sits beside ``carbon.data`` and outside the layers (api -> services -> store ->
domain) on purpose: it reads package data, which the pure core does not do (no file
I/O), and both the services and ``reports`` (which may not import services or the store)
use it. It imports nothing but the standard library (an import-linter contract checks it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Name:
    zh: str
    en: str

    def in_lang(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def pair(name: Name | None) -> dict[str, str | None]:
    """``{"zh", "en"}`` of a name, both None where there is none (as JSON shows it)."""
    return {"zh": name.zh if name else None, "en": name.en if name else None}


# The whole population of a year is a peer group with no code of its own.
ALL = Name("全部企业", "All enterprises")


def _load(filename: str) -> dict[str, Any]:
    text = resources.files("carbon.data").joinpath("names").joinpath(filename).read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


@cache
def regions() -> dict[str, Name]:
    """GB/T 2260 code -> name, for every code of Zhejiang province."""
    return {c: Name(v["zh"], v["en"]) for c, v in _load("gb2260_zhejiang.json")["codes"].items()}


@cache
def _industries() -> tuple[dict[str, Name], dict[str, Name]]:
    doc = _load("gb4754_2017.json")
    sections = {s: Name(v["zh"], v["en"]) for s, v in doc["sections"].items()}
    divisions = {d: Name(v["zh"], v["en"]) for d, v in doc["divisions"].items()}
    return sections, divisions


def sections() -> dict[str, Name]:
    """GB/T 4754-2017 门类 letter -> name."""
    return _industries()[0]


def divisions() -> dict[str, Name]:
    """GB/T 4754-2017 大类 two-digit code -> name."""
    return _industries()[1]


def region(code: str) -> Name | None:
    return regions().get(code)


def section(letter: str) -> Name | None:
    return sections().get(letter)


def division(code: str) -> Name | None:
    return divisions().get(code)


def peer_group(level: str, key: str) -> Name | None:
    """The name of a peer group: an industry division or section, a county, or all."""
    if level == "division":
        return division(key)
    if level == "section":
        return section(key)
    if level == "county":
        return region(key)
    if level == "all":
        return ALL
    return None
