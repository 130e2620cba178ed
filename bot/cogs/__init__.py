"""One cog per Discord feature: ask, sources, ingest, feedback."""
