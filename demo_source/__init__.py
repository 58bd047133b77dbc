"""The reproducible demo dataset for the source contract: fills schema `app` of a source
database with realistic rows (and, on request, every kind of bad row the contract lists).

It builds on the contract (`analytics_assets.source.tables`, `.bad_rows`) and connects
with `analytics_assets.db`; the pipeline never imports it. Only the command line
(`analytics source init|generate`, `analytics demo`), the tests and the benchmarks do.
"""
