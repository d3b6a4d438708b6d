"""The 205-1 statistical return (能源购进、消费与库存): monthly sheets of cumulative figures.

Enterprises file the 205-1 return with the statistics office every month, one sheet per
month, each giving cumulative 1–本月 figures per energy row. ``read_205`` reads the sheets
the workbook dispatcher recognised (``looks_like_205``) into one ``MonthlyRecord`` per
enterprise-month, by differencing the cumulative figures. docs/methodology.md §2.4 has the rules; the
decisions taken where it is silent are listed here and are pinned by
``tests/importers/test_return205*.py``:

Reading a sheet
- ``looks_like_205``: 能源名称 within the first 40 rows, 计量单位 and a 消费… header in it or
  the three rows under it, and fewer than three month labels (1月 2月 3月 … across the header
  is a months-as-columns ledger, not this return).
- The header is the row with 能源名称 (within the first 40 rows) and the rows under it
  whose 能源名称 cell is blank (merged) and that hold text: two or three rows with merged
  cells. A column is known by the texts of its own header cells and of the spanning group
  cells above it (消费量 over 合计 / 工业生产消费 / …; 购进量 over 实物量 / 金额), never by
  position. A column-number row (甲 乙 丙 1 2 3 …) under the header is skipped.
- Columns read: 期初(年初)库存量, 购进量 实物量, 消费量 合计, 工业生产消费, 用于原材料,
  非工业生产消费, 期末库存量. 金额, 运输工具消费 (a memo inside 合计) and the 折标系数
  columns are not read. Only 消费量合计 is required.
- Energy rows are looked up by name in ``ENERGY_FIELDS`` (205-1 names plus the names and
  synonyms of the carrier fields), after dropping ``其中：``, ``#`` and numbering prefixes
  and a bracketed note (``柴油（含生物柴油）``). A name written twice on one sheet is an
  error. 炼焦烟煤 and 一般烟煤 are summed into bituminous_coal (``SUMMED_ROWS``); any other
  second row for a field already given (``其中：外购电力`` under ``电力``) is a breakdown:
  warned about and not added again.
- Rows whose name is a total (能源合计, code 40) are skipped silently. Unknown energies with
  a non-zero 消费量合计 are a warning per sheet naming the cell. The table ends at the
  signature line (单位负责人 / 填表人 / 报出日期 …) or a 注/说明 line.
- The unit is the row's 计量单位 cell (or a unit in brackets after the name); a blank unit
  is read as the form's unit (吨, 万立方米, 百万千焦, 万千瓦时) with a warning.
- Numbers: numeric cells, text with thousands separators or full-width digits; blank is 0.
  A negative or non-numeric cell in a column read is an error, even if the column only
  feeds a check.
- ``columns`` has one ``ColumnMapping`` per carrier row read: the 消费量合计 column, the
  能源名称 text as header, the row's unit and factor, its ``row`` and ``period``.

Identity and month
- USCC (required), name, industry and region come from the block above the table
  (``importers.blocks.read_block``); a USCC typed one character per cell after its label
  is joined. Industry and region that differ between sheets of one USCC are errors; a
  differing name is a warning (the first sheet's name is kept). Blank ones are inherited.
- The month is taken from the block's 报告期 / 统计期, else the sheet name, else a title
  cell (cells naming 有效期 / 文号 / 日期 are ignored). When two of these disagree the first
  is used and a warning names both. A range must start in January (the return is
  cumulative); ``2023年2-3月`` is an error, and a single month (``2023年3月``) means 1–3月.
  The year of a month-only sheet name (``3月``) comes from the block's 年份 or the title.

Cumulative to monthly, per USCC and year (sheets in month order)
- January's figures are its month. Month m's figure is cum(m) − cum(m−1) when the sheet of
  m−1 is in the file. A sheet whose previous month is not in the file (the first sheet of
  a year after January, or one after a gap) produces no record: a warning says it is used
  only as the base for later months.
- Per energy row, 消费量合计 and 用于原材料 must not go down from the previous sheet in the
  file (also across a gap), and the month's feedstock must not exceed the month's
  consumption; each is an error on the later sheet naming the cell. A row given on an
  earlier sheet and missing from a later one counts as a drop to zero.
- Burned = 合计 − 用于原材料 (cumulative, then differenced). 用于原材料 > 合计 on a sheet is
  an error. Figures are converted to the canonical unit and differenced in decimal, on the
  numbers as written, so 1–3月 − 1–2月 has no binary rounding noise (a sheet may even use
  another unit than the month before).
- Coal: if any of 无烟煤 / 炼焦烟煤 / 一般烟煤 / 褐煤 has consumption on a sheet, those rows
  count and 原煤 does not (raw_coal is then 0.0); otherwise 原煤 counts. Consecutive sheets
  of one year that switch between the two are an error (the month's split is unknowable).
  原煤 differing from the sum of its breakdown is a warning.
- Checks that warn (tolerance 0.5 % or 0.01, in the row's unit), naming the cell:
  合计 = 工业生产消费 + 非工业生产消费 (when either part is filled); 期末 = 期初 + 购进 − 合计
  (when any of the three is filled; not for 电力 and 热力, which have no stock and whose
  consumption may include own generation).
- ``values`` holds every field with a row on the sheet (0.0 for a blank row). A record's
  ``row`` is the sheet's first energy row. A sheet whose energies are all unknown to the
  account gives no record (it is still a base); a sheet without energy rows is skipped with
  a warning. ``rows_read`` counts energy rows read;
  ``accepted`` counts records. With any error the file is refused and no records are
  returned.

The package: ``locate`` (is a sheet this return, where its header is and what each column
holds), ``block`` (the enterprise and the month, from the block above the table), ``sheet``
(one sheet's energy rows, into ``model``: what one sheet says), ``checks`` (what is
compared: a row's balance, the coal breakdown, enterprises and cumulative figures across
sheets), ``extras`` (rows that are energy but no field, 折标系数, 用于原材料), ``read``
(cumulative to monthly, ``read_205``) and ``tables`` (names, units and markers, as data).
A name with a leading underscore is private to the package: its modules share it, nothing
outside uses it.
"""

from importers.return205.locate import looks_like_205
from importers.return205.read import read_205
from importers.return205.tables import (
    BREAKDOWN,
    ENERGY_FIELDS,
    FORM_UNIT,
    HEADER_SEARCH_ROWS,
    MAX_HEADER_ROWS,
    NO_STOCK,
    SUMMED_ROWS,
)

__all__ = [
    "BREAKDOWN",
    "ENERGY_FIELDS",
    "FORM_UNIT",
    "HEADER_SEARCH_ROWS",
    "MAX_HEADER_ROWS",
    "NO_STOCK",
    "SUMMED_ROWS",
    "looks_like_205",
    "read_205",
]
