"""The README's command-line and API examples run on the demo data as written.

Every ``curl`` line of the README is sent to the app (``$TOKEN`` is an
architect's write token, ``$ADOPTION`` the id the adoption example answered, ``$PLAN``
the saved incubation plan's);
every ``flask --app app`` command it lists exists and the concrete ones run.
"""

import json
import re
import shlex
from pathlib import Path

import pytest

from catalog import accounts
from catalog.seed import seed_demo

README = Path(__file__).resolve().parents[1] / "README.md"
BASE = "http://127.0.0.1:5000"


def code_lines() -> list[str]:
    """Return the README's indented code lines, continued lines (``\\``, open quotes) joined."""
    lines, joined = [], ""
    for line in README.read_text(encoding="utf-8").splitlines():
        if not line.startswith("    "):
            joined = ""
            continue
        text = line.strip()
        joined = f"{joined} {text}" if joined else text
        if joined.endswith("\\"):
            joined = joined[:-1]
            continue
        if joined.count("'") % 2:  # a quoted JSON body runs on over lines
            continue
        lines.append(joined)
        joined = ""
    return lines


def curl_commands() -> list[list[str]]:
    commands = []
    for line in code_lines():
        if line.startswith("curl "):
            command = line.split(" | ")[0].split(" > ")[0]
            command = re.sub(r"\s+#.*$", "", command)
            commands.append(shlex.split(command))
    return commands


def test_the_readme_stays_inside_the_repository():
    text = README.read_text(encoding="utf-8")
    assert "steering" not in text and "DESIGN.md" not in text
    assert not re.search(r"(?<![.\w])\.\./", text)  # no path to beside the clone
    for target in re.findall(r"\]\(([^)#:\s]+)[^)]*\)", text):  # relative links resolve here
        assert (README.parent / target).exists(), target


@pytest.fixture
def demo(db, cheap_hashing):
    seed_demo()


def test_every_curl_example_answers_on_the_demo(client, demo, tmp_path):
    architect = accounts.authenticate("architect", "demo-architect-pass")
    variables = {"TOKEN": accounts.issue_token(architect, "readme", "write"), "ADOPTION": "", "PLAN": ""}
    export = None
    commands = curl_commands()
    assert len(commands) >= 25
    for argv in commands:
        method, headers, body, files, url = "GET", {}, None, None, None
        args = iter(argv[1:])
        for arg in args:
            if arg == "-X":
                method = next(args)
            elif arg == "-H":
                name, _, value = next(args).partition(":")
                headers[name.strip()] = value.strip()
            elif arg in ("-d", "--data-binary"):
                body = next(args)
            elif arg == "-F":
                files = next(args)
            elif arg.startswith("http"):
                url = arg
        for name, value in variables.items():
            url = url.replace(f"${name}", str(value))
            headers = {k: v.replace(f"${name}", str(value)) for k, v in headers.items()}
        if body == "@catalog-info.yaml":
            body = export
        data = {"file": (tmp_path / "catalog-info.yaml").open("rb")} if files else body
        response = client.open(url.removeprefix(BASE), method=method, headers=headers, data=data)
        assert response.status_code < 300, (argv, response.status_code, response.get_data(as_text=True)[:500])
        if url.endswith("/export/backstage"):
            export = response.get_data(as_text=True)
            (tmp_path / "catalog-info.yaml").write_text(export, encoding="utf-8")
        if url.endswith("/api/v1/adoptions") and method == "POST":
            variables["ADOPTION"] = response.get_json()["id"]
        if url.endswith("/api/v1/incubation-plans") and method == "POST":
            variables["PLAN"] = response.get_json()["id"]


def cli_lines() -> list[str]:
    return [line for line in code_lines() if re.match(r"(\.venv/bin/)?flask --app app ", line)]


def test_every_listed_command_exists(app):
    names = {re.match(r"(?:\.venv/bin/)?flask --app app ([\w-]+)", line).group(1)
             for line in cli_lines()}
    assert {"init-db", "seed-demo", "create-user", "create-token", "import-backstage",
            "export-backstage", "import-deliveries", "export-deliveries"} <= names
    assert names <= set(app.cli.list_commands(None))


@pytest.mark.parametrize("line", [
    "create-user NAME --role contributor --team trade-team",
    "create-token NAME --scope write",
    "export-backstage FILE",
    "export-deliveries FILE --business taobao --since 2025-01-01",
])
def test_the_concrete_commands_run_on_the_demo(runner, demo, tmp_path, line):
    listed = [re.sub(r"^(\.venv/bin/)?flask --app app ", "", cli).split("#")[0] for cli in cli_lines()]
    assert any(line.split()[0] == cmd.split()[0] for cmd in listed)
    args = line.replace("NAME", "readme-user").replace("FILE", str(tmp_path / "out")).split()
    if args[0] == "create-token":
        runner.invoke(args=["create-user", "readme-user", "--role", "contributor",
                            "--team", "trade-team", "--password", "a long password"])
    if args[0] == "create-user":
        args += ["--password", "a long password"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output


def test_the_json_in_the_examples_is_json():
    for argv in curl_commands():
        if "-d" in argv:
            json.loads(argv[argv.index("-d") + 1])
