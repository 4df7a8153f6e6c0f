-- Revoke service_role's access to yoyo's bookkeeping tables too.
-- depends: 20261201_20_schedule-payload-retention
--
-- The first migration turned row-level security on for yoyo's tables and revoked them from
-- anon and authenticated. On Supabase, the default privileges of schema public also grant
-- them to service_role, which bypasses row-level security: the backend key could read and
-- rewrite the migration history. No API role needs them; yoyo runs as the owner.
-- Rollback grants service_role back what public's default privileges give it (on Supabase,
-- everything; elsewhere, usually nothing), which is what it had before.

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
        execute pg_catalog.format('revoke all on table %s from service_role', v_table);
    end loop;
end
$$;
