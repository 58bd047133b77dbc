"""Helpers of the tests (no tests here): test modules import from `support.<module>`, never
from one another. Fixtures shared by several modules live in tests/conftest.py.

pyproject.toml puts tests/ on pytest's pythonpath, so `support` imports as a top-level
package whatever the import mode.
"""
