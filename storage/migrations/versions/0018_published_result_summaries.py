"""A summary beside each published result (``scoring.summary``): what the leader view's first screen shows.

The leader view read and validated every team's full published result on opening (about 19 KB of JSON each,
some 1,500–2,000 at 1,000 teams); it now reads these summaries, about a fifth of the size, and the full
result only for reports and downloads. Existing published results are summarised here; one that cannot be
read as a result keeps a NULL summary and is summarised from its full result whenever it is read.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 05:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Published results summarised per round trip (their full JSON is read a batch at a time).
BATCH = 200


def upgrade() -> None:
    with op.batch_alter_table('published_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.JSON(none_as_null=True), nullable=True))
    _summarise_existing()


def _summarise_existing() -> None:
    from scoring.summary import summary_of_stored

    results = sa.table(
        'published_results',
        sa.column('id', sa.Integer),
        sa.column('result', sa.JSON),
        sa.column('summary', sa.JSON(none_as_null=True)),
    )
    connection = op.get_bind()
    ids = list(connection.scalars(sa.select(results.c.id).order_by(results.c.id)))
    update = (
        results.update().where(results.c.id == sa.bindparam('row_id')).values(summary=sa.bindparam('made'))
    )
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        made = []
        for row_id, stored in connection.execute(
            sa.select(results.c.id, results.c.result).where(results.c.id.in_(batch))
        ):
            summary = summary_of_stored(stored) if isinstance(stored, dict) else None
            if summary is not None:
                made.append({'row_id': row_id, 'made': summary})
        if made:
            connection.execute(update, made)


def downgrade() -> None:
    with op.batch_alter_table('published_results', schema=None) as batch_op:
        batch_op.drop_column('summary')
