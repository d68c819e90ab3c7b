"""Elementwise functions allowed in model expressions, as sympy objects.

``sigmoid`` and ``softplus`` are sympy Functions with exact derivatives
(``fdiff``) so that derived expressions stay readable (sigma(u) rather than
1/(1 + exp(-u))); ``rewrite(exp)`` gives the elementary form used by the
Taylor-series integrator.
"""

from __future__ import annotations

import sympy as sp


class sigmoid(sp.Function):  # noqa: N801 - the name users write
    """Logistic sigmoid 1/(1 + exp(-u))."""

    nargs = 1

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\sigma\left(%s\right)" % printer._print(self.args[0])

    def _mathml_presentation(self, printer):  # pragma: no cover - printer hook
        return printer._print(sp.Function("sigma")(self.args[0]))


class softplus(sp.Function):  # noqa: N801
    """Softplus log(1 + exp(u))."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.log(2)
        return None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return sp.log(1 + sp.exp(arg))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])


#: Scalar functions a model expression may call (applied elementwise).
ELEMENTWISE = {
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "sin": sp.sin,
    "cos": sp.cos,
    "tanh": sp.tanh,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "sigmoid": sigmoid,
    "softplus": softplus,
}

U = sp.Symbol("u", real=True)

#: Built-in names allowed as the value of a ``[functions]`` entry.
BUILTIN_BODIES = {
    "sigmoid": sigmoid(U),
    "tanh": sp.tanh(U),
    "softplus": softplus(U),
    "identity": U,
    "exp": sp.exp(U),
    "sin": sp.sin(U),
    "cos": sp.cos(U),
    "sinh": sp.sinh(U),
    "cosh": sp.cosh(U),
}

#: mpmath implementations, for lambdify.
MPMATH_IMPLEMENTATIONS = {
    "sigmoid": lambda u: 1 / (1 + __import__("mpmath").exp(-u)),
    "softplus": lambda u: __import__("mpmath").log1p(__import__("mpmath").exp(u)),
}


def to_elementary(expr):
    """Rewrite sigmoid/softplus/tanh/sinh/cosh in terms of exp and log."""
    expr = expr.rewrite(sigmoid, sp.exp) if expr.has(sigmoid) else expr
    expr = expr.replace(sigmoid, lambda a: 1 / (1 + sp.exp(-a)))
    expr = expr.replace(softplus, lambda a: sp.log(1 + sp.exp(a)))
    expr = expr.replace(sp.tanh, lambda a: 1 - 2 / (sp.exp(2 * a) + 1))
    expr = expr.replace(sp.sinh, lambda a: (sp.exp(a) - sp.exp(-a)) / 2)
    expr = expr.replace(sp.cosh, lambda a: (sp.exp(a) + sp.exp(-a)) / 2)
    return expr
