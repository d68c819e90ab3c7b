"""The layered Hopfield family: the energy Eq 4 of depth 1-3, layers of 1-4 units, cost Eq 8.

rho is one of sigmoid, tanh, softplus; biases are optional. The coupling
||W|| between layers is drawn from :data:`COUPLING` (strong on purpose, see
:mod:`verify.strategies.instance`); with a learned read-out the cost depends
on theta (:mod:`verify.strategies.hopfield_readout`).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from .instance import Family, Instance, draw_target, initial_state, tune_fields
from .source import Source, dyadic, mat, q, vec

ACTIVATIONS = ("sigmoid", "tanh", "softplus")

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


def _spectral_norm(blocks: list[np.ndarray], sizes: list[int]) -> float:
    """Spectral norm of the symmetric block-tridiagonal coupling matrix of the layers."""
    n = sum(sizes)
    A = np.zeros((n, n))
    off = np.cumsum([0] + sizes)
    for k, W in enumerate(blocks):
        A[off[k]:off[k + 1], off[k + 1]:off[k + 2]] = W
    A = A + A.T
    return float(np.max(np.abs(np.linalg.eigvalsh(A)))) if n else 0.0


_ACT = {
    "sigmoid": (lambda u: 1 / (1 + np.exp(-u)),
                lambda u: np.exp(-np.logaddexp(0, -u) - np.logaddexp(0, u))),
    "tanh": (np.tanh, lambda u: 1 / np.cosh(u) ** 2),
    "softplus": (lambda u: np.logaddexp(0, u), lambda u: 1 / (1 + np.exp(-u))),
}


def _layer_weights(src: Source, sizes: list[int], coupling: Fraction) -> list:
    """Layer-to-layer weights: random directions (exact), scaled to the spectral norm ``coupling``."""
    L = len(sizes)
    raw = [[[src.rational(1, 3) for _ in range(sizes[k + 1])] for _ in range(sizes[k])] for k in range(L - 1)]
    norm = _spectral_norm([np.array(W, dtype=float) for W in raw], sizes) if raw else 0.0
    if norm == 0:
        raw = [[[Fraction(1) if i == j == 0 else Fraction(0) for j in range(sizes[k + 1])]
                for i in range(sizes[k])] for k in range(L - 1)]
        norm = 1.0 if raw else 0.0
    unit = dyadic(float(coupling) / norm) if raw else Fraction(0)
    return [[[v * unit for v in row] for row in W] for W in raw]


@dataclasses.dataclass
class _Network:
    """A drawn layered network: exact weights, and its fields (input weights, biases) at any strength.

    With the sigmoid in a deep network (``centered``), biases cancel the drive
    W rho(0) = W/2 from the neighbouring layers at s = 0, so that strong
    coupling gives several minima rather than saturation.
    """

    act: str
    sizes: list
    x: list                 # the input
    inter: list             # layer-to-layer weights W_{k,k+1}
    to_x: list              # last layer to input, before scaling by the field strength
    offset: list            # biases, before scaling by the field strength
    biases: bool
    centered: bool

    def fields(self, lam: Fraction):
        """Input weights and biases at field strength ``lam`` (exact)."""
        Wx = [[v * lam for v in row] for row in self.to_x]
        bs = [[v * lam for v in o] for o in self.offset]
        if self.centered:
            for k, W in enumerate(self.inter):
                for i in range(self.sizes[k]):
                    bs[k][i] -= sum(W[i], Fraction(0)) / 2
                for j in range(self.sizes[k + 1]):
                    bs[k + 1][j] -= sum((W[i][j] for i in range(self.sizes[k])), Fraction(0)) / 2
        return Wx, bs

    def gradient_for(self, lam: float):
        """dE/ds in float64 (numpy, written out from Eq 4 independently of the symbolic layer) at field strength lam."""
        rho, drho = _ACT[self.act]
        L, sizes = len(self.sizes), self.sizes
        Wf = [np.array(W, dtype=float) for W in self.inter]
        offsets = np.cumsum([0] + sizes)
        centering = [np.zeros(n) for n in sizes]
        if self.centered:
            for k in range(L - 1):
                centering[k] = centering[k] - Wf[k].sum(axis=1) / 2
                centering[k + 1] = centering[k + 1] - Wf[k].sum(axis=0) / 2
        field_x = (np.array(self.to_x, dtype=float) * lam) @ rho(np.array(self.x, dtype=float))
        bf = [np.array([float(v) for v in o]) * lam + cb if self.biases else cb
              for o, cb in zip(self.offset, centering)]

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

    def energy_text(self) -> str:
        """Eq 4 for this depth (with biases b_k^T rho(s_k) where drawn)."""
        L = len(self.sizes)
        names = [f"s{k}" for k in range(L)]
        wname = [f"W{k}{k + 1}" for k in range(L)]  # W{L-1}{L} couples the last layer to x
        energy = ["(" + " + ".join(f"{s}.T*{s}" for s in names) + ")/2"]
        energy += [f"rho({names[k]}).T*{wname[k]}*rho({names[k + 1]})" for k in range(L - 1)]
        energy += [f"rho({names[-1]}).T*{wname[-1]}*rho(x)"]
        if self.biases:
            energy += [f"b{k}.T*rho({names[k]})" for k in range(L)]
        return energy[0] + "".join(" - " + term for term in energy[1:])

    def params_and_values(self, lam: Fraction):
        """The [params] shapes and [values] of the weights and biases at field strength ``lam``."""
        L, sizes = len(self.sizes), self.sizes
        to_x, b = self.fields(lam)
        params: dict[str, Any] = {f"W{k}{k + 1}": [sizes[k], sizes[k + 1]] for k in range(L - 1)}
        params[f"W{L - 1}{L}"] = [sizes[-1], len(self.x)]
        values: dict[str, Any] = {f"W{k}{k + 1}": mat(self.inter[k]) for k in range(L - 1)}
        values[f"W{L - 1}{L}"] = mat(to_x)
        if self.biases:
            for k in range(L):
                params[f"b{k}"] = sizes[k]
                values[f"b{k}"] = vec(b[k])
        return params, values


def hopfield(src: Source, *, readout: bool = False, depth=(1, 3), size=(1, 4), input_size=(1, 3),
             activations: Sequence[str] = ACTIVATIONS) -> Instance:
    """The layered Hopfield energy Eq 4 (depth, sizes, rho drawn) with cost Eq 8 or a learned read-out.

    The coupling ||W|| between layers is drawn from :data:`COUPLING`. For
    depth >= 2 a target condition number is drawn
    (:func:`~.instance.draw_target`); with a target the coupling is one of
    :data:`STRONG_COUPLING` and the fields (input weights and biases) are
    tuned towards it (:func:`~.instance.tune_fields`); the free phase starts
    next to the tuned minimum. Small weights alone give Hessians close to the
    identity: they test little.
    """
    L = src.integer(*depth)
    sizes = [src.integer(*size) for _ in range(L)]
    nx = src.integer(*input_size)
    act = src.choice(list(activations))
    target = draw_target(src) if L > 1 else None
    levels = COUPLING[act] if target is None else STRONG_COUPLING[act]
    coupling = Fraction(levels[src.integer(0, len(levels) - 1)])
    biases = src.boolean()
    x = [src.rational(2, 2) for _ in range(nx)]
    if not any(x):       # rho(x) = 0 for tanh: no input at all, s = 0 by symmetry, dL/dtheta = 0
        x[0] = Fraction(1)
    ny = src.integer(1, 3) if readout else sizes[0]
    y = [src.rational(1, 2) for _ in range(ny)]
    inter = _layer_weights(src, sizes, coupling)
    to_x = [[src.rational(1, 3) for _ in range(nx)] for _ in range(sizes[-1])]
    if not any(v for row in to_x for v in row):
        to_x[0][0] = Fraction(1, 2)
    offset = [[src.rational(1, 2) for _ in range(n)] for n in sizes]
    V = [[src.rational(1, 2) for _ in range(sizes[0])] for _ in range(ny)] if readout else None
    c = [src.rational(1, 2) for _ in range(ny)] if readout and src.boolean() else None
    init, start = initial_state(src, [(f"s{k}", sizes[k]) for k in range(L)])
    pick = src.integer(0, 3) if target is not None else 0
    centered = act == "sigmoid" and L > 1
    net = _Network(act, sizes, x, inter, to_x, offset, biases or centered or target is not None, centered)

    lam, tuned = Fraction(1), ""
    if target is not None and act != "softplus":
        tuning = tune_fields(net.gradient_for, len(start), target, pick, seed=pick * 7919 + sum(sizes))
        if tuning is not None:
            lam, pos, init = tuning.lam, 0, {}
            for j in range(L):
                init[f"s{j}"] = vec(dyadic(v) for v in tuning.s[pos:pos + sizes[j]])
                pos += sizes[j]
            start = [float(Fraction(v)) for j in range(L) for v in init[f"s{j}"]]
            tuned = (f", fields scaled by {q(lam)} towards cond(H) ~ {target} "
                     f"(minimum {tuning.k + 1} of {tuning.count} with the fields off)")

    params, values = net.params_and_values(lam)
    if readout:
        pred = "V*s0" + (" + c" if c else "")
        cost = f"(y - {pred}).T*(y - {pred})/2"
        params["V"] = [ny, sizes[0]]
        values["V"] = mat(V)
        if c:
            params["c"] = ny
            values["c"] = vec(c)
    else:
        cost = "(y - s0).T*(y - s0)/2"
    family = "hopfield-readout" if readout else "hopfield"
    doc = {
        "name": f"random-{family}",
        "description": (f"layered Hopfield energy (Eq 4), depth {L}, layers {sizes}, rho = {act}, "
                        f"coupling ||W|| = {coupling}{tuned}" + (", learned read-out (theta-dependent cost)"
                                                          if readout else ", cost Eq 8")),
        "state": {f"s{k}": n for k, n in enumerate(sizes)},
        "params": params,
        "inputs": {"x": vec(x)},
        "targets": {"y": vec(y)},
        "functions": {"rho": act},
        "model": {"energy": net.energy_text(), "cost": cost},
        "values": {"seed": 0, "scale": 1, **values},
        "settings": {"initial_state": init},
    }
    return Instance(family, doc, net.gradient_for(float(lam)), start, coupling=f"{act} target={target}")


FAMILY = Family("hopfield", hopfield, "layered Hopfield energy (Eq 4), quadratic cost Eq 8",
                small={"size": (1, 2)})
