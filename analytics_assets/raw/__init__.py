"""The raw layer: faithful, partitioned copies of the source tables in schema `raw`."""
