"""Benchmarks (``eqprop-verify bench``): ratios against baselines run in the same process."""
