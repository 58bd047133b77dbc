"""`analytics-dbt`: dbt, bound to the life of the process that started it.

dagster-dbt starts dbt as a child process. When the run's process dies without a chance to
clean up (SIGKILL, the OOM killer), an ordinary child lives on and keeps committing to the
warehouse while a retry starts writing the same tables. This entry point asks Linux to
kill it when its parent dies (prctl PR_SET_PDEATHSIG), then runs dbt's own command line in
this process. Elsewhere (no prctl) it is plain dbt; the writer lock's healing
(analytics_assets/writer.py) then ends an orphan's sessions instead.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
PARENT_ENV_VAR = "ANALYTICS_DBT_PARENT"
"""The pid of the process that starts dbt, set by it (WarehouseDbt.build)."""


def bind_to_parent() -> bool:
    """Be killed when the parent dies; False where the kernel cannot do it."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0


def main() -> None:
    parent = int(os.environ.get(PARENT_ENV_VAR) or os.getppid())
    bind_to_parent()
    # The parent may have died before the prctl took effect: we were reparented then.
    if os.getppid() != parent:
        sys.exit("analytics-dbt: the process that started dbt is gone")
    from dbt.cli.main import cli

    sys.exit(cli())


if __name__ == "__main__":
    main()
