"""First-order (tangent) jets against the full recurrences, the independent reference.

At a complex-step point next to a fixed point (the direct route's solves, Eq 15-16) the
tangent jets' imaginary parts must equal the full jets' to about the working precision
(the dropped products of two increments are O(r h), r the distance to the fixed point);
each end term of each node kind, dropped on purpose, must be caught; and the direct
route's X_t, Y_t must not move.
"""

from __future__ import annotations

import math
import re

import mpmath
import pytest
import sympy as sp

from symbolic.compile import compile_model
from symbolic.functions import sigmoid
from symbolic.load import load_model
from symbolic.taylor import compile_taylor
from symbolic.taylor.program import refs_of
from symbolic.taylor.tangent import TangentSourceWriter
from verify.fixed_point import free_fixed_point
from verify.flows import Flows
from verify.ode import available_backends
from verify.ode.controller import log2_step
from verify.ode.engine import jorba_zou_order
from verify.ode.mpmath_backend import MpmathBackend
from verify.ode.numbers import gmpy2_context, gmpy2_to_mpmath
from verify.precision import Precision
from verify.routes import direct

WORK = 40
ORDER = jorba_zou_order(-WORK * math.log2(10))
KINDS = {"var", "lin", "mul", "sqr", "div", "exp", "log", "pow", "sqrt", "sin", "cos", "sinh", "cosh",
         "tanh", "sigmoid", "aux"}
S = sp.symbols("s0:3", real=True)
P = sp.symbols("p0:3", real=True)
S_STAR = ["0.3", "0.7", "1.2"]


def _g():
    a, b, c = S
    return [sp.exp(a) * b + sp.log(c) + sp.sqrt(b + 1) + c ** sp.Rational(1, 3) - 3 * a,
            sp.sin(a) * sp.cos(b) + sp.cos(a) * sp.sin(b) + sp.sinh(c) / sp.cosh(a) + sp.sinh(a)
            + (1 - sp.tanh(b) ** 2) * a - 4 * b + 1 / (a + 2),
            sigmoid(c) * (1 - sigmoid(c)) * b + a ** 2 * c + sp.tanh(a) * sigmoid(b) - 5 * c]


@pytest.fixture(scope="module")
def program():
    """ds/dt = G(s) - p: every node kind; s* is a fixed point when p = G(s*) (by sympy's evalf)."""
    return compile_taylor([g - q for g, q in zip(_g(), P)], S, P)


def _point(complex_param: bool):
    """(state, params) at s* + r w + i h u (or with p + i h v), r = 10^-work, h = 10^-(work + 10)."""
    r, h = mpmath.mpf(10) ** -WORK, mpmath.mpf(10) ** -(WORK + 10)
    star = {s: sp.Rational(v) for s, v in zip(S, S_STAR)}
    p = [mpmath.mpf(g.subs(star).evalf(WORK + 20)) for g in _g()]
    x = [mpmath.mpf(v) + r * w for v, w in zip(S_STAR, (3, -2, 1))]
    if complex_param:
        return x, [mpmath.mpc(q, h * v) for q, v in zip(p, (1, -1, 2))]
    return [mpmath.mpc(v, h * u) for v, u in zip(x, (1, 2, -1))], p


def _imag_jets(backend, x, p, source=None):
    if source is not None:
        exec(compile(source, "<mutant>", "exec"), backend._namespace)  # noqa: S102 - test-made source
        backend.jet = backend._namespace["jet"]
    prec = mpmath.mp.prec
    with gmpy2_context(prec):
        engine = backend.engine(x, p, ORDER, prec)
        engine.expand()
        return [[mpmath.im(_mp(c)) for c in col] for col in engine.jets]


def _mp(v):
    return v if isinstance(v, (mpmath.mpf, mpmath.mpc)) else gmpy2_to_mpmath(v)


def _digits(ref, got):
    """Agreement over a step: max_k |got_k - ref_k| tau^k / max_j |ref_j| tau^j (the controller's S(tau)).

    tau is the step the controller takes on the reference jets. Per order the relative gap grows
    like r 2^k (a product of two increments sums k terms), but the terms of a step fall like e^-2k.
    """
    L = [float(mpmath.log(max(abs(col[k]) for col in ref), 2)) for k in range(ORDER + 1)]
    tau = mpmath.mpf(2) ** log2_step(L, -WORK * math.log2(10), ORDER)
    scale = max(max(abs(col[k]) for col in ref) * tau ** k for k in range(ORDER + 1))
    gap = max(max(abs(a[k] - b[k]) for a, b in zip(ref, got)) * tau ** k for k in range(ORDER + 1))
    return -mpmath.log10(gap / scale) if gap else mpmath.inf


