"""The check's ASCII notation (``s_theta^0``, ``X~``, ``dL/ds``) as the report's math notation.

The statements' titles and route descriptions are plain ASCII so that the
terminal and the JSON stay 7-bit; the report's prose and plots use θ, β, ∂,
X̃ and sub/superscripts, and a reader should not meet two notations on one
page. :func:`unicode_math` is for Markdown, :func:`html_math` adds <sub> and
<sup> for the HTML page.
"""

from __future__ import annotations

import re
from html import escape

#: whole tokens first (longest first), then the Greek letters
WORDS = [
    ("dE^beta/dtheta", "∂E^β/∂θ"), ("dS^beta/dt", "∂S^β/∂t"), ("dE/dtheta", "∂E/∂θ"),
    ("dL/dtheta", "∂L/∂θ"), ("dL/ds", "∂L/∂s"), ("dJ/dtheta", "∂J/∂θ"), ("dX~/dt", "dX̃/dt"),
    ("dY~/dt", "dỸ/dt"), ("X~", "X̃"), ("Y~", "Ỹ"), ("+-", "±"), ("->", "→"), ("infinity", "∞"), ("→ oo", "→ ∞"),
    ("d^2E/ds^2", "∂²E/∂s²"), ("d^2E/dtheta ds", "∂²E/∂θ∂s"), ("dE^beta/ds", "∂E^β/∂s"), ("dE/ds", "∂E/∂s"), ("dC/ds", "∂C/∂s"), ("dC/dtheta", "∂C/∂θ"),
    ("lim 1/beta", "lim (1/β)"), ("phi_1", "φ₁"), ("+inf", "+∞"), ("beta", "β"), ("theta", "θ"), (" - ", " − "),
]
_SUPER = str.maketrans("0123456789-k", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵏ")


def unicode_math(text: str | None) -> str:
    """θ, β, ∂, X̃, ± and exponents made of digits, '-' and k as superscripts (``2^-k`` -> 2⁻ᵏ)."""
    if not text:
        return ""
    out = str(text)
    for ascii_, pretty in WORDS:
        out = out.replace(ascii_, pretty)
    out = re.sub(r"(?<![A-Za-z])Lambda(?![A-Za-z])", "Λ", re.sub(r"(?<![A-Za-z])lambda(?![A-Za-z])", "λ", out))
    out = re.sub(r"\^(-?[0-9k]+)(?![A-Za-z0-9])", lambda m: m.group(1).translate(_SUPER), out)
    return re.sub(r"(?<![\w.^])-(?=[A-Za-z(λθβ∂])", "−", out)           # a leading minus, not a hyphen


def html_math(text: str | None) -> str:
    """:func:`unicode_math`, HTML-escaped, with ``_x`` as a subscript and ``^x`` as a superscript."""
    out = escape(unicode_math(text))
    out = re.sub(r"(?<=[A-Za-zθβ̃Ỹ])_([A-Za-z0-9θβ]{1,2})(?![A-Za-z0-9])", r"<sub>\1</sub>", out)
    return re.sub(r"\^([0-9]+|[A-Za-zθβ])(?![A-Za-z0-9])", r"<sup>\1</sup>", out)
