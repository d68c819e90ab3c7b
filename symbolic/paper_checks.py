"""The audit's sympy checks of the paper (Eq 4-8, 18, 29, 31, 32, 34, 51-52, 56, 61): exact, no numerics.

``eqprop-verify audit`` (:mod:`verify.audit`) reads :data:`CHECKS`, one
function per equation number returning a :class:`Claim` or a list of them:

- pure calculus on abstract functions for the steps of the proofs (Eq 29,
  32, 34, 51-52): the residual of the claimed identity simplifies to 0;
- closed-form counterexamples to the misprints (Eq 56, 61) and the one
  well-formedness failure (Eq 31: a time argument E has not);
- the paper's example (Eq 4-8, 18) against the built-in paper-hopfield
  model: Eq 5-7 as printed do not type-check (rho'(s)^T . (...) is a scalar),
  their elementwise reading equals -dE/ds of Eq 4, with the printed reading's
  value at a rational state beside the true one.

An identity whose residual sympy cannot reduce to 0 is undecided
(``inconclusive``), never false.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import sympy as sp
from mpmath.libmp import to_str

from .derive import derive
from .load import load_model

CHECKS: dict[str, Callable[[], "Claim | list[Claim]"]] = {}


def checks(*numbers):
    """Register the decorated function as the sympy check of equations ``numbers``."""
    def register(fn):
        for n in numbers:
            CHECKS[n] = fn
        return fn
    return register


def _decimal(x) -> str:
    """An exact value to 12 significant digits (correctly rounded, in mpmath.nstr's format)."""
    return to_str(sp.Float(sp.N(x, 30), 30)._mpf_, 12)


@dataclasses.dataclass
class Claim:
    """What sympy says of one equation as printed (``role`` printed) or of its corrected form."""

    outcome: str                 # holds | fails | inconclusive
    text: str
    role: str = "printed"        # printed | corrected
    counterexample: str = ""


def claim(outcome, text, role="printed", counterexample=""):
    return Claim(outcome, text, role, counterexample)


def proved(residuals, text):
    """Three-valued, as sympy's ``equals``: a residual that does not simplify to 0 is undecided, not false."""
    residuals = residuals if isinstance(residuals, (list, tuple)) else [residuals]
    if all(r == 0 for r in residuals):
        return claim("holds", text)
    return claim("inconclusive", text + " (sympy could not reduce the residual to 0; undecided)")


@checks("29")
def eq29():
    t, u = sp.symbols("t u", real=True)
    f = sp.Function("L")
    r = sp.simplify(sp.diff(f(t + u), t) - sp.diff(f(t + u), u))
    return proved(r, f"d/dt L(t+u) - d/du L(t+u) = {r} for an arbitrary differentiable L")


def _abstract_2d():
    a, b_, t, th = sp.symbols("a b t theta", real=True)
    return a, b_, t, th, [a, b_]


@checks("32")
def eq32():
    a, b_, t, th, s = _abstract_2d()
    L, E = sp.Function("L")(a, b_, t), sp.Function("E")(a, b_)
    eq27 = sp.diff(L, t) + sum(sp.diff(L, x) * sp.diff(E, x) for x in s)
    res = [sp.simplify(sp.diff(eq27, x) - (sp.diff(L, t, x) + sum(sp.diff(L, x, y) * sp.diff(E, y) for y in s)
                                           + sum(sp.diff(L, y) * sp.diff(E, y, x) for y in s))) for x in s]
    return proved(res, f"d/ds of Eq 27 minus Eq 32 = {res} (s in R^2, L(s,t), E(s) arbitrary)")


@checks("34")
def eq34():
    a, b_, t, th, s = _abstract_2d()
    L, E = sp.Function("L")(th, a, b_, t), sp.Function("E")(th, a, b_)
    eq27 = sp.diff(L, t) + sum(sp.diff(L, x) * sp.diff(E, x) for x in s)
    printed = sp.diff(L, t, th) + sum(sp.diff(L, x, th) * sp.diff(E, x) for x in s) \
        + sum(sp.diff(L, x) * sp.diff(E, x, th) for x in s)
    r = sp.simplify(sp.diff(eq27, th) - printed)
    return proved(r, f"d/dtheta of Eq 27 minus Eq 34 = {r} (s in R^2, theta scalar)")


@checks("51", "52")
def eq51():
    a, b_, t, th, s = _abstract_2d()
    beta = sp.Symbol("beta", real=True)
    S = [sp.Function("S1")(t, beta), sp.Function("S2")(t, beta)]
    E, C = sp.Function("E")(a, b_), sp.Function("C")(a, b_)
    Eb = E + beta * C
    sub = dict(zip(s, S))
    grad = [sp.diff(Eb, x) for x in s]
    res = []
    for i in range(2):
        lhs = sp.diff(-grad[i].subs(sub), beta)       # d/dbeta of the right side of Eq 50 = d/dt dS/dbeta
        printed = -sp.diff(grad[i], beta).subs(sub) - sum(sp.diff(grad[i], y).subs(sub) * sp.diff(Sy, beta)
                                                         for y, Sy in zip(s, S))
        res.append(sp.simplify(lhs - printed))
    return proved(res, f"d/dbeta of Eq 50's right side minus Eq 51-52's = {res} (s in R^2)")


TEXT_56 = "FAILS on a linear-quadratic closed form (counterexample below)"


TEXT_61 = "FAILS on a one-dimensional model with a theta-dependent cost (counterexample below)"


@checks("56")
def eq56():
    t, beta = sp.symbols("t beta", real=True)
    a, y = sp.symbols("a y", positive=True)
    S = sp.Function("S")
    # E = a s^2/2 (s_theta^0 = 0), C = (s - y)^2/2: ds/dt = -a s - beta (s - y), S(0) = 0
    sol = sp.dsolve(sp.Eq(S(t).diff(t), -a * S(t) - beta * (S(t) - y)), S(t), ics={S(0): 0}).rhs
    Z = sp.simplify(sp.diff(sol, beta).subs(beta, 0))
    printed = sp.simplify(sp.diff(Z, t) - (-a * Z))
    eq53 = sp.simplify(sp.diff(Z, t) - (y - a * Z))
    W = sp.diff(Z, t)
    corrected = sp.simplify(sp.diff(W, t) + a * W)
    ok = printed != 0 and eq53 == 0 and corrected == 0
    counter = (f"E = a s^2/2, C = (s - y)^2/2 (s_theta^0 = 0): dS^beta/dbeta|0 = {Z}; "
               f"d/dt of it minus (-a times it) = {printed} != 0; Eq 53 holds (residual {eq53}); "
               f"d/dt W + a W = {corrected} for W = d2S/dt dbeta|0")
    return claim("fails" if ok else "inconclusive", TEXT_56 if ok else counter, counterexample=counter)


@checks("61")
def eq61():
    s, a, c, v, y, beta = sp.symbols("s a c v y beta", real=True)
    E = a * s ** 2 / 2 - c * s
    C = (y - v * s) ** 2 / 2
    s0 = c / a
    theta = [a, c, v]
    Ytilde0 = [sp.simplify(sp.diff(sp.diff(E + beta * C, th).subs(s, s0), beta)) for th in theta]
    values = {a: 1, c: 1, v: 1, y: 2}
    nums = [sp.nsimplify(x.subs(values)) for x in Ytilde0]
    counter = (f"E = a s^2/2 - c s, C = (y - v s)^2/2, theta = (a, c, v): since S^beta(s0, 0) = s0, "
               f"Y~_0 = dC/dtheta(s0) = {Ytilde0}; at a = c = v = 1, y = 2: {nums} != 0")
    ok = any(x != 0 for x in nums)
    return claim("fails" if ok else "inconclusive", TEXT_61 if ok else counter, counterexample=counter)


# -- the paper's example (Eq 4-8, 18), on the built-in paper-hopfield model --------------------

@dataclasses.dataclass
class _Hopfield:
    model: object
    blocks: dict
    rho: object
    field: object

    def r(self, v):
        return v.applyfunc(self.rho)

    def rp(self, v):
        return v.applyfunc(lambda u: sp.diff(self.rho(u), u))

    def slice(self, name):
        start = 0
        for b in self.model.state:
            if b.name == name:
                return self.field[start:start + b.size, 0]
            start += b.size
        raise KeyError(name)

    def evaluate(self, expr, state):
        """expr (exact) at the rational state ``state`` (flat), with the model's theta, rho and inputs."""
        m = self.model
        values = dict(zip(m.s, state)) | dict(zip(m.theta, (sp.Rational(v) for v in m.theta_values)))
        out = m.concrete(expr).subs(values)
        return list(out) if isinstance(out, sp.MatrixBase) else [out]


_HOPFIELD = {}


def _hopfield():
    if "h" not in _HOPFIELD:
        m = load_model("paper-hopfield")
        blocks = {b.name: b.as_sympy() for b in m.state + m.params + m.inputs + m.targets}
        _HOPFIELD["h"] = _Hopfield(m, blocks, m.user_function("rho"), derive(m).field)
    return _HOPFIELD["h"]


def _generic_state(model):
    """s_i = (-1)^i (i+1)/10: a state where no layer's equation holds by accident."""
    return [sp.Rational((-1) ** i * (i + 1), 10) for i in range(model.n)]


@checks("4")
def eq4():
    h = _hopfield()
    B, r = h.blocks, h.r
    shapes = {k: B[k].shape for k in ("s0", "s1", "s2", "W01", "W12", "W23", "x")}
    ok_shapes = (shapes["W01"] == (shapes["s0"][0], shapes["s1"][0]) and shapes["W12"] == (shapes["s1"][0], shapes["s2"][0])
                 and shapes["W23"] == (shapes["s2"][0], shapes["x"][0]))
    E4 = ((B["s0"].T * B["s0"] + B["s1"].T * B["s1"] + B["s2"].T * B["s2"]) / 2
          - r(B["s0"]).T * B["W01"] * r(B["s1"]) - r(B["s1"]).T * B["W12"] * r(B["s2"])
          - r(B["s2"]).T * B["W23"] * r(B["x"]))
    diff = sp.expand(E4[0, 0] - h.model.energy)
    ok = ok_shapes and diff == 0
    return claim("holds" if ok else "fails", f"well-formed (W01: {shapes['W01']}, W12: {shapes['W12']}, "
                f"W23: {shapes['W23']} match the layers; every term is 1x1); the built-in paper-hopfield energy "
                f"minus Eq 4 expands to {diff}")


LAYERS = {
    "5": ("s0", "rho'(s0)^T . W01 . rho(s1)", lambda h, B: (B["W01"] * h.r(B["s1"]), {}),
          "ds0/dt = rho'(s0) * (W01 rho(s1)) - s0   (* elementwise)"),
    "6": ("s1", "rho'(s1)^T . (W12 . rho(s2) + W10 . rho(s0)) with W10 := W01^T",
          lambda h, B: (B["W12"] * h.r(B["s2"]) + B["W01"].T * h.r(B["s0"]), {"W10": "W01^T"}),
          "ds1/dt = rho'(s1) * (W12 rho(s2) + W01^T rho(s0)) - s1   (* elementwise; W10 = W01^T)"),
    "7": ("s2", "rho'(s2)^T . (W23 . rho(x) + W21 . rho(s1)) with W21 := W12^T",
          lambda h, B: (B["W23"] * h.r(B["x"]) + B["W12"].T * h.r(B["s1"]), {"W21": "W12^T"}),
          "ds2/dt = rho'(s2) * (W23 rho(x) + W12^T rho(s1)) - s2   (* elementwise; W21 = W12^T)"),
}
"""Eq 5-7: the layer, the printed right side, (its inner vector, symbols it uses undefined), the corrected form."""


def _layer(eq):
    h = _hopfield()
    B = h.blocks
    layer, printed_text, inner_fn, _ = LAYERS[eq]
    inner, undefined = inner_fn(h, B)
    sv = B[layer]
    literal = h.rp(sv).T * inner                      # rho'(s)^T . (...): a 1x1 matrix
    try:
        literal - sv
        shape_note = ""
    except sp.ShapeError:
        shape_note = (f"as printed, {printed_text} is {literal.shape[0]}x{literal.shape[1]} (a scalar: a transposed "
                      f"vector times a vector) while {layer} is {sv.shape[0]}x{sv.shape[1]}: shape mismatch")
    undefined_note = (f"; {', '.join(undefined)} {'is' if len(undefined) == 1 else 'are'} not defined in the text "
                      f"(theta = (W01, W12, W23)), read here as {', '.join(f'{k} = {v}' for k, v in undefined.items())}"
                      if undefined else "")
    correct = h.slice(layer)
    elementwise = sp.matrix_multiply_elementwise(h.rp(sv), inner) - sv
    residual = sp.simplify(elementwise - correct)
    state = _generic_state(h.model)
    lit_values = [v - x for v, x in zip(h.evaluate(literal[0, 0], state) * sv.shape[0],
                                        h.evaluate(sv, state))]
    true_values = h.evaluate(correct, state)
    j = max(range(len(true_values)), key=lambda i: abs(sp.N(lit_values[i] - true_values[i], 30)))
    names = [str(x) for x in sv]
    counter = (f"paper-hopfield at the state s_i = (-1)^i (i+1)/10: reading the scalar as added to every "
               f"component, the printed right side gives {names[j]}' = {_decimal(lit_values[j])} where "
               f"-dE/d{names[j]} = {_decimal(true_values[j])}")
    printed = claim("fails", f"{shape_note}{undefined_note} (numbers below)", counterexample=f"{shape_note}; {counter}")
    corrected = claim("holds" if residual == sp.zeros(*residual.shape) else "inconclusive",
                     f"the elementwise form equals -dE/d{layer} of Eq 4 (difference simplifies to "
                     f"{list(residual)})", role="corrected")
    return [printed, corrected]


for _eq in LAYERS:
    CHECKS[_eq] = (lambda e: (lambda: _layer(e)))(_eq)


@checks("8")
def eq8():
    h = _hopfield()
    B = h.blocks
    C8 = ((B["y"] - B["s0"]).T * (B["y"] - B["s0"]))[0, 0] / 2
    diff = sp.expand(C8 - h.model.cost)
    return claim("holds" if diff == 0 else "fails", f"well-formed; the built-in paper-hopfield cost minus Eq 8 "
                f"expands to {diff}")


@checks("18")
def eq18():
    h = _hopfield()
    d = derive(h.model)
    beta = d.beta
    nudge = sp.simplify(d.extended_field - d.field)
    s0, y = h.blocks["s0"], h.blocks["y"]
    expected = list(beta * (y - s0)) + [0] * (h.model.n - s0.shape[0])
    diff = [sp.simplify(a - b) for a, b in zip(nudge, expected)]
    ok = all(x == 0 for x in diff)
    return claim("holds" if ok else "fails", "the text's expansion ds/dt = -dE/ds - beta dC/ds, and for the cost "
                f"Eq 8 the 'force' beta (y - s0) on s0 and 0 on s1, s2 (paper-hopfield: difference {diff})")


@checks("31")
def eq31():
    text = ("as printed the last factor is dE/ds(S^0(s,u), t): E_theta(s) has no time argument (with the input "
            "written, E_theta(x, s), the second argument would be the state), so the expression is not "
            "well-formed; the intended factor is dE/ds(S^0(s,u))")
    return claim("fails", text, counterexample="dE/ds(S^0(s,u), t) has one argument too many (E has no time argument)")

