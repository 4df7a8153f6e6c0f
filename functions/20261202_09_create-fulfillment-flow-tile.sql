-- The Fulfillment Flow tile: backlog, shipping speed, on-time shipping and delivery, carriers, delayed parcels and freshness.
-- depends: 20261202_08_create-fulfillment-state-policies
--
-- private.fulfillment_flow reads, as definer and after one membership check, the kept
-- state (app.fulfillment_line, app.fulfillment_shipment) of a shop as of a moment: only
-- what had happened by then counts (a line shipped later is unshipped then, a parcel
-- delivered later is in transit then). Windows are shop-local days ending on as_of's local
-- day: the last 7 and 30, and the 7 and 30 before them. Definitions: README, "Fulfillment
-- Flow numbers". api.fulfillment_flow is the GET-able RPC (Cache-Control max-age=300).

create function private.business_days_after(p_from date, p_to date, p_weekdays integer[],
                                            p_holidays date[])
    returns integer
    language sql
    immutable
    parallel safe
    security invoker
    set search_path = ''
as $$
    select pg_catalog.count(*)::integer
    from pg_catalog.generate_series(p_from + 1, p_to, interval '1 day') as g (day)
    where private.is_business_day(g.day::date, p_weekdays, p_holidays)
$$;

comment on function private.business_days_after(date, date, integer[], date[]) is 'How many business days fall after p_from and on or before p_to (0 when p_to is not after p_from): an unshipped order''s age.';

create function private.fulfillment_delayed_parcels(p_shop_id uuid, p_as_of timestamptz)
    returns table (fulfillment_id bigint, order_id bigint, order_name text, carrier_key text,
                   tracking_company text, tracking_number text, tracking_url text,
                   shipped_at timestamptz, promise_day date, latest_status text,
                   last_event_at timestamptz, reason text, hours_late numeric)
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    -- tracked parcels shipped by as_of, not delivered by then, and delayed: the first reason
    select x.*
    from (
        select s.fulfillment_id, s.order_id, s.order_name, s.carrier_key, s.tracking_company,
            s.tracking_number, s.tracking_url, s.shipped_at, s.promise_day, s.latest_status,
            s.last_event_at,
            case
                when s.latest_status in ('attempted_delivery', 'failure', 'delayed', 'not_delivered')
                    then 'carrier_exception'
                when s.promise_day < (p_as_of at time zone c.iana_timezone)::date
                    then 'in_transit_past_promise'
                when p_as_of - coalesce(s.last_event_at, s.shipped_at)
                     > pg_catalog.make_interval(days => c.stale_tracking_days)
                    then 'no_tracking_update'
            end as reason,
            case when s.promise_day < (p_as_of at time zone c.iana_timezone)::date then
                pg_catalog.round((extract(epoch from p_as_of - ((s.promise_day + 1)::timestamp
                    at time zone c.iana_timezone)) / 3600)::numeric, 1)
            end as hours_late
        from app.fulfillment_shipment as s
            cross join private.shop_calendar(p_shop_id) as c
        where s.shop_id = p_shop_id
            and s.tracking_number is not null
            and s.shipped_at <= p_as_of
            and (s.delivered_at is null or s.delivered_at > p_as_of)
    ) as x
    where x.reason is not null
$$;

comment on function private.fulfillment_delayed_parcels(uuid, timestamptz) is 'The one definition of a delayed parcel as of a moment (tracked, shipped, not delivered): its first reason (carrier_exception, in_transit_past_promise, no_tracking_update) and hours past its promise. The tile lists them; the job chases them.';

create function private.fulfillment_flow(p_shop_id uuid, p_as_of timestamptz)
    returns jsonb
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    v_now timestamptz := coalesce(p_as_of, pg_catalog.now());
    v_shop app.shop;
    v_cal record;
    v_day date;
    v_limit constant integer := 50;
    v_result jsonb;
