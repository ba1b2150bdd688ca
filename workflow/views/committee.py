"""The committee's pages: my processes, the integrity pact, candidate evidence, votes, the chair's actions.

Every route needs a committee account role, and then a seat in *that* process: anyone else gets
404, so a member of one process cannot even confirm that another exists. Each action is a POST
carrying the CSRF token and ``expected_basis`` (the process's latest leaf hash as the page showed
it); the view parses the form, calls one service and redirects, or shows the refusal's reasons in
the reader's language next to the fields they concern (STYLE.md C14).

Votes are commit–reveal (``workflow.lifecycle.votes``). The ballot page computes the commitment
**in the browser** (``static/js/commit.js``: Web Crypto SHA-256 over the same RFC 8785 bytes as
the server), so the server sees only the digest until the member reveals; the nonce and the
ballot stay with the member as a receipt. Without JavaScript the form still works: the server
computes the commitment with a fresh random nonce, stores only the digest and shows the receipt
once (it keeps neither the ballot nor the nonce), which trusts the server not to peek.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup

from workflow import clock, ledger, services
from workflow.errors import InvalidInputError, WorkflowError
from workflow.extensions import db
from workflow.i18n import current_locale
from workflow.keystore import get_keystore
from workflow.lifecycle import EVENT_LABELS, STAGE_LABELS, Event, Reason, Stage
from workflow.lifecycle.votes import MIN_NONCE_HEX_DIGITS
from workflow.merit.eligibility import PREDIKAT_LABEL
from workflow.merit.messages import render
from workflow.models import Role
from workflow.ninebox_svg import NineBoxLabels, render_ninebox
from workflow.security import role_required
from workflow.services import NotPermittedError, RefusedError
from workflow.views import committee_queries as q

log = logging.getLogger(__name__)

bp = Blueprint("committee", __name__, url_prefix="/komite")

COMMITTEE_ROLES = (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR)
SCORE_MAX = 100  # the ballot's scale, 0–100 per candidate (the services accept any non-negative integer)
REASON_MAX = 4000
_MAX_ID = 2**63 - 1  # SQL BIGINT: a larger id in the URL is simply not found
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_PSEUDONYM = re.compile(r"p-[0-9a-f]{24}")
RECEIPT_KIND = "jejak-vote-receipt/v1"


def _now() -> dt.datetime:
    """The action time (aware UTC) from ``workflow.clock``."""
    return clock.now()


# --- plumbing ------------------------------------------------------------------------------------


def _member(pid: int) -> q.MemberContext:
    """The signed-in account's seat in process ``pid``, or 404 (no such process, or not seated)."""
    if pid > _MAX_ID:
        abort(404)
    ctx = q.member_context(db.session, pid, current_user.account)
    if ctx is None:
        abort(404)
    return ctx


def _basis() -> bytes:
    """The hidden ``expected_basis`` field: the page's view of the process (stale → 409 later)."""
    text = request.form.get("expected_basis", "")
    if _HEX64.fullmatch(text) is None:
        message = gettext(
            "Formulir ini tidak membawa keadaan proses yang Anda lihat. Muat ulang halaman lalu coba lagi."
        )
        raise InvalidInputError(message, {"expected_basis": [message]})
    return bytes.fromhex(text)


def _messages(reasons: tuple[Reason, ...] | list[Reason]) -> list[str]:
    lang = current_locale()
    return [r.message(lang) for r in reasons]


def _after_action(now: dt.datetime) -> None:
    """Sign a checkpoint when one is due (``ledger.maybe_checkpoint``); the action itself is committed.

    A failure here never undoes the action: the next action, or the CLI, signs the checkpoint.
    """
    try:
        ledger.maybe_checkpoint(db.session, get_keystore().log_signer(), now)
        db.session.commit()
    except Exception:  # the action stands; only the checkpoint is late
        db.session.rollback()
        log.exception("checkpoint after a committee action failed")


