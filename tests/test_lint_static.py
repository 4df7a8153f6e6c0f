"""The static SQL lint: the repository passes it, and each rule fires on bad SQL only.

No database: these tests feed SQL text to lint_text, or small trees to lint_paths.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storepulse.db import lint_static, migrate
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
    """The findings of lint_paths over a tree written from `files`."""
    return lint_paths(write_tree(tmp_path, files))


# --- the CI gate -------------------------------------------------------------------


def test_repository_sql_has_no_findings() -> None:
    """The repository's own SQL passes the static lint (the CI gate)."""
    findings = lint_paths()
    assert not findings, "\n".join(map(str, findings))


def test_repository_has_sql_files() -> None:
    """The lint has something to read: migrations/ holds SQL files."""
    assert any((migrate.ROOT / "migrations").glob("*.sql"))


def test_main_prints_findings_and_exit_code(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Run as a command: exit 0 on a clean tree, else print each finding and exit 1."""
    files = chain(2)
    assert lint_static.main([str(write_tree(tmp_path / "ok", files))]) == 0
    files["migrations/20260101_01_step-1.sql"] += "begin;\n"
    assert lint_static.main([str(write_tree(tmp_path / "bad", files))]) == 1
    out = capsys.readouterr().out
    assert "migrations/20260101_01_step-1.sql:4: no-transaction-control: BEGIN" in out


# --- split-parity ------------------------------------------------------------------


def test_split_parity_nested_comment() -> None:
    """A semicolon in a nested block comment splits differently in yoyo and Postgres."""
    found = lint_text(NAME, HEADER + "/* outer /* nested ; */ still comment ; */\nselect 3;\n")
    assert "split-parity" in [f.rule for f in found]
    assert found[0].line == 4


def test_split_parity_two_statements_in_one_chunk() -> None:
    """Backslash escapes in E'' strings that make the two splitters disagree are caught."""
    assert "split-parity" in rules("select E'\\\\'; select E'\\'';\n")


def test_split_parity_trailing_comment_only_chunk() -> None:
    """A chunk holding only a trailing comment is a split mismatch."""
    assert rules("select 1;\n-- trailing remark\n") == ["split-parity"]


def test_split_parity_negative_dollar_quotes_and_comments() -> None:
    """Semicolons in comments, strings and dollar quotes split alike: no finding."""
    sql = (
        "-- a comment ; with a semicolon\n"
        "/* block ; comment */\n"
        "do $outer$ begin perform 'a;b'; execute 'select 1; select 2'; end $outer$;\n"
        "select 'x;y' as v; -- same-line comment\n"
    )
    assert rules(sql) == []


def test_leading_comment_only_file_is_skipped_like_yoyo() -> None:
    """A file of leading comments only gives no chunk, as in yoyo."""
    # yoyo strips the leading comment block, so the chunk is empty and dropped.
    assert [f.rule for f in lint_text("m/x.rollback.sql", "-- nothing\n-- here\n")] == []


# --- no-transaction-control --------------------------------------------------------


@pytest.mark.parametrize(
    "stmt",
    ["begin;", "start transaction;", "commit;", "rollback;", "savepoint s;", "release s;", "end;"],
)
def test_transaction_control(stmt: str) -> None:
    """Each transaction-control statement is refused in a migration."""
    assert "no-transaction-control" in rules(f"select 1;\n{stmt}\n")


def test_transaction_control_negative() -> None:
    """A plain statement is not transaction control."""
    assert rules("select 1;\n") == []


# --- rls-in-same-file --------------------------------------------------------------


def test_table_without_rls() -> None:
    """A new table without row level security in the same file is named, with the fix."""
    found = lint_text(NAME, HEADER + "create table app.t (id int);\n")
    assert [(f.rule, f.line) for f in found] == [("rls-in-same-file", 4)]
    assert "alter table app.t enable row level security" in found[0].message


def test_rls_on_another_table_does_not_count() -> None:
    """Enabling RLS on another table does not cover the new one."""
    sql = ("set local lock_timeout = '5s';\ncreate table app.t (id int);\n"
           "alter table app.u enable row level security;\n")
    assert rules(sql) == ["rls-in-same-file"]


def test_partition_without_rls() -> None:
    """A partition needs its own RLS, even when its parent has it."""
    sql = (
        "create table app.p (d date) partition by range (d);\n"
        "alter table app.p enable row level security;\n"
        "create table app.p_2026 partition of app.p "
        "for values from ('2026-01-01') to ('2027-01-01');\n"
    )
    assert rules(sql) == ["rls-in-same-file"]


def test_rls_negative_and_temp_tables_exempt() -> None:
    """RLS enabled with ALTER TABLE ONLY counts, and temp tables are exempt."""
    sql = (
        "create table app.t (id int);\n"
        "alter table only app.t enable row level security;\n"
        "create temp table scratch (id int);\n"
    )
    assert rules(sql) == []


# --- definer-search-path / function-search-path ------------------------------------

FN = "create function private.f() returns int language sql {opts} as $$ select 1 $$;\n"


def test_definer_without_search_path() -> None:
    """A security definer function must set search_path."""
    assert rules(FN.format(opts="security definer")) == ["definer-search-path"]


def test_definer_with_public_search_path() -> None:
    """A definer's search_path = public is refused, quoting the setting."""
    found = lint_text(NAME, HEADER + FN.format(opts="security definer set search_path = public"))
    assert [f.rule for f in found] == ["definer-search-path"]
    assert "search_path = public" in found[0].message


def test_definer_procedure_with_pg_temp_search_path() -> None:
    """A definer procedure with pg_temp on its search_path is refused."""
    sql = (
        "create procedure private.p() language sql security definer "
        "set search_path = pg_catalog, pg_temp as $$ select 1 $$;\n"
    )
    assert rules(sql) == ["definer-search-path"]


def test_definer_with_empty_search_path_negative() -> None:
    """An empty search_path, with = or TO, passes for a definer."""
    assert rules(FN.format(opts="security definer set search_path = ''")) == []
    assert rules(FN.format(opts="security definer set search_path to ''")) == []


def test_invoker_function_without_search_path() -> None:
    """An invoker function must set search_path too (its own rule)."""
    assert rules(FN.format(opts="security invoker")) == ["function-search-path"]


def test_invoker_function_with_search_path_negative() -> None:
    """An invoker function with a search_path passes."""
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
    """Each kind of object created without a schema is refused."""
    assert "qualified-names" in rules(sql)


def test_qualified_names_negative() -> None:
    """Schema-qualified objects pass; index names take their table's schema."""
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
    """A pg_cron schedule that is not five cron fields is refused, in every spelling."""
    assert rules(f"select {call};\n") == ["cron-schedule-5-fields"]


def test_cron_schedule_in_do_block() -> None:
    """A bad schedule inside a DO block's plpgsql is found too."""
    sql = (
        "do $$\ndeclare j bigint;\nbegin\n"
        "    j := cron.schedule('job', '30 seconds', 'select 1');\n"
        "end\n$$;\n"
    )
    assert rules(sql) == ["cron-schedule-5-fields"]


def test_cron_schedule_negative() -> None:
    """Five-field schedules, and alter_job calls without one, pass."""
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
        "create trigger tr after insert on app.shop for each statement"
        " execute function private.f();",
        "create or replace trigger tr after insert on app.shop for each row"
        " execute function private.f();",
        "drop trigger if exists tr on app.shop;",
        "alter trigger tr on app.shop rename to tr2;",
        "select private.enable_row_audit('app.shop');",
        "select private.disable_row_audit('app.shop'::regclass);",
        "do $$ begin perform private.retire_row_change_store(v_table); end $$;",
    ],
)
def test_lock_timeout_missing(stmt: str) -> None:
    """Each statement locking a table it did not create needs a lock timeout set before it."""
    found = lint_text(NAME, HEADER + "select 1;\n" + stmt + "\n")
    assert [(f.rule, f.line) for f in found] == [("lock-timeout", 5)]
    assert "set local lock_timeout" in found[0].message


