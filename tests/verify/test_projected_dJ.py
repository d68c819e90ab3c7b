"""A large theta (p > max_directions): the J route gives projections of dJ/dtheta (Theorem 2, Eq 3, 10, 20).

The projections are along the direct route's seeded random directions in theta,
and every statement on dJ/dtheta compares both of its sides on them. Here
max_directions = 4 makes paper-hopfield (p = 21) project cheaply.
"""

from __future__ import annotations

import mpmath
import pytest

DPS = 20
MAX_DIRECTIONS = 4


@pytest.fixture(scope="module")
def projected():
    from symbolic.load import load_model
    from verify.evidence import gather
    from verify.precision import Precision
    from verify.theorems import GUARD_DIGITS

    with mpmath.workdps(DPS + GUARD_DIGITS):
        ev = gather(load_model("paper-hopfield"), precision=Precision(DPS),
                    times=[mpmath.mpf(0), mpmath.mpf(1) / 2, mpmath.mpf(3) / 2], beta_method="richardson",
                    backend="mpmath", seed=0, max_directions=MAX_DIRECTIONS, progress=lambda *a, **k: None)
        yield ev


def test_dJ_is_projected_on_the_direct_routes_directions(projected):
    ev = projected
    assert ev.compiled.p > MAX_DIRECTIONS
    assert not ev.dJ_route.full and len(ev.dJ) == MAX_DIRECTIONS
    assert ev.dJ_route.directions == ev.direct.Y.directions
    assert ev.names_dJ == [f"projection {i}" for i in range(MAX_DIRECTIONS)]


def test_projections_agree_with_the_projected_components(projected):
    """One complex step along v against the p per-component complex steps, then projected on v."""
    from verify.routes import objective

    ev = projected
    with ev.precision.context():
        full = objective.objective_gradient(ev.compiled, ev.fixed_point.s, ev.theta, precision=ev.precision)
        assert len(full) == ev.compiled.p
        along = ev.on_dJ(full)
        size = max(abs(x) for x in along)
        assert max(abs(a - b) for a, b in zip(along, ev.dJ)) <= mpmath.mpf(10) ** -(DPS - 3) * size


def test_statements_on_dJ_pass_and_their_false_variants_are_rejected(projected):
    from verify.falsify import rejected, run_variants
    from verify.theorems import GUARD_DIGITS, statements

    ev = projected
    with mpmath.workdps(DPS + GUARD_DIGITS):
        truths = {c.id: c for c in statements(ev)}
        variants = {v.id: r for v, r in run_variants(ev)}
    for cid in ("theorem2", "eq10-limit"):
        assert truths[cid].applicable and truths[cid].passed, (cid, truths[cid].reason)
        assert f"{MAX_DIRECTIONS} seeded random projections of theta" in truths[cid].compared[0]
        assert truths[cid].worst.endswith(tuple(f"projection {i}" for i in range(MAX_DIRECTIONS)))
    for vid in ("eq20-half-beta", "eq20-at-finite-t", "eq10-limit-Y0"):
        assert variants[vid] is not None and rejected(variants[vid]), vid
