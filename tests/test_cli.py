"""The storepulse command: `storepulse new` and its `--replaces`.

New migrations join the chain where the lint expects them, and `--replaces` starts them
from an object's current definition in schema/.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import psycopg
import pytest

from storepulse import cli
from storepulse.db import lint_static, migrate, schema_tree


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the five SQL folders that `storepulse new` writes into, and of schema/."""
    for folder in (*migrate.SOURCE_DIRS, schema_tree.TREE):
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


# --- storepulse new --replaces ------------------------------------------------------


def _new(tree: Path, folder: str, slug: str, target: str) -> tuple[str, str]:
    """Run `storepulse new <folder> <slug> --replaces <target>`; return both files' text."""
    assert cli.main(["new", folder, slug, "--replaces", target]) == 0
    forward = tree / folder / f"20990304_01_{slug}.sql"
    return forward.read_text(), forward.with_suffix("").with_suffix(".rollback.sql").read_text()


def _statements(text: str) -> str:
    """A migration's text after its leading comment block."""
    return re.sub(r"\A(?:--[^\n]*\n|\n)*", "", text)


@pytest.fixture
def pinned(tree: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The copied tree, with today pinned after the latest migration."""
    monkeypatch.setattr(cli, "today", lambda: dt.date(2099, 3, 4))
    return tree


def test_replacing_a_function_writes_its_definition_both_ways(pinned: Path) -> None:
    """Every overload, its comment and grants, as CREATE OR REPLACE in both files; lint-clean."""
    forward, rollback = _new(pinned, "functions", "change-my-shop-ids", "private.my_shop_ids")
    latest = migrate.all_migrations(pinned)[-2].id
    assert forward.startswith(f"-- Describe the change in one line.\n-- depends: {latest}\n")
    assert "schema/private/functions/my_shop_ids.sql" in forward
    for text in (forward, rollback):
        assert text.count("CREATE OR REPLACE FUNCTION private.my_shop_ids(") == 2
        assert "CREATE FUNCTION" not in text
        assert "COMMENT ON FUNCTION private.my_shop_ids(p_roles app.member_role[]) IS" in text
        assert "GRANT ALL ON FUNCTION private.my_shop_ids() TO authenticated;" in text
    assert _statements(forward) == _statements(rollback)
    assert lint_static.lint_paths(pinned) == []


def test_replacing_a_view_a_policy_and_a_job(pinned: Path) -> None:
    """A view: CREATE OR REPLACE VIEW; a policy: DROP then CREATE POLICY; a job: its call."""
    forward, rollback = _new(pinned, "views", "change-shops", "api.shops")
    assert "CREATE OR REPLACE VIEW api.shops WITH (security_invoker='true') AS" in forward
    assert "COMMENT ON COLUMN api.shops.my_role IS" in rollback
    policy = "app.shop_member/owners and managers can add members"
    assert cli.main(["new", "policies", "change-adding-members", "--replaces", policy]) == 0
    written = sorted((pinned / "policies").glob("20990304_02_*"))
    for path in written:
        text = path.read_text()
        drop = text.index('DROP POLICY "owners and managers can add members" ON app.shop_member;')
        assert drop < text.index('CREATE POLICY "owners and managers can add members"')
    assert cli.main(["new", "cron", "change-rollup-check",
                     "--replaces", "cron/storepulse-check-sales-rollups"]) == 0
    for path in sorted((pinned / "cron").glob("20990304_03_*")):
        call = "select private.schedule_job(\n    'storepulse-check-sales-rollups',"
        assert call in path.read_text()
    assert len(written) == 2
    assert lint_static.lint_paths(pinned) == []


def test_replaces_takes_a_tree_path(pinned: Path) -> None:
    """--replaces also takes the object's file in schema/, not only its name."""
    path = "schema/app/policies/shop__members-can-read-their-shops.sql"
    forward, _ = _new(pinned, "policies", "change-shop-reading", path)
    assert 'DROP POLICY "members can read their shops" ON app.shop;' in forward


@pytest.mark.parametrize(
    ("folder", "target", "message"),
    [
        ("migrations", "app.shop", "write an ALTER TABLE"),
        ("migrations", "app.member_role", "write an ALTER TYPE"),
        ("migrations", "api", "write an ALTER SCHEMA"),
        ("views", "api.sales_pulse", "is changed in functions/, not views/"),
        ("functions", "api.no_such_function", "no object api.no_such_function"),
        ("policies", "app.shop/no such policy", "no policy 'no such policy' on app.shop"),
        ("cron", "cron/no-such-job", "no pg_cron job 'no-such-job'"),
    ],
)
def test_replaces_refuses_what_it_cannot_replace(
    pinned: Path, folder: str, target: str, message: str,
) -> None:
    """Tables, types and schemas are altered, not replaced; unknown objects are named."""
    with pytest.raises(SystemExit, match=message.replace("(", r"\(")):
        cli.main(["new", folder, "change-it", "--replaces", target])
    assert not list((pinned / folder).glob("20990304_*")), "nothing is written when refused"


def test_every_replacement_runs_and_changes_nothing(fresh_url: str) -> None:
    """Every replacement runs on a migrated database and leaves its schema as it was.

    The forward and rollback statements of every function, view, policy and job file.
    """
    tree = migrate.ROOT / schema_tree.TREE
    before = migrate.dump_schema(fresh_url)
    count = 0
    with psycopg.connect(fresh_url) as conn:
        for path in sorted(tree.rglob("*.sql")):
            if schema_tree.kind_of(path.relative_to(tree).as_posix()) in schema_tree.REPLACEABLE:
                rep = schema_tree.replacement(path, tree)
                for sql in rep.forward + rep.rollback:
                    conn.execute(sql)
                count += 1
        conn.commit()
    assert count > 100
    assert migrate.dump_schema(fresh_url) == before