def test_lock_timeout_reported_once_at_the_first_statement() -> None:
    """One finding per file, at the first statement that needs the timeout."""
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
    """SET LOCAL lock_timeout or set_config(..., true) first, in any spelling, passes."""
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
    """A session-wide timeout, another setting, or one inside a function body does not count."""
    assert rules(f"{setting}\nalter table app.shop add column note text;\n") == ["lock-timeout"]


def test_lock_timeout_set_after_the_statement_is_too_late() -> None:
    """A timeout set after the locking statement does not cover it."""
    assert rules("drop trigger tr on app.shop;\n" + SET_TIMEOUT) == ["lock-timeout"]


def test_lock_timeout_not_needed_on_a_table_created_in_the_file() -> None:
    """Altering and adding triggers to a table the same file creates needs no timeout."""
    sql = (
        "create table app.t (shop_id uuid, id int, primary key (shop_id, id));\n"
        "alter table app.t enable row level security;\n"
        "alter table app.t add column note text;\n"
        "create trigger tr after insert on app.t for each statement execute function private.f();\n"
        "select private.enable_row_audit('app.t');\n"
    )
    assert rules(sql) == []


def test_lock_timeout_not_needed_for_other_statements() -> None:
    """Functions, views, policies and jobs take no table lock worth a timeout."""
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
    """Rollback files need the timeout too, and pass with it."""
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
    """Each kind of name over 63 bytes is named by kind, with what PostgreSQL cuts it to."""
    found = [f for f in lint_text(NAME, HEADER + sql) if f.rule == "identifier-length"]
    assert len(found) >= 1
    assert found[0].message.startswith(f'{kind} name "{LONG}" is 64 bytes')
    assert f'"{LONG[:63]}"' in found[0].message


