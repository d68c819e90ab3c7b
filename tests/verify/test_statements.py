"""The statement registry (verify.statements): one record per statement and per false variant.

The numbers of every record are exercised by test_falsify.py (true statements
pass, variants are rejected) and test_check_contract.py (the JSON); here, the
registry's own promises: ids, order, a false variant for every statement,
conditions and evidence parts that exist, the reasons of a statement that
cannot run, and the same ids as the symbolic proofs.
"""

from __future__ import annotations

from types import SimpleNamespace

from verify import statements as S
from verify.statements.conditions import CONDITIONS
from verify.statements.record import EVIDENCE

CHECK_IDS = ["theorem1", "cauchy-ode", "theorem2", "eq10-limit", "theorem3", "theorem3-ode", "corollary4", "eq24"]


def test_the_check_ids_and_their_order_are_the_contracts():
    assert list(S.STATEMENT_IDS) == CHECK_IDS
    assert [r.id for r in S.RECORDS] == list(S.STATEMENT_IDS) + list(S.VARIANT_IDS)
    assert len(set(r.id for r in S.RECORDS)) == len(S.RECORDS)


def test_every_statement_keeps_a_false_variant():
    perturbed = {v.of for v in S.VARIANTS}
    assert perturbed == set(CHECK_IDS)


def test_records_are_well_formed():
    for r in S.RECORDS:
        assert r.equations and all(e.isdigit() for e in r.equations), r.id
        assert len(r.compared) == 2 and all(r.compared), r.id
        assert set(r.needs) <= set(EVIDENCE), r.id
        assert set(r.false_when) <= set(CONDITIONS), r.id
        assert r.is_variant == bool(r.false_when), r.id   # a variant says where it is false
    for v in S.VARIANTS:
        assert {"ep", "direct"} <= set(v.needs), v.id   # a variant runs beside both routes


def test_the_half_beta_variants_are_one_parametrised_record():
    from verify.statements.half_beta import half_beta

    made = {s: half_beta(s) for s in ("corollary4", "eq24", "theorem2")}
    assert [m.id for m in made.values()] == ["eq23-half-beta", "eq24-half-beta", "eq20-half-beta"]
    assert all(S.BY_ID[m.id].of == s for s, m in made.items())


def _evidence(**parts):
    """A stand-in for verify.evidence.Evidence with only what the not-applicable paths read."""
    base = dict(fixed_point=object(), fixed_point_error=None, flows=SimpleNamespace(backend="mpmath"), plan=None,
                direct=None, direct_error="integration of the free flow failed: boom", ode=None,
                ode_error="integration of Eq 13-14 failed: boom", dJ=None, theorem2_error="needs a strict minimum",
                ep=None, ep_error="integration of the nudged flow failed: boom")
    base.update(parts)
    return SimpleNamespace(**base)


def test_a_statement_without_its_evidence_is_not_applicable_with_the_reason():
    results = {r.id: r for r in S.statements(_evidence())}
    assert list(results) == CHECK_IDS
    assert not any(r.applicable or r.passed for r in results.values())
    assert results["theorem1"].reason.endswith("free flow failed: boom")
    assert results["cauchy-ode"].reason.startswith("integration of Eq 13-14")
    assert results["theorem2"].reason == results["eq10-limit"].reason == "needs a strict minimum"
    for cid in ("theorem3", "theorem3-ode", "corollary4", "eq24"):   # the EP route's reason comes first
        assert results[cid].reason.startswith("integration of the nudged flow"), cid
    assert results["cauchy-ode"].compared[0].startswith("RBP: Eq 13-14 integrated from Eq 11-12 by the mpmath")
    assert not any(v.applies(_evidence()) for v in S.VARIANTS)


def test_no_critical_point_makes_every_statement_not_applicable():
    results = S.statements(_evidence(fixed_point=None, fixed_point_error="the free flow did not settle"))
    assert {r.reason for r in results} == {"no critical point of E: the free flow did not settle"}


def test_proof_ids_are_the_checks_ids():
    """symbolic/proofs names the same statements and variants with the same ids."""
    from symbolic.proofs import STATEMENTS, VARIANTS

    shared = {"theorem1", "theorem2", "theorem3", "corollary4", "eq24", "eq10-limit"}
    assert shared <= set(STATEMENTS) and shared <= set(S.STATEMENT_IDS)
    for name, v in VARIANTS.items():
        assert name in S.BY_ID, name
        assert S.BY_ID[name].of == v.of, name


def test_everything_that_lists_statements_derives_from_the_registry():
    from verify.report.plots import STATEMENT_LABELS

    assert list(STATEMENT_LABELS) == CHECK_IDS
    from verify.falsify import VARIANTS

    assert VARIANTS is S.VARIANTS
