"""Exact Laplace transforms in t of expressions linear in matrix exponentials.

Why the Laplace domain (alternatives considered for the linear-quadratic
family, where every flow is affine with constant Hessian):

1. sympy's ``Matrix.exp()`` of -A t: for a rational 3x3 A the eigenvalues are
   roots of a cubic, in the casus irreducibilis written with complex radicals;
   residuals do not simplify in reasonable time, and with beta in A^beta = A +
   beta K even less so.
2. Spectral decomposition over the number field of each eigenvalue: exact but
   beta-dependent eigenvalues need Puiseux-type expansions.
3. Cayley-Hamilton: an exponential polynomial vanishes identically iff its
   first d derivatives at t = 0 do (d the degree of its annihilating
   polynomial) -- equivalent to 4. but clumsier with beta limits.
4. (chosen) The Laplace transform: L{exp(-M t)}(z) = (z I + M)^-1 is rational
   in z with exact entries, for any n and symbolic entries; every identity
   "for all t >= 0" between continuous functions of exponential order holds
   iff the transforms agree (Lerch's theorem); d/dt becomes z F(z) - f(0), the
   value at t = 0 is lim z F(z) as z -> oo (initial value theorem), and the
   beta -> 0 limits become symbolic limits of rational functions of beta (for
   beta near 0 the difference quotients are bounded by C (1 + t) e^{c t}, so
   the limit passes under the transform by dominated convergence).

Expressions in the time domain carry each matrix exponential as an opaque
matrix of symbols (``Phi[i,j]`` for exp(-A t)); since the flows are affine,
what is compared is linear in those symbols and transforms entrywise.
"""

from __future__ import annotations

import sympy as sp

Z = sp.Symbol("z", positive=True)


def opaque_exponential(name: str, n: int) -> sp.Matrix:
    """An n x n matrix of symbols standing for a matrix exponential exp(-M t)."""
    return sp.ImmutableMatrix(n, n, lambda i, j: sp.Symbol(f"{name}[{i},{j}]"))


def resolvent(M: sp.Matrix, z: sp.Symbol = Z) -> sp.Matrix:
    """(z I + M)^-1 = L{exp(-M t)}(z) as adj(z I + M) / det(z I + M).

    The determinant is one shared expression, so sums of entries combine over
    a single denominator (``together``) without polynomial gcds.
    """
    n = M.shape[0]
    zm = z * sp.eye(n) + M
    det = sp.expand(zm.det())
    adj = zm.adjugate().applyfunc(sp.expand)
    return adj.applyfunc(lambda e: e / det)


def transform_linear(expr, exponentials: dict[sp.Matrix, sp.Matrix], z: sp.Symbol = Z):
    """The Laplace transform of an expression linear in opaque exponentials.

    ``exponentials`` maps each opaque symbol matrix to its resolvent. A
    constant c (no opaque symbol) transforms to c/z. Raises ``ValueError`` if an
    entry is not linear in the opaque symbols (then the comparison is not one
    this module can make exactly).
    """
    table = {}
    for phi, res in exponentials.items():
        for i in range(phi.shape[0]):
            for j in range(phi.shape[1]):
                table[phi[i, j]] = res[i, j]
    syms = list(table)

    def one(e):
        # linear in the opaque symbols: the coefficients are first derivatives (no expansion needed)
        present = [x for x in syms if x in e.free_symbols]
        if not present:
            return e / z
        out = e.xreplace({x: 0 for x in present}) / z
        for x in present:
            c = sp.diff(e, x)
            if c.free_symbols & set(present):
                c = sp.expand(c)
                if c.free_symbols & set(present):
                    raise ValueError("not linear in the matrix exponential")
            out += c * table[x]
        return out

    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(one)
    return one(expr)


def at_time_zero(expr, exponentials: list[sp.Matrix]):
    """The time-domain expression at t = 0: every exp(-M t) becomes the identity."""
    sub = {}
    for phi in exponentials:
        for i in range(phi.shape[0]):
            for j in range(phi.shape[1]):
                sub[phi[i, j]] = sp.S.One if i == j else sp.S.Zero
    return expr.xreplace(sub) if hasattr(expr, "xreplace") else expr


def _num_den(e, var):
    """Numerator and denominator of ``e`` as expanded polynomials in ``var``."""
    num, den = sp.fraction(sp.together(e))
    return sp.Poly(sp.expand(num), var), sp.Poly(sp.expand(den), var)


def _lowest(poly: sp.Poly) -> int:
    """The order of the lowest non-zero coefficient of ``poly`` (its valuation at 0)."""
    return min(m[0] for m in poly.monoms()) if not poly.is_zero else 10 ** 9


def rational_limit(expr, var: sp.Symbol, point=0):
    """lim_{var -> 0} of a rational function of var, exactly.

    With N = sum n_k var^k and D = sum d_k var^k (other symbols in the
    coefficients), let m be the lowest order with d_m != 0. The limit is
    n_m / d_m if n_k = 0 for every k < m, and infinite otherwise -- no
    multivariate gcd is needed.
    """
    if point != 0:
        expr = expr.subs(var, var + point)

    def one(e):
        num, den = _num_den(e, var)
        m = _lowest(den)
        if num.is_zero:
            return sp.S.Zero
        if _lowest(num) < m:
            raise ValueError(f"no finite limit as {var} -> {point}")
        return sp.cancel(num.coeff_monomial(var ** m) / den.coeff_monomial(var ** m))

    return expr.applyfunc(one) if isinstance(expr, sp.MatrixBase) else one(expr)


def initial_value(F, z: sp.Symbol = Z):
    """f(0+) = lim_{z -> oo} z F(z) for a rational transform F (initial value theorem)."""
    def one(e):
        num, den = _num_den(z * e, z)
        if num.is_zero or num.degree() < den.degree():
            return sp.S.Zero
        if num.degree() == den.degree():
            return sp.cancel(num.LC() / den.LC())
        raise ValueError("z F(z) is unbounded as z -> oo: not the transform of a continuous function")

    return F.applyfunc(one) if isinstance(F, sp.MatrixBase) else one(F)


def final_value(F, z: sp.Symbol = Z):
    """lim_{t -> oo} f(t) = lim_{z -> 0} z F(z) (final value theorem; valid when
    the poles of z F lie in Re z < 0, which the caller checks)."""
    return rational_limit(z * F, z) if not isinstance(F, sp.MatrixBase) else (z * F).applyfunc(
        lambda e: rational_limit(e, z))


def transform_derivative(F, f0, z: sp.Symbol = Z):
    """L{f'}(z) = z F(z) - f(0)."""
    return z * F - f0


def time_value(F, t, *, dps: int = 30, z: sp.Symbol = Z):
    """f(t) from its rational transform F(z), numerically (Talbot inversion, mpmath).

    Only used to print a time-domain value beside an exact witness in z.
    """
    import mpmath

    from ..mpmath_lock import workdps

    if F.free_symbols - {z}:
        raise ValueError("transform still depends on " + ", ".join(map(str, F.free_symbols - {z})))
    fn = sp.lambdify(z, F, modules="mpmath")
    t = sp.Rational(t)
    with workdps(dps):
        value = mpmath.invertlaplace(fn, mpmath.mpf(t.p) / t.q, method="talbot")
        return mpmath.nstr(value, 20)
