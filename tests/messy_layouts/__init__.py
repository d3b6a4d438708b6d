"""Messy workbooks as enterprises and statistics offices keep them (DESIGN §6.2), from template rows.

Each layout function takes clean template rows (dicts: ``uscc``, ``name``, ``industry_code``,
``region_code``, ``month`` ``YYYY-MM`` and quantity keys of ``carbon.domain.quantities.FIELDS``
in template units) and a ``random.Random``, and returns ``(xlsx_bytes, description)``. The same
rows and seed give byte-identical files; the description says which variant was drawn (sheet,
column and unit choices, the deliberately wrong subtotal if any), for failure messages.

- ``register_layout``: statistics-office register, one row per enterprise-month, a sheet per
  region, title rows, one- or two-row headers, synonyms, units, 小计/合计 rows, text numbers.
- ``ledger_layout``: an enterprise's own ledger, months as columns, one sheet per enterprise
  and year, an enterprise header block (企业名称：… 统一社会信用代码：… 年份：2023).
- ``english_layout``: the register with English headers and months as date cells.
- ``clean_totals``: what any of them must import to, summed per (USCC, year) in TEMPLATE units.

Whatever unit a column is written in, the value is the template value times an exact factor
(rounded to 12 significant digits), so ``cell × unit_factor(unit)`` gives the canonical value
within 1e-12 relative. USCCs, industry and region codes are always text cells; numeric cells are
finite and non-negative.

``python -m messy_layouts`` (from tests/) writes one example of each layout for the sample data
to /tmp/messy_examples/ and checks, with openpyxl and without the importer, that the cells hold
what the generator meant (headers resolve with ``importers.layout.match_header`` to the right
field and unit, data cells sum to ``clean_totals``, 小计/合计 cells are the sums they claim).

The package: ``vocabulary`` (header names, units, labels), ``book`` (clean totals, the sheet
model and manifest, numbers, shared drawing helpers), ``register`` and ``register_sheet`` (the
register and English layouts), ``ledger`` (the ledger layout), ``selfcheck`` (the check above).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from .book import TEXT_FORMS, HeaderCheck, QtyCell, clean_totals  # noqa: E402
from .ledger import (  # noqa: E402
    LEDGER_FIRST_HEADER,
    LEDGER_ITEM_LABELS,
    LEDGER_TOTAL_HEADER,
    LEDGER_UNIT_HEADER,
    ledger_layout,
)
from .register import english_layout, register_layout  # noqa: E402
from .register_sheet import MONTH_STYLES_EN, MONTH_STYLES_ZH  # noqa: E402
from .selfcheck import check_book  # noqa: E402
from .vocabulary import (  # noqa: E402
    COUNTY_NAMES,
    IDENTITY_KEYS,
    IDENTITY_NAMES,
    PEOPLE_EN,
    PEOPLE_ZH,
    QUANTITY_NAMES,
    UNIT_CHOICES,
    Row,
)

__all__ = [
    "COUNTY_NAMES",
    "IDENTITY_KEYS",
    "IDENTITY_NAMES",
    "LEDGER_FIRST_HEADER",
    "LEDGER_ITEM_LABELS",
    "LEDGER_TOTAL_HEADER",
    "LEDGER_UNIT_HEADER",
    "MONTH_STYLES_EN",
    "MONTH_STYLES_ZH",
    "PEOPLE_EN",
    "PEOPLE_ZH",
    "QUANTITY_NAMES",
    "ROOT",
    "TEXT_FORMS",
    "UNIT_CHOICES",
    "HeaderCheck",
    "QtyCell",
    "Row",
    "check_book",
    "clean_totals",
    "english_layout",
    "ledger_layout",
    "register_layout",
]
