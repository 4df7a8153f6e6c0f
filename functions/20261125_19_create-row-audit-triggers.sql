-- Row-change audit triggers: statement-level, over transition tables, attached by private.enable_row_audit.
-- depends: 20261125_18_create-current-row-change-partitions
--
-- One INSERT ... SELECT per audited statement, whatever its row count (supa_audit fires a
-- trigger per row). Postgres allows transition tables only on single-event triggers, so
-- an audited table gets three: after insert (new table as changed_rows), after delete
-- (old table as changed_rows; the same function serves both) and after update (old_rows
-- and new_rows, paired by position: Postgres fills both in step, one pair per updated
-- row, even when the primary key changes). An update that changes nothing is not
-- recorded. TRUNCATE of an audited table is refused: it would remove rows unrecorded.
-- The trigger functions are security definer, because no API role may write the audit.

create function private.audit_context(p_table regclass)
    returns table (
        table_name text,
        non_key_columns text[],
        actor uuid,
        actor_role text,
        request_method text,
        request_path text
    )
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select
        pg_catalog.format('%I.%I', n.nspname, c.relname),
        array(
            select a.attname::text
            from pg_catalog.pg_attribute as a
            where a.attrelid = c.oid
                and a.attnum > 0
                and not a.attisdropped
                and not exists (
                    select
                    from pg_catalog.pg_index as i
                    where i.indrelid = c.oid
                        and i.indisprimary
                        and a.attnum = any (i.indkey)
                )
        ),
        case
            when r.claims ->> 'sub' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then (r.claims ->> 'sub')::uuid
        end,
        coalesce(
            nullif(r.claims ->> 'role', ''),
            nullif(pg_catalog.current_setting('role'), 'none'),
            session_user::text
        ),
        nullif(pg_catalog.current_setting('request.method', true), ''),
        nullif(pg_catalog.current_setting('request.path', true), '')
    from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
        cross join (
            select nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb as claims
        ) as r
    where c.oid = audit_context.p_table
$$;

comment on function private.audit_context(regclass) is 'What an audit row needs once per statement: the table''s qualified name and non-key columns, the actor (JWT sub) and role (JWT role claim, else the database role), and PostgREST''s request.method and request.path.';

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

create function private.tg_row_audit__refuse_truncate()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    raise exception 'TRUNCATE on %.% is refused: the table is audited, and a truncate would remove its rows unrecorded',
        tg_table_schema, tg_table_name
        using errcode = '42501',
            hint = 'Delete the rows instead; each deletion is then recorded in audit.row_change.';
end
$$;

comment on function private.tg_row_audit__refuse_truncate() is 'Trigger (before truncate): refuses TRUNCATE of an audited table with 42501, so no row leaves it unrecorded.';

create function private.enable_row_audit(p_table regclass)
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

create function private.disable_row_audit(p_table regclass)
    returns boolean
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read: "should be STABLE")
declare
    v_name text;
    v_dropped boolean := false;
begin
    for v_name in
        select g.tgname::text
        from pg_catalog.pg_trigger as g
        where g.tgrelid = p_table
            and g.tgname in ('_900_row_audit_insert', '_900_row_audit_update',
                             '_900_row_audit_delete', '_900_row_audit_truncate')
    loop
        execute pg_catalog.format('drop trigger %I on %s', v_name, p_table);
        v_dropped := true;
    end loop;
    return v_dropped;
end
$$;

comment on function private.disable_row_audit(regclass) is 'Stops recording changes to a table (drops the triggers private.enable_row_audit created); false when it was not audited. For rollbacks: the recorded rows stay.';
