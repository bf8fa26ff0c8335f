"""Layerwise from a shell: the same capabilities as the app (``python cli.py --help``).

Commands are thin: they parse arguments, call ``services``/``questionnaires``/``scoring``/``reports`` and
print. Errors go to stderr with exit code 2 and say what was wrong and where.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reports.wording import plural


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Layerwise: assess the human system around your AI tools and leave with a plan."""


def fail(message: str) -> None:
    """Print a message for people on stderr and exit with status 2."""
    click.echo(message, err=True)
    sys.exit(2)


def _questionnaire_of_rows(
    rows: list[dict[str, str]], questionnaire_id: str | None, file: Path
) -> Questionnaire:
    """The questionnaire a responses CSV answered: the version in its ``questionnaire_version`` column (an
    export of an assessment on 1.0.0 is scored on 1.0.0), else the latest; exits when the file mixes
    versions."""
    versions = sorted({(row.get("questionnaire_version") or "").strip() for row in rows} - {""})
    if len(versions) > 1:
        fail(
            f"{file}: column questionnaire_version: the file mixes versions {', '.join(versions)}; "
            "score one version at a time"
        )
    version = versions[0] if versions else None
    if version is None:
        return _questionnaire_or_exit(questionnaire_id, None)
    from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID

    return _questionnaire_or_exit(questionnaire_id or DEFAULT_QUESTIONNAIRE_ID, version)


def _questionnaire_or_exit(questionnaire_id: str | None, version: str | None) -> Questionnaire:
    """The questionnaire by id and version (the shipped one by default); exits naming the problem otherwise."""
    from questionnaires.loader import QuestionnaireError, default_questionnaire, get_questionnaire

    try:
        return get_questionnaire(questionnaire_id, version) if questionnaire_id else default_questionnaire()
    except KeyError as exc:
        fail(str(exc.args[0]))
        raise
    except QuestionnaireError as exc:
        fail(str(exc))
        raise


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


def _score_table(result: object) -> str:
    """A team result as a readable table (plain text, one line per dimension)."""
    from scoring.models import TeamResult

    assert isinstance(result, TeamResult)
    where = f" ({result.assessment_id})" if result.assessment_id else ""
    lines = [f"{result.team}{where}: {result.respondents} respondents, {result.form} form, {result.mode}"]
    if result.suppressed:
        lines.append(f"  suppressed: {result.suppressed_reason}")
        return "\n".join(lines)
    overall = result.overall
    index = "—" if overall.index is None else f"{overall.index:.1f}"
    stage = "—" if overall.stage is None else f"{overall.stage} {overall.stage_name}"
    lines.append(f"  index {index} of 100, stage {stage}")
    if overall.missing:
        lines.append(f"  without a score: {', '.join(overall.missing)}")
    lines.append(f"  {'dimension':<22}{'score':>6}{'level':>7}{'gated':>7}  {'n':>3}{'dk':>6}  consensus")
    for dim in result.dimensions:
        score = "—" if dim.score is None else f"{dim.score:.2f}"
        level = "—" if dim.level is None else str(dim.level)
        gated = "—" if dim.gated_level is None else str(dim.gated_level)
        dont_know = "—" if dim.dont_know_rate is None else f"{dim.dont_know_rate * 100:.0f}%"
        note = dim.consensus or ""
        if dim.suppressed:
            note = f"suppressed: {dim.suppressed_reason}"
        lines.append(
            f"  {dim.name:<22}{score:>6}{level:>7}{gated:>7}  {dim.respondents:>3}{dont_know:>6}  {note}"
        )
    lines.extend(f"  - {finding.message}" for finding in result.findings if finding.item_id is None)
    return "\n".join(lines)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--k", "k", type=click.IntRange(min=3), default=3, show_default=True, help="Anonymity threshold."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list with one result per team.")
