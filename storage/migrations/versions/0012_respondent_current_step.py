"""The step of the questionnaire each respondent was last on, so the resume link reopens there.

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-30 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_step', sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.drop_column('current_step')
