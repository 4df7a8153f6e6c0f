-- Create the three schemas storepulse lives in, and lock down privileges by default.
--
-- app: tables, never exposed. private: helpers for policies and definer functions,
-- never exposed. api: the only exposed schema (PostgREST db-schemas = api), holding
-- functions and security_invoker views only.
-- Functions get no EXECUTE for PUBLIC by default: each is granted by name.
-- Rollback tested by tests/test_migrations.py (every prefix, schema dump compared).

create schema app;

comment on schema app is 'storepulse tables. Never exposed through the API; reached through api views and functions under row-level security.';

create schema private;

comment on schema private is 'Helpers for row-level security policies and security definer functions. Never exposed through the API.';

create schema api;

comment on schema api is 'The API PostgREST exposes: functions and security_invoker views only, each granted by name.';

grant usage on schema api to anon, authenticated, service_role;

grant usage on schema app to authenticated, service_role;

grant usage on schema private to authenticated, service_role;

alter default privileges revoke execute on functions from public;

-- yoyo keeps its bookkeeping tables in the connection's schema (public by default).
-- Whatever the project's exposed schemas are, API roles must never read or write them.
do $$
declare
    v_table regclass;
begin
    for v_table in
        select c.oid::regclass
        from pg_catalog.pg_class as c
        where c.relnamespace = pg_catalog.current_schema()::regnamespace
            and c.relkind = 'r'
            and c.relname in ('_yoyo_log', '_yoyo_migration', '_yoyo_version', 'yoyo_lock')
    loop
        execute pg_catalog.format('alter table %s enable row level security', v_table);
        execute pg_catalog.format('revoke all on table %s from public, anon, authenticated', v_table);
    end loop;
end
$$;
