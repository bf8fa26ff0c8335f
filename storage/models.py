"""The database tables as typed SQLAlchemy 2 models.

Rules that hold for every table:

* Timestamps are UTC. :class:`UTCDateTime` stores them timezone-aware on PostgreSQL and as UTC text on
  SQLite, and always hands back an aware ``datetime`` in UTC.
* Key columns are ``NOT NULL``; everything that belongs to an assessment is deleted with it
  (``ON DELETE CASCADE`` in the database, so it also holds for raw SQL).
* Secrets (resume tokens, facilitator tokens) are stored only as SHA-256 hex digests.
* No IP address or user agent is stored anywhere.

Changing a model needs a new Alembic revision in ``storage/migrations/versions``; a test compares the
models with the migrated schema.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Constraint names are fixed so migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FORMS = ("full", "pulse")
MODES = ("individual", "consensus")
ASSESSMENT_STATUSES = ("open", "closed")
WORKSHOP_STATUSES = ("open", "closed")
ACTION_STATUSES = ("open", "in_progress", "done")


def utc_now() -> datetime:
    """The current time as an aware UTC datetime (the default of every timestamp column)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored and returned in UTC.

    Naive datetimes are refused on the way in (their zone is unknown); values come back aware, also on
    SQLite, which has no time zone type of its own.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must carry a time zone (use UTC)")
        value = value.astimezone(UTC)
        # SQLite stores text; keep it naive UTC there so string comparison orders correctly
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    """Declarative base with the naming convention for constraints."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Unit(Base):
    """A part of the organisation (division, department…) that teams belong to; units nest to any depth.

    ``passcode_hash`` is the scrypt hash of the unit leader's passcode (None: no unit leader yet); it opens
    the leader view for this unit and the units below it only.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    passcode_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


