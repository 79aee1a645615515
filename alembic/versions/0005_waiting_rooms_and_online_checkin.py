"""waiting rooms (room, counter row, per-minute totals) and online check-in per queue

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 08:30:02.116589
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import queue_app.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('waiting_room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('window_size', sa.Integer(), nullable=False),
    sa.Column('window_interval', sa.Integer(), nullable=False),
    sa.Column('active_windows', sa.Integer(), nullable=False),
    sa.Column('target_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('starts_at', queue_app.models.UTCDateTime(), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('window_end', sa.Integer(), nullable=False),
    sa.Column('issued_seen', sa.Integer(), nullable=False),
    sa.Column('slid_at', queue_app.models.UTCDateTime(), nullable=False),
    sa.Column('next_slide_at', queue_app.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug'),
    sa.UniqueConstraint('store_id')
    )
    with op.batch_alter_table('waiting_room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waiting_room_next_slide_at'), ['next_slide_at'], unique=False)

    op.create_table('room_counter',
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['waiting_room.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('room_id')
    )
    with op.batch_alter_table('room_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_counter_store_id'), ['store_id'], unique=False)

    op.create_table('room_minute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('minute', queue_app.models.UTCDateTime(), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('admitted', sa.Integer(), nullable=False),
    sa.Column('expired', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['waiting_room.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('room_id', 'minute')
    )
    with op.batch_alter_table('room_minute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_minute_store_id'), ['store_id'], unique=False)

    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('online_cap', sa.Integer(), server_default='20', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.drop_column('online_cap')
        batch_op.drop_column('online')

    with op.batch_alter_table('room_minute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_minute_store_id'))

    op.drop_table('room_minute')
    with op.batch_alter_table('room_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_counter_store_id'))

    op.drop_table('room_counter')
    with op.batch_alter_table('waiting_room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waiting_room_next_slide_at'))

    op.drop_table('waiting_room')
