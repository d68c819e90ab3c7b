"""Numbers from a block tree (:mod:`symbolic.block_form`): value, gradient, and the gradient's tangent.

One forward pass evaluates the tree on whole blocks; one reverse pass gives
the gradient with respect to the leaves (F = dPhi/ds, dPhi/dtheta, dC/ds).
Seeding tangents on the state leaves (dual numbers, "forward over reverse")
makes the same reverse pass return the tangent of the gradient: for
v in state space, (d^2 Phi/ds^2) v and (d^2 Phi/dtheta ds)^T v, i.e. J v and
(dF/dtheta)^T v for F = dPhi/ds, without forming a Jacobian.

Two backends: :class:`MPBackend` (numpy object arrays of mpf or mpc at the
current mpmath precision, matrix products exact via
:mod:`symbolic.exact_matmul`; complex values go through unchanged, so complex
steps in s or theta work) and :class:`FloatBackend` (float64, for the
relaxation that precedes Newton's method and a float64 Jacobian).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from .block_form import topological
from .exact_matmul import matmul
from .functions import mpmath_modules, numpy_modules, U

_MP_MODULES = mpmath_modules()


class Dual:
    """A value and its tangent (None: zero)."""

    __slots__ = ("v", "t")

    def __init__(self, v, t=None):
        self.v, self.t = v, t


def _plus(x, y):
    return y if x is None else x if y is None else x + y


class MPBackend:
    """Object arrays of mpf/mpc; constants rounded once at the current precision."""

    def __init__(self):
        self._consts, self._fns = {}, {}

    def mm(self, a, b, ta=False, tb=False):
        return matmul(a, b, ta, tb)

    def const(self, node):
        key = (id(node), mpmath.mp.prec)
        if key not in self._consts:
            self._consts[key] = (node, np.array([_mp_number(v) for v in node.data], dtype=object)
                                 .reshape(node.shape))
        return self._consts[key][1]

    def apply(self, fn, x, order=2):
        """f, f' (and f'' for ``order`` 2, else None) of ``fn`` at every entry of ``x``."""
        key = (fn, order)
        if key not in self._fns:
            body = fn.body
            self._fns[key] = sp.lambdify(U, [sp.diff(body, U, k) for k in range(order + 1)], modules=_MP_MODULES,
                                         cse=True)
        f = self._fns[key]
        out = [np.empty(x.shape, dtype=object) for _ in range(order + 1)]
        for idx, u in np.ndenumerate(x):
            for k, value in enumerate(f(u)):
                out[k][idx] = value if isinstance(value, (mpmath.mpf, mpmath.mpc)) else mpmath.mpf(value)
        return out + [None] * (2 - order)

    def ones(self, shape):
        return np.full(shape, mpmath.mpf(1), dtype=object)

    def eye(self, n):
        out = np.full((n, n), mpmath.mpf(0), dtype=object)
        np.fill_diagonal(out, mpmath.mpf(1))
        return out

    def block(self, values, shape):
        return np.array(values, dtype=object).reshape(shape)


class FloatBackend:
    """float64 arrays (previews: relaxation, a float64 Jacobian)."""

    def __init__(self):
        self._consts, self._fns = {}, {}

    def mm(self, a, b, ta=False, tb=False):
        return (a.T if ta else a) @ (b.T if tb else b)

    def const(self, node):
        if id(node) not in self._consts:
            self._consts[id(node)] = (node, np.array([float(sp.N(v, 20)) for v in node.data]).reshape(node.shape))
        return self._consts[id(node)][1]

    def apply(self, fn, x, order=2):
        if fn not in self._fns:
            body = fn.body
            self._fns[fn] = sp.lambdify(U, [body, sp.diff(body, U), sp.diff(body, U, 2)],
                                        modules=numpy_modules())
        return [np.broadcast_to(np.asarray(v, dtype=float), x.shape) for v in self._fns[fn](x)]

    def ones(self, shape):
        return np.ones(shape)

    def eye(self, n):
        return np.eye(n)

    def block(self, values, shape):
        return np.asarray(values, dtype=float).reshape(shape)


def _mp_number(v):
    """An exact sympy number (a folded constant such as sigmoid(1/2)) at the current precision."""
    v = sp.sympify(v)
    if v.is_Rational:
        return mpmath.mpf(int(v.p)) / int(v.q)
    return mpmath.mpf(sp.lambdify([], v, modules=_MP_MODULES)())


