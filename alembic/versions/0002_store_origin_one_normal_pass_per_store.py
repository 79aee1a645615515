"""store origin, one normal pass per store

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:04:24.785622
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import queue_app.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Retire all but the newest code of a store before the rule "one shown code per store" holds.
    op.execute("UPDATE pass SET state = 'used' WHERE state = 'normal' AND id NOT IN "
               "(SELECT newest FROM (SELECT MAX(id) AS newest FROM pass WHERE state = 'normal' "
               "GROUP BY store_id) AS keep)")
    with op.batch_alter_table('pass', schema=None) as batch_op:
        batch_op.create_index('uq_pass_one_normal_per_store', ['store_id'], unique=True, sqlite_where=sa.text("state = 'normal'"), postgresql_where=sa.text("state = 'normal'"))

    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False,
                                      server_default=""))



def downgrade() -> None:
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.drop_column('origin')

    with op.batch_alter_table('pass', schema=None) as batch_op:
        batch_op.drop_index('uq_pass_one_normal_per_store', sqlite_where=sa.text("state = 'normal'"), postgresql_where=sa.text("state = 'normal'"))

