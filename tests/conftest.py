"""Shared test setup: mpmath precision restored after every test; hypothesis profiles.

Profiles: ``ci`` (default, fast) and ``thorough`` (>= 200 instances per
statement; ``HYPOTHESIS_PROFILE=thorough`` or ``tox -e thorough``).
"""

import os

import mpmath
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=4, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _restore_mpmath_precision():
    before = mpmath.mp.prec
    yield
    after = mpmath.mp.prec
    mpmath.mp.prec = before
    assert after == before, f"a test left mpmath precision changed: {before} -> {after} bits"
