"""The README as a newcomer reads it: the two commands first, short, links that resolve,
examples that write only into scratch/, and the "What to try" shell blocks run for real
(bash, curl and the `carbon` CLI) against the demo data served on a free port."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
SCRATCH = "scratch"
MAX_README_CHARS = 8000
DEMO_URL = "http://127.0.0.1:8000"
PASSWORD_PLACEHOLDER = "<printed by ./dev.sh demo>"
SHELL_LANGS = {"sh", "bash", "shell", "console"}


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced code block, in order."""
    return [
        (m.group(1).strip(), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```\s*$", text, re.S | re.M)
    ]


def prose(text: str) -> str:
    """The text outside fenced blocks and inline code (where links live)."""
    text = re.sub(r"^```.*?^```\s*$", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def section(text: str, title: str) -> str:
    """The body of the ``## title`` section, up to the next ``## ``."""
    m = re.search(rf"^## {re.escape(title)}\s*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, f"README has no section '## {title}'"
    return m.group(1)


SEPARATORS = {";", "&&", "||", "|", "&", "(", ")"}


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


def shell_commands(block: str) -> list[list[str]]:
    """The simple commands of a shell block as argument lists (words unexpanded): comments
    dropped, continuation lines and quotes spanning lines joined, split at pipes, ``;``,
    ``&&``, ``||`` and the parentheses of ``$(...)``."""
    commands: list[list[str]] = []
    pending = ""
    for line in block.splitlines():
        pending += line + "\n"
        if line.endswith("\\"):
            continue
        try:
            tokens = _tokens(pending.replace("\\\n", " "))
        except ValueError:  # a quotation that goes on on the next line
            continue
        pending = ""
        current: list[str] = []
        for token in tokens:
            if token in SEPARATORS:
                commands.append(current)
                current = []
            else:
                current.append(token)
        commands.append(current)
    assert not pending.strip(), f"unterminated shell text: {pending!r}"
    return [c for c in commands if c]


def program(command: list[str]) -> str:
    """The program a command runs: its first word that is not an assignment, or what an
    assignment's ``$(`` runs (``TOKEN=$`` then ``(``, already split off)."""
    words = [w for w in command if not re.match(r"^\w+=", w)]
    return Path(words[0]).name if words else ""


def all_shell_commands(text: str) -> Iterator[list[str]]:
    for lang, body in fenced_blocks(text):
        if lang in SHELL_LANGS:
            yield from shell_commands(body)


# options whose next argument is a file or folder the command writes
CURL_OUTPUTS = {"-o", "--output", "-c", "--cookie-jar", "-D", "--dump-header", "--output-dir", "--trace"}
CLI_OUTPUTS = {"--out", "--errors-out", "--export"}
REMOTE_NAME = re.compile(r"^-[sSLJfkO]*O[sSLJfkO]*$|^--remote-name(-all)?$")  # -O, -OJ, -sLO
PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*(\.\w+)?$")  # FILE, DIR, FILE.csv in a synopsis


def output_paths(command: list[str]) -> list[str]:
    """Every path ``command`` writes to, as written; ``.`` for curl's remote name with no
    --output-dir (it writes into the working directory)."""
    prog = program(command)
    out: list[str] = []
    for i, w in enumerate(command):
        nxt = command[i + 1] if i + 1 < len(command) else ""
        if w in {">", ">>"}:
            out.append(nxt)
        elif prog == "curl" and w in CURL_OUTPUTS:
            out.append(nxt)
        elif w in CLI_OUTPUTS:
            out.append(nxt)
        elif "=" in w and w.split("=", 1)[0] in CLI_OUTPUTS:
            out.append(w.split("=", 1)[1])
    if prog == "curl" and any(REMOTE_NAME.match(w) for w in command) and "--output-dir" not in command:
        out.append(".")
    if prog == "carbon" and "backup" in command[:-1]:
        out.append(command[command.index("backup") + 1])  # carbon db backup FILE
    return out


def writes_outside_scratch(path: str) -> bool:
    if path in {"-", "/dev/null", "/dev/stdout", "/dev/stderr"} or path.startswith("/"):
        return False  # stdout, or an absolute path the operator chose (a backup disk)
    if PLACEHOLDER.match(path):
        return False
    return not (path == SCRATCH or path.startswith(f"{SCRATCH}/"))


# -- the README as written --------------------------------------------------------------


def test_starts_with_exactly_the_two_commands() -> None:
    lines = text_of(README).splitlines()
    assert lines[0].startswith("# "), "the README starts with its title"
    body = list(lines[1:])
    while body and not body[0].strip():
        body.pop(0)
    assert body[:4] == ["```sh", "./dev.sh demo", "./dev.sh test", "```"], body[:4]
    # then What to try, then Where things are, and no other top-level section
    assert re.findall(r"^## (.+)$", text_of(README), re.M) == ["What to try", "Where things are"]


def test_first_command_says_it_takes_host_and_port() -> None:
    text = text_of(README)
    first_block_end = re.search(r"^```\w*\n(.*?)^```\s*$", text, re.S | re.M)
    assert first_block_end, "the README has no fenced block"
    first_paragraph = text[first_block_end.end() :].strip().split("\n\n", 1)[0]
    assert "--host" in first_paragraph and "--port" in first_paragraph, first_paragraph
    demo = cli.commands["demo"]
    assert {"host", "port"} <= {p.name for p in demo.params}, "carbon demo lost --host/--port"


def test_readme_is_short() -> None:
    assert len(text_of(README)) <= MAX_README_CHARS


def _slug(heading: str) -> str:
    """The anchor a heading gets on a Markdown page (GitHub's rule)."""
    heading = re.sub(r"[`*_]", "", heading.strip().lower())
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[^\w\- ]", "", heading).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```\s*$", "", text_of(path), flags=re.S | re.M)
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", text, re.M):
        slug = _slug(heading)
        n = seen.get(slug, 0)
        anchors.add(slug if n == 0 else f"{slug}-{n}")
        seen[slug] = n + 1
    return anchors


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_links_resolve_and_stay_inside_the_repository(page: Path) -> None:
    links = re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", prose(text_of(page)))
    links += re.findall(r"<((?:https?|ftp)://[^>]+)>", prose(text_of(page)))
    problems = []
    for link in links:
        if re.match(r"^[a-z][a-z0-9+.-]*:", link):
            if not re.match(r"^https?://(127\.0\.0\.1|localhost)[:/]", link):
                problems.append(f"{link}: a link outside the repository")
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            problems.append(f"{link}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            problems.append(f"{link}: no heading '#{anchor}' in {path.relative_to(ROOT)}")
        elif not path.is_relative_to(ROOT):
            problems.append(f"{link}: outside the repository")
    assert not problems, problems


def _what_to_try() -> str:
    return "\n".join(
        body for lang, body in fenced_blocks(section(text_of(README), "What to try")) if lang in SHELL_LANGS
    )


def test_the_token_has_every_scope_the_examples_use() -> None:
    """The token "What to try" makes serves every later example: ``write`` for an upload,
    ``feeds`` for the meter feed (issue: the feed answered 403 with a read/write token)."""
    script = _what_to_try()
    commands = shell_commands(script)
    minting = [c for c in commands if "tokens" in c and "create" in c]
    assert len(minting) == 1, minting
    scopes = {minting[0][i + 1] for i, w in enumerate(minting[0]) if w == "--scope"} or {"read"}
    user = minting[0][minting[0].index("create") + 1]
    header_vars = set(re.findall(r"^(\w+)=\"?Authorization: Bearer \$TOKEN", script, re.M)) | {"TOKEN"}
    needed = set()
    for c in commands:
        if program(c) != "curl" or not any(f"${v}" in w for w in c for v in header_vars):
            continue
        url = next(w for w in c if "/api/v1/" in w or "/templates/" in w)
        posts = any(w in {"-d", "--data", "--data-binary", "-F", "--form"} for w in c) or "POST" in c
        if "/feeds/" in url:
            needed.add("feeds")
        elif posts:
            needed.add("write")
        else:
            needed.add("read")
    assert "feeds" in needed, "What to try no longer shows the meter feed with the token"
    assert needed <= scopes, f"the token has {sorted(scopes)}, the examples need {sorted(needed)}"
    # only an administrator (or an enterprise for its own USCCs) may push readings (docs/access.md)
    assert user == "demo-admin", user


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_write_only_into_the_scratch_folder(page: Path) -> None:
    bad = [
        (" ".join(c), path)
        for c in all_shell_commands(text_of(page))
        for path in output_paths(c)
        if writes_outside_scratch(path)
    ]
    assert not bad, bad


def test_the_scratch_folder_and_old_outputs_are_ignored_by_git() -> None:
    ignored = text_of(ROOT / ".gitignore").split()
    assert f"/{SCRATCH}/" in ignored or f"{SCRATCH}/" in ignored
    for old in ("/jar", "/template.xlsx", "/reports-out/", "/monthly.png"):
        assert old in ignored, old


def test_output_path_parser_catches_the_old_examples() -> None:
    """The check above would have failed on what the README used to say."""
    old = (
        "curl -s -c jar -d '{}' http://127.0.0.1:8000/api/v1/auth/login\n"
        "curl -s -o template.xlsx http://127.0.0.1:8000/templates/energy.xlsx\n"
        ".venv/bin/carbon report monthly --region 330800 --month 2023-06 --out reports-out\n"
        "curl -s -OJ 'http://127.0.0.1:8000/api/v1/open-data/statistics?year=2023&format=xlsx'\n"
    )
    found = [p for c in shell_commands(old) for p in output_paths(c)]
    assert found == ["jar", "template.xlsx", "reports-out", "."]
    assert all(writes_outside_scratch(p) for p in found)
    assert not writes_outside_scratch("scratch/jar")


# -- What to try, for real ----------------------------------------------------------------


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    """`carbon demo --no-serve` on a fresh SQLite file, then its API served on a free port:
    (base URL, database URL, demo passwords by username)."""
    from werkzeug.serving import make_server

    from api.app import create_app

    url = f"sqlite:///{tmp_path / 'carbon.db'}"
    result = CliRunner().invoke(cli, ["--db", url, "demo", "--no-serve"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    passwords = dict(re.findall(r"^\s+\w+\s+(demo-[\w-]+)\s+password (\S+)", result.stdout, re.M))
    assert {"demo-admin", "demo-official"} <= set(passwords), result.stdout
    app = create_app({"DATABASE_URL": url, "JOBS": "eager", "SECRET_KEY": "readme-test"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", url, passwords
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["carbon_jobs"].shutdown()
        app.extensions["carbon_db"].dispose()


@pytest.mark.skipif(not (shutil.which("bash") and shutil.which("curl")), reason="needs bash and curl")
def test_what_to_try_runs_as_written(demo_server, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    base, url, passwords = demo_server
    script = _what_to_try()
    assert DEMO_URL in script and PASSWORD_PLACEHOLDER in script

    def password_for(m: re.Match[str]) -> str:
        return m.group(0).replace(PASSWORD_PLACEHOLDER, passwords[m.group(1)])

    script = re.sub(
        rf'"username": "([\w-]+)", "password": "{re.escape(PASSWORD_PLACEHOLDER)}"', password_for, script
    )
    assert PASSWORD_PLACEHOLDER not in script, "a login for a user the demo does not make"
    script = script.replace(DEMO_URL, base)

    # a fresh checkout as the README sees it: the venv and the samples, nothing else
    work = tmp_path / "clone"
    work.mkdir()
    (work / ".venv").symlink_to(ROOT / ".venv")
    (work / "sample_inputs").symlink_to(ROOT / "sample_inputs")
    prelude = (
        "set -euo pipefail\n"
        # every curl reports its status on stderr, its output stays where the README sends it
        "curl() { command curl --show-error"
        " -w '%{stderr}@@ %{http_code} %{method} %{url_effective}\\n' \"$@\"; }\n"
    )
    env = {**os.environ, "CARBON_DATABASE_URL": url, "CARBON_JOBS": "eager"}
    run = subprocess.run(
        ["bash", "-c", prelude + script], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stderr[-3000:]}\n{caplog.text[-3000:]}"
    statuses = re.findall(r"^@@ (\d{3}) (\w+) (\S+)$", run.stderr, re.M)
    curls = [c for c in shell_commands(script) if program(c) == "curl"]
    assert len(statuses) == len(curls) > 0, (statuses, run.stderr[-2000:])
    refused = [s for s in statuses if not s[0].startswith("2")]
    assert not refused, (refused, run.stdout[-2000:], caplog.text[-3000:])
    assert ("201", "POST") in {(s[0], s[1]) for s in statuses if "/feeds/readings" in s[2]}

    # it wrote only into scratch/, and what it wrote is what it says
    assert sorted(p.name for p in work.iterdir()) == sorted([".venv", "sample_inputs", SCRATCH])
    out = work / SCRATCH
    magic = {".png": b"\x89PNG", ".pdf": b"%PDF", ".xlsx": b"PK", ".svg": b"<"}
    for f in out.iterdir():
        if f.suffix in magic:
            assert f.read_bytes().startswith(magic[f.suffix]), f.name
    assert {"jar"} <= {f.name for f in out.iterdir()}
