"""symbolic.display: vector forms are verified, the fallback is entry-wise, the LaTeX compiles.

LaTeX validity, in three layers: (1) always, a structural check of every
output (balanced braces, matched environments and \\left/\\right, and every
control sequence from a known list, so a typo such as ``\\odto`` fails);
(2) if ``pdflatex`` is installed, every built-in model's output wrapped in a
minimal document is compiled with ``-halt-on-error``; (3) otherwise each
equation row is parsed by matplotlib's mathtext (a TeX math parser; it does
not know ``pmatrix``, so rows with an entry-wise block are only checked by (1)).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import sympy as sp

from symbolic import derive, load_model
from symbolic.display import (PLAIN, EntryWise, Renderer, Transpose, block_form, expression_text_latex,
                              latex_document, latex_name, render, render_json, render_latex, render_text,
                              verify)
from symbolic.model import Block
from symbolic.spec import load_model_text
from symbolic.zoo import BUILTINS, paper_hopfield_text

KNOWN_MACROS = {
    "frac", "left", "right", "odot", "top", "circ", "partial", "lim", "to", "tag", "begin", "end",
    "operatorname", "mathrm", "mathbf", "text", "sqrt", "exp", "log", "tanh", "sinh", "cosh", "sin",
    "cos", "cdot", "infty", "prime",
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}
KNOWN_ENVIRONMENTS = {"align*", "pmatrix"}


@pytest.fixture(scope="module", params=list(BUILTINS))
def rendered(request):
    """(name, derivation, renderer, latex); the renderer caches every block's form."""
    d = derive(load_model(request.param))
    r = Renderer(d)
    return request.param, d, r, render_latex(d, r)


@pytest.fixture(scope="module")
def texts():
    return {}


def text_of(rendered, texts):
    name, d, r, _ = rendered
    if name not in texts:
        texts[name] = render_text(d, r)
    return texts[name]


def latex_structure_errors(tex: str) -> list[str]:
    errors = []
    body = "\n".join(line for line in tex.splitlines() if not line.lstrip().startswith("%"))
    plain = re.sub(r"\\[{}]", "", body)
    depth = 0
    for ch in plain:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            errors.append("unbalanced }")
            break
    if depth > 0:
        errors.append("unbalanced {")
    for macro in set(re.findall(r"\\([A-Za-z]+)", body)) - KNOWN_MACROS:
        errors.append(f"unknown macro \\{macro}")
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", body):
        if env not in KNOWN_ENVIRONMENTS:
            errors.append(f"unknown environment {env}")
        if kind == "begin":
            stack.append(env)
        elif not stack or stack.pop() != env:
            errors.append(f"\\end{{{env}}} does not close the open environment")
    if stack:
        errors.append(f"unclosed environments {stack}")
    for row in re.split(r"\\\\", body):
        if len(re.findall(r"\\left\b", row)) != len(re.findall(r"\\right\b", row)):
            errors.append(f"\\left/\\right unbalanced in: {row[:80]}")
    return errors


def test_latex_is_well_formed(rendered):
    name, _, _, tex = rendered
    assert latex_structure_errors(tex) == []
    assert r"\tag{1}" in tex and r"\tag{11}" in tex and r"\tag{24}" in tex


def test_the_structure_check_catches_errors():
    assert latex_structure_errors(r"\frac{a}{b") == ["unbalanced {"]
    assert latex_structure_errors(r"a \odto b") == ["unknown macro \\odto"]
    assert latex_structure_errors(r"\begin{align*} \left( a \end{align*}")


