"""The workout history: the SQLite store, its migrations, recording sessions safely, plots."""
