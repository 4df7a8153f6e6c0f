-- Supabase stand-in: what a Supabase project provides before our migrations run.
--
-- Applied by storepulse's harness and demo only where the target is not Supabase
-- (a throwaway native cluster, a plain Postgres). Never a yoyo migration, never run
-- against Supabase. Idempotent: roles are per cluster, the rest per database.
-- Definitions follow supabase/postgres (roles) and supabase/auth (auth.* functions).
--
-- It runs as the cluster's superuser (Supabase's is supabase_admin; storepulse's native
-- cluster names its own storepulse_admin, so that is_supabase() never mistakes it for
-- Supabase). Migrations then run as `postgres`, which on Supabase is not a superuser.

do $standin$
begin
    -- Supabase's `postgres` (supabase/postgres 10000000000000_demote-postgres.sql): it logs
    -- in, owns what the migrations create, and is NOSUPERUSER. Where `postgres` already
    -- exists (a plain Postgres whose superuser it is) it is left as it is.
    if not exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        create role postgres login nosuperuser createdb createrole replication bypassrls;
    end if;
    -- API roles, as in supabase/postgres 00-initial-schema.sql
    if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
        create role anon nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
        create role authenticated nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
        create role service_role nologin noinherit bypassrls;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
        create role authenticator login noinherit;
    end if;
end
$standin$;

grant anon, authenticated, service_role to authenticator;

-- What Supabase grants `postgres` in its database: ALL on the database (connect, create
-- schemas, temporary tables) and, as pg_database_owner does on Supabase, use of and
-- creation in public (yoyo's bookkeeping tables live there).
do $standin$
begin
    execute pg_catalog.format(
        'grant all on database %I to postgres', pg_catalog.current_database()
    );
end
$standin$;
grant usage, create on schema public to postgres;

-- Supabase's default per-role statement timeouts (docs: guides/database/postgres/timeouts)
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
grant all on schema extensions to postgres;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role, postgres;

create table if not exists auth.users (
    instance_id uuid,
    id uuid primary key,
    aud varchar(255),
    role varchar(255),
    email varchar(255),
    phone text,
    raw_app_meta_data jsonb default '{}'::jsonb,
    raw_user_meta_data jsonb default '{}'::jsonb,
    is_anonymous boolean not null default false,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
alter table auth.users enable row level security;

create or replace function auth.uid()
    returns uuid
    language sql
    stable
    set search_path to ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;

create or replace function auth.role()
    returns text
    language sql
    stable
    set search_path to ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;

create or replace function auth.email()
    returns text
    language sql
    stable
    set search_path to ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;

create or replace function auth.jwt()
    returns jsonb
    language sql
    stable
    set search_path to ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
    to anon, authenticated, service_role;
grant select on auth.users to service_role;
-- Supabase: postgres uses the auth schema and everything in it, but creates nothing there
-- (20211115181400_update-auth-permissions.sql, 20250421084701_revoke_admin_roles_from_postgres.sql).
grant all on all tables in schema auth to postgres;
grant all on all sequences in schema auth to postgres;
grant all on all routines in schema auth to postgres;

-- Projects created before Supabase's 2026 deny-by-default change grant the API roles
-- everything new in public. yoyo creates its bookkeeping tables there, so the stand-in
-- does the same: the first migration must lock them down even then.
-- On Supabase these defaults exist for postgres (which creates yoyo's tables) and for
-- supabase_admin; here for postgres and for the superuser running this script.
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on sequences to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on functions to anon, authenticated, service_role;

-- Supabase exposes a schema list to PostgREST; the lints read it from this setting.
-- Our API lives in schema api only (see README: set "Exposed schemas" to api).
do $standin$
begin
    execute pg_catalog.format(
        'alter database %I set pgrst.db_schemas = %L', pg_catalog.current_database(), 'api'
    );
end
$standin$;

-- Supabase enables pg_cron from the dashboard before our migrations run; here we do it
-- where the server preloads it and this is its database (cron.database_name). Then
-- postgres gets what Supabase grants it (supabase/postgres pg_cron/after-create.sql and
-- 20260730000000_revoke_trigger_on_cron_tables_from_postgres.sql): the schema and its
-- functions, every table but only SELECT on cron.job (cron.schedule and cron.unschedule
-- write it for their caller), and no TRIGGER on cron.job_run_details.
do $standin$
begin
    if pg_catalog.current_setting('cron.database_name', true) = pg_catalog.current_database()
        and exists (select from pg_catalog.pg_available_extensions where name = 'pg_cron') then
        create extension if not exists pg_cron;
    end if;
    if pg_catalog.to_regnamespace('cron') is not null then
        grant usage on schema cron to postgres with grant option;
        grant all on all functions in schema cron to postgres with grant option;
        alter default privileges in schema cron grant all on tables to postgres with grant option;
        alter default privileges in schema cron grant all on functions to postgres with grant option;
        alter default privileges in schema cron grant all on sequences to postgres with grant option;
        grant all privileges on all tables in schema cron to postgres with grant option;
        revoke all on table cron.job from postgres;
        grant select on table cron.job to postgres with grant option;
        revoke trigger on cron.job_run_details from postgres;
    end if;
end
$standin$;
