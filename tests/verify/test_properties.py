"""Property tests: Theorems 1, 2, 3 and Corollary 4 (Eq 23, Eq 24) on random valid instances.

Instances come from :mod:`verify.strategies` (layered Hopfield, learned
read-out, coercive polynomial, quadratic; strongly coupled ones included),
with random times and beta -> 0 methods. Each test checks one statement;
when it fails, the readable table is printed and the (shrunk) instance is
written as a model file with its settings, so that ``eqprop-verify check
PATH`` reproduces the failure (the path and the command are in the message).

Profiles (tests/conftest.py): ``ci`` (default) keeps instances small and
dps = 20, and runs only the Theorem 3 property (the others are marked
``slow``); ``thorough`` (``tox -e thorough``) runs them all, >= 200
instances per statement over the full size ranges and dps in {20, 30}.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import random
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import Phase, assume, event, given, note, settings, target
from hypothesis.control import currently_in_test_context
from hypothesis import strategies as st

from verify import strategies as S

BACKEND = os.environ.get("EQPROP_TEST_BACKEND", "mpmath")   # the reference integrator
THOROUGH = settings.default.max_examples >= 200
FAILURE_DIR = Path(os.environ.get("EQPROP_FAILURE_DIR", ".hypothesis/eqprop-failures"))

# The statements and the checks (verify.theorems) that carry each of them.
STATEMENTS = {
    "theorem1": ("theorem1", "cauchy-ode"),       # Eq 11-16: direct route = Cauchy problem
    "theorem2": ("theorem2", "eq10-limit"),       # Eq 20 (and Eq 10): EP gradient = dJ/dtheta
    "theorem3": ("theorem3", "theorem3-ode"),     # Eq 21, 22: EP's (X~, Y~) solve Eq 11-14
    "corollary4-eq23": ("corollary4",),           # Eq 23
    "corollary4-eq24": ("eq24",),                 # Eq 24
}

if THOROUGH:
    FAMILY_OPTIONS = {}
    DPS = st.sampled_from([20, 30])
    TIMES = S.times(max_times=3, t_max=3)
else:  # small models and few times: the whole default suite stays fast
    FAMILY_OPTIONS = {name: family.small for name, family in S.REGISTRY.items()}
    DPS = st.just(20)
    TIMES = S.times(max_times=2, t_max=2)

# Shrinking re-runs the check for every candidate (minutes): the thorough profile shrinks;
# under ci a failure is reported (and written out) as first found. ci draws 6 instances per
# statement (small ones, ~1 s each).
PROPERTY_SETTINGS = settings() if THOROUGH else settings(
    max_examples=6, phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
# The default run keeps one statement's property (Theorem 3: EP against RBP) as the fast
# representative; the others are `slow`, run by `tox -e thorough` (with >= 200 instances each).
SLOW = pytest.mark.slow


@dataclasses.dataclass
class Case:
    """One drawn instance with the settings of its check."""

    instance: S.Instance
    times: list
    beta_method: str
    dps: int

    def __repr__(self):  # what hypothesis prints as the falsifying example
        return (f"Case({self.instance.family}: {self.instance.model.description!r}, times="
                f"{[str(t) for t in self.times]}, beta_method={self.beta_method!r}, dps={self.dps})")

    def model_file(self) -> str:
        return self.instance.to_toml(dps=self.dps, times=self.times, beta_method=self.beta_method,
                                     backend=BACKEND)


@st.composite
def cases(draw, families=S.FAMILIES):
    family = draw(st.sampled_from(list(families)))
    instance = draw(S.instances(family, **FAMILY_OPTIONS.get(family, {})))
    return Case(instance, draw(TIMES), draw(S.beta_methods()), draw(DPS))


def save_failure(case: Case, statement: str) -> Path:
    """Write the instance as a model file (settings included) for ``eqprop-verify check``."""
    text = case.model_file()
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    path = FAILURE_DIR / f"{statement}-{case.instance.family}-{digest}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path.resolve()


def nothing_to_compare(report) -> bool:
    """True when X_t, Y_t and dJ/dtheta all vanish (to half the precision): a degenerate instance."""
    v = report.values
    entries = [x for key in ("X", "Y") for row in (v.get(key) or []) for x in row] + list(v.get("dJ_dtheta") or [])
    if not entries:
        return False
    tiny = mpmath.mpf(10) ** (-report.settings["dps"] // 2)
    return all(abs(mpmath.mpf(x)) <= tiny for x in entries)


def run_statement(case: Case, statement: str):
    """Check ``case`` and assert that ``statement`` was verified on it."""
    from verify.theorems import check

    sc = case.instance.screening
    if currently_in_test_context():   # (run_statement is also called directly, below)
        target(math.log10(sc.cond), label="log10 cond(H) at s_theta^0 (float64)")
        event(f"{case.instance.family}, cond(H) "
              f"{'< 10' if sc.cond < 10 else '10-100' if sc.cond < 100 else '>= 100'}")
    try:
        report = check(case.instance.model, dps=case.dps, times=[str(t) for t in case.times],
                       beta_method=case.beta_method, backend=BACKEND)
    except Exception as exc:
        path = save_failure(case, statement)
        raise AssertionError(f"eqprop-verify check crashed on a valid instance: {type(exc).__name__}: {exc}\n"
                             f"instance written to {path}\nreproduce: eqprop-verify check {path} --backend {BACKEND} --debug") from exc
    if currently_in_test_context():
        note(report.table())
    if nothing_to_compare(report):
        # e.g. y = s_theta^0 with a theta-independent cost: dC/ds = 0, every side is 0
        event("rejected: every compared quantity is 0 (dC/ds = dC/dtheta = 0 at s_theta^0)")
        assume(False)
    fp = report.fixed_point
    if statement == "theorem2" and fp.get("found") and not fp.get("strict_minimum"):
        # the float64 screening saw a strict minimum; the check found another critical point
        event("theorem2: the check's fixed point is not a strict minimum")
        assume(False)
    wanted = STATEMENTS[statement]
    results = {c.id: c for c in report.checks}
    problems = []
    for cid in wanted:
        c = results[cid]
        if not c.applicable:
            problems.append(f"{cid} reported not applicable on a valid instance: {c.reason}")
        elif not c.passed:
            problems.append(f"{cid} failed: digits={c.digits}, rel={mpmath.nstr(c.max_rel_error, 3)}, "
                            f"tolerance={mpmath.nstr(c.tolerance, 3)}" + (f" ({c.reason})" if c.reason else ""))
        elif currently_in_test_context():
            event(f"{cid} digits >= {int(c.digits // 5 * 5)}")
    if problems:
        path = save_failure(case, statement)
        raise AssertionError("\n".join([f"{statement} not verified on a valid {case.instance.family} instance:",
                                        *problems, "", report.table(), "",
                                        f"instance written to {path}",
                                        f"reproduce: eqprop-verify check {path} --backend {BACKEND}"]))
    return report


@SLOW
@PROPERTY_SETTINGS
@given(case=cases())
def test_theorem1_direct_route_solves_the_cauchy_problem(case):
    """Theorem 1: (dL/ds, dL/dtheta) at s_theta^0 on the nonlinear flow = the Cauchy problem Eq 11-14."""
    run_statement(case, "theorem1")


@SLOW
@PROPERTY_SETTINGS
@given(case=cases())
def test_theorem2_ep_gradient_formula(case):
    """Theorem 2 (Eq 20): the EP gradient from nudged fixed points = dJ/dtheta (and Eq 10)."""
    run_statement(case, "theorem2")


@PROPERTY_SETTINGS
@given(case=cases())
def test_theorem3_ep_processes_solve_the_cauchy_problem(case):
    """Theorem 3 (Eq 21, 22): X~, Y~ of the nudged flow solve Eq 11-14."""
    run_statement(case, "theorem3")


@SLOW
@PROPERTY_SETTINGS
@given(case=cases())
def test_corollary4_eq23_temporal_derivatives_are_error_derivatives(case):
    """Corollary 4, Eq 23: dL/ds = -lim 1/beta dS^beta/dt at every t."""
    run_statement(case, "corollary4-eq23")


@SLOW
@PROPERTY_SETTINGS
@given(case=cases())
def test_corollary4_eq24_truncated_ep_is_truncated_rbp(case):
    """Corollary 4, Eq 24: dL/dtheta = lim 1/beta (dE^beta/dtheta(S^beta) - dE/dtheta(s^0))."""
    run_statement(case, "corollary4-eq24")


# ---------------------------------------------------------------------------------------
# the strategies themselves (cheap: float64 and parsing only)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("family", S.FAMILIES)
def test_drawn_instances_are_model_files_that_load_back(family):
    from symbolic.spec import load_model_text

    rng = random.Random(f"roundtrip/{family}")
    for _ in range(3):
        inst, _ = S.draw_valid(family, rng)
        text = inst.to_toml(dps=25, times=[0, Fraction(3, 8)], beta_method="richardson")
        back = load_model_text(text, "<written>")
        assert back.theta_values == inst.model.theta_values
        assert back.energy == inst.model.energy and back.cost == inst.model.cost
        assert back.settings["dps"] == 25 and back.settings["beta_method"] == "richardson"
        assert back.settings.get("initial_state") == inst.model.settings.get("initial_state")


@pytest.mark.parametrize("family", S.FAMILIES)
def test_each_registered_family_draws_its_own_instances(family):
    record = S.REGISTRY[family]
    inst, _ = S.draw_valid(family, random.Random(f"registry/{family}"), **record.small)
    assert record.name == family and inst.family == family
    assert inst.model.name == f"random-{family}"


def test_cli_choices_come_from_the_registries():
    """``random --family`` offers the registered families; ``--beta-method`` the extrapolation methods."""
    from verify.cli import build_parser
    from verify.extrapolate import METHODS

    parser = build_parser()
    args = parser.parse_args(["random"])
    assert args.family == "hopfield"
    for family in S.FAMILIES:
        assert parser.parse_args(["random", "--family", family]).family == family
    for method in METHODS:
        assert parser.parse_args(["random", "--beta-method", method]).beta_method == method
    assert S.BETA_METHODS == tuple(METHODS)   # the registry's names, in its order
    with pytest.raises(SystemExit):
        parser.parse_args(["random", "--family", "no-such-family"])


@pytest.mark.parametrize("family", S.FAMILIES)
def test_screening_gradient_is_the_models_dE_ds(family):
    """The float64 gradient used to screen instances is the symbolic layer's dE/ds (independently written)."""
    from symbolic.compile import compile_model

    rng = random.Random(f"gradient/{family}")
    inst = S.GENERATORS[family](S.RandomSource(rng))
    compiled = compile_model(inst.model)
    with mpmath.workdps(20):
        theta = compiled.theta_values(20)
        for k in range(3):
            s = np.random.default_rng(k).uniform(-1.5, 1.5, inst.model.n)
            exact = [float(v) for v in compiled.dE_ds([mpmath.mpf(float(x)) for x in s], theta)]
            assert np.max(np.abs(inst.gradient(s) - np.array(exact))) < 1e-12 * (1 + np.max(np.abs(exact)))


