-- Row-change audit, cheaper: per audited table, one native row per statement and shop.
-- depends: 20261125_37_schedule-sales-rollup-check
--
-- Encoding each changed row (to_jsonb) and indexing one audit row per changed row cost more
-- than the audited write itself (issue 3's benchmark: 2.2x on inserts, 5x on updates).
-- Here each audited table app.t gets its own store, audit.row_change__app__t, partitioned
-- by month like audit.row_change, and each audited statement writes one row per shop it
-- touched: the statement's context (actor, role, txid, request method and path) once, and
-- the changed rows as native arrays of the table's own row type (old_rows, new_rows), a
-- tuple copy with no encoding and no index entry per row. Updates keep only what changed:
-- in new_rows the key and the changed columns, in old_rows the changed columns (and the
-- key when it changed); every other column is null. Reading turns them into the familiar
-- per-row records (the view audit.row_changes, read by api.row_changes).
--
-- The stores use the audited table's row type, so Postgres refuses, with "cannot alter
-- table ... because column ... uses its row type", every ALTER TABLE that would rewrite
-- the table (a column type change, a new column with a default), and DROP TABLE without
-- CASCADE. Adding a nullable column, dropping or renaming one works: the trigger builds
-- its statement from the table's current columns, so a new column's changes are recorded.
-- audit.row_change keeps the rows written before this migration, and stays writable for
-- them; retention, partitions and immutability cover it and every store alike.

create function private.row_change_stores()
    returns setof regclass
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select c.oid::regclass
    from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = 'audit'
        and c.relkind = 'p'
        and c.relname like 'row\_change\_\_%'
    order by c.relname
$$;

comment on function private.row_change_stores() is 'The per-table row-change stores (audit.row_change__<schema>__<table>, partitioned), in name order.';

create function private.row_change_store_name(p_table regclass)
    returns text
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select 'row_change__' || n.nspname || '__' || c.relname
    from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
    where c.oid = row_change_store_name.p_table
$$;

comment on function private.row_change_store_name(regclass) is 'The name (in schema audit) of the row-change store of an audited table: row_change__<schema>__<table>.';

create function private.create_row_change_month(p_parent regclass, p_month date)
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
    v_name text;
begin
    select c.relname || '_' || pg_catalog.to_char(v_start, 'YYYY_MM') into v_name
    from pg_catalog.pg_class as c
    where c.oid = p_parent;
    if pg_catalog.to_regclass('audit.' || v_name) is not null then
        return 'audit.' || v_name;
    end if;
    execute pg_catalog.format(
        'create table audit.%I partition of %s for values from (%L) to (%L)',
        v_name, p_parent, pg_catalog.timezone('UTC', v_start),
        pg_catalog.timezone('UTC', v_start + interval '1 month'));
    execute pg_catalog.format('alter table audit.%I enable row level security', v_name);
    execute pg_catalog.format(
        'create trigger _100_refuse_change before update or delete or truncate on audit.%I '
        'for each statement execute function private.tg_audit__refuse_change()', v_name);
    execute pg_catalog.format('comment on table audit.%I is %L', v_name,
        pg_catalog.format('Row changes of %s (UTC). Read through %s.',
            pg_catalog.to_char(v_start, 'YYYY-MM'), p_parent));
    return 'audit.' || v_name;
end
$$;

comment on function private.create_row_change_month(regclass, date) is 'Creates the partition of audit.row_change or of a row-change store for the UTC month containing the date, named <parent>_YYYY_MM (row-level security and refusal trigger included); returns its name. Does nothing if it exists.';

create or replace function private.create_row_change_partition(p_month date)
    returns text
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    if p_month is null then
        raise exception 'month must not be null' using errcode = '22004', column = 'month';
    end if;
    perform private.create_row_change_month(s.store, p_month)
    from private.row_change_stores() as s (store);
    return private.create_row_change_month('audit.row_change', p_month);
end
$$;

comment on function private.create_row_change_partition(date) is 'Creates the partitions of audit.row_change and of every row-change store for the UTC month containing the date (row-level security and refusal trigger included); returns the name of audit.row_change''s. Does nothing for those that exist.';

create function private.create_row_change_store(p_table regclass)
    returns regclass
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read: "should be STABLE")
declare
    v_name text := private.row_change_store_name(p_table);
    v_store regclass;
