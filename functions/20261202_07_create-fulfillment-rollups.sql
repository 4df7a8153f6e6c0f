-- Fulfillment Flow's kept state from the change feed: order lines' handling clocks and parcels' promises, by one definition each.
-- depends: 20261202_06_create-fulfillment-state
--
-- private.fulfillment_line_rows and private.fulfillment_shipment_rows are the one
-- definition of each row of app.fulfillment_line and app.fulfillment_shipment (README,
-- "Fulfillment Flow numbers"); private.refresh_fulfillment_lines and
-- private.refresh_fulfillment_shipments write them for some keys, and
-- private.rebuild_fulfillment_state for a whole shop. Subscribers of shopify_order (an order,
-- its refunds, a deletion, a time zone change) and of shopify_fulfillment (a fulfillment or
-- its events) refresh the lines and parcels the change reaches. A change to the shop's
-- calendar, carrier aliases or service promises rebuilds the shop (row triggers).

create function private.fulfillment_line_rows(p_shop_id uuid, p_order_ids bigint[])
    returns setof app.fulfillment_line
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    with calendar as (
        select c.* from private.shop_calendar(p_shop_id) as c
    ),
    lines as (
        select o.order_id, l.line_item_id, coalesce(o.processed_at, o.created_at) as ordered_at,
            l.quantity - coalesce((
                select pg_catalog.sum(r.quantity)::integer
                from app.shopify_refund_line as r
                where r.shop_id = p_shop_id
                    and r.order_id = o.order_id
                    and r.line_item_id = l.line_item_id
                    and r.restock_type = 'cancel'), 0) as units
        from pg_catalog.unnest(p_order_ids) as k (order_id)
            join app.shopify_order as o
                on o.shop_id = p_shop_id
                and o.order_id = k.order_id
            join app.shopify_order_line as l
                on l.shop_id = o.shop_id
                and l.order_id = o.order_id
        where o.cancelled_at is null
            and not o.is_test
            and coalesce(l.requires_shipping, true)
            and not l.is_gift_card
    ),
    parcels as (
        -- each shipped parcel's units of a line, with the running total in ship order
        select f.order_id, p.line_item_id, f.created_at,
            pg_catalog.sum(p.quantity) over (
                partition by f.order_id, p.line_item_id
                order by f.created_at, f.fulfillment_id) as running
        from pg_catalog.unnest(p_order_ids) as k (order_id)
            join app.shopify_fulfillment as f
                on f.shop_id = p_shop_id
                and f.order_id = k.order_id
            join app.shopify_fulfillment_line as p
                on p.shop_id = f.shop_id
                and p.fulfillment_id = f.fulfillment_id
        where coalesce(f.status, 'success') = 'success'
            and f.created_at is not null
    )
    select p_shop_id, x.order_id, x.line_item_id, x.units,
        coalesce(s.shipped_units, 0), x.ordered_at, x.start_day,
        private.business_day_add(x.start_day, c.handling_days, c.weekdays, c.holidays),
        s.shipped_at, (s.shipped_at at time zone c.iana_timezone)::date,
        case when s.shipped_at is not null then pg_catalog.round(
            private.business_hours_between(x.ordered_at, s.shipped_at, c.iana_timezone,
                                           c.opens, c.closes, c.weekdays, c.holidays), 4) end,
        case when s.shipped_at is not null then
            (s.shipped_at at time zone c.iana_timezone)::date
                <= private.business_day_add(x.start_day, c.handling_days, c.weekdays, c.holidays)
        end
    from (
        select l.*, private.handling_start_day(l.ordered_at, c.iana_timezone, c.cutoff,
                                               c.weekdays, c.holidays) as start_day
        from lines as l, calendar as c
        where l.units > 0
    ) as x
        cross join calendar as c
        left join lateral (
            select pg_catalog.max(p.running)::integer as shipped_units,
                pg_catalog.min(p.created_at) filter (where p.running >= x.units) as shipped_at
            from parcels as p
            where p.order_id = x.order_id
                and p.line_item_id = x.line_item_id
        ) as s on true
$$;

comment on function private.fulfillment_line_rows(uuid, bigint[]) is 'The one definition of app.fulfillment_line for some orders: their lines to ship, with units, units shipped, handling clock, when the last unit shipped, business hours to ship and on time.';

