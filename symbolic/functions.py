"""The elementwise functions of model expressions: one record per function.

Everything the suite knows about a scalar function ``f(u)`` lives in its
:class:`Elementwise` record in :data:`FUNCTIONS`; the parser
(:mod:`symbolic.spec`), the numeric bridge (:mod:`symbolic.compile`), the
Taylor compiler (:mod:`symbolic.taylor`), the display (:mod:`symbolic.display`),
the ODE backends (``verify.ode``) and the report's MathML all read it.

Adding a function is one record here plus its tests, provided it can be
written (``rewrite``) in functions that already have a Taylor recurrence:
the Taylor compiler, both ODE backends and the display then handle it with
no further edit.  Only a function that needs a recurrence of its own (a new
``jet`` kind) also needs code in :mod:`symbolic.taylor` and in each backend.

``sigmoid``, ``softplus`` and ``logcosh`` are sympy Functions with exact
derivatives (``fdiff``) so that derived expressions stay readable (sigma(u)
rather than 1/(1 + exp(-u))).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import gmpy2
import mpmath
import sympy as sp

U = sp.Symbol("u", real=True)


class _Evaluable(sp.Function):
    """A function sympy can evaluate at a number (``sp.N``, ``float``): through ``_numeric_form``, its
    rewrite into sympy's own functions (a constant such as ``softplus(1)`` in a model, folded by sympy)."""

    def _numeric_form(self):
        raise NotImplementedError

    def _eval_evalf(self, prec):
        if self.args[0].is_number:
            return self._numeric_form()._eval_evalf(prec)
        return super()._eval_evalf(prec)          # a symbolic argument: the function stays as written