@SLOW
def test_strongly_coupled_instances_are_drawn():
    """Conditioning up to ~10^2 and several minima occur among drawn instances (not only H ~ identity)."""
    rng = random.Random("coupling")
    conds, several = [], 0
    for i in range(16):
        family = ("hopfield", "polynomial")[i % 2]
        inst, _ = S.draw_valid(family, rng)
        conds.append(inst.screening.cond)
        several += S.count_minima(inst, starts=6) >= 2
    assert max(conds) >= 25, sorted(conds)
    assert sum(c >= 10 for c in conds) >= 3, sorted(conds)
    assert several >= 3


def test_degenerate_draws_are_rejected_not_passed():
    """A saddle and a non-convergent flow fail the screening (they become `assume` rejections)."""
    saddle = S.screen(lambda s: np.array([s[0], -s[1]]), [0.0, 0.0])
    assert not saddle.ok and "saddle" in saddle.reason
    flat = S.screen(lambda s: np.array([s[0] ** 3]), [0.5])
    assert not flat.ok
    ill = S.screen(lambda s: np.array([s[0], 1e-5 * s[1]]), [1.0, 1.0])
    assert not ill.ok


def test_a_failing_statement_prints_the_table_and_writes_the_instance(monkeypatch, tmp_path):
    """The failure path of the property tests: table in the message, a model file `check` can run."""
    import sys as _sys
    import subprocess

    import verify.theorems as theorems

    real_check = theorems.check

    def wrong_check(model, **kw):   # a verifier that gets Eq 23 wrong
        report = real_check(model, **kw)
        next(c for c in report.checks if c.id == "corollary4").passed = False
        return report

    monkeypatch.setattr(theorems, "check", wrong_check)
    monkeypatch.setattr(_sys.modules[__name__], "FAILURE_DIR", tmp_path)
    inst, _ = S.draw_valid("quadratic", random.Random("failure-path"), states=(2, 2))
    case = Case(inst, [Fraction(0), Fraction(1, 2)], "complex-step", 20)
    with pytest.raises(AssertionError) as info:
        run_statement(case, "corollary4-eq23")
    message = str(info.value)
    assert "corollary4-eq23 not verified on a valid quadratic instance" in message
    assert "FAIL corollary4" in message and "verdict: FAILED" in message
    written = sorted(tmp_path.glob("corollary4-eq23-quadratic-*.toml"))
    assert len(written) == 1 and f"eqprop-verify check {written[0]}" in message
    proc = subprocess.run([_sys.executable, "-m", "verify", "check", str(written[0]), "--backend", BACKEND,
                           "--json", "-"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr       # the real verifier: verified, with the same settings
    import json

    settings_used = json.loads(proc.stdout)["settings"]
    assert (settings_used["dps"], settings_used["times_exact"], settings_used["beta_method"]) == \
        (20, ["0", "1/2"], "complex-step")
