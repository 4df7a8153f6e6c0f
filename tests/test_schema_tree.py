"""schema/, the readable current schema, and the migrations that make it.

A fresh migrate generates exactly the committed tree, the same database always gives the
same bytes, and every object is in it.

When the first test fails, the migrations changed and the tree did not: run
`storepulse schema` and commit schema/ with the migration.
"""

from __future__ import annotations

import difflib
import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from storepulse import cli
from storepulse.db import migrate, schema_tree
from storepulse.testkit.harness import Stack

TREE = migrate.ROOT / schema_tree.TREE


def _explain(tree: schema_tree.Tree, diffs: list[str], target: Path = TREE) -> str:
    """What differs, with the first lines of the first changed files' diffs."""
    lines = [f"{schema_tree.TREE}/ does not match a fresh migrate (pg_dump "
             f"{schema_tree.pg_dump_major()}): run `storepulse schema` and commit it", *diffs]
    for item in [d for d in diffs if d.endswith(": changed")][:2]:
        rel = item.split(": ")[0].removeprefix(f"{schema_tree.TREE}/")
        have = (target / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        lines.append("".join(list(difflib.unified_diff(
            have, tree.files[rel].splitlines(keepends=True), f"committed/{rel}",
            f"generated/{rel}", n=1))[:40]))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def main_tree(stack: Stack) -> schema_tree.Tree:
    """The tree of the session's main database (fully migrated, where pg_cron lives)."""
    return schema_tree.render(stack.main_url)


@pytest.fixture
def generated(
    main_tree: schema_tree.Tree, need_extension: Callable[[str], None],
) -> schema_tree.Tree:
    """The main database's tree, cron jobs included (skipped without pg_cron, but in CI)."""
    need_extension("pg_cron")
    return main_tree


def test_a_fresh_migrate_generates_the_committed_tree(generated: schema_tree.Tree) -> None:
    """The committed schema/ is exactly what the migrations make, cron jobs included."""
    diffs = schema_tree.differences(generated, TREE)
    assert not diffs, _explain(generated, diffs)


def test_a_fresh_clone_generates_the_committed_tree_but_cron(fresh_url: str) -> None:
    """A clone of the template (no pg_cron) gives every file but cron/ and the index."""
    tree = schema_tree.render(fresh_url)
    assert not tree.has_cron
    diffs = schema_tree.differences(tree, TREE)
    assert not diffs, _explain(tree, diffs)
    assert not any(rel.startswith(f"{schema_tree.CRON_DIR}/") for rel in tree.files)


def test_the_tree_is_deterministic(stack: Stack, generated: schema_tree.Tree) -> None:
    """The same database gives byte-identical files."""
    again = schema_tree.render(stack.main_url)
    assert again.files == generated.files


def test_the_tree_holds_every_api_function_and_app_table(
    db: psycopg.Connection, generated: schema_tree.Tree,
) -> None:
    """One file per api function (every overload in it) and per app table; no partitions."""
    functions = db.execute(
        "select p.proname, count(*) from pg_catalog.pg_proc as p "
        "where p.pronamespace = 'api'::regnamespace group by 1 order by 1").fetchall()
    tables = db.execute(
        "select c.relname from pg_catalog.pg_class as c "
        "where c.relnamespace = 'app'::regnamespace and c.relkind in ('r', 'p') "
        "and not c.relispartition order by 1").fetchall()
    partitions = db.execute(
        "select n.nspname, c.relname from pg_catalog.pg_class as c "
        "join pg_catalog.pg_namespace as n on n.oid = c.relnamespace "
        "where c.relispartition and c.relkind = 'r' "
        "and pg_catalog.pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'").fetchall()
    assert functions
    assert tables
    assert partitions
    for name, overloads in functions:
        text = generated.files.get(f"api/functions/{name}.sql", "")
        assert text.count(f"CREATE FUNCTION api.{name}(") == overloads, name
        assert f"GRANT ALL ON FUNCTION api.{name}(" in text, f"api.{name} has no grant"
    for (name,) in tables:
        text = generated.files.get(f"app/tables/{name}.sql", "")
        assert f"CREATE TABLE app.{name} (" in text, name
        assert f"ALTER TABLE app.{name} ENABLE ROW LEVEL SECURITY;" in text, name
    everything = "\n".join(generated.files.values())
    # named after the month the database was migrated in (a default partition is fixed)
    for schema, name in partitions:
        assert f"{schema}.{name}" not in everything
    assert "_yoyo" not in everything
    assert "yoyo_lock" not in everything


def test_the_registry_rows_are_in_the_tree(
    db: psycopg.Connection, generated: schema_tree.Tree,
) -> None:
    """Every field the rows functions are compiled from is a line of the data file.

    And a generated function's file says how it is changed (not by --replaces).
    """
    text = generated.files["private/data/inbound_field.sql"]
    fields = db.execute("select source, resource, field from private.inbound_field").fetchall()
    assert len(fields) > 50
    for source, resource, name in fields:
        assert f"('{source}', '{resource}', '{name}', " in text, (resource, name)
    rows = generated.files["private/functions/shopify_order_rows.sql"]
    assert "private.compile_inbound_source('shopify')" in rows.splitlines()[1]
    assert "--replaces" not in rows.splitlines()[1]


def test_objects_land_in_their_own_files(generated: schema_tree.Tree) -> None:
    """Comments, grants, indexes, triggers and policies go where their object is."""
    shop = generated.files["app/tables/shop.sql"]
    assert "COMMENT ON COLUMN app.shop.currency IS" in shop
    assert "GRANT UPDATE(name) ON TABLE app.shop TO authenticated;" in shop
    assert "CREATE TRIGGER _900_row_audit_insert AFTER INSERT ON app.shop" in shop
    assert "CREATE POLICY" not in shop
    policy = generated.files["app/policies/shop__members-can-read-their-shops.sql"]
    assert 'CREATE POLICY "members can read their shops" ON app.shop' in policy
    assert "CREATE VIEW api.shops" in generated.files["api/views/shops.sql"]
    assert "GRANT USAGE ON SCHEMA api TO anon;" in generated.files["api/schema.sql"]
    job = generated.files["cron/storepulse-check-sales-rollups.sql"]
    assert "select private.schedule_job(\n    'storepulse-check-sales-rollups',\n" in job
    assert "$job$select private.check_sales_rollups()$job$" in job


def test_check_lists_what_differs_and_schema_rewrites_it(
    stack: Stack, generated: schema_tree.Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`storepulse schema --check` exits 1 naming each file; `storepulse schema` mends them."""
    for folder in (*migrate.SOURCE_DIRS, schema_tree.TREE):
        shutil.copytree(migrate.ROOT / folder, tmp_path / folder)
    monkeypatch.setattr(migrate, "ROOT", tmp_path)
    tree = tmp_path / schema_tree.TREE
    (tree / "api/functions/sales_pulse.sql").write_text("-- edited by hand\n")
    (tree / "app/tables/shop.sql").unlink()
    (tree / "app/tables/stray.sql").write_text("select 1;\n")
    args = ["schema", "--database", stack.main_url]
    assert cli.main([*args, "--check"]) == 1
    out = capsys.readouterr().out
    assert "schema/api/functions/sales_pulse.sql: changed" in out
    assert "schema/app/tables/shop.sql: missing" in out
    assert "schema/app/tables/stray.sql: not generated" in out
    assert "run `storepulse schema`" in out
    assert cli.main(args) == 0
    assert cli.main([*args, "--check"]) == 0
    assert schema_tree.differences(generated, tree) == []


def test_dump_entries_are_split_and_assigned() -> None:
    r"""The parser keeps each entry's statements and drops SET lines and psql's \\restrict."""
    dump = (
        "\\restrict abc\nSET statement_timeout = 0;\n\n--\n-- Name: t; Type: TABLE; Schema: app;"
        " Owner: -\n--\n\nCREATE TABLE app.t (\n    id integer\n);\n\n\nSET x = 1;\n\n"
        "--\n-- Name: TABLE t; Type: ACL; Schema: app; Owner: -\n--\n\n"
        "GRANT SELECT ON TABLE app.t TO a;\nGRANT SELECT ON TABLE app.t TO b;\n\n\\unrestrict abc\n"
    )
    entries = schema_tree.parse_dump(dump)
    assert [(e.name, e.type, e.schema) for e in entries] == [
        ("t", "TABLE", "app"), ("TABLE t", "ACL", "app")]
    assert entries[1].statements == [
        "GRANT SELECT ON TABLE app.t TO a;", "GRANT SELECT ON TABLE app.t TO b;"]
    assert schema_tree.policy_file_name("shop", "Members can't read") == "shop__members-can-t-read"
