"""Task maps and AI-use guides: a team's task map per assessment, and the versions of its one-page guide.

``task_maps`` holds one validated task map (roles, activities, redeployments) per assessment as JSON;
``ai_guides`` keeps every published version of the guide (``uq_ai_guides_assessment_id_version``) with the
form and the task map it was made from. Deleting the assessment deletes both.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('task_maps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_task_maps_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_maps')),
    sa.UniqueConstraint('assessment_id', name=op.f('uq_task_maps_assessment_id'))
    )
    op.create_table('ai_guides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('form', sa.JSON(), nullable=False),
    sa.Column('task_map', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_ai_guides_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_guides')),
    sa.UniqueConstraint('assessment_id', 'version', name=op.f('uq_ai_guides_assessment_id_version'))
    )
    with op.batch_alter_table('ai_guides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ai_guides_assessment_id'), ['assessment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ai_guides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_guides_assessment_id'))
    op.drop_table('ai_guides')
    op.drop_table('task_maps')
