"""Database tooling: applying and rolling back migrations, the static and in-database lints."""
