"""The compiled backend: heyoka's Taylor integrator used as a jet engine.

heyoka (``pip install heyoka``) JIT-compiles the Taylor recurrences of a
system with LLVM and runs them on MPFR numbers (``heyoka.real``).  We use it
only to compute the Taylor coefficients at the current state
(``step(max_delta_t=0, write_tc=True)``) and to evaluate the Taylor polynomial
(``update_d_output``); the step sizes, dense output and error accounting are
the shared ones of :mod:`verify.ode.controller`, so both backends take the
same steps and give the same digits.  heyoka's own step control is bypassed:
it measures the state with one absolute/relative norm, which cannot serve a
displacement of size 1e-20 or the imaginary part of a complex-step solution.

Exactness.  The heyoka expression is built by us from the jet IR of
:mod:`symbolic.taylor`, never with ``heyoka.from_sympy`` (which turns 1/10
into the nearest double).  Every constant of the field (parameters, numbers
such as 2/5 or exp(-1/2), products of them) is a runtime parameter
``par[i]`` whose value is computed at the working precision for each solve;
only small integers appear as literals (exact as doubles).

Complex states and parameters (complex-step differentiation).  heyoka has no
complex type, so a complex solve integrates the real system of size 2n for
(Re s, Im s): every node of the jet IR is written as a pair (re, im) with the
exact identities exp(a+ib) = e^a (cos b + i sin b), 1/(a+ib) = (a-ib)/(a²+b²),
log z = log|z|² / 2 + i atan2(b, a), and so on (see ``_ComplexBuilder``).
These are the principal branches, as in mpmath; a complex system is compiled
once per precision, for any complex values of the parameters.

Limits: a real solve whose field takes the log or sqrt of a negative number
gives NaN here (mpmath would switch to complex): the controller raises
``IntegrationError``; use ``backend="mpmath"`` for such fields.
"""

from __future__ import annotations

import math

import gmpy2
import mpmath
import numpy as np

from symbolic.functions import JET_FUNCTIONS, gmpy2_functions

from .engine import Backend, JetEngine
from .errors import IntegrationError
from .numbers import gmpy2_to_mpmath, is_complex_value, sympy_to_gmpy2, to_gmpy2

try:  # heyoka is an optional extra: this module imports without it
    import heyoka as hy
except Exception:  # pragma: no cover - depends on the environment
    hy = None


def _need_heyoka():
    if hy is None:
        raise ImportError("backend='heyoka' needs the heyoka package (pip install heyoka); "
                          "use backend='mpmath' or 'auto'")


def _to_real(x, prec: int):
    """A gmpy2 mpfr as heyoka.real at ``prec`` bits, exactly.

    Doubles (our step sizes) directly; other values as mantissa times a power
    of two (both exact), or through a decimal string of prec + 3 digits (exact
    round trip) for extreme exponents.
    """
    f = float(x)
    if f == x or not gmpy2.is_finite(x):
        return hy.real(f, prec)
    man, e = x.as_mantissa_exp()
    e = int(e)
    if -1000 < e < 1000:
        return hy.real(int(man), prec) * hy.real(2.0 ** e, prec)
    digits = int(prec * 0.30103) + 3
    return hy.real(format(x, f".{digits}e"), prec)


def _from_real(r):
    """A heyoka.real as gmpy2 mpfr at the context precision (one rounding)."""
    s = str(r)
    if s in ("nan", "-nan"):
        return gmpy2.nan()
    return gmpy2.mpfr(s)


class _RealBuilder:
    """heyoka expressions (real) for the jet IR; constants are ``par[i]``."""

    def __init__(self, program, variables):
        self.program = program
        self.vars = variables
        self.vals: list = []

    def const(self, ref):
        if ref[0] == "i":
            return hy.expression(float(ref[1]))
        return hy.par[ref[1]]

    def val(self, ref):
        return self.vals[ref[1]] if ref[0] == "j" else self.const(ref)

    def build(self):
        for i, node in enumerate(self.program.nodes):
            self.vals.append(self.node(i, node))
        return [self.val(o) for o in self.program.outputs]

    def node(self, i, node):
        kind = node.kind
        a = node.args
        if kind == "var":
            return self.vars[a[0]]
        if kind == "lin":
            terms = [self.val(x) if w is None else self.const(w) * self.val(x) for w, x in a]
            if node.const is not None:
                terms.append(self.const(node.const))
            return hy.sum(terms) if len(terms) > 1 else terms[0]
        w = None if node.weight is None else self.const(node.weight)
        if kind == "mul":
            out = self.val(a[0]) * self.val(a[1])
            return out if w is None else w * out
        if kind == "sqr":
            return self.val(a[0]) ** 2.0
        if kind == "div":
            num = self.val(a[0])
            if w is not None:
                num = w * num
            return num / self.val(a[1])
        if kind == "pow":
            return self.val(a[0]) ** self.const(a[1])
        if kind == "aux":
            # g**2 (not g*g): heyoka's own sigmoid/tanh recurrences use g**2, and its
            # common-subexpression elimination then shares the square.
            g = self.vals[a[0][1]]
            if self.program.nodes[a[0][1]].kind == "sigmoid":
                return g - g ** 2.0
            return 1.0 - g ** 2.0
        return getattr(hy, JET_FUNCTIONS[kind].heyoka)(self.val(a[0]))


