"""Workshop votes: participants vote on their phones for the actions proposed in a workshop.

One row per participant and action (``uq_workshop_votes_action_id_respondent_id``: one vote per action);
how many votes a person has is the service's rule (``services.workshop.VOTES_PER_PERSON``). Deleting the
workshop, the action or the respondent deletes their votes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 21:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('workshop_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action_items.id'], name=op.f('fk_workshop_votes_action_id_action_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_workshop_votes_respondent_id_respondents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_votes_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_votes')),
    sa.UniqueConstraint('action_id', 'respondent_id', name=op.f('uq_workshop_votes_action_id_respondent_id'))
    )
    with op.batch_alter_table('workshop_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_votes_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_votes_workshop_id'), ['workshop_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('workshop_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_votes_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_votes_respondent_id'))
    op.drop_table('workshop_votes')
