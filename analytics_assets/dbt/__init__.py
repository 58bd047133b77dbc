"""dbt inside Dagster: the project, the profile's environment, translator and assets."""
