"""The numeric layer: high-precision flows, routes and theorem checks.

``verify.check(model_or_path, dps=..., times=..., beta_method=..., backend=..., steps=...)``
returns a :class:`verify.result.Report`; ``.assert_verified()`` raises with
the readable table unless every statement was verified.
"""

__version__ = "0.1.0"


def check(model_or_path, *, dps=None, times=None, beta_method=None, backend=None, seed=None,
          max_directions=None, steps=None, progress=None):
    """Check Theorems 1-3 and Corollary 4 on a model (see :func:`verify.pipeline.check`).

    Every argument is validated (``verify.errors.UsageError`` naming it); safe
    to call from threads (one check at a time; the global mpmath precision is
    unchanged afterwards).
    """
    from .pipeline import check as run_check   # imported on use: ``import verify`` stays light

    return run_check(model_or_path, dps=dps, times=times, beta_method=beta_method, backend=backend, seed=seed,
                     max_directions=max_directions, steps=steps, progress=progress)


__all__ = ["__version__", "check"]