def test_the_program_uses_every_node_kind(program):
    assert {node.kind for node in program.nodes} == KINDS


@pytest.mark.parametrize("numbers", ["gmpy2", "mpmath"])
@pytest.mark.parametrize("complex_param", [False, True], ids=["state-step", "param-step"])
def test_tangent_imaginary_jets_equal_full_ones(program, numbers, complex_param):
    with mpmath.workdps(WORK + 5):
        x, p = _point(complex_param)
        full = _imag_jets(MpmathBackend(program, numbers), x, p)
        tangent = _imag_jets(MpmathBackend(program, numbers, first_order=True), x, p)
        digits = _digits(full, tangent)
    assert digits >= WORK - 3, f"{mpmath.nstr(digits, 4)} digits"


def _mutations(program):
    """(name, target node, factor): each end term of each kind set to 0, on a node the field uses."""
    used = {r[1] for node in program.nodes for r in refs_of(node) if r[0] == "j"}
    used |= {o[1] for o in program.outputs if o[0] == "j"}
    partner = {"sin": "cos", "sinh": "cosh", "tanh": "tanh aux", "sigmoid": "sigmoid aux"}

    def node(kind, factor):
        for i, nd in enumerate(program.nodes):
            if nd.kind != kind:
                continue
            if kind == "div" and factor == "G" and nd.args[0][0] != "j":
                continue                      # a constant numerator has no n_k term
            if kind == "lin" and len(nd.args) < 2:
                continue
            out = nd.partner if factor == "H" and kind in ("sin", "sinh") else i
            if kind in ("tanh", "sigmoid") and factor == "H":
                out = next(j for j, m in enumerate(program.nodes) if m.kind == "aux" and m.args[0] == ("j", i))
            if out in used:
                return i
        raise AssertionError(f"no used {kind} node for {factor}")

    found = [(f"{kind} a_k term", node(kind, "G"), "G")
             for kind in ("mul", "div", "sqr", "exp", "log", "pow", "sqrt", "sin", "sinh", "tanh", "sigmoid")]
    for kind in ("mul", "div", "sin", "sinh", "tanh", "sigmoid"):
        found.append((f"{partner.get(kind, kind + ' b_k')} term", node(kind, "H"), "H"))
    found.append(("lin last term", node("lin", "lin"), "lin"))
    return found


class _Broken(TangentSourceWriter):
    def __init__(self, program, target, factor):
        super().__init__(program, "gmpy2")
        self.target, self.factor = target, factor

    def step(self, i, node):
        lines = super().step(i, node)
        if i != self.target:
            return lines
        if self.factor == "lin":
            return [re.sub(r" \+ [^+]*\)$", ")", line) for line in lines]
        return [re.sub(rf"\b{self.factor}{i} \* ", "0 * ", line) for line in lines]


@pytest.mark.parametrize("index", range(18))
def test_a_dropped_end_term_is_caught(program, index):
    """False variants: each end term (a_k b_0 of a product, the cos of a sin pair, ...) set to zero."""
    name, target, factor = _mutations(program)[index]
    source = _Broken(program, target, factor).source()
    assert source != TangentSourceWriter(program, "gmpy2").source(), name
    with mpmath.workdps(WORK + 5):
        x, p = _point(False)
        full = _imag_jets(MpmathBackend(program), x, p)
        broken = _imag_jets(MpmathBackend(program, first_order=True), x, p, source)
        digits = _digits(full, broken)
    assert digits < 3, f"{name}: {mpmath.nstr(digits, 4)} digits"


def test_mutation_list_is_complete(program):
    assert len(_mutations(program)) == 18


def test_a_real_solve_is_refused(program):
    backend = MpmathBackend(program, first_order=True)
    with mpmath.workdps(WORK), gmpy2_context(mpmath.mp.prec), pytest.raises(ValueError, match="complex-step"):
        backend.engine([mpmath.mpf(1)] * 3, [mpmath.mpf(0)] * 3, ORDER, mpmath.mp.prec)


# -- the direct route (Eq 15-16) on the built-ins --------------------------------------------------

def _setup(name, dps=30):
    precision = Precision(dps)
    compiled = compile_model(load_model(name))
    theta = compiled.theta_values(precision.work)
    with precision.context():
        s0 = free_fixed_point(compiled, theta, precision=precision).s
    return precision, compiled, Flows(compiled, "mpmath"), s0, theta


def _rel(a_rows, b_rows):
    worst = mpmath.mpf(0)
    for a, b in zip(a_rows, b_rows):
        scale = max(abs(v) for v in a) or mpmath.mpf(1)
        worst = max(worst, max(abs(x - y) for x, y in zip(a, b)) / scale)
    return worst


TIMES = ["0", "0.5", "2"]


