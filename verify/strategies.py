"""Random valid instances for property-based checking of Theorems 1-3 and Corollary 4.

Four families, each a model file drawn at random with exact rational values:

============== ===========================================================================
family         energy E and cost C
============== ===========================================================================
hopfield       layered Hopfield energy (Eq 4) of depth 1-3, layers of 1-4 units,
               rho in {sigmoid, tanh, softplus}, optional biases; quadratic cost Eq 8
hopfield-      the same energy with a learned read-out: C = 1/2 ||y - V s0 - c||^2,
readout        a theta-dependent cost (Eq 12's Y_0 is not zero)
polynomial     coercive polynomial in 1-3 scalar states: positive quartic terms plus
               random terms of degree <= 3, some with a parameter as coefficient
               (double wells, several minima); cost on the first state, sometimes
               theta-dependent
quadratic      E = 1/2 s^T A s - s^T b with A (symmetric positive definite) and b
               learned; cost 1/2 ||y - P s||^2, sometimes + b^T b / 8
============== ===========================================================================

Strongly coupled instances are drawn on purpose: with small weights the
Hopfield energy is nearly ||s||^2/2 (Hessian ~ identity) and tests little.
Each family draws a coupling level, up to Hessian condition numbers ~10^2
at the free fixed point and energies with several minima (the free phase
starts from a drawn initial state, so different draws reach different minima).

Every generator is a plain function of a :class:`Source` (a few draws of
integers), so the same code serves hypothesis (:class:`HypothesisSource`,
which shrinks well because every choice is an integer) and the reproducible
command-line sweep ``eqprop-verify random`` (:class:`RandomSource` over
``random.Random``). hypothesis is imported only by the strategy functions.

Degenerate draws (no convergence of the free flow, a saddle, a nearly
singular Hessian, condition number above :data:`COND_MAX`) are recognised by a
float64 :func:`screen` of the drawn energy (its gradient written out in numpy
per family, independent of the symbolic layer) and rejected: by ``assume`` in
hypothesis, by a redraw in the sweep. They are never counted as passes.
"""

from __future__ import annotations

import dataclasses
import math
import random
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np

from .extrapolate import METHODS

FAMILIES = ("hopfield", "hopfield-readout", "polynomial", "quadratic")
BETA_METHODS = tuple(METHODS)   # the registry verify.extrapolate.METHODS
MIN_FIELD = Fraction(1, 16)  # tuned fields are never switched off (symmetric points are degenerate tests)
FIELD_MAX = 4.0            # fields (input weights, biases) are scaled up to this many times the drawn ones
COND_MAX = 300.0           # instances whose Hessian at s_theta^0 is worse are rejected as degenerate
MIN_EIGENVALUE = 1e-4      # ... and those whose smallest eigenvalue is below this (nearly singular)
ACTIVATIONS = ("sigmoid", "tanh", "softplus")
TARGET_COND = (None, 3, 10, 30, 100)   # None: no tuning (the drawn fields as they are)
# Couplings with several minima when the fields (input and biases) are off: the Hessian at 0 is
# I - rho'(0)^2 W, singular at ||W|| = 1 (tanh) or 16 (sigmoid, rho'(0) = 1/4). softplus has no
# such regime (bounded below only for ||W|| < 1); its strongest couplings are near that bound.
STRONG_COUPLING = {
    "sigmoid": ("24", "32", "48"),
    "tanh": ("3/2", "2", "3"),
    "softplus": ("15/16", "31/32", "63/64"),
}

# Coupling levels: the spectral norm of the layer-to-layer weight matrix, per
# activation. The Hessian's off-diagonal blocks are ~ rho'(s)^2 W, and
# max rho' is 1/4 (sigmoid), 1 (tanh), 1 (softplus), so sigmoid needs ~16x the
# weights of tanh for the same coupling. softplus grows linearly: the energy is
# bounded below only while ||W|| < 1, hence its levels stay below 1.
COUPLING = {
    "sigmoid": ("1/2", "4", "8", "16", "24", "32", "48"),
    "tanh": ("1/8", "1/2", "1", "3/2", "2", "5/2", "3"),
    "softplus": ("1/8", "1/2", "3/4", "7/8", "15/16", "31/32", "63/64"),
}


# --------------------------------------------------------------------------------------
# sources of randomness
# --------------------------------------------------------------------------------------
class Source:
    """Where a generator's choices come from: integers in a range, an element, a bit."""

    def integer(self, lo: int, hi: int) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def choice(self, options: Sequence):
        return options[self.integer(0, len(options) - 1)]

    def boolean(self) -> bool:
        return bool(self.integer(0, 1))

    def rational(self, bound, bits: int) -> Fraction:
        """A rational k / 2^bits in [-bound, bound] (exact in a model file)."""
        scale = 2 ** bits
        top = int(Fraction(bound) * scale)
        return Fraction(self.integer(-top, top), scale)


