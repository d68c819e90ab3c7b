"""The numeric layer: high-precision flows, routes and theorem checks."""
