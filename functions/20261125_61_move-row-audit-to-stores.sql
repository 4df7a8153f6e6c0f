-- Record shops, members and legal holds in their row-change stores; read all through audit.row_changes.
-- depends: 20261125_60_create-row-change-stores
-- folder-content: mixed, because each step needs the one before it
--
-- In this order: create the view audit.row_changes, move the three tables' audit to their
-- stores, point api.row_changes at the view, drop the old design's trigger functions (only
-- possible once no trigger uses them). Calls and function changes alternate, and a later
-- migrations/ or functions/ file to hold either part would need new migration ids.
--
-- private.enable_row_audit, as now defined, creates each table's store and swaps the
-- triggers that wrote to audit.row_change (private.tg_row_audit__record_rows and
-- private.tg_row_audit__record_updates) for the store's. Rows recorded so far stay in
-- audit.row_change; api.row_changes now reads audit.row_changes, which holds them and
-- the stores' rows in the same shape. Rolling back writes the stores' rows into
-- audit.row_change, one per changed row, before the stores go, so no change is lost.

-- Fail fast rather than queue every query on the table behind this migration.
set local lock_timeout = '5s';

select private.refresh_row_changes_view();

select private.enable_row_audit('app.shop');

select private.enable_row_audit('app.shop_member');

select private.enable_row_audit('app.shop_legal_hold');

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
    from audit.row_changes as c
    where c.shop_id = row_changes.shop_id
        and (row_changes.table_name is null or c.table_name = row_changes.table_name)
        and (row_changes.record_key is null or c.record_key @> row_changes.record_key)
        and (row_changes.since is null or c.occurred_at >= row_changes.since)
        and (row_changes.until is null or c.occurred_at < row_changes.until)
        and private.check_period(row_changes.since, row_changes.until)
    order by c.occurred_at desc, c.change_id desc
$$;

comment on function api.row_changes(uuid, text, jsonb, timestamptz, timestamptz) is 'The shop''s recorded row changes, newest first, optionally of one table (e.g. app.shop_member), of rows whose key contains record_key (e.g. {"user_id": "..."}), and in [since, until) of occurred_at. Owners and managers only (others get no rows).';

-- The per-row trigger functions the stores replace, unused now: private, never a client's.
-- squawk-ignore ban-drop-function
drop function private.tg_row_audit__record_updates();

-- squawk-ignore ban-drop-function
drop function private.tg_row_audit__record_rows();