class RandomSource(Source):
    """Choices from a ``random.Random`` (the command-line sweep; reproducible from a seed)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def integer(self, lo, hi):
        return self.rng.randint(lo, hi)


class HypothesisSource(Source):
    """Choices drawn through hypothesis (``data.draw`` of a composite strategy)."""

    def __init__(self, draw):
        self._draw = draw

    def integer(self, lo, hi):
        from hypothesis import strategies as st

        return self._draw(st.integers(lo, hi))

    def choice(self, options):
        from hypothesis import strategies as st

        return self._draw(st.sampled_from(list(options)))

    def boolean(self):
        from hypothesis import strategies as st

        return self._draw(st.booleans())


# --------------------------------------------------------------------------------------
# instances
# --------------------------------------------------------------------------------------
@dataclasses.dataclass
class Screening:
    """The float64 look at a drawn instance: where its free flow settles and how well-posed it is."""

    ok: bool
    reason: str | None
    s: Any = None                    # float64 fixed point
    eigenvalues: Any = None          # of the Hessian there, ascending
    cond: float = math.inf

    def describe(self) -> str:
        if not self.ok:
            return f"rejected: {self.reason}"
        return (f"strict minimum, Hessian eigenvalues in [{self.eigenvalues[0]:.3g}, {self.eigenvalues[-1]:.3g}], "
                f"cond {self.cond:.3g}")


@dataclasses.dataclass
class Instance:
    """A drawn model file (``doc``, the parsed TOML dict) with a float64 gradient for screening."""

    family: str
    doc: dict
    gradient: Callable       # numpy: dE/ds at s (flat, flattening order)
    start: list              # the free phase's initial state (flat)
    coupling: str = ""       # the drawn coupling level, for statistics
    _screening: Screening | None = None
    _model: Any = None

    @property
    def screening(self) -> Screening:
        if self._screening is None:
            self._screening = screen(self.gradient, self.start)
        return self._screening

    @property
    def model(self):
        """The :class:`symbolic.model.Model` (parsed once)."""
        if self._model is None:
            from symbolic.spec import model_from_dict

            doc = dict(self.doc)
            if self._screening is not None and self._screening.ok:
                doc["description"] = (doc.get("description", "") +
                                      f" [float64 screening: {self._screening.describe()}]")
            self._model = model_from_dict(doc, f"<random {self.family} instance>")
        return self._model

    def to_toml(self, **settings) -> str:
        """The model file text, with ``settings`` (dps, times, beta_method, ...) written in."""
        return model_file_text(with_settings(self.model, **settings))


def model_file_text(model) -> str:
    """``model.to_toml()``, with per-state initial values of scalar states written as numbers.

    (``Model.to_toml`` writes every per-state initial value as a list, which
    the model-file parser refuses for a scalar state; until it does not, the
    ``initial_state`` line is rewritten here so that the file loads back.)
    """
    text = model.to_toml()
    init = model.settings.get("initial_state")
    if not isinstance(init, dict) or all(b.shape != () for b in model.state if b.name in init):
        return text
    from symbolic.spec_writer import _num

    shapes = {b.name: b.shape for b in model.state}
    inner = ", ".join(f"{nm} = " + (_num(vals[0]) if shapes[nm] == () else
                                   "[" + ", ".join(_num(v) for v in vals) + "]")
                      for nm, vals in init.items())
    lines = [f"initial_state = {{ {inner} }}" if line.startswith("initial_state = {") else line
             for line in text.splitlines()]
    return "\n".join(lines) + "\n"


def with_settings(model, **settings):
    """A copy of ``model`` whose [settings] hold ``settings`` (a check then reproduces with no flags)."""
    import sympy as sp

    merged = dict(model.settings)
    for key, value in settings.items():
        if value is None:
            continue
        if key == "times":
            value = [sp.Rational(str(t)) for t in value]
        merged[key] = value
    return dataclasses.replace(model, settings=merged)


def _q(x: Fraction) -> str:
    """A rational as model-file text (exact: "p/q")."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _vec(values) -> list:
    return [_q(v) for v in values]


def _mat(rows) -> list:
    return [[_q(v) for v in row] for row in rows]


def _spectral_norm(blocks: list[np.ndarray], sizes: list[int]) -> float:
    """Spectral norm of the symmetric block-tridiagonal coupling matrix of the layers."""
    n = sum(sizes)
    A = np.zeros((n, n))
    off = np.cumsum([0] + sizes)
    for k, W in enumerate(blocks):
        A[off[k]:off[k + 1], off[k + 1]:off[k + 2]] = W
    A = A + A.T
    return float(np.max(np.abs(np.linalg.eigvalsh(A)))) if n else 0.0


def _scaled(raw: list[list[list[Fraction]]], factor: float) -> list[list[list[Fraction]]]:
    """``raw * factor`` with the factor rounded to a dyadic rational (values stay exact)."""
    f = Fraction(round(factor * 2 ** 8), 2 ** 8)
    return [[[v * f for v in row] for row in W] for W in raw]


