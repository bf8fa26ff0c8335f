"""When a respondent's answers were erased (by themselves with "Delete my answers", or by retention).

Revision ID: 0008
Revises: 0013
Create Date: 2026-11-30 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
