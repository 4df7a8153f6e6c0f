create or replace function private.apply_audit_retention()
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_cutoff timestamptz := pg_catalog.now() - interval '180 days';
    v_partition regclass;
    v_held boolean;
    v_count bigint;
    v_dropped text[] := '{}'::text[];
    v_kept text[] := '{}'::text[];
    v_row_changes_deleted bigint := 0::bigint;
    v_decisions_deleted bigint;
begin
    perform private.expire_suggestions();
    for v_partition in
        select p.partition
        from (
            select
                c.oid::regclass as partition,
                (pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                    'TO \(''([^'']+)''\)'))[1]::timestamptz as upper_bound
            from pg_catalog.pg_inherits as i
                join pg_catalog.pg_class as c on c.oid = i.inhrelid
            where i.inhparent = 'audit.row_change'::regclass
        ) as p
        where p.upper_bound <= v_cutoff
        order by p.upper_bound
    loop
        execute pg_catalog.format(
            'select exists (select from %s as r join app.shop_legal_hold as h on h.shop_id = r.shop_id)',
            v_partition) into v_held;
        if v_held then
            execute pg_catalog.format(
                'delete from %s as r where not exists '
                '(select from app.shop_legal_hold as h where h.shop_id = r.shop_id)',
                v_partition);
            get diagnostics v_count = row_count;
            v_row_changes_deleted := v_row_changes_deleted + v_count;
            v_kept := v_kept || v_partition::text;
        else
            v_dropped := v_dropped || v_partition::text;  -- named while it exists
            execute pg_catalog.format('drop table %s', v_partition);
        end if;
    end loop;
    with gone as (
        delete from audit.decision as d
        where d.decided_at < v_cutoff
            and not exists (select from app.shop_legal_hold as h where h.shop_id = d.shop_id)
        returning d.shop_id, d.suggestion_id
    )
    delete from audit.suggestion as s
    using gone as g
    where s.shop_id = g.shop_id
        and s.suggestion_id = g.suggestion_id;
    get diagnostics v_decisions_deleted = row_count;
    return pg_catalog.jsonb_build_object(
        'cutoff', v_cutoff,
        'row_change_partitions_dropped', v_dropped,
        'row_change_partitions_kept_for_legal_hold', v_kept,
        'row_changes_deleted', v_row_changes_deleted,
        'decisions_deleted', v_decisions_deleted
    );
end
$$;

comment on function private.apply_audit_retention() is 'Job step: records due expiries, then removes what is older than 180 days: whole monthly partitions of audit.row_change (keeping held shops'' rows), and decisions with their suggestions, except for shops under legal hold. Returns what it did.';

create or replace function private.enable_row_audit(p_table regclass)
    returns boolean
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read: "should be STABLE")
declare
    v_schema text;
    v_name text;
    v_created boolean := false;
begin
    select n.nspname::text into v_schema
    from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
    where c.oid = p_table
        and c.relkind in ('r', 'p');
    if v_schema is null then
        raise exception '% is not a table', p_table using errcode = '42809', column = 'table';
    end if;
    if v_schema = 'audit' then
        raise exception '% is in schema audit, which is append-only already', p_table
            using errcode = '22023', column = 'table';
    end if;
    if not exists (
        select from pg_catalog.pg_index as i where i.indrelid = p_table and i.indisprimary
    ) then
        raise exception '% cannot be audited: it has no primary key to name its rows by', p_table
            using errcode = '22023', column = 'table';
    end if;
    if not exists (
        select
        from pg_catalog.pg_attribute as a
        where a.attrelid = p_table
            and a.attname = 'shop_id'
            and a.atttypid = 'uuid'::regtype
            and not a.attisdropped
    ) then
        raise exception '% cannot be audited: it has no shop_id uuid column to file its changes under', p_table
            using errcode = '22023', column = 'table';
    end if;
    for v_name in
        select t.name
        from pg_catalog.unnest(array['_900_row_audit_insert', '_900_row_audit_update',
                                     '_900_row_audit_delete', '_900_row_audit_truncate']) as t (name)
        where not exists (
            select
            from pg_catalog.pg_trigger as g
            where g.tgrelid = p_table
                and g.tgname = t.name
        )
    loop
        execute case v_name
            when '_900_row_audit_insert' then pg_catalog.format(
                'create trigger %I after insert on %s referencing new table as changed_rows '
                'for each statement execute function private.tg_row_audit__record_rows()',
                v_name, p_table)
            when '_900_row_audit_update' then pg_catalog.format(
                'create trigger %I after update on %s referencing old table as old_rows '
                'new table as new_rows for each statement '
                'execute function private.tg_row_audit__record_updates()',
                v_name, p_table)
            when '_900_row_audit_delete' then pg_catalog.format(
                'create trigger %I after delete on %s referencing old table as changed_rows '
                'for each statement execute function private.tg_row_audit__record_rows()',
                v_name, p_table)
            else pg_catalog.format(
                'create trigger %I before truncate on %s for each statement '
                'execute function private.tg_row_audit__refuse_truncate()',
                v_name, p_table)
        end;
        v_created := true;
    end loop;
    return v_created;
end
$$;

comment on function private.enable_row_audit(regclass) is 'Starts recording every change to a table in audit.row_change (the table needs a primary key and a shop_id uuid column). Idempotent: returns false when the table was audited already.';

drop function private.retire_row_change_store(regclass);

drop function private.refresh_row_changes_view();

drop function private.row_change_store_query(regclass);

drop function private.row_change_values(text, jsonb, jsonb, text[]);

drop function private.tg_row_audit__store_updates();

drop function private.tg_row_audit__store_rows();

drop function private.row_audit_distinct(regtype);

drop function private.create_row_change_store(regclass);

create or replace function private.create_row_change_partition(p_month date)
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

drop function private.create_row_change_month(regclass, date);

drop function private.row_change_store_name(regclass);

drop function private.row_change_stores();