def test_identifier_too_long_in_a_function_body_and_its_line() -> None:
    """A long name inside a dollar-quoted function body is found, on its own line."""
    sql = (
        "create function private.f() returns int language plpgsql set search_path = ''\n"  # noqa: S608 - lint input, never run
        "as $body$\nbegin\n"
        f"    return (select count(*) from app.{LONG});\n"
        "end\n$body$;\n"
    )
    found = lint_text(NAME, HEADER + sql)
    assert [(f.rule, f.line) for f in found] == [("identifier-length", 7)]


def test_identifier_length_counts_bytes_not_characters() -> None:
    """The limit is 63 bytes (not characters), and strings and comments are no identifiers."""
    assert "identifier-length" in rules(f'create index "{"é" * 32}" on app.t (id);\n')  # 64 bytes
    assert rules(f'create index "{"é" * 31}x" on app.t (id);\n') == []  # 63 bytes
    assert rules(f"create index {'a' * 63} on app.t (id);\n") == []
    assert rules(f"select '{LONG}' as long_string_is_no_identifier;\n") == []
    assert rules(f"-- {LONG}\nselect 1;\n") == []


POLICY_FILE = "policies/20261125_32_create-shopify-policies"


def test_no_identifier_over_63_bytes_is_allowed_anywhere() -> None:
    """The allow-list is empty: the two long policy names were given names that fit."""
    assert frozenset() == lint_static.IDENTIFIER_LENGTH_ALLOWED
    for path in (POLICY_FILE + ".sql", POLICY_FILE + ".rollback.sql"):
        text = (migrate.ROOT / path).read_text(encoding="utf-8")
        assert not [f for f in lint_text(path, text) if f.rule == "identifier-length"]
    other = f'create policy "{LONG}" on app.t for select using (true);\n'
    found = lint_text(POLICY_FILE + ".sql", HEADER + other)
    assert [f.rule for f in found] == ["identifier-length"]


# --- header ------------------------------------------------------------------------


def test_header_missing_description() -> None:
    """A migration must open with a description line."""
    found = lint_text(NAME, "-- depends: 20260101_01_prev\ncreate schema app;\n")
    assert [f.rule for f in found] == ["header"]
    assert [f.rule for f in lint_text(NAME, "create schema app;\n")] == ["header"]


def test_header_not_required_in_rollback_files() -> None:
    """Rollback files need no header."""
    assert lint_text("migrations/20260101_02_test.rollback.sql", "drop schema app;\n") == []


def test_chain_negative(tmp_path: Path) -> None:
    """A linear chain of migrations across folders passes."""
    assert tree_rules(tmp_path, chain(4)) == []


def test_chain_broken_depends(tmp_path: Path) -> None:
    """A migration depending on anything but the one before it is named, with that one."""
    files = chain(3)
    path = "policies/20260101_03_step-3.sql"
    files[path] = files[path].replace("20260101_02_step-2", "20260101_01_step-1")
    found = tree_rules(tmp_path, files)
    assert [(f.path, f.line, f.rule) for f in found] == [(path, 2, "header")]
    assert "20260101_02_step-2" in found[0].message