def _refusal(ctx: q.MemberContext, exc: WorkflowError, back: str) -> ResponseReturnValue:
    """The page for a refused action: what stopped it, in the reader's language, and a way back."""
    stale = isinstance(exc, ledger.StaleBasisError)
    reasons = _messages(exc.reasons) if isinstance(exc, NotPermittedError | RefusedError) else []
    html = render_template("committee/refused.html", **_common(ctx), stale=stale, reasons=reasons, back=back,
                           status=exc.status)
    return html, exc.status


def _done(message: str, endpoint: str, pid: int, now: dt.datetime) -> ResponseReturnValue:
    _after_action(now)
    flash(message, "success")
    return redirect(url_for(endpoint, pid=pid), code=303)


def _common(ctx: q.MemberContext) -> dict[str, Any]:
    """Values every process page shows (stage label in the reader's language, sub-navigation)."""
    return {"ctx": ctx, "stage_label": STAGE_LABELS[ctx.stage].text(current_locale())}


# --- my processes ---------------------------------------------------------------------------------


@bp.get("")
@role_required(*COMMITTEE_ROLES)
def index() -> ResponseReturnValue:
    """Every process where I hold a seat: stage and what waits for me."""
    now = _now()
    lang = current_locale()
    items = [
        {"ctx": ctx, "stage_label": STAGE_LABELS[ctx.stage].text(lang), "todo": ctx.todo(now)}
        for ctx in q.my_processes(db.session, current_user.account)
    ]
    return render_template("committee/index.html", items=items)


@bp.get("/<int:pid>")
@role_required(*COMMITTEE_ROLES)
def process(pid: int) -> ResponseReturnValue:
    """The process page: my seat, the vote's progress and, for the chair, the chair's actions."""
    return _process_page(_member(pid))


def _process_page(ctx: q.MemberContext, *, errors: Mapping[str, list[str]] | None = None,
                  refused: list[str] | None = None, status: int = 200, form: Mapping[str, str] | None = None,
                  ) -> ResponseReturnValue:
    now = _now()
    lang = current_locale()
    chair_actions = []
    objections: list[q.ObjectionLine] = []
    if ctx.is_chair:
        opening = ctx.open_reveal_blockers(now)
        if opening is not None:
            chair_actions.append({"event": "open_reveal", "label": gettext("Buka pengungkapan nilai"),
                                  "blockers": _messages(opening)})
        for event in q.CHAIR_EVENTS:
            blockers = ctx.chair_blockers(event, now)
            if blockers is not None:
                chair_actions.append({"event": str(event), "label": EVENT_LABELS[event].text(lang),
                                      "blockers": _messages(blockers)})
        objections = q.objections(db.session, ctx)
    html = render_template(
        "committee/process.html", **_common(ctx), todo=ctx.todo(now), quorum=ctx.quorum,
        chair_actions=chair_actions, objections=objections, errors=errors or {}, refused=refused or [],
        form=form or {}, recommendation=q.recommendation(db.session, ctx) if ctx.stage != Stage.SHORTLISTED else [],
    )
    return html, status


# --- integrity pact, declaration, recusal ----------------------------------------------------------


@bp.get("/<int:pid>/pakta")
@role_required(*COMMITTEE_ROLES)
def pledge(pid: int) -> ResponseReturnValue:
    ctx = _member(pid)
    return _pledge_page(ctx)


def _pledge_page(ctx: q.MemberContext, *, errors: Mapping[str, list[str]] | None = None,
                 form: Mapping[str, Any] | None = None, status: int = 200) -> ResponseReturnValue:
    pool = []
    if ctx.may_see_evidence and ctx.pool_exists:
        pool = [r for r in q.evaluated(db.session, ctx.process) if r.in_pool]
    html = render_template(
        "committee/pledge.html", **_common(ctx), ties=q.declared_ties(db.session, ctx.seat), pool=pool,
        errors=errors or {}, form=form or {},
    )
    return html, status


