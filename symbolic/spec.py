"""Model files (TOML, DESIGN.md "Model specification file") -> :class:`Model`.

Numbers are exact: ints, decimal strings, rationals ``"527/512"``, and
floats taken by their decimal text (``0.7`` is 7/10). Every problem raises
:class:`SpecError` naming the file, the key and what is wrong.
"""

from __future__ import annotations

import os
import random
import re
import stat
from pathlib import Path
from typing import Any

import sympy as sp

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from . import limits
from .errors import SpecError
from .expressions import ExpressionError, as_scalar, parse
from .functions import BUILTIN_BODIES, ELEMENTWISE, U
from .model import Block, Model
from .names import reserved_reason
from .spec_dynamics import MODEL_KEYS as SPEC_MODEL_KEYS
from .spec_dynamics import check_discrete_settings, parse_dynamics, parse_dynamics_setting

SECTIONS = {"name", "description", "state", "params", "inputs", "targets", "functions",
            "model", "values", "settings", "field", "update"}
SETTINGS = {"dps", "times", "initial_state", "beta_method", "backend", "seed", "dynamics", "steps", "step"}
MODEL_KEYS = SPEC_MODEL_KEYS             # [model]: energy or primitive, and cost
VALUES_KEYS = ("seed", "scale")          # [values], besides one entry per declared param
RESERVED = set(ELEMENTWISE) | {"trace", "sum", "T", "beta", "t", "identity",
                               "pi", "E", "I", "oo"}
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
MAX_NAME = 64


class FloatText(str):
    """A TOML float kept as its decimal text, so 0.7 means 7/10."""


