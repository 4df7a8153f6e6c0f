create function private.tg_row_audit__record_rows()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    insert into audit.row_change (
        shop_id, table_name, op, record_key, old_values, new_values,
        actor, actor_role, request_method, request_path
    )
    select
        t.shop_id,
        c.table_name,
        tg_op,
        t.row_values operator(pg_catalog.-) c.non_key_columns,
        case when tg_op = 'DELETE' then t.row_values end,
        case when tg_op = 'INSERT' then t.row_values end,
        c.actor,
        c.actor_role,
        c.request_method,
        c.request_path
    from (
        select r.shop_id, pg_catalog.to_jsonb(r) as row_values
        from changed_rows as r
    ) as t
        cross join private.audit_context(tg_relid) as c;
    return null;
end
$$;

comment on function private.tg_row_audit__record_rows() is 'Trigger (after insert or delete, for each statement, transition table changed_rows): records each inserted row whole in new_values, each deleted row whole in old_values.';

create function private.tg_row_audit__record_updates()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    insert into audit.row_change (
        shop_id, table_name, op, record_key, old_values, new_values,
        actor, actor_role, request_method, request_path
    )
    select
        p.shop_id,
        c.table_name,
        'UPDATE',
        p.new_row operator(pg_catalog.-) c.non_key_columns,
        d.old_values,
        d.new_values,
        c.actor,
        c.actor_role,
        c.request_method,
        c.request_path
    from (
        select n.shop_id, o.row_values as old_row, n.row_values as new_row
        from (
            select pg_catalog.row_number() over () as pos, pg_catalog.to_jsonb(r) as row_values
            from old_rows as r
        ) as o
            join (
                select pg_catalog.row_number() over () as pos, r.shop_id,
                    pg_catalog.to_jsonb(r) as row_values
                from new_rows as r
            ) as n on n.pos = o.pos
    ) as p
        cross join lateral (
            select
                pg_catalog.jsonb_object_agg(e.key, p.old_row -> e.key) as old_values,
                pg_catalog.jsonb_object_agg(e.key, e.value) as new_values
            from pg_catalog.jsonb_each(p.new_row) as e
            where e.value is distinct from p.old_row -> e.key
        ) as d
        cross join private.audit_context(tg_relid) as c
    where d.new_values is not null;
    return null;
end
$$;

comment on function private.tg_row_audit__record_updates() is 'Trigger (after update, for each statement, transition tables old_rows and new_rows): records, per changed row, only the keys that changed, with their old and new values.';

create or replace function api.row_changes(
    shop_id uuid,
    table_name text default null,
    record_key jsonb default null,
    since timestamptz default null,
    until timestamptz default null
)
    returns table (
        shop_id uuid,
        change_id bigint,
        occurred_at timestamptz,
        table_name text,
        op text,
        record_key jsonb,
        old_values jsonb,
        new_values jsonb,
        actor uuid,
        actor_role text,
        txid bigint,
        request_method text,
        request_path text
    )
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select
        c.shop_id,
        c.change_id,
        c.occurred_at,
        c.table_name,
        c.op,
        c.record_key,
        c.old_values,
        c.new_values,
        c.actor,
        c.actor_role,
        c.txid::text::bigint,
        c.request_method,
        c.request_path
    from audit.row_change as c
    where c.shop_id = row_changes.shop_id
        and (row_changes.table_name is null or c.table_name = row_changes.table_name)
        and (row_changes.record_key is null or c.record_key @> row_changes.record_key)
        and (row_changes.since is null or c.occurred_at >= row_changes.since)
        and (row_changes.until is null or c.occurred_at < row_changes.until)
        and private.check_period(row_changes.since, row_changes.until)
    order by c.occurred_at desc, c.change_id desc
$$;

comment on function api.row_changes(uuid, text, jsonb, timestamptz, timestamptz) is 'The shop''s recorded row changes, newest first, optionally of one table (e.g. app.shop_member), of rows whose key contains record_key (e.g. {"user_id": "..."}), and in [since, until) of occurred_at. Owners and managers only (others get no rows).';

-- Fail fast rather than queue every query on the table behind this migration.
set local lock_timeout = '5s';

-- Each store's rows go to audit.row_change first, one per changed row (change ids kept);
-- then the triggers writing to audit.row_change (private.tg_row_audit__record_rows and
-- private.tg_row_audit__record_updates) come back, and the stores go.
do $$
declare
    v_table regclass;
begin
    foreach v_table in array array['app.shop', 'app.shop_member', 'app.shop_legal_hold']::regclass[]
    loop
        perform private.retire_row_change_store(v_table);
        execute pg_catalog.format(
            'create trigger _900_row_audit_insert after insert on %s referencing new table as changed_rows '
            'for each statement execute function private.tg_row_audit__record_rows()', v_table);
        execute pg_catalog.format(
            'create trigger _900_row_audit_update after update on %s referencing old table as old_rows '
            'new table as new_rows for each statement execute function private.tg_row_audit__record_updates()', v_table);
        execute pg_catalog.format(
            'create trigger _900_row_audit_delete after delete on %s referencing old table as changed_rows '
            'for each statement execute function private.tg_row_audit__record_rows()', v_table);
        execute pg_catalog.format(
            'create trigger _900_row_audit_truncate before truncate on %s for each statement '
            'execute function private.tg_row_audit__refuse_truncate()', v_table);
    end loop;
end
$$;

drop view audit.row_changes;
