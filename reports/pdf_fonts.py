"""The CJK faces a PDF report embeds, cut down first to the characters it can show.

Noto Sans CJK holds 65,535 CFF glyphs in a collection. Handed to fpdf2 as it is, every
document pays for fontTools parsing the face (its cmap, metrics and charset, ~0.4 s a face)
and subsetting it at output (the CharStrings and subroutine indexes of every glyph, bounds
recomputed: ~1 s a face). HarfBuzz's subsetter (C, a few milliseconds) first cuts each face
to the characters the document can hold: every character of the report modules' source
(their fixed words), of the names tables (regions, industries), Latin and CJK punctuation,
and every string of the document's data. fpdf2 then parses and subsets a face of a thousand
glyphs. What the reader sees is the same font and the same glyphs.

A document that still asks for a character outside the cut (text from somewhere these
sources miss) is rendered again with the whole faces (``FontSet.whole``), so no glyph is
ever lost to the cut. Without uharfbuzz installed the whole faces are used.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

LOG = logging.getLogger(__name__)

# Always kept: Latin, general punctuation, letterlike symbols and arrows, enclosed
# numerals, CJK symbols and punctuation, full-width forms.
_RANGES: tuple[tuple[int, int], ...] = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x2000, 0x206F),
    (0x2100, 0x21FF),
    (0x2460, 0x24FF),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
)
# Tables fpdf2 drops or never reads: layout (no text shaping here) and vertical metrics.
_DROP = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "vhea", "vmtx", "VORG", "DSIG")


@dataclass(frozen=True)
class FontSet:
    """Per style ("" regular, "B" bold): the font file and collection index to add."""

    files: Mapping[str, tuple[str, int]]
    whole: bool  # the installed faces themselves, not a cut


def whole_fonts() -> FontSet:
    from reports.pdf import cjk_font_files

    return FontSet(cjk_font_files(), whole=True)


@contextlib.contextmanager
def cut_fonts(texts: Iterable[str]) -> Iterator[FontSet]:
    """The faces cut to the characters of ``texts`` and of the fixed sources, as files that
    live as long as the ``with`` block; the whole faces without uharfbuzz."""
    try:
        import uharfbuzz  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        yield whole_fonts()
        return
    chars = set(static_chars())
    for text in texts:
        chars.update(map(ord, text))
    codepoints = frozenset(chars)
    whole = whole_fonts()
    with tempfile.TemporaryDirectory(prefix="carbon-fonts-") as folder:
        files: dict[str, tuple[str, int]] = {}
        try:
            for style, (path, index) in whole.files.items():
                out = Path(folder, f"cjk{style or 'R'}.otf")
                out.write_bytes(_cut(path, index, codepoints))
                files[style] = (str(out), 0)
        except (RuntimeError, OSError, ValueError) as exc:  # slower, never wrong
            LOG.warning("cutting the CJK font failed (%s): the whole faces are embedded", exc)
            yield whole
            return
        yield FontSet(files, whole=False)


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON-like value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from strings(v)


@functools.cache
def static_chars() -> frozenset[int]:
    """The characters every report can show whatever its data: the source of the report
    modules (their fixed words), the names tables, and the ranges always kept."""
    chars: set[int] = set()
    for lo, hi in _RANGES:
        chars.update(range(lo, hi + 1))
    for module in Path(__file__).parent.glob("*.py"):
        chars.update(map(ord, module.read_text(encoding="utf-8")))
    for entry in resources.files("carbon.data").joinpath("names").iterdir():
        if entry.name.endswith(".json"):
            for text in strings(json.loads(entry.read_text(encoding="utf-8"))):
                chars.update(map(ord, text))
    return frozenset(c for c in chars if c >= 0x20)


@functools.cache
def _face(path: str, index: int) -> Any:
    import uharfbuzz as hb

    return hb.Face(hb.Blob.from_file_path(path), index)


@functools.lru_cache(maxsize=8)
def _cut(path: str, index: int, codepoints: frozenset[int]) -> bytes:
    """The face ``index`` of ``path`` with only the glyphs of ``codepoints`` (and .notdef),
    its outlines without subroutines (less for fontTools to untangle), as OpenType bytes."""
    import uharfbuzz as hb

    inp = hb.SubsetInput()
    inp.unicode_set.update(codepoints)
    for tag in _DROP:
        inp.drop_table_tag_set.add(int.from_bytes(tag.encode("ascii"), "big"))
    inp.flags = hb.SubsetFlags.NOTDEF_OUTLINE | hb.SubsetFlags.DESUBROUTINIZE
    face = hb.subset(_face(path, index), inp)
    if face is None:
        raise RuntimeError(f"could not cut the font {path} (face {index})")
    return bytes(face.blob.data)
