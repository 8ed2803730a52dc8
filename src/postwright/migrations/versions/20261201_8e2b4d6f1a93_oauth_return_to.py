"""oauth sign-ins: where the browser goes after the callback

Revision ID: 8e2b4d6f1a93
Revises: c4d8e2a61f07
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e2b4d6f1a93"
down_revision: str | None = "c4d8e2a61f07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("oauth_sign_ins", sa.Column("return_to", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oauth_sign_ins") as batch_op:
        batch_op.drop_column("return_to")