begin
    v_store := pg_catalog.to_regclass(pg_catalog.format('audit.%I', v_name));
    if v_store is not null then
        return v_store;
    end if;
    if pg_catalog.length(v_name) > 55 then
        raise exception '% cannot be audited: its store''s name % would be too long', p_table, v_name
            using errcode = '22023', column = 'table';
    end if;
    execute pg_catalog.format($ddl$
        create table audit.%1$I (
            shop_id uuid not null,
            occurred_at timestamptz not null default now(),
            batch_id bigint not null,
            op text not null,
            row_count integer not null,
            txid xid8 not null default pg_current_xact_id(),
            actor uuid,
            actor_role text not null,
            request_method text,
            request_path text,
            old_rows %2$s[],
            new_rows %2$s[],
            constraint %3$I primary key (shop_id, occurred_at, batch_id),
            constraint %4$I check (op in ('INSERT', 'UPDATE', 'DELETE')),
            constraint %5$I check ((op = 'DELETE') = (new_rows is null)),
            constraint %6$I check ((op = 'INSERT') = (old_rows is null))
        ) partition by range (occurred_at)$ddl$,
        v_name, p_table, 'pk_' || v_name, 'check_' || v_name || '_op',
        'check_' || v_name || '_new', 'check_' || v_name || '_old');
    v_store := pg_catalog.format('audit.%I', v_name)::regclass;
    execute pg_catalog.format(
        'alter table %s alter column old_rows set storage external, '
        'alter column new_rows set storage external', v_store);
    execute pg_catalog.format('alter table %s enable row level security', v_store);
    execute pg_catalog.format(
        'create policy "owners and managers can read their shops'' row changes" on %s '
        'for select to authenticated '
        'using (shop_id = any (array(select private.my_shop_ids(''{owner,manager}''))))', v_store);
    execute pg_catalog.format('grant select on %s to authenticated, service_role', v_store);
    execute pg_catalog.format(
        'create trigger _100_refuse_change before update or delete or truncate on %s '
        'for each statement execute function private.tg_audit__refuse_change()', v_store);
    execute pg_catalog.format('comment on table %s is %L', v_store, pg_catalog.format(
        'Changes to %s: one row per audited statement and shop, the rows as native arrays of its row type. Append-only; partitioned by month of occurred_at; owners and managers read their shops'' rows, as records in audit.row_changes.', p_table));
    execute pg_catalog.format('comment on column %s.shop_id is %L', v_store, 'The shop the changed rows belong to.');
    execute pg_catalog.format('comment on column %s.occurred_at is %L', v_store, 'Transaction time of the change; the partition key (monthly, UTC).');
    execute pg_catalog.format('comment on column %s.batch_id is %L', v_store, 'Increasing number of the statement''s record (from audit.row_change''s sequence); change_id of its i-th row = batch_id * 2^24 + i - 1.');
    execute pg_catalog.format('comment on column %s.op is %L', v_store, 'INSERT, UPDATE or DELETE.');
    execute pg_catalog.format('comment on column %s.row_count is %L', v_store, 'How many rows of the shop the statement changed (the arrays'' length).');
    execute pg_catalog.format('comment on column %s.txid is %L', v_store, 'The changing transaction (pg_current_xact_id()).');
    execute pg_catalog.format('comment on column %s.actor is %L', v_store, 'The JWT''s sub (auth user id); null without a signed-in user.');
    execute pg_catalog.format('comment on column %s.actor_role is %L', v_store, 'The JWT''s role claim; without claims, the database role that ran the statement.');
    execute pg_catalog.format('comment on column %s.request_method is %L', v_store, 'The HTTP method of the PostgREST request; null outside a request.');
    execute pg_catalog.format('comment on column %s.request_path is %L', v_store, 'The path of the PostgREST request; null outside a request.');
    execute pg_catalog.format('comment on column %s.old_rows is %L', v_store, 'DELETE: the old rows whole. UPDATE: the old values of the changed columns (the key only when it changed), other columns null.');
    execute pg_catalog.format('comment on column %s.new_rows is %L', v_store, 'INSERT: the new rows whole. UPDATE: the key and the new values of the changed columns, other columns null; paired with old_rows by position.');
    perform private.create_row_change_month(v_store,
        pg_catalog.timezone('UTC', p.lower_bound)::date)
    from (
        select (pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                    'FROM \(''([^'']+)''\)'))[1]::timestamptz as lower_bound
        from pg_catalog.pg_inherits as i
            join pg_catalog.pg_class as c on c.oid = i.inhrelid
        where i.inhparent = 'audit.row_change'::regclass
    ) as p;
    return v_store;
