-- Helpers that schedule and unschedule pg_cron jobs from migrations.
-- depends: 20261125_08_create-keep-an-owner-trigger
--
-- pg_cron lives in one database per cluster (Supabase: postgres) and must be enabled
-- before `yoyo apply` (README). Where it is missing (a cloned test database, the PyPI
-- demo server) scheduling is skipped with a notice, so every migration still applies.
-- Schedules must have 5 fields: pg_cron 1.4 (Debian) has no seconds syntax and runs in GMT.

create function private.schedule_job(p_job_name text, p_schedule text, p_command text)
    returns bigint
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    if pg_catalog.array_length(
        pg_catalog.regexp_split_to_array(pg_catalog.btrim(p_schedule), '\s+'), 1
    ) <> 5 then
        raise exception 'cron schedule % of job % must have 5 fields (minute hour day month weekday, GMT)',
            pg_catalog.quote_literal(p_schedule), p_job_name
            using errcode = '22023', column = 'schedule';
    end if;
    if not exists (select from pg_catalog.pg_extension as e where e.extname = 'pg_cron') then
        raise notice 'pg_cron is not enabled in database %: job % is not scheduled',
            pg_catalog.current_database(), p_job_name;
        return null;
    end if;
    return cron.schedule(p_job_name, p_schedule, p_command);
end
$$;

comment on function private.schedule_job(text, text, text) is 'Schedules (or reschedules, by name) a pg_cron job after checking its schedule has 5 fields; a notice and no-op where pg_cron is not enabled.';

create function private.unschedule_job(p_job_name text)
    returns boolean
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    if not exists (select from pg_catalog.pg_extension as e where e.extname = 'pg_cron') then
        return false;
    end if;
    if not exists (select from cron.job as j where j.jobname = p_job_name) then
        return false;
    end if;
    return cron.unschedule(p_job_name);
end
$$;

comment on function private.unschedule_job(text) is 'Removes a pg_cron job by name; false when there is no such job or no pg_cron.';
