"""The statistics macros of dbt_project/macros/metrics/stats.sql, compiled by dbt and run on
both PostgreSQL servers (15 has no erf), against scipy.stats as the reference."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2, norm
from support.dbt import Dbt

from analytics_assets.db import connect, url_parts
from analytics_assets.settings import DBT_PROJECT_DIR

# Cody's approximation is good to ~1e-15 relative; this leaves room for the libm of either
# server and still fails any approximation of the A&S 7.1.26 class (~1e-7).
RTOL = 1e-11

_SNIPPETS = {
    "normal": "{{ two_sided_normal_p('z') }}",
    "pooled": "{{ pooled_two_proportion_p('x1', 'n1', 'x2', 'n2') }}",
    "chi": "{{ chi_square_p('x', 'k') }}",
}


def _write_project(root: Path, server_url: str) -> None:
    """A throwaway dbt project whose only macros are the project's metrics macros."""
    (root / "metrics_macros").symlink_to(DBT_PROJECT_DIR / "macros" / "metrics")
    (root / "dbt_project.yml").write_text(
        "name: stats_macros_test\nversion: '1.0'\nconfig-version: 2\nprofile: stats_test\n"
        "macro-paths: ['metrics_macros']\nmodel-paths: ['models']\n"
    )
    parts = url_parts(server_url)
    (root / "profiles.yml").write_text(
        "stats_test:\n  target: t\n  outputs:\n    t:\n      type: postgres\n"
        f"      host: '{parts['host']}'\n      port: {parts['port']}\n"
        f"      user: '{parts['user']}'\n      password: '{parts['password']}'\n"
        f"      dbname: '{parts['dbname']}'\n      schema: public\n      threads: 1\n"
    )


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, embedded_server_url: str) -> dict[str, str]:
    """Each macro's SQL expression, compiled by dbt in one invocation (markers split them)."""
    root = tmp_path_factory.mktemp("stats_dbt")
    _write_project(root, embedded_server_url)
    inline = "select " + ", ".join(f"/*<{k}>*/ {v} /*</{k}>*/" for k, v in _SNIPPETS.items())
    dbt = Dbt(embedded_server_url, root / "target", project_dir=root)
    result = dbt.invoke("compile", "--quiet", "--inline", inline)
    code = result.result.results[0].node.compiled_code
    return {k: re.search(rf"/\*<{k}>\*/(.*)/\*</{k}>\*/", code, re.S).group(1) for k in _SNIPPETS}


def _run(server_url: str, expr: str, columns: dict[str, list]) -> list[float | None]:
    """Evaluate expr over the rows given column-wise, in input order."""
    names = list(columns)
    unnest = ", ".join("%s::float8[]" for _ in names)
    query = (
        f"select {expr} from unnest({unnest}) with ordinality as v({', '.join(names)}, ord) "
        "order by ord"
    )
    # Every column goes as float8[] (psycopg will not send a list mixing ints and floats).
    params = [[None if v is None else float(v) for v in columns[n]] for n in names]
    with connect(server_url) as conn:
        return [row[0] for row in conn.execute(query, params).fetchall()]


def _assert_close(got: list, want: list, rtol: float = RTOL) -> None:
    for g, w in zip(got, want, strict=True):
        assert g is not None
        assert math.isclose(g, w, rel_tol=rtol, abs_tol=0.0), (g, w)


# --- two_sided_normal_p ---------------------------------------------------------------------


def test_normal_p_matches_scipy_over_every_branch_and_the_tail(server_url, compiled):
    # Both sides of each of Cody's three ranges (0.6745 and sqrt(32) = 5.657), and the tail
    # down to p ~ 1e-15 (z = 8) and far beyond (z = 37: p ~ 1e-299).
    zs = [
        0.0,
        1e-12,
        1e-4,
        0.3,
        0.6744,
        0.67449,
        0.6746,
        1.0,
        1.644854,
        1.959964,
        2.5,
        3.0,
        3.890592,
        4.5,
        5.0,
        5.6568,
        5.6569,
        6.0,
        6.5,
        7.0,
        7.5,
        7.941345,
        8.0,
        10.0,
        20.0,
        30.0,
        37.0,
    ]
    zs += list(np.linspace(0.01, 9.0, 300))
    zs += [-z for z in zs]
    got = _run(server_url, compiled["normal"], {"z": zs})
    want = [2 * norm.sf(abs(z)) for z in zs]
    _assert_close(got, want)
    # The tail the brief names: 2 * P(Z > 8) is about 1.2e-15, and it is not 0.
    assert 1.2e-15 < got[zs.index(8.0)] < 1.3e-15


def test_normal_p_hand_values(server_url, compiled):
    # Textbook quantiles: |z| = 1.959964 is the 5% two-sided point, 2.575829 the 1% one.
    got = _run(server_url, compiled["normal"], {"z": [1.959963984540054, -2.5758293035489004]})
    _assert_close(got, [0.05, 0.01], rtol=1e-12)


