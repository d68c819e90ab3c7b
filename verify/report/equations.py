"""The derived equations of the paper, specialised to the model, for the report.

Source: :mod:`symbolic.display` (vector form per block, as the paper writes
Eq 5-7), converted to MathML by :mod:`.mathml`. A section the converter cannot
read, or a missing display module, falls back to sympy's presentation MathML
printer on the component-wise expressions of :class:`symbolic.derive.Derivation`
(one row per component): less readable, never wrong.
"""

from __future__ import annotations

import dataclasses

import sympy as sp
from sympy.printing.mathml import mathml as sympy_mathml

from symbolic.derive import derive

from .mathml import MATHML_NS, UnsupportedLatex, align_rows, to_mathml

#: sections the report shows, in the paper's order (display's names)
ORDER = ["free_dynamics", "fixed_point_condition", "extended_energy", "extended_dynamics",
         "nudged_fixed_point_condition", "cauchy_X0", "cauchy_Y0", "cauchy_dX", "cauchy_dY", "hessian",
         "mixed_hessian", "ep_gradient", "ep_truncated", "ep_temporal_derivative"]
#: fallback rows per section at most (large models print entry-wise)
MAX_FALLBACK_ROWS = 24
#: rows longer than this (plain-text characters) are split before their last top-level '='
#: (MathML does not wrap lines; a longer row would need a horizontal scrollbar at the page's width)
WRAP_AT = 140


def _top_level_equals(latex: str) -> list[int]:
    """Positions of '=' outside every brace and \\left/\\right pair."""
    depth, out = 0, []
    for k, ch in enumerate(latex):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif latex.startswith("\\left", k):
            depth += 1
        elif latex.startswith("\\right", k):
            depth -= 1
        elif ch == "=" and depth == 0:
            out.append(k)
    return out


def split_long(row: "Row") -> list["Row"]:
    """A row longer than WRAP_AT as two: ``lhs = middle`` and an indented ``= rest``."""
    if row.latex is None or row.text is None or len(row.text) <= WRAP_AT:
        return [row]
    equals = _top_level_equals(row.latex)
    if len(equals) < 2:
        return [row]
    cut = equals[-1]
    head, tail = row.latex[:cut].rstrip(), row.latex[cut:]
    return [Row(to_mathml(head), head, row.text, row.tag, row.aligned),
            Row(to_mathml(tail), tail, None, None, None, continued=True)]


@dataclasses.dataclass
class Row:
    mathml: str
    latex: str | None
    text: str | None
    tag: str | None
    aligned: str | None = None      # the LaTeX row with its '&' alignment point
    continued: bool = False         # the second half of a row split at '=' (drawn indented)


@dataclasses.dataclass
class Section:
    name: str
    equations: list[str]
    title: str
    description: str
    notes: list[str]
    rows: list[Row]
    source: str            # "display" or "sympy"
    omitted: int = 0       # fallback rows left out


def _text_rows(text: str) -> tuple[list[str], list[str]]:
    """(equation lines, notes) from a display section's text (header line first)."""
    rows, notes = [], []
    for line in text.splitlines()[1:]:
        s = line.strip()
        if s.startswith("(") and s.endswith(")"):
            notes.append(s[1:-1])
        elif line.startswith("  ") and not line.startswith("    "):
            rows.append(s)
        elif rows:                       # entry-wise continuation lines
            rows[-1] += "\n" + s
    return rows, notes


def _from_display(model, notes):
    from symbolic import display

    d = derive(model)
    doc = display.render_json(d)
    titles = getattr(display, "TITLES", {})
    out = {}
    for obj in doc["objects"]:
        text_rows, notes = _text_rows(obj.get("text", ""))
        latex_rows = align_rows(obj.get("latex", ""))
        aligned = [r for r, _ in align_rows(obj.get("latex", ""), keep_ampersand=True)]
        try:
            rows = [part for k, (latex, tag) in enumerate(latex_rows)
                    for part in split_long(Row(to_mathml(latex), latex, text_rows[k] if k < len(text_rows) else None,
                                               tag, aligned[k] if k < len(aligned) else None))]
        except UnsupportedLatex as exc:
            notes.append(f"{obj['name']}: the vector form could not be converted to MathML ({exc}); "
                         "shown component-wise")
            continue
        out[obj["name"]] = Section(obj["name"], list(obj["equations"]), titles.get(obj["name"], obj["name"]),
                                   obj.get("description", ""), notes, rows, "display")
    return out


def _sympy_math(lhs: str, expr) -> str:
    body = sympy_mathml(expr, printer="presentation")
    return (f'<math xmlns="{MATHML_NS}" displaystyle="true"><mrow><mi>{lhs}</mi><mo>=</mo>{body}</mrow></math>')


def _fallback(model, names):
    d = derive(model)
    out = {}
    for obj in d.objects():
        if obj.name not in names:
            continue
        value = obj.value
        rows = []
        if isinstance(value, sp.MatrixBase):
            entries = [(i, j, value[i, j]) for i in range(value.rows) for j in range(value.cols)
                       if value[i, j] != 0]
            for i, j, e in entries[:MAX_FALLBACK_ROWS]:
                label = f"[{i}]" if value.cols == 1 else f"[{i},{j}]"
                rows.append(Row(_sympy_math(label, e), None, f"{label} = {e}", None))
            omitted = max(0, len(entries) - MAX_FALLBACK_ROWS)
        else:
            rows.append(Row(_sympy_math(obj.name, value), None, str(value), None))
            omitted = 0
        out[obj.name] = Section(obj.name, list(obj.equations), obj.name.replace("_", " "), obj.description,
                                ["component-wise (sympy's MathML printer); nonzero entries only"], rows, "sympy",
                                omitted)
    return out


def sections(model) -> tuple[list[Section], list[str]]:
    """The derivation's sections in the paper's order, and notes on how they were rendered."""
    notes = []
    try:
        found = _from_display(model, notes)
    except ImportError:
        found = {}
        notes.append("symbolic.display is not available: equations are shown component-wise")
    missing = [n for n in ORDER if n not in found]
    if missing:
        found.update(_fallback(model, set(missing)))
    ordered = [found[n] for n in ORDER if n in found] + [s for n, s in found.items() if n not in ORDER]
    return ordered, notes