def _cadd(terms):
    re = [t[0] for t in terms if t[0] is not None]
    im = [t[1] for t in terms if t[1] is not None]

    def s(xs):
        if not xs:
            return None
        return hy.sum(xs) if len(xs) > 1 else xs[0]
    return (s(re), s(im))


def _neg(x):
    return None if x is None else -x


def _cmul(a, b):
    ar, ai = a
    br, bi = b
    re = [ar * br] if ar is not None and br is not None else []
    if ai is not None and bi is not None:
        re.append(-(ai * bi))
    im = []
    if ar is not None and bi is not None:
        im.append(ar * bi)
    if ai is not None and br is not None:
        im.append(ai * br)
    return (_sum(re), _sum(im))


def _sum(xs):
    if not xs:
        return None
    return hy.sum(xs) if len(xs) > 1 else xs[0]


def _zero_if_none(x):
    return hy.expression(0.0) if x is None else x


class _ComplexBuilder(_RealBuilder):
    """heyoka expressions for (Re, Im) of every node; ``None`` is an exact zero part."""

    def __init__(self, program, re_vars, im_vars, real_consts: set):
        super().__init__(program, None)
        self.re_vars = re_vars
        self.im_vars = im_vars
        self.real_consts = real_consts

    def const(self, ref):
        if ref[0] == "i":
            return (hy.expression(float(ref[1])), None)
        i = ref[1]
        if i in self.real_consts:
            return (hy.par[2 * i], None)
        return (hy.par[2 * i], hy.par[2 * i + 1])

    def build(self):
        for i, node in enumerate(self.program.nodes):
            self.vals.append(self.node(i, node))
        outs = [self.val(o) for o in self.program.outputs]
        return [_zero_if_none(o[0]) for o in outs] + [_zero_if_none(o[1]) for o in outs]

    def node(self, i, node):
        kind = node.kind
        a = node.args
        if kind == "var":
            return (self.re_vars[a[0]], self.im_vars[a[0]])
        if kind == "lin":
            terms = [self.val(x) if w is None else _cmul(self.const(w), self.val(x))
                     for w, x in a]
            if node.const is not None:
                terms.append(self.const(node.const))
            return _cadd(terms)
        w = None if node.weight is None else self.const(node.weight)
        if kind == "mul":
            out = _cmul(self.val(a[0]), self.val(a[1]))
            return out if w is None else _cmul(w, out)
        if kind == "sqr":
            x = self.val(a[0])
            return _cmul(x, x)
        if kind == "div":
            num = self.val(a[0])
            if w is not None:
                num = _cmul(w, num)
            return self.div(num, self.val(a[1]))
        if kind == "exp":
            return self.exp(self.val(a[0]))
        if kind == "log":
            return self.log(self.val(a[0]))
        if kind == "pow":
            return self.exp(_cmul(self.const(a[1]), self.log(self.val(a[0]))))
        if kind == "sqrt":
            xr, xi = self.val(a[0])
            if xi is None:
                return (hy.sqrt(xr), None)
            r = hy.sqrt(xr * xr + xi * xi)
            re = hy.sqrt((r + xr) * 0.5)
            return (re, xi / (2.0 * re))
        if kind in ("sin", "cos", "sinh", "cosh"):
            xr, xi = self.val(a[0])
            if xi is None:
                f = {"sin": hy.sin, "cos": hy.cos, "sinh": hy.sinh, "cosh": hy.cosh}[kind]
                return (f(xr), None)
            if kind == "sin":
                return (hy.sin(xr) * hy.cosh(xi), hy.cos(xr) * hy.sinh(xi))
            if kind == "cos":
                return (hy.cos(xr) * hy.cosh(xi), -(hy.sin(xr) * hy.sinh(xi)))
            if kind == "sinh":
                return (hy.sinh(xr) * hy.cos(xi), hy.cosh(xr) * hy.sin(xi))
            return (hy.cosh(xr) * hy.cos(xi), hy.sinh(xr) * hy.sin(xi))
        if kind == "tanh":
            xr, xi = self.val(a[0])
            if xi is None:
                return (hy.tanh(xr), None)
            d = hy.cosh(2.0 * xr) + hy.cos(2.0 * xi)
            return (hy.sinh(2.0 * xr) / d, hy.sin(2.0 * xi) / d)
        if kind == "sigmoid":
            xr, xi = self.val(a[0])
            if xi is None:
                return (hy.sigmoid(xr), None)
            # sigma(z) = (1 + tanh(z/2))/2 and tanh((a+ib)/2) = (sinh a + i sin b)/(cosh a + cos b):
            # two sinh/cosh-sin/cos pairs and two divisions by a real jet (6 convolutions,
            # against 9 for 1/(1 + exp(-z)) split by hand), and no |w|^2 to form.
            d = 2.0 * (hy.cosh(xr) + hy.cos(xi))
            return (0.5 + hy.sinh(xr) / d, hy.sin(xi) / d)
        if kind == "aux":
            g = self.vals[a[0][1]]
            g2 = _cmul(g, g)
            if self.program.nodes[a[0][1]].kind == "sigmoid":
                return _cadd([g, (_neg(g2[0]), _neg(g2[1]))])
            return _cadd([(hy.expression(1.0), None), (_neg(g2[0]), _neg(g2[1]))])
        raise AssertionError(kind)  # pragma: no cover

    def div(self, num, den):
        nr, ni = num
        br, bi = den
        if bi is None:
            return (None if nr is None else nr / br, None if ni is None else ni / br)
        d = br * br + bi * bi
        re = _sum([x for x in (None if nr is None else nr * br,
                               None if ni is None else ni * bi) if x is not None])
        im = _sum([x for x in (None if ni is None else ni * br,
                               None if nr is None else -(nr * bi)) if x is not None])
        return (None if re is None else re / d, None if im is None else im / d)

    @staticmethod
    def exp(x):
        xr, xi = x
        e = hy.exp(xr)
        if xi is None:
            return (e, None)
        return (e * hy.cos(xi), e * hy.sin(xi))

    @staticmethod
    def log(x):
        xr, xi = x
        if xi is None:
            return (hy.log(xr), None)
        return (0.5 * hy.log(xr * xr + xi * xi), hy.atan2(xi, xr))


