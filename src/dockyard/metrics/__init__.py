"""Counters and histograms kept in each worker as plain numbers, published as snapshots.

Recording costs a dict lookup, a bisect and a few additions, so it can sit on every request.
Workers write their snapshot to a shared state directory about once a second
(:mod:`~dockyard.metrics.snapshot`); the debug server sums them and renders Prometheus text
(:mod:`~dockyard.metrics.exposition`), so counters stay right with any number of workers.
"""