@click.option(
    "--questionnaire", "questionnaire_id", default=None, help="Questionnaire id (default: the shipped one)."
)
def score(file: Path, k: int, as_json: bool, questionnaire_id: str | None) -> None:
    """Score every team in a responses CSV (assessment,team,respondent,role,item_id,value).

    Teams with fewer than K respondents are shown as suppressed, without numbers.
    """
    import csv

    from scoring import ResponseDataError, responses_from_rows, score_teams

    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        fail(f"{file}: cannot read the file ({exc})")
        return
    if not rows:
        fail(f"{file}: no responses (expected a header line assessment,team,respondent,role,item_id,value)")
        return
    questionnaire = _questionnaire_of_rows(rows, questionnaire_id, file)
    try:
        teams = responses_from_rows(rows, questionnaire, k=k)
    except ResponseDataError as exc:
        fail("\n".join(f"{file}: {error}" for error in exc.errors))
        return
    results = score_teams(questionnaire, teams)
    if as_json:
        click.echo(
            json.dumps([result.model_dump(mode="json") for result in results], indent=2, ensure_ascii=False)
        )
    else:
        click.echo("\n\n".join(_score_table(result) for result in results))


# --- storage and exchange ------------------------------------------------------------------------------


if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from questionnaires.schema import Questionnaire


def _open_database() -> tuple[Engine, sessionmaker[Session]]:
    """The configured database (DATABASE_URL), migrated to the newest schema: (engine, session factory)."""
    from sqlalchemy.exc import SQLAlchemyError

    from settings import get_settings
    from storage.engine import init_database, make_engine, make_session_factory

    url = get_settings().database_url
    try:
        engine = make_engine(url)
        init_database(engine)
    except SQLAlchemyError as exc:
        from sqlalchemy import make_url

        fail(f"cannot open the database {make_url(url).render_as_string(hide_password=True)}: {exc}")
        raise  # unreachable: fail() exits
    return engine, make_session_factory(engine)


@cli.group()
def db() -> None:
    """The database: DATABASE_URL, or by default the SQLite file data/layerwise.db."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring its schema to the newest migration (the app does this at start too)."""
    from sqlalchemy import make_url

    from settings import get_settings
    from storage.migrations import current_revision

    engine, _ = _open_database()
    url = make_url(get_settings().database_url).render_as_string(hide_password=True)
    click.echo(f"{url}: schema at revision {current_revision(engine)} (newest)")


@db.command("assessments")
@click.option("--no-demo", is_flag=True, help="Leave out the demo teams.")
def db_assessments(no_demo: bool) -> None:
    """List the assessments (id, team, assessment id, round, form, status, respondents) for --assessment."""
    from sqlalchemy import func, select

    from storage.engine import unit_of_work
    from storage.models import Respondent
    from storage.repository import list_assessments

    _, sessions = _open_database()
    with unit_of_work(sessions, read_only=True) as session:
        counts = dict(
            session.execute(
                select(Respondent.assessment_id, func.count()).group_by(Respondent.assessment_id)
            ).all()
        )
        for a in list_assessments(session, include_demo=not no_demo):
            demo = " (demo)" if a.is_demo else ""
            click.echo(
                f"{a.id}\t{a.team.name}{demo}\t{a.external_id}\t{a.round_label or '-'}\t{a.form}\t{a.mode}\t"
                f"{a.status}\t{counts.get(a.id, 0)} respondents"
            )


@db.command("respondents")
@click.argument("assessment_id", type=int)
def db_respondents(assessment_id: int) -> None:
    """List an assessment's respondents (id, pseudonym, role, answers, submitted) for `db delete --respondent`."""
    from sqlalchemy import func, select

    from storage.engine import unit_of_work
    from storage.models import Answer
    from storage.repository import NotFoundError, get_assessment, list_respondents

    _, sessions = _open_database()
    with unit_of_work(sessions, read_only=True) as session:
        try:
            get_assessment(session, assessment_id=assessment_id)
        except NotFoundError:
            fail(f"assessment {assessment_id} does not exist (list them with: python cli.py db assessments)")
            return
        people = list_respondents(session, assessment_id=assessment_id)
        answered = dict(
            session.execute(
                select(Answer.respondent_id, func.count())
                .where(Answer.respondent_id.in_([p.id for p in people]))
                .group_by(Answer.respondent_id)
            ).all()
        )
        for person in people:
            submitted = person.submitted_at.date().isoformat() if person.submitted_at else "-"
            erased = f"\terased {person.erased_at.date().isoformat()}" if person.erased_at else ""
            click.echo(
                f"{person.id}\t{person.external_id}\t{person.role}\t{answered.get(person.id, 0)} answers\t"
                f"submitted {submitted}{erased}"
            )


