"""The pages' words, in Chinese (the default) and English. A page asks ``t("key")``; a
key missing in English falls back to Chinese, a key missing everywhere shows as itself (a
test lists every key the templates use and checks both languages have it)."""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "site": "衢州市工业碳账户",
        "login": "登录",
        "logout": "退出",
        "username": "用户名",
        "password": "密码",
        "login_failed": "用户名或密码错误",
        "switch_lang": "English",
        "home": "首页",
        "methodology": "核算方法",
        "skip": "跳到正文",
        "error": "出错了",
        "error_403": "无权访问",
        "error_404": "页面或数据不存在",
        "error_422": "提交的内容有误",
        "error_429": "尝试次数过多，请稍后再试",
        "error_500": "服务器内部错误",
        "back_home": "返回首页",
        "signed_in_as": "当前用户",
        "role_enterprise": "企业",
        "role_bank": "银行",
        "role_official": "政府部门",
        "role_admin": "管理员",
        "api_docs": "接口文档",
    },
    "en": {
        "site": "Quzhou industrial carbon accounts",
        "login": "Log in",
        "logout": "Log out",
        "username": "Username",
        "password": "Password",
        "login_failed": "Wrong username or password",
        "switch_lang": "中文",
        "home": "Home",
        "methodology": "How the numbers are made",
        "skip": "Skip to content",
        "error": "Something went wrong",
        "error_403": "You may not see this",
        "error_404": "No such page or record",
        "error_422": "What was sent cannot be used",
        "error_429": "Too many attempts: try again later",
        "error_500": "Internal server error",
        "back_home": "Back to the home page",
        "signed_in_as": "Signed in as",
        "role_enterprise": "Enterprise",
        "role_bank": "Bank",
        "role_official": "Official",
        "role_admin": "Administrator",
        "api_docs": "API docs",
    },
}


def translate(key: str, lang: str) -> str:
    return WORDS.get(lang, {}).get(key) or WORDS[DEFAULT_LANG].get(key) or key


def add(words: dict[str, dict[str, str]]) -> None:
    """A page module's own words (``{"zh": {...}, "en": {...}}``), added at import."""
    for lang, entries in words.items():
        clash = set(entries) & set(WORDS[lang])
        if clash:
            raise ValueError(f"page words defined twice: {sorted(clash)}")
        WORDS[lang].update(entries)
