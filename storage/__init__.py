"""Storage: SQLAlchemy 2 models, an engine factory, Alembic migrations and keyword-only repository functions.

Typical use (the UI caches the engine and the session factory with ``st.cache_resource``)::

    from storage import init_database, make_engine, make_session_factory, unit_of_work
    from storage import repository as repo

    engine = make_engine()                 # DATABASE_URL, default: the SQLite file data/layerwise.db
    init_database(engine)                  # Alembic migrations to head (safe at every start)
    sessions = make_session_factory(engine)
    with unit_of_work(sessions) as session:  # one transaction: commit at the end, rollback on any error
        repo.save_answer(session, respondent_id=7, item_id="permission.one_page_guide", value=3)

All state that two app servers must share (answers, resume tokens, workshop lock/reveal state, actions,
settings such as the admin passcode hash) lives in the database, so several Streamlit replicas can serve one
PostgreSQL. Streamlit keeps each browser session on one server over a websocket, so a load balancer in front
of replicas needs sticky sessions (session affinity); SQLite is for a single server only.

This package imports neither Streamlit, ``reports`` nor ``pages``.
"""

from storage.engine import init_database, make_engine, make_session_factory, unit_of_work

__all__ = ["init_database", "make_engine", "make_session_factory", "unit_of_work"]
