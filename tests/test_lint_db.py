"""The database lint (storepulse.db.lint_db) and plpgsql_check over our plpgsql functions.

The migrated schema must have no ERROR or WARN finding: that is the CI gate. Every check
must fire on a deliberately bad object, created inside the test's transaction (rolled back
afterwards, so nothing leaks), and stay quiet on the good variants splinter gets wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from storepulse.db import lint_db
from storepulse.db.lint_db import Finding

OUR_SCHEMAS = ("app", "private", "api", "audit")


@dataclass(frozen=True)
class Case:
    """SQL that creates a bad (or good) object, and the finding it should (not) raise."""

    id: str
    name: str
    level: str
    object: str
    setup: str
    needs: str | None = None  # an extension the setup creates


def catalogue() -> dict[str, str]:
    """Check name -> level, as declared in the `lint` CTE of sql/lint.sql."""
    return dict(re.findall(r"^\s+\('([a-z0-9_]+)', '(ERROR|WARN|INFO)'", lint_db.lint_sql(),
                           flags=re.MULTILINE))


def hits(findings: list[Finding], name: str, obj: str) -> list[Finding]:
    """The findings of check `name` on `obj`."""
    return [f for f in findings if f.name == name and f.object == obj]


def listing(findings: list[Finding]) -> str:
    """The findings, one a line, for assertion messages."""
    return "\n".join(map(str, findings)) or "(none)"


TABLE_WITH_RLS = """
    create table app.bad (id int primary key, user_id uuid, owner_id uuid);
    alter table app.bad enable row level security;