_ACT = {
    "sigmoid": (lambda u: 1 / (1 + np.exp(-u)),
                lambda u: np.exp(-np.logaddexp(0, -u) - np.logaddexp(0, u))),
    "tanh": (np.tanh, lambda u: 1 / np.cosh(u) ** 2),
    "softplus": (lambda u: np.logaddexp(0, u), lambda u: 1 / (1 + np.exp(-u))),
}


def _initial_state(src: Source, blocks: list[tuple[str, int]], bound=2):
    """0 (the default) or a drawn point per state block, to reach different minima."""
    if not src.boolean():
        return 0, [0.0] * sum(max(size, 1) for _, size in blocks)
    table, flat = {}, []
    for name, size in blocks:
        vals = [src.rational(bound, 2) for _ in range(max(size, 1))]
        table[name] = _q(vals[0]) if size == 0 else _vec(vals)
        flat += [float(v) for v in vals] if size else [float(vals[0])]
    return table, flat


def hopfield(src: Source, *, readout: bool = False, depth=(1, 3), size=(1, 4), input_size=(1, 3),
             activations: Sequence[str] = ACTIVATIONS) -> Instance:
    """The layered Hopfield energy Eq 4 (depth, sizes, rho drawn) with cost Eq 8 or a learned read-out.

    The coupling ||W|| between layers is drawn from :data:`COUPLING` (for the
    sigmoid, biases cancel the drive W rho(0) = W/2 so that strong coupling
    gives several minima rather than saturation). For depth >= 2 a target
    condition number is drawn from :data:`TARGET_COND`; with a target the
    coupling is one of :data:`STRONG_COUPLING`, the minima with the fields
    (input weights and biases) off are found from several starting points,
    one is followed by continuation as the fields are switched on, and the
    fields are set where its Hessian's condition number reaches the target
    (near a fold, where that minimum merges with a saddle); the free phase
    starts next to it. Small weights alone give Hessians close to the
    identity: they test little.
    """
    L = src.integer(*depth)
    sizes = [src.integer(*size) for _ in range(L)]
    nx = src.integer(*input_size)
    act = src.choice(list(activations))
    target = TARGET_COND[src.integer(0, len(TARGET_COND) - 1)] if L > 1 else None
    levels = COUPLING[act] if target is None else STRONG_COUPLING[act]
    coupling = Fraction(levels[src.integer(0, len(levels) - 1)])
    biases = src.boolean()
    x = [src.rational(2, 2) for _ in range(nx)]
    if not any(x):       # rho(x) = 0 for tanh: no input at all, s = 0 by symmetry, dL/dtheta = 0
        x[0] = Fraction(1)
    ny = src.integer(1, 3) if readout else sizes[0]
    y = [src.rational(1, 2) for _ in range(ny)]
    # layer-to-layer weights: random directions, scaled to the drawn spectral norm
    raw = [[[src.rational(1, 3) for _ in range(sizes[k + 1])] for _ in range(sizes[k])] for k in range(L - 1)]
    norm = _spectral_norm([np.array(W, dtype=float) for W in raw], sizes) if raw else 0.0
    if norm == 0:
        raw = [[[Fraction(1) if i == j == 0 else Fraction(0) for j in range(sizes[k + 1])]
                for i in range(sizes[k])] for k in range(L - 1)]
        norm = 1.0 if raw else 0.0
    unit = Fraction(round(float(coupling) / norm * 2 ** 12), 2 ** 12) if raw else Fraction(0)
    inter = [[[v * unit for v in row] for row in W] for W in raw]
    to_x_raw = [[src.rational(1, 3) for _ in range(nx)] for _ in range(sizes[-1])]
    if not any(v for row in to_x_raw for v in row):
        to_x_raw[0][0] = Fraction(1, 2)
    offset = [[src.rational(1, 2) for _ in range(n)] for n in sizes]
    V = [[src.rational(1, 2) for _ in range(sizes[0])] for _ in range(ny)] if readout else None
    c = [src.rational(1, 2) for _ in range(ny)] if readout and src.boolean() else None
    init, start = _initial_state(src, [(f"s{k}", sizes[k]) for k in range(L)])
    pick = src.integer(0, 3) if target is not None else 0
    centered = act == "sigmoid" and L > 1
    biases = biases or centered or target is not None

    def fields(lam: Fraction):
        """Input weights and biases at field strength ``lam`` (exact); sigmoid biases cancel W rho(0)."""
        Wx = [[v * lam for v in row] for row in to_x_raw]
        bs = [[v * lam for v in o] for o in offset]
        if centered:  # rho(0) = 1/2: cancel the drive W rho(0) from the neighbouring layers at s = 0
            for k in range(L - 1):
                for i in range(sizes[k]):
                    bs[k][i] -= sum(inter[k][i], Fraction(0)) / 2
                for j in range(sizes[k + 1]):
                    bs[k + 1][j] -= sum((inter[k][i][j] for i in range(sizes[k])), Fraction(0)) / 2
        return Wx, bs

    rho, drho = _ACT[act]
    Wf = [np.array(W, dtype=float) for W in inter]
    Wx_raw = np.array(to_x_raw, dtype=float)
    rx = rho(np.array(x, dtype=float))
    offsets = np.cumsum([0] + sizes)
    centering = [np.zeros(n) for n in sizes]
    if centered:
        for k in range(L - 1):
            centering[k] = centering[k] - Wf[k].sum(axis=1) / 2
            centering[k + 1] = centering[k + 1] - Wf[k].sum(axis=0) / 2
    offset_f = [np.array([float(v) for v in o]) for o in offset]

    def gradient_for(lam: float):
        field_x = (Wx_raw * lam) @ rx
        bf = [o * lam + cb if biases else cb for o, cb in zip(offset_f, centering)]

        def gradient(s):
            s = np.asarray(s, dtype=float)
            layers = [s[offsets[k]:offsets[k + 1]] for k in range(L)]
            r = [rho(v) for v in layers]
            out = []
            for k in range(L):
                drive = field_x if k == L - 1 else Wf[k] @ r[k + 1]
                if k > 0:
                    drive = drive + Wf[k - 1].T @ r[k - 1]
                out.append(layers[k] - drho(layers[k]) * (drive + bf[k]))
            return np.concatenate(out)

        return gradient

    lam, tuned = Fraction(1), ""
    if target is not None and act != "softplus":
        # several minima with the fields off; follow them as the fields are switched on (and up to
        # FIELD_MAX times the drawn ones): a minimum the fields disfavour meets a saddle (a fold),
        # its condition number passing every bound on the way
        minima = find_minima(gradient_for(0.0), len(start), seed=pick * 7919 + sum(sizes))
        best = None
        for i in range(len(minima)):
            k = (pick + i) % len(minima)
            lam_k, s_k, reached = follow_to_condition(gradient_for, minima[k], 0.0, FIELD_MAX, target)
            cond_k = _condition(gradient_for(lam_k), s_k)
            if best is None or reached or cond_k > best[0]:
                best = (cond_k, lam_k, s_k, k)
            if reached:
                break
        if best is not None:
            _, lam_star, s_star, k = best
            lam = max(Fraction(round(lam_star * 2 ** 12), 2 ** 12), MIN_FIELD)
            s_star, _ = newton_float(gradient_for(float(lam)), s_star)
            pos, init = 0, {}
            for j in range(L):
                init[f"s{j}"] = _vec(Fraction(round(float(v) * 2 ** 12), 2 ** 12)
                                     for v in s_star[pos:pos + sizes[j]])
                pos += sizes[j]
            start = [float(Fraction(v)) for j in range(L) for v in init[f"s{j}"]]
            tuned = (f", fields scaled by {_q(lam)} towards cond(H) ~ {target} "
                     f"(minimum {k + 1} of {len(minima)} with the fields off)")
    to_x, b = fields(lam)
    gradient = gradient_for(float(lam))

    names = [f"s{k}" for k in range(L)]
    wname = [f"W{k}{k + 1}" for k in range(L)]  # W{L-1}{L} couples the last layer to x
    energy = ["(" + " + ".join(f"{s}.T*{s}" for s in names) + ")/2"]
    energy += [f"rho({names[k]}).T*{wname[k]}*rho({names[k + 1]})" for k in range(L - 1)]
    energy += [f"rho({names[-1]}).T*{wname[-1]}*rho(x)"]
    if biases:
        energy += [f"b{k}.T*rho({names[k]})" for k in range(L)]
    energy_text = energy[0] + "".join(" - " + term for term in energy[1:])
    if readout:
        pred = "V*s0" + (" + c" if c else "")
        cost = f"(y - {pred}).T*(y - {pred})/2"
    else:
        cost = "(y - s0).T*(y - s0)/2"
    params = {wname[k]: [sizes[k], sizes[k + 1]] for k in range(L - 1)}
    params[wname[-1]] = [sizes[-1], nx]
    values: dict[str, Any] = {wname[k]: _mat(inter[k]) for k in range(L - 1)}
    values[wname[-1]] = _mat(to_x)
    if biases:
        for k in range(L):
            params[f"b{k}"] = sizes[k]
            values[f"b{k}"] = _vec(b[k])
    if readout:
        params["V"] = [ny, sizes[0]]
        values["V"] = _mat(V)
        if c:
            params["c"] = ny
            values["c"] = _vec(c)
    family = "hopfield-readout" if readout else "hopfield"
    doc = {
        "name": f"random-{family}",
        "description": (f"layered Hopfield energy (Eq 4), depth {L}, layers {sizes}, rho = {act}, "
                        f"coupling ||W|| = {coupling}{tuned}" + (", learned read-out (theta-dependent cost)"
                                                          if readout else ", cost Eq 8")),
        "state": {nm: n for nm, n in zip(names, sizes)},
        "params": params,
        "inputs": {"x": _vec(x)},
        "targets": {"y": _vec(y)},
        "functions": {"rho": act},
        "model": {"energy": energy_text, "cost": cost},
        "values": {"seed": 0, "scale": 1, **values},
        "settings": {"initial_state": init},
    }

    return Instance(family, doc, gradient, start, coupling=f"{act} target={target}")