end
$$;

comment on function private.create_row_change_store(regclass) is 'Creates the row-change store of a table (audit.row_change__<schema>__<table>, with the partitions audit.row_change has, row-level security, its policy and the refusal trigger); returns it. Does nothing if it exists.';

create function private.row_audit_distinct(p_type regtype)
    returns boolean
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    -- IS DISTINCT FROM needs an equality operator (json, xml, point have none): a type has
    -- one when it, its base type (domains) or its element type (arrays) has a default
    -- btree operator class, or it is an enum
    select exists (
        select
        from pg_catalog.pg_type as t
            left join pg_catalog.pg_type as e on e.oid = t.typelem and t.typcategory = 'A'
        where t.oid = row_audit_distinct.p_type
            and (
                t.typtype = 'e'
                or exists (
                    select
                    from pg_catalog.pg_opclass as oc
                        join pg_catalog.pg_am as am on am.oid = oc.opcmethod
                    where am.amname = 'btree'
                        and oc.opcdefault
                        and oc.opcintype in (t.oid, nullif(t.typbasetype, 0::oid),
                                             e.oid, nullif(e.typbasetype, 0::oid))
                )
                or e.typtype = 'e'
            )
    )
$$;

comment on function private.row_audit_distinct(regtype) is 'True when values of the type can be compared with IS DISTINCT FROM; the update trigger compares other types (json, xml, geometric) as text.';