def exact_number(value, source: str, key: str) -> sp.Rational:
    """An exact rational from an int, a float's decimal text, or a string."""
    if isinstance(value, bool):
        raise SpecError(source, key, f"expected a number, got {value!r}")
    if isinstance(value, int):
        try:
            limits.check_magnitude(sp.Integer(value))
        except limits.LimitError as exc:
            raise SpecError(source, key, str(exc)) from None
        return sp.Integer(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            for part in text.split("/", 1):
                limits.check_number_text(part)
        except limits.LimitError as exc:
            raise SpecError(source, key, str(exc)) from None
        try:
            if "/" in text:
                num, den = text.split("/")
                result = sp.Rational(sp.Rational(num.strip()), sp.Rational(den.strip()))
            else:
                result = sp.Rational(text)
        except (ValueError, TypeError, ZeroDivisionError, sp.SympifyError):
            raise SpecError(source, key, f"'{value}' is not a number (use e.g. 0.5, \"1/3\", \"1e-3\")") from None
        if not result.is_finite:
            raise SpecError(source, key, f"'{value}' is not a finite number")
        try:
            limits.check_magnitude(result)
        except limits.LimitError as exc:
            raise SpecError(source, key, str(exc)) from None
        return result
    raise SpecError(source, key, f"expected a number, got {type(value).__name__} {value!r}")


def _exact_array(value, source: str, key: str):
    """A scalar, vector or matrix of exact numbers and its shape."""
    if isinstance(value, list):
        if not value:
            raise SpecError(source, key, "empty list")
        if all(isinstance(row, list) for row in value):
            ncols = {len(row) for row in value}
            if len(ncols) != 1 or 0 in ncols:
                raise SpecError(source, key, "matrix rows must all have the same, non-zero length")
            rows = [[exact_number(v, source, key) for v in row] for row in value]
            return sp.ImmutableMatrix(rows), (len(rows), len(rows[0]))
        if any(isinstance(v, list) for v in value):
            raise SpecError(source, key, "mixes numbers and lists")
        entries = [exact_number(v, source, key) for v in value]
        return sp.ImmutableMatrix(len(entries), 1, entries), (len(entries),)
    return exact_number(value, source, key), ()


def _check_name(name: str, source: str, section: str, seen: dict[str, str]):
    key = f"{section}.{name}"
    if not NAME_RE.match(name) or len(name) > MAX_NAME:
        raise SpecError(source, f"{section}.{name[:MAX_NAME]!r}", f"{name[:MAX_NAME]!r} is not a valid name "
                        f"(ASCII letters, digits, _; starting with a letter; at most {MAX_NAME} characters)")
    if name in RESERVED:
        raise SpecError(source, key, f"'{name}' is reserved (a function or keyword of the expression language)")
    reason = reserved_reason(name, RESERVED)
    if reason:
        raise SpecError(source, key, f"'{name}' is reserved ({reason}); choose another name")
    if name in seen:
        raise SpecError(source, key, f"'{name}' is declared twice (also in [{seen[name]}])")
    seen[name] = section


def _table(doc: dict, section: str, source: str, required: bool) -> dict:
    if section not in doc:
        if required:
            raise SpecError(source, section, f"missing required section [{section}]")
        return {}
    value = doc[section]
    if not isinstance(value, dict):
        raise SpecError(source, section, f"[{section}] must be a table")
    return value


def _shape(value, source: str, key: str, allow_matrix: bool) -> tuple[int, ...]:
    if isinstance(value, bool):
        raise SpecError(source, key, f"expected a size, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise SpecError(source, key, f"size must be >= 0 (0 = scalar), got {value}")
        return () if value == 0 else (value,)
    if allow_matrix and isinstance(value, list) and len(value) == 2 and all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        return (value[0], value[1])
    what = "an int n (vector; 0 = scalar) or [m, n] (matrix)" if allow_matrix else "an int n (vector; 0 = scalar)"
    raise SpecError(source, key, f"expected {what}, got {value!r}")


def parse_function_body(text, source: str, key: str) -> sp.Lambda:
    """A ``[functions]`` entry: a built-in name or an expression in ``u``."""
    if not isinstance(text, str):
        raise SpecError(source, key, f"expected a built-in name or an expression in u, got {text!r}")
    name = text.strip()
    if name in BUILTIN_BODIES:
        return sp.Lambda(U, BUILTIN_BODIES[name])
    try:
        body = as_scalar(parse(name, {"u": U}, ELEMENTWISE), "a function body")
    except ExpressionError as exc:
        raise SpecError(source, key, f"{exc} (a function is a built-in name "
                        f"{sorted(BUILTIN_BODIES)} or an expression in u)") from None
    if body.free_symbols - {U}:
        raise SpecError(source, key, "a function body may only use the variable u")
    if not body.has(U):
        raise SpecError(source, key, "a function body must depend on u")
    return sp.Lambda(U, body)


def draw_values(params: list[Block], seed: int, scale) -> list[sp.Rational]:
    """Exact parameter entries uniform on [-scale, scale], drawn from ``seed``.

    Every param is drawn in declaration order (even those given explicitly), so
    listing one value never changes the others.
    """
    rng = random.Random(seed)
    grid = 2**30
    return [sp.Rational(rng.randint(-grid, grid), grid) * scale
            for b in params for _ in range(b.size)]


def load_model_text(text: str, source: str = "<string>") -> Model:
    """Parse a model file's text; ``source`` names it in error messages."""
    if len(text) > limits.MAX_FILE_BYTES:
        raise SpecError(source, None, f"too large: {len(text)} characters (a model file has at most "
                        f"{limits.MAX_FILE_BYTES})")
    try:
        doc = tomllib.loads(text, parse_float=FloatText)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(source, None, f"TOML syntax error: {exc}{_quoted_line(text, str(exc))}") from None
    except ValueError as exc:   # e.g. an integer beyond Python's digit limit
        raise SpecError(source, None, f"TOML value out of range: {exc}") from None
    except (RecursionError, MemoryError):
        raise SpecError(source, None, "TOML nested too deeply") from None
    return model_from_dict(doc, source)


def _quoted_line(text: str, message: str) -> str:
    """': <the line>' for a TOML error message that names its line ("(at line N, column M)"), else ''."""
    match = re.search(r"at line (\d+)", message)
    lines = text.splitlines()
    if not match or not 1 <= int(match.group(1)) <= len(lines):
        return ""
    line = lines[int(match.group(1)) - 1].strip()
    line = "".join(c if c.isprintable() else "?" for c in line)
    return f": {line[:80]}{'...' if len(line) > 80 else ''}"


def load_model_file(path) -> Model:
    """Read and parse a model file."""
    path = Path(path)
    try:
        text = read_regular_file(path)
    except FileNotFoundError:
        raise SpecError(str(path), None, "no such file (a model is a .toml path or a built-in name; "
                        "see `eqprop-verify list`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(str(path), None, f"cannot read file: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    return load_model_text(text, str(path))


def read_regular_file(path) -> str:
    """The text of a regular file of at most ``MAX_FILE_BYTES``; OSError for anything else.

    Opened without blocking (a FIFO would wait for a writer) and checked
    with ``fstat`` on the open descriptor, so a device, FIFO or directory is
    refused at once and ``/dev/zero`` is never read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
            raise OSError(0, f"is {kind}; a model is a regular .toml file")
        data = os.read(fd, limits.MAX_FILE_BYTES + 1)
        chunks = [data]
        while data and sum(map(len, chunks)) <= limits.MAX_FILE_BYTES:
            data = os.read(fd, limits.MAX_FILE_BYTES + 1)
            chunks.append(data)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > limits.MAX_FILE_BYTES:
        raise OSError(0, f"larger than {limits.MAX_FILE_BYTES} bytes; a model file is a few kB")
    return raw.decode("utf-8")


def model_from_dict(doc: dict[str, Any], source: str = "<dict>") -> Model:
    """Build a :class:`Model` from a parsed model file."""
    unknown = set(doc) - SECTIONS
    if unknown:
        raise SpecError(source, sorted(unknown)[0], f"unknown key; the sections are {sorted(SECTIONS)}")
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SpecError(source, "name", "required: the model's name as a non-empty string")
    if not name.isprintable() or len(name) > 200:
        raise SpecError(source, "name", f"must be printable text of at most 200 characters "
                        f"(no control characters or terminal escapes), got {name[:60]!r}")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise SpecError(source, "description", "must be a string")
    if any(not c.isprintable() and c not in "\n\t" for c in description):
        raise SpecError(source, "description", "contains control characters (terminal escapes?)")

    seen: dict[str, str] = {}
    state_tab = _table(doc, "state", source, True)
    if not state_tab:
        raise SpecError(source, "state", "declare at least one state variable")
    state = []
    for nm, val in state_tab.items():
        shape = _shape(val, source, f"state.{nm}", allow_matrix=False)
        _check_name(nm, source, "state", seen)
        state.append(Block(nm, shape))
    params = []
    params_tab = _table(doc, "params", source, True)
    if not params_tab:
        raise SpecError(source, "params", "declare at least one parameter")
    for nm, val in params_tab.items():
        shape = _shape(val, source, f"params.{nm}", allow_matrix=True)
        _check_name(nm, source, "params", seen)
        params.append(Block(nm, shape))
    try:
        limits.check_sizes([b.size for b in state], [b.size for b in params])
    except limits.LimitError as exc:
        raise SpecError(source, "state" if sum(b.size for b in state) > limits.MAX_STATE else "params",
                        str(exc)) from None

    data: dict[sp.Symbol, sp.Expr] = {}
    blocks_by_section = {}
    input_texts = {}
    for section in ("inputs", "targets"):
        blocks = []
        for nm, val in _table(doc, section, source, False).items():
            arr, shape = _exact_array(val, source, f"{section}.{nm}")
            _check_name(nm, source, section, seen)
            block = Block(nm, shape)
            blocks.append(block)
            entries = [arr] if shape == () else list(arr)
            data.update(zip(block.symbols(), entries))
            input_texts[nm] = val
        blocks_by_section[section] = blocks

    functions: dict[str, sp.Lambda] = {}
    function_texts: dict[str, str] = {}
    for nm, val in _table(doc, "functions", source, False).items():
        _check_name(nm, source, "functions", seen)
        functions[nm] = parse_function_body(val, source, f"functions.{nm}")
        function_texts[nm] = val.strip()

    variables = {b.name: b.as_sympy() for b in state + params + blocks_by_section["inputs"]
                 + blocks_by_section["targets"]}
    fn_table = dict(ELEMENTWISE)
    for nm in functions:
        fn_table[nm] = sp.Function(nm, real=True)

    model_tab = _table(doc, "model", source, True)
    dyn = parse_dynamics(doc, model_tab, state, variables, fn_table, source)
    exprs = {"cost": dyn.cost}
    exprs.update({k: v for k, v in (("energy", dyn.energy), ("primitive", dyn.primitive)) if v is not None})
    exprs.update({f"{dyn.field_section}.{i}": e for i, e in enumerate(dyn.field or [])})
    state_syms = [x for b in state for x in b.symbols()]
    energy_free = set().union(*(e.free_symbols for k, e in exprs.items() if k != "cost"))
    if not (exprs["cost"].free_symbols & set(state_syms)):
        raise SpecError(source, "model.cost", "the cost depends on no state variable")
    declared_theta = {x for b in params for x in b.symbols()}
    if not ((energy_free | exprs["cost"].free_symbols) & declared_theta):
        raise SpecError(source, "params", f"neither the {dyn.kind} nor the cost depends on any parameter")
    _check_smooth(exprs, functions, source)

    values_tab = _table(doc, "values", source, False)
    seed = values_tab.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise SpecError(source, "values.seed", f"must be an integer, got {seed!r}")
    scale = exact_number(values_tab.get("scale", 1), source, "values.scale")
    if scale <= 0:
        raise SpecError(source, "values.scale", f"must be > 0, got {scale}")
    theta_values = draw_values(params, seed, scale)
    offsets, pos = {}, 0
    for b in params:
        offsets[b.name] = pos
        pos += b.size
    explicit = {}
    param_by_name = {b.name: b for b in params}
    for key, val in values_tab.items():
        if key in VALUES_KEYS:
            continue
        if key not in param_by_name:
            raise SpecError(source, f"values.{key}", f"'{key}' is not a declared parameter "
                            f"(params: {', '.join(param_by_name)})")
        block = param_by_name[key]
        arr, shape = _exact_array(val, source, f"values.{key}")
        if shape != block.shape:
            got = Block(key, shape).shape_text()
            raise SpecError(source, f"values.{key}", f"value is a {got}, but {key} is declared as a {block.shape_text()}")
        entries = [arr] if shape == () else list(arr)
        theta_values[offsets[key]:offsets[key] + block.size] = entries
        explicit[key] = val

    settings = _parse_settings(_table(doc, "settings", source, False), state, source, dyn.energy is not None)
    check_discrete_settings(settings, dyn, source)
    n, p = sum(b.size for b in state), sum(b.size for b in params)
    try:   # a discrete model's derivation depends on its form: symbolic.discrete_compile checks the per-component one
        limits.check_cost(0 if dyn.dynamics == "discrete" else n, p, settings.get("dps"))
    except limits.LimitError as exc:
        raise SpecError(source, "state", str(exc)) from None
    return Model(
        name=name.strip(), description=description, state=state, params=params,
        inputs=blocks_by_section["inputs"], targets=blocks_by_section["targets"], data=data,
        functions=functions, function_texts=function_texts, energy=dyn.energy,
        cost=exprs["cost"], energy_text=model_tab.get("energy", ""), cost_text=model_tab["cost"],
        theta_values=theta_values, values_seed=seed, values_scale=scale,
        explicit_values=explicit, settings=settings, source=source, input_texts=input_texts,
        dynamics=dyn.dynamics, primitive=dyn.primitive, primitive_text=model_tab.get("primitive", ""),
        field=dyn.field, field_section=dyn.field_section, field_texts=dyn.field_texts,
    )


def _check_smooth(exprs, functions, source):
    """Each user function used by E or C must have a second derivative as an expression.

    This is the static half of "twice differentiable where it is used"; the
    numeric half (a point where a derivative is not finite, e.g. sqrt at 0)
    is judged at the fixed point and reported as a hypothesis not met.
    """
    used = {f.func.__name__ for e in exprs.values() for f in e.atoms(sp.core.function.AppliedUndef)}
    for nm, lam in functions.items():
        if nm not in used:
            continue
        try:
            second = sp.diff(lam.expr, U, 2)
        except Exception as exc:  # sympy raises many types here
            raise SpecError(source, f"functions.{nm}", f"cannot be differentiated twice: {exc}") from None
        if second.has(sp.Derivative) or second.has(sp.Subs):
            raise SpecError(source, f"functions.{nm}", "is not twice differentiable in closed form")
        if second.has(sp.zoo, sp.nan):
            raise SpecError(source, f"functions.{nm}", "its second derivative is not finite")


def _parse_settings(tab: dict, state: list[Block], source: str, has_energy: bool = True) -> dict:
    out: dict[str, Any] = {}
    for key, val in tab.items():
        k = f"settings.{key}"
        if key not in SETTINGS:
            raise SpecError(source, k, f"unknown setting; known: {sorted(SETTINGS)}")
        if key == "dps":
            if isinstance(val, bool) or not isinstance(val, int) or not 10 <= val <= 1000:
                raise SpecError(source, k, f"must be an integer from 10 to 1000, got {val!r}")
            out[key] = val
        elif key == "seed":
            if isinstance(val, bool) or not isinstance(val, int):
                raise SpecError(source, k, f"must be an integer, got {val!r}")
            out[key] = val
        elif key == "times":
            if not isinstance(val, list) or not val:
                raise SpecError(source, k, "must be a non-empty list of times >= 0")
            if len(val) > limits.MAX_TIMES:
                raise SpecError(source, k, f"{len(val)} times: at most {limits.MAX_TIMES}")
            times = [exact_number(v, source, k) for v in val]
            if any(t < 0 for t in times):
                raise SpecError(source, k, "times must be >= 0")
            if any(t > limits.MAX_TIME for t in times):
                raise SpecError(source, k, f"times must be <= 1e{len(str(limits.MAX_TIME)) - 1} "
                                "(late is relative to the model's relaxation time; this bounds the number)")
            out[key] = times
        elif key == "initial_state":
            if isinstance(val, dict):
                names = {b.name: b for b in state}
                init = {}
                for nm, v in val.items():
                    if nm not in names:
                        raise SpecError(source, f"{k}.{nm}", f"'{nm}' is not a state variable")
                    arr, shape = _exact_array(v, source, f"{k}.{nm}")
                    if shape not in ((), names[nm].shape):
                        raise SpecError(source, f"{k}.{nm}", f"expected a number or a {names[nm].shape_text()}")
                    init[nm] = [arr] * names[nm].size if shape == () else list(arr)
                out[key] = init
            else:
                out[key] = exact_number(val, source, k)
        elif key in ("dynamics", "steps", "step"):
            parse_dynamics_setting(key, val, out, tab, source, has_energy)
        elif key in ("beta_method", "backend"):
            if not isinstance(val, str):
                raise SpecError(source, k, "must be a string")
            out[key] = val
    return out