def test_chain_missing_depends_and_first_depending(tmp_path: Path) -> None:
    """A later migration without depends, and the first one with it, are refused."""
    files = chain(2)
    files["functions/20260101_02_step-2.sql"] = "-- Step 2.\nselect 2;\n"
    files["migrations/20260101_01_step-1.sql"] = (
        "-- Step 1.\n-- depends: 20260101_02_step-2\nselect 1;\n")
    assert [f.rule for f in tree_rules(tmp_path, files)] == ["header", "header"]


def test_bad_and_duplicate_ids(tmp_path: Path) -> None:
    """Ids must match the naming pattern and be unique across folders."""
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
    """A migration without its rollback file is named."""
    files = chain(2)
    del files["functions/20260101_02_step-2.rollback.sql"]
    found = tree_rules(tmp_path, files)
    assert [(f.path, f.rule) for f in found] == [
        ("functions/20260101_02_step-2.sql", "rollback-file")]


def test_rollback_empty_and_orphan(tmp_path: Path) -> None:
    """An empty rollback file and one without its migration are refused."""
    files = chain(2)
    files["functions/20260101_02_step-2.rollback.sql"] = "-- nothing to undo\n"
    files["views/20260101_09_gone.rollback.sql"] = "select 1;\n"
    assert [f.rule for f in tree_rules(tmp_path, files)] == ["rollback-file", "rollback-file"]


def test_rollback_file_is_split_and_transaction_checked() -> None:
    """Rollback files get the split and transaction-control checks."""
    name = "migrations/20260101_02_test.rollback.sql"
    assert [f.rule for f in lint_text(name, "drop table app.t;\ncommit;\n")] == [
        "no-transaction-control"]
    assert [f.rule for f in lint_text(name, "/* a /* b ; */ c ; */ drop table app.t;\n")] == [
        "split-parity",
        "split-parity",
    ]


# --- non-transactional -------------------------------------------------------------

NONTX = "-- Index concurrently.\n-- depends: 20260101_01_prev\n-- transactional: false\n\n"


def test_non_transactional_two_statements() -> None:
    """A non-transactional migration holds exactly one statement."""
    sql = "create index concurrently i on app.t (a);\ncreate index concurrently j on app.t (b);\n"
    assert [f.rule for f in lint_text(NAME, NONTX + sql)] == ["non-transactional"]


def test_non_transactional_one_statement_negative() -> None:
    """A non-transactional migration of one statement passes."""
    assert lint_text(NAME, NONTX + "create index concurrently i on app.t (a);\n") == []


def test_finding_str() -> None:
    """A finding prints as path:line: rule: message."""
    assert str(Finding("a.sql", 3, "header", "msg")) == "a.sql:3: header: msg"


# --- folder-content ----------------------------------------------------------------


def one_file(folder: str, sql: str, rollback: str = "select 0;\n") -> dict[str, str]:
    """A one-migration tree: `sql` in `folder`, with its rollback."""
    return {f"{folder}/20260101_01_step-1.sql": f"-- Step 1.\n\n{sql}",
            f"{folder}/20260101_01_step-1.rollback.sql": rollback}


def folder_rules(tmp_path: Path, folder: str, sql: str, rollback: str = "select 0;\n") -> list[str]:
    """`<folder>:<line>` of each folder-content finding for a one-migration tree."""
    found = tree_rules(tmp_path, one_file(folder, sql, rollback))
    return [f"{f.path.split('/')[0]}:{f.line}" for f in found if f.rule == "folder-content"]


@pytest.mark.parametrize(
    ("folder", "sql"),
    [
        ("functions", FN.format(opts="set search_path = ''")
         + "comment on function private.f() is 'x';\n"
         + "grant execute on function private.f() to authenticated;\n"
         + "create trigger tr after insert on app.t for each row execute function private.f();\n"
         + "alter table app.t disable trigger tr;\ndrop function private.g();\n"),
        ("views", "create view api.v with (security_invoker = true) as select 1 as one;\n"
         "comment on view api.v is 'x';\ncomment on column api.v.one is 'x';\n"
         "grant select on api.v to authenticated;\n"),
        ("policies", "create policy p on app.t for select using (true);\n"
         "comment on policy p on app.t is 'x';\ndrop policy q on app.t;\n"),
        ("cron", "select private.schedule_job('job', '17 3 * * *', $job$select 1$job$);\n"
         "select private.unschedule_job('old-job');\n"),
        ("migrations", "create table app.t (id int);\n"
         "alter table app.t enable row level security;\n"
         "comment on column app.t.id is 'x';\ngrant select on app.t to authenticated;\n"
         "create index i on app.t (id);\nselect private.enable_row_audit('app.t');\n"
         "do $$ begin perform 1; end $$;\n"),
    ],
)
def test_folder_content_negative(tmp_path: Path, folder: str, sql: str) -> None:
    """Each folder's own statements, with their comments, grants and drops, pass."""
    assert folder_rules(tmp_path, folder, sql) == []


