"""A discrete model compiled by blocks: F = dPhi/ds, J v, dPhi/dtheta as matrix operations.

The same callables as :class:`symbolic.discrete_compile.DiscreteCompiled`
(flat ``s``, ``theta`` and ``beta``; mpf or mpc), computed from the block
trees of Phi and C (:mod:`symbolic.block_form`) by one reverse pass
(:mod:`symbolic.block_eval`) instead of n + p lambdified expressions. F is a
gradient, so its Jacobian J = d^2Phi/ds^2 is symmetric and
:meth:`BlockCompiled.hvp` gives J v = J^T v and (dF/dtheta)^T v together
(forward over reverse); the routes use it where a formed n x n Jacobian would
cost too much (``matrix_free``).

The mpmath-precision kernel is python-flint's (:mod:`symbolic.block_flint`)
when it is importable and knows every elementwise function of the model, else
mpmath's (:class:`symbolic.block_eval.MPBackend`); ``kernel`` forces one.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cached_property

import mpmath
import numpy as np

from mpmath.libmp import from_man_exp

from .block_eval import Dual, FloatBackend, MPBackend, Program
from .block_flint import FlintBackend, flint_backend
from .discrete import DiscreteDerivation
from .exact_matmul import dyadic_matmul, integer_form, pin


INTEGER_BLOCK_MIN = 256   # a parameter block this large is kept on integers (pinned; complex steps in theta)


class ThetaStep:
    """theta + i h u, a complex step in theta with u = ints * 2^exponent, its imaginary parts kept as integers.

    For a model of p ~ 10^5 parameters, building p mpc numbers per direction
    would cost more than the map itself; the imaginary part h * u is exact
    here (h's mantissa times integers).
    """

    def __init__(self, theta, h, ints, exponent):
        self.theta, self.h, self.ints, self.exponent = theta, h, ints, exponent

    def __len__(self):
        return len(self.theta)


class BlockCompiled:
    """mpmath (and float64) callables of a discrete model whose Phi and C are written by blocks."""

    matrix_free = True
    form = "blocks"

    def __init__(self, model, phi, cost, kernel="auto"):
        self.model = model
        self.d = DiscreteDerivation(model)   # its objects are derived lazily: only ``kind`` is read here
        self.n, self.p = model.n, model.p
        self.phi, self.c = Program(phi), Program(cost)
        flint_be = flint_backend(self.phi, self.c) if kernel in ("auto", "flint") else None
        if kernel == "flint" and flint_be is None:
            raise ValueError("the flint kernel needs python-flint and a flint counterpart of every function")
        self._mp, self._f64 = flint_be or MPBackend(), FloatBackend()
        self.kernel = "flint" if flint_be else "mpmath"
        self._theta_envs: OrderedDict = OrderedDict()

    # flat vectors <-> blocks --------------------------------------------------------
    def _blocks(self, blocks, flat, be, tangent=None, keep=False):
        env, pos = {}, 0
        for b in blocks:
            shape = b.rows_cols
            t = None if tangent is None else be.block(tangent[pos:pos + b.size], shape)
            env[b.name] = Dual(be.block(flat[pos:pos + b.size], shape), t)
            if keep and b.size >= INTEGER_BLOCK_MIN:
                # multiplied in every pass: converted once (to integers, or to a flint matrix)
                (be.pin if isinstance(be, FlintBackend) else pin)(env[b.name].v)
            pos += b.size
        return env

    def _env(self, s, theta, be, tangent=None):
        if len(s) != self.n:
            raise ValueError(f"expected {self.n} state values, got {len(s)}")
        env = self._theta_env(theta, be)
        env.update(self._blocks(self.model.state, s, be, tangent))
        return env

    def theta_step(self, theta, h, ints, exponent) -> ThetaStep:
        """theta + i h (ints * 2^exponent), to pass as theta (complex step in theta)."""
        return ThetaStep(theta, h, ints, exponent)

    def _step_blocks(self, step, be):
        """The parameter blocks of theta + i h u: integer forms pinned for the matrix product."""
        if be is not self._mp:
            raise TypeError("a complex step in theta is evaluated in mpmath")
        real = self._theta_env(step.theta, be)
        prec = mpmath.mp.prec
        sign, hman, hexp, _ = step.h._mpf_
        env, pos = {}, 0
        for b in self.model.params:
            shape = b.rows_cols
            im = (step.ints[pos:pos + b.size] * (-hman if sign else hman)).reshape(shape)
            e_im = hexp + step.exponent
            pos += b.size
            base = real[b.name].v
            only_products = (self.phi.products_only(b.name) and self.c.products_only(b.name)
                             and base.size >= INTEGER_BLOCK_MIN)
            if isinstance(be, FlintBackend):
                env[b.name] = Dual(be.step_block(base, im, e_im, only_products))
                continue
            if only_products:
                arr = np.empty(shape, dtype=object)      # never read entry by entry: only multiplied
                pin(arr, (integer_form(base, prec)[0], (im, e_im)))
            else:
                arr = np.array([mpmath.mp.make_mpc((x._mpf_, from_man_exp(int(m), e_im, prec, "n")))
                                for x, m in zip(base.flat, im.flat)], dtype=object).reshape(shape)
            env[b.name] = Dual(arr)
        return env

    def _theta_env(self, theta, be):
        """theta's blocks, kept for the last few theta vectors (their integer forms stay cached)."""
        key = (id(theta), id(be), mpmath.mp.prec)
        hit = self._theta_envs.get(key)
        if hit is not None:
            self._theta_envs.move_to_end(key)
        if hit is None or hit[0] is not theta:
            blocks = (self._step_blocks(theta, be) if isinstance(theta, ThetaStep)
                      else self._blocks(self.model.params, theta, be, keep=be is self._mp))
            hit = (theta, blocks)
            self._theta_envs[key] = hit
            if len(self._theta_envs) > 8:
                self._theta_envs.popitem(last=False)
        return dict(hit[1])

    def _flat(self, grads, blocks, be, part="v"):
        out = []
        for b in blocks:
            g = grads.get(b.name)
            value = None if g is None else getattr(g, part)
            if value is None:
                out += [mpmath.mpf(0) if be is self._mp else 0.0] * b.size
            elif isinstance(be, FlintBackend):
                out += be.numbers(value)
            else:
                out += list(np.asarray(value).reshape(-1))
        return out

    # the map and its pieces ------------------------------------------------------------
    def F(self, s, theta):  # noqa: N802
        """The free map F(s) = dPhi/ds (theta may be complex: complex step in theta)."""
        env = self._env(s, theta, self._mp)
        return self._flat(self.phi.gradient(env, self._mp, {"s"}), self.model.state, self._mp)

    def nudged(self, s, theta, beta=0):
        """F(s) - beta dC/ds(s)."""
        f = self.F(s, theta)
        if not beta:
            return f
        return [a - beta * c for a, c in zip(f, self.dC_ds(s, theta))]

    def cost(self, s, theta):
        value = self.c.value(self._env(s, theta, self._mp), self._mp)
        return self._mp.numbers([value])[0] if isinstance(self._mp, FlintBackend) else value

    def dC_ds(self, s, theta, beta=0):
        env = self._env(s, theta, self._mp)
        return self._flat(self.c.gradient(env, self._mp, {"s"}), self.model.state, self._mp)

    def dC_dtheta(self, s, theta, beta=0):
        env = self._env(s, theta, self._mp)
        return self._flat(self.c.gradient(env, self._mp, {"p"}), self.model.params, self._mp)

    @cached_property
    def dPhi_dtheta(self):  # noqa: N802
        """dPhi/dtheta(s, theta), read at consecutive nudged states by DeltaEP_theta."""
        def call(s, theta, beta=0):
            env = self._env(s, theta, self._mp)
            return self._flat(self.phi.gradient(env, self._mp, {"p"}), self.model.params, self._mp)

        return call

    def dPhi_dtheta_projected(self, s, theta, ints, exponent):  # noqa: N802
        """dPhi/dtheta(s, theta) projected on the rows of ints * 2^exponent (seeded random directions): a list.

        The flint kernel projects before leaving flint (p ~ 10^5 numbers are never converted to mpmath).
        """
        grads = self.phi.gradient(self._env(s, theta, self._mp), self._mp, {"p"})
        if isinstance(self._mp, FlintBackend):
            blocks = [b.size if grads.get(b.name) is None else grads[b.name].v for b in self.model.params]
            return self._mp.project(blocks, ints, exponent)
        column = np.array(self._flat(grads, self.model.params, self._mp), dtype=object).reshape(-1, 1)
        return list(dyadic_matmul(ints, exponent, column)[:, 0])

    def hvp(self, s, theta, v, theta_part=True):
        """(J v, (dF/dtheta)^T v) at s: one reverse pass with tangent v (J = d^2Phi/ds^2 = J^T).

        ``theta_part=False`` skips (dF/dtheta)^T v (None): p-sized work a Jacobian-vector product alone does not need.
        """
        env = self._env(s, theta, self._mp, tangent=list(v))
        grads = self.phi.gradient(env, self._mp, {"s", "p"} if theta_part else {"s"})
        return (self._flat(grads, self.model.state, self._mp, "t"),
                self._flat(grads, self.model.params, self._mp, "t") if theta_part else None)

    def jacobians(self, s, theta):
        """dF/ds (n x n) and dF/dtheta (n x p) as mpmath matrices, column by column from :meth:`hvp`."""
        n = self.n
        J, B = mpmath.matrix(n, n), mpmath.matrix(n, self.p)
        for i in range(n):
            e = [mpmath.mpf(0)] * n
            e[i] = mpmath.mpf(1)
            col, row = self.hvp(s, theta, e)
            for k in range(n):
                J[k, i] = col[k]
            for k in range(self.p):
                B[i, k] = row[k]      # (dF/dtheta)^T e_i: row i of dF/dtheta
        return J, B

    def JF(self, s, theta):  # noqa: N802
        """dF/ds as an n x n mpmath matrix (n reverse passes: for small n)."""
        return self.jacobians(s, theta)[0]

    def dF_dtheta(self, s, theta):
        """dF/dtheta as an n x p mpmath matrix (n reverse passes: for small n)."""
        return self.jacobians(s, theta)[1]

    # float64 previews ------------------------------------------------------------------
    def F_numpy(self, s, theta):  # noqa: N802
        """F in float64, for the relaxation that precedes Newton's method."""
        env = self._env(s, theta, self._f64)
        return self._flat(self.phi.gradient(env, self._f64, {"s"}), self.model.state, self._f64)

    def J_numpy(self, s, theta):  # noqa: N802
        """dF/ds in float64 (n reverse passes with tangents): spectrum and preconditioner."""
        cols = []
        for i in range(self.n):
            e = np.zeros(self.n)
            e[i] = 1.0
            grads = self.phi.gradient(self._env(s, theta, self._f64, tangent=e), self._f64, {"s"})
            cols.append(self._flat(grads, self.model.state, self._f64, "t"))
        return np.array(cols, dtype=float).T

    def theta_values(self, digits: int):
        from .discrete_compile import exact_theta

        return exact_theta(self.model, digits)
