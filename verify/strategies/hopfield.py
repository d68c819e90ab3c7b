"""The layered Hopfield family: the energy Eq 4 of depth 1-3, layers of 1-4 units, cost Eq 8.

rho is one of sigmoid, tanh, softplus; biases are optional. The coupling
||W|| between layers is drawn from :data:`COUPLING` (strong on purpose, see
:mod:`verify.strategies.instance`); with a learned read-out the cost depends
on theta (:mod:`verify.strategies.hopfield_readout`).
"""

from __future__ import annotations

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


def hopfield(src: Source, *, readout: bool = False, depth=(1, 3), size=(1, 4), input_size=(1, 3),
             activations: Sequence[str] = ACTIVATIONS) -> Instance:
    """The layered Hopfield energy Eq 4 (depth, sizes, rho drawn) with cost Eq 8 or a learned read-out.

    The coupling ||W|| between layers is drawn from :data:`COUPLING` (for the
    sigmoid, biases cancel the drive W rho(0) = W/2 so that strong coupling
    gives several minima rather than saturation). For depth >= 2 a target
    condition number is drawn (:func:`~.instance.draw_target`); with a target the
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
    target = draw_target(src) if L > 1 else None
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
    unit = dyadic(float(coupling) / norm) if raw else Fraction(0)
    inter = [[[v * unit for v in row] for row in W] for W in raw]
    to_x_raw = [[src.rational(1, 3) for _ in range(nx)] for _ in range(sizes[-1])]
    if not any(v for row in to_x_raw for v in row):
        to_x_raw[0][0] = Fraction(1, 2)
    offset = [[src.rational(1, 2) for _ in range(n)] for n in sizes]
    V = [[src.rational(1, 2) for _ in range(sizes[0])] for _ in range(ny)] if readout else None
    c = [src.rational(1, 2) for _ in range(ny)] if readout and src.boolean() else None
    init, start = initial_state(src, [(f"s{k}", sizes[k]) for k in range(L)])
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
        tuning = tune_fields(gradient_for, len(start), target, pick, seed=pick * 7919 + sum(sizes))
        if tuning is not None:
            lam, pos, init = tuning.lam, 0, {}
            for j in range(L):
                init[f"s{j}"] = vec(dyadic(v) for v in tuning.s[pos:pos + sizes[j]])
                pos += sizes[j]
            start = [float(Fraction(v)) for j in range(L) for v in init[f"s{j}"]]
            tuned = (f", fields scaled by {q(lam)} towards cond(H) ~ {target} "
                     f"(minimum {tuning.k + 1} of {tuning.count} with the fields off)")
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
    values: dict[str, Any] = {wname[k]: mat(inter[k]) for k in range(L - 1)}
    values[wname[-1]] = mat(to_x)
    if biases:
        for k in range(L):
            params[f"b{k}"] = sizes[k]
            values[f"b{k}"] = vec(b[k])
    if readout:
        params["V"] = [ny, sizes[0]]
        values["V"] = mat(V)
        if c:
            params["c"] = ny
            values["c"] = vec(c)
    family = "hopfield-readout" if readout else "hopfield"
    doc = {
        "name": f"random-{family}",
        "description": (f"layered Hopfield energy (Eq 4), depth {L}, layers {sizes}, rho = {act}, "
                        f"coupling ||W|| = {coupling}{tuned}" + (", learned read-out (theta-dependent cost)"
                                                          if readout else ", cost Eq 8")),
        "state": {nm: n for nm, n in zip(names, sizes)},
        "params": params,
        "inputs": {"x": vec(x)},
        "targets": {"y": vec(y)},
        "functions": {"rho": act},
        "model": {"energy": energy_text, "cost": cost},
        "values": {"seed": 0, "scale": 1, **values},
        "settings": {"initial_state": init},
    }

    return Instance(family, doc, gradient, start, coupling=f"{act} target={target}")



FAMILY = Family("hopfield", hopfield, "layered Hopfield energy (Eq 4), quadratic cost Eq 8",
                small={"size": (1, 2)})