create function private.fulfillment_shipment_rows(p_shop_id uuid, p_fulfillment_ids bigint[])
    returns setof app.fulfillment_shipment
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select p_shop_id, f.fulfillment_id, f.order_id, o.name,
        coalesce(o.processed_at, o.created_at), f.location_id, k.carrier_key,
        f.tracking_company, f.tracking_number, f.tracking_url, pg_catalog.lower(o.shipping_title),
        f.created_at, (f.created_at at time zone c.iana_timezone)::date,
        coalesce((select pg_catalog.sum(p.quantity)::integer
                  from app.shopify_fulfillment_line as p
                  where p.shop_id = p_shop_id
                      and p.fulfillment_id = f.fulfillment_id), 0),
        e.first_eta,
        case
            when e.first_eta is not null then (e.first_eta at time zone c.iana_timezone)::date
            when sla.business_days is not null then private.business_day_add(
                (f.created_at at time zone c.iana_timezone)::date, sla.business_days,
                c.weekdays, c.holidays)
        end as promise_day,
        case
            when e.first_eta is not null then 'carrier_estimate'
            when sla.business_days is not null then 'service_promise'
        end,
        e.delivered_at, (e.delivered_at at time zone c.iana_timezone)::date,
        (e.delivered_at at time zone c.iana_timezone)::date <= case
            when e.first_eta is not null then (e.first_eta at time zone c.iana_timezone)::date
            when sla.business_days is not null then private.business_day_add(
                (f.created_at at time zone c.iana_timezone)::date, sla.business_days,
                c.weekdays, c.holidays)
        end,
        e.latest_status, e.latest_status_at, e.latest_status_at,
        coalesce(e.has_failure, false), coalesce(e.has_exception, false)
    from pg_catalog.unnest(p_fulfillment_ids) as i (fulfillment_id)
        join app.shopify_fulfillment as f
            on f.shop_id = p_shop_id
            and f.fulfillment_id = i.fulfillment_id
        cross join private.shop_calendar(p_shop_id) as c
        left join app.shopify_order as o
            on o.shop_id = p_shop_id
            and o.order_id = f.order_id
        cross join lateral (
            select private.carrier_key(p_shop_id, f.tracking_company) as carrier_key
        ) as k
        left join lateral (
            select
                (pg_catalog.array_agg(v.estimated_delivery_at order by v.happened_at, v.event_id)
                    filter (where v.estimated_delivery_at is not null))[1] as first_eta,
                pg_catalog.min(v.happened_at) filter (where v.status = 'delivered') as delivered_at,
                (pg_catalog.array_agg(v.status order by v.happened_at desc, v.event_id desc))[1]
                    as latest_status,
                pg_catalog.max(v.happened_at) as latest_status_at,
                pg_catalog.bool_or(v.status = 'failure') as has_failure,
                pg_catalog.bool_or(v.status in ('attempted_delivery', 'delayed', 'failure'))
                    as has_exception
            from app.shopify_fulfillment_event as v
            where v.shop_id = p_shop_id
                and v.fulfillment_id = f.fulfillment_id
                and v.deleted_at is null
        ) as e on true
        left join lateral (
            -- the shop's promise of the service, else the default one, else the carrier's
            select s.business_days
            from (
                select a.business_days, a.service, 1 as rank
                from app.carrier_service_sla as a
                where a.shop_id = p_shop_id
                    and a.carrier_key = k.carrier_key
                union all
                select d.business_days, d.service, 2
                from private.carrier_service_sla_default as d
                where d.carrier_key = k.carrier_key
            ) as s
            where s.service in (coalesce(pg_catalog.lower(o.shipping_title), ''), '')
            order by s.service = '', s.rank
            limit 1
        ) as sla on true
    where coalesce(f.status, 'success') = 'success'
        and f.created_at is not null
        and not coalesce(o.is_test, false)
$$;

comment on function private.fulfillment_shipment_rows(uuid, bigint[]) is 'The one definition of app.fulfillment_shipment for some fulfillments: each shipped parcel''s carrier, service, frozen promise, delivery, latest status and exceptions.';

create function private.refresh_fulfillment_lines(p_shop_id uuid, p_order_ids bigint[])
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_rows integer;
begin
    delete from app.fulfillment_line as l
    where l.shop_id = p_shop_id
        and l.order_id = any (p_order_ids);
    insert into app.fulfillment_line
    select * from private.fulfillment_line_rows(p_shop_id, p_order_ids);
    get diagnostics v_rows = row_count;
    return v_rows;
end
$$;

comment on function private.refresh_fulfillment_lines(uuid, bigint[]) is 'Writes app.fulfillment_line for some orders again from its definition; returns the rows written.';

create function private.refresh_fulfillment_shipments(p_shop_id uuid, p_fulfillment_ids bigint[])
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_rows integer;
begin
    delete from app.fulfillment_shipment as s
    where s.shop_id = p_shop_id
        and s.fulfillment_id = any (p_fulfillment_ids);
    insert into app.fulfillment_shipment
    select * from private.fulfillment_shipment_rows(p_shop_id, p_fulfillment_ids);
    get diagnostics v_rows = row_count;
    return v_rows;
end
$$;

comment on function private.refresh_fulfillment_shipments(uuid, bigint[]) is 'Writes app.fulfillment_shipment for some fulfillments again from its definition; returns the rows written.';