def hopfield_readout(src: Source, **kw) -> Instance:
    """:func:`hopfield` with a learned read-out V (and bias c): a theta-dependent cost."""
    return hopfield(src, readout=True, **kw)


def polynomial(src: Source, *, states=(1, 3), params=(1, 3)) -> Instance:
    """A coercive polynomial energy in scalar states; parameters are coefficients of low-degree terms.

    E = sum_i q_i s_i^4 + sum_{i<j} r_ij s_i^2 s_j^2 + (terms of degree <= 3),
    q_i > 0 and r_ij >= 0, so E grows like |s|^4 whatever theta is. Negative
    quadratic coefficients make double wells: several minima. For a drawn
    target condition number, the linear terms h_i s_i (the fields) are scaled
    as in :func:`hopfield`: a minimum is followed from fields off until its
    Hessian's condition number reaches the target, near a fold.
    """
    n = src.integer(*states)
    p = src.integer(*params)
    target = TARGET_COND[src.integer(0, len(TARGET_COND) - 1)]
    names = [f"s{i}" for i in range(n)]
    wnames = [f"w{k}" for k in range(p)]
    terms = []          # (rational coefficient, exponents, param index or None)
    for i in range(n):
        terms.append((Fraction(src.integer(2, 8), 32), _unit(n, i, 4), None))
    for i in range(n):
        for j in range(i + 1, n):
            if src.boolean():
                terms.append((Fraction(src.integer(1, 8), 32), _pair(n, i, 2, j, 2), None))
    for i in range(n):
        terms.append((src.rational(1, 2), _unit(n, i, 2), None))   # a_i s_i^2 (negative: a double well)
    for _ in range(src.integer(0, 3)):
        terms.append((src.rational(Fraction(1, 4), 3), _monomial(src, n, 3), None))
    for _ in range(src.integer(0, 2)):
        terms.append((src.rational(Fraction(1, 2), 2), _monomial(src, n, 2), None))
    fields = []   # always some: without odd terms s = 0 is a critical point by symmetry, where
    for i in range(n):   # terms w s_i^2 have no gradient and dL/dtheta vanishes identically
        if target is not None or i == 0 or src.boolean():
            h = src.rational(1, 2)
            fields.append((h if h != 0 else Fraction(1, 4), _unit(n, i, 1)))
    for k in range(p):   # every parameter is the coefficient of one term of degree 1-3
        degree = src.integer(1, 3)
        terms.append((Fraction(1), _monomial(src, n, degree), k))
    theta = [src.rational(Fraction(1, 2), 3) for _ in range(p)]
    y = src.rational(1, 2)
    theta_cost = src.integer(0, 2)       # 0: none, 1: w0*s0 (dC/dtheta depends on s), 2: w0**2/2
    init, start = _initial_state(src, [(nm, 0) for nm in names], bound=1)
    pick = src.integer(0, 3) if target is not None else 0

    exps = np.array([e for _, e, _ in terms] + [e for _, e in fields], dtype=float)   # terms x n
    base = np.array([float(c) if k is None else float(theta[k]) for c, _, k in terms] + [0.0] * len(fields))
    field_coefs = np.array([0.0] * len(terms) + [float(h) for h, _ in fields])
    # d/ds_i of c s^e = c e_i s^(e - 1_i)
    lowered = np.maximum(exps[None, :, :] - np.eye(n)[:, None, :], 0)   # n x terms x n

    def gradient_for(lam: float):
        factors = (base + lam * field_coefs)[None, :] * exps.T          # n x terms

        def gradient(s):
            s = np.asarray(s, dtype=float)
            return np.sum(factors * np.prod(s[None, None, :] ** lowered, axis=2), axis=1)

        return gradient

    lam, tuned = Fraction(1), ""
    if target is not None:
        minima = find_minima(gradient_for(0.0), n, seed=pick * 7919 + n, spread=4.0)
        best = None
        for i in range(len(minima)):
            k = (pick + i) % len(minima)
            lam_k, s_k, reached = follow_to_condition(gradient_for, minima[k], 0.0, FIELD_MAX, target)
            cond_k = _condition(gradient_for(lam_k), s_k)
            if best is None or reached or cond_k > best[0]:
                best = (cond_k, lam_k, s_k, k)
            if reached:
                break
        if best is not None:
            _, lam_star, s_star, k = best
            lam = max(Fraction(round(lam_star * 2 ** 12), 2 ** 12), MIN_FIELD)
            s_star, _ = newton_float(gradient_for(float(lam)), s_star)
            init = {nm: _q(Fraction(round(float(v) * 2 ** 12), 2 ** 12)) for nm, v in zip(names, s_star)}
            start = [float(Fraction(init[nm])) for nm in names]
            tuned = (f"; linear terms scaled by {_q(lam)} towards cond(H) ~ {target} "
                     f"(minimum {k + 1} of {len(minima)} without them)")
    all_terms = terms + [(h * lam, e, None) for h, e in fields]
    energy_text = " + ".join(_term_text(coef, e, names, wnames[k] if k is not None else None)
                             for coef, e, k in all_terms if k is not None or coef != 0)
    cost = "(s0 - y)**2/2" + {0: "", 1: " + w0*s0/2", 2: " + w0**2/2"}[theta_cost]
    doc = {
        "name": "random-polynomial",
        "description": f"coercive polynomial energy in {n} scalar states (quartic + terms of degree <= 3), "
                       f"{p} parameters as coefficients" + (", theta-dependent cost" if theta_cost else "")
                       + tuned,
        "state": {nm: 0 for nm in names},
        "params": {w: 0 for w in wnames},
        "targets": {"y": _q(y)},
        "model": {"energy": energy_text, "cost": cost},
        "values": {"seed": 0, "scale": 1, **{w: _q(v) for w, v in zip(wnames, theta)}},
        "settings": {"initial_state": init},
    }
    return Instance("polynomial", doc, gradient_for(float(lam)), start, coupling=f"target={target}")