@bp.post("/<int:pid>/pakta")
@role_required(*COMMITTEE_ROLES)
def sign_pledge(pid: int) -> ResponseReturnValue:
    """Sign the integrity pact and the conflict-of-interest declaration (while the process is a draft)."""
    ctx = _member(pid)
    form = {"pact": request.form.get("pact") == "yes", "declaration": request.form.get("declaration") == "yes",
            "ties": request.form.get("ties", "")[:2000]}
    errors: dict[str, list[str]] = {}
    if not form["pact"]:
        errors["pact"] = [gettext("Centang pernyataan bahwa Anda telah membaca dan akan menaati pakta integritas.")]
    if not form["declaration"]:
        errors["declaration"] = [gettext("Centang pernyataan konflik kepentingan.")]
    nips, malformed = q.split_nips(str(form["ties"]))
    known = q.employees_by_nip(db.session, nips)
    problems = [gettext("%(nip)s bukan NIP (18 angka).", nip=bad[:40]) for bad in malformed]
    problems += [gettext("NIP %(nip)s tidak ada dalam data pegawai.", nip=nip) for nip in nips if nip not in known]
    if problems:
        errors["ties"] = problems
    if errors:
        return _pledge_page(ctx, errors=errors, form=form, status=422)
    basis = _basis()
    now = _now()
    try:
        services.sign_pledge(db.session, ctx.process.id, actor=current_user.account, now=now,
                             declared_ties=[known[nip] for nip in nips], expected_basis=basis)
    except (NotPermittedError, RefusedError, ledger.StaleBasisError) as exc:
        return _refusal(ctx, exc, url_for("committee.pledge", pid=pid))
    return _done(gettext("Pakta integritas dan pernyataan konflik kepentingan sudah ditandatangani dan dicatat "
                         "di log publik."), "committee.process", pid, now)


@bp.post("/<int:pid>/mundur")
@role_required(*COMMITTEE_ROLES)
def recuse(pid: int) -> ResponseReturnValue:
    """Withdraw from deciding (conflict of interest): the seat stays, the vote goes."""
    ctx = _member(pid)
    text = request.form.get("reason", "")[:REASON_MAX].replace("\r\n", "\n")
    chosen = request.form.getlist("candidate")
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["reason"] = [gettext("Tuliskan alasan Anda mengundurkan diri.")]
    pool = set()
    if ctx.may_see_evidence and ctx.pool_exists:
        pool = {r.pseudonym for r in q.evaluated(db.session, ctx.process) if r.in_pool}
    if set(chosen) - pool:
        errors["candidate"] = [gettext("Pilih kandidat dari daftar.")]
    if errors:
        return _pledge_page(ctx, errors=errors, form={"reason": text, "candidate": chosen}, status=422)
    if chosen:
        text = text.strip() + "\n\n" + gettext("Hubungan dengan kandidat: %(list)s", list=", ".join(sorted(chosen)))
    basis = _basis()
    now = _now()
    try:
        services.recuse(db.session, ctx.process.id, actor=current_user.account, reason_text=text, now=now,
                        expected_basis=basis)
    except (NotPermittedError, RefusedError, ledger.StaleBasisError) as exc:
        return _refusal(ctx, exc, url_for("committee.pledge", pid=pid))
    return _done(gettext("Pengunduran diri Anda sudah dicatat. Anda tetap tercatat di panitia, tetapi tidak "
                         "memberi suara dalam proses ini."), "committee.process", pid, now)


# --- candidate evidence ---------------------------------------------------------------------------