@db.command("delete")
@click.option("--assessment", "assessment_id", type=int, help="Delete this assessment and all it holds.")
@click.option("--respondent", "respondent_id", type=int, help="Delete this respondent (ids: db respondents).")
@click.option(
    "--answers-only",
    is_flag=True,
    help="With --respondent: erase their answers and comments, keep the person (their link says so).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def db_delete(assessment_id: int | None, respondent_id: int | None, answers_only: bool, yes: bool) -> None:
    """Delete an assessment, a respondent, or a respondent's answers, with everything that belongs to them.

    An assessment goes with its respondents, answers, comments, KPIs, actions and share code; a respondent
    with their answers, comments and votes, scrubbed from the published releases as by "Delete my answers"
    (without --answers-only their resume link stops working altogether). There is no undo.
    """
    from services.context import make_context
    from services.erasure import erase_in_session
    from storage.engine import unit_of_work
    from storage.repository import (
        NotFoundError,
        delete_assessment,
        delete_respondent,
        get_assessment,
        get_respondent,
    )

    if (assessment_id is None) == (respondent_id is None):
        fail("give exactly one of --assessment ID or --respondent ID")
        return
    if answers_only and respondent_id is None:
        fail("--answers-only works with --respondent ID")
        return
    _, sessions = _open_database()
    ctx = make_context()  # the questionnaires an erasure may need (opened before the write lock is taken)
    try:
        with unit_of_work(sessions) as session:
            if assessment_id is not None:
                assessment = get_assessment(session, assessment_id=assessment_id)
                what = (
                    f"assessment {assessment_id} ({assessment.team.name}, {assessment.external_id}) "
                    f"with its {len(assessment.respondents)} respondents and all their answers"
                )
            else:
                person = get_respondent(session, respondent_id=respondent_id)  # type: ignore[arg-type]
                what = (
                    f"the answers and comments of respondent {respondent_id} ({person.external_id})"
                    if answers_only
                    else f"respondent {respondent_id} ({person.external_id}) with their answers and comments"
                )
            if not yes and not click.confirm(f"Delete {what}? This cannot be undone", default=False):
                click.echo("nothing deleted", err=True)
                raise SystemExit(1)
            if assessment_id is not None:
                delete_assessment(session, assessment_id=assessment_id)
            else:
                # erased as by "Delete my answers": also scrubbed from the published releases
                if person.erased_at is None:
                    erase_in_session(ctx, session, person)
                if not answers_only:
                    delete_respondent(session, respondent_id=respondent_id)  # type: ignore[arg-type]
    except NotFoundError as exc:
        fail(f"{exc} (list them with: python cli.py db assessments / db respondents ASSESSMENT_ID)")
        return
    finally:
        ctx.database.dispose()
    click.echo(f"deleted {what}", err=True)


@cli.command("export")
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["csv", "json", "xlsx"]),
    default=None,
    help="File format (default: from the extension of --out).",
)
@click.option(
    "--assessment",
    "assessment_ids",
    type=int,
    multiple=True,
    help="Export only this assessment (its id from 'cli.py db assessments'); repeatable. Default: everything.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The file to write; '-' writes CSV or JSON to standard output.",
)
def export_command(export_format: str | None, assessment_ids: tuple[int, ...], out: Path) -> None:
    """Export answers: long CSV, full JSON (comments, KPIs, actions) or XLSX (a sheet per table).

    Respondents appear only under pseudonyms (R001, …); text a spreadsheet would run as a formula is
    neutralised in CSV and XLSX.
    """
    from reports.exchange import EXPORT_FORMATS, export_data
    from storage.engine import unit_of_work
    from storage.repository import NotFoundError

    chosen = export_format or out.suffix.lower().lstrip(".")
    if chosen not in EXPORT_FORMATS:
        fail(f"--format is needed: cannot tell the format from '{out}' (use csv, json or xlsx)")
        return
    if str(out) == "-" and chosen == "xlsx":
        fail("XLSX cannot be written to standard output; give a file name with --out")
        return
    _, sessions = _open_database()
    try:
        with unit_of_work(sessions, read_only=True) as session:
            data = export_data(session, format=chosen, assessment_ids=list(assessment_ids) or None)
    except NotFoundError as exc:
        fail(f"nothing exported: {exc} (see 'python cli.py db assessments')")
        return
    if str(out) == "-":
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        fail(f"{out}: cannot write the file ({exc.strerror})")
        return
    click.echo(f"wrote {out} ({chosen}, {len(data):,} bytes)", err=True)


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=3),
    default=None,
    help="Anonymity threshold of assessments a CSV creates (default: LAYERWISE_DEFAULT_K, 3).",
)
@click.option(
    "--questionnaire",
    "questionnaire_id",
    default=None,
    help="Questionnaire of a CSV's answers (default: the shipped one; JSON names its own).",
)
def import_command(file: Path, k: int | None, questionnaire_id: str | None) -> None:
    """Import a CSV (long form) or JSON export: checked completely first, then written in one transaction.

    Every problem is listed with its line and column (CSV) or path (JSON), and then nothing is written.
    Importing the same file again adds nothing.
    """
    from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
    from reports.exchange import ImportFileError, import_file
    from settings import get_settings
    from storage.engine import unit_of_work

    _, sessions = _open_database()
    try:
        with unit_of_work(sessions) as session:
            summary = import_file(
                session,
                file,
                questionnaire_id=questionnaire_id or DEFAULT_QUESTIONNAIRE_ID,
                k=k or get_settings().default_k,
            )
    except ImportFileError as exc:
        fail(str(exc))
        return
    click.echo(summary.describe())
    _publish_everything()


