"""store email confirmation

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01 08:40:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import queue_app.models


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', queue_app.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirm_token_hash', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
        batch_op.create_unique_constraint('uq_store_confirm_token_hash', ['confirm_token_hash'])
    # Stores already open when this runs were opened before confirmation existed: their mails
    # keep going out as before.
    op.execute("UPDATE store SET email_confirmed_at = opened_at")


def downgrade() -> None:
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.drop_constraint('uq_store_confirm_token_hash', type_='unique')
        batch_op.drop_column('confirm_token_hash')
        batch_op.drop_column('email_confirmed_at')
