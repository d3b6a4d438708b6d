"""An enterprise's figures and the ratings behind them: ``carbon account``, ``carbon rate``,
``carbon benchmarks`` and ``carbon recalc``."""

from __future__ import annotations

import click

from api.cli.common import Ctx, cli_actor, db_option, emit, fmt, json_option, run
from api.cli.figures import figures
from api.cli.params import MONTH, REFERENCE
from carbon.domain.vocabulary import BENCHMARK_LEVELS
from carbon.services import usecases as services
from reports import provisional


@click.command("account")
@click.argument("uscc")
@click.option("--year", type=int, required=True)
@click.option("--month", type=MONTH, metavar="YYYY-MM")
@json_option
@db_option
@click.pass_obj
def account_cmd(obj: Ctx, uscc: str, year: int, month: str | None, as_json: bool) -> None:
    """An enterprise's carbon account for a year or a month."""
    acc = run(
        as_json, lambda: services.account(obj.db, uscc, year, month, by=cli_actor()[0], origin=cli_actor()[1])
    )

    def human() -> None:
        e = acc["emissions_tco2"]
        click.echo(f"{acc['uscc']} {acc['name'] or ''}  {acc['period']}")
        if acc.get("provisional"):
            click.echo(f"  {provisional.bilingual(acc['coverage']['months_energy'])}")
        click.echo(
            f"  emissions 排放 (tCO2): total {fmt(e['total'])} = fuel {fmt(e['fuel'])} + process "
            f"{fmt(e['process'])} + electricity {fmt(e['electricity'])} + heat {fmt(e['heat'])}"
        )
        click.echo(
            f"  location-based 基于位置: electricity {fmt(e['electricity_location'])}, total "
            f"{fmt(e['total_location'])} tCO2 (green power not deducted 不扣除绿电)"
        )
        if e.get("biogenic"):
            click.echo(f"  biogenic 生物质排放 (memo, in no total): {fmt(e['biogenic'])} tCO2")
        if acc.get("electricity_floored_months"):
            months = ", ".join(acc["electricity_floored_months"])
            click.echo(f"  floored at zero 按零计 (exports above purchases 上网电量超过购入): {months}")
        va_months = provisional.months_span(acc["coverage"]["months_value_added"]) or "none 无"
        click.echo(
            f"  energy 能耗: {fmt(acc['energy_tce'])} tce; value added 增加值 "
            f"{fmt(acc['value_added'])} 万元; intensity 强度 {fmt(acc['intensity'], 4)} tCO2/万元, "
            f"{fmt(acc['energy_intensity'], 4)} tce/万元 (months 月份 {va_months})"
        )
        click.echo(
            f"  factor set {acc['factor_set']['id']}@{acc['factor_set']['version']}, grid factor "
            f"{acc['grid_factor']['value']} ({acc['grid_factor']['year']})"
            + ("  [proxy]" if acc["factor_proxy"] else "")
        )
        mf = acc["market_factor"]
        click.echo(
            f"  market-based 市场法: electricity {fmt(e['electricity_market'])}, total "
            f"{fmt(e['total_market'])} tCO2 ({acc['market_basis']} {mf['value']} ({mf['year']}))"
            + (f"  {acc['market_note']}" if acc["market_note"] else "")
        )

    emit(as_json, figures(acc), human)


@click.command("rate")
@click.argument("uscc")
@click.option("--year", type=int, required=True)
@json_option
@db_option
@click.pass_obj
def rate_cmd(obj: Ctx, uscc: str, year: int, as_json: bool) -> None:
    """An enterprise's 碳效码 and 三维四色 rating, with explanation."""
    r = run(as_json, lambda: services.rating(obj.db, uscc, year, by=cli_actor()[0], origin=cli_actor()[1]))

    def human() -> None:
        ce, td = r["carbon_efficiency"], r["three_dimensional"]
        click.echo(
            f"{r['uscc']} {r['name'] or ''}  {r['year']}  ({r['methodology']['id']}@"
            f"{r['methodology']['version']})"
        )
        if r.get("provisional"):
            click.echo(
                f"  {provisional.bilingual(r.get('months'))}: rated against its peers over the same "
                "months; final once the year is complete / 按同期月份评价，全年数据齐全后更新"
            )
        if r["reason"]:
            click.echo(f"  not rated 未评价: {r['reason']}")
            return
        click.echo(
            f"  碳效码 grade {ce['grade']}, class {ce['class']}: L {fmt(ce['intensity'], 4)} / "
            f"L_industry {fmt(ce['industry_intensity'], 4)} = K {fmt(ce['ratio'], 3)} "
            f"({ce['peer_level']}, {ce['peer_count']} peers)"
        )
        for k in ("industry_advanced", "regional_contribution", "historical_decline"):
            d = td[k]
            click.echo(
                f"  {k}: " + ("not assessed" if d is None else f"{fmt(d['value'], 3)} → {d['score']:g}")
            )
        click.echo(f"  三维四色 score {td['score']:.1f}, colour {td['colour']}")
        for c in r["explanation"]["cuts"]:
            click.echo(
                f"  to reach {c['kind']} {c['target']}: cut {fmt(c['cut_tco2'])} tCO2 ({c['cut_pct']}%)"
            )
            alone = [k["text"] for k in c.get("carriers", []) if k["enough"]]
            if c.get("carriers"):
                click.echo("    one carrier alone 单一能源: " + ("; ".join(alone) or "none suffices 均不足"))

    emit(as_json, figures(r), human)


