from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon.domain.rating import RatingInput, rate_population
from carbon.domain.what_if import what_if


def ent(i, e, va, *, division="30", section="C", region="330802", prev=None, prev_va=None):
    return RatingInput(
        uscc=f"E{i:03d}",
        division=division,
        section=section,
        region=region,
        emissions=e,
        denominators={"value_added": va, "gross_output": va * 4, "tax": va / 5},
        previous_emissions=prev,
        previous_denominators=None
        if prev is None
        else {"value_added": prev_va or va, "gross_output": (prev_va or va) * 4, "tax": (prev_va or va) / 5},
    )


def by_uscc(ratings):
    return {r.uscc: r for r in ratings}


def test_published_example_high_class_grade_three(methodology):
    """浙江日报 2025-10-16: L = 7.01 labelled 高碳 with grade 3 (industry average 5.84–8.76)."""
    peers = [ent(i, 7000.0, 1000.0) for i in range(5)]
    target = ent(99, 7010.0, 1000.0)
    r = by_uscc(rate_population([*peers, target], 2023, methodology))["E099"]
    assert r.intensity == pytest.approx(7.01)
    assert r.intensity_class == "high"
    assert r.grade == 3
    assert 5.84 <= r.industry_intensity <= 8.76


def test_class_bounds_belong_to_the_better_class(methodology):
    rs = by_uscc(
        rate_population([ent(0, 600, 1000), ent(1, 2000, 1000), ent(2, 2001, 1000)], 2023, methodology)
    )
    assert [rs[u].intensity_class for u in ("E000", "E001", "E002")] == ["low", "medium", "high"]


@pytest.mark.parametrize(
    ("k", "grade"), [(0.6, 1), (0.61, 2), (0.8, 2), (1.2, 3), (1.21, 4), (2.0, 4), (2.01, 5)]
)
def test_grade_bounds(methodology, k, grade):
    # Four peers of huge value added fix L_industry at ~1.0 whatever the target does.
    peers = [ent(i, 1e9, 1e9) for i in range(4)]
    target = ent(99, k * 1.0, 1.0)
    r = by_uscc(rate_population([*peers, target], 2023, methodology))["E099"]
    assert r.ratio == pytest.approx(k, rel=1e-8)
    assert r.grade == grade


def test_peer_fallback_division_section_all(methodology):
    big = [ent(i, 1000, 1000, division="30") for i in range(5)]
    small = [ent(10 + i, 500, 1000, division="26") for i in range(2)]
    other = [ent(20 + i, 100, 1000, division="44", section="D") for i in range(2)]
    rs = by_uscc(rate_population([*big, *small, *other], 2023, methodology))
    assert (rs["E000"].peer.level, rs["E000"].peer.count) == ("division", 5)
    assert (rs["E010"].peer.level, rs["E010"].peer.count) == ("section", 7)
    assert (rs["E020"].peer.level, rs["E020"].peer.count) == ("all", 9)
    assert rs["E020"].industry_intensity == pytest.approx((5000 + 1000 + 200) / 9000)


def test_not_computable_rating_has_reason_and_is_in_no_population(methodology):
    rs = by_uscc(
        rate_population([ent(0, 100, 0.0), *[ent(i, 100, 100) for i in range(1, 6)]], 2023, methodology)
    )
    r = rs["E000"]
    assert r.intensity is None and r.grade is None and r.colour is None and r.score is None
    assert all(d.score is None for d in r.dimensions)
    assert "value added" in r.reason
    assert rs["E001"].peer.count == 5


def test_weights_rescale_without_previous_year(methodology):
    # Alone in its division and county with no history: K = 1 (60), C = 1 (60).
    rs = by_uscc(rate_population([ent(0, 100, 100)], 2023, methodology))
    r = rs["E000"]
    hist = r.dimension("historical_decline")
    assert hist.score is None and hist.weight == 0
    assert r.dimension("industry_advanced").weight == pytest.approx(0.4 / 0.7)
    assert r.score == pytest.approx(60.0)
    assert r.colour == "light_green"


def test_composite_and_colour(methodology):
    # Target: K small (score 100), C = L_region / L high (100), decline 20 % (100) -> dark green.
    peers = [ent(i, 2000, 1000, prev=2000) for i in range(5)]
    target = ent(99, 400, 1000, prev=500)
    r = by_uscc(rate_population([*peers, target], 2023, methodology))["E099"]
    assert r.dimension("historical_decline").value == pytest.approx(0.2)
    assert r.score == 100 and r.colour == "dark_green"
    # A peer: K ≈ 1.1 (60), C ≈ 0.93 (60), r = 0 (60) -> 60 light green.
    p = by_uscc(rate_population([*peers, target], 2023, methodology))["E000"]
    assert p.score == pytest.approx(60.0)
    assert p.colour == "light_green"