class HeyokaBackend(Backend):
    """Builds (and caches per precision, order and real/complex) heyoka integrators."""

    name = "heyoka"
    auto_preference = 1   # compiled: preferred by ``--backend auto`` when installed

    @classmethod
    def available(cls) -> bool:
        return hy is not None

    def __init__(self, program, compact_mode: bool | None = None):
        _need_heyoka()
        self.program = program
        self.compact_mode = compact_mode
        self._cache: dict = {}
        self._param_free = _param_free_constants(program)
        # The constants are evaluated (on gmpy2 numbers) by the same generated code as
        # the mpmath backend's, then handed to heyoka as parameter values.
        cns: dict = {}
        exec(compile(program.constant_source(), "<taylor constants>", "exec"), cns)  # noqa: S102
        self.constants = cns["constants"]
        self._numbers_cache: dict = {}

    def numbers_at(self, prec):
        if prec not in self._numbers_cache:
            self._numbers_cache[prec] = [sympy_to_gmpy2(v) for v in self.program.numbers]
        return self._numbers_cache[prec]

    def integrator(self, prec: int, order: int, complex_: bool, constants: list):
        """The cached ``taylor_adaptive`` for (precision, order, real/complex)."""
        key = (prec, order, complex_)
        if key in self._cache:
            return self._cache[key]
        n = self.program.n
        if complex_:
            real_consts = {i for i in self._param_free
                           if not isinstance(constants[i], gmpy2.mpc)}
            re_vars = list(hy.make_vars(*[f"re{i}" for i in range(n)])) if n > 1 else \
                [hy.make_vars("re0")]
            im_vars = list(hy.make_vars(*[f"im{i}" for i in range(n)])) if n > 1 else \
                [hy.make_vars("im0")]
            rhs = _ComplexBuilder(self.program, re_vars, im_vars, real_consts).build()
            variables = re_vars + im_vars
        else:
            variables = list(hy.make_vars(*[f"y{i}" for i in range(n)])) if n > 1 else \
                [hy.make_vars("y0")]
            rhs = _RealBuilder(self.program, variables).build()
            real_consts = None
        sys_ = list(zip(variables, rhs))
        # tol = exp(-2 (order - 1)) gives heyoka's order ceil(-ln(tol)/2) + 1 = order.
        tol = hy.real(mpmath.nstr(mpmath.exp(-2 * (order - 1) + mpmath.mpf("0.5")), 30), prec)
        kwargs = {}
        if self.compact_mode is not None:
            kwargs["compact_mode"] = self.compact_mode
        # No ``pars=``: heyoka sizes the parameter array to the highest par[i] the
        # expressions use (constants unused after simplification leave no slot).
        ta = hy.taylor_adaptive(sys_, [hy.real(0, prec)] * len(variables), fp_type=hy.real,
                                prec=prec, tol=tol, **kwargs)
        if ta.order != order:  # pragma: no cover - guards the tol formula above
            raise AssertionError(f"heyoka order {ta.order} != requested {order}")
        entry = (ta, real_consts)
        self._cache[key] = entry
        return entry

    def engine(self, y0, params, order: int, prec: int) -> "HeyokaEngine":
        return HeyokaEngine(self, y0, params, order, prec)


