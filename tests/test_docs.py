"""README stays true: its two commands come first, CI runs its test command, every CLI command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click

import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README, flags=re.S)


def test_readme_opens_with_run_and_test_commands() -> None:
    first, second = readme_commands()[:2]
    assert "streamlit run app.py" in first and "requirements.txt" in first
    assert "pytest" in second and "requirements-dev.txt" in second
    assert README.index("```bash") < README.index("## ")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci_lines[-1] == readme_commands()[1]


def _command_paths(group: click.Group, prefix: str = "") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, f"{prefix}{name} "))
        else:
            paths.append(f"{prefix}{name}")
    return paths


def test_every_cli_command_is_documented_in_readme() -> None:
    undocumented = [path for path in _command_paths(cli.cli) if f"python cli.py {path}" not in README]
    assert not undocumented, f"commands missing from README.md: {undocumented}"


def test_readme_names_the_port_the_app_opens_on() -> None:
    import tomllib

    named = re.search(r"http://localhost:(\d+)", README.split("## ", 1)[0])
    assert named, "README's top says where to open the app"
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["port"] == int(named.group(1))


def test_readme_links_only_to_files_a_fresh_clone_has() -> None:
    assert "../shared" not in README
    for target in re.findall(r"\]\((?!http|#)([^)]+)\)", README):
        assert (ROOT / target).exists(), f"README links to {target}, which is not in the repository"