create function private.tg_row_audit__store_rows()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (the statement names the table's own row type, so it is built here: EXECUTE)
begin
    execute pg_catalog.format(
        'insert into %s (shop_id, batch_id, op, row_count, actor, actor_role, '
        'request_method, request_path, %s) '
        'select r.shop_id, pg_catalog.nextval(''audit.row_change_change_id_seq''), $1, '
        'pg_catalog.count(*), c.actor, c.actor_role, c.request_method, c.request_path, '
        'pg_catalog.array_agg(r::%s) '
        'from changed_rows as r cross join private.audit_context($2) as c '
        'group by r.shop_id, c.actor, c.actor_role, c.request_method, c.request_path',
        tg_argv[0], case tg_op when 'INSERT' then 'new_rows' else 'old_rows' end,
        tg_relid::regclass)
    using tg_op, tg_relid;
    return null;
end
$$;

comment on function private.tg_row_audit__store_rows() is 'Trigger (after insert or delete, for each statement, transition table changed_rows; argument: the store''s name in audit): records the statement in the table''s store, one row per shop, its rows whole in new_rows (insert) or old_rows (delete).';

create function private.tg_row_audit__store_updates()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false, security_warnings = false
-- (the statement names the table's columns as they are now, so it is built here: EXECUTE;
-- its pieces are column names quoted with %I when they are made)
declare
    v_old text;
    v_new text;
    v_changed text;
begin
    -- Per column, in the table's order: the old value when it changed; the new value of
    -- key columns always (it names the row), of the others when it changed.
    select
        pg_catalog.string_agg(pg_catalog.format('case when %s then o.%I end', a.differs, a.name),
            ', ' order by a.attnum),
        pg_catalog.string_agg(case when a.is_key then pg_catalog.format('n.%I', a.name)
            else pg_catalog.format('case when %s then n.%I end', a.differs, a.name) end, ', ' order by a.attnum),
        pg_catalog.string_agg(a.differs, ' or ' order by a.attnum)
    into v_old, v_new, v_changed
    from (
        select
            t.attnum,
            t.attname::text as name,
            exists (
                select
                from pg_catalog.pg_index as i
                where i.indrelid = tg_relid
                    and i.indisprimary
                    and t.attnum = any (i.indkey)
            ) as is_key,
            case when private.row_audit_distinct(t.atttypid::regtype)
                then pg_catalog.format('o.%1$I is distinct from n.%1$I', t.attname)
                else pg_catalog.format('o.%1$I::text is distinct from n.%1$I::text', t.attname)
            end as differs
        from pg_catalog.pg_attribute as t
        where t.attrelid = tg_relid
            and t.attnum > 0
            and not t.attisdropped
    ) as a;
    execute pg_catalog.format(
        'insert into %1$s (shop_id, batch_id, op, row_count, actor, actor_role, '
        'request_method, request_path, old_rows, new_rows) '
        'select d.shop_id, pg_catalog.nextval(''audit.row_change_change_id_seq''), ''UPDATE'', '
        'pg_catalog.count(*), c.actor, c.actor_role, c.request_method, c.request_path, '
        'pg_catalog.array_agg(d.old_row), pg_catalog.array_agg(d.new_row) '
        'from ('
        '    select n.shop_id, row(%3$s)::%2$s as old_row, row(%4$s)::%2$s as new_row, '
        '        %5$s as changed '
        '    from (select pg_catalog.row_number() over () as pos, r.* from old_rows as r) as o '
        '        join (select pg_catalog.row_number() over () as pos, r.* from new_rows as r) as n '
        '            on n.pos = o.pos '
        ') as d '
        '    cross join private.audit_context($1) as c '
        'where d.changed '
        'group by d.shop_id, c.actor, c.actor_role, c.request_method, c.request_path',
        tg_argv[0], tg_relid::regclass, v_old, v_new, v_changed)
    using tg_relid;
    return null;
end
$$;

comment on function private.tg_row_audit__store_updates() is 'Trigger (after update, for each statement, transition tables old_rows and new_rows, paired by position; argument: the store''s name in audit): records the statement in the table''s store, one row per shop, with only the changed columns of each changed row (and its key); updates that change nothing are left out.';

create function private.row_change_values(p_op text, p_old jsonb, p_new jsonb, p_key text[])
    returns table (record_key jsonb, old_values jsonb, new_values jsonb)
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    -- A stored update row holds, besides the key, only the changed columns (others null):
    -- a column changed when its old value is not null, or, outside the key, its new one.
    select
        (
            select pg_catalog.jsonb_object_agg(k.name, coalesce(p_new, p_old) -> k.name)
            from pg_catalog.unnest(p_key) as k (name)
        ),
        case p_op
            when 'DELETE' then p_old
            when 'UPDATE' then (
                select pg_catalog.jsonb_object_agg(e.key, e.value)
                from pg_catalog.jsonb_each(p_old) as e
                where e.value <> 'null'::jsonb
                    or (not e.key = any (p_key) and p_new -> e.key <> 'null'::jsonb)
            )
        end,
        case p_op
            when 'INSERT' then p_new
            when 'UPDATE' then (
                select pg_catalog.jsonb_object_agg(e.key, e.value)
                from pg_catalog.jsonb_each(p_new) as e
                where p_old -> e.key <> 'null'::jsonb
                    or (not e.key = any (p_key) and e.value <> 'null'::jsonb)
            )
        end
$$;

comment on function private.row_change_values(text, jsonb, jsonb, text[]) is 'One stored row change as audit.row_change holds it: the key (from the new row, or the old one for a delete), old_values (delete: the old row; update: the changed columns'' old values) and new_values (insert: the new row; update: the changed columns'' new values).';

grant execute on function private.row_change_values(text, jsonb, jsonb, text[]) to authenticated, service_role;

create function private.row_change_store_query(p_store regclass)
    returns text
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    -- The store's rows as audit.row_change's columns, one per changed row: arrays zipped
    -- by position (ROWS FROM), the i-th numbered batch_id * 2^24 + i - 1.
    select pg_catalog.format($q$select
    s.shop_id,
    s.batch_id * 16777216 + u.i - 1 as change_id,
    s.occurred_at,
    %2$L::text as table_name,
    s.op,
    v.record_key,
    v.old_values,
    v.new_values,
    s.actor,
    s.actor_role,
    s.txid,
    s.request_method,
    s.request_path
from %1$s as s
    cross join lateral rows from (
        pg_catalog.jsonb_array_elements(pg_catalog.to_jsonb(s.old_rows)),
        pg_catalog.jsonb_array_elements(pg_catalog.to_jsonb(s.new_rows))
    ) with ordinality as u (o, n, i)
    cross join lateral private.row_change_values(s.op, u.o, u.n, %3$L::text[]) as v$q$,
        p_store, t.audited::text, array(
            select a.attname::text
            from pg_catalog.pg_index as i
                cross join pg_catalog.unnest(i.indkey) with ordinality as k (attnum, n)
                join pg_catalog.pg_attribute as a on a.attrelid = i.indrelid and a.attnum = k.attnum
            where i.indrelid = t.audited
                and i.indisprimary
            order by k.n
        ))
    from (
        select e.typrelid::regclass as audited
        from pg_catalog.pg_attribute as a
            join pg_catalog.pg_type as r on r.oid = a.atttypid
            join pg_catalog.pg_type as e on e.oid = r.typelem
        where a.attrelid = p_store
            and a.attname = 'new_rows'
    ) as t
$$;

comment on function private.row_change_store_query(regclass) is 'A query presenting a row-change store''s rows as audit.row_change''s columns, one record per changed row (what audit.row_changes unions).';

create function private.refresh_row_changes_view()
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read: "should be STABLE")
begin
    execute 'create or replace view audit.row_changes with (security_invoker = true) as '
        'select c.shop_id, c.change_id, c.occurred_at, c.table_name, c.op, c.record_key, '
        'c.old_values, c.new_values, c.actor, c.actor_role, c.txid, c.request_method, '
        'c.request_path from audit.row_change as c'
        || coalesce((
            select pg_catalog.string_agg(e' union all\n' || private.row_change_store_query(s.store), '' order by s.store::text)
            from private.row_change_stores() as s (store)
        ), '');
    comment on view audit.row_changes is 'Every recorded row change, one record per changed row: audit.row_change''s rows and those of every row-change store (audit.row_change__<schema>__<table>). Row-level security of the tables applies (security_invoker): owners and managers read their shops''.';
    comment on column audit.row_changes.shop_id is 'The shop the changed row belongs to.';
    comment on column audit.row_changes.change_id is 'Increasing number of the change: orders the changes of one transaction.';
    comment on column audit.row_changes.occurred_at is 'Transaction time of the change.';
    comment on column audit.row_changes.table_name is 'The audited table, schema-qualified.';
    comment on column audit.row_changes.op is 'INSERT, UPDATE, DELETE or TRUNCATE.';
    comment on column audit.row_changes.record_key is 'The row''s primary key as a JSON object (after an update, the new key).';
    comment on column audit.row_changes.old_values is 'DELETE: the whole old row. UPDATE: the old values of the changed keys only.';
    comment on column audit.row_changes.new_values is 'INSERT: the whole new row. UPDATE: the new values of the changed keys only.';
    comment on column audit.row_changes.actor is 'The JWT''s sub (auth user id); null without a signed-in user.';
    comment on column audit.row_changes.actor_role is 'The JWT''s role claim; without claims, the database role.';
    comment on column audit.row_changes.txid is 'The changing transaction.';
    comment on column audit.row_changes.request_method is 'The HTTP method of the PostgREST request; null outside a request.';
    comment on column audit.row_changes.request_path is 'The path of the PostgREST request; null outside a request.';
    grant select on audit.row_changes to authenticated, service_role;
