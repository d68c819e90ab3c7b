"""pytest plugin: check your own models in your own test suite (entry point ``pytest11: eqprop_verify``).

Installed with eqprop-verify; nothing to configure. In a test::

    def test_my_model_satisfies_the_paper(eqprop_check):
        report = eqprop_check("models/my.toml", dps=30)     # or a Model, or a built-in name
        assert report.verdict == "verified"                  # (already ensured)

``eqprop_check(model, *, dps, times, beta_method, backend, not_applicable, variant)``
runs ``verify.check`` (Theorems 1-3, Corollary 4) and returns the
:class:`~verify.result.Report`. A relative model path is looked up beside the
test file first, then in the current directory (:func:`resolve_model_path`),
so a test finds its model whether pytest runs from the test's directory or
from the repository root. It fails the test with the readable table
when a statement fails; fails it with the file, key and problem when the
model file is invalid; and when a statement's hypotheses are not met
(no fixed point, a saddle, ...) it fails by default, since "not verified"
must not look like a pass (``not_applicable="skip"`` skips with the reason,
``"allow"`` returns the report). ``variant="eq23-sign-flipped"`` (any id of
``eqprop-verify falsify``) adds a deliberately false statement to the check:
the test must then fail, showing that the check can fail on this model.

Settings, from lowest to highest priority: the model file's ``[settings]``,
the command line (``--eqprop-dps``, ``--eqprop-backend``,
``--eqprop-beta-method``, ``--eqprop-times``, ``--eqprop-not-applicable``),
a ``@pytest.mark.eqprop(dps=..., ...)`` marker on the test, the call's
keyword arguments. The active settings are printed in the report header and
every check in a test is summarised in an ``eqprop-verify`` report section.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from verify.ode.backends import CHOICES

GROUP = "eqprop-verify"
MARKER = "eqprop"
PROPERTY = "eqprop-verify"
BACKENDS = CHOICES   # the beta methods are checked by the check itself (importing them needs mpmath)
NOT_APPLICABLE = ("fail", "skip", "allow")
SETTINGS = ("dps", "times", "beta_method", "backend", "steps", "not_applicable")

# (option, dest, keyword, help); the keyword is what the marker and the fixture take
OPTIONS = [
    ("--eqprop-dps", "eqprop_dps", "dps",
     "working precision in decimal digits for eqprop_check (default: the model's settings, else 40)"),
    ("--eqprop-backend", "eqprop_backend", "backend",
     f"ODE integrator for eqprop_check: {', '.join(BACKENDS)} (default: auto)"),
    ("--eqprop-beta-method", "eqprop_beta_method", "beta_method",
     "beta -> 0 method for eqprop_check, as --beta-method of `eqprop-verify check` "
     "(default: the model's settings, else symmetric)"),
    ("--eqprop-times", "eqprop_times", "times",
     "comma-separated times of the second phase for eqprop_check (default: the model's settings)"),
    ("--eqprop-steps", "eqprop_steps", "steps",
     "steps K of the second phase for eqprop_check on discrete models (default: the model's settings)"),
    ("--eqprop-not-applicable", "eqprop_not_applicable", "not_applicable",
     "when a statement's hypotheses are not met: fail (default), skip, or allow"),
]


def pytest_addoption(parser):
    group = parser.getgroup(GROUP, "eqprop-verify: check models with the eqprop_check fixture")
    for option, dest, _, help_text in OPTIONS:
        kwargs = {"dest": dest, "default": None, "help": help_text}
        if dest in ("eqprop_dps", "eqprop_steps"):
            kwargs["type"] = int
        elif dest == "eqprop_backend":
            kwargs["choices"] = BACKENDS
        elif dest == "eqprop_not_applicable":
            kwargs["choices"] = NOT_APPLICABLE
        group.addoption(option, **kwargs)


def pytest_configure(config):
    from verify.errors import UsageError

    try:
        for key, value in _option_settings(config).items():   # the same rules and messages as the CLI's
            _validate(key, value)
    except UsageError as exc:
        raise pytest.UsageError(f"eqprop-verify: {exc}") from None
    config.addinivalue_line(
        "markers", f"{MARKER}(dps=None, times=None, beta_method=None, backend=None, steps=None, "
                   "not_applicable=None): "
                   "settings for the eqprop_check fixture in this test (eqprop-verify)")
    config.pluginmanager.register(_Summary(), "eqprop-verify-summary")


def _validate(key, value):
    """A --eqprop-* option checked by verify.config's rule for it; the message names the option."""
    from verify import config as settings

    if key not in settings.PLUGIN:
        return value
    if key == "times" and isinstance(value, str):
        value = [t.strip() for t in value.split(",") if t.strip()]
    return settings.validate(key, value, settings.PLUGIN[key])


