"""request path: metered-call holds (reservation expiry, quota holds), exact post counts
kept by triggers, and the covering index for page/limit post lists

Revision ID: b7e1c4a9d2f0
Revises: 5b1f0e7a2c11
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import postwright.core.models

revision: str = "b7e1c4a9d2f0"
down_revision: str | None = "5b1f0e7a2c11"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = postwright.core.models.UTCDateTime()

PG_TRIGGER = """
CREATE FUNCTION post_counts_track() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
    UPDATE post_counts SET live = live - 1
     WHERE workspace_id = OLD.workspace_id AND source = OLD.source;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
    INSERT INTO post_counts (workspace_id, source, live) VALUES (NEW.workspace_id, NEW.source, 1)
    ON CONFLICT (workspace_id, source) DO UPDATE SET live = post_counts.live + 1;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

PG_TRIGGER_ON = """
CREATE TRIGGER post_counts_track
AFTER INSERT OR DELETE OR UPDATE OF deleted_at, source, workspace_id ON posts
FOR EACH ROW EXECUTE FUNCTION post_counts_track()
"""

SQLITE_TRIGGERS = [
    """CREATE TRIGGER post_counts_insert AFTER INSERT ON posts WHEN NEW.deleted_at IS NULL
    BEGIN
      INSERT INTO post_counts (workspace_id, source, live) VALUES (NEW.workspace_id, NEW.source, 1)
      ON CONFLICT (workspace_id, source) DO UPDATE SET live = live + 1;
    END""",
    """CREATE TRIGGER post_counts_delete AFTER DELETE ON posts WHEN OLD.deleted_at IS NULL
    BEGIN
      UPDATE post_counts SET live = live - 1
       WHERE workspace_id = OLD.workspace_id AND source = OLD.source;
    END""",
    """CREATE TRIGGER post_counts_update AFTER UPDATE OF deleted_at, source, workspace_id ON posts
    BEGIN
      UPDATE post_counts SET live = live - 1
       WHERE OLD.deleted_at IS NULL AND workspace_id = OLD.workspace_id AND source = OLD.source;
      INSERT INTO post_counts (workspace_id, source, live)
      SELECT NEW.workspace_id, NEW.source, 1 WHERE NEW.deleted_at IS NULL
      ON CONFLICT (workspace_id, source) DO UPDATE SET live = live + 1;
    END""",
]


def upgrade() -> None:
    with op.batch_alter_table("credit_reservations") as batch:
        batch.add_column(sa.Column("expires_at", UTC, nullable=True))
        batch.create_index("ix_credit_reservations_expires_at", ["expires_at"])
    op.create_table(
        "quota_holds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("quota_type", sa.String(length=40), nullable=False),
        sa.Column("period_start", UTC, nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_quota_holds_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_holds")),
    )
    op.create_index("ix_quota_holds_expires_at", "quota_holds", ["expires_at"])
    op.create_table(
        "post_counts",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("live", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "source", name=op.f("pk_post_counts")),
    )
    op.create_index(
        "ix_posts_live_workspace_created",
        "posts",
        ["workspace_id", "created_at", "id", "source"],
        postgresql_where=sa.text("deleted_at IS NULL"),
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_TRIGGER)
        op.execute(PG_TRIGGER_ON)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.execute(
        "INSERT INTO post_counts (workspace_id, source, live) "
        "SELECT workspace_id, source, COUNT(*) FROM posts WHERE deleted_at IS NULL "
        "GROUP BY workspace_id, source"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS post_counts_track ON posts")
        op.execute("DROP FUNCTION IF EXISTS post_counts_track()")
    else:
        for name in ("post_counts_insert", "post_counts_delete", "post_counts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_posts_live_workspace_created", table_name="posts")
    op.drop_table("post_counts")
    op.drop_index("ix_quota_holds_expires_at", table_name="quota_holds")
    op.drop_table("quota_holds")
    with op.batch_alter_table("credit_reservations") as batch:
        batch.drop_index("ix_credit_reservations_expires_at")
        batch.drop_column("expires_at")
