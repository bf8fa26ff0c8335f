"""Published results: releases per dimension (frozen answers or comments) and the scored result people see.

Results are published, not live (``scoring.disclosure``): ``published_releases`` keeps every release of
every dimension in order, ``published_results`` the scored team result made from them, and
``assessments.published_through`` the newest answer time a publication attempt has considered. Existing
assessments start with no release; their first publication happens when someone next opens them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 20:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('published_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('dimension_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('answers', 'comments')", name=op.f('ck_published_releases_kind')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_published_releases_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_releases')),
    sa.UniqueConstraint('assessment_id', 'dimension_id', 'kind', 'seq', name=op.f('uq_published_releases_assessment_id_dimension_id_kind_seq'))
    )
    with op.batch_alter_table('published_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_releases_assessment_id'), ['assessment_id'], unique=False)
    op.create_table('published_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('respondents', sa.Integer(), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_published_results_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_results')),
    sa.UniqueConstraint('assessment_id', 'seq', name=op.f('uq_published_results_assessment_id_seq'))
    )
    with op.batch_alter_table('published_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_results_assessment_id'), ['assessment_id'], unique=False)
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_through', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('published_through')
    with op.batch_alter_table('published_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_results_assessment_id'))
    op.drop_table('published_results')
    with op.batch_alter_table('published_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_releases_assessment_id'))
    op.drop_table('published_releases')
