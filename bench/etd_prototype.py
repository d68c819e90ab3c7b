"""The measurement behind the choice in bench/PROFILE.md (not used by the tool): ETD Taylor vs Taylor.

ETD (exponential time differencing) Taylor on the stiff model's nudged flow
(beta = 1e-5) from s0 to t = 50 at dps 40: the linear part -H is exact in H's
eigenbasis (phi functions), the remainder's Taylor coefficients
n_k = (k+1) c_{k+1} + H c_k come from the true field's jets c_k (the compiled
recurrences of verify.ode), steps chosen by verify.ode.controller.log2_step on
the series terms.  Prints steps, CPU time and the agreement with the Taylor
integrator.  ``python bench/etd_prototype.py [EXTRA_BITS] [wrong]``; ``wrong``
scales H by 1/2 (the result must not change, only the cost).
"""
import math
import sys
import time

import gmpy2
import mpmath
from symbolic.spec import load_model_file
from symbolic.compile import compile_model
from verify.fixed_point import free_fixed_point
from verify.precision import Precision
from verify.flows import Flows
from verify.ode.controller import log2_step
from verify.ode.engine import jorba_zou_order
from verify.ode.numbers import gmpy2_context, to_gmpy2, log2_abs

DPS = 40
EXTRA_BITS = int(sys.argv[1]) if len(sys.argv) > 1 else 128
WRONG = len(sys.argv) > 2   # use a deliberately wrong H (scaled by 0.5)
c = compile_model(load_model_file("bench/models/stiff-logcosh.toml"))
fl = Flows(c, "mpmath")
with mpmath.workdps(DPS + 10):
    th = c.theta_values(DPS + 10); s0 = free_fixed_point(c, th, precision=Precision(DPS)).s
    beta = mpmath.mpf("1e-5")
    H = c.H(s0, th) * (mpmath.mpf(0.5) if WRONG else 1)
    lam, V = mpmath.eigsy(H)
    params = list(s0) + list(th) + [beta]
    t_end = 50
    t0 = time.process_time()
    ref = fl.solve_nudged(s0, th, beta, [t_end], dps=DPS)
    t_taylor = time.process_time() - t0
n = c.n
log2_tol = -DPS * math.log2(10)
p = jorba_zou_order(log2_tol)
prec = int(DPS * 3.33) + 16 + EXTRA_BITS
impl = fl.nudged._impl
with gmpy2_context(prec):
    lam_g = [to_gmpy2(x) for x in lam]
    Vg = [[to_gmpy2(V[i, j]) for j in range(n)] for i in range(n)]
    fact = [gmpy2.fac(k) for k in range(p + 2)]
    def phis(x):  # phi_1..phi_p(x) by the series sum_m x^m/(m+j)!, at raised precision
        with gmpy2.context(gmpy2.get_context(), precision=prec + int(abs(x) * 1.45) + 64):
            out = []
            for j in range(1, p + 1):
                s, term, m = gmpy2.mpfr(0), 1 / gmpy2.mpfr(fact[j]), 0
                while True:
                    s += term
                    m += 1
                    term = term * x / (m + j)
                    if abs(term) < abs(s) * gmpy2.mpfr(2) ** (-prec - 8) and m > abs(x):
                        break
                out.append(s)
            return [+v for v in out]
    D = [gmpy2.mpfr(0)] * n
    t, steps = gmpy2.mpfr(0), 0
    start = time.process_time()
    while t < t_end:
        eng = impl.engine(D, params, p, prec)
        eng.expand()
        cj = eng.jets  # cj[i][k]
        zeta = [[sum(Vg[j][i] * cj[j][k] for j in range(n)) for i in range(n)] for k in range(p + 1)]
        m = [[(k + 1) * zeta[k + 1][i] + lam_g[i] * zeta[k][i] for i in range(n)] for k in range(p)]
        terms = [zeta[0]] + [[v / (k + 1) for v in m[k]] for k in range(p)]
        L = [log2_abs(max(abs(v) for v in col)) for col in terms]
        x = log2_step(L, log2_tol, p)
        h = gmpy2.mpfr(t_end) - t if x == math.inf else min(gmpy2.mpfr(2.0 ** (x - 0.7 / (p - 1))), gmpy2.mpfr(t_end) - t)
        z = []
        for i in range(n):
            ph = phis(-lam_g[i] * h)
            zi = gmpy2.exp(-lam_g[i] * h) * zeta[0][i]
            for k in range(p):
                zi += fact[k] * h ** (k + 1) * ph[k] * m[k][i]
            z.append(zi)
        D = [sum(Vg[i][j] * z[j] for j in range(n)) for i in range(n)]
        t += h
        if steps % 25 == 0:  # t, h, log2 of the series terms at orders 0, 8, ..., 48
            print(f"t={float(t):.3f} h={float(h):.3f}", [round(v) if v > -1e9 else None for v in L[::8]], flush=True)
        steps += 1
    t_etd = time.process_time() - start
with mpmath.workdps(DPS):
    Dr = ref.states[0]
    err = max(abs(mpmath.mpf(float(0)) + mpmath.mpmathify(str(a)) - b) for a, b in zip(D, Dr)) / max(abs(b) for b in Dr)
    print(f"wrongH={WRONG} extra_bits={EXTRA_BITS} taylor: {ref.steps} steps {t_taylor:.2f} s; "
          f"ETD: {steps} steps {t_etd:.2f} s; rel diff {mpmath.nstr(err, 3)} (digits {mpmath.nstr(-mpmath.log10(err), 4) if err else 'all'})")
