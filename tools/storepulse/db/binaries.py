"""Where this machine keeps PostgreSQL's programs (initdb, pg_ctl, pg_dump)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

BINDIR_ENV = "STOREPULSE_PG_BINDIR"


def find_bindir() -> Path | None:
    """Find the PostgreSQL server binaries: $STOREPULSE_PG_BINDIR, PATH, then Debian's layout."""
    candidates: list[str] = []
    if os.environ.get(BINDIR_ENV):
        candidates.append(os.environ[BINDIR_ENV])
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    debian = sorted(
        (str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    for c in candidates:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None