def test_normal_p_edge_inputs(server_url, compiled):
    got = _run(
        server_url, compiled["normal"], {"z": [None, float("nan"), 0.0, 40.0, -1e6, float("inf")]}
    )
    assert got == [None, None, 1.0, 0.0, 0.0, 0.0]


# --- pooled_two_proportion_p ----------------------------------------------------------------


def _pooled_reference(x1: int, n1: int, x2: int, n2: int) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 2 * norm.sf(abs(z))


def test_pooled_two_proportion_hand_example(server_url, compiled):
    # 50/100 against 30/100: pooled 0.4, se = sqrt(0.4 * 0.6 * (1/100 + 1/100)) = sqrt(0.0048),
    # z = 0.2 / 0.0692820323 = 2.8867513459, two-sided p = 0.0038924171.
    got = _run(
        server_url,
        compiled["pooled"],
        {"x1": [50, 30], "n1": [100, 100], "x2": [30, 50], "n2": [100, 100]},
    )
    _assert_close(got, [0.003892417122, 0.003892417122], rtol=1e-9)


def test_pooled_two_proportion_matches_reference(server_url, compiled):
    rng = np.random.default_rng(5)
    n1 = rng.integers(50, 20_000, 200)
    n2 = rng.integers(50, 20_000, 200)
    x1 = (n1 * rng.uniform(0.01, 0.6, 200)).astype(int) + 1
    x2 = (n2 * rng.uniform(0.01, 0.6, 200)).astype(int) + 1
    cols = {"x1": x1.tolist(), "n1": n1.tolist(), "x2": x2.tolist(), "n2": n2.tolist()}
    got = _run(server_url, compiled["pooled"], cols)
    want = [_pooled_reference(*row) for row in zip(x1, n1, x2, n2, strict=True)]
    # p-values this small need the tail to be right, not just the centre.
    assert min(want) < 1e-12
    _assert_close(got, want, rtol=1e-9)


def test_pooled_two_proportion_edge_inputs(server_url, compiled):
    rows = [
        (None, 10, 1, 10),  # a null input
        (1, 0, 1, 10),  # an empty group
        (0, 10, 0, 10),  # nobody converted: no variance
        (10, 10, 5, 5),  # everybody converted: no variance
        (11, 10, 1, 10),  # more successes than trials
        (-1, 10, 1, 10),  # a negative count
        (5, 10, 5, 10),  # equal rates: z = 0
    ]
    cols = {k: [r[i] for r in rows] for i, k in enumerate(["x1", "n1", "x2", "n2"])}
    assert _run(server_url, compiled["pooled"], cols) == [None] * 6 + [1.0]


# --- chi_square_p ---------------------------------------------------------------------------


def test_chi_square_p_matches_scipy(server_url, compiled):
    xs, ks = [], []
    for k in range(1, 41):
        for x in [
            1e-6,
            0.01,
            0.5,
            1.0,
            k / 2,
            k - 1,
            k,
            k + 3,
            2 * k,
            3 * k + 10,
            50.0,
            90.0,
            150.0,
            400.0,
            1200.0,
        ]:
            xs.append(float(x))
            ks.append(k)
    got = _run(server_url, compiled["chi"], {"x": xs, "k": ks})
    want = [chi2.sf(x, k) for x, k in zip(xs, ks, strict=True)]
    assert min(w for w in want if w > 0) < 1e-200
    _assert_close(got, want, rtol=1e-10)


def test_chi_square_p_small_tail(server_url, compiled):
    # P(chi2_1 > 64) = 2 * P(Z > 8) ~ 1.24e-15: the odd-dof path goes through the normal tail.
    xs = [64.0, 70.0, 75.0, 80.0, 85.0]
    ks = [1, 2, 3, 4, 5]
    got = _run(server_url, compiled["chi"], {"x": xs, "k": ks})
    want = [chi2.sf(x, k) for x, k in zip(xs, ks, strict=True)]
    assert max(want) < 1e-13
    _assert_close(got, want, rtol=1e-10)


def test_chi_square_p_hand_values(server_url, compiled):
    # dof 2: Q = exp(-x/2) exactly.  dof 4: Q = exp(-x/2) (1 + x/2).
    # SRM example: 520 vs 480 assigned on a 50/50 split of 1000: chi2 = 2 * 20^2 / 500 = 1.6,
    # dof 1: p = 2 * P(Z > sqrt(1.6)) = 0.2059032107.
    got = _run(server_url, compiled["chi"], {"x": [3.0, 3.0, 1.6], "k": [2, 4, 1]})
    _assert_close(got, [math.exp(-1.5), math.exp(-1.5) * 2.5, 0.205903210732], rtol=1e-9)


def test_chi_square_p_edge_inputs(server_url, compiled):
    rows = [
        (None, 1),
        (1.0, None),
        (1.0, 0),  # no degrees of freedom
        (1.0, 2.5),  # not a whole number
        (float("nan"), 2),
        (0.0, 3),  # a perfect fit
        (-2.0, 3),
        (float("inf"), 3),
    ]
    got = _run(server_url, compiled["chi"], {"x": [r[0] for r in rows], "k": [r[1] for r in rows]})
    assert got == [None, None, None, None, None, 1.0, 1.0, 0.0]
