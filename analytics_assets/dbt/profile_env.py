"""Print `export VAR=value` lines that point dbt's profile at the configured warehouse.

For shells and tools that run dbt outside Dagster (sqlfluff's dbt templater, `dbt docs`):
`eval "$(python -m analytics_assets.dbt.profile_env)"`.
"""

from __future__ import annotations

import shlex

from analytics_assets.dbt.project import export_profile_env


def main() -> None:
    for name, value in export_profile_env().items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