def _ninebox(rows: list[q.CandidateRow], ctx: q.MemberContext) -> str:
    lang = current_locale()
    labels = NineBoxLabels(
        title=gettext("Sebaran kandidat dalam kotak manajemen talenta (9-box)"),
        summary=gettext("%(total)s kandidat dipetakan; %(unplaced)s belum dapat dipetakan.",
                        total="{total}", unplaced="{unplaced}"),
        performance_axis=gettext("Kinerja"),
        potential_axis=gettext("Potensial"),
        rows={level: render(f"level.{level}", None, lang).capitalize() for level in ("di_atas", "sesuai", "di_bawah")},
        columns={level: render(f"level.{level}", None, lang).capitalize()
                 for level in ("rendah", "menengah", "tinggi")},
        box_word=gettext("Kotak %(box)s", box="{box}"),
        krs_tag=gettext("KRS"),
        cell=gettext("Kotak %(box)s (%(label)s): %(count)s kandidat.", box="{box}", label="{label}", count="{count}"),
        cell_krs=gettext("Kotak %(box)s (%(label)s), kelompok rencana suksesi: %(count)s kandidat.",
                         box="{box}", label="{label}", count="{count}"),
        box_labels={n: render(f"box.{n}.label", None, lang) for n in range(1, 10)},
    )
    counts, unplaced = q.box_counts(rows)
    return render_ninebox(counts, labels=labels, krs_boxes=ctx.state.ruleset.talent_pool_boxes, unplaced=unplaced)


@bp.get("/<int:pid>/kandidat")
@role_required(*COMMITTEE_ROLES)
def candidates(pid: int) -> ResponseReturnValue:
    """The merit table and the pool's 9-box, once this member has signed and is not recused."""
    ctx = _member(pid)
    if not ctx.may_see_evidence or not ctx.pool_exists:
        return render_template("committee/candidates_locked.html", **_common(ctx))
    rows = q.evaluated(db.session, ctx.process)
    pool = [r for r in rows if r.in_pool]
    others = [r for r in rows if not r.in_pool]
    svg = Markup(_ninebox(pool, ctx))  # noqa: S704 - built by ninebox_svg, every text escaped there
    return render_template("committee/candidates.html", **_common(ctx), pool=pool, others=others, svg=svg,
                           predikat=PREDIKAT_LABEL, krs=ctx.state.ruleset.talent_pool_boxes)


@bp.get("/<int:pid>/kandidat/<pseudonym>")
@role_required(*COMMITTEE_ROLES)
def candidate(pid: int, pseudonym: str) -> ResponseReturnValue:
    """One candidate: every rule's result in the reader's language, the 9-box inputs, JPM gaps."""
    ctx = _member(pid)
    if not ctx.may_see_evidence or not ctx.pool_exists:
        return render_template("committee/candidates_locked.html", **_common(ctx))
    row = q.candidate(db.session, ctx.process, pseudonym) if _PSEUDONYM.fullmatch(pseudonym) else None
    if row is None:
        abort(404)
    lang = current_locale()
    result = row.result
    rules = [
        {"rule": r["rule"], "basis": r["basis"], "field": r["field"], "value": r["value"],
         "requirement": r["requirement"], "passed": r["passed"], "text": render(r["message"], r["params"], lang),
         "hint": render(r["hint"], r["hint_params"], lang) if r.get("hint") else None}
        for r in result.get("rules", [])
    ]
    placement = result.get("placement") or {}
    box = placement.get("box")
    if box:
        box_text = render(f"box.{box}.label", None, lang)
        follow_up = render(f"box.{box}.follow_up", None, lang)
    else:
        reason = render(placement.get("reason") or "reason.no_assessment", placement.get("reason_params") or {}, lang)
        box_text, follow_up = render("box.none", {"reason": reason}, lang), None
    levels = {
        "performance": render(f"level.{placement['performance_level']}", None, lang)
        if placement.get("performance_level") else None,
        "potential": render(f"level.{placement['potential_level']}", None, lang)
        if placement.get("potential_level") else None,
    }
    return render_template("committee/candidate.html", **_common(ctx), row=row, rules=rules, placement=placement,
                           box_text=box_text, follow_up=follow_up, levels=levels, jpm=result.get("jpm"),
                           composite=result.get("composite") or {}, predikat=PREDIKAT_LABEL)


# --- votes ---------------------------------------------------------------------------------------


