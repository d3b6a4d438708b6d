"""Display names for the codes a report shows: regions (GB/T 2260) and industry divisions
(GB/T 4754-2017 大类). The names are data (``carbon/data/names``, read by ``carbon.names``);
a code with no entry is shown as the code itself.
"""

from __future__ import annotations

from carbon import names


def region_name(code: str, lang: str = "zh") -> str:
    """``330802`` -> ``柯城区`` (or ``Kecheng District``); an unknown code as is."""
    name = names.region(code)
    return code if name is None else name.in_lang(lang)


def division_name(code: str, lang: str = "zh") -> str:
    """``26`` -> ``化学原料和化学制品制造业``; an unknown division as is."""
    name = names.division(code)
    return code if name is None else name.in_lang(lang)