@cli.command()
@click.option("--teams", type=click.IntRange(1, 2000), default=12, show_default=True, help="How many teams.")
@click.option(
    "--respondents", type=click.IntRange(1, 500), default=7, show_default=True, help="Respondents per round."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the demo answers to this CSV file instead of the database.",
)
@click.option("--remove", is_flag=True, help="Delete every demo team (and all its data) from the database.")
@click.option(
    "--units",
    type=click.IntRange(0, 100),
    default=0,
    show_default=True,
    help="Also place the demo teams in this many units under one organisation unit.",
)
def demo(teams: int, respondents: int, seed: int, out: Path | None, remove: bool, units: int) -> None:
    """Fill the database with demo teams flagged as demo data (or write them as CSV with --out).

    The teams show varied profiles: gating, divided teams, leader/staff gaps, rounds over time, a team
    too small to show, and KPIs for the capacity ledger. Running it again with the same seed adds nothing.
    """
    from questionnaires.loader import default_questionnaire
    from reports.exchange import responses_csv
    from storage.demo import demo_responses, generate_demo, store_demo
    from storage.engine import unit_of_work
    from storage.repository import delete_demo_data

    if remove:
        _, sessions = _open_database()
        with unit_of_work(sessions) as session:
            click.echo(f"removed {plural(delete_demo_data(session), 'demo team')}")
        return
    data = generate_demo(default_questionnaire(), teams=teams, respondents=respondents, seed=seed)
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(responses_csv(demo_responses(data)))
        except OSError as exc:
            fail(f"{out}: cannot write the file ({exc.strerror})")
            return
        click.echo(f"wrote {out}: {len(data)} demo teams (assessment ids start with 'demo-')")
        return
    _, sessions = _open_database()
    with unit_of_work(sessions) as session:
        summary = store_demo(session, data)
    click.echo(
        f"demo data: {plural(summary.teams_created, 'team')} and "
        f"{plural(summary.assessments_created, 'assessment')} created, "
        f"{summary.assessments_matched} already there (flagged as demo; remove with 'cli.py demo --remove')"
    )
    if units:
        _demo_units(data, units)
    _publish_everything()
    _demo_plans()


def _demo_plans() -> None:
    """Plans with progress for the demo teams' earlier rounds (their next round shows what became of them)."""
    from services.context import make_context
    from services.progress import seed_demo_plans

    ctx = make_context()
    try:
        click.echo(f"demo plans of earlier rounds: {seed_demo_plans(ctx)} added")
    finally:
        ctx.database.dispose()


def _demo_units(data: object, units: int) -> None:
    """Put the demo teams in ``units`` units ("Demo division 1", …) under "Demo organisation"."""
    from services.context import make_context
    from services.units import import_structure

    names = sorted({demo_team.name for demo_team in data})  # type: ignore[attr-defined]
    lines = ["unit,parent_unit,team", "Demo organisation,,"]
    lines += [
        f"Demo division {index % units + 1},Demo organisation,{name}" for index, name in enumerate(names)
    ]
    ctx = make_context()
    try:
        summary = import_structure(ctx, "\n".join(lines) + "\n")
        click.echo(summary.describe())
    finally:
        ctx.database.dispose()


