"""generation usage: cached input tokens

Revision ID: c4d8e2a61f07
Revises: 3c1d5e7a9b20
Create Date: 2026-11-30 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4d8e2a61f07"
down_revision: str | None = "3c1d5e7a9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("generation_usage", sa.Column("cached_input_tokens", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("generation_usage") as batch_op:
        batch_op.drop_column("cached_input_tokens")