def _vote_page(ctx: q.MemberContext, *, errors: Mapping[str, list[str]] | None = None,
               form: Mapping[str, Any] | None = None, status: int = 200) -> ResponseReturnValue:
    lines = q.ballot(db.session, ctx) if ctx.may_see_evidence else []
    html = render_template(
        "committee/vote.html", **_common(ctx), lines=lines, quorum=ctx.quorum, errors=errors or {},
        form=form or {}, score_max=SCORE_MAX, nonce_digits=MIN_NONCE_HEX_DIGITS,
        recommendation=q.recommendation(db.session, ctx) if ctx.stage != Stage.SHORTLISTED else [],
    )
    return html, status


@bp.get("/<int:pid>/suara")
@role_required(*COMMITTEE_ROLES)
def vote(pid: int) -> ResponseReturnValue:
    """Commit a ballot, then reveal it; the quorum's progress, never another member's score."""
    return _vote_page(_member(pid))


def _scores(lines: list[q.BallotLine], errors: dict[str, list[str]]) -> tuple[dict[str, int], dict[str, str]]:
    """Parse ``score-<pseudonym>`` for every ballot line: (scores, raw values for re-display)."""
    scores: dict[str, int] = {}
    raw: dict[str, str] = {}
    for line in lines:
        name = f"score-{line.pseudonym}"
        text = request.form.get(name, "").strip()[:20]
        raw[name] = text
        if not text.isdigit() or int(text) > SCORE_MAX:
            errors[name] = [gettext("Isi nilai bulat 0 sampai %(max)s.", max=SCORE_MAX)]
        else:
            scores[line.pseudonym] = int(text)
    return scores, raw


def _reason_text() -> str:
    # Browsers send a textarea's line breaks as CRLF; the commitment is over LF (commit.js does
    # the same), so the reason reveals to the same bytes whichever way it was committed.
    return request.form.get("reason", "")[:REASON_MAX].replace("\r\n", "\n")


def receipt(ctx: q.MemberContext, scores: Mapping[str, int], reason_text: str, nonce: str, commitment: str) -> str:
    """The text a member keeps to reveal later (same shape as the one ``commit.js`` offers)."""
    return json.dumps(
        {
            "kind": RECEIPT_KIND,
            "note": gettext("Simpan berkas ini. Nonce di dalamnya diperlukan untuk mengungkap suara Anda; "
                            "tanpa nonce, suara Anda tidak dapat dihitung."),
            "process": ctx.process.id,
            "round": ctx.process.round,
            "member": ctx.person,
            "scores": dict(scores),
            "reason": reason_text,
            "nonce": nonce,
            "commitment": commitment,
        },
        ensure_ascii=False,
        indent=2,
    )


