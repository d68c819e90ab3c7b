"""What the exact proofs of the closed-form families share: :class:`ClosedFormProof`.

A family (:mod:`.linear_quadratic`, :mod:`.riccati`) solves the flows of
Eq 1 and Eq 18 in closed form (``_build``), decides each residual its own way
(``_decide``: Laplace domain, or t symbolic) and writes one obligation per
statement (Theorems 1-3, Corollary 4's Eq 23/24, Eq 10, 27, 28, and the
closed forms themselves).  The bookkeeping around them is here.
"""

from __future__ import annotations

import abc
import time

import sympy as sp

from ..derive import Derivation
from ..model import Model
from .obligation import Obligation, Outcome
from .statements import CLOSED_FORM_ONLY, STATEMENTS

#: the obligations of a closed-form family, in the order they are reported
OBLIGATIONS = ("flows",) + CLOSED_FORM_ONLY


class ClosedFormProof(abc.ABC):
    """All obligations of one closed-form family for one model.

    Subclasses set ``family`` and ``method`` (the default method text), build
    the routes in ``_build`` and decide residual parts in ``_decide``.
    """

    family: str
    method: str

    def __init__(self, model: Model, data_values: dict | None = None):
        self.model = model
        self.der = Derivation(model)
        self.theta = list(model.theta)
        # witnesses are evaluated at the model's theta (and its data, if kept symbolic)
        self.base = dict(model.theta_subs) | dict(data_values or {})
        self.want_latex = False  # build the LaTeX chains only on request
        self._built = False
        self.reason: str | None = None

    # ---------------------------------------------------------------- routes
    def build(self) -> bool:
        """Compute the direct, RBP and EP routes once; False (with ``reason``) if not applicable."""
        if self._built:
            return self.reason is None
        self._built = True
        return self._build()

    @abc.abstractmethod
    def _build(self) -> bool:
        """The closed-form flows and the three routes; set ``reason`` and return False if impossible."""

    @abc.abstractmethod
    def _decide(self, parts, **options) -> tuple[tuple, str | None]:
        """``(combine(...) of the parts, how theta entered)`` for named residual parts."""

    @abc.abstractmethod
    def fixed_point_values(self) -> dict[sp.Symbol, sp.Expr] | None:
        """s0 at the model's theta, exactly (for the witnesses of the generic steps)."""

    # ------------------------------------------------------------- obligations
    def _obligation(self, sid, parts, *, kind=None, method=None, latex=(), theta=None,
                    statement=None, equations=None, **options) -> Obligation:
        t0 = time.perf_counter()
        st = STATEMENTS.get(sid.split("[")[0])
        (outcome, residual, witness, results), mode = self._decide(parts, **options)
        return Obligation(
            id=sid, equations=equations or st.equations, statement=statement or st.text,
            outcome=outcome, residual=residual, kind=kind or st.kind, family=self.family,
            method=method or self.method, theta=theta if theta is not None else mode,
            witness=witness, parts=results, latex=list(latex) if self.want_latex else [],
            seconds=time.perf_counter() - t0)

    def _not_applicable(self, sid) -> Obligation:
        st = STATEMENTS[sid]
        return Obligation(id=sid, equations=st.equations, statement=st.text,
                          outcome=Outcome.UNDECIDED, residual="", kind=st.kind, family=self.family,
                          applicable=False, reason=self.reason)

    @abc.abstractmethod
    def flows(self) -> Obligation:
        """Eq 1 / Eq 18: the closed-form flows solve their ODEs."""

    @abc.abstractmethod
    def theorem1(self, variant: str | None = None) -> Obligation:
        """Theorem 1 (Eq 11-16): X_t, Y_t of the Cauchy problem are the error derivatives."""

    @abc.abstractmethod
    def theorem2(self) -> Obligation:
        """Theorem 2 (Eq 20): the EP gradient formula."""

    @abc.abstractmethod
    def theorem3(self) -> Obligation:
        """Theorem 3 (Eq 21, 22): X~, Y~ equal X, Y."""

    @abc.abstractmethod
    def eq23(self, variant: str | None = None) -> Obligation:
        """Corollary 4, Eq 23."""

    @abc.abstractmethod
    def eq24(self, variant: str | None = None) -> Obligation:
        """Corollary 4, Eq 24."""

    @abc.abstractmethod
    def eq10(self) -> Obligation:
        """Eq 10: Y_t -> dJ/dtheta as t -> oo."""

    @abc.abstractmethod
    def eq27(self) -> Obligation:
        """Eq 27: dL/dt + dL/ds . dE/ds = 0 for all s, t (the flow is exact)."""

    @abc.abstractmethod
    def eq28(self) -> Obligation:
        """Eq 28 (appendix): the flow property of S^0."""

    def obligations(self, variants=()) -> list[Obligation]:
        """Every obligation, plus the requested false variants (which must be REFUTED)."""
        if not self.build():
            return [self._not_applicable(sid) for sid in OBLIGATIONS]
        out = [self.flows(), self.theorem1(), self.theorem2(), self.theorem3(), self.eq23(), self.eq24(),
               self.eq10(), self.eq27(), self.eq28()]
        for v in variants:
            if v == "eq23-sign-flipped":
                out.append(self.eq23(v))
            elif v == "eq24-half-beta":
                out.append(self.eq24(v))
            elif v == "Y0-zero":
                out.append(self.theorem1(v))
        return out
