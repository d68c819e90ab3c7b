"""Writers: the derivation as text, LaTeX and JSON."""

from __future__ import annotations

import json

from ..derive import Derivation
from ..model import Model
from .names import SCHEMA, function_text, text_name
from .sections import Renderer, Section
from .texpr import EntryWise, Names


# ----------------------------------------------------------------------------- writers
def _header_lines(model: Model) -> list[str]:
    def shape(b):
        if b.shape == ():
            return "scalar"
        if len(b.shape) == 1:
            return "R^%d" % b.shape[0]
        return "R^%dx%d" % b.shape

    out = ["eqprop-verify derive: %s" % model.name]
    if model.description:
        out.append(model.description)
    out.append("state s = (%s)   n = %d" % (", ".join("%s ∈ %s" % (text_name(b.name), shape(b))
                                                       for b in model.state), model.n))
    out.append("params θ = (%s)   p = %d" % (", ".join("%s ∈ %s" % (text_name(b.name), shape(b))
                                                         for b in model.params), model.p))
    data = model.inputs + model.targets
    if data:
        out.append("data: %s" % ", ".join("%s ∈ %s" % (text_name(b.name), shape(b)) for b in data))
    if model.functions:
        out.append("functions: %s" % ", ".join("%s(u) = %s" % (function_text(k), v)
                                               for k, v in model.function_texts.items()))
    out.append("notation: ⊙ elementwise product, ᵀ transpose, juxtaposition matrix product, "
               "ρ' derivative of a declared function; s^0 free fixed point, s^β nudged fixed point, "
               "s^β(t) = S^β(s^0, t)")
    return out


def _eq_label(eqs) -> str:
    """``Eq 11, 12`` for a section of the paper's equations; empty for a derived object (H, M)."""
    return "Eq " + ", ".join(eqs) if eqs else ""


def _header(sec: Section, after_label: str, after_title: str) -> str:
    label = _eq_label(sec.equations)
    return (label + after_label if label else "") + sec.title + after_title + sec.description


def render_text(derivation: Derivation, renderer: Renderer | None = None) -> str:
    """The derivation as plain text (Unicode), one equation per state / parameter block."""
    r = renderer or Renderer(derivation)
    out = _header_lines(r.model)
    for sec in r.sections():
        out.append("")
        out.extend(section_text(sec, r.names))
    return "\n".join(out) + "\n"


def section_text(sec: Section, names: Names) -> list[str]:
    out = [_header(sec, "  ", ": ")]
    for line in sec.lines:
        rhs = [p.render_text(names) for p in line.pieces]
        last = line.pieces[-1].tensor if line.pieces else None
        if isinstance(last, EntryWise):
            head = "  %s = %s" % (line.lhs_text, " = ".join(rhs[:-1] + ["(entry-wise)"]))
            out.append(head)
            out.extend("      " + s for s in last.text_lines(line.pieces[-1].ctx, names))
        else:
            out.append("  %s = %s" % (line.lhs_text, " = ".join(rhs)))
    for note in sec.notes:
        out.append("  (%s)" % note)
    return out


def section_latex(sec: Section, names: Names) -> list[str]:
    out = ["% " + _header(sec, ": ", " -- ")]
    for note in sec.notes:
        out.append("% (" + note + ")")
    if not sec.lines:
        return out
    out.append(r"\begin{align*}")
    rows = []
    for k, line in enumerate(sec.lines):
        rhs = " = ".join(p.render_latex(names) for p in line.pieces)
        tag = r" \tag{%s}" % ", ".join(sec.equations) if k == 0 and sec.equations else ""
        rows.append("  %s &= %s%s" % (line.lhs_latex, rhs, tag))
    out.append(" \\\\\n".join(rows))
    out.append(r"\end{align*}")
    return out


def render_latex(derivation: Derivation, renderer: Renderer | None = None) -> str:
    """The derivation as a LaTeX fragment (``align*`` environments; needs ``amsmath``)."""
    r = renderer or Renderer(derivation)
    out = ["% " + line for line in _header_lines(r.model)]
    out.append("% requires \\usepackage{amsmath}")
    for sec in r.sections():
        out.append("")
        out.extend(section_latex(sec, r.names))
    return "\n".join(out) + "\n"


def latex_document(body: str) -> str:
    """A minimal complete document around :func:`render_latex` output (for compiling)."""
    return ("\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amsmath}\n"
            "\\usepackage[margin=1cm,paperwidth=60cm,paperheight=200cm]{geometry}\n"
            "\\begin{document}\n" + body + "\\end{document}\n")


def _tool_version() -> str:
    """The installed distribution's version (symbolic/ does not import verify/)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("eqprop-verify")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def render_json(derivation: Derivation, renderer: Renderer | None = None) -> dict:
    """The derivation as the ``eqprop-verify/derive/1`` JSON document (a dict)."""
    r = renderer or Renderer(derivation)

    m = r.model
    objects = []
    for sec in r.sections():
        objects.append({
            "name": sec.name,
            "equations": list(sec.equations),
            "description": sec.description,
            "text": "\n".join(section_text(sec, r.names)),
            "latex": "\n".join(section_latex(sec, r.names)),
            "components": r.components(sec.value),
        })
    return {
        "schema": SCHEMA,
        "tool": {"name": "eqprop-verify", "version": _tool_version()},
        "model": {"name": m.name, "description": m.description, "state": m.state_names(),
                  "params": m.param_names()},
        "objects": objects,
    }


def render(derivation: Derivation, fmt: str = "text") -> str:
    """The derivation in ``fmt`` (text, latex or json) as a string ending in a newline."""
    renderer = Renderer(derivation)
    if fmt == "text":
        return render_text(derivation, renderer)
    if fmt == "latex":
        return render_latex(derivation, renderer)
    if fmt == "json":
        return json.dumps(render_json(derivation, renderer), indent=2, ensure_ascii=False) + "\n"
    raise ValueError("unknown format %r (text, latex, json)" % fmt)