class Program:
    """A scalar block tree, ready to evaluate: :meth:`value`, :meth:`gradient`."""

    def __init__(self, root):
        self.root = root
        self.order = topological(root)
        self.leaves = [n for n in self.order if n.op == "LEAF"]
        self._parents: dict = {}
        for node in self.order:
            for a in node.args:
                self._parents.setdefault(id(a), []).append(node)

    def products_only(self, name) -> bool:
        """Block ``name`` (a matrix of more than 2 rows and columns) enters only matrix products, never elementwise.

        Every product that reads it, forward or in the reverse pass (g @ W^T, W^T @ g), then sums over
        one of its dimensions (> 2): the products :func:`symbolic.exact_matmul.matmul` takes on integers.
        """
        def ok(node):
            return all(p.op == "MATMUL" or (p.op == "T" and ok(p)) for p in self._parents.get(id(node), []))

        mine = [leaf for leaf in self.leaves if leaf.data[1].name == name]
        return all(min(leaf.shape) > 2 and ok(leaf) for leaf in mine)

    def _forward(self, env, be):
        vals, derivs = {}, {}
        for node in self.order:
            op, a = node.op, node.args
            if op == "LEAF":
                out = env[node.data[1].name]
            elif op == "CONST":
                out = Dual(be.const(node))
            elif op == "ADD":
                x, y = vals[id(a[0])], vals[id(a[1])]
                out = Dual(x.v + y.v, _plus(x.t, y.t))
            elif op == "NEG":
                x = vals[id(a[0])]
                out = Dual(-x.v, None if x.t is None else -x.t)
            elif op == "MATMUL":
                out = _mm(be, vals[id(a[0])], vals[id(a[1])])
            elif op == "SCALE":
                out = _scale(vals[id(a[0])], vals[id(a[1])])
            elif op == "T":
                x = vals[id(a[0])]
                out = Dual(x.v.T, None if x.t is None else x.t.T)
            elif op == "APPLY":
                x = vals[id(a[0])]
                f, f1, f2 = be.apply(node.data, x.v, 1 if x.t is None else 2)
                out = Dual(f, None if x.t is None else f1 * x.t)
                derivs[id(node)] = Dual(f1, None if x.t is None else f2 * x.t)
            elif op == "TRACE":
                x = vals[id(a[0])]
                out = Dual(_total(np.diagonal(x.v)), None if x.t is None else _total(np.diagonal(x.t)))
            elif op == "SUM":
                x = vals[id(a[0])]
                out = Dual(_total(x.v), None if x.t is None else _total(x.t))
            else:  # pragma: no cover - block_form builds no other op
                raise ValueError(f"unknown block op {op}")
            vals[id(node)] = out
        return vals, derivs

    def value(self, env, be):
        """The scalar's value (env: block name -> Dual)."""
        vals, _ = self._forward(env, be)
        return vals[id(self.root)].v[0, 0]

    def gradient(self, env, be, want) -> dict:
        """d(root)/d(leaf) for the leaves whose kind is in ``want`` ("s", "p"): block name -> Dual.

        With tangents in ``env`` each gradient carries its tangent: the
        Hessian of the root applied to the seeded direction.
        """
        vals, derivs = self._forward(env, be)
        adj = {id(self.root): Dual(be.ones((1, 1)))}
        grads = {}

        def push(child, g):
            if child.kinds & want:
                old = adj.get(id(child))
                adj[id(child)] = g if old is None else Dual(old.v + g.v, _plus(old.t, g.t))

        for node in reversed(self.order):
            g = adj.pop(id(node), None)
            if g is None:
                continue
            op, a = node.op, node.args
            if op == "LEAF":     # one block may have several leaf nodes (|s|^2/2 - step*E)
                old = grads.get(node.data[1].name)
                grads[node.data[1].name] = g if old is None else Dual(old.v + g.v, _plus(old.t, g.t))
            elif op == "ADD":
                push(a[0], g)
                push(a[1], g)
            elif op == "NEG":
                push(a[0], Dual(-g.v, None if g.t is None else -g.t))
            elif op == "MATMUL":
                if a[0].kinds & want:
                    push(a[0], _mm(be, g, vals[id(a[1])], tb=True))
                if a[1].kinds & want:
                    push(a[1], _mm(be, vals[id(a[0])], g, ta=True))
            elif op == "SCALE":
                c, x = vals[id(a[0])], vals[id(a[1])]
                if a[1].kinds & want:
                    push(a[1], _scale(c, g))
                if a[0].kinds & want:
                    h = _had(g, x)
                    push(a[0], Dual(_total(h.v), None if h.t is None else _total(h.t)))
            elif op == "T":
                push(a[0], Dual(g.v.T, None if g.t is None else g.t.T))
            elif op == "APPLY":
                push(a[0], _had(g, derivs[id(node)]))
            elif op == "TRACE":
                eye = be.eye(a[0].shape[0])
                push(a[0], _scale(g, Dual(eye)))
            elif op == "SUM":
                push(a[0], _scale(g, Dual(be.ones(a[0].shape))))
        return grads


def _total(arr):
    out = np.empty((1, 1), dtype=arr.dtype)
    out[0, 0] = arr.sum() if arr.size else 0
    return out


def _mm(be, x, y, ta=False, tb=False):
    t = None
    if x.t is not None:
        t = be.mm(x.t, y.v, ta, tb)
    if y.t is not None:
        t = _plus(t, be.mm(x.v, y.t, ta, tb))
    return Dual(be.mm(x.v, y.v, ta, tb), t)


def _scale(c, x):
    """A 1x1 dual c times a block dual x."""
    cv = c.v[0, 0]
    t = None if x.t is None else cv * x.t
    if c.t is not None:
        t = _plus(t, c.t[0, 0] * x.v)
    return Dual(cv * x.v, t)


def _had(x, y):
    """Elementwise product of two duals."""
    t = None
    if x.t is not None:
        t = x.t * y.v
    if y.t is not None:
        t = _plus(t, x.v * y.t)
    return Dual(x.v * y.v, t)