class sigmoid(_Evaluable):  # noqa: N801 - the name users write
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

    def _numeric_form(self):
        return self._eval_rewrite_as_exp(self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"%s\left(%s\right)" % (FUNCTIONS["sigmoid"].latex, printer._print(self.args[0]))

    def _mathml_presentation(self, printer):  # pragma: no cover - printer hook
        return printer._print(sp.Function("sigma")(self.args[0]))


class softplus(_Evaluable):  # noqa: N801
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

    def _numeric_form(self):
        return self._eval_rewrite_as_exp(self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"%s\left(%s\right)" % (FUNCTIONS["softplus"].latex, printer._print(self.args[0]))


class logcosh(_Evaluable):  # noqa: N801
    """log(cosh(u)): smooth everywhere, ~u^2/2 near 0 and ~|u| - log 2 far out."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sp.tanh(self.args[0])

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.S.Zero
        return None

    def _eval_rewrite_as_cosh(self, arg, **kwargs):
        return sp.log(sp.cosh(arg))

    def _numeric_form(self):
        return self._eval_rewrite_as_cosh(self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"%s\left(%s\right)" % (FUNCTIONS["logcosh"].latex, printer._print(self.args[0]))


def _mp_logcosh(u):
    """log cosh u = log1p(2 sinh(u/2)^2): no cancellation near 0, no overflow in mpmath."""
    return mpmath.log1p(2 * mpmath.sinh(u / 2) ** 2)


def _gmpy2_log1p(w):
    """log(1 + w) on gmpy2 mpfr (``gmpy2.log1p``) or mpc (1 + w at twice the precision, as ``mpmath.log1p``)."""
    if not isinstance(w, gmpy2.mpc):
        return gmpy2.log1p(w)
    prec = 2 * gmpy2.get_context().precision
    with gmpy2.context(gmpy2.get_context(), precision=prec, real_prec=prec, imag_prec=prec):
        w = 1 + w
    return gmpy2.log(w)


def _gmpy2_logcosh(u):
    """log cosh u = log1p(2 sinh(u/2)^2), as :func:`_mp_logcosh`."""
    return _gmpy2_log1p(2 * gmpy2.sinh(u / 2) ** 2)


def _np_logcosh(u):
    import numpy as np

    a = np.abs(u)
    near = np.log1p(2 * np.sinh(np.minimum(a, 1) / 2) ** 2)
    return np.where(a < 1, near, a + np.log1p(np.exp(-2 * a)) - np.log(2))


def _np_sigmoid(u):
    import numpy as np

    return 1 / (1 + np.exp(-u))


def _np_softplus(u):
    import numpy as np

    return np.logaddexp(0, u)


@dataclasses.dataclass(frozen=True)
class Elementwise:
    """One scalar function a model expression may call (applied elementwise).

    name : the name users write in a model file.
    sympy : the sympy function (a class, or ``sp.sqrt``).
    mpmath : implementation on mpf and mpc (complex-step) numbers, for lambdify.
    numpy : float64 implementation (previews); None means numpy's function of that name.
    jet : the Taylor recurrence kind of :mod:`symbolic.taylor` (a jet-node kind),
        or None when ``rewrite`` is used instead.
    rewrite : u -> sympy expression in functions with a ``jet``, used by the
        Taylor compiler when ``jet`` is None.
    elementary : u -> the function in exp/log/sin/cos/sqrt (the form the
        Taylor integrator's field is written in; ``to_elementary``); None: keep.
    gmpy2 : implementation on gmpy2 mpfr/mpc (jet kinds: order-0 values and
        constants of the generated Taylor code; every function: the gmpy2 form of
        lambdified readouts, ``gmpy2_modules``); None means gmpy2's of that name.
    heyoka : name of heyoka's function for a jet kind.
    text, latex : the name printed by ``derive`` (text) and in LaTeX.
    mathml : for a LaTeX operator command (``\\exp``), the identifier MathML shows.
    body : whether ``[functions] rho = "<name>"`` may name it (smooth everywhere).
    """

    name: str
    sympy: Callable
    mpmath: Callable
    numpy: Callable | None = None
    jet: str | None = None
    rewrite: Callable | None = None
    elementary: Callable | None = None
    gmpy2: Callable | None = None
    heyoka: str | None = None
    text: str = ""
    latex: str = ""
    mathml: str | None = None
    body: bool = True

    def __post_init__(self):
        if (self.jet is None) == (self.rewrite is None):
            raise ValueError(f"{self.name}: give exactly one of jet and rewrite")
        if not self.text:
            object.__setattr__(self, "text", self.name)
        if not self.latex:
            object.__setattr__(self, "latex", r"\operatorname{%s}" % self.name)

    @property
    def gmpy2_function(self) -> Callable:
        return self.gmpy2 or getattr(gmpy2, self.name)

    @property
    def numpy_function(self) -> Callable:
        if self.numpy is not None:
            return self.numpy
        import numpy as np

        return getattr(np, self.name)


def _operator(name, sympy_fn, **kw) -> Elementwise:
    """A function sympy, mpmath, numpy, gmpy2 and heyoka all know by ``name``, LaTeX ``\\name``."""
    return Elementwise(name, sympy_fn, getattr(mpmath, name), jet=name, heyoka=name,
                       latex="\\" + name, mathml=name, **kw)


#: Every elementwise function, by the name users write.
FUNCTIONS: dict[str, Elementwise] = {f.name: f for f in (
    _operator("exp", sp.exp),
    _operator("log", sp.log, body=False),
    Elementwise("sqrt", sp.sqrt, mpmath.sqrt, jet="sqrt", heyoka="sqrt", latex=r"\sqrt",
                body=False),
    _operator("sin", sp.sin),
    _operator("cos", sp.cos),
    _operator("tanh", sp.tanh, elementary=lambda a: 1 - 2 / (sp.exp(2 * a) + 1)),
    _operator("sinh", sp.sinh, elementary=lambda a: (sp.exp(a) - sp.exp(-a)) / 2),
    _operator("cosh", sp.cosh, elementary=lambda a: (sp.exp(a) + sp.exp(-a)) / 2),
    Elementwise("sigmoid", sigmoid, lambda u: 1 / (1 + mpmath.exp(-u)), _np_sigmoid,
                jet="sigmoid", elementary=lambda a: 1 / (1 + sp.exp(-a)),
                gmpy2=lambda u: 1 / (1 + gmpy2.exp(-u)), heyoka="sigmoid",
                text="σ", latex=r"\sigma"),
    Elementwise("softplus", softplus, lambda u: mpmath.log(1 + mpmath.exp(u)), _np_softplus,
                gmpy2=lambda u: _gmpy2_log1p(gmpy2.exp(u)), rewrite=lambda a: sp.log(1 + sp.exp(a))),
    Elementwise("logcosh", logcosh, _mp_logcosh, _np_logcosh, gmpy2=_gmpy2_logcosh,
                rewrite=lambda a: sp.log(sp.cosh(a))),
)}

#: sympy function of each name (the parser's table).
ELEMENTWISE = {name: f.sympy for name, f in FUNCTIONS.items()}

#: Built-in names allowed as the value of a ``[functions]`` entry.
BUILTIN_BODIES = {"identity": U, **{name: f.sympy(U) for name, f in FUNCTIONS.items() if f.body}}

#: Records with a Taylor recurrence of their own, by jet kind.
JET_FUNCTIONS = {f.jet: f for f in FUNCTIONS.values() if f.jet is not None}

#: Records the Taylor compiler rewrites, by sympy class.
REWRITES = {f.sympy: f.rewrite for f in FUNCTIONS.values() if f.rewrite is not None}


def by_sympy(func) -> Elementwise | None:
    """The record of a sympy function class (``sp.tanh``, ``sigmoid``), or None."""
    for f in FUNCTIONS.values():
        if f.sympy is func:
            return f
    return None


def mpmath_modules() -> list:
    """``modules`` for ``sympy.lambdify`` on mpmath numbers."""
    return [{name: f.mpmath for name, f in FUNCTIONS.items()}, "mpmath"]


def numpy_modules() -> list:
    """``modules`` for ``sympy.lambdify`` on float64 arrays."""
    return [{name: f.numpy for name, f in FUNCTIONS.items() if f.numpy is not None}, "numpy"]


def gmpy2_modules() -> dict:
    """Every function's gmpy2 implementation, by name: the namespace in which code printed for
    mpmath (:func:`mpmath_modules`) runs on gmpy2 numbers (:mod:`symbolic.numeric_glue`)."""
    return {name: f.gmpy2_function for name, f in FUNCTIONS.items()}


def gmpy2_functions() -> dict:
    """The jet kinds' gmpy2 implementations, by name (for generated Taylor code)."""
    return {kind: f.gmpy2_function for kind, f in JET_FUNCTIONS.items()}


def mpmath_functions() -> dict:
    """The jet kinds' mpmath implementations, by name (for generated Taylor code)."""
    return {kind: f.mpmath for kind, f in JET_FUNCTIONS.items()}


def mathml_operators() -> dict:
    """LaTeX operator commands of the functions (``exp`` for ``\\exp``) -> MathML identifier."""
    return {f.latex[1:]: f.mathml for f in FUNCTIONS.values() if f.mathml is not None}


def rewrite_for_taylor(expr):
    """Replace the functions without a recurrence of their own by their ``rewrite``."""
    for func, rule in REWRITES.items():
        if expr.has(func):
            expr = expr.replace(func, rule)
    return expr


def to_elementary(expr):
    """Rewrite every function in terms of exp, log, sin, cos and sqrt (each record's ``elementary``)."""
    expr = rewrite_for_taylor(expr)
    for f in FUNCTIONS.values():
        if f.elementary is not None and expr.has(f.sympy):
            expr = expr.replace(f.sympy, f.elementary)
    return expr
