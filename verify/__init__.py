"""The numeric layer: high-precision flows, routes and theorem checks.

``verify.check(model_or_path, dps=..., times=..., beta_method=..., backend=...)``
returns a :class:`verify.result.Report`; ``.assert_verified()`` raises with
the readable table unless every statement was verified.
"""

__version__ = "0.1.0"


def check(model_or_path, **kwargs):
    """Check Theorems 1-3 and Corollary 4 on a model (see :func:`verify.theorems.check`)."""
    from .theorems import check as _check

    return _check(model_or_path, **kwargs)


__all__ = ["__version__", "check"]