@pytest.mark.parametrize(
    ("folder", "sql", "belongs"),
    [
        ("cron", FN.format(opts="set search_path = ''"), "functions/"),
        ("cron", "select cron.schedule('job', '17 3 * * *', 'select 1');\n", "migrations/"),
        ("functions", "select private.enable_row_audit('app.t');\n", "migrations/"),
        ("functions", "grant select on app.t to service_role;\n", "migrations/ (a table's)"),
        ("functions", "drop view api.v;\n", "views/"),
        ("views", "create table app.t (id int);\nalter table app.t enable row level security;\n",
         "migrations/"),
        ("policies", "alter table app.t enable row level security;\n", "migrations/"),
        ("migrations", "create policy p on app.t for select using (true);\n", "policies/"),
        ("migrations", "create trigger tr after insert on app.t for each row "
         "execute function private.f();\n", "functions/"),
        ("migrations", "select private.schedule_job('job', '17 3 * * *', 'select 1');\n", "cron/"),
    ],
)
def test_folder_content(tmp_path: Path, folder: str, sql: str, belongs: str) -> None:
    """A statement in the wrong folder is refused, naming the folder it belongs in."""
    found = [f for f in tree_rules(tmp_path, one_file(folder, sql)) if f.rule == "folder-content"]
    assert found
    assert all(f.path.startswith(f"{folder}/") for f in found), found
    assert f"belongs in {belongs}" in found[0].message


def test_folder_content_checks_rollback_files(tmp_path: Path) -> None:
    """A rollback file's statements must suit the folder too."""
    sql = "select private.unschedule_job('job');\n"
    rollback = "drop function private.f();\n"
    assert folder_rules(tmp_path, "cron", sql, rollback=rollback) == ["cron:1"]


def test_folder_content_no_op_select_is_allowed_anywhere(tmp_path: Path) -> None:
    """A select that calls nothing and reads nothing suits any folder."""
    assert folder_rules(tmp_path, "cron", "select 'nothing to do' as note;\n") == []


def test_folder_content_mixed_file_says_why(tmp_path: Path) -> None:
    """`-- folder-content: mixed` exempts a file only with its reason."""
    sql = SET_TIMEOUT + "select private.enable_row_audit('app.t');\n"
    mixed = "-- Step 1.\n-- folder-content: mixed, because each step needs the one before\n\n"
    rollback = SET_TIMEOUT + "select private.disable_row_audit('app.t');\n"
    files = one_file("functions", sql, rollback=rollback)
    files["functions/20260101_01_step-1.sql"] = mixed + sql
    assert [f.rule for f in tree_rules(tmp_path / "why", files)] == []
    files["functions/20260101_01_step-1.sql"] = "-- Step 1.\n-- folder-content: mixed\n\n" + sql
    found = tree_rules(tmp_path / "bare", files)
    assert [(f.rule, f.line) for f in found] == [("folder-content", 1)]
    assert "needs its reason" in found[0].message


# --- comment-names-objects ---------------------------------------------------------


def test_comment_naming_a_migration_id(tmp_path: Path) -> None:
    """A comment naming a migration id is refused, in SQL and in function bodies alike."""
    files = chain(2)
    files["migrations/20260101_01_step-1.sql"] += "-- see functions/20260101_02_step-2\nselect 9;\n"
    files["functions/20260101_02_step-2.sql"] += (
        "create function private.f() returns int language plpgsql set search_path = '' as $$\n"
        "begin\n    return 1;  -- as 20260101_01 left it\nend\n$$;\n")
    found = tree_rules(tmp_path, files)
    assert [(f.path, f.line) for f in found if f.rule == "comment-names-objects"] == [
        ("functions/20260101_02_step-2.sql", 7), ("migrations/20260101_01_step-1.sql", 4)]


def test_depends_line_is_not_a_comment_naming_an_id(tmp_path: Path) -> None:
    """The `-- depends:` lines of the header are not such comments."""
    assert [f for f in tree_rules(tmp_path, chain(3)) if f.rule == "comment-names-objects"] == []
