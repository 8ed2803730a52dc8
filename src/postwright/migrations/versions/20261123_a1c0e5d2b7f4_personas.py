"""personas

Revision ID: a1c0e5d2b7f4
Revises: 7e4c2a7e3ec9
Create Date: 2026-11-23 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import postwright.core.models

revision: str = "a1c0e5d2b7f4"
down_revision: str | None = "7e4c2a7e3ec9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = postwright.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "personas",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("default_prompt", sa.Text(), nullable=False),
        sa.Column("target_audience", sa.Text(), nullable=False),
        sa.Column("profession", sa.String(length=500), nullable=False),
        sa.Column("relevant_keywords", sa.Text(), nullable=False),
        sa.Column("opinions", sa.Text(), nullable=False),
        sa.Column("vocabulary", sa.Text(), nullable=False),
        sa.Column("avoid_words", sa.Text(), nullable=False),
        sa.Column("end_goal", sa.Text(), nullable=False),
        sa.Column("custom_hashtag", sa.String(length=500), nullable=False),
        sa.Column("fix_cta", sa.Text(), nullable=False),
        sa.Column("voice", sa.String(length=500), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column(
            "example_posts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("deleted_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_personas_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_personas_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personas")),
    )
    with op.batch_alter_table("personas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personas_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_personas_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_personas_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("personas")
