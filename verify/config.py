"""The settings of a check, resolved once: model file ``[settings]`` -> caller -> defaults -> validation.

Every command (check, report, falsify, audit, random, bench), the pytest
plugin and the Python API resolve their settings here, so a value is checked
by one rule with one message wherever it comes from; only the name of its
source changes:

- a value from a model file's ``[settings]`` names the file and the key
  (a :class:`symbolic.errors.SpecError`: ``m.toml: [settings.dps] must be ...``);
- a value from the command line names the flag (``--dps must be ...``);
- a value given to the Python API names the argument (``dps must be ...``).

Both errors mean exit code 2. Times stay exact rationals from the input to the
JSON result, where they are written as exact decimals (``0.1`` is ``"0.1"``).
"""

from __future__ import annotations

import dataclasses
import fractions
import re
from typing import TYPE_CHECKING

import mpmath

from symbolic.errors import SpecError

from .errors import UsageError
from .extrapolate import METHODS
from .precision import GUARD_DIGITS, DEFAULT_DPS, Precision, dps_problem

if TYPE_CHECKING:
    import sympy as sp

DEFAULT_TIMES = ("0", "0.5", "1", "2", "5")
DEFAULT_STEPS = 8                  # discrete models: K, the nudged steps compared
DEFAULT_BETA_METHOD = "symmetric"
DEFAULT_SEED = 0
MAX_DIRECTIONS = 64
BACKENDS = ("auto", "mpmath", "heyoka")
#: a time's decimal exponent beyond this is refused before it is expanded (1e999999999 would hang)
MAX_EXPONENT = 1000

#: how each setting is named when the caller gave it: Python API arguments and command-line flags
API = {"dps": "dps", "times": "times", "beta_method": "beta_method", "backend": "backend", "seed": "seed",
       "max_directions": "max_directions", "steps": "steps"}
CLI = {"dps": "--dps", "times": "--times", "beta_method": "--beta-method", "backend": "--backend",
       "seed": "--seed", "max_directions": "--max-directions", "steps": "--steps"}
PLUGIN = {"dps": "--eqprop-dps", "times": "--eqprop-times", "beta_method": "--eqprop-beta-method",
          "backend": "--eqprop-backend", "steps": "--eqprop-steps"}


class Invalid(Exception):
    """A value's problem, without its source (the resolver adds the file and key, the flag or the argument)."""


# -- one rule per setting ----------------------------------------------------------------------
def _dps(value) -> int:
    problem = dps_problem(value)
    if problem:
        raise Invalid(problem)
    return value


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)


def exact_time(t) -> sp.Rational:
    """One time as an exact rational: an int, a float (its shortest decimal: 0.1 is 1/10), a
    Fraction, a sympy Rational, or a string ("0.5", "1/3", "1e-3"); :class:`Invalid` otherwise."""
    import sympy as sp  # here, not at the top: the CLI's option parsing imports this module

    if isinstance(t, bool):
        raise Invalid(f"has {t!r}, which is not a number")
    if isinstance(t, int):
        return sp.Integer(t)
    if isinstance(t, fractions.Fraction):
        return sp.Rational(t.numerator, t.denominator)
    if isinstance(t, sp.Rational):
        return t
    if isinstance(t, (float, mpmath.mpf, sp.Float)):
        text = repr(t) if isinstance(t, float) else str(t)
    elif isinstance(t, str):
        text = t.strip()
    else:
        raise Invalid(f"has {t!r} ({type(t).__name__}), which is not a number (write e.g. 0.5 or 1/3)")
    parts = text.split("/")
    if len(parts) > 2 or not all(_NUMBER.match(p.strip()) for p in parts):
        raise Invalid(f"has '{t}', which is not a number (write e.g. 0.5 or 1/3)")
    for p in parts:
        exponent = p.strip().lower().partition("e")[2]
        if exponent and abs(int(exponent)) > MAX_EXPONENT:
            raise Invalid(f"has '{t}', out of range (decimal exponents up to {MAX_EXPONENT})")
    values = [sp.Rational(p.strip()) for p in parts]
    if len(values) == 2 and values[1] == 0:
        raise Invalid(f"has '{t}', which is not a number (division by zero)")
    return values[0] / values[1] if len(values) == 2 else values[0]


def _times(raw) -> tuple:
    from symbolic import limits

    if isinstance(raw, (str, bytes)) or not hasattr(raw, "__iter__"):
        raise Invalid(f"must be a list of times t >= 0, got {raw!r}")
    raw = list(raw)
    if len(raw) > limits.MAX_TIMES:
        raise Invalid(f"lists {len(raw)} times, at most {limits.MAX_TIMES}")
    out = []
    for t in raw:
        r = exact_time(t)
        if r < 0:
            raise Invalid(f"must be >= 0, got {t}")
        if r > limits.MAX_TIME:
            raise Invalid(f"must be <= 1e{len(str(limits.MAX_TIME)) - 1}, got {t}")
        out.append(r)
    if not out:
        raise Invalid("must list at least one time t >= 0")
    if max(out) > limits.HEAVY_TIME:
        import warnings

        warnings.warn(f"times up to {float(max(out)):.3g}: the integration cost grows with t; this may take "
                      "many minutes (Ctrl-C stops it)", limits.HeavyRequestWarning, stacklevel=2)
    return tuple(sorted(set(out)))


