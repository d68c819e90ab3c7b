"""The model zoo as model-file texts (DESIGN.md format)."""

from __future__ import annotations

SETTINGS = """
[settings]
dps = 40
times = [0, 0.5, 1, 2, 5]
initial_state = 0
"""


def paper_hopfield_text(s0: int = 2, s1: int = 3, s2: int = 3, x: int = 2, *,
                        readout: bool = False, seed: int = 0) -> str:
    """The paper's layered Hopfield net: energy Eq 4, cost Eq 8, rho = logistic sigmoid.

    ``readout=True`` gives the theta-dependent cost C = 1/2 ||y - V s0||^2 with V learned.
    """
    xs = ", ".join(f'"{(-1) ** i * (i + 1) / 10 * 5:g}"' for i in range(x))
    ys = ", ".join(f'"{(i + 2) / (s0 + 3):.6g}"' for i in range(s0))
    name = "paper-hopfield-readout" if readout else "paper-hopfield"
    desc = ("Layered Hopfield energy (Scellier & Bengio, Eq 4) with rho = logistic sigmoid"
            + (" and a learned linear read-out: C = 1/2 ||y - V s0||^2 (theta-dependent cost)"
               if readout else " and the quadratic cost Eq 8"))
    cost = "(y - V*s0).T*(y - V*s0)/2" if readout else "(y - s0).T*(y - s0)/2"
    extra_param = f"V = [{s0}, {s0}]\n" if readout else ""
    identity = ("V = [" + ", ".join("[" + ", ".join("1" if i == j else "0" for j in range(s0)) + "]"
                                    for i in range(s0)) + "]\n") if readout else ""
    return f'''name = "{name}"
description = "{desc}"

[state]
s0 = {s0}
s1 = {s1}
s2 = {s2}

[params]
W01 = [{s0}, {s1}]
W12 = [{s1}, {s2}]
W23 = [{s2}, {x}]
{extra_param}
[inputs]
x = [{xs}]

[targets]
y = [{ys}]

[functions]
rho = "sigmoid"

[model]
energy = "(s0.T*s0 + s1.T*s1 + s2.T*s2)/2 - rho(s0).T*W01*rho(s1) - rho(s1).T*W12*rho(s2) - rho(s2).T*W23*rho(x)"
cost = "{cost}"

[values]
seed = {seed}
scale = 1
{identity}{SETTINGS}'''


QUADRATIC = '''name = "quadratic"
description = "Linear-quadratic energy E = 1/2 s^T A s - s^T (B theta + b), A symmetric positive definite, with a cost quadratic in s and theta; every quantity of the paper has a closed form"

[state]
s = 3

[params]
theta = 2

[inputs]
A = [["2", "1/2", "0"], ["1/2", "3/2", "1/4"], ["0", "1/4", "1"]]
B = [["1", "0"], ["1/2", "1"], ["0", "-1"]]
b = ["1/10", "-1/5", "3/10"]

[targets]
y = ["1/2", "-1/4", "1"]

[model]
energy = "s.T*A*s/2 - s.T*(B*theta + b)"
cost = "(y - s).T*(y - s)/2 + theta.T*theta/20"

[values]
seed = 0
theta = ["3/10", "-7/10"]
''' + SETTINGS

RICCATI = '''name = "riccati"
description = "One-dimensional cubic energy E = a s^2/2 - b s^3/3 - c s: the free and nudged flows ds/dt = b s^2 - a s + c - beta (s - y) are Riccati equations with closed-form solutions"

[state]
s = 0

[params]
a = 0
b = 0
c = 0

[targets]
y = 1

[model]
energy = "a*s**2/2 - b*s**3/3 - c*s"
cost = "(s - y)**2/2"

[values]
seed = 0
a = 2
b = "1/2"
c = "1/2"
''' + SETTINGS

DENSE_ASSOCIATIVE_MEMORY = '''name = "dense-associative-memory"
description = "Modern (dense) Hopfield energy E = -log sum_i exp(X_i . xi) + 1/2 xi^T xi (log-sum-exp, inverse temperature 1), from H. Ramsauer et al., 'Hopfield Networks is All You Need', ICLR 2021, Eq (2); after D. Krotov and J. J. Hopfield, 'Dense Associative Memory for Pattern Recognition', NeurIPS 2016. The stored patterns X are learned; the cost pulls the retrieved state to a target."

[state]
xi = 3

[params]
X = [3, 4]

[targets]
y = ["1/2", "-1/2", "1/4"]

[model]
energy = "-log(sum(exp(X.T*xi))) + xi.T*xi/2"
cost = "(y - xi).T*(y - xi)/2"

[values]
seed = 3
scale = "1/2"
''' + SETTINGS

BUILTINS = {
    "paper-hopfield": lambda: paper_hopfield_text(),
    "paper-hopfield-readout": lambda: paper_hopfield_text(readout=True),
    "quadratic": lambda: QUADRATIC,
    "riccati": lambda: RICCATI,
    "dense-associative-memory": lambda: DENSE_ASSOCIATIVE_MEMORY,
}


def builtin_text(name: str) -> str:
    """The model file text of the built-in model ``name``."""
    return BUILTINS[name]()