end
$$;

comment on function private.refresh_row_changes_view() is 'Recreates audit.row_changes over audit.row_change and every row-change store (private.enable_row_audit calls it when it creates a store).';

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
    v_store regclass;
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
    v_store := pg_catalog.to_regclass(pg_catalog.format('audit.%I', private.row_change_store_name(p_table)));
    if v_store is null then
        v_store := private.create_row_change_store(p_table);
        perform private.refresh_row_changes_view();
        v_created := true;
    end if;
    -- the earlier design's triggers (private.tg_row_audit__record_*) give way to the store's
    for v_name in
        select g.tgname::text
        from pg_catalog.pg_trigger as g
        where g.tgrelid = p_table
            and g.tgname in ('_900_row_audit_insert', '_900_row_audit_update', '_900_row_audit_delete')
            and g.tgfoid not in ('private.tg_row_audit__store_rows()'::regprocedure,
                                 'private.tg_row_audit__store_updates()'::regprocedure)
    loop
        execute pg_catalog.format('drop trigger %I on %s', v_name, p_table);
    end loop;
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
                'for each statement execute function private.tg_row_audit__store_rows(%L)',
                v_name, p_table, v_store::text)
            when '_900_row_audit_update' then pg_catalog.format(
                'create trigger %I after update on %s referencing old table as old_rows '
                'new table as new_rows for each statement '
                'execute function private.tg_row_audit__store_updates(%L)',
                v_name, p_table, v_store::text)
            when '_900_row_audit_delete' then pg_catalog.format(
                'create trigger %I after delete on %s referencing old table as changed_rows '
                'for each statement execute function private.tg_row_audit__store_rows(%L)',
                v_name, p_table, v_store::text)
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

