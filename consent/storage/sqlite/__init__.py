"""The SQLite engine (the embedded default): everything SQLite-specific lives in this package."""
