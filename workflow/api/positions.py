"""``/api/v1/positions``: the positions of the merit data, with their competency standards."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters

from workflow.api.auth import principal
from workflow.api.base import ApiBlueprint, page_of
from workflow.api.schemas import PositionQuerySchema, PositionSchema
from workflow.errors import NotFoundError
from workflow.extensions import db
from workflow.models import OrgUnit, Position
from workflow.models import process as m

bp = ApiBlueprint(
    "api_positions", __name__, url_prefix="/api/v1/positions",
    description="Positions (jabatan) and their competency standards. Any signed-in role.",
)



def open_process_ids(position_ids: list[int]) -> dict[int, int]:
    """Position id → its open (not appointed, not cancelled) process id."""
    if not position_ids:
        return {}
    rows = db.session.execute(
        sa.select(m.Process.position_id, m.Process.id).where(
            m.Process.position_id.in_(position_ids), m.Process.status.not_in(["appointed", "cancelled"])
        )
    ).all()
    return dict(rows)


def position_dict(p: Position, open_process: int | None) -> dict[str, Any]:
    return {
        "id": p.id, "code": p.code, "title": p.title, "type": str(p.type),
        "unit": {"id": p.unit.id, "code": p.unit.code, "name": p.unit.name},
        "min_golongan": None if p.min_golongan is None else str(p.min_golongan),
        "min_education": None if p.min_education is None else str(p.min_education),
        "min_experience_years": p.min_experience_years, "is_vacant": p.is_vacant, "vacant_since": p.vacant_since,
        "standards": [{"competency": s.competency, "level": s.level} for s in p.standards],
        "open_process_id": open_process,
    }


@bp.route("", methods=["GET"])
@bp.arguments(PositionQuerySchema, location="query")
@bp.response(200, PositionSchema(many=True))
@bp.paginate()
@bp.errors(401)
def list_positions(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """List positions, by id.

    Filters: `vacant`, `type`, `unit` (unit code), `q` (text in the code or title).
    """
    principal()
    stmt = sa.select(Position).order_by(Position.id)
    if "vacant" in query:
        stmt = stmt.where(Position.is_vacant.is_(query["vacant"]))
    if "type" in query:
        stmt = stmt.where(Position.type == query["type"])
    if "unit" in query:
        stmt = stmt.join(OrgUnit, OrgUnit.id == Position.unit_id).where(OrgUnit.code == query["unit"])
    if query.get("q"):
        like = "%" + query["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(Position.title.ilike(like, escape="\\"), Position.code.ilike(like, escape="\\")))
    rows = page_of(stmt, pagination_parameters)
    opened = open_process_ids([p.id for p in rows])
    return [position_dict(p, opened.get(p.id)) for p in rows]


@bp.route("/<id:position_id>", methods=["GET"])
@bp.response(200, PositionSchema)
@bp.errors(401, 404)
def get_position(position_id: int) -> dict[str, Any]:
    """One position."""
    principal()
    p = db.session.get(Position, position_id)
    if p is None:
        raise NotFoundError(f"There is no position {position_id}.")
    return position_dict(p, open_process_ids([p.id]).get(p.id))
