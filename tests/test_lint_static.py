"""The static SQL lint: the repository passes it, and each rule fires on bad SQL only.

No database: these tests feed SQL text to lint_text, or small trees to lint_paths.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storepulse.db import lint_static
from storepulse.db import migrate
from storepulse.db.lint_static import Finding, lint_paths, lint_text

HEADER = "-- A test migration.\n-- depends: 20260101_01_prev\n\n"
NAME = "migrations/20260101_02_test.sql"


def rules(sql: str, name: str = NAME) -> list[str]:
    """The rules fired by one migration file's SQL (a valid header is prepended)."""
    return [f.rule for f in lint_text(name, HEADER + sql)]


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under root and return root."""
    for d in migrate.SOURCE_DIRS:
        (root / d).mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    return root


def chain(n: int = 3) -> dict[str, str]:
    """A valid linear chain of n migrations across folders, each with a rollback."""
    folders = ["migrations", "functions", "policies", "views", "cron"]
    files: dict[str, str] = {}
    for i in range(1, n + 1):
        mid = f"20260101_{i:02d}_step-{i}"
        dep = f"-- depends: 20260101_{i - 1:02d}_step-{i - 1}\n" if i > 1 else ""
        folder = folders[(i - 1) % len(folders)]
        files[f"{folder}/{mid}.sql"] = f"-- Step {i}.\n{dep}\nselect {i};\n"
        files[f"{folder}/{mid}.rollback.sql"] = f"select -{i};\n"
    return files


def tree_rules(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    return lint_paths(write_tree(tmp_path, files))


# --- the CI gate -------------------------------------------------------------------


def test_repository_sql_has_no_findings() -> None:
    findings = lint_paths()
    assert not findings, "\n".join(map(str, findings))


def test_repository_has_sql_files() -> None:
    assert any((migrate.ROOT / "migrations").glob("*.sql"))


def test_main_prints_findings_and_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = chain(2)
    assert lint_static.main([str(write_tree(tmp_path / "ok", files))]) == 0
    files["migrations/20260101_01_step-1.sql"] += "begin;\n"
    assert lint_static.main([str(write_tree(tmp_path / "bad", files))]) == 1
    out = capsys.readouterr().out
    assert "migrations/20260101_01_step-1.sql:4: no-transaction-control: BEGIN" in out


# --- split-parity ------------------------------------------------------------------


def test_split_parity_nested_comment() -> None:
    found = lint_text(NAME, HEADER + "/* outer /* nested ; */ still comment ; */\nselect 3;\n")
    assert "split-parity" in [f.rule for f in found]
    assert found[0].line == 4


def test_split_parity_two_statements_in_one_chunk() -> None:
    assert "split-parity" in rules("select E'\\\\'; select E'\\'';\n")


def test_split_parity_trailing_comment_only_chunk() -> None:
    assert rules("select 1;\n-- trailing remark\n") == ["split-parity"]


def test_split_parity_negative_dollar_quotes_and_comments() -> None:
    sql = (
        "-- a comment ; with a semicolon\n"
        "/* block ; comment */\n"
        "do $outer$ begin perform 'a;b'; execute 'select 1; select 2'; end $outer$;\n"
        "select 'x;y' as v; -- same-line comment\n"
    )
    assert rules(sql) == []


def test_leading_comment_only_file_is_skipped_like_yoyo() -> None:
    # yoyo strips the leading comment block, so the chunk is empty and dropped.
    assert [f.rule for f in lint_text("m/x.rollback.sql", "-- nothing\n-- here\n")] == []


# --- no-transaction-control --------------------------------------------------------


@pytest.mark.parametrize(
    "stmt", ["begin;", "start transaction;", "commit;", "rollback;", "savepoint s;", "release s;", "end;"]
)
def test_transaction_control(stmt: str) -> None:
    assert "no-transaction-control" in rules(f"select 1;\n{stmt}\n")


def test_transaction_control_negative() -> None:
    assert rules("select 1;\n") == []


# --- rls-in-same-file --------------------------------------------------------------


def test_table_without_rls() -> None:
    found = lint_text(NAME, HEADER + "create table app.t (id int);\n")
    assert [(f.rule, f.line) for f in found] == [("rls-in-same-file", 4)]
    assert "alter table app.t enable row level security" in found[0].message


def test_rls_on_another_table_does_not_count() -> None:
    sql = ("set local lock_timeout = '5s';\ncreate table app.t (id int);\n"
           "alter table app.u enable row level security;\n")
    assert rules(sql) == ["rls-in-same-file"]


def test_partition_without_rls() -> None:
    sql = (
        "create table app.p (d date) partition by range (d);\n"
        "alter table app.p enable row level security;\n"
        "create table app.p_2026 partition of app.p for values from ('2026-01-01') to ('2027-01-01');\n"
    )
    assert rules(sql) == ["rls-in-same-file"]


def test_rls_negative_and_temp_tables_exempt() -> None:
    sql = (
        "create table app.t (id int);\n"
        "alter table only app.t enable row level security;\n"
        "create temp table scratch (id int);\n"
    )
    assert rules(sql) == []


# --- definer-search-path / function-search-path ------------------------------------

FN = "create function private.f() returns int language sql {opts} as $$ select 1 $$;\n"


def test_definer_without_search_path() -> None:
    assert rules(FN.format(opts="security definer")) == ["definer-search-path"]


def test_definer_with_public_search_path() -> None:
    found = lint_text(NAME, HEADER + FN.format(opts="security definer set search_path = public"))
    assert [f.rule for f in found] == ["definer-search-path"]
    assert "search_path = public" in found[0].message


def test_definer_procedure_with_pg_temp_search_path() -> None:
    sql = (
        "create procedure private.p() language sql security definer "
        "set search_path = pg_catalog, pg_temp as $$ select 1 $$;\n"
    )
    assert rules(sql) == ["definer-search-path"]


def test_definer_with_empty_search_path_negative() -> None:
    assert rules(FN.format(opts="security definer set search_path = ''")) == []
    assert rules(FN.format(opts="security definer set search_path to ''")) == []


def test_invoker_function_without_search_path() -> None:
    assert rules(FN.format(opts="security invoker")) == ["function-search-path"]


def test_invoker_function_with_search_path_negative() -> None:
    assert rules(FN.format(opts="set search_path = pg_catalog")) == []


# --- qualified-names ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "create table t (id int);\nalter table t enable row level security;\n",
        "create view v as select 1 as one;\n",
        "create materialized view mv as select 1 as one;\n",
        "create function f() returns int language sql set search_path = '' as $$ select 1 $$;\n",
        "create procedure p() language sql set search_path = '' as $$ select 1 $$;\n",
        "create type ty as enum ('a');\n",
        "create type ty as (a int);\n",
        "create index i on t (id);\n",
        "create policy pol on t for select using (true);\n",
        "create trigger tr after insert on t for each row execute function private.f();\n",
        "create trigger tr after insert on app.t for each row execute function f();\n",
        "create sequence s;\n",
    ],
)
def test_unqualified_names(sql: str) -> None:
    assert "qualified-names" in rules(sql)


def test_qualified_names_negative() -> None:
    sql = (
        "create table app.t (id int);\n"
        "alter table app.t enable row level security;\n"
        "create view api.v as select 1 as one;\n"
        "create type app.ty as enum ('a');\n"
        "create index i on app.t (id);\n"
        "create policy pol on app.t for select using (true);\n"
        "create sequence app.s;\n"
        "create trigger tr after insert on app.t for each row execute function private.f();\n"
    )
    assert rules(sql) == []


# --- cron-schedule-5-fields --------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        "cron.schedule('job', '30 seconds', 'select 1')",
        "cron.schedule('30 seconds', 'select 1')",
        "cron.schedule_in_database('job', '@daily', 'select 1', 'postgres')",
        "cron.alter_job(1, schedule => '*/5 * * * * *')",
        "private.schedule_job('job', '30 seconds'::text, 'select 1')",
        "private.schedule_job('job', pg_catalog.concat('*/5', ' * * * *'), 'select 1')",
    ],
)
def test_cron_schedule_bad(call: str) -> None:
    assert rules(f"select {call};\n") == ["cron-schedule-5-fields"]


def test_cron_schedule_in_do_block() -> None:
    sql = (
        "do $$\ndeclare j bigint;\nbegin\n"
        "    j := cron.schedule('job', '30 seconds', 'select 1');\n"
        "end\n$$;\n"
    )
    assert rules(sql) == ["cron-schedule-5-fields"]


def test_cron_schedule_negative() -> None:
    sql = (
        "select cron.schedule('job', '*/5 * * * *', $cmd$select 1$cmd$);\n"
        "select cron.alter_job(1, active => false);\n"
        "select private.schedule_job('job', '17 3 * * *', 'select 1');\n"
        "do $$ begin perform cron.schedule('0 0 * * 0', 'select 1'); end $$;\n"
    )
    assert rules(sql) == []


# --- lock-timeout ------------------------------------------------------------------

SET_TIMEOUT = "set local lock_timeout = '5s';\n"


@pytest.mark.parametrize(
    "stmt",
    [
        "alter table app.shop add column note text;",
        "alter table only app.shop enable row level security;",
        "alter table app.shop rename column name to title;",
        "alter table app.shop rename to shops;",
        "alter table app.shop rename constraint shop_pkey to shop_pk;",
        "alter table app.shop set schema private;",
        "create trigger tr after insert on app.shop for each statement execute function private.f();",
        "create or replace trigger tr after insert on app.shop for each row execute function private.f();",
        "drop trigger if exists tr on app.shop;",
        "alter trigger tr on app.shop rename to tr2;",
        "select private.enable_row_audit('app.shop');",
        "select private.disable_row_audit('app.shop'::regclass);",
        "do $$ begin perform private.retire_row_change_store(v_table); end $$;",
    ],
)
def test_lock_timeout_missing(stmt: str) -> None:
    found = lint_text(NAME, HEADER + "select 1;\n" + stmt + "\n")
    assert [(f.rule, f.line) for f in found] == [("lock-timeout", 5)]
    assert "set local lock_timeout" in found[0].message


def test_lock_timeout_reported_once_at_the_first_statement() -> None:
    sql = "alter table app.shop add column a text;\nalter table app.shop add column b text;\n"
    assert [(f.rule, f.line) for f in lint_text(NAME, HEADER + sql)] == [("lock-timeout", 4)]


@pytest.mark.parametrize(
    "setting",
    [
        "set local lock_timeout = '5s';",
        "set local lock_timeout to '2s';",
        "select pg_catalog.set_config('lock_timeout', '5s', true);",
        "select set_config('lock_timeout', '1s', true);",
    ],
)
def test_lock_timeout_set_first_negative(setting: str) -> None:
    sql = (f"{setting}\nalter table app.shop add column note text;\n"
           "drop trigger tr on app.shop;\nselect private.enable_row_audit('app.shop');\n")
    assert rules(sql) == []


@pytest.mark.parametrize(
    "setting",
    [
        "set lock_timeout = '5s';",  # the session's: outlives the migration
        "select pg_catalog.set_config('lock_timeout', '5s', false);",
        "select pg_catalog.set_config('statement_timeout', '5s', true);",
        "create function private.f() returns void language sql set search_path = ''"
        " as $$ select pg_catalog.set_config('lock_timeout', '5s', true) $$;",
    ],
)
def test_lock_timeout_other_settings_do_not_count(setting: str) -> None:
    assert rules(f"{setting}\nalter table app.shop add column note text;\n") == ["lock-timeout"]


def test_lock_timeout_set_after_the_statement_is_too_late() -> None:
    assert rules("drop trigger tr on app.shop;\n" + SET_TIMEOUT) == ["lock-timeout"]


def test_lock_timeout_not_needed_on_a_table_created_in_the_file() -> None:
    sql = (
        "create table app.t (shop_id uuid, id int, primary key (shop_id, id));\n"
        "alter table app.t enable row level security;\n"
        "alter table app.t add column note text;\n"
        "create trigger tr after insert on app.t for each statement execute function private.f();\n"
        "select private.enable_row_audit('app.t');\n"
    )
    assert rules(sql) == []


def test_lock_timeout_not_needed_for_other_statements() -> None:
    sql = (
        "create function private.f() returns int language sql set search_path = ''"
        " as $$ select 1 $$;\n"
        "alter function private.f() owner to postgres;\n"
        "alter view api.v set (security_invoker = true);\n"
        "create policy p on app.shop for select using (true);\n"
        "select private.schedule_job('job', '17 3 * * *', 'select 1');\n"
    )
    assert "lock-timeout" not in rules(sql)


def test_lock_timeout_in_rollback_files() -> None:
    name = "functions/20260101_02_test.rollback.sql"
    assert [f.rule for f in lint_text(name, "drop trigger tr on app.shop;\n")] == ["lock-timeout"]
    assert lint_text(name, SET_TIMEOUT + "drop trigger tr on app.shop;\n") == []


# --- identifier-length -------------------------------------------------------------

LONG = "a" * 64


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        (f"create table app.{LONG} (id int);\nalter table app.{LONG} enable row level security;\n",
         "table"),
        (f'create table app.t ("{LONG}" int);\nalter table app.t enable row level security;\n',
         "column"),
        (f"create table app.t (id int constraint {LONG} check (id > 0));\n"
         "alter table app.t enable row level security;\n", "constraint"),
        (f"{SET_TIMEOUT}alter table app.t add constraint {LONG} unique (id);\n", "constraint"),
        (f"create index {LONG} on app.t (id);\n", "index"),
        (f'create policy "{LONG}" on app.t for select using (true);\n', "policy"),
        (f"{SET_TIMEOUT}create trigger {LONG} after insert on app.t for each statement"
         " execute function private.f();\n", "trigger"),
        (f"create function private.{LONG}() returns int language sql set search_path = ''"
         " as $$ select 1 $$;\n", "function"),
        (f"{SET_TIMEOUT}alter table app.t rename column id to {LONG};\n", "column"),
        (f'drop policy "{LONG}" on app.t;\n', "policy"),
    ],
)
def test_identifier_too_long(sql: str, kind: str) -> None:
    found = [f for f in lint_text(NAME, HEADER + sql) if f.rule == "identifier-length"]
    assert len(found) >= 1
    assert found[0].message.startswith(f'{kind} name "{LONG}" is 64 bytes')
    assert f'"{LONG[:63]}"' in found[0].message


def test_identifier_too_long_in_a_function_body_and_its_line() -> None:
    sql = (
        "create function private.f() returns int language plpgsql set search_path = ''\n"
        "as $body$\nbegin\n"
        f"    return (select count(*) from app.{LONG});\n"
        "end\n$body$;\n"
    )
    found = lint_text(NAME, HEADER + sql)
    assert [(f.rule, f.line) for f in found] == [("identifier-length", 7)]


def test_identifier_length_counts_bytes_not_characters() -> None:
    assert "identifier-length" in rules(f'create index "{"é" * 32}" on app.t (id);\n')  # 64 bytes
    assert rules(f'create index "{"é" * 31}x" on app.t (id);\n') == []  # 63 bytes
    assert rules(f"create index {'a' * 63} on app.t (id);\n") == []
    assert rules(f"select '{LONG}' as long_string_is_no_identifier;\n") == []
    assert rules(f"-- {LONG}\nselect 1;\n") == []


POLICY_FILE = "policies/20261125_32_create-shopify-policies"


def test_identifier_length_allow_list_is_the_two_applied_policy_names() -> None:
    assert {mid for mid, _ in lint_static.IDENTIFIER_LENGTH_ALLOWED} == {POLICY_FILE.split("/")[1]}
    assert len(lint_static.IDENTIFIER_LENGTH_ALLOWED) == 2
    for path in (POLICY_FILE + ".sql", POLICY_FILE + ".rollback.sql"):
        text = (migrate.ROOT / path).read_text(encoding="utf-8")
        for _, name in lint_static.IDENTIFIER_LENGTH_ALLOWED:
            assert f'"{name}"' in text
        assert not [f for f in lint_text(path, text) if f.rule == "identifier-length"]


def test_identifier_length_allow_list_skips_nothing_elsewhere() -> None:
    (_, name), *_ = sorted(lint_static.IDENTIFIER_LENGTH_ALLOWED)
    sql = f'drop policy "{name}" on app.t;\n'
    assert rules(sql) == ["identifier-length"]
    other = f'create policy "{LONG}" on app.t for select using (true);\n'
    found = lint_text(POLICY_FILE + ".sql", HEADER + other)
    assert [f.rule for f in found] == ["identifier-length"]


# --- header ------------------------------------------------------------------------


def test_header_missing_description() -> None:
    found = lint_text(NAME, "-- depends: 20260101_01_prev\ncreate schema app;\n")
    assert [f.rule for f in found] == ["header"]
    assert [f.rule for f in lint_text(NAME, "create schema app;\n")] == ["header"]


def test_header_not_required_in_rollback_files() -> None:
    assert lint_text("migrations/20260101_02_test.rollback.sql", "drop schema app;\n") == []


def test_chain_negative(tmp_path: Path) -> None:
    assert tree_rules(tmp_path, chain(4)) == []


def test_chain_broken_depends(tmp_path: Path) -> None:
    files = chain(3)
    path = "policies/20260101_03_step-3.sql"
    files[path] = files[path].replace("20260101_02_step-2", "20260101_01_step-1")
    found = tree_rules(tmp_path, files)
    assert [(f.path, f.line, f.rule) for f in found] == [(path, 2, "header")]
    assert "20260101_02_step-2" in found[0].message


def test_chain_missing_depends_and_first_depending(tmp_path: Path) -> None:
    files = chain(2)
    files["functions/20260101_02_step-2.sql"] = "-- Step 2.\nselect 2;\n"
    files["migrations/20260101_01_step-1.sql"] = "-- Step 1.\n-- depends: 20260101_02_step-2\nselect 1;\n"
    assert [f.rule for f in tree_rules(tmp_path, files)] == ["header", "header"]


def test_bad_and_duplicate_ids(tmp_path: Path) -> None:
    files = chain(1)
    files["functions/20260101_01_step-1.sql"] = files["migrations/20260101_01_step-1.sql"]
    files["functions/20260101_01_step-1.rollback.sql"] = "select 0;\n"
    files["views/2026_Bad.sql"] = "-- Bad.\n-- depends: 20260101_01_step-1\nselect 1;\n"
    files["views/2026_Bad.rollback.sql"] = "select 0;\n"
    messages = [f.message for f in tree_rules(tmp_path, files) if f.rule == "header"]
    assert any("must match" in m for m in messages)
    assert sum("MigrationConflict" in m for m in messages) == 2


# --- rollback-file -----------------------------------------------------------------


def test_rollback_missing(tmp_path: Path) -> None:
    files = chain(2)
    del files["functions/20260101_02_step-2.rollback.sql"]
    found = tree_rules(tmp_path, files)
    assert [(f.path, f.rule) for f in found] == [("functions/20260101_02_step-2.sql", "rollback-file")]


def test_rollback_empty_and_orphan(tmp_path: Path) -> None:
    files = chain(2)
    files["functions/20260101_02_step-2.rollback.sql"] = "-- nothing to undo\n"
    files["views/20260101_09_gone.rollback.sql"] = "select 1;\n"
    assert [f.rule for f in tree_rules(tmp_path, files)] == ["rollback-file", "rollback-file"]


def test_rollback_file_is_split_and_transaction_checked() -> None:
    name = "migrations/20260101_02_test.rollback.sql"
    assert [f.rule for f in lint_text(name, "drop table app.t;\ncommit;\n")] == ["no-transaction-control"]
    assert [f.rule for f in lint_text(name, "/* a /* b ; */ c ; */ drop table app.t;\n")] == [
        "split-parity",
        "split-parity",
    ]


# --- non-transactional -------------------------------------------------------------

NONTX = "-- Index concurrently.\n-- depends: 20260101_01_prev\n-- transactional: false\n\n"


def test_non_transactional_two_statements() -> None:
    sql = "create index concurrently i on app.t (a);\ncreate index concurrently j on app.t (b);\n"
    assert [f.rule for f in lint_text(NAME, NONTX + sql)] == ["non-transactional"]


def test_non_transactional_one_statement_negative() -> None:
    assert lint_text(NAME, NONTX + "create index concurrently i on app.t (a);\n") == []


def test_finding_str() -> None:
    assert str(Finding("a.sql", 3, "header", "msg")) == "a.sql:3: header: msg"