class Team(Base):
    """A team that is assessed; ``name`` is its natural key (unique); ``unit_id`` the unit it belongs to;
    ``target_levels`` its own target profile, when it set one."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: dimension id → the level (1–5) the team aims for; None: the organisation's default target profile
    target_levels: Mapped[dict[str, int] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)

    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"Team(id={self.id!r}, name={self.name!r}, is_demo={self.is_demo!r})"


class Assessment(Base):
    """One round of a questionnaire for one team.

    ``external_id`` is the assessment's id in exported files (unique within its team), so importing the
    same file twice finds the same assessment instead of creating another. ``respondent_seq`` numbers the
    pseudonyms (R001, R002, …) given to the respondents created here. ``ai_hours_per_week`` is the outcome
    figure for the capacity ledger; the other outcome KPIs are rows of :class:`OutcomeKpi`.
    ``item_wording`` holds the wording hash of each item on the form as it was when the assessment was
    created, so a later change of wording can be detected (NULL for rows from before it was recorded).
    """

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        CheckConstraint(_in("form", FORMS), name="form"),
        CheckConstraint(_in("mode", MODES), name="mode"),
        CheckConstraint(_in("status", ASSESSMENT_STATUSES), name="status"),
        CheckConstraint("k >= 3", name="k_minimum"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), nullable=False)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(100), nullable=False)
    questionnaire_version: Mapped[str] = mapped_column(String(30), nullable=False)
    form: Mapped[str] = mapped_column(String(10), nullable=False)
    mode: Mapped[str] = mapped_column(String(20), nullable=False)
    k: Mapped[int] = mapped_column(Integer, nullable=False)
    round_label: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    ai_hours_per_week: Mapped[float | None] = mapped_column(Float)
    #: people on the team doing the AI-assisted work (the capacity ledger's team totals); None: not entered
    team_size: Mapped[int | None] = mapped_column(Integer)
    respondent_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: item id → wording hash of the form's items when the assessment was created (None: not recorded)
    item_wording: Mapped[dict[str, str] | None] = mapped_column(JSON)
    #: the newest answer or comment time a publication attempt has considered (None: never attempted)
    published_through: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship(back_populates="assessments")
    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Respondent.id",
    )
    kpis: Mapped[list[OutcomeKpi]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    actions: Mapped[list[ActionItem]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ActionItem.position"
    )

    def __repr__(self) -> str:
        return (
            f"Assessment(id={self.id!r}, external_id={self.external_id!r}, team_id={self.team_id!r}, "
            f"form={self.form!r}, mode={self.mode!r}, status={self.status!r})"
        )


class Respondent(Base):
    """Someone answering an assessment, known only by a pseudonym and a resume token's hash.

    ``external_id`` is a pseudonym unique within the assessment (``R001`` for respondents created in the
    app and for imported ones whose file id already was such a pseudonym). A respondent imported under any
    other id (say an e-mail address) gets the next pseudonym, and ``import_key`` keeps the SHA-256 of the
    file's id so importing the file again finds them; the id itself is not stored. ``token_hash`` is the
    SHA-256 hex digest of the resume token; the token itself is shown once and never stored. An erased
    respondent (``erased_at`` set) has no answers, comments or votes left and no ``import_key``.
    """

    __tablename__ = "respondents"
    __table_args__ = (
        UniqueConstraint("assessment_id", "external_id"),
        UniqueConstraint("assessment_id", "import_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    external_id: Mapped[str] = mapped_column(String(100), nullable=False)
    import_key: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(50), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when their answers and comments were erased ("Delete my answers" or retention); the row stays so that
    #: their resume link can say so, and their pseudonym keeps their place in earlier published releases
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The step of the questionnaire the person was last on (``"1"``, ``"2"``…, or ``"done"``), so the resume
    #: link reopens where they left off.
    current_step: Mapped[str | None] = mapped_column(String(10))

    assessment: Mapped[Assessment] = relationship(back_populates="respondents")
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    comments: Mapped[list[Comment]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"Respondent(id={self.id!r}, assessment_id={self.assessment_id!r}, role={self.role!r})"


class Answer(Base):
    """One respondent's answer to one item, updated in place; ``value`` NULL means "Don't know".

    ``questionnaire_version`` records the version the answer was given against.
    """

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("respondent_id", "item_id"),
        CheckConstraint("value IS NULL OR (value >= 1 AND value <= 5)", name="value_range"),
        # when each respondent last changed an answer, read from the index (see migration 0017)
        Index("ix_answers_respondent_id_updated_at", "respondent_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), nullable=False
    )
    item_id: Mapped[str] = mapped_column(String(200), nullable=False)
    value: Mapped[int | None] = mapped_column(Integer)
    questionnaire_version: Mapped[str] = mapped_column(String(30), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


class Comment(Base):
    """A respondent's free-text comment on one dimension."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("respondent_id", "dimension_id"),
        Index("ix_comments_respondent_id_updated_at", "respondent_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), nullable=False
    )
    dimension_id: Mapped[str] = mapped_column(String(100), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


class OutcomeKpi(Base):
    """One outcome figure a team entered for an assessment (e.g. ``rework_rate`` = 12.0)."""

    __tablename__ = "outcome_kpis"
    __table_args__ = (UniqueConstraint("assessment_id", "kpi_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kpi_id: Mapped[str] = mapped_column(String(100), nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


class Workshop(Base):
    """A live session a facilitator runs: participants join with ``code``, the facilitator with a token.

    ``state_version`` grows with every change of state, so app replicas can poll one integer to learn that
    they must re-read the workshop.
    """

    __tablename__ = "workshops"
    __table_args__ = (
        CheckConstraint(_in("form", FORMS), name="form"),
        CheckConstraint(_in("status", WORKSHOP_STATUSES), name="status"),
        CheckConstraint("k >= 3", name="k_minimum"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    facilitator_token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    form: Mapped[str] = mapped_column(String(10), nullable=False)
    k: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    current_dimension: Mapped[str | None] = mapped_column(String(100))
    state_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dimensions: Mapped[list[WorkshopDimension]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="WorkshopDimension.position"
    )
    assessment_links: Mapped[list[WorkshopAssessment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def assessment_ids(self) -> list[int]:
        """The ids of the assessments this workshop discusses."""
        return sorted(link.assessment_id for link in self.assessment_links)


class WorkshopAssessment(Base):
    """Links a workshop to an assessment it discusses (a workshop may cover several)."""

    __tablename__ = "workshop_assessments"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class WorkshopDimension(Base):
    """The state of one dimension in a workshop: locked (no more answers) and revealed (results shown)."""

    __tablename__ = "workshop_dimensions"
    __table_args__ = (UniqueConstraint("workshop_id", "dimension_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True
    )
    dimension_id: Mapped[str] = mapped_column(String(100), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    locked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    revealed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ActionItem(Base):
    """One action of a team's plan, in the order the team put it (``position`` 0, 1, 2, …)."""

    __tablename__ = "action_items"
    __table_args__ = (
        UniqueConstraint("assessment_id", "external_id"),
        CheckConstraint(_in("status", ACTION_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), nullable=False)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    finding: Mapped[str] = mapped_column(Text, nullable=False, default="")
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    source_item_id: Mapped[str | None] = mapped_column(String(200))
    kpi: Mapped[str | None] = mapped_column(String(300))
    first_step: Mapped[str] = mapped_column(Text, nullable=False, default="")
    horizon_days: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


RELEASE_KINDS = ("answers", "comments")


class WorkshopVote(Base):
    """One participant's vote for one action proposed in a workshop (one per action, a few per person).

    The facilitator and the room see only how many votes each action has, never who gave them.
    """

    __tablename__ = "workshop_votes"
    __table_args__ = (UniqueConstraint("action_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"), nullable=False)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


class PublishedRelease(Base):
    """One published release of one dimension of an assessment: the answers (or comments) it froze.

    ``payload`` holds, keyed by respondent row id (never shown to anyone), the answers to the dimension's
    items with the respondents' roles and whether role segments were shown (``kind="answers"``), or the
    comment texts (``kind="comments"``). Releases are kept in order (``seq``) because whether a new one may
    be published depends on every earlier one (``scoring.disclosure``).
    """

    __tablename__ = "published_releases"
    __table_args__ = (
        UniqueConstraint("assessment_id", "dimension_id", "kind", "seq"),
        CheckConstraint(_in("kind", RELEASE_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    dimension_id: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


class PublishedResult(Base):
    """A published result of an assessment: the scored ``TeamResult`` every other person sees.

    Made from the latest releases of each dimension; ``respondents`` counts the people it covers and
    ``final`` marks the one published when the assessment closed. The newest (highest ``seq``) is current.
    ``summary`` is the part of it the leader view's first screen shows (``scoring.summary``).
    """

    __tablename__ = "published_results"
    __table_args__ = (UniqueConstraint("assessment_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    respondents: Mapped[int] = mapped_column(Integer, nullable=False)
    final: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)
    #: ``scoring.summary``'s summary of ``result``, written with it (what the leader view's first screen
    #: reads); NULL for a result stored before migration 0018 that could not be summarised then.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class TaskMap(Base):
    """A team's task map for an assessment: its roles, activities and redeployments (one per assessment).

    ``payload`` is the validated ``questionnaires.taskmap_schema.TaskMapInput`` as JSON. Team-level data,
    entered by anyone holding the team's link (like the outcome figures), not an individual answer.
    """

    __tablename__ = "task_maps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


class AiGuide(Base):
    """One published version of a team's one-page AI-use guide (versions 1, 2, … per assessment, all kept).

    ``form`` holds the guide's own fields (data rules, the person to ask, the review date); ``task_map`` the
    task map it was generated from, frozen, so an old version reads as it was published.
    """

    __tablename__ = "ai_guides"
    __table_args__ = (UniqueConstraint("assessment_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    form: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    task_map: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


class AppSetting(Base):
    """A key/value row of application state shared by all replicas (e.g. the admin passcode hash)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utc_now)


def as_dict(row: Base) -> dict[str, Any]:
    """The column values of a model instance, by column name (for exports and debugging)."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}
