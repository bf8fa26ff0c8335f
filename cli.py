"""Layerwise from a shell: the same capabilities as the app (``python cli.py --help``).

Commands are thin: they parse arguments, call ``services``/``questionnaires``/``scoring``/``reports`` and
print. Errors go to stderr with exit code 2 and say what was wrong and where.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Layerwise: assess the human system around your AI tools and leave with a plan."""


def fail(message: str) -> None:
    """Print a message for people on stderr and exit with status 2."""
    click.echo(message, err=True)
    sys.exit(2)


# --- questionnaires ------------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Validate questionnaires: the shipped and configured ones, or the folders given as PATHS.

    Prints a summary of each valid questionnaire; exits 2 with every problem on stderr otherwise.
    """
    from questionnaires.loader import QuestionnaireError, get_catalog, load_questionnaire

    errors: list[QuestionnaireError] = []
    valid = []
    if paths:
        for path in paths:
            try:
                valid.append(load_questionnaire(path))
            except QuestionnaireError as exc:
                errors.append(exc)
    else:
        catalog = get_catalog()
        valid = list(catalog.questionnaires.values())
        errors = catalog.errors
    for questionnaire in valid:
        items = sum(len(dim.items) for dim in questionnaire.dimensions)
        pulse = len(questionnaire.items_for("pulse"))
        click.echo(
            f"ok  {questionnaire.id} {questionnaire.version}: {len(questionnaire.dimensions)} dimensions, "
            f"{items} items, {pulse} pulse items"
        )
        for dim in questionnaire.dimensions:
            layer = f"layer {dim.layer}" if dim.layer else "not a layer"
            click.echo(f"      {dim.name} ({layer}): {len(dim.items)} items, {len(dim.pulse_items)} pulse")
    for error in errors:
        click.echo(str(error), err=True)
    if errors or not valid:
        if not valid and not errors:
            click.echo("no questionnaire found", err=True)
        sys.exit(2)


@cli.command("list")
def list_questionnaires() -> None:
    """List every valid questionnaire (id, version, title) and name the folders that are broken."""
    from questionnaires.loader import get_catalog

    catalog = get_catalog()
    for (qid, version), questionnaire in sorted(catalog.questionnaires.items()):
        click.echo(f"{qid}\t{version}\t{questionnaire.title}\t{catalog.folders[(qid, version)]}")
    for error in catalog.errors:
        click.echo(
            f"broken: {error.folder} ({len(error.problems)} problems; run 'cli.py validate')", err=True
        )


@cli.command()
@click.argument("questionnaire_id")
@click.option("--version", "version", default=None, help="A specific version (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole questionnaire as JSON.")
def show(questionnaire_id: str, version: str | None, as_json: bool) -> None:
    """Show a questionnaire: an outline, or with --json the whole model as JSON."""
    from questionnaires.loader import get_catalog

    try:
        questionnaire = get_catalog().get(questionnaire_id, version)
    except KeyError as exc:
        fail(str(exc.args[0]))
        return
    if as_json:
        click.echo(questionnaire.model_dump_json(indent=2))
        return
    click.echo(f"{questionnaire.title} ({questionnaire.id} {questionnaire.version})")
    for dim in questionnaire.dimensions:
        click.echo(f"\n{dim.name}: {dim.summary}")
        for item in dim.items:
            marker = " [pulse]" if item.pulse else ""
            click.echo(f"  {item.id}{marker}: {item.question}")


@cli.command()
@click.option(
    "--part",
    type=click.Choice(["questionnaire", "dimension"]),
    default="questionnaire",
    help="questionnaire.yaml (metadata) or a dimension file.",
)
def schema(part: str) -> None:
    """Print the JSON Schema of questionnaire.yaml (or of a dimension file), for editor completion."""
    from questionnaires.schema import Dimension, QuestionnaireMeta

    model = QuestionnaireMeta if part == "questionnaire" else Dimension
    click.echo(json.dumps(model.model_json_schema(mode="validation"), indent=2))


# --- scoring -------------------------------------------------------------------------------------------

# --- storage and exchange ------------------------------------------------------------------------------

# --- reports -------------------------------------------------------------------------------------------

# --- benchmarks ----------------------------------------------------------------------------------------


if __name__ == "__main__":
    cli()
