"""Names as data: GB/T 2260 (Zhejiang) and GB/T 4754-2017, and the report helpers using them."""

from __future__ import annotations

from carbon import names
from carbon.domain.identifiers import SECTION_RANGES, parse_industry, region_problem
from reports.regions import division_name, region_name


def test_every_zhejiang_code_has_both_names_and_belongs_to_a_city():
    regions = names.regions()
    cities = {c for c in regions if c.endswith("00") and c != "330000"}
    assert cities == {f"33{i:02d}00" for i in range(1, 12)}
    counties = [c for c in regions if not c.endswith("00")]
    assert len(counties) == 90
    for code, name in regions.items():
        assert region_problem(code) is None and code.startswith("33")
        assert name.zh and name.en and name.zh != name.en
    for code in counties:
        assert f"{code[:4]}00" in cities
    assert regions["331100"].zh == "丽水市" and regions["330100"].en == "Hangzhou City"


def test_every_division_and_section_of_gb4754():
    sections, divisions = names.sections(), names.divisions()
    assert list(sections) == [s for s, _, _ in SECTION_RANGES]
    assert list(divisions) == [f"{i:02d}" for i in range(1, 98)]
    for code, name in divisions.items():
        assert name.zh and name.en
        assert parse_industry(code).section in sections
    assert divisions["26"].zh == "化学原料和化学制品制造业" and sections["C"].en == "Manufacturing"


def test_peer_group_names():
    assert names.peer_group("division", "30").zh == "非金属矿物制品业"
    assert names.peer_group("section", "B").en == "Mining"
    assert names.peer_group("county", "330881").zh == "江山市"
    assert names.peer_group("all", "all") == names.ALL
    assert names.peer_group("county", "110101") is None


def test_report_helpers_read_the_data():
    assert region_name("330802") == "柯城区" and region_name("330802", "en") == "Kecheng District"
    assert region_name("330383") == "龙港市"
    assert region_name("999999") == "999999"
    assert division_name("26", "en") == "Chemical raw materials and products"
    assert division_name("70") == "房地产业" and division_name("99") == "99"
