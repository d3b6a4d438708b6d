"""The admin's pages (管理员): users, their own tokens, the reference library,
recalculation with a dry run first, and the audit log. Every change goes through the same
use cases as the API (``carbon.services.usecases``), which hold the access rules."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from api.web import i18n
from api.web.common import blp, db, origin, page_principal, render, requires_role
from carbon.domain.errors import CarbonError, InvalidValue
from carbon.domain.rounding import amount, significant
from carbon.domain.vocabulary import ROLES, SCOPES
from carbon.services import usecases

KINDS = ("factor_set", "methodology")
AUDIT_PAGE = 50
AUDIT_MAX_PAGE = 10000 // AUDIT_PAGE  # the use case returns at most 10000 entries
DIFF_ROWS = 300

i18n.add(
    {
        "zh": {
            "adm_home": "系统管理",
            "adm_users": "用户管理",
            "adm_tokens": "我的访问令牌",
            "adm_reference": "排放因子集与评价方法",
            "adm_recalc": "重新计算",
            "adm_audit": "审计日志",
            "adm_users_hint": "创建、查看和停用用户",
            "adm_tokens_hint": "为接口客户端创建和撤销令牌",
            "adm_reference_hint": "发布新版本，停用旧版本",
            "adm_recalc_hint": "先试算查看评级变化，再确认执行",
            "adm_audit_hint": "所有发布、停用、重算和登录记录",
            "adm_new_user": "新建用户",
            "adm_role": "角色",
            "adm_region": "行政区划代码（政府用户，如 330800）",
            "adm_institution": "所属机构（银行用户）",
            "adm_usccs": "统一社会信用代码（企业用户，多个用逗号或空格分隔）",
            "adm_create": "创建",
            "adm_created_user": "已创建用户",
            "adm_scope": "范围",
            "adm_disable": "停用",
            "adm_disabled_user": "已停用用户",
            "adm_no_users": "还没有用户",
            "adm_new_token": "新建令牌",
            "adm_token_name": "令牌用途（如 state-grid-feed）",
            "adm_scopes": "权限范围",
            "adm_days": "有效天数",
            "adm_token_once": "请立即复制此令牌，它只显示这一次：",
            "adm_token_id": "编号",
            "adm_name": "名称",
            "adm_created": "创建时间",
            "adm_expires": "到期时间",
            "adm_revoked": "撤销时间",
            "adm_last_used": "最近使用",
            "adm_revoke": "撤销",
            "adm_no_tokens": "还没有令牌",
            "adm_factor_sets": "排放因子集",
            "adm_methodologies": "评价方法",
            "adm_ref": "版本",
            "adm_title": "标题",
            "adm_origin": "来源",
            "adm_status": "状态",
            "adm_active": "可用",
            "adm_retired": "已停用",
            "adm_retire": "停用",
            "adm_reason": "原因",
            "adm_publish": "发布新版本",
            "adm_kind": "类型",
            "adm_file": "JSON 文件",
            "adm_published": "已发布",
            "adm_unchanged": "内容相同，已存在",
            "adm_retired_done": "已停用",
            "adm_years": "年份（多个用逗号分隔）",
            "adm_default_current": "默认：各年份当前版本",
            "adm_note": "备注",
            "adm_dry_run": "试算（不保存）",
            "adm_confirm": "确认执行",
            "adm_dry_run_result": "试算结果（尚未保存）",
            "adm_done_result": "重新计算已完成",
            "adm_changes_total": "重算的企业年度数",
            "adm_grade_changes": "等级变化",
            "adm_colour_changes": "颜色变化",
            "adm_no_change": "无变化",
            "adm_enterprise": "企业",
            "adm_year": "年份",
            "adm_old": "原",
            "adm_new": "新",
            "adm_total": "排放总量 tCO2",
            "adm_grade": "等级",
            "adm_colour": "颜色",
            "adm_only_changed": "仅列出等级或颜色有变化的企业年度",
            "adm_audit_id": "审计记录编号",
            "adm_accounts_written": "写入账户数",
            "adm_ratings_written": "写入评级数",
            "adm_at": "时间",
            "adm_actor": "操作人",
            "adm_action": "操作",
            "adm_subject": "对象",
            "adm_details": "详情",
            "adm_export": "导出全部（CSV）",
            "adm_filter": "筛选",
            "adm_action_prefix": "操作前缀（如 recalc、user、token）",
            "adm_prev": "上一页",
            "adm_next": "下一页",
            "adm_page": "第 {n} 页",
            "adm_oldest_first": "按时间顺序，最早的在前；用操作前缀筛选，或导出全部",
            "adm_c_dark_green": "深绿",
            "adm_c_light_green": "浅绿",
            "adm_c_yellow": "黄",
            "adm_c_red": "红",
        },
        "en": {
            "adm_home": "Administration",
            "adm_users": "Users",
            "adm_tokens": "My access tokens",
            "adm_reference": "Factor sets and methodologies",
            "adm_recalc": "Recalculation",
            "adm_audit": "Audit log",
            "adm_users_hint": "Create, list and disable users",
            "adm_tokens_hint": "Create and revoke tokens for API clients",
            "adm_reference_hint": "Publish new versions, retire old ones",
            "adm_recalc_hint": "See the grade changes in a dry run, then confirm",
            "adm_audit_hint": "Every publication, retirement, recalculation and login",
            "adm_new_user": "New user",
            "adm_role": "Role",
            "adm_region": "Region code (officials, e.g. 330800)",
            "adm_institution": "Institution (bank users)",
            "adm_usccs": "USCCs (enterprise users; separate several by commas or spaces)",
            "adm_create": "Create",
            "adm_created_user": "User created",
            "adm_scope": "Scope",
            "adm_disable": "Disable",
            "adm_disabled_user": "User disabled",
            "adm_no_users": "No users yet",
            "adm_new_token": "New token",
            "adm_token_name": "What it is for (e.g. state-grid-feed)",
            "adm_scopes": "Scopes",
            "adm_days": "Days valid",
            "adm_token_once": "Copy this token now; it is shown only once:",
            "adm_token_id": "No.",
            "adm_name": "Name",
            "adm_created": "Created",
            "adm_expires": "Expires",
            "adm_revoked": "Revoked",
            "adm_last_used": "Last used",
            "adm_revoke": "Revoke",
            "adm_no_tokens": "No tokens yet",
            "adm_factor_sets": "Emission factor sets",
            "adm_methodologies": "Rating methodologies",
            "adm_ref": "Version",
            "adm_title": "Title",
            "adm_origin": "Origin",
            "adm_status": "Status",
            "adm_active": "In use",
            "adm_retired": "Retired",
            "adm_retire": "Retire",
            "adm_reason": "Reason",
            "adm_publish": "Publish a new version",
            "adm_kind": "Kind",
            "adm_file": "JSON file",
            "adm_published": "Published",
            "adm_unchanged": "Already published with the same content",
            "adm_retired_done": "Retired",
            "adm_years": "Years (separate by commas)",
            "adm_default_current": "Default: each year's current version",
            "adm_note": "Note",
            "adm_dry_run": "Dry run (stores nothing)",
            "adm_confirm": "Confirm and run",
            "adm_dry_run_result": "Dry run result (nothing stored yet)",
            "adm_done_result": "Recalculation done",
            "adm_changes_total": "Enterprise-years recalculated",
            "adm_grade_changes": "Grade changes",
            "adm_colour_changes": "Colour changes",
            "adm_no_change": "No change",
            "adm_enterprise": "Enterprise",
            "adm_year": "Year",
            "adm_old": "Old",
            "adm_new": "New",
            "adm_total": "Total tCO2",
            "adm_grade": "Grade",
            "adm_colour": "Colour",
            "adm_only_changed": "Only enterprise-years whose grade or colour changes are listed",
            "adm_audit_id": "Audit entry",
            "adm_accounts_written": "Accounts written",
            "adm_ratings_written": "Ratings written",
            "adm_at": "Time",
            "adm_actor": "Actor",
            "adm_action": "Action",
            "adm_subject": "Subject",
            "adm_details": "Details",
            "adm_export": "Export everything (CSV)",
            "adm_filter": "Filter",
            "adm_action_prefix": "Action prefix (e.g. recalc, user, token)",
            "adm_prev": "Previous page",
            "adm_next": "Next page",
            "adm_page": "Page {n}",
            "adm_oldest_first": "Oldest first; filter by an action prefix, or export everything",
            "adm_c_dark_green": "dark green",
            "adm_c_light_green": "light green",
            "adm_c_yellow": "yellow",
            "adm_c_red": "red",
        },
    }
)


def _form(name: str, limit: int = 2000) -> str:
    return (request.form.get(name) or "").strip()[:limit]


def _problem(exc: CarbonError) -> tuple[str, int]:
    """A refusal shown on the form itself when it is about what was typed (422, 409);
    anything else (403, 404) becomes the error page."""
    if exc.status in (409, 422):
        return exc.message, exc.status
    raise exc


@blp.get("/admin")
@requires_role("admin")
def admin_home() -> str:
    return render("admin/home.html")


# --- users ------------------------------------------------------------------------------


@blp.route("/admin/users", methods=["GET", "POST"])
@requires_role("admin")
def admin_users() -> Any:
    by = page_principal()
    done, error, status = None, None, 200
    typed: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "disable":
                username = _form("username", 200)
                usecases.disable_user(db(), by, username, origin())
                done = (f"{username}", "adm_disabled_user")
            else:
                typed = {k: _form(k, 400) for k in ("username", "role", "region", "institution", "usccs")}
                res = usecases.create_user(
                    db(), by, username=typed["username"], password=request.form.get("password") or "",
                    role=typed["role"], region_code=typed["region"] or None,
                    institution=typed["institution"] or None,
                    usccs=[u for u in re.split(r"[\s,，;；]+", typed["usccs"]) if u], origin=origin(),
                )  # fmt: skip
                done, typed = (res["username"], "adm_created_user"), {}
        except CarbonError as exc:
            error, status = _problem(exc)
    users = usecases.list_users(db(), by)
    return render("admin/users.html", users=users, roles=ROLES, done=done, error=error, typed=typed), status


# --- tokens -----------------------------------------------------------------------------


@blp.route("/admin/tokens", methods=["GET", "POST"])
@requires_role("admin")
def admin_tokens() -> Any:
    by = page_principal()
    new_token, error, status = None, None, 200
    if request.method == "POST":
        try:
            if request.form.get("action") == "revoke":
                token_id = request.form.get("token_id", "")
                if not token_id.isdigit():
                    raise InvalidValue("no such token / 令牌编号无效")
                usecases.revoke_token(db(), by, int(token_id), origin())
            else:
                days_text = _form("days", 10)
                if days_text and not days_text.isdigit():
                    raise InvalidValue("days: a whole number / 有效天数须为整数")
                new_token = usecases.create_token(
                    db(), by, by.username, _form("name", 100), request.form.getlist("scope"),
                    int(days_text) if days_text else None, origin(),
                )  # fmt: skip
        except CarbonError as exc:
            error, status = _problem(exc)
    tokens = sorted(usecases.my_tokens(db(), by), key=lambda t: t["id"], reverse=True)
    return render("admin/tokens.html", tokens=tokens, scopes=SCOPES, new_token=new_token, error=error), status


# --- reference library ------------------------------------------------------------------


@blp.route("/admin/reference", methods=["GET", "POST"])
@requires_role("admin")
def admin_reference() -> Any:
    by = page_principal()
    done, error, status = None, None, 200
    if request.method == "POST":
        kind = request.form.get("kind", "")
        try:
            if kind not in KINDS:
                raise InvalidValue("kind: factor_set or methodology / 类型无效")
            if request.form.get("action") == "retire":
                ref = _form("ref", 200)
                res = usecases.reference_retire(db(), kind, ref, _form("reason"), by=by, origin=origin())
                done = (res["ref"], "adm_retired_done")
            else:
                upload = request.files.get("file")
                if upload is None or not upload.filename:
                    raise InvalidValue("choose a JSON file / 请选择JSON文件")
                res = usecases.reference_publish(db(), kind, upload.read(), by=by, origin=origin())
                done = (res["ref"], "adm_unchanged" if res["status"] == "unchanged" else "adm_published")
        except CarbonError as exc:
            error, status = _problem(exc)
    lists = {kind: usecases.reference_list(db(), kind) for kind in KINDS}
    return render("admin/reference.html", lists=lists, done=done, error=error), status


# --- recalculation ----------------------------------------------------------------------


def _years(text: str) -> list[int]:
    parts = [p for p in re.split(r"[\s,，;；]+", text) if p]
    if not parts or len(parts) > 20 or not all(p.isdigit() and 1990 <= int(p) <= 2100 for p in parts):
        raise InvalidValue("years: 1-20 years from 1990 to 2100, e.g. 2023 / 年份无效，如 2023")
    return sorted({int(p) for p in parts})


def _headline(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "total": amount(h.get("total")),
        "intensity": significant(h.get("intensity")),
        "grade": h.get("grade"),
        "colour": h.get("colour"),
    }


@blp.route("/admin/recalc", methods=["GET", "POST"])
@requires_role("admin")
def admin_recalc() -> Any:
    by = page_principal()
    refs = {
        kind: [r["ref"] for r in usecases.reference_list(db(), kind) if not r.get("retired_at")]
        for kind in KINDS
    }
    typed = {k: _form(k, 200) for k in ("years", "factor_set", "methodology", "note")}
    result, rows, error, status = None, [], None, 200
    if request.method == "POST":
        try:
            result = usecases.recalc(
                db(), _years(typed["years"]), typed["factor_set"] or None, typed["methodology"] or None,
                request.form.get("action") != "confirm", by=by, origin=origin(), note=typed["note"] or None,
            )  # fmt: skip
        except CarbonError as exc:
            error, status = _problem(exc)
        else:
            for c in result["changes"]:
                old, new = _headline(c["old"]), _headline(c["new"])
                if (old["grade"], old["colour"]) != (new["grade"], new["colour"]):
                    rows.append({"uscc": c["uscc"], "year": c["year"], "old": old, "new": new})
    return render(
        "admin/recalc.html", refs=refs, typed=typed, result=result, rows=rows[:DIFF_ROWS],
        more=max(0, len(rows) - DIFF_ROWS), error=error,
    ), status  # fmt: skip


# --- audit log --------------------------------------------------------------------------


@blp.get("/admin/audit")
@requires_role("admin")
def admin_audit() -> str:
    """The log oldest first, as the use case gives it (and the API, and the export): page n
    reads the first n pages plus one entry, to know whether a next page follows."""
    by = page_principal()
    action = (request.args.get("action") or "").strip()[:100].replace("\x00", "")
    n = request.args.get("page", "1")
    number = min(max(int(n), 1), AUDIT_MAX_PAGE) if n.isdigit() and len(n) < 7 else 1
    entries = usecases.audit_log(db(), by=by, action=action or None, limit=number * AUDIT_PAGE + 1)
    shown = entries[(number - 1) * AUDIT_PAGE : number * AUDIT_PAGE]
    has_next = len(entries) > number * AUDIT_PAGE and number < AUDIT_MAX_PAGE
    return render("admin/audit.html", entries=shown, number=number, has_next=has_next, action=action)
