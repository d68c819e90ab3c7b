"""Direct route: dL/ds and dL/dtheta of the truncated objective Eq 9 on the free flow.

L(theta, s, t) = C_theta(S_theta^0(s, t)) is differentiated at s = s_theta^0 by
the complex step: for a state direction u and a parameter direction v,

    X_t . u = Im L(theta, s_theta^0 + i h u, t) / h + O(h^2)
    Y_t . v = Im L(theta + i h v, s_theta^0, t) / h + O(h^2)

with the flow integrated in complex arithmetic and the initial state kept at
s_theta^0 while theta moves (the paper's footnote 2). Neither H nor M is used:
the derivative comes from the nonlinear flow itself.

First-order jets. On the mpmath backend these solves run the field's Taylor
recurrences to first order in the increments (:mod:`symbolic.taylor.tangent`,
:meth:`verify.flows.Flows.complex_step`). Every solve starts at s_theta^0,
where the field is its residual r (<= ``precision.root_tolerance``, real),
shifted by i h u or evaluated at theta + i h v, so every Taylor coefficient of
order >= 1 of every node is O(h) + O(r). A convolution sum_j a_j b_{k-j}
then splits into its end terms (j = 0 or k: the derivative of the node times
the increment, kept) and the products of two increments, O(h^2 + r h + r^2),
which are dropped: their imaginary part is O(r) relative to the O(h)
imaginary part read above (the order of the fixed point's own error in X_t and
Y_t; r <= 10^(6 - work) of the scale, so at least 4 digits below the requested
10^-dps; per order k the gap grows like r 2^k, but the terms of a step fall
like e^-2k), their real part O(r^2) sits in the real part the route discards,
and the complex step already drops O(h^2) relative. What remains is forward-mode
differentiation of the same field expression, one multiplication per node
and order instead of k; it is still the field of Eq 1 that is integrated (no
H), and the L of Eq 9 that is differentiated. Step sizes and error estimates
are read from these jets as before (their imaginary parts are the full
recurrences' to O(r) relative). At a saddle or a maximum the real part drifts
from s_theta^0 like r e^(|lambda_-| t), and the dropped terms with it: the same
order as the error that s_theta^0's own residual already puts into the full
solve. Another backend integrates with full jets.

Why the complex step rather than (1) finite differences with extrapolation,
(2) frozen step sequences, or (3) raised precision: it has no subtractive
cancellation, so one integration per direction gives every digit, and
adaptive steps do not matter (the integrator controls the imaginary part
relative to its own size). Directions are the unit vectors when the space is
small, else seeded random unit vectors (as jax check_grads / torch gradcheck's
fast mode): projections check a whole gradient with few integrations.
"""

from __future__ import annotations

import dataclasses
import random

import mpmath


@dataclasses.dataclass
class Directional:
    """Directional derivatives ``values[k][d]`` at times[k] along ``directions[d]``."""

    directions: list
    values: list
    full: bool            # directions are the unit vectors: values are the gradient itself

    def project(self, vectors):
        """The same projections of another route's vectors (one per time)."""
        if self.full:
            return [list(v) for v in vectors]
        return [[mpmath.fsum(x * a for x, a in zip(vec, u)) for u in self.directions] for vec in vectors]


@dataclasses.dataclass
class DirectResult:
    """X_t (Eq 15) and Y_t (Eq 16) on the direct route, possibly as projections."""

    X: Directional
    Y: Directional
    error_estimate: mpmath.mpf
    integrations: int
    h: mpmath.mpf
    error_estimate_X: mpmath.mpf = None   # of the dL/ds directions alone (Eq 23 compares only those)
    error_estimate_Y: mpmath.mpf = None   # of the dL/dtheta directions alone (Eq 24)


def directions_for(size: int, max_directions: int, seed: int):
    """Unit vectors when ``size <= max_directions``, else seeded random unit vectors."""
    if size <= max_directions:
        return [[1 if i == j else 0 for i in range(size)] for j in range(size)], True
    rng = random.Random(seed)
    dirs = []
    for _ in range(max_directions):
        w = [rng.gauss(0, 1) for _ in range(size)]
        norm = sum(x * x for x in w) ** 0.5
        dirs.append([mpmath.mpf(x) / norm for x in w])
    return dirs, False


def truncated_objective_gradient(compiled, flows, s0, theta, times, *, precision,
                                 max_directions=64, seed=0, progress=None,
                                 first_order=False, growth=1) -> DirectResult:
    """X_t = dL/ds and Y_t = dL/dtheta (Eq 15, 16) at s_theta^0, by complex step on Eq 9 (step ``precision.complex_step``).

    ``first_order=True`` runs the first-order jets (module docstring): only for an ``s0`` that is
    the certified fixed point (``FixedPoint.s``, residual within ``precision.root_tolerance``),
    as the check's callers pass; ``False`` integrates with the full recurrences (the reference
    the tests compare with). ``growth``: how much an increment can grow by the last time
    (e^(|lambda_-| t_max) at a saddle or maximum, :func:`verify.extrapolate.unstable_growth`); h
    shrinks with it so that the complex step's O((h growth)^2) truncation stays at its usual size
    (H's spectrum only chooses the step here, never the answer).
    """
    n, p = compiled.n, compiled.p
    # the complex step's truncation error is ~ (h/R)^2, R the distance to the nearest singularity
    # in s or theta, which is at most the size of the smallest nonzero entry (a fold at theta = 0,
    # e.g. E = s^3/3 - a s with a = 1e-39): h is the complex step scaled to that size
    sizes = [abs(x) for x in list(s0) + list(theta) if x != 0]
    h, dps = precision.complex_step * min([mpmath.mpf(1)] + sizes) / growth, precision.work
    err = {"X": mpmath.mpf(0), "Y": mpmath.mpf(0)}

    def run(theta_c, D0, block):
        traj = flows.solve_nudged(s0, theta_c, 0, times, dps=dps, D0=D0, first_order=first_order)
        # only the imaginary part carries the derivative (the real part stays at s0); its error,
        # an error in dS/d(direction), reaches dL/d(direction) through dC/ds (chain rule)
        states = [[mpmath.re(a + b) for a, b in zip(s0, D)] for D in traj.states]
        dC = max(mpmath.fsum(abs(g) for g in compiled.dC_ds(s, theta)) for s in states)
        err[block] = max(err[block], traj.error_estimate_imag / h * dC)
        if progress:
            progress()
        return [mpmath.im(compiled.cost([a + b for a, b in zip(s0, D)], theta_c)) / h
                for D in traj.states]

    sdirs, sfull = directions_for(n, max_directions, seed)
    pdirs, pfull = directions_for(p, max_directions, seed + 1)
    xcols = [run(list(theta), [mpmath.mpc(0, h * uj) for uj in u], "X") for u in sdirs]
    ycols = [run([mpmath.mpc(th, h * vk) for th, vk in zip(theta, v)], [0] * n, "Y") for v in pdirs]
    X = Directional(sdirs, [[col[k] for col in xcols] for k in range(len(times))], sfull)
    Y = Directional(pdirs, [[col[k] for col in ycols] for k in range(len(times))], pfull)
    return DirectResult(X, Y, max(err.values()), len(sdirs) + len(pdirs), h, err["X"], err["Y"])
