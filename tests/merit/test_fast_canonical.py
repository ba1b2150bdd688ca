"""The fast canonical JSON (``audit.canonical``'s C-encoder path) gives exactly ``rfc8785``'s bytes.

Evidence digests (``audit.bundle.evidence_digest``, unchanged) and evaluation snapshots
(``Evaluation.canonical_bytes``) now serialise through the C encoder where that is provably the
same bytes; these properties pin that down over the record shapes the nomination seals, over
general JSON values with hostile strings and keys, and over the inputs that must fall back.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.bundle import evidence_digest
from audit.canonical import MAX_SAFE_INTEGER, canonical_json, check_domain, dumps
from audit.errors import CanonicalError
from tests.merit.factories import DATES, RULESET, D, position
from workflow.merit.evaluation import Candidate, evaluate_candidates
from workflow.merit.evidence import SALT_BYTES, make_record, pseudonym, record_digest
from workflow.merit.facts import AssessmentFact, DisciplineFact, EmployeeFacts, RatingFact
from workflow.reference import COMPETENCIES, POTENTIAL_COMPONENTS

SECRET = bytes(range(32))

# Strings as they come from a database or a JSON file: any code point, including controls, quotes,
# backslashes, DEL, U+2028, private-use (U+E000…) and astral characters, which order differently
# in UTF-16 and in code points. Lone surrogates cannot be stored as UTF-8; they are tested apart.
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
tricky = st.one_of(text, st.sampled_from(["", "\x00", "\x1f", "\x7f", '"', "\\", "\u2028", "\ue000", "\U0001f600"]))
day = st.dates(min_value=D(1950, 1, 1), max_value=D(2030, 12, 31))
levels = st.lists(st.tuples(tricky, st.integers(0, 5)), max_size=11, unique_by=lambda p: p[0]).map(
    lambda pairs: tuple(sorted(pairs))
)
assessments = st.builds(AssessmentFact, day, day, tricky, st.booleans(), levels, levels)
employee = st.builds(
    EmployeeFacts,
    nip=st.from_regex(r"[0-9]{18}", fullmatch=True),
    birth_date=day, tmt_cpns=day, golongan=tricky, tmt_golongan=day, position_type=tricky, tmt_position=day,
    education=tricky, lhkpn_status=tricky,
    lhkpn_year=st.one_of(st.none(), st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)),
    ratings=st.lists(st.builds(RatingFact, st.integers(1990, 2030), tricky), max_size=4, unique_by=lambda r: r.year)
    .map(tuple),
    discipline=st.lists(st.builds(DisciplineFact, tricky, day, st.one_of(st.none(), day)), max_size=3).map(tuple),
    assessments=st.lists(assessments, max_size=3).map(tuple),
)

scalars = st.one_of(
    st.none(), st.booleans(), tricky,
    st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
    st.integers(min_value=MAX_SAFE_INTEGER + 1) | st.integers(max_value=-MAX_SAFE_INTEGER - 1),
    st.floats(allow_nan=True, allow_infinity=True),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.lists(inner, max_size=5).map(tuple)
    | st.dictionaries(tricky, inner, max_size=5),
    max_leaves=25,
)


def _reference_digest(salt: bytes, data: Any) -> str:
    """``evidence_digest`` as it was defined before the fast path: check_domain, then rfc8785."""
    body = {"data": data, "salt": base64.b64encode(salt).decode("ascii")}
    check_domain(body)
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def _outcome(fn: Any, value: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(value)
    except Exception as exc:  # the exception type is what is compared
        return "error", type(exc)


@settings(max_examples=300, deadline=None)
@given(employee, st.binary(min_size=SALT_BYTES, max_size=SALT_BYTES))
def test_sealed_records_digest_exactly_as_evidence_digest_with_rfc8785(person: EmployeeFacts, salt: bytes) -> None:
    record = make_record(person, pseudonym=pseudonym(SECRET, person.nip), salt=salt)
    data = {key: value for key, value in record.record.items() if key != "salt"}
    assert record.digest == _reference_digest(salt, data) == evidence_digest(salt, data)
    assert record_digest(record.record) == record.digest
    body = {"data": data, "salt": record.record["salt"]}
    assert canonical_json(body) == dumps(body) == rfc8785.dumps(body)


@settings(max_examples=500, deadline=None)
@given(values)
def test_dumps_is_rfc8785_dumps_for_any_value(value: Any) -> None:
    assert _outcome(dumps, value) == _outcome(rfc8785.dumps, value)


@settings(max_examples=500, deadline=None)
@given(values)
def test_canonical_json_keeps_its_domain_and_bytes(value: Any) -> None:
    def reference(v: Any) -> bytes:
        check_domain(v)
        try:
            return rfc8785.dumps(v)
        except rfc8785.CanonicalizationError as exc:
            raise CanonicalError(str(exc)) from exc

    assert _outcome(canonical_json, value) == _outcome(reference, value)


@pytest.mark.parametrize(
    "value",
    [
        {"\ue000": 1, "\U0001f600": 2},  # UTF-16 order differs from code-point order
        {"k": "\ud800"},  # lone surrogate in a value
        {"\udfff": 1},  # lone surrogate in a key
        {"k": 1.0},
        {"k": MAX_SAFE_INTEGER + 1},
        {1: "int key"},
        [True, False, None, -MAX_SAFE_INTEGER, MAX_SAFE_INTEGER],
        ("tuple", ["nested", ("tuple",)]),
    ],
)
def test_inputs_outside_the_fast_domain_behave_as_rfc8785(value: Any) -> None:
    assert _outcome(dumps, value) == _outcome(rfc8785.dumps, value)


def test_subclasses_and_other_mappings_fall_back() -> None:
    import enum
    from types import MappingProxyType

    class Level(enum.IntEnum):
        HIGH = 3

    class Code(enum.StrEnum):
        A = "a"

    for value in ({"level": Level.HIGH}, {"code": Code.A}, MappingProxyType({"a": 1}), {"a": MappingProxyType({})}):
        assert _outcome(dumps, value) == _outcome(rfc8785.dumps, value)


def test_deep_nesting_behaves_as_before() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    assert _outcome(dumps, deep)[0] == _outcome(rfc8785.dumps, deep)[0] == "error"


def _person(i: int, gol: str, level: int) -> EmployeeFacts:
    return EmployeeFacts(
        nip=f"19700101199901{i:04d}", birth_date=D(1972, 1, 1 + i % 28), tmt_cpns=D(1998, 1, 1), golongan=gol,
        tmt_golongan=D(2020, 1, 1), position_type="administrator", tmt_position=D(2020, 1, 1), education="S2",
        lhkpn_status="filed", lhkpn_year=2025,
        ratings=(RatingFact(2024, "baik"), RatingFact(2025, "sangat_baik")),
        assessments=(AssessmentFact(D(2025, 1, 1), D(2028, 1, 1), "UPTD", True,
                                    tuple(sorted((c, level) for c in COMPETENCIES)),
                                    tuple(sorted((p, level) for p in POTENTIAL_COMPONENTS))),),
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["III/d", "IV/a", "IV/b", "IV/c"]), st.integers(1, 5)), max_size=8),
       st.sampled_from(["talent", "open"]))
def test_evaluation_snapshot_is_rfc8785_of_its_dict(people: list[tuple[str, int]], route: str) -> None:
    persons = [_person(i, gol, level) for i, (gol, level) in enumerate(people)]
    candidates = [Candidate(pseudonym(SECRET, p.nip), p) for p in persons]
    evaluation = evaluate_candidates(candidates, position(), RULESET, DATES, route=route)
    assert evaluation.canonical_bytes() == rfc8785.dumps(evaluation.to_dict())

