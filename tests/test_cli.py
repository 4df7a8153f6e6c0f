"""The storepulse command: new migrations join the chain where the lint expects them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from storepulse import cli, lint_static, migrate


def test_new_migration_is_chained_and_lint_clean(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """`storepulse new` writes a pair that depends on the latest id and passes the lint."""
    for folder in migrate.SOURCE_DIRS:
        shutil.copytree(migrate.ROOT / folder, tmp_path / folder)
    latest = migrate.all_migrations()[-1].id
    new_id, depends = cli.next_id("add-orders", root=tmp_path, today=dt.date(2020, 1, 1))
    assert depends == latest
    assert new_id > latest and new_id.endswith("_add-orders")
    later_id, _ = cli.next_id("add-orders", root=tmp_path, today=dt.date(2099, 1, 1))
    assert later_id == "20990101_01_add-orders"

    monkeypatch.setattr(migrate, "ROOT", tmp_path)
    assert cli.main(["new", "views", "add-orders", "-m", "Add the orders view."]) == 0
    written = (tmp_path / "views" / f"{new_id}.sql").read_text()
    assert f"-- depends: {latest}" in written
    (tmp_path / "views" / f"{new_id}.sql").write_text(written + "select 1;\n")
    (tmp_path / "views" / f"{new_id}.rollback.sql").write_text("select 1;\n")
    assert lint_static.lint_paths(tmp_path) == []