def _rerate(inputs, uscc, new_e, methodology):
    changed = [
        RatingInput(
            r.uscc,
            r.division,
            r.section,
            r.region,
            new_e if r.uscc == uscc else r.emissions,
            r.denominators,
            r.previous_emissions,
            r.previous_denominators,
        )
        for r in inputs
    ]
    return by_uscc(rate_population(changed, 2023, methodology))[uscc]


def test_cut_to_next_grade_and_colour_is_enough_and_not_more(methodology):
    peers = [ent(i, 1000 + 100 * i, 1000, prev=1000) for i in range(6)]
    target = ent(99, 4000, 1000, prev=3800)
    inputs = [*peers, target]
    r = by_uscc(rate_population(inputs, 2023, methodology))["E099"]
    assert r.grade == 5
    cuts = {(c.kind, c.target): c for c in what_if(r.explanation(), methodology)}
    g4 = cuts[("grade", "4")]
    assert _rerate(inputs, "E099", r.emissions - g4.cut_tco2, methodology).grade == 4
    assert _rerate(inputs, "E099", r.emissions - g4.cut_tco2 + 1.0, methodology).grade == 5
    assert g4.cut_pct == pytest.approx(100 * g4.cut_tco2 / r.emissions, abs=0.01)
    colour_cuts = [c for c in what_if(r.explanation(), methodology) if c.kind == "colour"]
    assert colour_cuts, "a red or yellow enterprise is told how to reach the next colour"
    first = colour_cuts[0]
    better = _rerate(inputs, "E099", r.emissions - first.cut_tco2, methodology)
    assert methodology.colour_rank(better.colour) <= methodology.colour_rank(first.target)
    worse = _rerate(inputs, "E099", r.emissions - first.cut_tco2 + 1.0, methodology)
    assert methodology.colour_rank(worse.colour) > methodology.colour_rank(first.target)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(10, 5000), st.floats(100, 2000), st.floats(10, 5000)), min_size=3, max_size=12
    ),
    st.sampled_from(["330802", "330803"]),
)
def test_every_reported_cut_reaches_its_target(methodology, rows, region):
    inputs = [
        ent(i, e, va, prev=p, region=region if i % 2 else "330881") for i, (e, va, p) in enumerate(rows)
    ]
    ratings = rate_population(inputs, 2023, methodology)
    for r in ratings:
        for c in what_if(r.explanation(), methodology):
            after = _rerate(inputs, r.uscc, max(r.emissions - c.cut_tco2, 0.0), methodology)
            if c.kind == "grade":
                assert after.grade <= int(c.target)
            elif c.kind == "class":
                assert ["low", "medium", "high"].index(after.intensity_class) <= [
                    "low",
                    "medium",
                    "high",
                ].index(c.target)
            else:
                assert methodology.colour_rank(after.colour) <= methodology.colour_rank(c.target)


def test_region_level_city_compares_regional_contribution_with_the_whole_city(methodology):
    """三维四色's 区域贡献度 compares with the county by default; a methodology may say city."""
    import dataclasses

    from carbon.domain.errors import InvalidReferenceData
    from carbon.domain.methodology import parse_methodology
    from carbon.services.reference import methodology_documents

    ents = [ent(1, 100.0, 100.0, region="330802"), ent(2, 300.0, 100.0, region="330803")]
    county = by_uscc(rate_population(ents, 2023, methodology))
    # alone in its county, E001's regional value is 1.0; in the city (400 t / 200 万元 = 2.0) it is 2.0
    assert county["E001"].dimension("regional_contribution").value == pytest.approx(1.0)
    doc = dict(methodology_documents()["quzhou-3d@2"])
    doc["three_dimensional"] = {**doc["three_dimensional"], "region_level": "city"}
    city_m = parse_methodology(doc)
    assert city_m.region_level == "city" and city_m.region_of("330881") == "330800"
    city = by_uscc(rate_population(ents, 2023, city_m))
    assert city["E001"].dimension("regional_contribution").value == pytest.approx(2.0)
    assert city["E002"].dimension("regional_contribution").value == pytest.approx(2.0 / 3.0)
    with pytest.raises(InvalidReferenceData):
        parse_methodology(
            {**doc, "three_dimensional": {**doc["three_dimensional"], "region_level": "street"}}
        )
    assert dataclasses.replace(methodology).region_level == "county"