@pytest.mark.parametrize("name", ["paper-hopfield", "paper-hopfield-readout", "riccati",
                                  "dense-associative-memory", "quadratic"])
def test_direct_route_unchanged_by_first_order_jets(name):
    precision, compiled, flows, s0, theta = _setup(name)
    with precision.context():
        times = [mpmath.mpf(t) for t in TIMES]
        full = direct.truncated_objective_gradient(compiled, flows, s0, theta, times, precision=precision,
                                                   first_order=False)
        tangent = direct.truncated_objective_gradient(compiled, flows, s0, theta, times, precision=precision,
                                                      first_order=True)
        for block in ("X", "Y"):
            err = _rel(getattr(full, block).values, getattr(tangent, block).values)
            assert err <= precision.eps * 100, f"{block}: {mpmath.nstr(err, 3)}"
        assert tangent.error_estimate <= 2 * full.error_estimate


UNSTABLE = """
name = "unstable"
description = "E = c (u^2 - 1)^2/4 - k v^2/2 - w sin(u) v, critical point (0, 0): a saddle (k < 0) or a maximum (k > 0)"
[state]
u = 0
v = 0
[params]
w = 0
[targets]
y = 1
[model]
energy = "c*(u**2 - 1)**2/4 - k*v**2/2 - w*sin(u)*v"
cost = "(u - y)**2/2 + exp(v)"
[inputs]
c = "3/2"
k = "K"
[values]
w = "1/7"
[settings]
initial_state = 0
"""


@pytest.mark.parametrize("k", ["-2/3", "1/3"], ids=["saddle", "maximum"])
def test_first_order_jets_at_an_unstable_fixed_point_over_long_times(k):
    """At a maximum or a saddle the increments grow like e^(|lambda_-| t): the first-order jets (with their
    own, higher order) still give the full recurrences' X and Y, to the working precision of their size."""
    from symbolic.spec import load_model_text

    precision = Precision(30)
    compiled = compile_model(load_model_text(UNSTABLE.replace('"K"', f'"{k}"')))
    theta = compiled.theta_values(precision.work)
    flows = Flows(compiled, "mpmath")
    with precision.context():
        s0 = free_fixed_point(compiled, theta, precision=precision).s
        times = [mpmath.mpf(t) for t in ("0", "1", "10", "30")]
        full, tangent = (direct.truncated_objective_gradient(compiled, flows, s0, theta, times, precision=precision,
                                                             first_order=fo) for fo in (False, True))
        for block in ("X", "Y"):
            err = _rel(getattr(full, block).values, getattr(tangent, block).values)
            assert err <= precision.eps * 100, f"{block}: {mpmath.nstr(err, 3)}"


def test_first_order_jets_away_from_a_fixed_point_are_caught():
    """False variant: from s0 + 1/10 (not a fixed point) the dropped products matter."""
    precision, compiled, flows, s0, theta = _setup("paper-hopfield")
    with precision.context():
        h = precision.complex_step
        base = [v + mpmath.mpf(1) / 10 for v in s0]
        D0 = [mpmath.mpc(0, h)] + [mpmath.mpc(0)] * (len(s0) - 1)
        runs = [flows.solve_nudged(base, theta, 0, [2], dps=precision.work, D0=D0, first_order=fo)
                for fo in (False, True)]
        full, tangent = ([[mpmath.im(v) / h for v in r.states[0]]] for r in runs)
        assert _rel(full, tangent) > mpmath.mpf(10) ** -3


def test_only_the_direct_routes_mpmath_flow_is_first_order():
    """EP's nudged solves (real, finite beta) keep the full recurrences; another backend keeps its own jets."""
    compiled = compile_model(load_model("riccati"))
    flows = Flows(compiled, "mpmath")
    assert flows.complex_step._impl.first_order and not flows.nudged._impl.first_order
    assert flows.complex_step.program is flows.nudged.program          # compiled once, two flavors
    for name in available_backends():
        if name != "mpmath":
            other = Flows(compiled, name)
            assert other.complex_step is other.nudged


def test_the_tangent_flavor_shares_the_jet_layout(program):
    """One ``source()`` for both flavors: the tangent writer adds its factor block and drops the loop's
    index split through hooks, and the lines outside the recurrences are the full flavor's."""
    assert "source" not in vars(TangentSourceWriter)
    full = program.jet_source("gmpy2").splitlines()
    tangent = program.jet_source("gmpy2", first_order=True).splitlines()
    assert full[0] == tangent[0] == "def jet(X, C, P):" and full[-1] == tangent[-1]
    assert [s for s in full if s.startswith("    C")] == [s for s in tangent if s.startswith("    C")]
    assert "        m = (k + 1) >> 1" in full and "        m = (k + 1) >> 1" not in tangent