@click.command("benchmarks")
@click.option("--year", type=int, required=True)
@click.option("--level", type=click.Choice(BENCHMARK_LEVELS), help="One level only.")
@click.option("--key", metavar="KEY", help="One group: division 26, section C, county 330802 or all.")
@click.option("--all-revisions", is_flag=True, help="Superseded snapshots too.")
@json_option
@db_option
@click.pass_obj
def benchmarks_cmd(
    obj: Ctx, year: int, level: str | None, key: str | None, all_revisions: bool, as_json: bool
) -> None:
    """Benchmarks of a year's peer groups: count, aggregate intensity, advanced value, quartiles."""
    rows = run(
        as_json,
        lambda: services.benchmarks(
            obj.db, year, level=level, key=key, all_revisions=all_revisions, by=cli_actor()[0]
        ),
    )

    def human() -> None:
        percentiles = {r["advanced_percentile"] for r in rows}
        advanced = f"advanced_P{percentiles.pop():g}" if len(percentiles) == 1 else "advanced"
        header = ["level", "key", "denominator", "n", "emissions_tCO2", "denominator_sum", "intensity"]
        header += [advanced, "q1", "median", "q3", "run"] + (["current"] if all_revisions else []) + ["name"]
        table = [header]
        for r in rows:
            line = [r["level"], r["key"], r["denominator"], str(r["peer_count"]), fmt(r["emissions_tco2"])]
            line += [fmt(r["denominator_total"])] + [fmt(r[k], 4) for k in ("intensity", "advanced")]
            line += [fmt(r[k], 4) for k in ("q1", "median", "q3")] + [str(r["calc_run_id"])]
            line += (["yes" if r["current"] else "no"] if all_revisions else []) + [
                f"{r['name_zh'] or ''} {r['name_en'] or ''}".strip()
            ]
            table.append(line)
        widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
        numeric = set(range(3, len(header) - 1))
        for row in table:
            cells = [
                c.rjust(w) if i in numeric else c.ljust(w)
                for i, (c, w) in enumerate(zip(row[:-1], widths, strict=True))
            ]
            click.echo("  ".join([*cells, row[-1]]).rstrip())

    emit(as_json, figures(rows), human)


@click.command("recalc")
@click.option("--year", type=int, required=True, multiple=True)
@click.option("--factor-set", type=REFERENCE, metavar="ID@VERSION")
@click.option("--methodology", type=REFERENCE, metavar="ID@VERSION")
@click.option("--dry-run", is_flag=True, help="Print the diff; store nothing.")
@click.option("--note", help="Why (kept with the calculation run and in the audit log).")
@json_option
@db_option
@click.pass_obj
def recalc_cmd(
    obj: Ctx,
    year: tuple[int, ...],
    factor_set: str | None,
    methodology: str | None,
    dry_run: bool,
    note: str | None,
    as_json: bool,
) -> None:
    """Recompute accounts and ratings of a year, keeping the old results.

    Run it with --dry-run first: it prints, per enterprise, the old and new total,
    intensity, grade and colour, and stores nothing. A run is written to the audit log."""
    actor, origin = cli_actor()
    res = run(
        as_json,
        lambda: services.recalc(
            obj.db, list(year), factor_set, methodology, dry_run, by=actor, origin=origin, note=note
        ),
    )

    def human() -> None:
        click.echo(
            f"{'dry run: would write' if dry_run else 'wrote'} {res['accounts_written']} accounts, "
            f"{res['ratings_written']} ratings; unchanged {res['ratings_unchanged']} ratings"
        )
        for year_, fs in res["factor_sets"].items():
            click.echo(f"  {year_}: factor set {fs}, methodology {res['methodologies'][year_]}")
        for k, v in res["grade_changes"].items():
            click.echo(f"  grade {k}: {v} enterprises")
        for k, v in res["colour_changes"].items():
            click.echo(f"  colour {k}: {v} enterprises")
        for c in res["changes"][:50]:
            old, new = c["old"], c["new"]
            click.echo(
                f"  {c['uscc']} {c['year']}: total {fmt(old.get('total'))} → {fmt(new['total'])} tCO2, "
                f"intensity {fmt(old.get('intensity'), 4)} → {fmt(new['intensity'], 4)}, "
                f"grade {old.get('grade')} → {new['grade']}, colour {old.get('colour')} → {new['colour']}"
            )
        if res["changes_total"] > 50:
            click.echo(f"  … {res['changes_total'] - 50} more (use --json)")

    emit(as_json, figures(res), human)


COMMANDS = (account_cmd, rate_cmd, benchmarks_cmd, recalc_cmd)
