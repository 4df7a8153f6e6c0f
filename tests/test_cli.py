"""The storepulse command: new migrations join the chain where the lint expects them."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from storepulse import cli
from storepulse.db import lint_static, migrate


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the five SQL folders that `storepulse new` writes into."""
    for folder in migrate.SOURCE_DIRS:
        shutil.copytree(migrate.ROOT / folder, tmp_path / folder)
    monkeypatch.setattr(migrate, "ROOT", tmp_path)
    return tmp_path


def test_new_migration_is_chained_and_lint_clean(tree: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """`storepulse new` writes a pair that depends on the latest id and passes the lint."""
    latest = migrate.all_migrations(tree)[-1].id
    monkeypatch.setattr(cli, "today", lambda: dt.date(2020, 1, 1))  # before the latest id
    new_id, depends = cli.next_id("add-orders", root=tree)
    assert depends == latest
    assert new_id > latest
    assert new_id.endswith("_add-orders")
    later_id, _ = cli.next_id("add-orders", root=tree, day=dt.date(2099, 1, 1))
    assert later_id == "20990101_01_add-orders"

    assert cli.main(["new", "views", "add-orders", "-m", "Add the orders view."]) == 0
    written = (tree / "views" / f"{new_id}.sql").read_text()
    assert f"-- depends: {latest}" in written
    (tree / "views" / f"{new_id}.sql").write_text(written + "select 1;\n")
    (tree / "views" / f"{new_id}.rollback.sql").write_text("select 1;\n")
    assert lint_static.lint_paths(tree) == []


def test_new_migration_uses_the_pinned_date_when_later(tree: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """On a day after the latest migration, the id starts that day at 01."""
    monkeypatch.setattr(cli, "today", lambda: dt.date(2099, 3, 4))
    assert cli.main(["new", "functions", "change-orders"]) == 0
    assert (tree / "functions" / "20990304_01_change-orders.sql").exists()
    assert cli.main(["new", "functions", "change-refunds"]) == 0
    assert (tree / "functions" / "20990304_02_change-refunds.sql").exists()


def test_new_migration_refuses_a_slug_used_that_day(tree: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A second `new` with the same slug on the same day is refused, naming the first."""
    monkeypatch.setattr(cli, "today", lambda: dt.date(2099, 3, 4))
    assert cli.main(["new", "functions", "change-orders"]) == 0
    with pytest.raises(SystemExit,
                       match=re.escape("already used on 20990304 (20990304_01_change-orders)")):
        cli.main(["new", "views", "change-orders"])