def _publish_everything() -> None:
    """Publish what the publication rule allows for every self-assessment with new answers (after an
    import or demo data: the leader view and reports only ever read published results)."""
    from services.context import make_context
    from services.publication import publish_stale
    from storage.repository import list_assessments

    ctx = make_context()
    try:
        with ctx.read() as session:
            ids = [assessment.id for assessment in list_assessments(session)]
        changed = publish_stale(ctx, ids)
        click.echo(f"published results: {plural(changed, 'assessment')} updated")
    finally:
        ctx.database.dispose()


# --- backups -----------------------------------------------------------------------------------------------


@cli.command("backup")
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The backup file."
)
def backup_command(out: Path) -> None:
    """Back up the whole database (safe while the app runs): SQLite's online backup, or pg_dump."""
    from settings import get_settings
    from storage.backup import BackupError, backup_database

    try:
        backup_database(get_settings().database_url, out)
    except (BackupError, OSError) as exc:
        fail(f"no backup written: {exc}")
        return
    click.echo(f"wrote {out} ({out.stat().st_size:,} bytes); it holds individual answers: keep it safe")


@cli.command("restore")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database's contents with a backup made by 'backup', then bring its schema up to date."""
    from settings import get_settings
    from storage.backup import BackupError, restore_database

    url = get_settings().database_url
    if not yes and not click.confirm(
        f"Replace everything in {url.split('@')[-1]} with {file}?", default=False
    ):
        click.echo("nothing restored")
        return
    try:
        restore_database(url, file)
    except (BackupError, OSError) as exc:
        fail(f"nothing restored: {exc}")
        return
    engine, _ = _open_database()  # migrates a backup of an older version to the current schema
    engine.dispose()
    click.echo(f"restored {file}")


# --- retention and erasure -------------------------------------------------------------------------------


@cli.group()
def retention() -> None:
    """Retention: erase individual answers nobody has touched for longer than a period."""


@retention.command("apply")
@click.option(
    "--months",
    default=None,
    help="The retention period in whole months (default: LAYERWISE_RETENTION_MONTHS).",
)
@click.option("--yes", is_flag=True, help="Erase for real; without it, only print what would be erased.")
def retention_apply(months: str | None, yes: bool) -> None:
    """Erase the answers and comments of everyone whose last answer or comment is older than the period.

    A dry run by default: prints, per team and assessment, how many people, answers and comments would be
    erased (counts only). With --yes they are erased as by "Delete my answers": their values are scrubbed
    from the published releases too, and the published results stay.
    """
    from pydantic import ValidationError

    from services import erasure
    from services.context import InputError, ServiceError, make_context
    from settings import get_settings

    try:
        configured = get_settings().retention_months
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]) for error in exc.errors())
        fail(f"LAYERWISE_RETENTION_MONTHS: {problems} (a whole number of months, 1 or more)")
        return
    source = "--months" if months is not None else "LAYERWISE_RETENTION_MONTHS"
    if months is None and configured is None:
        fail("no retention period: give --months N or set LAYERWISE_RETENTION_MONTHS")
        return
    try:
        period = erasure.retention_months(months if months is not None else configured)
    except InputError as exc:
        fail(f"{source}: {next(iter(exc.errors.values()))}")
        return
    _open_database()[0].dispose()  # the database exists and is migrated (or a clear error)
    ctx = make_context()
    try:
        plan = erasure.apply_retention(ctx, period) if yes else erasure.retention_plan(ctx, period)
    except ServiceError as exc:
        fail(f"retention stopped: {exc} (assessments finished before it stay erased; run it again)")
        return
    finally:
        ctx.database.dispose()
    cutoff = f"{plan.cutoff:%Y-%m-%d %H:%M} UTC"
    if not plan.groups:
        click.echo(f"retention {period} months: nobody's last answer is before {cutoff}; nothing to erase")
        return
    click.echo(
        f"retention {period} months: "
        + ("erased" if yes else "would erase (dry run)")
        + f" the answers of people whose last answer is before {cutoff}"
    )
    for group in plan.groups:
        click.echo(
            f"  {group.team} · {group.assessment_ref}: {group.people} people, "
            f"{group.answers} answers, {group.comments} comments"
        )
    assessments = len(plan.groups)
    click.echo(f"total: {plan.people} people in {assessments} assessment{'s' if assessments != 1 else ''}")
    if not yes:
        click.echo("nothing was changed; run again with --yes to erase them")


