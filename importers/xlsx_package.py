"""The parts of an xlsx/xlsm package that hold the sheets, and their bytes, read safely.

Which member is which sheet (``sheet_parts``: as calamine resolves ``xl/workbook.xml`` and its
relationships, names compared case-insensitively), and a member's bytes inflated in pieces
(``member_chunks``), never more than its declared size: a zip bomb cannot make it inflate
more. Shared by the scan for formula and error cells (``importers.xlsx_cells``) and the
row limits checked before parsing (``importers.limits``).
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator
from xml.parsers import expat

CHUNK_SIZE = 4 << 20  # bytes inflated at a time
SMALL_PART_MAX = 32 << 20  # xl/workbook.xml and its relationships may not be larger


class PartTooLarge(Exception):
    """xl/workbook.xml or its relationships are larger than ``SMALL_PART_MAX``."""


def _by_lower_name(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    # calamine finds a member by its name compared case-insensitively (ASCII), first match.
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        by_name.setdefault(info.filename.lower(), info)
    return by_name


def sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, zipfile.ZipInfo]]:
    """(sheet name as calamine reports it, its member), in workbook order."""
    by_name = _by_lower_name(zf)
    workbook = by_name.get("xl/workbook.xml")
    rels = by_name.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return []
    targets: dict[str, str] = {}
    for attrs in _elements(_read_small(zf, rels), "Relationship"):
        if "Id" in attrs and "Target" in attrs:
            targets[attrs["Id"]] = attrs["Target"]
    parts: list[tuple[str, zipfile.ZipInfo]] = []
    for attrs in _elements(_read_small(zf, workbook), "sheet"):
        name = attrs.get("name")
        rid = attrs.get("r:id", attrs.get("relationships:id"))
        if rid is None:  # another prefix for the relationships namespace
            rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        target = targets.get(rid) if rid is not None else None
        if name is None or target is None:
            continue
        info = by_name.get(_part_path(target).lower())
        if info is not None:
            parts.append((name, info))
    return parts


def _part_path(target: str) -> str:
    """A relationship target of xl/workbook.xml as a member name (as calamine resolves it:
    ``/xl/...`` absolute, ``xl/...`` kept, anything else relative to ``xl/``)."""
    t = target.replace("\\", "/")
    if t.startswith("/"):
        t = t[1:]
    elif not t.startswith("xl/"):
        t = "xl/" + t
    return posixpath.normpath(t)


def _read_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > SMALL_PART_MAX:
        raise PartTooLarge
    with zf.open(info) as f:
        return f.read(info.file_size)


def _refuse_entities(*_args: object) -> None:
    raise ValueError("entity declarations are not accepted")


def _elements(xml: bytes, local_name: str) -> list[dict[str, str]]:
    """Attributes (qualified names as written, values unescaped) of every element whose
    local name is ``local_name``. Entity declarations are refused (no expansion bombs)."""
    found: list[dict[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] == local_name:
            found.append(attrs)

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    parser.Parse(xml, True)
    return found


def member_chunks(
    data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo, chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """A member's bytes, inflated in pieces of at most ``chunk_size``, never more than its
    declared size in all (a zip bomb cannot make it inflate more)."""
    left = info.file_size
    if left <= 0 or info.flag_bits & 0x1:  # empty, or encrypted
        return
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with zf.open(info) as f:
            while left > 0:
                piece = f.read(min(chunk_size, left))
                if not piece:
                    return
                left -= len(piece)
                yield piece
        return
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    start = offset + 30 + name_len + extra_len
    compressed = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        end = min(len(compressed), left)
        for i in range(0, end, chunk_size):
            yield bytes(compressed[i : min(i + chunk_size, end)])
        return
    inflater = zlib.decompressobj(-15)
    step = max(chunk_size // 8, 64)  # compressed bytes fed at a time
    pos = 0
    while left > 0 and not inflater.eof:
        if inflater.unconsumed_tail:
            piece = inflater.decompress(inflater.unconsumed_tail, min(chunk_size, left))
        elif pos < len(compressed):
            piece = inflater.decompress(compressed[pos : pos + step], min(chunk_size, left))
            pos += step
        else:
            piece = inflater.decompress(b"", min(chunk_size, left))  # output zlib still holds
            if not piece:
                return
        if piece:
            left -= len(piece)
            yield piece
