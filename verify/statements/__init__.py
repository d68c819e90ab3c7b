"""The registry of the paper's statements and their deliberately false variants.

Every module of this package except :mod:`.record` and :mod:`.conditions`
defines ``RECORDS``, a list of :class:`~.record.Statement`: one file per
statement of the paper, with its false variants beside it (the parametrised
half-beta variants and the non-gradient flow have files of their own). The
registry collects them all; everything that lists statements (the check's
order, the report's labels, the pytest plugin's variant choices, the falsify
command's catalogue, ``random``'s columns) derives from it.

Adding a statement: a new module here with ``RECORDS = [Statement(...)]``
(its ``order`` places it among the others) and its test; adding a false
variant: one more record with ``of=`` the statement it perturbs and
``false_when=`` the conditions (:mod:`.conditions`) under which it is false.

=================== ============================================ =============================================
check               side A                                       side B
=================== ============================================ =============================================
theorem1            direct: dL/ds, dL/dtheta by complex step on  RBP: Cauchy problem Eq 11-14 in closed form
                    the nonlinear free flow (Eq 9, 15, 16)       (eigendecomposition of H; else Van Loan)
cauchy-ode          RBP: Eq 13-14 integrated by the ODE solver   RBP closed form
theorem2            EP: nudged fixed points, Eq 20, beta -> 0    J route: dJ/dtheta with s_theta^0 re-solved
                                                                 at perturbed theta (complex step on Eq 3)
eq10-limit          RBP closed form at t -> infinity (Eq 10)     J route
theorem3            EP: nudged flow Eq 18, X~, Y~ (Eq 21, 22)    RBP closed form (Eq 11-14 by uniqueness)
theorem3-ode        EP: dX~/dt, dY~/dt by central differences    -H X~, -M X~ (Eq 13, 14 at s_theta^0)
                    in t of the EP route's dense output
corollary4          direct route dL/ds (Eq 23, left side)        EP route X~ (Eq 23, right side)
eq24                direct route dL/dtheta (Eq 24, left side)    EP route Y~ (Eq 24, right side)
=================== ============================================ =============================================
"""

from __future__ import annotations

import importlib
import pkgutil

from .record import Statement

REJECTION_MARGIN = 10 ** 6   # a rejected variant's error exceeds its tolerance this many times
_NOT_RECORDS = {"record", "conditions"}


def _collect() -> list[Statement]:
    records = []
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _NOT_RECORDS:
            records += importlib.import_module(f"{__name__}.{info.name}").RECORDS
    ids = [r.id for r in records]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ImportError(f"verify.statements: duplicated ids {', '.join(duplicated)}")
    true = sorted((r for r in records if not r.is_variant), key=lambda r: r.order)
    rank = {r.id: k for k, r in enumerate(true)}
    unknown = [r.id for r in records if r.is_variant and r.of not in rank]
    if unknown:
        raise ImportError(f"verify.statements: variants of no known statement: {', '.join(unknown)}")
    false = sorted((r for r in records if r.is_variant), key=lambda r: (rank[r.of], r.order))
    return true + false


_ALL = tuple(_collect())
#: every record of the paper's gradient flow: the true statements in report order, then the false variants
RECORDS: tuple[Statement, ...] = tuple(r for r in _ALL if r.dynamics == "continuous")
#: the paper's statements, in the order of a check's results
STATEMENTS: tuple[Statement, ...] = tuple(r for r in RECORDS if not r.is_variant)
#: the deliberately false variants (each must be rejected where it applies)
VARIANTS: tuple[Statement, ...] = tuple(r for r in RECORDS if r.is_variant)
#: discrete time (the GDU property, :mod:`.gdu`): statements and false variants, run on discrete evidence
DISCRETE_RECORDS: tuple[Statement, ...] = tuple(r for r in _ALL if r.dynamics == "discrete")
DISCRETE_STATEMENTS: tuple[Statement, ...] = tuple(r for r in DISCRETE_RECORDS if not r.is_variant)
DISCRETE_VARIANTS: tuple[Statement, ...] = tuple(r for r in DISCRETE_RECORDS if r.is_variant)
BY_ID = {r.id: r for r in _ALL}
STATEMENT_IDS = tuple(r.id for r in STATEMENTS)
VARIANT_IDS = tuple(r.id for r in VARIANTS)


def _discrete(ev) -> bool:
    return getattr(ev, "dynamics", "continuous") == "discrete"


def statements(ev) -> list:
    """The statements of the evidence's dynamics as comparisons of its routes, one CheckResult each."""
    return [s.run(ev) for s in (DISCRETE_STATEMENTS if _discrete(ev) else STATEMENTS)]


def run_variants(ev, variants=None) -> list:
    """(variant, CheckResult or None when it does not apply) for each variant."""
    default = DISCRETE_VARIANTS if _discrete(ev) else VARIANTS
    return [(v, v.run(ev) if v.applies(ev) else None) for v in (variants or default)]


def catalogue(dynamics: str) -> tuple:
    """The false variants a model of these dynamics runs: "continuous" (the paper's), "discrete" (GDU), "field"."""
    if dynamics == "field":
        from ..discrete.continuous_field import VARIANTS as FIELD_VARIANTS

        return FIELD_VARIANTS
    return {"continuous": VARIANTS, "discrete": DISCRETE_VARIANTS}[dynamics]


def rejected(result) -> bool:
    """A variant is rejected when its check failed by far more than its tolerance."""
    return (result.applicable and not result.passed and result.max_rel_error is not None
            and result.max_rel_error > REJECTION_MARGIN * result.tolerance)


__all__ = ["BY_ID", "DISCRETE_RECORDS", "DISCRETE_STATEMENTS", "DISCRETE_VARIANTS", "RECORDS", "REJECTION_MARGIN", "STATEMENTS", "STATEMENT_IDS", "Statement", "VARIANTS",
           "VARIANT_IDS", "catalogue", "rejected", "run_variants", "statements"]