def _beta_method(value) -> str:
    if value not in METHODS:
        raise Invalid(f"{value!r} is unknown; choose one of {', '.join(METHODS)}")
    return value


def _backend(value) -> str:
    from .ode import available_backends

    have = available_backends()
    if not isinstance(value, str) or value not in BACKENDS:
        raise Invalid(f"{value!r} is unknown; choose one of {', '.join(BACKENDS)}")
    if value == "auto":
        return "heyoka" if "heyoka" in have else "mpmath"
    if value not in have:
        raise Invalid(f"{value} is not available (installed: {', '.join(have)}); "
                      "pip install 'eqprop-verify[heyoka]'")
    return value


def _seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"must be an integer, got {value!r}")
    return value


def _max_directions(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(f"must be an integer >= 1, got {value!r}")
    return value


def _steps(value) -> int:
    """Discrete models: K, the number of nudged steps compared (whether the model is discrete is the spec's
    business: ``steps`` in a continuous model's file is refused there, by the model's structure)."""
    from symbolic.spec_dynamics import MAX_STEPS

    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_STEPS:
        raise Invalid(f"must be an integer from 1 to {MAX_STEPS}, got {value!r}")
    return value


RULES = {"dps": _dps, "times": _times, "beta_method": _beta_method, "backend": _backend, "seed": _seed,
         "max_directions": _max_directions, "steps": _steps}
DEFAULTS = {"dps": DEFAULT_DPS, "times": DEFAULT_TIMES, "beta_method": DEFAULT_BETA_METHOD,
            "backend": "auto", "seed": DEFAULT_SEED, "max_directions": MAX_DIRECTIONS, "steps": DEFAULT_STEPS}


def validate(key: str, value, name: str):
    """``value`` checked by the rule of setting ``key``; :class:`UsageError` naming ``name`` (a flag or argument)."""
    try:
        return RULES[key](value)
    except Invalid as exc:
        raise UsageError(f"{name} {exc}") from None


def parse_times(raw, name: str = "times") -> list:
    """Exact, sorted, distinct times t >= 0 from numbers or strings; UsageError naming ``name`` otherwise."""
    return list(validate("times", raw, name))


def resolve_backend(backend, name: str = "--backend") -> str:
    """The backend to use for ``backend`` (None or "auto": heyoka when installed, else mpmath)."""
    return validate("backend", "auto" if backend is None else backend, name)


# -- the resolved settings ------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Settings:
    """One check's settings, every value validated; times exact."""

    dps: int
    times: tuple                 # sympy Rationals, sorted, distinct, >= 0
    beta_method: str
    backend: str                 # resolved: mpmath or heyoka
    seed: int
    max_directions: int
    steps: int = DEFAULT_STEPS   # discrete models only (not in a continuous check's JSON settings)

    @property
    def precision(self) -> Precision:
        return Precision(self.dps)

    def to_json(self) -> dict:
        """The ``settings`` object of the JSON result (DESIGN.md "JSON result"); times as exact decimals."""
        work = self.precision.work
        return {"dps": self.dps, "times": [time_text(t, work) for t in self.times],
                "times_exact": [str(t) for t in self.times], "beta_method": self.beta_method,
                "backend": self.backend, "guard_digits": GUARD_DIGITS, "seed": self.seed,
                "max_directions": self.max_directions}


def resolve(model, *, names: dict = API, defaults: dict | None = None, **given) -> Settings:
    """Settings from ``given`` (None: not given), else the model file's ``[settings]``, else the defaults.

    ``names`` says how the caller's values are named in messages (:data:`API`, :data:`CLI`);
    ``defaults`` replaces some of :data:`DEFAULTS` (a check of other dynamics has its own).
    """
    unknown = set(given) - set(RULES)
    if unknown:
        raise TypeError(f"unknown settings {sorted(unknown)}")
    out = {}
    file_settings = getattr(model, "settings", {}) or {}
    for key, rule in RULES.items():
        if given.get(key) is not None:
            out[key] = validate(key, given[key], names.get(key, key))
        elif file_settings.get(key) is not None:
            try:
                out[key] = rule(file_settings[key])
            except Invalid as exc:
                raise SpecError(model.source, f"settings.{key}", str(exc)) from None
        else:
            out[key] = rule({**DEFAULTS, **(defaults or {})}[key])
    return Settings(**out)


# -- exact times as text --------------------------------------------------------------------------
def decimal_text(r) -> str | None:
    """A rational as its exact decimal text (1/10 -> "0.1", 3 -> "3"), or None if it has none (1/3)."""
    import sympy as sp

    r = sp.Rational(r)
    q, twos, fives = int(r.q), 0, 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    if q != 1:
        return None
    places = max(twos, fives)
    digits = str(abs(int(r.p)) * 10 ** places // int(r.q)).rjust(places + 1, "0")
    whole, frac = digits[:len(digits) - places], digits[len(digits) - places:].rstrip("0")
    return ("-" if r < 0 else "") + whole + ("." + frac if frac else "")


def time_text(r, digits: int) -> str:
    """A time for the JSON result: exact decimal when it has one, else ``digits`` significant digits."""
    exact = decimal_text(r)
    if exact is not None:
        return exact
    with Precision(digits, guard=0).context():
        return mpmath.nstr(mpmath.mpf(int(r.p)) / int(r.q), digits)
