"""The dynamics part of a model file (DESIGN.md, "Dynamics other than the gradient flow").

Exactly one of ``[model] energy``, ``[model] primitive`` and a ``[field]``
table (``[update]`` for discrete models) describes the dynamics:

- ``energy`` alone: the paper's gradient flow ds/dt = -dE/ds (Eq 1);
- ``energy`` with ``[settings] dynamics = "discrete"`` and ``step``: the map
  F(s) = s - step * dE/ds (primitive Phi = |s|^2/2 - step * E);
- ``primitive`` (discrete only): F = dPhi/ds (Ernoult et al. 2019);
- ``[field]``: ds/dt = field (continuous) or s_{t+1} = field (discrete).

Every misuse raises :class:`SpecError` naming the file and the key.
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from .errors import SpecError
from .expressions import Arr, ExpressionError, as_scalar, parse

DYNAMICS = ("continuous", "discrete")
MODEL_KEYS = ("energy", "primitive", "cost")
MAX_STEPS = 10000


@dataclasses.dataclass
class Dynamics:
    """What a model file says about its dynamics, parsed."""

    dynamics: str = "continuous"
    energy: sp.Expr | None = None
    primitive: sp.Expr | None = None
    cost: sp.Expr | None = None
    field: list | None = None          # flat, one expression per state component
    field_section: str | None = None   # "field" or "update"
    field_texts: dict = dataclasses.field(default_factory=dict)
    texts: dict = dataclasses.field(default_factory=dict)  # model key -> its text

    @property
    def kind(self) -> str:
        """"energy", "primitive" or "field": which object the user wrote."""
        if self.primitive is not None:
            return "primitive"
        if self.field is not None:
            return "field"
        return "energy"

    @property
    def described_by(self) -> sp.Expr | None:
        """The scalar that defines the dynamics (energy or primitive), None for a field."""
        return self.primitive if self.primitive is not None else self.energy


def dynamics_setting(doc: dict, source: str) -> str:
    """``[settings] dynamics``: "continuous" (default) or "discrete"."""
    tab = doc.get("settings", {})
    if not isinstance(tab, dict) or "dynamics" not in tab:
        return "continuous"
    val = tab["dynamics"]
    if val not in DYNAMICS:
        raise SpecError(source, "settings.dynamics", f"must be one of {', '.join(repr(d) for d in DYNAMICS)}, "
                        f"got {val!r}")
    return val


def parse_dynamics(doc: dict, model_tab: dict, state, variables, fn_table, source: str) -> Dynamics:
    """The dynamics and their expressions from ``[model]`` and ``[field]``/``[update]``."""
    out = Dynamics(dynamics=dynamics_setting(doc, source))
    for key in model_tab:
        if key not in MODEL_KEYS:
            raise SpecError(source, f"model.{key}", "unknown key; [model] has `energy` or `primitive`, and `cost`")
    tables = [sec for sec in ("field", "update") if sec in doc]
    if len(tables) == 2:
        raise SpecError(source, "update", "[update] is a synonym of [field]: give one of them, not both")
    writers = [k for k in ("energy", "primitive") if k in model_tab] + [f"[{t}]" for t in tables]
    if len(writers) > 1:
        where = f"model.{writers[1]}" if not writers[1].startswith("[") else writers[1][1:-1]
        raise SpecError(source, where, f"the dynamics are described twice ({' and '.join(writers)}); "
                        "give exactly one of `energy`, `primitive`, [field]")
    if not writers:
        raise SpecError(source, "model.energy", "missing: the energy expression (or, for other dynamics, "
                        "`primitive` or a [field] table; see docs/model-files.md)")
    if "primitive" in model_tab and out.dynamics != "discrete":
        raise SpecError(source, "model.primitive", "a primitive Phi describes discrete dynamics "
                        "s_{t+1} = dPhi/ds: set [settings] dynamics = \"discrete\" (or write an `energy`)")
    if tables == ["update"] and out.dynamics != "discrete":
        raise SpecError(source, "update", "[update] gives s_{t+1} of discrete dynamics: set [settings] "
                        "dynamics = \"discrete\", or call the table [field] for ds/dt")
    for key in ("energy", "primitive", "cost"):
        if key not in model_tab:
            if key == "cost":
                raise SpecError(source, "model.cost", "missing: the cost expression")
            continue
        text = model_tab[key]
        if not isinstance(text, str):
            raise SpecError(source, f"model.{key}", "must be a string holding an expression")
        try:
            value = as_scalar(parse(text, variables, fn_table), f"the {key}")
        except ExpressionError as exc:
            raise SpecError(source, f"model.{key}", str(exc)) from None
        setattr(out, key, value)
        out.texts[key] = text
    if tables:
        out.field_section = tables[0]
        out.field, out.field_texts = _parse_field(doc[tables[0]], tables[0], state, variables, fn_table, source)
    scalar = out.described_by
    if scalar is not None:
        key = "model.primitive" if out.primitive is not None else "model.energy"
        free = scalar.free_symbols
        for b in state:
            for sym in b.symbols():
                if sym not in free:
                    what = ("its dynamics would be ds/dt = 0" if out.primitive is None and out.dynamics == "continuous"
                            else "F would set it to a constant at every step" if out.primitive is not None
                            else "its dynamics would be s_{t+1} = s_t")
                    raise SpecError(source, key, f"the {key.split('.')[1]} does not depend on state component "
                                    f"{sym} (of [state] {b.name}); {what}")
    return out


def _parse_field(tab, section: str, state, variables, fn_table, source: str):
    """One expression per state block, of that block's shape; flat in flattening order."""
    if not isinstance(tab, dict):
        raise SpecError(source, section, f"[{section}] must be a table: one expression per state name")
    names = [b.name for b in state]
    for key in tab:
        if key not in names:
            raise SpecError(source, f"{section}.{key}", f"'{key}' is not a state variable "
                            f"(state: {', '.join(names)}); [{section}] has one entry per state name")
    flat, texts = [], {}
    for b in state:
        key = f"{section}.{b.name}"
        if b.name not in tab:
            raise SpecError(source, key, f"missing: [{section}] needs an expression for every state "
                            f"variable ({b.name} is a {b.shape_text()})")
        text = tab[b.name]
        if not isinstance(text, str):
            raise SpecError(source, key, "must be a string holding an expression")
        try:
            value = Arr.lift(parse(text, variables, fn_table))
        except ExpressionError as exc:
            raise SpecError(source, key, str(exc)) from None
        entries = _entries_of_shape(value, b, source, key)
        flat.extend(entries)
        texts[b.name] = text
    return flat, texts