def _align_rows(tex):
    rows = []
    for block in re.findall(r"\\begin\{align\*\}(.*?)\\end\{align\*\}", tex, re.S):
        rows += block.split("\\\\\n")
    return rows


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (mathtext fallback runs)")
def test_latex_compiles_with_pdflatex(rendered, tmp_path):
    name, _, _, tex = rendered
    (tmp_path / "doc.tex").write_text(latex_document(tex), encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (tmp_path / "doc.pdf").exists()


@pytest.mark.skipif(shutil.which("pdflatex") is not None, reason="compiled with pdflatex instead")
def test_latex_rows_parse_with_mathtext(rendered):
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    _, _, _, tex = rendered
    for row in _align_rows(tex):
        row = re.sub(r"\\tag\{[^}]*\}", "", row).replace("&", "").strip()
        if "pmatrix" not in row:
            parser.parse("$" + row + "$")


def test_every_printed_form_was_verified(rendered, texts):
    """Each block printed in vector form expands back to exactly the derivation's entries."""
    name, d, r, _ = rendered
    text_of(rendered, texts)
    assert r.checks
    for key, entries, dims, form in r.checks:
        assert verify(form, entries, dims), (name, key)
    vector_forms = [f for *_, f in r.checks if not isinstance(f, EntryWise)]
    assert vector_forms, name


def test_no_entry_wise_fallback_for_the_built_in_models(rendered, texts):
    name = rendered[0]
    assert "(entry-wise)" not in text_of(rendered, texts), name


def test_a_wrong_vector_form_is_rejected():
    """verify() compares component by component: W01 in place of W01ᵀ fails."""
    m = load_model_text(paper_hopfield_text(2, 2, 2, 2))
    d = derive(m)
    r = Renderer(d)
    r.sections()
    key, entries, dims, form = next(c for c in r.checks if c[0] == ("field", "s1"))
    assert verify(form, entries, dims)
    text = form.text(PLAIN, r.names)[0]
    assert "W01ᵀ" in text
    wrong = _swap_transpose(form)
    assert wrong != form
    assert not verify(wrong, entries, dims)


def _swap_transpose(t):
    """The same tensor expression with every transposed leaf un-transposed."""
    import dataclasses

    if isinstance(t, Transpose) and not isinstance(t.arg, Transpose):
        return t.arg
    if dataclasses.is_dataclass(t):
        changes = {}
        for f in dataclasses.fields(t):
            v = getattr(t, f.name)
            if isinstance(v, tuple):
                changes[f.name] = tuple(_swap_transpose(x) for x in v)
            elif hasattr(v, "components") and not isinstance(v, sp.Basic):
                changes[f.name] = _swap_transpose(v)
        return dataclasses.replace(t, **changes) if changes else t
    return t


def test_unrecognisable_blocks_fall_back_to_their_entries():
    """An entry outside the recognised language (here Abs) is printed entry-wise, exactly."""
    m = load_model("quadratic")
    r = Renderer(derive(m))
    s = m.s
    entries = {(i,): sp.Abs(s[i]) * s[(i + 1) % 3] for i in range(3)}
    form = block_form(entries, (3,), r.names)
    assert isinstance(form, EntryWise)
    assert verify(form, entries, (3,))


def test_layers_of_size_one_never_print_an_undetermined_orientation():
    """With every layer of size 1, W01 and W01ᵀ agree: the entries are printed instead."""
    d = derive(load_model_text(paper_hopfield_text(1, 1, 1, 1)))
    r = Renderer(d)
    text = render(d, "text")
    r.sections()
    assert all(verify(f, e, dims) for _, e, dims, f in r.checks)
    dynamics = text.split("Eq 1 ")[1].split("Eq 2 ")[0]
    assert "ᵀ" not in dynamics and "W01 ρ(s1)" not in dynamics
    assert "W01[0,0] ρ(s1[0]) ρ'(s0[0]) - s0[0]" in dynamics


def test_naming_convention():
    assert latex_name("s0") == "s_{0}"
    assert latex_name("W01") == "W_{01}"
    assert latex_name("xi") == r"\xi"
    assert latex_name("theta") == r"\theta"
    assert latex_name("W_in") == r"W_{\mathrm{in}}"
    assert latex_name("hidden") == r"\mathrm{hidden}"
    assert Block("s0", (2,)).component_names() == ["s0[0]", "s0[1]"]
    tex = render_latex(derive(load_model("paper-hopfield")))
    assert r"\frac{d s_{0}}{d t} &= \rho'\left(s_{0}\right) \odot" in tex


def test_expression_text_keeps_precedence():
    m = load_model("riccati")
    assert expression_text_latex("a - (b - c)", m)[0] == "a - (b - c)"
    assert expression_text_latex("(a**b)**c", m)[0] == "(a^b)^c"
    assert expression_text_latex("a/(b*c)", m) == ("a/(b c)", r"\frac{a}{b\, c}")
    assert expression_text_latex("(-s)**2", m)[0] == "(-s)^2"


def test_json_document(rendered):
    name, d, r, _ = rendered
    doc = json.loads(json.dumps(render_json(d, r), ensure_ascii=False))
    assert doc["schema"] == "eqprop-verify/derive/1"
    assert doc["model"]["name"] == name
    n, p = d.model.n, d.model.p
    sizes = {"free_dynamics": n, "extended_dynamics": n, "fixed_point_condition": n,
             "cauchy_X0": n, "cauchy_Y0": p, "cauchy_dX": n, "cauchy_dY": p, "hessian": n * n,
             "mixed_hessian": p * n, "ep_gradient": p, "ep_truncated": p, "extended_energy": 1}
    objects = {o["name"]: o for o in doc["objects"]}
    for obj_name, size in sizes.items():
        o = objects[obj_name]
        assert len(o["components"]) == size, obj_name
        if obj_name in ("hessian", "mixed_hessian"):  # the matrices of Eq 13, 14: no label of their own
            assert o["equations"] == [] and not o["text"].startswith("Eq ") and o["latex"]
        else:
            assert o["equations"] and o["text"].startswith("Eq ") and o["latex"]
        assert all(isinstance(c, str) and c for c in o["components"])
    assert objects["free_dynamics"]["equations"] == ["1"]


def test_json_components_are_the_derivation_entries():
    """The strings are the entries themselves (ASCII names; rho' for a derivative)."""
    d = derive(load_model("paper-hopfield"))
    doc = render_json(d)
    comps = next(o for o in doc["objects"] if o["name"] == "ep_gradient")["components"]
    assert comps[0] == "-rho(s0[0])*rho(s1[0])"
    field = next(o for o in doc["objects"] if o["name"] == "free_dynamics")["components"]
    assert field[0].count("rho'(s0[0])") == 3 and field[0].endswith("- s0[0]")


MIXED = """
name = "mixed"
[state]
c = 0
v = 2
[params]
w = 2
k = 0
[targets]
y = 1
[functions]
sat = "u/(1 + u**2)"
[model]
energy = "c**2/2 + v.T*v/2 - c*w.T*tanh(v) - k*sat(c)*sum(v)"
cost = "(c - y)**2/2 + k**2"
"""


def test_scalar_and_vector_blocks_together():
    """A scalar state beside a vector one: column and row blocks of H, sums, a user function."""
    d = derive(load_model_text(MIXED, "<mixed>"))
    r = Renderer(d)
    text = render_text(d, r)
    assert all(verify(f, e, dims) for _, e, dims, f in r.checks)
    assert "(entry-wise)" not in text
    assert "dc/dt = k sat'(c) sum(v) + tanh(v)ᵀ w - c" in text
    assert "dv/dt = k sat(c) 𝟏 - c tanh(v)^∘2 ⊙ w + c w - v" in text
    assert "H[c,v] = ∂²E/∂c∂v = (tanh(v)^∘2 ⊙ w - k sat'(c) 𝟏 - w)ᵀ" in text
    assert "∂E^β/∂k = 2 β k - sat(c) sum(v)" in text
    assert latex_structure_errors(render_latex(d, r)) == []
