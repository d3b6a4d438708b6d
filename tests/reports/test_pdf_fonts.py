"""The PDF report's CJK faces cut down to the characters it can show (``reports.pdf_fonts``):
what the data says is always drawn, by the cut or, should the cut miss a character, by the
whole faces."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from monthly_sample import make_data
from pypdf import PdfReader

from reports import pdf_fonts
from reports.monthly import render_pdf
from reports.monthly_data import MonthlyReportData

pytest.importorskip("uharfbuzz")

RARE = "龘鱻"  # in the font, in no report module nor names table


def text_of(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
        return re.sub(r"\s+", "", out.stdout)
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"[\s\x00]+", "", "".join(p.extract_text() or "" for p in reader.pages))


def with_rare_name() -> MonthlyReportData:
    data = make_data()
    data["largest"][1]["name"] = f"衢江{RARE}水泥有限公司"
    return data


def test_rare_characters_are_not_in_the_fixed_sources() -> None:
    assert not {ord(c) for c in RARE} & pdf_fonts.static_chars()
    assert ord("衢") in pdf_fonts.static_chars() and ord("A") in pdf_fonts.static_chars()


def test_cut_faces_hold_the_data_characters_and_few_glyphs(tmp_path: Path) -> None:
    with pdf_fonts.cut_fonts([f"名称{RARE}"]) as fonts:
        assert not fonts.whole
        assert set(fonts.files) == {"", "B"}
        for path, index in fonts.files.values():
            font = TTFont(path, fontNumber=index, lazy=True)
            cmap = font.getBestCmap()
            assert all(ord(c) in cmap for c in RARE + "名称衢州市")
            assert font["maxp"].numGlyphs < 5000  # of 65,535
            assert "CFF " in font and "GSUB" not in font
            font.close()
    assert not Path(fonts.files[""][0]).exists()  # the files live as long as the block


def test_a_data_character_is_drawn_by_the_cut(tmp_path: Path) -> None:
    assert f"衢江{RARE}水泥有限公司" in text_of(render_pdf(with_rare_name()), tmp_path)


def test_a_character_the_cut_misses_is_drawn_by_the_whole_faces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[bool] = []
    whole = pdf_fonts.whole_fonts

    def spy() -> pdf_fonts.FontSet:
        used.append(True)
        return whole()

    monkeypatch.setattr(pdf_fonts, "strings", lambda _data: iter(()))  # the cut sees no data
    monkeypatch.setattr(pdf_fonts, "whole_fonts", spy)
    pdf = render_pdf(with_rare_name())
    assert len(used) == 2  # the cut's source faces, then the fallback render
    assert f"衢江{RARE}水泥有限公司" in text_of(pdf, tmp_path)


def test_without_uharfbuzz_the_whole_faces_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "uharfbuzz", None)
    with pdf_fonts.cut_fonts(["衢州"]) as fonts:
        assert fonts.whole
        assert fonts.files == pdf_fonts.whole_fonts().files


def test_a_cut_that_fails_falls_back_to_the_whole_faces(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> bytes:
        raise RuntimeError("no")

    monkeypatch.setattr(pdf_fonts, "_cut", broken)
    with pdf_fonts.cut_fonts(["衢州"]) as fonts:
        assert fonts.whole
        assert fonts.files == pdf_fonts.whole_fonts().files
