"""LaTeX (the subset :mod:`symbolic.display` writes) to presentation MathML.

The derivation is rendered once, as LaTeX, by :mod:`symbolic.display`; the
HTML report needs it as MathML, which browsers render natively (no scripts,
no fonts to fetch). This module converts the small, regular subset that the
display module emits: ``\\frac``, ``\\left( .. \\right)``, sub- and
superscripts, primes, ``\\lim_{..}``, ``\\operatorname{..}``, Greek letters and
a few operators (``\\odot``, ``\\top``, ``\\cdot``, ``\\to``, ``\\partial``).

Alternatives considered: (1) sympy's MathML printer on the component-wise
expressions -- always available, but prints one equation per component and
loses the paper's vector form; (2) a third-party converter (latex2mathml) --
one more dependency for a subset this small. Anything outside the subset
raises :class:`UnsupportedLatex`, and the caller falls back to (1): a formula
is never silently mangled. Every result is checked to be well-formed XML.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

from symbolic.functions import mathml_operators

MATHML_NS = "http://www.w3.org/1998/Math/MathML"


class UnsupportedLatex(ValueError):
    """The LaTeX uses something outside the supported subset (the message says what)."""


GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
OPERATORS = {
    "odot": "⊙", "cdot": "⋅", "times": "×", "to": "→", "rightarrow": "→", "mapsto": "↦",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠", "in": "∈",
    "approx": "≈", "pm": "±", "mp": "∓", "circ": "∘", "ast": "∗", "star": "⋆", "sim": "∼",
    "propto": "∝", "equiv": "≡", "otimes": "⊗", "oplus": "⊕", "ldots": "…", "cdots": "⋯",
    "dots": "…", "mid": "∣", "colon": ":", "Rightarrow": "⇒", "iff": "⇔", "setminus": "∖",
}
BINARY = {"odot", "cdot", "times", "pm", "mp", "circ", "ast", "star", "otimes", "oplus", "setminus"}
IDENTIFIERS = {"top": "⊤", "partial": "∂", "infty": "∞", "nabla": "∇", "ell": "ℓ", "emptyset": "∅"}
# LaTeX operator commands shown as upright names: the model's elementwise functions
# (symbolic.functions) and the other operators a report's text may use.
FUNCTIONS = {**{name: name for name in ("ln", "tan", "det", "max", "min", "sup", "inf", "arg",
                                        "dim", "ker")}, **mathml_operators()}
LARGE = {"lim": "lim", "sum": "∑", "prod": "∏", "int": "∫", "limsup": "lim sup", "liminf": "lim inf"}
ACCENTS = {"tilde": "~", "hat": "^", "bar": "¯", "dot": "˙", "ddot": "¨", "vec": "→",
           "widetilde": "~", "widehat": "^", "overline": "¯"}
SPACES = {",": "0.1667em", ":": "0.2222em", ";": "0.2778em", " ": "0.25em", "quad": "1em",
          "qquad": "2em", "!": "-0.1667em"}
FONTS = {"mathrm": "normal", "mathbf": "bold", "mathit": "italic", "mathsf": "sans-serif",
         "mathtt": "monospace", "boldsymbol": "bold-italic"}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}
DELIMITERS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", ".": "", "\\{": "{", "\\}": "}",
              "\\|": "‖", "\\langle": "⟨", "\\rangle": "⟩", "\\lvert": "|", "\\rvert": "|"}
IGNORED = {"big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle",
           "textstyle", "limits", "nolimits"}

_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?)|(\s+)|(.)", re.S)


def _tokens(src: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(src):
        cmd, num, space, char = m.groups()
        if cmd is not None:
            out.append(("cmd", cmd))
        elif num is not None:
            out.append(("num", num))
        elif space is not None:
            continue
        else:
            out.append(("char", char))
    return out


def _el(tag: str, *children: str, **attrs) -> str:
    a = "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
    return f"<{tag}{a}>{''.join(children)}</{tag}>"


def _mi(text: str, **attrs) -> str:
    return _el("mi", escape(text), **attrs)


def _mo(text: str, **attrs) -> str:
    return _el("mo", escape(text), **attrs)


def _row(items: list[str]) -> str:
    return items[0] if len(items) == 1 else _el("mrow", *items)


class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.toks = _tokens(src)
        self.i = 0

    # ---------------------------------------------------------------- helpers
    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def fail(self, what: str):
        raise UnsupportedLatex(f"{what} in {self.src[:80]!r}")

    def braced_text(self) -> str:
        """The raw text of a ``{...}`` argument (for \\text, \\operatorname)."""
        kind, value = self.take()
        if (kind, value) != ("char", "{"):
            self.fail("expected '{'")
        depth, parts = 1, []
        while True:
            kind, value = self.take()
            if kind is None:
                self.fail("unbalanced braces")
            if (kind, value) == ("char", "{"):
                depth += 1
            elif (kind, value) == ("char", "}"):
                depth -= 1
                if depth == 0:
                    return "".join(parts)
            parts.append("\\" + value if kind == "cmd" else value)

    # ---------------------------------------------------------------- grammar
    def expression(self, stop=("}",)) -> list[str]:
        items = []
        while True:
            kind, value = self.peek()
            if kind is None:
                if stop != ():
                    self.fail("unexpected end")
                return items
            if kind == "char" and value in stop:
                return items
            if kind == "cmd" and value == "right" and "right" in stop:
                return items
            item = self.item()
            if item is not None:
                items.append(item)

    def group(self) -> str:
        """A script or command argument: ``{...}`` or a single token."""
        kind, value = self.peek()
        if (kind, value) == ("char", "{"):
            self.take()
            items = self.expression(stop=("}",))
            self.take()
            return _row(items) if items else _el("mrow")
        atom = self.atom()
        if atom is None:
            self.fail("empty argument")
        return atom[0]

    def item(self):
        atom = self.atom()
        if atom is None:
            return None
        base, large = atom
        sub = sup = None
        primes = 0
        while True:
            kind, value = self.peek()
            if (kind, value) == ("char", "_") and sub is None:
                self.take()
                sub = self.group()
            elif (kind, value) == ("char", "^") and sup is None:
                self.take()
                sup = self.group()
            elif (kind, value) == ("char", "'"):
                self.take()
                primes += 1
            else:
                break
        if primes:
            # a prime after the base at full size (a prime glyph in a superscript comes out tiny)
            prime = _mo("′" * primes, lspace="0", rspace="0")
            if sub is None and sup is None:
                return _el("mrow", base, prime)
            base = _el("mrow", base, prime)
        if large:
            if sub is not None and sup is not None:
                return _el("munderover", base, sub, sup)
            if sub is not None:
                return _el("munder", base, sub)
            if sup is not None:
                return _el("mover", base, sup)
            return base
        if sub is not None and sup is not None:
            return _el("msubsup", base, sub, sup)
        if sub is not None:
            return _el("msub", base, sub)
        if sup is not None:
            return _el("msup", base, sup)
        return base

    def atom(self):
        """(mathml, is_large_operator) or None for tokens that render as nothing."""
        kind, value = self.take()
        if kind == "num":
            return _el("mn", value), False
        if kind == "char":
            if value == "{":
                items = self.expression(stop=("}",))
                self.take()
                return (_row(items) if items else _el("mrow")), False
            if value.isalpha():
                return _mi(value), False
            if value == "-":
                return _mo("−"), False
            if value == "~":
                return _el("mspace", width="0.25em"), False
            if value in "()[]|":
                # plain brackets keep their size; only \left ... \right stretch
                return _mo(value, stretchy="false", lspace="0", rspace="0"), False
            if value in "+=<>,;:!/*.?":
                return _mo(value), False
            if value in "_^}&":
                self.fail(f"unexpected {value!r}")
            if ord(value) > 127:          # Unicode already (e.g. a Greek letter in a name)
                return _mi(value), False
            self.fail(f"unsupported character {value!r}")
        assert kind == "cmd"
        if value in GREEK:
            attrs = {"mathvariant": "normal"} if value[0].isupper() else {}
            return _mi(GREEK[value], **attrs), False
        if value in OPERATORS:
            if value in BINARY:
                return _mo(OPERATORS[value], lspace="0.2222em", rspace="0.2222em"), False
            return _mo(OPERATORS[value]), False
        if value in IDENTIFIERS:
            return _mi(IDENTIFIERS[value]), False
        if value in FUNCTIONS:
            return _mi(FUNCTIONS[value]), False
        if value in LARGE:
            return _mo(LARGE[value], movablelimits="false" if value == "lim" else "true"), True
        if value in SPACES:
            return _el("mspace", width=SPACES[value]), False
        if value in IGNORED:
            return None
        if value == "frac":
            num = self.group()
            den = self.group()
            return _el("mfrac", num, den), False
        if value == "sqrt":
            return _el("msqrt", self.group()), False
        if value in ACCENTS:
            return _el("mover", self.group(), _mo(ACCENTS[value], stretchy="true"), accent="true"), False
        if value == "operatorname":
            return _mi(self.braced_text(), mathvariant="normal"), False
        if value in ("text", "textrm", "mbox"):
            return _el("mtext", escape(self.braced_text())), False
        if value in FONTS:
            inner = self.braced_text()
            if re.fullmatch(r"[A-Za-z0-9 ]+", inner):
                return _mi(inner.strip(), mathvariant=FONTS[value]), False
            self.fail(f"\\{value} of {inner!r}")
        if value == "mathbb":
            inner = self.braced_text()
            if inner in BLACKBOARD:
                return _mi(BLACKBOARD[inner]), False
            self.fail(f"\\mathbb{{{inner}}}")
        if value == "left":
            return self.fenced(), False
        if value in ("{", "}"):
            return _mo(value), False
        if value == "|":
            return _mo("‖"), False
        if value == "\\":
            self.fail("a line break inside an equation")
        self.fail(f"unsupported command \\{value}")

    def delimiter(self) -> str:
        kind, value = self.take()
        key = "\\" + value if kind == "cmd" else value
        if key not in DELIMITERS:
            self.fail(f"unsupported delimiter {key!r}")
        return DELIMITERS[key]

    def fenced(self) -> str:
        opening = self.delimiter()
        items = self.expression(stop=("right",))
        self.take()  # \right
        closing = self.delimiter()
        # stretch only around tall content: a stretchy fence around a plain row comes out
        # wider than the plain bracket (the font's size variants), which reads as a gap
        tall = any(tag in "".join(items) for tag in ("<mfrac", "<munder", "<mover", "<mtable", "<msqrt"))
        stretch = "true" if tall else "false"
        parts = []
        if opening:
            parts.append(_mo(opening, stretchy=stretch, fence="true", lspace="0", rspace="0"))
        parts += items
        if closing:
            parts.append(_mo(closing, stretchy=stretch, fence="true", lspace="0", rspace="0"))
        return _el("mrow", *parts)


def to_mathml(latex: str, *, display: bool = True) -> str:
    """One formula in LaTeX as a ``<math>`` element (raises :class:`UnsupportedLatex`).

    ``display`` sets display style (full-size fractions and limits under
    ``lim``) on an inline ``<math>``, so the page decides the alignment
    (block math is centred by browsers).
    """
    parser = _Parser(latex)
    items = parser.expression(stop=())
    body = _row(items) if items else _el("mrow")
    attrs = {"xmlns": MATHML_NS}
    if display:
        attrs["displaystyle"] = "true"
    out = _el("math", body, **attrs)
    try:
        ET.fromstring(out)
    except ET.ParseError as exc:  # pragma: no cover - a bug in this module, not in the input
        raise UnsupportedLatex(f"produced malformed MathML ({exc}) for {latex[:80]!r}") from None
    return out


_TAG = re.compile(r"\\tag\{([^{}]*)\}")


def align_rows(block: str, keep_ampersand: bool = False) -> list[tuple[str, str | None]]:
    """Rows of an ``align*`` environment as (formula without '&', tag or None).

    With ``keep_ampersand`` the alignment points stay (for an ``aligned`` block).
    """
    m = re.search(r"\\begin\{(align\*?|aligned|equation\*?|gather\*?)\}(.*?)\\end\{\1\}", block, re.S)
    body = m.group(2) if m else block
    rows = []
    for raw in re.split(r"\\\\(?![A-Za-z])", body):
        raw = raw.strip()
        if not raw:
            continue
        tag = None
        t = _TAG.search(raw)
        if t:
            tag = t.group(1)
            raw = _TAG.sub("", raw)
        rows.append((raw.strip() if keep_ampersand else raw.replace("&", " ").strip(), tag))
    return rows
