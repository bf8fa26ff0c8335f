"""What every use case needs: the database (engine + session factory) and the questionnaires.

Services never import Streamlit and never cache: the UI edge (``ui.py``) builds one :class:`AppContext` per
database URL with ``st.cache_resource``; the CLI and the tests build one with :func:`make_context`. Every
use case takes the context as its first argument, so the same function serves the pages, the CLI and the
tests.

Shared helpers for all service modules (``services/assessment.py`` and, later, ``workshop.py`` and
``leader.py``):

- ``ctx.read()`` / ``ctx.write()``: a unit of work (read-only, or one write transaction committed at the end
  of the block and rolled back on any error);
- ``ctx.questionnaire(id, version)``: a questionnaire from the catalog the context was built with;
- :class:`InputError`: invalid input for people, with one message per form field;
- :class:`AccessError`: a link (token or share code) that does not open anything.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from questionnaires.loader import Catalog, get_catalog
from questionnaires.schema import Questionnaire
from settings import get_settings
from storage.engine import init_database, make_engine, make_session_factory, unit_of_work

#: The value a "Don't know" answer has in the UI and in files (stored as NULL).
DONT_KNOW = "dont_know"
#: An answer as the UI handles it: a level 1–5 or "don't know".
Choice = int | Literal["dont_know"]


def stored_choice(answers: Mapping[str, int | None], item_id: str) -> Choice | None:
    """A stored answer as the UI shows it: a level, ``"dont_know"`` (stored as None), or None when unanswered."""
    if item_id not in answers:
        return None
    value = answers[item_id]
    return DONT_KNOW if value is None else value


QuestionnaireSource = Callable[[str, str | None], Questionnaire]

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


class ServiceError(Exception):
    """Base of the errors services raise on purpose; the message is written for people."""


class InputError(ServiceError, ValueError):
    """Input a person typed that cannot be used; ``errors`` maps each form field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


class AccessError(ServiceError, LookupError):
    """A resume token or share code that does not (or no longer) open an assessment."""


class AnswersErasedError(AccessError):
    """A resume token whose answers were erased ("Delete my answers" or retention): it opens nothing any more."""

    def __init__(self, erased_at: datetime) -> None:
        self.erased_at = erased_at
        super().__init__(
            f"The answers of this link were deleted on {erased_at:%d %b %Y}, with the comments that went with "
            "them: nothing is left to open, and nothing can be answered with it any more. To take part again, "
            "ask your team for their invitation link."
        )


class WorkshopLinkError(AccessError):
    """A workshop participant's resume token used outside the workshop: it opens the join page only.

    ``join_path`` is where the link does open (``/join?resume=…``).
    """

    def __init__(self, token: str) -> None:
        self.join_path = f"/join?resume={token.strip()}"
        super().__init__(
            "This is a workshop link: it opens your workshop answers on the join page only, not the "
            f"self-assessment pages. Open {self.join_path} to go on with the workshop."
        )


#: What starting under an existing team's name without its invitation link (or the leader passcode) says.
TEAM_EXISTS_MESSAGE = (
    "A team with this name already exists. Ask its team lead for the team's invitation link, "
    "or choose another name."
)


class DimensionLockedError(ServiceError):
    """The dimension is locked (or revealed) in a workshop: its answers can no longer be changed."""


def locked_dimension_error(questionnaire: Questionnaire, dimension_id: str) -> DimensionLockedError:
    """The message for an answer refused because a workshop locked or revealed ``dimension_id``."""
    try:
        name = questionnaire.dimension(dimension_id).name
    except KeyError:
        name = dimension_id
    return DimensionLockedError(
        f"{name} is locked by the facilitator, so its answers can no longer be changed."
    )