def _param_free_constants(program) -> set:
    """Indices of constants that do not depend on any parameter."""
    free = set()
    for i, (kind, args) in enumerate(program.constants):
        if kind == "param":
            continue
        if kind == "number":
            free.add(i)
            continue
        if all(a[0] == "i" or (a[0] == "c" and a[1] in free) for a in args
               if isinstance(a, tuple)):
            free.add(i)
    return free


class HeyokaEngine(JetEngine):
    """Taylor coefficients from heyoka's compiled recurrences; see :class:`JetEngine`."""

    name = "heyoka"

    def __init__(self, backend: HeyokaBackend, y0, params, order: int, prec: int):
        super().__init__(order, prec)
        n = backend.program.n
        self.n = n
        x = [to_gmpy2(v) for v in y0]
        p = [to_gmpy2(v) for v in params]
        c = backend.constants(p, backend.numbers_at(prec), gmpy2_functions())
        self._complex = any(isinstance(v, gmpy2.mpc) for v in x + p + c) or any(
            is_complex_value(v) for v in list(y0) + list(params))
        ta, real_consts = backend.integrator(prec, order, self._complex, c)
        if self._complex:
            pars = []
            for i, v in enumerate(c):
                v = gmpy2.mpc(v)
                if i in real_consts and v.imag != 0:  # pragma: no cover - param-free constant
                    raise AssertionError("a parameter-free constant changed type")
                pars += [v.real, v.imag]
            state = [gmpy2.mpc(v).real for v in x] + [gmpy2.mpc(v).imag for v in x]
        else:
            pars = c
            state = x
        n_pars = len(ta.pars)
        if n_pars:
            ta.pars[:] = np.array([_to_real(to_gmpy2(v), prec) for v in pars[:n_pars]])
        ta.state[:] = np.array([_to_real(v, prec) for v in state])
        ta.time = hy.real(0, prec)
        self.ta = ta
        self._zero = hy.real(0, prec)

    @property
    def is_complex(self) -> bool:
        return self._complex

    def expand(self):
        outcome, _ = self.ta.step(max_delta_t=self._zero, write_tc=True)
        if outcome not in (hy.taylor_outcome.time_limit, hy.taylor_outcome.success):
            raise IntegrationError(
                f"heyoka could not expand the solution at t={self._t_text()}: {outcome} "
                "(non-finite state or Taylor coefficients: the flow blows up or the field is "
                "singular there)")
        tc = self.ta.tc
        n = self.n
        if self._complex:
            return _log2_norms(tc[:n]), _log2_norms(tc[n:])
        return _log2_norms(tc), None

    def _t_text(self):
        return str(self.ta.time)

    def advance(self, h) -> None:
        out = self.ta.update_d_output(_to_real(h, self.prec), rel_time=True)
        self.ta.state[:] = out

    def evaluate(self, tau) -> list:
        out = self.ta.update_d_output(_to_real(tau, self.prec), rel_time=True)
        return self._to_mpmath(out)

    def state(self) -> list:
        return self._to_mpmath(self.ta.state)

    def _to_mpmath(self, arr) -> list:
        vals = [gmpy2_to_mpmath(_from_real(r)) for r in arr.tolist()]
        if self._complex:
            n = self.n
            return [mpmath.mpc(vals[i], vals[n + i]) for i in range(n)]
        return vals


def _log2_norms(tc) -> list[float]:
    """log2 of the max-norm of each column (Taylor order) of a heyoka.real array.

    Through doubles when the norm is well inside their range (the usual case,
    and 10x cheaper than heyoka.real's log2), else with heyoka.real's log2.
    """
    out = []
    for v in np.abs(tc).max(axis=0).tolist():
        f = float(v)
        if 1e-300 < f < 1e300:
            out.append(math.log2(f))
        elif not v:
            out.append(-math.inf)
        else:
            out.append(float(np.log2(np.array([v]))[0]))
    return out
