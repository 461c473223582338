"""Writers: canonical tables -> files analysts open (CSV with BOM, Parquet, manifest), written atomically."""
