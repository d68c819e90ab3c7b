"""Independent routes to the paper's quantities (DESIGN.md, "Independence is the point").

- :mod:`.rbp`: the Cauchy problem Eq 11-14, closed form (one eigendecomposition of H, or
  Van Loan's matrix exponential for a non-symmetric H) and ODE;
- :mod:`.direct`: derivatives of the truncated objective Eq 9 on the nonlinear
  free flow by complex step (never uses H or M);
- :mod:`.ep`: the nudged flow Eq 18 at finite beta, extrapolated to beta -> 0 (Eq 21, 22);
- :mod:`.objective`: dJ/dtheta from fixed points re-solved at perturbed theta
  (Theorem 2), and the EP fixed-point estimate Eq 20.
"""