def _option_settings(config) -> dict:
    out = {}
    for _, dest, key, _ in OPTIONS:
        value = config.getoption(dest, None)
        if value is not None:
            out[key] = value
    return out


def pytest_report_header(config):
    opts = _option_settings(config)
    shown = ", ".join(f"{k.replace('_', '-')}={opts[k]}" for k in SETTINGS if k in opts)
    return (f"eqprop-verify: eqprop_check settings: {shown or 'the models’ own (no --eqprop-* options)'}"
            + ("" if "not_applicable" in opts else ", not-applicable=fail"))


_REPORTS = pytest.StashKey[list]()
_FAILED_BY_CHECK = pytest.StashKey[bool]()   # the table is already the failure message


class EqpropCheck:
    """The ``eqprop_check`` callable: check a model, fail the test unless every statement is verified."""

    def __init__(self, request):
        self._request = request
        self.defaults = _option_settings(request.config)
        marker = request.node.get_closest_marker(MARKER)
        if marker is not None:
            unknown = set(marker.kwargs) - set(SETTINGS)
            if unknown or marker.args:
                pytest.fail(f"@pytest.mark.{MARKER} takes keywords {', '.join(SETTINGS)}; "
                            f"got {', '.join(sorted(unknown)) or 'positional arguments'}", pytrace=False)
            self.defaults.update({k: v for k, v in marker.kwargs.items() if v is not None})
        self.reports = []

    def __call__(self, model, *, dps=None, times=None, beta_method=None, backend=None, steps=None,
                 not_applicable=None, variant=None, max_directions=None):
        from symbolic.errors import SpecError
        from verify.errors import UsageError

        given = {"dps": dps, "times": times, "beta_method": beta_method, "backend": backend, "steps": steps,
                 "not_applicable": not_applicable}
        opts = dict(self.defaults)
        opts.update({k: v for k, v in given.items() if v is not None})
        on_na = opts.pop("not_applicable", "fail")
        if on_na not in NOT_APPLICABLE:
            pytest.fail(f"eqprop_check: invalid setting: not_applicable={on_na!r}; use one of "
                        f"{', '.join(NOT_APPLICABLE)}", pytrace=False)
        if isinstance(opts.get("times"), str):
            opts["times"] = [t.strip() for t in opts["times"].split(",") if t.strip()]
        model = resolve_model_path(model, self._request.path.parent)
        problem = None
        try:
            report = _run_check(model, variant=variant, max_directions=max_directions, **opts)
        except SpecError as exc:
            problem = f"eqprop_check: invalid model: {exc}"
        except UsageError as exc:
            problem = f"eqprop_check: invalid setting: {exc}"
        if problem:   # outside the except clause: no chained exception in the test report
            pytest.fail(problem, pytrace=False)
        self._record(report, variant)
        verdict = report.verdict
        if verdict == "verified":
            return report
        table = readable_table(report)
        self._request.node.stash[_FAILED_BY_CHECK] = on_na != "allow" or verdict != "hypotheses-not-met"
        if verdict == "hypotheses-not-met":
            reasons = "; ".join(f"{c.id}: {c.reason}" for c in report.checks if not c.applicable)
            if on_na == "allow":
                return report
            if on_na == "skip":
                pytest.skip(f"eqprop_check {report.model.name}: hypotheses not met ({reasons})")
            pytest.fail(f"eqprop_check {report.model.name}: NOT VERIFIED: the hypotheses of some statements "
                        f"are not met\n(pass not_applicable='skip' or 'allow', or --eqprop-not-applicable, "
                        f"to accept this)\n\n{table}", pytrace=False)
        failed = [c.id for c in report.checks if c.applicable and not c.passed]
        pytest.fail(f"eqprop_check {report.model.name}: FAILED: {', '.join(failed) or report.error}\n\n{table}",
                    pytrace=False)

    def _record(self, report, variant):
        self.reports.append(report)
        self._request.node.stash.setdefault(_REPORTS, []).append(report)
        self._request.node.user_properties.append((PROPERTY, {
            "model": report.model.name, "verdict": report.verdict, "variant": variant,
            "digits": {c.id: c.digits for c in report.checks if c.applicable}}))