"""

POSITIVE = [
    Case("fk-without-index", "unindexed_foreign_keys", "INFO", "app.bad_child", """
        create table app.bad_parent (id int primary key);
        create table app.bad_child (id int primary key, parent_id int references app.bad_parent);
    """),
    Case("definer-view-on-auth-users", "auth_users_exposed", "ERROR", "api.bad_users", """
        create view api.bad_users as select u.id, u.email from auth.users as u;
        grant select on api.bad_users to anon;
    """),
    Case("invoker-view-on-auth-users-without-rls", "auth_users_exposed", "ERROR",
         "api.bad_users", """
        alter table auth.users disable row level security;
        create view api.bad_users with (security_invoker = true)
            as select u.id, u.email from auth.users as u;
        grant select on api.bad_users to authenticated;
    """),
    Case("unwrapped-auth-uid", "auth_rls_initplan", "WARN", 'policy "own rows" on app.bad',
         TABLE_WITH_RLS + """
        create policy "own rows" on app.bad for select to authenticated
            using (auth.uid() = user_id);
    """),
    Case("wrapped-call-hides-unwrapped-one", "auth_rls_initplan", "WARN",
         'policy "own rows" on app.bad', TABLE_WITH_RLS + """
        create policy "own rows" on app.bad for select to authenticated
            using ((select auth.uid()) = user_id or auth.uid() = owner_id);
    """),
    Case("unwrapped-current-setting", "auth_rls_initplan", "WARN", "policy claims on app.bad",
         TABLE_WITH_RLS + """
        create policy claims on app.bad for select to authenticated
            using (user_id = (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')::uuid);
    """),
    Case("table-without-pk", "no_primary_key", "INFO", "app.bad",
         "create table app.bad (id int);"),
    Case("never-scanned-index", "unused_index", "INFO", "app.bad_k_idx", """
        create table app.bad (id int primary key, k int);
        create index bad_k_idx on app.bad (k);
    """),
    Case("two-permissive-select-policies", "multiple_permissive_policies", "WARN", "app.bad",
         TABLE_WITH_RLS + """
        create policy "mine" on app.bad for select to authenticated
            using (user_id = (select auth.uid()));
        create policy "owned" on app.bad for all to authenticated
            using (owner_id = (select auth.uid()));
    """),
    Case("policy-on-table-without-rls", "policy_exists_rls_disabled", "ERROR", "app.bad", """
        create table app.bad (id int primary key, user_id uuid);
        create policy "mine" on app.bad for select to authenticated
            using (user_id = (select auth.uid()));
    """),
    Case("rls-without-policy", "rls_enabled_no_policy", "INFO", "app.bad", TABLE_WITH_RLS),
    Case("identical-indexes", "duplicate_index", "WARN", "app.bad", """
        create table app.bad (id int primary key, k int);
        create index bad_k_1 on app.bad (k);
        create index bad_k_2 on app.bad (k);
    """),
    Case("plain-index-duplicating-unique-one", "duplicate_index", "WARN", "app.bad", """
        create table app.bad (id int primary key, k int unique);
        create index bad_k on app.bad (k);
    """),
    Case("exposed-definer-view", "security_definer_view", "ERROR", "api.bad_view", """
        create view api.bad_view as select s.shop_id from app.shop as s;
        grant select on api.bad_view to authenticated;
    """),
    Case("function-without-search-path", "function_search_path_mutable", "WARN",
         "app.bad_fn(integer)",
         "create function app.bad_fn(p int) returns int language sql as 'select p';"),
    Case("exposed-table-without-rls", "rls_disabled_in_public", "ERROR", "api.bad", """
        create table api.bad (id int primary key);
        grant select on api.bad to anon;
    """),
    Case("exposed-partitioned-table-without-rls", "rls_disabled_in_public", "ERROR",
         "api.bad", """
        create table api.bad (id int, k int) partition by range (id);
        grant select (k) on api.bad to authenticated;
    """),
    Case("extension-in-public", "extension_in_public", "WARN", "pg_trgm",
         "create extension pg_trgm schema public;", needs="pg_trgm"),
    Case("policy-reads-user-metadata", "rls_references_user_metadata", "ERROR",
         'policy "by metadata" on app.bad', TABLE_WITH_RLS + """
        create policy "by metadata" on app.bad for select to authenticated
            using (((select auth.jwt()) -> 'user_metadata' ->> 'owner')::uuid = owner_id);
    """),
    Case("exposed-matview", "materialized_view_in_api", "WARN", "api.bad_mv", """
        create materialized view api.bad_mv as select s.shop_id from app.shop as s;
        grant select on api.bad_mv to anon;
    """),
    Case("exposed-foreign-table", "foreign_table_in_api", "WARN", "api.bad_ft", """
        create foreign data wrapper bad_fdw;
        create server bad_server foreign data wrapper bad_fdw;
        create foreign table api.bad_ft (id int) server bad_server;
        grant select on api.bad_ft to authenticated;
    """),
    Case("regproc-column", "unsupported_reg_types", "WARN", "app.bad.fn",
         "create table app.bad (id int primary key, fn regproc);"),
    Case("regnamespace-array-column", "unsupported_reg_types", "WARN", "app.bad.schemas",
         "create table app.bad (id int primary key, schemas regnamespace[]);"),
    Case("fk-to-auth-unique-index", "fkey_to_auth_unique", "ERROR", "app.bad", """
        create unique index bad_users_email on auth.users (email);
        create table app.bad (id int primary key,
            email varchar(255) references auth.users (email));
    """),
    Case("outdated-extension", "extension_versions_outdated", "WARN", "citext",
         "create extension citext version '1.4' schema extensions;", needs="citext"),
    Case("exposed-password-column", "sensitive_columns_exposed", "ERROR", "api.bad", """
        create table api.bad (id int primary key, email text, password_hash text);
        grant select on api.bad to anon;
    """),
    Case("update-using-true", "rls_policy_always_true", "WARN", 'policy anyone on app.bad',
         TABLE_WITH_RLS + """
        create policy "anyone" on app.bad for update to authenticated using (true);
    """),
    Case("insert-check-1-eq-1", "rls_policy_always_true", "WARN", 'policy anyone on app.bad',
         TABLE_WITH_RLS + """
        create policy "anyone" on app.bad for insert to anon with check (1 = 1);
    """),
    Case("anon-runs-definer", "anon_security_definer_function_executable", "WARN",
         "api.bad_fn()", """
        create function api.bad_fn() returns int language sql security definer
            set search_path = '' as 'select 1';
        grant execute on function api.bad_fn() to anon;
    """),
    Case("authenticated-runs-definer", "authenticated_security_definer_function_executable",
         "WARN", "api.bad_fn()", """
        create function api.bad_fn() returns int language sql security definer
            set search_path = '' as 'select 1';
        grant execute on function api.bad_fn() to authenticated;
    """),
    Case("app-table-without-rls", "sp_rls_disabled", "ERROR", "app.bad",
         "create table app.bad (id int primary key);"),
    Case("private-partitioned-table-without-rls", "sp_rls_disabled", "ERROR", "private.bad",
         "create table private.bad (id int primary key) partition by range (id);"),
    Case("definer-search-path-public", "sp_definer_search_path_not_empty", "ERROR",
         "private.bad_fn()", """
        create function private.bad_fn() returns int language sql security definer
            set search_path = public as 'select 1';
    """),
    Case("definer-without-search-path", "sp_definer_search_path_not_empty", "ERROR",
         "private.bad_fn()", """
        create function private.bad_fn() returns int language sql security definer
            as 'select 1';
    """),
    Case("sequence-in-api", "sp_api_holds_non_view_or_function", "ERROR", "api.bad_seq",
         "create sequence api.bad_seq;"),
    Case("table-in-api", "sp_api_holds_non_view_or_function", "ERROR", "api.bad", """
        create table api.bad (id int primary key);
        alter table api.bad enable row level security;
    """),
    Case("ungranted-definer-view-in-api", "sp_api_view_not_security_invoker", "ERROR",
         "api.bad_view", "create view api.bad_view as select s.shop_id from app.shop as s;"),
    Case("execute-granted-to-public", "sp_execute_granted_to_public", "ERROR",
         "private.bad_fn()", """
        create function private.bad_fn() returns int language sql
            set search_path = '' as 'select 1';
        grant execute on function private.bad_fn() to public;
    """),
    Case("default-acl-lets-public-execute", "sp_execute_granted_to_public", "ERROR",
         "private.bad_fn()", """
        create function private.bad_fn() returns int language sql
            set search_path = '' as 'select 1';
        update pg_catalog.pg_proc set proacl = null
            where oid = 'private.bad_fn()'::regprocedure;
    """),
    Case("anon-runs-invoker-function", "sp_anon_can_execute", "WARN", "api.bad_fn()", """
        create function api.bad_fn() returns int language sql
            set search_path = '' as 'select 1';
        grant execute on function api.bad_fn() to anon;
    """),
    Case("table-without-comment", "sp_missing_comment", "WARN", "app.bad",
         "create table app.bad (id int primary key);"),
    Case("column-without-comment", "sp_missing_comment", "WARN", "app.bad.note", """
        create table app.bad (id int primary key, note text);
        comment on table app.bad is 'Bad.';
        comment on column app.bad.id is 'Key.';
        comment on column app.bad.note is ' ';
    """),
    Case("view-without-comment", "sp_missing_comment", "WARN", "api.bad_view", """
        create view api.bad_view with (security_invoker = true)
            as select s.shop_id from app.shop as s;
        comment on column api.bad_view.shop_id is 'Tenant key.';
    """),
    Case("view-column-without-comment", "sp_missing_comment", "WARN", "api.bad_view.shop_id",
         """
        create view api.bad_view with (security_invoker = true)
            as select s.shop_id from app.shop as s;
        comment on view api.bad_view is 'Bad.';
    """),
    Case("matview-without-comment", "sp_missing_comment", "WARN", "private.bad_mv",
         "create materialized view private.bad_mv as select 1 as x;"),
    Case("function-without-comment", "sp_missing_comment", "WARN", "private.bad_fn()", """
        create function private.bad_fn() returns int language sql
            set search_path = '' as 'select 1';
    """),
    Case("trigger-function-elsewhere-without-comment", "sp_missing_comment", "WARN",
         "public.bad_touch()", """
        create function public.bad_touch() returns trigger language plpgsql
            set search_path = '' as 'begin new.updated_at := now(); return new; end';
        create trigger bad_touch before update on app.shop
            for each row execute function public.bad_touch();
    """),
    Case("shop-id-not-first-in-pk", "sp_tenant_key", "ERROR", "app.bad", """
        create table app.bad (id int not null, shop_id uuid not null
            references app.shop, primary key (id, shop_id));
    """),
    Case("tenant-table-without-pk", "sp_tenant_key", "ERROR", "app.bad",
         "create table app.bad (shop_id uuid not null, id int not null);"),
    Case("tenant-fk-without-shop-id", "sp_tenant_key", "ERROR", "app.bad_child", """
        create table app.bad_parent (shop_id uuid not null, id int not null,
            primary key (shop_id, id), unique (id));
        create table app.bad_child (shop_id uuid not null, id int not null, parent_id int,
            primary key (shop_id, id), foreign key (parent_id) references app.bad_parent (id));
    """),
    Case("tenant-fk-crossing-shop-id", "sp_tenant_key", "ERROR", "app.bad_child", """
        create table app.bad_parent (shop_id uuid not null, id uuid not null,
            primary key (shop_id, id), unique (id, shop_id));
        create table app.bad_child (shop_id uuid not null, id int not null, parent_id uuid,
            primary key (shop_id, id),
            foreign key (shop_id, parent_id) references app.bad_parent (id, shop_id));
    """),
    Case("policy-on-shop-id-without-index", "sp_policy_column_unindexed", "WARN", "app.bad", """
        create table app.bad (id int primary key, shop_id uuid not null);
        alter table app.bad enable row level security;
        create index bad_partial on app.bad (shop_id) where id > 0;
        create policy "members" on app.bad for select to authenticated
            using (shop_id = any (array(select private.my_shop_ids())));
    """),
    Case("helper-called-per-row", "sp_policy_calls_function_per_row", "WARN",
         'policy members on app.bad', """
        create table app.bad (shop_id uuid, id int, primary key (shop_id, id));
        alter table app.bad enable row level security;
        create policy "members" on app.bad for select to authenticated
            using (shop_id in (select private.my_shop_ids()) or private.is_iana_timezone('UTC'));
    """),
    Case("matview-without-unique-index", "sp_matview_without_unique_index", "WARN",
         "private.bad_mv", """
        create materialized view private.bad_mv as select s.shop_id from app.shop as s;
        create unique index bad_mv_partial on private.bad_mv (shop_id) where shop_id is not null;
    """),
]

# Good objects a cruder check would flag: the named check must not fire on any bad* object.
NEGATIVE = [
    Case("wrapped-auth-uid", "auth_rls_initplan", "WARN", 'policy "own rows" on app.bad',
         TABLE_WITH_RLS + """
        create policy "own rows" on app.bad for select to authenticated
            using ((select auth.uid()) = user_id and owner_id = (select auth.uid()));
    """),
    Case("fk-covered-by-index-in-other-order", "unindexed_foreign_keys", "INFO",
         "app.bad_child", """
        create table app.bad_parent (a int, b int, primary key (a, b));
        create table app.bad_child (id int primary key, a int, b int,
            foreign key (a, b) references app.bad_parent);
        create index bad_child_b_a on app.bad_child (b, a, id);
    """),
    Case("insert-policy-without-check-denies", "rls_policy_always_true", "WARN",
         'policy nothing on app.bad', TABLE_WITH_RLS + """
        create policy "nothing" on app.bad for insert to authenticated;
    """),
    Case("select-using-true", "rls_policy_always_true", "WARN", 'policy "public" on app.bad',
         TABLE_WITH_RLS + """
        create policy "public" on app.bad for select to anon using (true);
    """),
    Case("invoker-view-on-auth-users-with-rls", "auth_users_exposed", "ERROR",
         "api.bad_users", """
        create view api.bad_users with (security_invoker = on)
            as select u.id from auth.users as u;
        grant select on api.bad_users to authenticated;
    """),
    Case("permissive-policies-for-different-roles", "multiple_permissive_policies", "WARN",
         "app.bad", TABLE_WITH_RLS + """
        create policy "mine" on app.bad for select to authenticated
            using (user_id = (select auth.uid()));
        create policy "theirs" on app.bad for select to anon using (false);
    """),
    Case("policy-helper-wrapped", "sp_policy_calls_function_per_row", "WARN",
         'policy members on app.bad', """
        create table app.bad (shop_id uuid, id int, primary key (shop_id, id));
        alter table app.bad enable row level security;
        create policy "members" on app.bad for select to authenticated
            using (shop_id = any (array(select private.my_shop_ids('{owner}'))));
    """),
    Case("table-without-shop-id", "sp_tenant_key", "ERROR", "app.bad",
         "create table app.bad (id int, k int, primary key (k, id));"),
    Case("matview-with-unique-index", "sp_matview_without_unique_index", "WARN",
         "private.bad_mv", """
        create materialized view private.bad_mv as select s.shop_id from app.shop as s;
        create unique index bad_mv_shop_id on private.bad_mv (shop_id);
    """),
]


def test_migrated_database_has_no_error_or_warn(db: psycopg.Connection) -> None:
    """The CI gate: no ERROR and no WARN on the migrated schema; INFOs are printed."""
    findings = lint_db.run(db)
    failing = [f for f in findings if f.level in lint_db.FAILING_LEVELS]
    for finding in findings:
        print(finding)
    assert not failing, listing(failing)


def test_run_leaves_the_session_as_it_was(db: psycopg.Connection) -> None:
    """The runner's settings live in a rolled-back savepoint; the transaction goes on."""
    db.execute("set local search_path = app, public")
    before = db.execute("select current_setting('pgrst.db_schemas', true)").fetchone()
    lint_db.run(db)
    assert db.execute("show search_path").fetchone() == ("app, public",)
    assert db.execute("select current_setting('pgrst.db_schemas', true)").fetchone() == before


def test_exposed_schemas_come_from_pgrst_db_schemas(db: psycopg.Connection) -> None:
    """A schema listed in pgrst.db_schemas is exposed; the setting wins over the default."""
    db.execute("""
        create table private.bad (id int primary key);
        grant select on private.bad to anon;
        set local pgrst.db_schemas = 'api, private';
    """)
    assert hits(lint_db.run(db), "rls_disabled_in_public", "private.bad")


def test_every_check_has_a_true_positive() -> None:
    """Each check declared in lint.sql, and the cron check, is exercised below."""
    declared = set(catalogue()) | {"sp_cron_job_failed"}
    covered = {case.name for case in POSITIVE} | {"sp_cron_job_failed"}
    assert len(catalogue()) >= 34
    assert declared - covered == set()


@pytest.mark.parametrize("case", POSITIVE, ids=lambda case: case.id)
def test_check_fires_on_bad_object(db: psycopg.Connection,
                                   need_extension: Callable[[str], None], case: Case) -> None:
    """The named check reports the deliberately bad object, at its declared level."""
    if case.needs:
        need_extension(case.needs)
    db.execute(case.setup)
    findings = lint_db.run(db)
    found = hits(findings, case.name, case.object)
    assert found, f"{case.name} missed {case.object}; findings:\n{listing(findings)}"
    assert {f.level for f in found} == {case.level} == {catalogue()[case.name]}


@pytest.mark.parametrize("case", NEGATIVE, ids=lambda case: case.id)
def test_check_passes_good_object(db: psycopg.Connection, case: Case) -> None:
    """Good variants that cruder string checks get wrong raise nothing."""
    db.execute(case.setup)
    found = [f for f in lint_db.run(db) if f.name == case.name and ".bad" in f.object]
    assert not found, listing(found)


def test_failed_cron_job_is_reported(db: psycopg.Connection,
                                     need_extension: Callable[[str], None]) -> None:
    """sp_cron_job_failed: a failed run in the last 24 hours is a WARN; older ones are not."""
    need_extension("pg_cron")
    if db.execute("select to_regclass('cron.job_run_details')").fetchone()[0] is None:
        pytest.fail("pg_cron is installed but not enabled in the main database")
    job_id = db.execute(
        "select cron.schedule('storepulse-lint-test', '0 0 1 1 *', 'select 1')").fetchone()[0]
    db.execute("""
        insert into cron.job_run_details
            (jobid, job_pid, database, username, command, status, return_message,
             start_time, end_time)
        values (%(job)s, 1, current_database(), current_user, 'select 1', 'failed',
                'connection failed', now() - interval '2 hours', now() - interval '2 hours'),
               (%(job)s, 1, current_database(), current_user, 'select 1', 'failed',
                'too old', now() - interval '3 days', now() - interval '3 days')
    """, {"job": job_id})
    found = hits(lint_db.run(db), "sp_cron_job_failed", "cron job storepulse-lint-test")
    assert [f.level for f in found] == ["WARN"]
    assert "1 failed run(s)" in found[0].detail
    assert "connection failed" in found[0].detail


def test_main_exits_1_on_error_or_warn(fresh_url: str, capsys: pytest.CaptureFixture) -> None:
    """The command line: 0 on the migrated template, 1 once something is wrong."""
    assert lint_db.main(["--database", fresh_url]) == 0
    with psycopg.connect(fresh_url, autocommit=True) as conn:
        conn.execute("create table app.bad (id int primary key)")
    assert lint_db.main(["--database", fresh_url]) == 1
    assert "ERROR sp_rls_disabled app.bad: " in capsys.readouterr().out


# plpgsql_check reports nothing on our functions today, with every warning class on, so
# nothing is excused on principle. One environment-dependent case is: where pg_cron is not
# enabled (a database cloned from the template, a server without it), cron.schedule and
# cron.job do not exist, yet private.schedule_job / unschedule_job reach them only after
# checking pg_extension at run time. Those missing-object errors are false positives.
def plpgsql_check_problems(conn: psycopg.Connection,
                           schemas: tuple[str, ...] = OUR_SCHEMAS) -> list[str]:
    """plpgsql_check's errors and warnings for every plpgsql function in `schemas`."""
    conn.execute("create extension if not exists plpgsql_check schema extensions")
    ext_schema = conn.execute("select extnamespace::regnamespace::text from pg_extension "
                              "where extname = 'plpgsql_check'").fetchone()[0]
    has_cron = conn.execute("select to_regnamespace('cron') is not null").fetchone()[0]
    targets = conn.execute("""
        select p.oid, p.oid::regprocedure::text, p.prorettype = 'trigger'::regtype,
            t.tgrelid, t.tgoldtable, t.tgnewtable
        from pg_proc as p
            join pg_namespace as n on n.oid = p.pronamespace
            join pg_language as l on l.oid = p.prolang
            left join pg_trigger as t on t.tgfoid = p.oid and not t.tgisinternal
        where l.lanname = 'plpgsql'
            and n.nspname = any (%s)
        order by 2, 4
    """, (list(schemas),)).fetchall()
    check = sql.SQL("""
        select level, sqlstate, message, lineno, statement
        from {}.plpgsql_check_function_tb(%s::regprocedure, relid => %s::regclass,
            oldtable => %s, newtable => %s, all_warnings => true)
    """).format(sql.Identifier(ext_schema))
    problems = []
    for oid, name, is_trigger, relid, oldtable, newtable in targets:
        if is_trigger and relid is None:
            problems.append(f"{name}: trigger function no trigger uses (cannot be checked)")
            continue
        for level, sqlstate, message, lineno, statement in conn.execute(
                check, (oid, relid or 0, oldtable, newtable)).fetchall():
            if not has_cron and name.startswith("private.") and "cron." in (message or ""):
                continue  # false positive without pg_cron; see the comment above
            problems.append(f"{name} line {lineno} {statement}: {level} {sqlstate} {message}")
    return problems


def test_plpgsql_functions_pass_plpgsql_check(db: psycopg.Connection,
                                              need_extension: Callable[[str], None]) -> None:
    """No error or warning from plpgsql_check in app, private, api or audit."""
    need_extension("plpgsql_check")
    problems = plpgsql_check_problems(db)
    assert not problems, "\n".join(problems)


def test_plpgsql_check_reports_missing_column(db: psycopg.Connection,
                                              need_extension: Callable[[str], None]) -> None:
    """True positive: a function reading a column that does not exist is reported."""
    need_extension("plpgsql_check")
    db.execute("""
        create function app.bad_fn() returns text language plpgsql set search_path = '' as $$
        begin
            return (select s.no_such_column from app.shop as s limit 1);
        end
        $$
    """)
    problems = plpgsql_check_problems(db)
    assert any(p.startswith("app.bad_fn() ") and "no_such_column" in p for p in problems), \
        "\n".join(problems)
