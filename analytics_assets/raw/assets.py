"""One partitioned Dagster asset per source table, key raw/<table>, built by one factory."""

# No `from __future__ import annotations`: Dagster reads the context and resource
# annotations of the asset function at definition time.
import dagster as dg
import psycopg
from dagster import AssetExecutionContext, MaterializeResult

from analytics_assets.calendar import first_day
from analytics_assets.grains import DAILY, RAW_GROUP
from analytics_assets.raw.contract import ContractDrift
from analytics_assets.raw.ddl import BOOKKEEPING_COLUMNS, RAW_SCHEMA
from analytics_assets.raw.loader import DayChange, LoadResult, load_window
from analytics_assets.resources import Databases, WarehouseWriter
from analytics_assets.settings import asset_owners
from analytics_assets.source.assets import source_asset_key
from analytics_assets.source.tables import SourceTable, source_tables
from analytics_assets.window import Window


def raw_asset_key(table_name: str) -> dg.AssetKey:
    return dg.AssetKey([RAW_SCHEMA, table_name])


def load_rule(table: SourceTable) -> str:
    """How a partition is loaded, in words (shown in the asset's description)."""
    first = (
        "The first partition also takes the rows dated before it and the undated ones. "
        "Every source row is kept, bad ones included: staging decides what is valid."
    )
    if table.mutable:
        return (
            f"Mutable: a daily partition takes the rows whose `{table.window_column}` falls on "
            f"that UTC day, and the older ones raw does not hold yet (newer than the newest "
            f"`{table.window_column}` in raw; all of them on a first load), and upserts them "
            f"by key ({', '.join(table.key)}); a row never "
            f"replaces a newer version of itself (newest `{table.window_column}` wins). Rows "
            f"with a null key are replaced per partition. {first}"
        )
    return (
        f"Append-only: a daily partition holds the rows whose `{table.window_column}` falls "
        f"on that UTC day; loading it again replaces them (delete + COPY in one "
        f"transaction), so late rows land. {first}"
    )


def _column_schema(table: SourceTable) -> dg.TableSchema:
    columns = [dg.TableColumn(c.name, c.type) for c in table.columns]
    columns += [
        dg.TableColumn(name, spec.split()[0], description="load bookkeeping")
        for name, spec in BOOKKEEPING_COLUMNS
    ]
    return dg.TableSchema(columns=columns)


def build_raw_asset(table: SourceTable) -> dg.AssetsDefinition:
    """The asset that stages app.<table> into raw.<table>, one daily partition at a time or a
    whole range in one step (single-run backfill: one COPY for the range)."""

    @dg.asset(
        key=raw_asset_key(table.name),
        group_name=RAW_GROUP,
        partitions_def=DAILY.partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"postgres"},
        # The lineage starts at the source table this asset copies (an external asset).
        deps=[source_asset_key(table.name)],
        owners=list(asset_owners()),
        description=f"{table.description}\n\n{load_rule(table)}",
        metadata={
            "dagster/table_name": f"{RAW_SCHEMA}.{table.name}",
            "dagster/column_schema": _column_schema(table),
            "key": ", ".join(table.key),
            "window_column": table.window_column,
        },
    )
    def _raw_asset(
        context: AssetExecutionContext, databases: Databases, writer: WarehouseWriter
    ) -> MaterializeResult:
        window = Window.of(context.partition_time_window)
        first = first_day(DAILY.partitions())
        try:
            result = load_window(
                databases.source_url(), databases.warehouse_url(), table, window, first
            )
        except ContractDrift as err:
            raise dg.Failure(description=str(err), allow_retries=False) from None
        except psycopg.Error as err:
            # A lost connection, a full disk, a cancelled query: the load is one warehouse
            # transaction, so raw is as it was; say so, in one line.
            reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
            raise dg.Failure(
                description=f"loading {RAW_SCHEMA}.{table.name} {window.label()} failed: "
                f"{reason} ({RAW_SCHEMA}.{table.name} is as it was: run these days again)"
            ) from err
        for day in result.days:
            context.add_asset_metadata(day_metadata(day), partition_key=day.day.isoformat())
        context.log.info(
            f"{RAW_SCHEMA}.{table.name} {window.label()}: {result.rows_copied} rows copied, "
            f"+{result.rows_added} -{result.rows_removed} ~{result.rows_updated} "
            f"in {result.seconds:.2f} s"
            + (
                f"; caught up on {result.caught_up} rows of earlier days raw did not hold"
                if result.caught_up
                else ""
            )
        )
        return MaterializeResult(metadata=load_metadata(result))

    return _raw_asset


def day_metadata(day: DayChange) -> dict[str, dg.MetadataValue]:
    """What one partition's materialization records: its rows and what changed since the
    previous load of that partition (see loader.py for the exact meaning of each count)."""
    return {
        "partition_window": dg.MetadataValue.text(Window.day(day.day).label()),
        # The partition's rows as the load copied them: the UI's row count of the partition,
        # known without a count(*) of the table.
        "dagster/row_count": dg.MetadataValue.int(day.rows_copied),
        "rows_copied": dg.MetadataValue.int(day.rows_copied),
        "rows_added": dg.MetadataValue.int(day.rows_added),
        "rows_removed": dg.MetadataValue.int(day.rows_removed),
        "rows_updated": dg.MetadataValue.int(day.rows_updated),
        "rows_skipped": dg.MetadataValue.int(day.rows_skipped),
    }


def load_metadata(result: LoadResult) -> dict[str, dg.MetadataValue]:
    """What the whole load (one partition or a range) records, on every partition's event."""
    return {
        "load_window": dg.MetadataValue.text(result.window.label()),
        "load_rows_copied": dg.MetadataValue.int(result.rows_copied),
        "load_rows_caught_up": dg.MetadataValue.int(result.caught_up),
        "load_rows_changed": dg.MetadataValue.int(
            result.rows_added + result.rows_removed + result.rows_updated
        ),
        "load_duration_s": dg.MetadataValue.float(round(result.seconds, 3)),
        "load_rows_per_s": dg.MetadataValue.float(round(result.rows_per_second, 1)),
    }


def raw_assets() -> list[dg.AssetsDefinition]:
    """Every raw asset, in contract order."""
    return [build_raw_asset(table) for table in source_tables().values()]