def resolve_model_path(model, test_dir):
    """A relative model path is looked up beside the requesting test file first, then in the current directory.

    So ``eqprop_check("two-layer.toml")`` finds the file next to the test
    whether pytest runs from that directory or from the repository root (as
    fixtures and data files are found). Absolute paths, built-in names and
    Model objects are returned unchanged; a path found in neither place is
    reported as missing beside the test file.
    """
    if not isinstance(model, (str, os.PathLike)):
        return model
    path = Path(model)
    if path.is_absolute():
        return model
    beside = Path(test_dir) / path
    if path.exists() and not beside.exists() or not beside.exists() and path.suffix != ".toml":
        return model                                  # in the current directory only, or a built-in name
    try:                                              # named as short as possible in messages
        return str(beside.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(beside)


def readable_table(report) -> str:
    """The check's table for a test report: statements not verified in full, the others one line each."""
    full = report.table().splitlines()
    head = full[:2]
    lines = head + [""]
    dps = report.settings.get("dps")
    for c in report.checks:
        if c.applicable and c.passed:
            lines.append(f"PASS {c.id:12s} (Eq {', '.join(c.equations)})  digits={c.digits} (dps {dps})  "
                         f"max rel error {_short(c.max_rel_error)} <= tolerance {_short(c.tolerance)}")
        else:
            lines.append(c.format(dps))
    lines += ["", full[-1]]
    return "\n".join(lines)


def _short(x) -> str:
    import mpmath

    return mpmath.nstr(x, 2) if x is not None else "-"


def _run_check(model, *, variant=None, max_directions=None, **opts):
    """``verify.check``'s pipeline, with ``variant`` adding one false statement on the same evidence."""
    from symbolic.load import load_model
    from verify import config as settings_mod, pipeline
    from verify.errors import UsageError

    model = load_model(model)
    if not model.is_gradient_flow:
        return _run_other_dynamics(model, variant=variant, max_directions=max_directions, **opts)
    if opts.pop("steps", None) is not None:
        raise UsageError("steps applies to discrete models ([settings] dynamics = \"discrete\"); "
                         "this model is the gradient flow of an energy")
    settings = settings_mod.resolve(model, max_directions=max_directions, **opts)
    return pipeline.run(model, settings, variant=variant)


def _run_other_dynamics(model, *, variant, max_directions, backend=None, **opts):
    """A discrete map or a continuous [field] (verify/discrete/): its statements, and ``variant`` from its catalogue.

    ``backend`` does not apply (these checks have one integrator each) and is ignored.
    """
    from verify.discrete.check import check_other_dynamics
    from verify.errors import UsageError
    from verify.pipeline import false_variant
    from verify.statements import catalogue
    from verify.sweep.task import dynamics_of

    by_id = {v.id: v for v in catalogue(dynamics_of(model))}
    if variant is not None and variant not in by_id:
        raise UsageError(f"variant={variant!r} is not a false variant of a {dynamics_of(model)} model; "
                         f"choose one of {', '.join(by_id)}")
    report = check_other_dynamics(model, max_directions=max_directions, **opts)
    if variant is None:
        return report
    if getattr(report, "variants", None) is not None:      # a field's variants ran with its check
        result = dict((v.id, r) for v, r in report.variants)[variant]
        if result is None:
            from verify.compare import not_applicable

            result = not_applicable(variant, f"FALSE VARIANT of {by_id[variant].of}: {by_id[variant].title}",
                                    [], ["", ""], "the variant is not false on this model (see eqprop-verify falsify)")
    else:
        with report.evidence.prec.context():
            result = false_variant(by_id[variant], report.evidence)
    report.checks.append(result)
    report.settings["variant"] = variant
    return report


@pytest.fixture
def eqprop_check(request):
    """Check a model (path, built-in name or Model) against the paper; returns the Report.

    Fails the test with the readable table unless every statement is
    verified (see the module docstring for not_applicable and variant).
    """
    return EqpropCheck(request)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    reports = item.stash.get(_REPORTS, None)
    if reports and rep.when == "call" and rep.failed and not item.stash.get(_FAILED_BY_CHECK, False):
        lines = [f"{r.model.name}: {r.verdict}  " +
                 "  ".join(f"{c.id}:{c.status}" + (f"({c.digits})" if c.applicable else "") for c in r.checks)
                 for r in reports]
        rep.sections.append((PROPERTY, "\n".join(lines)))


class _Summary:
    """Counts eqprop_check verdicts over the session (also from xdist workers, via user_properties)."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def pytest_runtest_logreport(self, report):
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == PROPERTY and isinstance(value, dict):
                self.counts[value["verdict"]] = self.counts.get(value["verdict"], 0) + 1

    def pytest_terminal_summary(self, terminalreporter):
        if not self.counts:
            return
        total = sum(self.counts.values())
        parts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(self.counts.items()))
        terminalreporter.write_sep("-", "eqprop-verify")
        terminalreporter.write_line(f"eqprop_check: {total} model check{'s' if total != 1 else ''}: {parts}")