class StorageBusyError(ServiceError):
    """The database could not be used just now (another writer held SQLite's lock past the busy timeout, or
    the connection to PostgreSQL failed); nothing was changed, and the same request can simply be retried.

    ``unreachable`` tells the two apart: True when the database did not respond (a server down or
    restarting, a dropped connection), False when it answered "busy". ``connection_dropped`` is True when
    a connection the unit of work was using broke under it (see :func:`retry_once_on_dropped_connection`).
    """

    def __init__(self, message: str, *, unreachable: bool, connection_dropped: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.connection_dropped = connection_dropped


def _storage_busy(error: DBAPIError) -> StorageBusyError:
    busy = "locked" in str(error.orig)
    return StorageBusyError(
        f"The database is {'busy' if busy else 'unreachable'} right now, so nothing was saved or read this "
        "time. Try again in a moment.",
        unreachable=not busy,
        connection_dropped=bool(error.connection_invalidated),
    )


def _database_unusable(error: DBAPIError) -> bool:
    """Errors that say the database cannot be used just now (not that the request was wrong)."""
    return isinstance(error, OperationalError) or bool(error.connection_invalidated)


def retry_once_on_dropped_connection(function: Callable[P, R]) -> Callable[P, R]:
    """Run a unit of work again, once, when the connection it used was dropped under it.

    ``pool_pre_ping`` (storage/engine.py) replaces connections that died while idle in the pool, e.g. after
    PostgreSQL restarted; a connection can still break while a unit of work uses it. Its transaction was
    then rolled back by the server (or, when the COMMIT itself was cut off, it may have gone through), so
    the use case runs once more on a fresh connection. Only for use cases that are safe to repeat: saving
    an answer is an upsert of (respondent, item), so a repeat never stores it twice. A second failure is
    raised (``StorageBusyError``) for the page to say it could not save.
    """

    @functools.wraps(function)
    def once_more(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except StorageBusyError as error:
            if not error.connection_dropped:
                raise
            log.warning("%s: the database connection was dropped (%s); trying once more",
                        function.__qualname__, error.__cause__)  # fmt: skip
        return function(*args, **kwargs)

    return once_more


@dataclass(frozen=True)
class Database:
    """An engine with its session factory; the schema is migrated when it is made by :func:`connect`."""

    engine: Engine
    session_factory: sessionmaker[Session]

    def dispose(self) -> None:
        """Close every pooled connection (tests call this before deleting the database file)."""
        self.engine.dispose()


def connect(database_url: str | None = None, *, migrate: bool = True) -> Database:
    """Open the database at ``database_url`` (default: the ``DATABASE_URL`` setting) and migrate it.

    ``init_database`` is safe to run at every start (several replicas may start at once).
    """
    engine = make_engine(database_url or get_settings().database_url)
    if migrate:
        init_database(engine)
    return Database(engine=engine, session_factory=make_session_factory(engine))


@dataclass(frozen=True)
class AppContext:
    """The database and the questionnaire source every use case runs against, plus the default k."""

    database: Database
    questionnaires: QuestionnaireSource
    default_k: int = 3

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (never takes SQLite's write lock; rolled back at the end).

        Raises :class:`StorageBusyError` when the database cannot be used just now.
        """
        try:
            with unit_of_work(self.database.session_factory, read_only=True) as session:
                yield session
        except DBAPIError as error:
            if not _database_unusable(error):
                raise
            raise _storage_busy(error) from error

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write unit of work: committed when the block ends, rolled back on any error.

        Raises :class:`StorageBusyError` (nothing written) when another writer holds the database longer than
        the busy timeout, or the database cannot be reached.
        """
        try:
            with unit_of_work(self.database.session_factory) as session:
                yield session
        except DBAPIError as error:
            if not _database_unusable(error):
                raise
            raise _storage_busy(error) from error

    def questionnaire(self, questionnaire_id: str, version: str | None = None) -> Questionnaire:
        """A questionnaire by id and version (the latest when ``version`` is None)."""
        return self.questionnaires(questionnaire_id, version)


def make_context(
    database_url: str | None = None, *, catalog: Catalog | None = None, migrate: bool = True
) -> AppContext:
    """A context for the CLI and tests: connects (and migrates) the database and loads the questionnaires.

    The app builds its context in ``ui.py`` instead, where the catalog and the database are cached.
    """
    source = catalog or get_catalog()
    return AppContext(
        database=connect(database_url, migrate=migrate),
        questionnaires=source.get,
        default_k=get_settings().default_k,
    )
