"""Use cases: the one place that combines questionnaires, storage, scoring and reports.

Pages and the CLI call these functions; they never touch SQL or reportlab themselves, and nothing here
imports Streamlit.

- ``services.context``: the shared plumbing: :class:`~services.context.AppContext` (database + questionnaire
  source, ``ctx.read()`` / ``ctx.write()`` units of work), ``make_context`` for the CLI and tests,
  ``connect`` for the UI edge (which caches it), and the errors for people (``InputError`` with messages per
  field, ``AccessError`` for a link that opens nothing, ``ServiceError``).
- ``services.assessment``: the self-assessment journey: start, join with a share code, resume with a
  token, save answers and comments, outcomes, finish, results, the action plan, CSV and PDF.
"""