def _unit(n, i, power):
    e = [0] * n
    e[i] = power
    return e


def _pair(n, i, pi, j, pj):
    e = [0] * n
    e[i], e[j] = pi, pj
    return e


def _monomial(src: Source, n: int, degree: int) -> list[int]:
    e = [0] * n
    for _ in range(degree):
        e[src.integer(0, n - 1)] += 1
    return e


def _term_text(coef: Fraction, exps, names, param):
    factors = [param] if param else []
    if coef != 1 or not factors and not any(exps):
        factors.insert(0, f"({_q(coef)})")
    for nm, e in zip(names, exps):
        if e == 1:
            factors.append(nm)
        elif e > 1:
            factors.append(f"{nm}**{e}")
    return "*".join(factors)


def quadratic(src: Source, *, states=(1, 4)) -> Instance:
    """E = 1/2 s^T A s - s^T b, A symmetric positive definite and b learned (closed forms everywhere).

    A = L L^T + mu I with L lower triangular: mu sets the conditioning
    (cond(A) up to ~10^2-10^3 for the smallest mu; above COND_MAX rejected).
    """
    n = src.integer(*states)
    Lmat = [[src.rational(1, 2) if j <= i else Fraction(0) for j in range(n)] for i in range(n)]
    mu = Fraction(1, 2 ** src.integer(0, 7)) * src.choice([Fraction(1), Fraction(3, 2)])
    A = [[sum((Lmat[i][k] * Lmat[j][k] for k in range(n)), Fraction(0)) + (mu if i == j else 0)
          for j in range(n)] for i in range(n)]
    b = [src.rational(1, 2) for _ in range(n)]
    m = src.integer(1, n)
    P = [[src.rational(1, 1) for _ in range(n)] for _ in range(m)]
    if all(v == 0 for row in P for v in row):
        P[0][0] = Fraction(1)
    y = [src.rational(1, 2) for _ in range(m)]
    theta_cost = src.boolean()
    cost = "(y - P*s).T*(y - P*s)/2" + (" + b.T*b/8" if theta_cost else "")
    doc = {
        "name": "random-quadratic",
        "description": f"quadratic energy 1/2 s^T A s - s^T b in {n} states, A = L L^T + {mu} I"
                       + (", theta-dependent cost" if theta_cost else ""),
        "state": {"s": n},
        "params": {"A": [n, n], "b": n},
        "inputs": {"P": _mat(P)},
        "targets": {"y": _vec(y)},
        "model": {"energy": "s.T*A*s/2 - s.T*b", "cost": cost},
        "values": {"seed": 0, "scale": 1, "A": _mat(A), "b": _vec(b)},
    }
    Af, bf = np.array(A, dtype=float), np.array(b, dtype=float)

    def gradient(s):
        return Af @ np.asarray(s, dtype=float) - bf

    return Instance("quadratic", doc, gradient, [0.0] * n, coupling=f"mu={mu}")


