"""The numeric layer: high-precision flows, routes and theorem checks."""

__version__ = "0.1.0"