create function private.rebuild_fulfillment_state(p_shop_id uuid)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    return private.refresh_fulfillment_lines(p_shop_id, array(
            select o.order_id from app.shopify_order as o where o.shop_id = p_shop_id))
        + private.refresh_fulfillment_shipments(p_shop_id, array(
            select f.fulfillment_id from app.shopify_fulfillment as f where f.shop_id = p_shop_id));
end
$$;

comment on function private.rebuild_fulfillment_state(uuid) is 'Writes a shop''s Fulfillment Flow state again from the orders and fulfillments; returns the rows written.';

create function private.fulfillment_on_order_change(p_shop_id uuid, p_keys bigint[],
                                                    p_phase text, p_state jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- every subscriber takes the change feed's state; this one keeps none (p_state is unused):
-- @plpgsql_check_options: extra_warnings = false
begin
    if p_phase = 'after' then
        perform private.refresh_fulfillment_lines(p_shop_id, p_keys);
        perform private.refresh_fulfillment_shipments(p_shop_id, array(
            select f.fulfillment_id
            from app.shopify_fulfillment as f
            where f.shop_id = p_shop_id
                and f.order_id = any (p_keys)));
    end if;
    return null;
end
$$;

comment on function private.fulfillment_on_order_change(uuid, bigint[], text, jsonb) is 'Fulfillment Flow''s subscriber to shopify_order: the lines of the orders changed, and their parcels (the service, the order''s name and time, a test flag, a time zone change).';

create function private.fulfillment_on_fulfillment_change(p_shop_id uuid, p_keys bigint[],
                                                          p_phase text, p_state jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- every subscriber takes the change feed's state; this one keeps none (p_state is unused):
-- @plpgsql_check_options: extra_warnings = false
begin
    if p_phase = 'after' then
        perform private.refresh_fulfillment_shipments(p_shop_id, p_keys);
        perform private.refresh_fulfillment_lines(p_shop_id, array(
            select distinct f.order_id
            from app.shopify_fulfillment as f
            where f.shop_id = p_shop_id
                and f.fulfillment_id = any (p_keys)));
    end if;
    return null;
end
$$;

comment on function private.fulfillment_on_fulfillment_change(uuid, bigint[], text, jsonb) is 'Fulfillment Flow''s subscriber to shopify_fulfillment: the parcels changed (a fulfillment or its events) and the lines of their orders.';

create function private.tg_fulfillment_calendar__rebuild()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    perform private.rebuild_fulfillment_state(coalesce(new.shop_id, old.shop_id));
    if tg_op = 'UPDATE' and new.shop_id is distinct from old.shop_id then
        perform private.rebuild_fulfillment_state(old.shop_id);
    end if;
    return null;
end
$$;

comment on function private.tg_fulfillment_calendar__rebuild() is 'Trigger on the shipping calendar and carrier tables: rebuilds the Fulfillment Flow state of the shop whose row changed (its promises and clocks depend on them).';

set local lock_timeout = '5s';

create trigger tg_fulfillment_settings__rebuild
    after insert or update or delete on app.fulfillment_settings
    for each row
    execute function private.tg_fulfillment_calendar__rebuild();

create trigger tg_shop_holiday__rebuild
    after insert or update or delete on app.shop_holiday
    for each row
    execute function private.tg_fulfillment_calendar__rebuild();

create trigger tg_carrier_alias__rebuild
    after insert or update or delete on app.carrier_alias
    for each row
    execute function private.tg_fulfillment_calendar__rebuild();

create trigger tg_carrier_service_sla__rebuild
    after insert or update or delete on app.carrier_service_sla
    for each row
    execute function private.tg_fulfillment_calendar__rebuild();

grant execute on function private.fulfillment_line_rows(uuid, bigint[]) to service_role;

grant execute on function private.fulfillment_shipment_rows(uuid, bigint[]) to service_role;

grant execute on function private.refresh_fulfillment_lines(uuid, bigint[]) to service_role;

grant execute on function private.refresh_fulfillment_shipments(uuid, bigint[]) to service_role;

grant execute on function private.rebuild_fulfillment_state(uuid) to service_role;

grant execute on function private.fulfillment_on_order_change(uuid, bigint[], text, jsonb) to service_role;

grant execute on function private.fulfillment_on_fulfillment_change(uuid, bigint[], text, jsonb) to service_role;

select private.subscribe_to_changes('shopify_order', 'private.fulfillment_on_order_change', 300,
    'Fulfillment Flow: the handling clocks of the lines (app.fulfillment_line) and the parcels of the orders a change reaches.');

select private.subscribe_to_changes('shopify_fulfillment',
    'private.fulfillment_on_fulfillment_change', 10,
    'Fulfillment Flow: the parcels (app.fulfillment_shipment) a fulfillment or tracking change reaches, and their orders'' lines.');