def _entries_of_shape(value, block, source, key):
    rows, cols = block.rows_cols
    if isinstance(value, Arr):
        m = value.m
        if m.shape == (1, 1) and block.shape == ():
            return [m[0, 0]]
        if m.shape != (rows, cols) or block.shape == ():
            raise SpecError(source, key, f"the expression is a {value._shape_text()}, but {block.name} is "
                            f"a {block.shape_text()}")
        return list(m)
    if not isinstance(value, sp.Expr):
        raise SpecError(source, key, "is not an expression")
    if block.size != 1:
        raise SpecError(source, key, f"the expression is a scalar, but {block.name} is a {block.shape_text()}")
    return [value]


def parse_dynamics_setting(key, val, out: dict, tab: dict, source: str, has_energy: bool):
    """``dynamics``, ``steps`` and ``step`` of ``[settings]`` (the others are in spec.py).

    ``dynamics`` and ``step`` are the model's structure (which equations; the
    map F = s - step dE/ds itself), validated here. ``steps`` is a setting
    (the CLI's ``--steps`` overrides it): only its place, discrete models, is
    checked here; its value by the settings resolver (verify/config.py).
    """
    k = f"settings.{key}"
    discrete = tab.get("dynamics") == "discrete"
    if key == "dynamics":
        if val not in DYNAMICS:
            raise SpecError(source, k, f"must be one of {', '.join(repr(d) for d in DYNAMICS)}, got {val!r}")
        out[key] = val
    elif key == "steps":     # a setting: its value is validated by the one resolver (verify/config.py RULES)
        if not discrete:
            raise SpecError(source, k, "`steps` counts the steps of discrete dynamics: set dynamics = \"discrete\"")
        out[key] = val
    elif key == "step":
        from .spec import exact_number

        if not discrete:
            raise SpecError(source, k, "`step` is the Euler step of discrete dynamics from an energy: "
                            "set dynamics = \"discrete\"")
        if not has_energy:
            raise SpecError(source, k, "`step` applies to an `energy` (F = s - step dE/ds); a `primitive` "
                            "or a [field] defines the map itself")
        value = exact_number(val, source, k)
        if value <= 0:
            raise SpecError(source, k, f"must be > 0, got {val}")
        out[key] = value


def check_discrete_settings(out: dict, dyn: Dynamics, source: str):
    """Settings that only make sense together: a discrete energy needs `step`; no `times` for maps."""
    if dyn.dynamics != "discrete":
        return
    if dyn.kind == "energy" and "step" not in out:
        raise SpecError(source, "settings.step", "missing: discrete dynamics from an `energy` need the Euler "
                        "step (F(s) = s - step * dE/ds), e.g. step = \"1/2\"; or write a `primitive`")
    if "times" in out:
        raise SpecError(source, "settings.times", "discrete dynamics compare steps, not times: use `steps`")
