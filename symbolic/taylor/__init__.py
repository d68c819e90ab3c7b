"""Taylor-mode (jet) compilation of an autonomous vector field ds/dt = F(s; p).

This is the bridge from a sympy field (Eq 1, Eq 18 specialised to a model) to
numbers for the Taylor-series integrator of ``verify.ode``.  Given the field
``F`` it builds a :class:`TaylorProgram`:

* an intermediate representation (IR) of the field as a DAG of *jet nodes*,
  each one an elementary operation whose Taylor coefficients follow from a
  standard recurrence (Cauchy product, division, exp, log, pow, sqrt, the
  sin/cos and sinh/cosh pairs, tanh, sigmoid), after the algebraic
  clean-up described below;
* the *constants*: every sub-expression that does not depend on the state
  (parameters, exact numbers such as 2/5 or exp(-1/2), products of them);
  they are evaluated once per solve, at the working precision;
* Python source for both (:func:`jet_source`, ``constant_source``), executed on
  gmpy2 or mpmath numbers by :mod:`verify.ode`.  The source can be printed
  (``program.jet_source()``) and read like the recurrences in a textbook.

Exactness: the IR keeps every number exact (sympy ``Integer``/``Rational``,
symbolic constants such as ``E``); numbers are only produced by the backends,
at the precision of the solve.

The clean-up before ``sympy.cse``: a sum whose terms share a state-dependent
factor is rewritten ``a*b + a*c -> a*(b + c)`` (greedily, the most shared
factor first).  Each such factor saved is one Cauchy product (O(order^2)
operations) per Taylor step; on the paper's Hopfield field it cuts the work
by a factor of about three.  It changes only how rounding errors fall, not the
function.

The recurrences (Jorba & Zou 2005, "A software package for the numerical
integration of ODEs by means of high-order Taylor methods"; Griewank &
Walther, "Evaluating Derivatives", ch. 13), for jets a, b, c with
coefficients a_k:

=============  ==============================================================
c = a * b      c_k = sum_{j=0..k} a_j b_{k-j}
c = a / b      c_k = (a_k - sum_{j=1..k} b_j c_{k-j}) / b_0
c = exp(a)     c_k = (1/k) sum_{j=1..k} j a_j c_{k-j}
c = log(a)     c_k = (k a_k - sum_{j=1..k-1} j c_j a_{k-j}) / (k a_0)
c = a**e       c_k = (e sum_{j=0..k-1} (k-j) a_{k-j} c_j - sum_{j=1..k-1} j c_j a_{k-j}) / (k a_0)
c = sqrt(a)    c_k = (a_k - sum_{j=1..k-1} c_j c_{k-j}) / (2 c_0)
s, c = sin, cos  s_k = (1/k) sum j a_j c_{k-j},  c_k = -(1/k) sum j a_j s_{k-j}
sinh, cosh     same with both signs +
tanh(a) = t    t_k = (1/k) sum j a_j d_{k-j},  d = 1 - t^2
sigmoid(a) = g g_k = (1/k) sum j a_j d_{k-j},  d = g - g^2
=============  ==============================================================

Modules: ``program`` (the IR: JetNode, TaylorProgram), ``compiler`` (sympy ->
IR, :func:`compile_taylor`), ``source`` (IR -> Python source), ``tangent`` (the
first-order flavor of that source for complex-step solves next to a fixed
point: each recurrence kept to its end terms, O(1) per node and order).
"""

from .compiler import compile_taylor
from .program import JetNode, TaylorCompileError, TaylorProgram

__all__ = ["TaylorCompileError", "TaylorProgram", "JetNode", "compile_taylor"]