GENERATORS: dict[str, Callable[..., Instance]] = {
    "hopfield": hopfield,
    "hopfield-readout": hopfield_readout,
    "polynomial": polynomial,
    "quadratic": quadratic,
}


# --------------------------------------------------------------------------------------
# float64 screening
# --------------------------------------------------------------------------------------
class _FieldAdapter:
    """Lets :func:`verify.fixed_point.relax` follow the drawn gradient: the same relaxation as a check."""

    def __init__(self, gradient):
        self.extended_field_numpy = lambda s, theta, beta=0.0: -gradient(np.asarray(s, dtype=float))


def hessian(gradient, s, h=1e-6) -> np.ndarray:
    """d^2E/ds^2 by central differences of the gradient (float64), symmetrised."""
    s = np.asarray(s, dtype=float)
    n = len(s)
    H = np.empty((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        H[:, j] = (gradient(s + e) - gradient(s - e)) / (2 * h)
    return (H + H.T) / 2


def find_critical_point(gradient, start, *, t_max=200.0):
    """Relax along -dE/ds from ``start`` (as a check does), then Newton in float64.

    Returns ``(s, converged, reason)``.
    """
    from .fixed_point import relax

    s, _, reason = relax(_FieldAdapter(gradient), [], start, t_max=t_max, tol=1e-10)
    if not np.all(np.isfinite(s)):
        return s, False, reason or "the free flow diverges"
    with np.errstate(all="ignore"):
        for _ in range(50):
            g = gradient(s)
            if not np.all(np.isfinite(g)):
                return s, False, "the gradient is not finite"
            if np.max(np.abs(g)) < 1e-12 * (1 + np.max(np.abs(s))):
                return s, True, None
            try:
                step = np.linalg.solve(hessian(gradient, s), g)
            except np.linalg.LinAlgError:
                return s, False, "singular Hessian in Newton's method"
            s = s - step
            if not np.all(np.isfinite(s)) or np.max(np.abs(s)) > 1e6:
                return s, False, "Newton's method diverges"
    g = gradient(s)
    ok = np.max(np.abs(g)) < 1e-9 * (1 + np.max(np.abs(s)))
    return s, bool(ok), None if ok else f"no critical point (|dE/ds| = {np.max(np.abs(g)):.3g})"


def newton_float(gradient, s, *, steps=30):
    """Newton's method in float64 from ``s`` (no relaxation); ``(s, converged)``."""
    s = np.asarray(s, dtype=float)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = gradient(s)
            if not np.all(np.isfinite(g)):
                return s, False
            if np.max(np.abs(g)) < 1e-12 * (1 + np.max(np.abs(s))):
                return s, True
            try:
                s = s - np.linalg.solve(hessian(gradient, s), g)
            except np.linalg.LinAlgError:
                return s, False
            if not np.all(np.isfinite(s)):
                return s, False
    return s, bool(np.max(np.abs(gradient(s))) < 1e-9 * (1 + np.max(np.abs(s))))


def _condition(gradient, s):
    eig = np.linalg.eigvalsh(hessian(gradient, s))
    return (float(np.max(np.abs(eig)) / max(np.min(np.abs(eig)), 1e-300)) if eig[0] > 0 else math.inf)


def find_minima(gradient, n: int, *, seed: int = 0, starts: int = 6, spread: float = 3.0) -> list:
    """Distinct strict minima the free flow reaches from ``starts`` seeded random points (float64)."""
    rng = np.random.default_rng(seed)
    found: list[np.ndarray] = []
    for _ in range(starts):
        s, ok, _ = find_critical_point(gradient, list(rng.uniform(-spread, spread, n)))
        if not ok or _condition(gradient, s) == math.inf:
            continue
        if not any(np.max(np.abs(s - f)) < 1e-6 * (1 + np.max(np.abs(f))) for f in found):
            found.append(s)
    return found


def follow_to_condition(gradient_for, s0, lam0: float, lam1: float, target: float, *, steps: int = 32):
    """Follow the minimum s0 of ``gradient_for(lam0)`` as lam moves to lam1, until cond(H) reaches ``target``.

    The condition number of a minimum grows without bound at a fold, where
    it merges with a saddle; once a step passes ``target`` (or the minimum is
    lost), lam is bisected to meet the target. Without a fold on the way, the
    lam whose minimum is worst conditioned is returned. Returns ``(lam, s)``.
    """
    best = (_condition(gradient_for(lam0), s0), lam0, s0)
    if best[0] >= target:
        return lam0, s0, True
    lam_prev, s_prev = lam0, np.asarray(s0, dtype=float)
    for k in range(1, steps + 1):
        lam = lam0 + (lam1 - lam0) * k / steps
        grad = gradient_for(lam)
        s, ok = newton_float(grad, s_prev)
        c = _condition(grad, s) if ok and np.max(np.abs(s - s_prev)) <= 0.5 else math.inf
        if c < math.inf and c > best[0]:
            best = (c, lam, s)
        if c >= target:
            lo, hi, s_lo = lam_prev, lam, s_prev    # cond(lo) < target <= cond(hi) (or lost at hi)
            for _ in range(40):
                mid = (lo + hi) / 2
                g_mid = gradient_for(mid)
                s_mid, ok_mid = newton_float(g_mid, s_lo)
                c_mid = (_condition(g_mid, s_mid)
                         if ok_mid and np.max(np.abs(s_mid - s_lo)) <= 0.5 else math.inf)
                if c_mid < target:
                    lo, s_lo = mid, s_mid
                else:
                    hi = mid
                if abs(hi - lo) < 1e-10:
                    break
            return lo, s_lo, True
        lam_prev, s_prev = lam, s
    return best[1], best[2], False


def screen(gradient, start, *, cond_max=COND_MAX, min_eigenvalue=MIN_EIGENVALUE) -> Screening:
    """Is the drawn instance usable: a strict minimum, reached from ``start``, not too ill-conditioned?"""
    s, converged, reason = find_critical_point(gradient, start)
    if not converged:
        return Screening(False, reason, s)
    eig = np.sort(np.linalg.eigvalsh(hessian(gradient, s)))
    cond = float(np.max(np.abs(eig)) / max(np.min(np.abs(eig)), 1e-300))
    if eig[0] <= 0:
        return Screening(False, f"saddle point (smallest Hessian eigenvalue {eig[0]:.3g})", s, eig, cond)
    if eig[0] < min_eigenvalue:
        return Screening(False, f"nearly singular Hessian (smallest eigenvalue {eig[0]:.3g})", s, eig, cond)
    if cond > cond_max:
        return Screening(False, f"Hessian condition number {cond:.3g} > {cond_max:g}", s, eig, cond)
    return Screening(True, None, s, eig, cond)


def count_minima(instance: Instance, starts: int = 12, seed: int = 0, spread: float = 3.0) -> int:
    """How many distinct strict minima the free flow reaches from ``starts`` random points (statistics)."""
    rng = np.random.default_rng(seed)
    found: list[np.ndarray] = []
    n = len(instance.start)
    for _ in range(starts):
        s, ok, _ = find_critical_point(instance.gradient, list(rng.uniform(-spread, spread, n)))
        if not ok or np.linalg.eigvalsh(hessian(instance.gradient, s))[0] <= 0:
            continue
        if not any(np.max(np.abs(s - f)) < 1e-6 * (1 + np.max(np.abs(f))) for f in found):
            found.append(s)
    return len(found)


# --------------------------------------------------------------------------------------
# drawing: plain (sweep) and hypothesis (property tests)
# --------------------------------------------------------------------------------------
def draw_times(src: Source, *, max_times: int = 3, t_max: int = 3) -> list[Fraction]:
    """1 to ``max_times`` distinct times in [0, t_max] (eighths), at least one of them > 0."""
    k = src.integer(1, max_times)
    times = {Fraction(src.integer(0, 8 * t_max), 8) for _ in range(k)}
    if src.boolean():
        times.add(Fraction(0))
    if max(times) == 0:
        times.add(Fraction(1, 2))
    return sorted(times)


def draw_valid(family: str, rng: random.Random, *, max_tries: int = 500, min_cond: float = 1.0,
               **kw) -> tuple[Instance, int]:
    """A screened instance of ``family`` from ``rng``, redrawing degenerate ones (and, with
    ``min_cond``, better conditioned ones); returns it and how many draws were rejected."""
    generator = GENERATORS[family]
    for tries in range(max_tries):
        inst = generator(RandomSource(rng), **kw)
        if inst.screening.ok and inst.screening.cond >= min_cond:
            return inst, tries
    raise RuntimeError(f"no valid {family} instance with cond(H) >= {min_cond:g} in {max_tries} draws")


def instances(family: str | Sequence[str] = FAMILIES, **kw):
    """hypothesis strategy: screened :class:`Instance` objects of one family (or of several, drawn)."""
    from hypothesis import assume, event, strategies as st

    families = [family] if isinstance(family, str) else list(family)

    @st.composite
    def build(draw):
        src = HypothesisSource(draw)
        fam = src.choice(families) if len(families) > 1 else families[0]
        inst = GENERATORS[fam](src, **kw)
        sc = inst.screening
        if not sc.ok:
            event(f"rejected {fam}: {sc.reason.split(' (')[0]}")
        assume(sc.ok)
        return inst

    return build()


def models(family: str | Sequence[str] = FAMILIES, **kw):
    """hypothesis strategy: valid :class:`~symbolic.model.Model` objects (write one out with ``.to_toml()``)."""
    return instances(family, **kw).map(lambda inst: inst.model)


def hopfield_models(**kw):
    """Layered Hopfield models (Eq 4, Eq 8): depth 1-3, layers of 1-4, rho sigmoid/tanh/softplus."""
    return models("hopfield", **kw)


def hopfield_readout_models(**kw):
    """Layered Hopfield models with a learned read-out: theta-dependent costs."""
    return models("hopfield-readout", **kw)


def polynomial_models(**kw):
    """Random coercive polynomial energies in 1-3 scalar states (several minima)."""
    return models("polynomial", **kw)


def quadratic_models(**kw):
    """Quadratic energies with a learned SPD matrix, conditioned up to COND_MAX."""
    return models("quadratic", **kw)


def times(max_times: int = 3, t_max: int = 3):
    """hypothesis strategy: sorted lists of exact times (Fractions), at least one > 0."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        return draw_times(HypothesisSource(draw), max_times=max_times, t_max=t_max)

    return build()


def beta_methods(methods: Sequence[str] = BETA_METHODS):
    """hypothesis strategy: a beta -> 0 method (``--beta-method``)."""
    from hypothesis import strategies as st

    return st.sampled_from(list(methods))
