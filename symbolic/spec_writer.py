"""Model -> model file text (the inverse of :mod:`symbolic.spec`), values written exactly."""

from __future__ import annotations

import json

import sympy as sp


def _num(x) -> str:
    x = sp.nsimplify(x) if not isinstance(x, sp.Basic) else x
    if isinstance(x, sp.Integer):
        return str(int(x))
    return json.dumps(str(x))  # exact rational as a quoted string "p/q"


def _array(block, entries) -> str:
    if block.shape == ():
        return _num(entries[0])
    if len(block.shape) == 1:
        return "[" + ", ".join(_num(e) for e in entries) + "]"
    m, n = block.shape
    rows = ["[" + ", ".join(_num(e) for e in entries[i * n:(i + 1) * n]) + "]" for i in range(m)]
    return "[" + ", ".join(rows) + "]"


def _shape(block) -> str:
    if block.shape == ():
        return "0"
    if len(block.shape) == 1:
        return str(block.shape[0])
    return f"[{block.shape[0]}, {block.shape[1]}]"


def model_to_toml(model) -> str:
    """The text of a model file that loads back to ``model``."""
    lines = [f"name = {json.dumps(model.name)}"]
    if model.description:
        lines.append(f"description = {json.dumps(model.description)}")
    lines += ["", "[state]"] + [f"{b.name} = {_shape(b)}" for b in model.state]
    lines += ["", "[params]"] + [f"{b.name} = {_shape(b)}" for b in model.params]
    for section, blocks in (("inputs", model.inputs), ("targets", model.targets)):
        if blocks:
            lines += ["", f"[{section}]"]
            for b in blocks:
                entries = [model.data[s] for s in b.symbols()]
                lines.append(f"{b.name} = {_array(b, entries)}")
    if model.function_texts:
        lines += ["", "[functions]"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in model.function_texts.items()]
    if model.field is not None:
        lines += ["", f"[{model.field_section}]"] + [f"{k} = {json.dumps(v)}" for k, v in model.field_texts.items()]
    lines += ["", "[model]"]
    if model.primitive is not None:
        lines.append(f"primitive = {json.dumps(model.primitive_text)}")
    elif model.energy is not None:
        lines.append(f"energy = {json.dumps(model.energy_text)}")
    lines += [f"cost = {json.dumps(model.cost_text)}", "", "[values]",
              f"seed = {model.values_seed}", f"scale = {_num(model.values_scale)}"]
    pos = 0
    for b in model.params:
        lines.append(f"{b.name} = {_array(b, model.theta_values[pos:pos + b.size])}")
        pos += b.size
    if model.settings:
        lines += ["", "[settings]"]
        for k, v in model.settings.items():
            if k == "times":
                lines.append("times = [" + ", ".join(_num(t) for t in v) + "]")
            elif k == "initial_state" and isinstance(v, dict):
                shapes = {b.name: b.shape for b in model.state}
                inner = ", ".join(f"{nm} = " + (_num(vals[0]) if shapes.get(nm) == () else
                                                "[" + ", ".join(_num(e) for e in vals) + "]")
                                  for nm, vals in v.items())
                lines.append(f"initial_state = {{ {inner} }}")
            elif isinstance(v, str):
                lines.append(f"{k} = {json.dumps(v)}")
            else:
                lines.append(f"{k} = {_num(v)}")
    return "\n".join(lines) + "\n"
