"""A process from draft to appointed through the services: one linear log that verifies and replays."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from audit.dsse import b64decode_strict
from audit.entry import parse_leaf_unverified, parse_statement_unverified
from audit.verify import verify_bundle
from tests.services.helpers import D, World, at
from workflow import ledger, services
from workflow.keystore import get_keystore
from workflow.lifecycle import ExclusionReason, Stage, replay
from workflow.models import Position
from workflow.models import process as m


def statements(world: World, start: int = 0) -> list:
    leaves = ledger.read_leaves(world.session, start, ledger.log_size(world.session))
    out = []
    for leaf in leaves:
        envelope = parse_leaf_unverified(leaf).envelope
        out.append(parse_statement_unverified(envelope.payload))
    return out


def test_draft_to_appointed_with_an_upheld_objection(world: World) -> None:
    s = world.session
    start = ledger.log_size(s)
    world.create()
    world.seat_all()
    world.pledge_all()
    services.form_committee(s, world.process_id, actor=world.admin, now=at(3))
    services.nominate_pool(s, world.process_id, actor=world.admin, now=at(4))
    pool = [c.pseudonym for c in world.pool()]
    assert len(pool) == 5  # employees 0-4; 5 and 6 fail the golongan rule
    best = world.candidate_of(world.asn).pseudonym
    assert pool[0] == best
    # The verifier excludes the best candidate; the shortlist is the next three by merit.
    services.verify_competency(s, world.process_id, actor=world.verifier, now=at(5),
                               decisions=world.decisions({best: str(ExclusionReason.ASSESSMENT_EXPIRED)}))
    services.shortlist(s, world.process_id, actor=world.admin, now=at(6))
    assert world.ranking() == pool[1:4]
    world.vote(world.committee, 7)
    services.close_review(s, world.process_id, actor=world.chair, now=at(9))
    services.announce(s, world.process_id, actor=world.admin, now=at(10))
    objection = services.file_objection(s, world.process_id, actor=world.asn, now=at(11),
                                        text="My assessment was valid until 2028; see the certificate.")
    services.answer_objection(s, world.process_id, objection.id, actor=world.chair, upheld=True,
                              answer="The certificate is valid; the exclusion is withdrawn.", now=at(12))
    services.reopen_shortlist(s, world.process_id, actor=world.chair, now=at(13))
    assert world.process().round == 2
    assert world.ranking() == pool[:3]  # reinstated, and first again
    world.vote(world.committee[:3], 14)  # 3 of 5 is the quorum
    services.close_review(s, world.process_id, actor=world.chair, now=at(16))
    services.announce(s, world.process_id, actor=world.admin, now=at(17))
    after_window = at(17) + dt.timedelta(days=5)
    services.resolve_objections(s, world.process_id, actor=world.chair, now=after_window)
    services.appoint(s, world.process_id, actor=world.ppk, appointee=best, decree_number="821.2/123/2026",
                     decree_date=D(2026, 3, 9), now=after_window + dt.timedelta(hours=1))

    process = world.process()
    assert process.status == Stage.APPOINTED and process.appointee_pseudonym == best
    assert s.get(Position, world.position_id).is_vacant is False

    stmts = statements(world, start)
    actions = [st.action for st in stmts]
    assert actions == [
        "process.create", *["committee.seat"] * 5, *["committee.pledge"] * 5, "process.form_committee",
        "process.nominate_pool", "process.verify_competency", "process.shortlist",
        *["vote.commit"] * 5, *["vote.reveal"] * 5, "process.review", "process.announce",
        "objection.file", "objection.answer", "process.reopen_shortlist",
        *["vote.commit"] * 3, "vote.open_reveal", *["vote.reveal"] * 3, "process.review", "process.announce",
        "process.resolve_objections", "process.appoint",
    ]
    # Each statement chains to the process's previous entry; the first has the zero basis.
    basis = bytes(32)
    for leaf, st in zip(ledger.read_leaves(s, start, ledger.log_size(s)), stmts, strict=True):
        assert st.process == world.process_id and st.basis == basis
        basis = parse_leaf_unverified(leaf).leaf_hash
    # Round 2's reveal phase was opened by the chair with the three commitments it had.
    opening = next(st for st in stmts if st.action == "vote.open_reveal")
    assert opening.actor.id == str(world.chair.id) and opening.actor.role == "committee_chair"
    assert opening.data["round"] == 2 and len(opening.data["committed"]) == 3
    assert opening.data["quorum"] == {"seated": 5, "required": 3}
    # Computed steps are signed by the system key, the rest by the acting person's own key.
    system = {st.action for st in stmts if st.actor.id == "system"}
    assert system == {"process.nominate_pool", "process.shortlist"}
    assert {st.actor.id for st in stmts if st.action == "objection.file"} == {str(world.asn.id)}
    # Replaying the transitions gives the stored status.
    events = [st.action.removeprefix("process.") for st in stmts if st.action.startswith("process.")][1:]
    assert replay(events) == process.status
    # No personal data: no name or NIP anywhere in the log.
    text = b"".join(ledger.read_leaves(s, 0, ledger.log_size(s)))
    for emp in world.employees:
        assert emp.nip.encode() not in text and emp.name.encode() not in text
    for st in stmts:
        assert emp.nip not in json.dumps(dict(st.data))

    ledger.checkpoint(s, get_keystore().log_signer(), after_window)
    s.commit()
    report = verify_bundle(ledger.export_bundle(s, world.process_id))
    assert report.ok, report.problems


def test_pool_statement_binds_the_evidence_stored_in_candidate_rows(world: World) -> None:
    from workflow.merit.evidence import EvidenceRecord, verify_record

    world.advance(Stage.POOL_NOMINATED)
    nominated = next(st for st in statements(world) if st.action == "process.nominate_pool")
    rows = world.session.scalars(sa.select(m.Candidate).where(m.Candidate.process_id == world.process_id)).all()
    assert nominated.data["evidence"] == {c.pseudonym: c.evidence_digest for c in rows}
    for c in rows:
        record = json.loads(c.evidence)
        verify_record(EvidenceRecord(record, c.evidence_digest))  # digest and salt match the stored bytes
        assert len(b64decode_strict(record["salt"], what="salt")) == 16
    assert nominated.data["ruleset"] == {"id": world.process().ruleset_id, "digest": world.process().ruleset_digest}