@bp.post("/<int:pid>/suara")
@role_required(*COMMITTEE_ROLES)
def commit(pid: int) -> ResponseReturnValue:
    """Record a commitment: the browser's digest, or (no JavaScript) one computed here with a fresh nonce."""
    ctx = _member(pid)
    lines = q.ballot(db.session, ctx) if ctx.may_see_evidence else []
    digest = request.form.get("commitment", "").strip()
    errors: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    reason_text = ""
    nonce = ""
    raw: dict[str, Any] = {}
    if digest:  # computed in the browser: the ballot never reached the server
        if _HEX64.fullmatch(digest) is None:
            errors["_form"] = [gettext("Komitmen dari peramban tidak berbentuk 64 digit heksadesimal. Muat ulang "
                                       "halaman lalu coba lagi.")]
    else:
        scores, raw = _scores(lines, errors)
        reason_text = _reason_text()
        raw["reason"] = reason_text
        if not reason_text.strip():
            errors["reason"] = [gettext("Tuliskan alasan penilaian Anda.")]
    if errors:
        return _vote_page(ctx, errors=errors, form=raw, status=422)
    basis = _basis()
    now = _now()
    if not digest:
        nonce = secrets.token_hex(MIN_NONCE_HEX_DIGITS // 2)
        digest = services.ballot_commitment(db.session, ctx.process.id, member=current_user.account, scores=scores,
                                            reason_text=reason_text, nonce=nonce)
    try:
        services.commit_vote(db.session, ctx.process.id, actor=current_user.account, commitment=digest, now=now,
                             expected_basis=basis)
    except (NotPermittedError, RefusedError, ledger.StaleBasisError) as exc:
        return _refusal(ctx, exc, url_for("committee.vote", pid=pid))
    _after_action(now)
    if not nonce:
        flash(gettext("Komitmen Anda sudah dicatat. Simpan tanda terima dari peramban Anda: nonce di dalamnya "
                      "diperlukan untuk mengungkap suara."), "success")
        return redirect(url_for("committee.vote", pid=pid), code=303)
    # Shown once, never stored: the server keeps only the digest.
    text = receipt(ctx, scores, reason_text, nonce, digest)
    return render_template("committee/receipt.html", **_common(ctx), lines=lines, scores=scores,
                           reason_text=reason_text, nonce=nonce, commitment=digest, receipt_text=text,
                           receipt_name=f"jejak-suara-proses-{ctx.process.id}-putaran-{ctx.process.round}.txt")


# Where a refusal of the reveal is shown: next to the field it concerns.
_REVEAL_FIELDS = {"votes.reveal_mismatch": "nonce", "votes.ballot_incomplete": "_form"}


@bp.post("/<int:pid>/suara/ungkap")
@role_required(*COMMITTEE_ROLES)
def reveal(pid: int) -> ResponseReturnValue:
    """Reveal the committed ballot: the same scores, reason and nonce; a mismatch is shown at the fields."""
    ctx = _member(pid)
    lines = q.ballot(db.session, ctx) if ctx.may_see_evidence else []
    errors: dict[str, list[str]] = {}
    scores, raw = _scores(lines, errors)
    reason_text = _reason_text()
    nonce = request.form.get("nonce", "").strip()[:128].lower()
    raw.update(reason=reason_text, nonce=nonce)
    if not reason_text.strip():
        errors["reason"] = [gettext("Tuliskan alasan yang sama persis dengan saat komitmen.")]
    if len(nonce) < MIN_NONCE_HEX_DIGITS or _HEX.fullmatch(nonce) is None:
        errors["nonce"] = [gettext("Nonce terdiri atas paling sedikit %(n)s digit heksadesimal (0–9, a–f); "
                                   "salin dari tanda terima Anda.", n=MIN_NONCE_HEX_DIGITS)]
    if errors:
        return _vote_page(ctx, errors=errors, form=raw, status=422)
    basis = _basis()
    now = _now()
    try:
        services.reveal_vote(db.session, ctx.process.id, actor=current_user.account, scores=scores,
                             reason_text=reason_text, nonce=nonce, now=now, expected_basis=basis)
    except RefusedError as exc:
        lang = current_locale()
        for r in exc.reasons:
            key = _REVEAL_FIELDS.get(r.code, "_form")
            if r.code == "votes.malformed" and "nonce" in str(r.params.get("detail", "")):
                key = "nonce"
            message = r.message(lang)
            if r.code == "votes.reveal_mismatch":
                message += " " + gettext("Nilai, alasan, dan nonce harus sama persis dengan tanda terima Anda.")
            errors.setdefault(key, []).append(message)
        return _vote_page(ctx, errors=errors, form=raw, status=409)
    except (NotPermittedError, ledger.StaleBasisError) as exc:
        return _refusal(ctx, exc, url_for("committee.vote", pid=pid))
    return _done(gettext("Suara Anda sudah diungkap dan sesuai dengan komitmen Anda."), "committee.vote", pid, now)


# --- the chair's actions ---------------------------------------------------------------------------


def _chair_transition(pid: int, event: Event) -> ResponseReturnValue:
    ctx = _member(pid)
    basis = _basis()
    now = _now()
    action = {
        Event.REVIEW: services.close_review,
        Event.RESOLVE_OBJECTIONS: services.resolve_objections,
        Event.REOPEN_SHORTLIST: services.reopen_shortlist,
    }[event]
    try:
        action(db.session, ctx.process.id, actor=current_user.account, now=now, expected_basis=basis)
    except (NotPermittedError, RefusedError) as exc:
        return _process_page(ctx, refused=_messages(exc.reasons), status=exc.status)
    except ledger.StaleBasisError as exc:
        return _refusal(ctx, exc, url_for("committee.process", pid=pid))
    label = EVENT_LABELS[event].text(current_locale())
    return _done(gettext("Selesai: %(action)s. Tindakan ini dicatat di log publik.", action=label),
                 "committee.process", pid, now)


@bp.post("/<int:pid>/buka-pengungkapan")
@role_required(*COMMITTEE_ROLES)
def open_reveal(pid: int) -> ResponseReturnValue:
    """Chair: end the commit phase before every member has committed (needs a quorum of commitments)."""
    ctx = _member(pid)
    basis = _basis()
    now = _now()
    try:
        services.open_reveal(db.session, ctx.process.id, actor=current_user.account, now=now, expected_basis=basis)
    except (NotPermittedError, RefusedError) as exc:
        return _process_page(ctx, refused=_messages(exc.reasons), status=exc.status)
    except ledger.StaleBasisError as exc:
        return _refusal(ctx, exc, url_for("committee.process", pid=pid))
    return _done(gettext("Tahap pengungkapan nilai sudah dibuka: anggota yang sudah berkomitmen kini dapat "
                         "mengungkap suaranya. Tindakan ini dicatat di log publik."), "committee.process", pid, now)


@bp.post("/<int:pid>/tutup-penilaian")
@role_required(*COMMITTEE_ROLES)
def close_review(pid: int) -> ResponseReturnValue:
    """Chair: tally the valid votes and record the recommendation (``shortlisted → committee_reviewed``)."""
    return _chair_transition(pid, Event.REVIEW)


@bp.post("/<int:pid>/selesaikan-sanggahan")
@role_required(*COMMITTEE_ROLES)
def resolve_objections(pid: int) -> ResponseReturnValue:
    """Chair: close the objection window once it has ended and every objection is answered."""
    return _chair_transition(pid, Event.RESOLVE_OBJECTIONS)


@bp.post("/<int:pid>/buka-kembali")
@role_required(*COMMITTEE_ROLES)
def reopen_shortlist(pid: int) -> ResponseReturnValue:
    """Chair: an objection was upheld, so a new round starts with a recomputed shortlist."""
    return _chair_transition(pid, Event.REOPEN_SHORTLIST)


@bp.post("/<int:pid>/sanggahan/<int:oid>")
@role_required(*COMMITTEE_ROLES)
def answer_objection(pid: int, oid: int) -> ResponseReturnValue:
    """Chair: answer one objection, upheld or rejected, with a text the objector will read."""
    ctx = _member(pid)
    if oid > _MAX_ID:
        abort(404)
    outcome = request.form.get("upheld", "")
    answer = request.form.get("answer", "")[:REASON_MAX].replace("\r\n", "\n")
    errors: dict[str, list[str]] = {}
    if outcome not in ("yes", "no"):
        errors[f"upheld-{oid}"] = [gettext("Pilih apakah sanggahan diterima atau ditolak.")]
    if not answer.strip():
        errors[f"answer-{oid}"] = [gettext("Tuliskan jawaban untuk pengaju sanggahan.")]
    form = {f"upheld-{oid}": outcome, f"answer-{oid}": answer}
    if errors:
        return _process_page(ctx, errors=errors, form=form, status=422)
    basis = _basis()
    now = _now()
    try:
        services.answer_objection(db.session, ctx.process.id, oid, actor=current_user.account, upheld=outcome == "yes",
                                  answer=answer, now=now, expected_basis=basis)
    except (NotPermittedError, RefusedError) as exc:
        return _process_page(ctx, refused=_messages(exc.reasons), form=form, status=exc.status)
    except ledger.StaleBasisError as exc:
        return _refusal(ctx, exc, url_for("committee.process", pid=pid))
    return _done(gettext("Jawaban atas sanggahan sudah dicatat."), "committee.process", pid, now)
