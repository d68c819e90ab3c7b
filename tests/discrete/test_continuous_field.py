"""Continuous [field] models: a hand-written gradient field verifies; a skew part is reported, growing with alpha."""

from pathlib import Path

import mpmath

from symbolic.spec import load_model_text
from verify.discrete.continuous_field import check_field

TEXT = (Path(__file__).parent / "models" / "field-pair.toml").read_text()


def field_model(alpha):
    return load_model_text(TEXT.replace("alpha = 0\n", f'alpha = "{alpha}"\n'), f"field-pair-{alpha}.toml")


def test_a_gradient_field_written_by_hand_verifies():
    report = check_field(field_model(0), dps=16, times=["0", "1/2"])
    assert report.verdict == "verified", report.table()
    assert mpmath.mpf(report.fixed_point["asymmetry"]) == 0
    assert [c.id for c in report.checks] == ["field-rbp-adjoint", "field-ep", "field-rbp-naive"]


def test_a_skew_part_is_not_applicable_and_ep_error_grows_with_alpha():
    worst = []
    for alpha in ("1/10", "3/10"):
        report = check_field(field_model(alpha), dps=16, times=["0", "1/2", "1"])
        assert report.exit_code == 3
        checks = {c.id: c for c in report.checks}
        assert checks["field-rbp-adjoint"].passed           # the correct adjoint J^T still matches the flow
        for cid in ("field-ep", "field-rbp-naive"):
            assert not checks[cid].applicable and checks[cid].reason.startswith("not a gradient map: asymmetry")
            assert not any("{" in side for side in checks[cid].to_dict()["compared"]), checks[cid].to_dict()["compared"]
        assert mpmath.mpf(report.fixed_point["asymmetry"]) > 0.01
        rel = [mpmath.mpf(d["relative_error"]) for d in report.values["discrepancy"]]
        assert rel[0] < 1e-12 < rel[1] < rel[2]              # t = 0 reads dC/ds only
        worst.append(rel[-1])
    assert worst[0] < worst[1]


def test_the_integrator_error_is_measured_not_assumed_and_bounds_the_observed_error():
    """Each flow is integrated again at CHECK_DIGITS more digits; the difference is the integrator's term."""
    from verify.discrete.continuous_field import CHECK_DIGITS

    report = check_field(field_model(0), dps=16, times=["0", "1/2"])
    checks = {c.id: c for c in report.checks}
    for cid in ("field-rbp-adjoint", "field-ep"):
        origin = checks[cid].tolerance_origin
        assert f"difference to the integration at {CHECK_DIGITS} more digits" in origin
        term = mpmath.mpf(origin.split("more digits) ")[1].split()[0])
        assert 0 < term < mpmath.mpf(10) ** -21            # measured: near the working precision (26), not zero
        # the closed form expm(J^T t) dC/ds shares nothing with the integrator: its gap to the flow
        assert checks[cid].max_rel_error <= 10 * term + mpmath.mpf(10) ** -24
