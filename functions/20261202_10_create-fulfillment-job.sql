-- Fulfillment Flow's hourly job: the check of the kept state against a rebuild, and chase_carrier suggestions for delayed parcels.
-- depends: 20261202_09_create-fulfillment-flow-tile
--
-- private.fulfillment_state_drift counts the rows of a shop's kept state that differ from
-- their definitions (0: the change feed kept it exactly). private.file_chase_carrier_suggestions
-- files one chase_carrier suggestion (subject the order; the parcel, its carrier, tracking
-- link, reason and promise in the payload; the tile's parcel as evidence) per delayed parcel
-- without an open one, and withdraws the open ones whose parcel is delivered or no longer
-- delayed. private.run_fulfillment_flow runs both for every shop with fulfillments, and
-- rebuilds a shop whose state drifted (with a warning).

create function private.fulfillment_state_drift(p_shop_id uuid)
    returns integer
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    with line_keys as (
        select pg_catalog.array_agg(o.order_id) as ids
        from app.shopify_order as o
        where o.shop_id = p_shop_id
    ),
    parcel_keys as (
        select pg_catalog.array_agg(f.fulfillment_id) as ids
        from app.shopify_fulfillment as f
        where f.shop_id = p_shop_id
    ),
    lines as (
        (select * from app.fulfillment_line as l where l.shop_id = p_shop_id
         except all
         select * from private.fulfillment_line_rows(p_shop_id, (select k.ids from line_keys as k)))
        union all
        (select * from private.fulfillment_line_rows(p_shop_id, (select k.ids from line_keys as k))
         except all
         select * from app.fulfillment_line as l where l.shop_id = p_shop_id)
    ),
    parcels as (
        (select * from app.fulfillment_shipment as s where s.shop_id = p_shop_id
         except all
         select * from private.fulfillment_shipment_rows(p_shop_id,
                                                        (select k.ids from parcel_keys as k)))
        union all
        (select * from private.fulfillment_shipment_rows(p_shop_id,
                                                         (select k.ids from parcel_keys as k))
         except all
         select * from app.fulfillment_shipment as s where s.shop_id = p_shop_id)
    )
    select ((select pg_catalog.count(*) from lines) + (select pg_catalog.count(*) from parcels))::integer
$$;

comment on function private.fulfillment_state_drift(uuid) is 'How many rows of a shop''s kept Fulfillment Flow state (app.fulfillment_line, app.fulfillment_shipment) differ from their definitions, counted both ways (0: the incremental path is exact).';

create function private.file_chase_carrier_suggestions(p_shop_id uuid, p_as_of timestamptz)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_filed bigint;
    v_withdrawn bigint;
begin
    -- one filer of a shop at a time: the check for an open suggestion and the insert agree
    perform pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended(p_shop_id::text || '/chase_carrier_suggestions', 0));
    with delayed as materialized (
        select * from private.fulfillment_delayed_parcels(p_shop_id, p_as_of)
    ),
    open as (
        select s.suggestion_id, (s.payload ->> 'fulfillment_id')::bigint as fulfillment_id
        from audit.suggestion as s
        where s.shop_id = p_shop_id
            and s.kind = 'chase_carrier'
            and s.subject_type = 'order'
            and s.expires_at > p_as_of
            and not exists (
                select
                from audit.decision as d
                where d.shop_id = s.shop_id
                    and d.suggestion_id = s.suggestion_id)
    ),
    withdrawn as (
        insert into audit.decision (shop_id, suggestion_id, outcome, decided_by, decided_role,
            decided_at, note)
        select p_shop_id, o.suggestion_id, 'expired', null, 'system', p_as_of,
            'withdrawn: the parcel is delivered or no longer delayed'
        from open as o
        where not exists (
            select
            from delayed as d
            where d.fulfillment_id = o.fulfillment_id)
        returning 1
    ),
    filed as (
        insert into audit.suggestion (shop_id, kind, subject_type, subject_id, payload, source,
            model_version, score, evidence, suggested_by, suggested_role, suggested_at,
            expires_at)
        select p_shop_id, 'chase_carrier', 'order', d.order_id::text,
            pg_catalog.jsonb_build_object(
                'fulfillment_id', d.fulfillment_id, 'order_id', d.order_id,
                'order_name', d.order_name, 'carrier_key', d.carrier_key,
                'tracking_company', d.tracking_company, 'tracking_number', d.tracking_number,
                'tracking_url', d.tracking_url, 'reason', d.reason,
                'promise_day', d.promise_day, 'hours_late', d.hours_late,
                'latest_status', d.latest_status, 'last_event_at', d.last_event_at,
                'shipped_at', d.shipped_at),
            'fulfillment_flow', 'fulfillment-flow-1',
            case d.reason when 'carrier_exception' then 0.9
                          when 'in_transit_past_promise' then 0.7 else 0.5 end,
            pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                'tile', 'fulfillment_flow', 'id', d.fulfillment_id)),
            null, 'service_role', p_as_of, p_as_of + interval '7 days'
        from delayed as d
        where not exists (
            select
            from open as o
            where o.fulfillment_id = d.fulfillment_id)
        returning 1
    )
    select (select pg_catalog.count(*) from filed), (select pg_catalog.count(*) from withdrawn)
    into v_filed, v_withdrawn;
    return pg_catalog.jsonb_build_object('filed', v_filed, 'withdrawn', v_withdrawn);
end
$$;

comment on function private.file_chase_carrier_suggestions(uuid, timestamptz) is 'Files one chase_carrier suggestion (source fulfillment_flow, as the analytics engine; subject the order) per delayed parcel as of a moment, with its carrier, tracking link, reason and promise and the tile''s parcel as evidence, unless one is open for that parcel; withdraws the open ones whose parcel is delivered or no longer delayed (recorded expired by the system, with a note). Returns {"filed", "withdrawn"}.';

create function private.run_fulfillment_flow()
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_shop uuid;
    v_drift integer;
    v_result jsonb := '{}'::jsonb;
begin
    for v_shop in
        select s.shop_id
        from app.shop as s
        where exists (
            select
            from app.shopify_fulfillment as f
            where f.shop_id = s.shop_id)
        order by s.shop_id
    loop
        v_drift := private.fulfillment_state_drift(v_shop);
        if v_drift > 0 then
            raise warning 'Fulfillment Flow state of shop % had drifted from its definitions in % rows; rebuilt',
                v_shop, v_drift;
            perform private.rebuild_fulfillment_state(v_shop);
        end if;
        v_result := v_result || pg_catalog.jsonb_build_object(v_shop::text,
            private.file_chase_carrier_suggestions(v_shop, pg_catalog.now())
                || pg_catalog.jsonb_build_object('drift', v_drift));
    end loop;
    return v_result;
end
$$;

comment on function private.run_fulfillment_flow() is 'Job: for every shop with fulfillments, checks the kept Fulfillment Flow state against its definitions (rebuilding it, with a warning, when it drifted) and files and withdraws chase_carrier suggestions. Returns per shop {"filed", "withdrawn", "drift"}.';

grant execute on function private.fulfillment_state_drift(uuid) to service_role;

grant execute on function private.file_chase_carrier_suggestions(uuid, timestamptz) to service_role;

grant execute on function private.run_fulfillment_flow() to service_role;
