"""Print `export VAR=value` lines that point dbt's profile at the configured warehouse.

For shells and tools that run dbt outside Dagster (sqlfluff's dbt templater, `dbt docs`):
`eval "$(python -m analytics_assets.dbt.profile_env)"`.

PGOPTIONS is printed without the PII key (analytics.pii_key), so the secret stays out of
terminals and shell histories. A hand-run `dbt build` of dim_users needs it: append
`-c analytics.pii_key=<key>` to PGOPTIONS yourself (a backslash before each space or
backslash of the key).
"""

from __future__ import annotations

import shlex

from analytics_assets.connections import warehouse_url
from analytics_assets.dbt.project import configured_dbt_env


def main() -> None:
    for name, value in configured_dbt_env(warehouse_url(), with_pii_key=False).items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
