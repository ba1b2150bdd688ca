"""ORM models, one module per area; importing this package registers every table."""

from workflow.models.ledger import LogCheckpoint, LogHash, LogHead, LogLeaf, SigningKey  # noqa: F401
from workflow.models.merit import (
    Assessment,
    AssessmentScore,
    CompetencyStandard,
    DisciplineRecord,
    Employee,
    OrgUnit,
    PerformanceRating,
    Position,
)
from workflow.models.process import Process  # noqa: F401 - registers the process tables
from workflow.models.tokens import ApiToken, ServiceAccount  # noqa: F401 - registers the API token tables
from workflow.models.users import Role, User, UserRole

# Tables whose row counts /healthz reports.
COUNTED_TABLES = {
    "units": OrgUnit.__table__,
    "positions": Position.__table__,
    "employees": Employee.__table__,
    "assessments": Assessment.__table__,
    "users": User.__table__,
}

__all__ = [
    "COUNTED_TABLES",
    "Assessment",
    "AssessmentScore",
    "CompetencyStandard",
    "DisciplineRecord",
    "Employee",
    "OrgUnit",
    "PerformanceRating",
    "Position",
    "Role",
    "User",
    "UserRole",
]
