"""The bridge from the compliance rules to the live services: refuse a transition a hard flag forbids.

Before a process statement is appended (``_tx.ProcessState.log``), the process's stored log
entries plus the pending statement become a :class:`~workflow.compliance.history.ProcessHistory`
and go through the very functions the offline replay runs (``workflow.compliance.flags``). A hard
finding that names the pending statement — or, for a shortlist or an appointment, evidence that
no longer matches the nomination (R8) — refuses the action with a 409 (``RefusedError``) whose
reason code is ``compliance.<rule>`` and whose message names the rule.

What this catches beyond the state machine's own guards is what an insider does around the
services: candidate evidence rewritten in the database, ranks or pool flags edited so the
computed shortlist departs from the logged nomination, a vote row inserted without a signed
entry (counted by the review), a recommendation or decree that contradicts the log.

The merit evaluation itself is not re-run here (the nomination has just computed it from the
same records; the offline replay re-runs it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from audit import canonical
from audit.entry import Actor as StatementActor
from audit.entry import format_time, parse_time
from workflow import ledger
from workflow.compliance.findings import Finding
from workflow.compliance.flags import BLOCK_DOWNSTREAM, ProcessCase, blocking
from workflow.compliance.history import PENDING, Entry, ProcessHistory, entry_from_leaf
from workflow.lifecycle import Reason
from workflow.models.ledger import LogLeaf
from workflow.services._reasons import RefusedError
from workflow.services.export import candidate_evidence

if TYPE_CHECKING:
    from workflow.services._tx import ProcessState


def refusal_reason(f: Finding) -> Reason:
    """A finding as a refusal reason: code ``compliance.<rule>``, the message naming the rule."""
    return Reason(
        code=f"compliance.{f.rule}",
        params=MappingProxyType({"rule": f.rule, "key": f.key, **f.params}),
        message_id=f"{f.rule} ({f.title('id')}): {f.message('id')}",
        message_en=f"{f.rule} ({f.title('en')}): {f.message('en')}",
    )


def _history(state: ProcessState, pending: Entry) -> ProcessHistory:
    rows = state.session.execute(
        sa.select(LogLeaf.seq, LogLeaf.leaf)
        .where(LogLeaf.process_key == ledger.process_key(state.process.id))
        .order_by(LogLeaf.seq)
    ).all()
    return ProcessHistory(state.process.id, (*(entry_from_leaf(seq, bytes(leaf)) for seq, leaf in rows), pending))


def check_statement(
    state: ProcessState,
    action: str,
    *,
    states: tuple[str | None, str | None],
    now: dt.datetime,
    actor: StatementActor,
    data: Mapping[str, Any],
) -> None:
    """Refuse (409) the pending statement if a hard compliance flag forbids it.

    Raises:
        RefusedError: with one ``compliance.<rule>`` reason per blocking finding.
    """
    pending = Entry(
        index=PENDING, action=action, process=state.process.id, from_state=states[0], to_state=states[1],
        # As the log will hold it: whole seconds, JSON types (what the replay will read back).
        time=parse_time(format_time(now)), actor_id=actor.id, actor_role=actor.role,
        data=json.loads(canonical.dumps(dict(data))),
    )
    needs_evidence = action in BLOCK_DOWNSTREAM
    # Only the pool's records: those are what the shortlist and the appointment rest on.
    pool = state.candidates if needs_evidence else []
    case = ProcessCase(
        history=_history(state, pending),
        evidence=candidate_evidence(pool),
        ruleset=state.ruleset,
        evidence_scope=frozenset(c.pseudonym for c in pool),
        replay_evaluation=False,
    )
    found = blocking(case, action)
    if found:
        raise RefusedError(action, [refusal_reason(f) for f in found])