@cli.command("erase")
@click.argument("link")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(link: str, yes: bool) -> None:
    """Erase one person's answers, comments and votes by their resume link (or its token), as "Delete my
    answers" does: scrubbed from the published releases too; published results drop them at the next
    publication. For a person who asks an administrator instead of using the button."""
    from services import erasure
    from services.context import ServiceError, make_context

    if not yes and not click.confirm(
        "Erase every answer and comment of this resume link? This cannot be undone", default=False
    ):
        click.echo("nothing erased", err=True)
        raise SystemExit(1)
    _open_database()[0].dispose()
    ctx = make_context()
    try:
        report = erasure.erase_my_answers(ctx, erasure.token_in(link))
    except ServiceError as exc:
        fail(f"nothing erased: {exc}")
        return
    finally:
        ctx.database.dispose()
    click.echo(
        f"erased {report.answers} answers, {report.comments} comments and {report.votes} votes; "
        f"scrubbed from {report.releases} published releases"
    )


# --- the organisation's structure -------------------------------------------------------------------------


@cli.group()
def org() -> None:
    """The organisation's units: import, export, unit leaders' passcodes."""


@org.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def org_import(file: Path) -> None:
    """Replace the units with a CSV's (unit,parent_unit,team): checked completely first, all or nothing."""
    from services.context import InputError, make_context
    from services.units import import_structure

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read the file as UTF-8 text ({exc})")
        return
    ctx = make_context()
    try:
        summary = import_structure(ctx, text)
    except InputError as exc:
        fail(f"{file}: nothing imported:\n" + "\n".join(exc.errors.values()))
        return
    finally:
        ctx.database.dispose()
    click.echo(summary.describe())


@org.command("export")
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The CSV to write."
)
def org_export(out: Path) -> None:
    """Write the units as a CSV that 'org import' reads back."""
    from services.context import make_context
    from services.units import export_structure

    ctx = make_context()
    try:
        out.write_bytes(export_structure(ctx))
    except OSError as exc:
        fail(f"{out}: cannot write the file ({exc.strerror})")
        return
    finally:
        ctx.database.dispose()
    click.echo(f"wrote {out}")


@org.command("passcode")
@click.argument("unit")
def org_passcode(unit: str) -> None:
    """Make a new passcode for a unit's leader (the old one stops working); it is shown only now."""
    from services.context import InputError, make_context
    from services.units import make_unit_passcode

    ctx = make_context()
    try:
        passcode = make_unit_passcode(ctx, unit)
    except InputError as exc:
        fail("; ".join(exc.errors.values()))
        return
    finally:
        ctx.database.dispose()
    click.echo(f"passcode for the leader of {unit} (shown only now; only its hash is stored): {passcode}")


# --- reports -------------------------------------------------------------------------------------------


def _csv_report(
    file: Path, team: str | None, k: int, questionnaire_id: str | None, organisation: str | None
) -> tuple[bytes, str]:
    """The PDF for a responses CSV, without a database: one team → its team report; several teams → the
    organisation report, unless --team picks one. Returns the bytes and what was written."""
    import csv
    from datetime import UTC, datetime

    from reports.content import org_report_content, team_report_content
    from reports.pdf import org_report_pdf, team_report_pdf
    from scoring import ResponseDataError, TeamResult, build_action_plan, responses_from_rows, score_teams

    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        fail(f"{file}: cannot read the file ({exc})")
        raise
    if not rows:
        fail(f"{file}: no responses (expected a header line assessment,team,respondent,role,item_id,value)")
    questionnaire = _questionnaire_of_rows(rows, questionnaire_id, file)
    try:
        teams = responses_from_rows(rows, questionnaire, k=k)
    except ResponseDataError as exc:
        fail("\n".join(f"{file}: {error}" for error in exc.errors))
        raise
    results = score_teams(questionnaire, teams)
    pack = None  # no pack is shipped; imported packs live in a database, and this report needs none
    now = datetime.now(UTC)
    if team is not None:
        chosen = [result for result in results if result.team == team]
        if not chosen:
            names = ", ".join(sorted({result.team for result in results}))
            fail(f"{file}: no team named '{team}' (teams in the file: {names})")
        results = chosen[-1:]  # a team with several assessments: the last one in the file
    if len(results) == 1:
        result = results[0]
        content = team_report_content(
            questionnaire, result, build_action_plan(questionnaire, result), pack=pack, generated_at=now
        )
        return team_report_pdf(content), f"team report of {result.team}"
    # a team with several assessments (rounds) counts once, with its last one in the file; the assessments
    # become the rounds of the trend, in the order they first appear
    latest = list({result.team: result for result in results}.values())
    rounds: dict[str, list[TeamResult]] = {}
    for result in results:
        if result.assessment_id:
            rounds.setdefault(result.assessment_id, []).append(result)
    plans = {result.team: build_action_plan(questionnaire, result) for result in latest}
    content = org_report_content(
        questionnaire,
        latest,
        plans,
        pack=pack,
        generated_at=now,
        rounds=list(rounds.items()) if len(rounds) > 1 else None,
        organisation=organisation or "",
    )
    return org_report_pdf(content), f"organisation report of {len(latest)} teams"