begin
    -- the one membership check of the call: everything below reads this shop only
    if not private.can_read_shop(p_shop_id) then
        raise exception 'shop % not found, or you are not a member', p_shop_id
            using errcode = '42501', hint = 'Members of a shop see its Fulfillment Flow.';
    end if;
    select * into v_shop from app.shop as s where s.shop_id = p_shop_id;
    if not found then
        raise exception 'shop % not found, or you are not a member', p_shop_id
            using errcode = '42501', hint = 'Members of a shop see its Fulfillment Flow.';
    end if;
    select * into v_cal from private.shop_calendar(p_shop_id) as c;
    v_day := (v_now at time zone v_shop.iana_timezone)::date;
    with lines as materialized (
        -- lines shipped by as_of, in the last 60 days
        select l.ship_day, l.ship_hours, l.on_time
        from app.fulfillment_line as l
        where l.shop_id = p_shop_id
            and l.ship_day between v_day - 59 and v_day
            and l.shipped_at <= v_now
    ),
    delivered as materialized (
        -- parcels delivered by as_of, in the last 60 days
        select s.delivered_day, s.on_time, s.promise_day,
            extract(epoch from s.delivered_at - s.shipped_at) / 86400 as ship_to_door,
            extract(epoch from s.delivered_at - s.ordered_at) / 86400 as click_to_door
        from app.fulfillment_shipment as s
        where s.shop_id = p_shop_id
            and s.delivered_day between v_day - 59 and v_day
            and s.delivered_at <= v_now
    ),
    windows as (
        select w.name, w.first_day, w.last_day
        from (values ('last_7', v_day - 6, v_day), ('previous_7', v_day - 13, v_day - 7),
                     ('last_30', v_day - 29, v_day), ('previous_30', v_day - 59, v_day - 30))
            as w (name, first_day, last_day)
    ),
    unshipped as materialized (
        -- lines ordered by as_of and not shipped by then, with the units left then
        select l.order_id, l.start_day, l.due_day,
            l.units - coalesce((
                select pg_catalog.sum(p.quantity)::integer
                from app.shopify_fulfillment as f
                    join app.shopify_fulfillment_line as p
                        on p.shop_id = f.shop_id
                        and p.fulfillment_id = f.fulfillment_id
                where f.shop_id = p_shop_id
                    and f.order_id = l.order_id
                    and p.line_item_id = l.line_item_id
                    and coalesce(f.status, 'success') = 'success'
                    and f.created_at <= v_now), 0) as units_left
        from app.fulfillment_line as l
        where l.shop_id = p_shop_id
            and l.ordered_at <= v_now
            and (l.shipped_at is null or l.shipped_at > v_now)
    ),
    backlog_orders as (
        select u.order_id, pg_catalog.count(*) as lines, pg_catalog.sum(u.units_left) as units,
            pg_catalog.min(u.start_day) as start_day, pg_catalog.min(u.due_day) as due_day
        from unshipped as u
        group by u.order_id
    ),
    delayed as (
        select 'unfulfilled_past_promise' as reason, b.order_id, o.name as order_name,
            null::bigint as fulfillment_id, null::text as carrier_key, null::text as tracking_url,
            b.due_day as promise_day, b.lines, b.units,
            pg_catalog.round((extract(epoch from v_now - ((b.due_day + 1)::timestamp
                at time zone v_shop.iana_timezone)) / 3600)::numeric, 1) as hours_late
        from backlog_orders as b
            left join app.shopify_order as o
                on o.shop_id = p_shop_id
                and o.order_id = b.order_id
        where b.due_day < v_day
        union all
        select t.reason, t.order_id, t.order_name, t.fulfillment_id, t.carrier_key,
            t.tracking_url, t.promise_day, null, null, t.hours_late
        from private.fulfillment_delayed_parcels(p_shop_id, v_now) as t
    )
    select pg_catalog.jsonb_build_object(
        'shop', pg_catalog.jsonb_build_object('shop_id', v_shop.shop_id, 'name', v_shop.name,
            'iana_timezone', v_shop.iana_timezone),
        'as_of', v_now,
        'local_date', v_day,
        'promise', pg_catalog.jsonb_build_object('handling_days', v_cal.handling_days,
            'cutoff', v_cal.cutoff, 'opens', v_cal.opens, 'closes', v_cal.closes,
            'weekdays', pg_catalog.to_jsonb(v_cal.weekdays),
            'stale_tracking_days', v_cal.stale_tracking_days),
        'backlog', (
            select pg_catalog.jsonb_build_object(
                'orders', (select pg_catalog.count(*) from backlog_orders),
                'units', (select coalesce(pg_catalog.sum(b.units), 0) from backlog_orders as b),
                'by_age', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                    'age_business_days', a.bucket, 'orders', coalesce(c.orders, 0),
                    'units', coalesce(c.units, 0)) order by a.n))
            from (values (1, '0'), (2, '1'), (3, '2'), (4, '3-4'), (5, '5+')) as a (n, bucket)
                left join (
                    select case
                            when g.age <= 2 then g.age::text
                            when g.age <= 4 then '3-4'
                            else '5+'
                        end as bucket,
                        pg_catalog.count(*) as orders, pg_catalog.sum(g.units) as units
                    from (
                        select b.units, private.business_days_after(b.start_day, v_day,
                            v_cal.weekdays, v_cal.holidays) as age
                        from backlog_orders as b
                    ) as g
                    group by 1
                ) as c
                    on c.bucket = a.bucket),
        'windows', (
            select pg_catalog.jsonb_object_agg(w.name, pg_catalog.jsonb_build_object(
                'first_day', w.first_day, 'last_day', w.last_day,
                'lines_shipped', ls.lines,
                'ship_hours_p50', ls.hours[1], 'ship_hours_p90', ls.hours[2],
                'on_time_shipping', ls.on_time,
                'delivered', dv.delivered,
                'ship_to_door_days_p50', dv.ship_to_door[1], 'ship_to_door_days_p90', dv.ship_to_door[2],
                'click_to_door_days_p50', dv.click_to_door[1],
                'click_to_door_days_p90', dv.click_to_door[2],
                'on_time_delivery', dv.on_time, 'promise_coverage', dv.coverage))
            from windows as w
                cross join lateral (
                    select pg_catalog.count(*) as lines,
                        pg_catalog.percentile_cont(array[0.5, 0.9]) within group (
                            order by l.ship_hours::double precision) as hours,
                        pg_catalog.round(pg_catalog.avg(l.on_time::integer), 4) as on_time
                    from lines as l
                    where l.ship_day between w.first_day and w.last_day
                ) as ls
                cross join lateral (
                    select pg_catalog.count(*) as delivered,
                        pg_catalog.percentile_cont(array[0.5, 0.9]) within group (
                            order by d.ship_to_door::double precision) as ship_to_door,
                        pg_catalog.percentile_cont(array[0.5, 0.9]) within group (
                            order by d.click_to_door::double precision) as click_to_door,
                        pg_catalog.round(pg_catalog.count(*) filter (where d.on_time)::numeric
                            / nullif(pg_catalog.count(d.promise_day), 0), 4) as on_time,
                        pg_catalog.round(pg_catalog.count(d.promise_day)::numeric
                            / nullif(pg_catalog.count(*), 0), 4) as coverage
                    from delivered as d
                    where d.delivered_day between w.first_day and w.last_day
                ) as dv),
        'carriers', coalesce((
            select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                'carrier_key', c.carrier_key, 'shipments', c.shipments, 'tracked', c.tracked,
                'delivered', c.delivered, 'on_time_delivery', c.on_time,
                'promise_coverage', c.coverage,
                'ship_to_door_days_p50', c.ship_to_door[1], 'ship_to_door_days_p90', c.ship_to_door[2],
                'failure_rate', c.failure_rate, 'exception_rate', c.exception_rate,
                'names', pg_catalog.to_jsonb(c.names))
                order by c.shipments desc, c.carrier_key)
            from (
                select coalesce(s.carrier_key, 'unmapped') as carrier_key,
                    pg_catalog.count(*) as shipments,
                    pg_catalog.count(s.tracking_number) as tracked,
                    pg_catalog.count(*) filter (where s.delivered_at <= v_now) as delivered,
                    pg_catalog.round(pg_catalog.count(*) filter (
                            where s.delivered_at <= v_now and s.on_time)::numeric
                        / nullif(pg_catalog.count(s.promise_day) filter (
                            where s.delivered_at <= v_now), 0), 4) as on_time,
                    pg_catalog.round(pg_catalog.count(s.promise_day) filter (
                            where s.delivered_at <= v_now)::numeric
                        / nullif(pg_catalog.count(*) filter (where s.delivered_at <= v_now), 0), 4)
                        as coverage,
                    pg_catalog.percentile_cont(array[0.5, 0.9]) within group (
                        order by (extract(epoch from s.delivered_at - s.shipped_at) / 86400)::double precision)
                        filter (where s.delivered_at <= v_now) as ship_to_door,
                    pg_catalog.round(pg_catalog.count(*) filter (
                            where s.tracking_number is not null and s.has_failure)::numeric
                        / nullif(pg_catalog.count(s.tracking_number), 0), 4) as failure_rate,
                    pg_catalog.round(pg_catalog.count(*) filter (
                            where s.tracking_number is not null and s.has_exception)::numeric
                        / nullif(pg_catalog.count(s.tracking_number), 0), 4) as exception_rate,
                    array(select distinct x from pg_catalog.unnest(
                        pg_catalog.array_agg(s.tracking_company)) as n (x)
                          where x is not null order by 1) as names
                from app.fulfillment_shipment as s
                where s.shop_id = p_shop_id
                    and s.ship_day between v_day - 29 and v_day
                    and s.shipped_at <= v_now
                group by 1
            ) as c), '[]'),
        'daily', (
            select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                'day', g.day::date,
                'lines_shipped', (select pg_catalog.count(*) from lines as l where l.ship_day = g.day::date),
                'lines_on_time', (select pg_catalog.count(*) from lines as l
                                  where l.ship_day = g.day::date and l.on_time),
                'delivered', (select pg_catalog.count(*) from delivered as d
                              where d.delivered_day = g.day::date),
                'delivered_on_time', (select pg_catalog.count(*) from delivered as d
                                      where d.delivered_day = g.day::date and d.on_time))
                order by g.day)
            from pg_catalog.generate_series(v_day - 29, v_day, interval '1 day') as g (day)),
        'delayed', pg_catalog.jsonb_build_object(
            'counts', (
                select pg_catalog.jsonb_build_object(
                    'unfulfilled_past_promise', pg_catalog.count(*) filter (where d.reason = 'unfulfilled_past_promise'),
                    'carrier_exception', pg_catalog.count(*) filter (where d.reason = 'carrier_exception'),
                    'in_transit_past_promise', pg_catalog.count(*) filter (where d.reason = 'in_transit_past_promise'),
                    'no_tracking_update', pg_catalog.count(*) filter (where d.reason = 'no_tracking_update'))
                from delayed as d),
            'items', coalesce((
                select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(d) order by d.hours_late desc nulls last,
                                            d.order_id, d.fulfillment_id)
                from (
                    select * from delayed as d
                    order by d.hours_late desc nulls last, d.order_id, d.fulfillment_id
                    limit v_limit
                ) as d), '[]')),
        'freshness', (
            select pg_catalog.jsonb_build_object(
                'last_received_at', pg_catalog.max(e.received_at),
                'seconds', case when pg_catalog.max(e.received_at) is not null
                    then greatest(0, extract(epoch from v_now - pg_catalog.max(e.received_at)))::bigint
                end)
            from app.inbound_event as e
            where e.shop_id = p_shop_id
                and e.source = 'shopify'
                and (e.topic like 'fulfillment%' or e.topic like 'orders/%fulfilled')
                and e.received_at <= v_now))
    into v_result;
    perform pg_catalog.set_config('response.headers',
        '[{"Cache-Control": "max-age=300"}]', true);
    return v_result;
end
$$;

comment on function private.fulfillment_flow(uuid, timestamptz) is 'The body of api.fulfillment_flow: checks once that the caller may read the shop, then reads as definer its kept Fulfillment Flow state as of as_of.';

create function api.fulfillment_flow(shop_id uuid, as_of timestamptz default null)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.fulfillment_flow(fulfillment_flow.shop_id, fulfillment_flow.as_of);
end
$$;

comment on function api.fulfillment_flow(uuid, timestamptz) is 'The Fulfillment Flow tile for a shop as one JSON document (schema: tools/storepulse/schemas/fulfillment_flow.schema.json): the backlog of unshipped orders by age, shipping speed and on-time shipping and delivery with promise coverage over the last 7 and 30 days and the periods before, a per-carrier table, the daily trend, the delayed orders and parcels with reason, promise and lateness, and freshness, as of as_of (now by default). Members and service_role only.';

grant execute on function private.business_days_after(date, date, integer[], date[]) to service_role;

grant execute on function private.fulfillment_delayed_parcels(uuid, timestamptz) to service_role;

grant execute on function private.fulfillment_flow(uuid, timestamptz) to authenticated, service_role;

grant execute on function api.fulfillment_flow(uuid, timestamptz) to authenticated, service_role;
