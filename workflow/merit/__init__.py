"""Merit rules: versioned rule sets, eligibility, 9-box, JPM, ranking, explanations, evidence.

Pure package: imports the standard library, ``marshmallow`` (rule-set validation), ``rfc8785``
and ``workflow.reference`` only — never Flask, SQLAlchemy or a database session — so that the
nomination step, the ASN explanation page, the committee view and the offline compliance replay
(``python -m workflow.compliance``) share one source of truth.
"""

from workflow.merit.evaluation import Candidate, CandidateResult, Evaluation, evaluate_candidates
from workflow.merit.evidence import EvidenceRecord, build_records, evaluate, pseudonym
from workflow.merit.explain import Explanation, explain, explain_all
from workflow.merit.facts import (
    AssessmentFact,
    DisciplineFact,
    EmployeeFacts,
    PositionFacts,
    ProcessDates,
    RatingFact,
)
from workflow.merit.messages import render
from workflow.merit.results import RuleResult
from workflow.merit.ruleset import RuleSet, RuleSetError, load_published, load_ruleset

__all__ = [
    "AssessmentFact",
    "Candidate",
    "CandidateResult",
    "DisciplineFact",
    "EmployeeFacts",
    "Evaluation",
    "EvidenceRecord",
    "Explanation",
    "PositionFacts",
    "ProcessDates",
    "RatingFact",
    "RuleResult",
    "RuleSet",
    "RuleSetError",
    "build_records",
    "evaluate",
    "evaluate_candidates",
    "explain",
    "explain_all",
    "load_published",
    "load_ruleset",
    "pseudonym",
    "render",
]