def _database_report(
    assessment_id: int | None, workshop_id: int | None, org: bool, organisation: str | None = None
) -> tuple[bytes, str]:
    """The PDF of an assessment, a workshop or the whole organisation (named ``organisation``, by default
    the name set on the Leader page), through the services layer."""
    from services import assessment as assessment_service
    from services import leader as leader_service
    from services import workshop as workshop_service
    from services.context import ServiceError, make_context
    from storage.repository import NotFoundError

    ctx = make_context()
    try:
        if assessment_id is not None:
            data = assessment_service.team_report_pdf_for_assessment(ctx, assessment_id)
            return data, f"team report of assessment {assessment_id}"
        if workshop_id is not None:
            data = workshop_service.workshop_report(ctx, workshop_id)
            return data, f"workshop report of workshop {workshop_id}"
        assert org
        view = leader_service.leader_view(ctx)
        data = leader_service.org_pdf(ctx, view, organisation=organisation)
        return data, f"organisation report of {len(view.latest)} teams"
    except (NotFoundError, ServiceError, KeyError) as exc:
        reason = exc.args[0] if exc.args else exc
        if assessment_id is not None:
            fail(f"no assessment report: {reason} (ids: 'python cli.py db assessments')")
        fail(f"no {'workshop' if workshop_id is not None else 'organisation'} report: {reason}")
        raise
    finally:
        ctx.database.dispose()


@cli.command("report")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--assessment", "assessment_id", type=int, default=None, help="An assessment id in the database."
)
@click.option("--workshop", "workshop_id", type=int, default=None, help="A workshop id in the database.")
@click.option("--org", is_flag=True, help="The organisation report of every team in the database.")
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The PDF to write."
)
@click.option("--team", default=None, help="With FILE: the team whose report to write (default: see below).")
@click.option(
    "--k", "k", type=click.IntRange(min=3), default=3, show_default=True, help="With FILE: anonymity k."
)
@click.option("--questionnaire", "questionnaire_id", default=None, help="With FILE: questionnaire id.")
@click.option(
    "--organisation",
    default=None,
    help="With FILE or --org: the organisation's name on the report (--org: default, the name set on the "
    "Leader page).",
)
def report(
    file: Path | None,
    assessment_id: int | None,
    workshop_id: int | None,
    org: bool,
    out: Path,
    team: str | None,
    k: int,
    questionnaire_id: str | None,
    organisation: str | None,
) -> None:
    """Write a PDF report: from a responses CSV (no database), or --assessment ID, --workshop ID or --org.

    From a CSV with one team it writes that team's report; with several teams it writes the organisation
    report (every team, a summary page each), unless --team NAME picks one team's report.
    """
    sources = [file is not None, assessment_id is not None, workshop_id is not None, org]
    if sum(sources) != 1:
        fail("give exactly one of FILE.csv, --assessment ID, --workshop ID or --org")
        return
    if file is not None:
        data, what = _csv_report(file, team, k, questionnaire_id, organisation)
    else:
        if team is not None:
            fail("--team works with a CSV file; for the database use --assessment ID")
            return
        if organisation is not None and not org:
            fail("--organisation works with FILE.csv or --org")
            return
        data, what = _database_report(assessment_id, workshop_id, org, organisation)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        fail(f"{out}: cannot write the file ({exc.strerror})")
        return
    click.echo(f"wrote {out}: {what} ({len(data):,} bytes)", err=True)


