"""Use cases of the position-filling process: one function per action, each one transaction.

Every action locks the process row, checks role and segregation of duties (403) and the state
machine (409), changes the rows, appends the signed statement and commits — or changes nothing
(``_tx.py``; docs/services.md lists the actions and their statements). Services never read
``flask.request`` or ``current_user``: the authenticated ``actor`` and ``now`` are parameters.
"""

from __future__ import annotations

from workflow.services._reasons import NotPermittedError, RefusedError
from workflow.services._tx import ProcessState, process_view
from workflow.services.accounts import create_user, ensure_user_key, revoke_user_key
from workflow.services.announce import announce
from workflow.services.appoint import appoint, parse_pilkada_windows
from workflow.services.committee import form_committee, recuse, seat_member, sign_pledge
from workflow.services.nominate import nominate_pool
from workflow.services.objections import answer_objection, file_objection, reopen_shortlist, resolve_objections
from workflow.services.processes import CURRENT_RULESET, cancel_process, create_process
from workflow.services.review import (
    ballot_commitment,
    close_review,
    commit_vote,
    member_person,
    open_reveal,
    reveal_vote,
)
from workflow.services.shortlist import shortlist
from workflow.services.verify import CompetencyDecision, verify_competency

__all__ = [
    "CURRENT_RULESET",
    "CompetencyDecision",
    "NotPermittedError",
    "ProcessState",
    "RefusedError",
    "announce",
    "answer_objection",
    "appoint",
    "ballot_commitment",
    "cancel_process",
    "close_review",
    "commit_vote",
    "create_process",
    "create_user",
    "ensure_user_key",
    "file_objection",
    "form_committee",
    "member_person",
    "nominate_pool",
    "open_reveal",
    "parse_pilkada_windows",
    "process_view",
    "recuse",
    "reopen_shortlist",
    "resolve_objections",
    "reveal_vote",
    "revoke_user_key",
    "seat_member",
    "shortlist",
    "sign_pledge",
    "verify_competency",
]
