"""reveal opening

The chair's explicit opening of a vote round's reveal phase (workflow/models/process.py
``RevealOpening``; statement ``vote.open_reveal``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reveal_opening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_reveal_opening_process_id_process')),
    sa.ForeignKeyConstraint(['seat_id'], ['committee_seat.id'], name=op.f('fk_reveal_opening_seat_id_committee_seat')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reveal_opening')),
    sa.UniqueConstraint('process_id', 'round', name=op.f('uq_reveal_opening_process_id'))
    )


def downgrade():
    op.drop_table('reveal_opening')