@cli.command("guide")
@click.option(
    "--assessment", "assessment_id", type=int, required=True, help="An assessment id in the database."
)
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The file to write."
)
@click.option(
    "--format",
    "guide_format",
    type=click.Choice(["pdf", "md", "html"]),
    default="pdf",
    show_default=True,
    help="One A4 PDF page, Markdown, or an HTML fragment for an intranet.",
)
@click.option(
    "--version", "version", type=int, default=None, help="A published version (default: the newest)."
)
def guide_command(assessment_id: int, out: Path, guide_format: str, version: int | None) -> None:
    """Write the team's one-page AI-use guide (published from its task map on the Task map page)."""
    from services import taskmap as taskmap_service
    from services.context import ServiceError, make_context
    from storage.repository import NotFoundError

    ctx = make_context()
    try:
        data, _ = taskmap_service.guide_file_for_assessment(ctx, assessment_id, guide_format, version)  # type: ignore[arg-type]
    except ServiceError as exc:
        fail(f"no guide for assessment {assessment_id}: {exc}")
        return
    except NotFoundError as exc:
        fail(f"no guide: {exc} (ids: 'python cli.py db assessments')")
        return
    finally:
        ctx.database.dispose()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        fail(f"{out}: cannot write the file ({exc.strerror})")
        return
    click.echo(f"wrote {out}: AI-use guide of assessment {assessment_id} ({len(data):,} bytes)", err=True)


# --- benchmark packs -----------------------------------------------------------------------------------


@cli.group()
def pack() -> None:
    """Measured benchmark packs: export one from this installation's published results, import one."""


@pack.command("export")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The pack CSV.")
@click.option(
    "--questionnaire", "questionnaire_id", default=None, help="Questionnaire id (default: shipped)."
)
@click.option("--version", default=None, help="Questionnaire version (default: the latest).")
@click.option("--source", default="Layerwise installation", show_default=True, help="Who measured it.")
@click.option("--include-demo", is_flag=True, help="Count the demo teams too (for trying it out).")
def pack_export(
    out: Path, questionnaire_id: str | None, version: str | None, source: str, include_demo: bool
) -> None:
    """Write a measured pack from the published results: dimensions with at least 10 teams past k."""
    from services.benchmark_packs import export_pack
    from services.context import make_context

    questionnaire = _questionnaire_or_exit(questionnaire_id, version)
    ctx = make_context()
    try:
        exported = export_pack(ctx, questionnaire, source=source, include_demo=include_demo)
    finally:
        ctx.database.dispose()
    for dimension_id, reason in exported.skipped.items():
        click.echo(f"left out {dimension_id}: {reason}", err=True)
    if not exported.pack.rows:
        fail("no pack written: no dimension has at least 10 teams with a published score")
    try:
        out.write_text(exported.csv_text, encoding="utf-8")
    except OSError as exc:
        fail(f"{out}: cannot write the file ({exc.strerror})")
    click.echo(f"wrote {out}: {plural(len(exported.pack.rows), 'dimension')}", err=True)


@pack.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--questionnaire", "questionnaire_id", default=None, help="Questionnaire id (default: shipped)."
)
@click.option("--version", default=None, help="Questionnaire version (default: the latest).")
def pack_import(file: Path, questionnaire_id: str | None, version: str | None) -> None:
    """Check a pack CSV against the questionnaire and install it; refused with every reason otherwise."""
    from scoring import BenchmarkPackError
    from services.benchmark_packs import import_pack
    from services.context import make_context

    questionnaire = _questionnaire_or_exit(questionnaire_id, version)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read the file ({exc})")
        raise
    ctx = make_context()
    try:
        installed = import_pack(ctx, text, questionnaire, source_name=file.name)
    except BenchmarkPackError as exc:
        fail("\n".join(f"{file}: {error}" for error in exc.errors) + "\npack refused: nothing was imported")
        raise
    finally:
        ctx.database.dispose()
    click.echo(f"imported {file}: {plural(len(installed.rows), 'dimension')}, {installed.label}", err=True)


# --- benchmarks ----------------------------------------------------------------------------------------


def _bench_command() -> click.Command:
    """``python -m benchmarks`` as ``bench``: the same command and options (its modules load when it runs)."""
    from benchmarks.__main__ import main as bench_main

    return bench_main


cli.add_command(_bench_command(), "bench")


if __name__ == "__main__":
    cli()