comment on function private.enable_row_audit(regclass) is 'Starts recording every change to a table in its row-change store, audit.row_change__<schema>__<table>, read through audit.row_changes (the table needs a primary key and a shop_id uuid column). Idempotent: returns false when the table was audited this way already.';

create function private.retire_row_change_store(p_table regclass)
    returns bigint
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read: "should be STABLE")
declare
    v_store regclass := pg_catalog.to_regclass(
        pg_catalog.format('audit.%I', private.row_change_store_name(p_table)));
    v_moved bigint;
begin
    if v_store is null then
        raise exception '% has no row-change store to retire', p_table
            using errcode = '22023', column = 'table',
                hint = 'private.enable_row_audit creates one; a table without it can be altered freely.';
    end if;
    -- every recorded change moves, with its change id and time, to audit.row_change
    execute 'insert into audit.row_change (shop_id, occurred_at, change_id, txid, table_name, '
        'op, record_key, old_values, new_values, actor, actor_role, request_method, request_path) '
        'select r.shop_id, r.occurred_at, r.change_id, r.txid, r.table_name, r.op, r.record_key, '
        'r.old_values, r.new_values, r.actor, r.actor_role, r.request_method, r.request_path '
        'from (' || private.row_change_store_query(v_store) || ') as r order by r.change_id';
    get diagnostics v_moved = row_count;
    perform private.disable_row_audit(p_table);
    drop view audit.row_changes;
    execute pg_catalog.format('drop table %s', v_store);
    perform private.refresh_row_changes_view();
    return v_moved;
end
$$;

comment on function private.retire_row_change_store(regclass) is 'Before a change Postgres refuses while a store holds a table''s row type (a column type change, a new column with a default, DROP TABLE): moves every change in the table''s store to audit.row_change (as JSON, ids and times kept), stops auditing the table and drops the store; returns how many changes moved. Run private.enable_row_audit again after the change.';

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
                or i.inhparent in (select s.store from private.row_change_stores() as s (store))
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

comment on function private.apply_audit_retention() is 'Job step: records due expiries, then removes what is older than 180 days: whole monthly partitions of audit.row_change and of every row-change store (keeping held shops'' rows), and decisions with their suggestions, except for shops under legal hold. Returns what it did.';
