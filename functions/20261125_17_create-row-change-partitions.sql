-- Create audit.row_change's monthly partitions, each locked like its parent.
-- depends: 20261125_16_create-audit-immutability
--
-- A partition holds one calendar month in UTC, [first day 00:00 UTC, next first day), and
-- is named audit.row_change_YYYY_MM. It gets row-level security (and no policy and no
-- grant: API roles read through the parent only) and the refusal trigger, which statement
-- triggers do not inherit. There is no default partition: a write to an audited table in
-- a month without a partition fails rather than go unrecorded, so the maintenance job
-- keeps two months ready ahead (the storepulse-maintain-audit-trail job), and a missed day or two costs nothing.

create function private.create_row_change_partition(p_month date)
    returns text
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read: "should be STABLE")
declare
    v_start timestamp := pg_catalog.date_trunc('month', p_month::timestamp);
    v_name text := 'row_change_' || pg_catalog.to_char(v_start, 'YYYY_MM');
    v_from timestamptz := pg_catalog.timezone('UTC', v_start);
    v_to timestamptz := pg_catalog.timezone('UTC', v_start + interval '1 month');
begin
    if p_month is null then
        raise exception 'month must not be null' using errcode = '22004', column = 'month';
    end if;
    if pg_catalog.to_regclass('audit.' || v_name) is not null then
        return 'audit.' || v_name;
    end if;
    execute pg_catalog.format(
        'create table audit.%I partition of audit.row_change for values from (%L) to (%L)',
        v_name, v_from, v_to);
    execute pg_catalog.format('alter table audit.%I enable row level security', v_name);
    execute pg_catalog.format(
        'create trigger _100_refuse_change before update or delete or truncate on audit.%I '
        'for each statement execute function private.tg_audit__refuse_change()', v_name);
    execute pg_catalog.format('comment on table audit.%I is %L', v_name,
        pg_catalog.format('Row changes of %s (UTC). Read through audit.row_change.',
            pg_catalog.to_char(v_start, 'YYYY-MM')));
    return 'audit.' || v_name;
end
$$;

comment on function private.create_row_change_partition(date) is 'Creates the partition of audit.row_change for the UTC month containing the date (row-level security and refusal trigger included); returns its name. Does nothing if it exists.';

create function private.ensure_row_change_partitions(p_months_ahead integer default 2)
    returns text[]
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    select pg_catalog.array_agg(
        private.create_row_change_partition(
            (pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now()))
                + pg_catalog.make_interval(months => m.n))::date)
        order by m.n)
    from pg_catalog.generate_series(0, greatest(ensure_row_change_partitions.p_months_ahead, 0)) as m (n)
$$;

comment on function private.ensure_row_change_partitions(integer) is 'Makes sure audit.row_change has partitions for the current UTC month and the given number of months after it; returns their names.';
