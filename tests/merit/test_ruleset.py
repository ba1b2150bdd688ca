"""Rule sets: the published file loads, its digest pins its content, bad files are refused by field."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from workflow.merit.ruleset import (
    RuleSetError,
    content_digest,
    load_published,
    load_ruleset,
    parse_content,
    ruleset_from_content,
)


def published_content() -> dict[str, Any]:
    return parse_content(resources.files("workflow.rules").joinpath("2026.1.json").read_bytes())


def test_published_ruleset_loads_with_documented_defaults() -> None:
    rs = load_published("2026.1")
    assert rs.id == "2026.1"
    assert rs.talent_pool_boxes == {7, 8, 9}
    assert [(b.code, b.lower) for b in rs.jpm_bands] == [("MS", 80), ("MMS", 68), ("KMS", 0)]
    assert rs.jpm_pass_from == Decimal("68")
    assert rs.skp_years == 2 and rs.discipline_lookback_years == 5 and rs.assessment_validity_years == 3
    assert rs.shortlist_size == {"talent": 3, "open": 3}
    assert sum(rs.composite_weights.values()) == 100
    assert rs.committee.min_size == 5 and rs.committee.max_size == 9 and rs.committee.odd_size
    assert rs.position_types["jpt_pratama"].min_golongan == "IV/b"


def test_digest_is_sha256_of_canonical_content_and_ignores_formatting() -> None:
    content = published_content()
    compact = json.dumps(content, separators=(",", ":"), sort_keys=False).encode()
    assert load_ruleset(compact).digest == load_published("2026.1").digest == content_digest(content)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("eligibility", "skp_years"), 3),
        (("jpm", "pass_from"), "80"),
        (("title",), "another title"),
        (("ninebox", "talent_pool_boxes"), [8, 9]),
    ],
)
def test_changing_content_changes_digest(path: tuple[str, ...], value: Any) -> None:
    content = published_content()
    changed = copy.deepcopy(content)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    if path[-1] == "talent_pool_boxes":
        changed["ninebox"]["national_pool_boxes"] = [9]
    assert ruleset_from_content(changed).digest != ruleset_from_content(content).digest


def test_pinned_digest_mismatch_is_refused() -> None:
    with pytest.raises(RuleSetError, match="pinned"):
        load_published("2026.1", digest="0" * 64)


def _mutate(fn: Any) -> dict[str, Any]:
    content = published_content()
    fn(content)
    return content


@pytest.mark.parametrize(
    ("mutation", "field"),
    [
        (lambda c: c.update(surprise=1), "surprise"),
        (lambda c: c["eligibility"]["position_types"]["jpt_pratama"].update(max_age=56),
         "eligibility.position_types.jpt_pratama.value.max_age"),
        (lambda c: c["jpm"].update(pass_from=68), "jpm.pass_from"),
        (lambda c: c["jpm"].update(pass_from="70"), "jpm.pass_from"),
        (lambda c: c["ranking"]["composite_weights"].update(performance="40"), "ranking.composite_weights"),
        (lambda c: c["jpm"]["band_sets"]["o_co_ko"][1].update({"from": "95"}), "jpm.band_sets"),
        (lambda c: c["eligibility"].update(skp_years=True), "eligibility.skp_years"),
        (lambda c: c["committee"].update(odd_size=1), "committee.odd_size"),
        (lambda c: c["eligibility"]["position_types"]["pengawas"].update(min_golongan="III/e"),
         "eligibility.position_types.pengawas.value.min_golongan"),
        (lambda c: c["legal_basis"].pop("skp"), "legal_basis"),
        (lambda c: c["performance"]["predikat_levels"].pop("kurang"), "performance.predikat_levels"),
        (lambda c: c["ninebox"].update(national_pool_boxes=[6]), "ninebox.national_pool_boxes"),
        (lambda c: c["eligibility"]["position_types"].update(fungsional={}), "eligibility.position_types"),
    ],
)
def test_invalid_rule_file_is_refused_naming_the_field(mutation: Any, field: str) -> None:
    with pytest.raises(RuleSetError) as info:
        ruleset_from_content(_mutate(mutation))
    assert field in str(info.value)


def test_floats_are_refused() -> None:
    data = resources.files("workflow.rules").joinpath("2026.1.json").read_bytes()
    with pytest.raises(RuleSetError, match="floats are not allowed"):
        load_ruleset(data.replace(b'"pass_from": "68"', b'"pass_from": 68.0'))


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(RuleSetError, match="duplicate key 'id'"):
        load_ruleset(b'{"id": "2026.1", "id": "2026.2"}')


def test_unknown_position_type_is_a_clear_error() -> None:
    with pytest.raises(RuleSetError, match="no eligibility rules for position type 'fungsional'"):
        load_published("2026.1").type_rules("fungsional")
