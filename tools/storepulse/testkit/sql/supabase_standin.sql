-- Supabase stand-in: what a Supabase project provides before our migrations run.
--
-- Applied by storepulse's harness and demo only where the target is not Supabase
-- (a throwaway native cluster, a plain Postgres). Never a yoyo migration, never run
-- against Supabase. Idempotent: roles are per cluster, the rest per database.
-- Definitions follow supabase/postgres (roles) and supabase/auth (auth.* functions).

do $standin$
begin
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

-- Supabase's default per-role statement timeouts (docs: guides/database/postgres/timeouts)
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

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

-- Projects created before Supabase's 2026 deny-by-default change grant the API roles
-- everything new in public. yoyo creates its bookkeeping tables there, so the stand-in
-- does the same: the first migration must lock them down even then.
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;

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
-- where the server preloads it and this is its database (cron.database_name).
do $standin$
begin
    if pg_catalog.current_setting('cron.database_name', true) = pg_catalog.current_database()
        and exists (select from pg_catalog.pg_available_extensions where name = 'pg_cron') then
        create extension if not exists pg_cron;
    end if;
end
$standin$;
