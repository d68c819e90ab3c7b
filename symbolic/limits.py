"""Limits a model must stay within, checked before anything is parsed or allocated.

A model file is data from anyone: every number, size and expression is
checked against these bounds by looking at its text or its declared sizes,
so an impossible request is refused in milliseconds with an estimate
instead of exhausting memory or time (issue 15, items 3-5).
"""

from __future__ import annotations

import re
import warnings

#: bytes read from a model file at most (a model is a few KB)
MAX_FILE_BYTES = 1_000_000
#: characters and tokens of one expression
MAX_EXPRESSION_CHARS = 20_000
MAX_EXPRESSION_TOKENS = 4_000
#: parentheses nested, and unary signs in a row
MAX_NESTING = 50
MAX_UNARY_RUN = 20
#: operations in one chain (a + b + ... is a chain as deep as it is long)
MAX_AST_DEPTH = 600
#: a constant exponent a ** n must have |n| <= this
MAX_EXPONENT = 1000
#: numbers: at most this many digits, magnitude in [1e-MAX_NEG_EXP, 1e+MAX_POS_EXP] (or 0)
MAX_DIGITS = 400
MAX_POS_EXP = 300
MAX_NEG_EXP = 1000
#: components of the state; of all blocks together; expression entries n (n + p) derived
MAX_STATE = 2_000
MAX_COMPONENTS = 200_000
MAX_DERIVED_ENTRIES = 4_000_000
HEAVY_DERIVED_ENTRIES = 20_000
#: second-phase times: how many, and how late. A time is only late relative to the model's own
#: relaxation time 1/lambda (a Hessian of 1e-20 I relaxes by t ~ 1e20), so MAX_TIME only bounds
#: the size of the number; the integrator's step limit bounds the cost of a late time.
MAX_TIMES = 1_000
MAX_TIME = 10**100
HEAVY_TIME = 10**3
HEAVY_DPS = 200
#: rough memory of one derived sympy expression entry (bytes), for the estimates
BYTES_PER_ENTRY = 2_000

_DECIMAL = re.compile(r"^[+-]?(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?$")


class LimitError(ValueError):
    """A number, size or expression beyond the limits; the message says which and why."""


class HeavyRequestWarning(UserWarning):
    """A legal request that will take long; the message gives the estimate."""


def check_number_text(text: str) -> None:
    """Refuse a decimal text whose size or magnitude is out of range, before converting it.

    ``sympy.Rational("1e999999999")`` would build a billion-digit integer;
    this looks at the digits and the exponent only.
    """
    body = text.strip().replace("_", "")
    m = _DECIMAL.match(body)
    if m is None or not (m.group("int") or m.group("frac")):
        return  # not decimal text: the caller's parser reports it
    digits = (m.group("int") or "") + (m.group("frac") or "")
    exp_text = m.group("exp") or "0"
    if len(digits) > MAX_DIGITS:
        raise LimitError(f"'{_short(text)}' has too many digits (at most {MAX_DIGITS})")
    if len(exp_text.lstrip("+-")) > 6:
        raise LimitError(f"'{_short(text)}' is out of range (magnitude 1e-{MAX_NEG_EXP} to 1e{MAX_POS_EXP})")
    significant = digits.lstrip("0")
    if not significant:
        return
    # decimal exponent of the leading significant digit
    lead = len((m.group("int") or "").lstrip("0")) - 1 if (m.group("int") or "").lstrip("0") \
        else -(len(m.group("frac") or "") - len((m.group("frac") or "").lstrip("0")) + 1)
    magnitude = lead + int(exp_text)
    if magnitude > MAX_POS_EXP or magnitude < -MAX_NEG_EXP:
        raise LimitError(f"'{_short(text)}' is out of range (magnitude 1e-{MAX_NEG_EXP} to "
                         f"1e{MAX_POS_EXP}; got about 1e{magnitude})")


def check_magnitude(value) -> None:
    """Refuse an exact rational of magnitude beyond the limits (e.g. an int with 10^5 digits)."""
    from fractions import Fraction

    q = Fraction(int(value.p), int(value.q)) if hasattr(value, "p") else Fraction(value)
    if q == 0:
        return
    for part in (q.numerator, q.denominator):
        if abs(part).bit_length() > 3.33 * (MAX_NEG_EXP + MAX_DIGITS):
            raise LimitError(f"a number with {len(str(abs(part))) if abs(part).bit_length() < 20000 else 'too many'} "
                             f"digits is out of range (magnitude 1e-{MAX_NEG_EXP} to 1e{MAX_POS_EXP})")
    if abs(q) > Fraction(10) ** MAX_POS_EXP or abs(q) < Fraction(1, 10**MAX_NEG_EXP):
        raise LimitError(f"a number of magnitude about 1e{_log10(q):.0f} is out of range "
                         f"(1e-{MAX_NEG_EXP} to 1e{MAX_POS_EXP})")


def _log10(q) -> float:
    import math

    return math.log10(abs(q.numerator)) - math.log10(q.denominator)


def _short(text: str, n: int = 40) -> str:
    text = str(text)
    return text if len(text) <= n else text[:n] + f"... ({len(text)} characters)"


def check_sizes(state_sizes: list[int], other_sizes: list[int]) -> None:
    """Refuse declared sizes whose derivation could not fit, with the estimate (before allocating)."""
    n, total = sum(state_sizes), sum(state_sizes) + sum(other_sizes)
    if n > MAX_STATE:
        raise LimitError(f"{n} state components: at most {MAX_STATE} (the Hessian alone has "
                         f"{n * n:.3g} entries, about {_gib(n * n)} of symbolic expressions)")
    if total > MAX_COMPONENTS:
        raise LimitError(f"{total:.3g} declared components: at most {MAX_COMPONENTS} "
                         f"(about {_gib(total)} of symbols alone)")


def derived_entries(n: int, p: int) -> int:
    """Symbolic entries the derivation builds: the Hessian H (n x n) and M (p x n)."""
    return n * (n + p)


def check_cost(n: int, p: int, dps: int | None = None) -> None:
    """Refuse an impossible model at once, warn (HeavyRequestWarning) about a heavy one."""
    entries = derived_entries(n, p)
    if entries > MAX_DERIVED_ENTRIES:
        raise LimitError(f"n = {n} state and p = {p} parameter components need n(n+p) = {entries:.3g} "
                         f"symbolic entries, about {_gib(entries)} (at most {MAX_DERIVED_ENTRIES:.3g} entries)")
    heavy = []
    if entries > HEAVY_DERIVED_ENTRIES:
        heavy.append(f"n(n+p) = {entries:.3g} symbolic entries (about {_gib(entries)})")
    if dps is not None and dps > HEAVY_DPS:
        heavy.append(f"dps = {dps} (each operation about {(dps / 40) ** 1.6:.0f}x slower than at 40)")
    if heavy:
        warnings.warn("a heavy request: " + "; ".join(heavy) + "; this may take many minutes "
                      "(Ctrl-C stops it)", HeavyRequestWarning, stacklevel=2)


def _gib(entries: int) -> str:
    size = entries * BYTES_PER_ENTRY
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size / 1e3:.3g} kB"
