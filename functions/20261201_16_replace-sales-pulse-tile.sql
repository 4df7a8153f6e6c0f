-- Sales Pulse tells the truth about today, adds gross profit and last year, and checks membership once.
-- depends: 20261201_15_move-shopify-events-to-inbound
--
-- api.sales_pulse keeps its signature and document shape, with additions. Today runs to
-- the minute of as_of, against the same local minutes of the same weekday last week (the
-- current hour comes from the orders and refunds themselves, not its whole bucket), and
-- shows orders, gross sales, discounts and returns beside net sales. Every period adds
-- gross profit (net sales of lines with a known cost, less their cost of goods), the
-- share of net sales whose cost is known, and the same dates a year earlier where the
-- history reaches back that far. Freshness counts from as_of (the last Shopify delivery
-- at or before it). The 30-day series reads only its 30 days.
-- The body is private.sales_pulse: security definer, it checks once that the caller may
-- read the shop (a member, or service_role) and then reads the rollups without paying
-- row-level security on each of its statements; every statement filters by that shop.
-- tests/test_tile_isolation.py proves it reads only tables RLS covers and leaks nothing.

create function private.can_read_shop(p_shop_id uuid)
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    -- the role PostgREST set (definer functions do not change it): service_role reads
    -- every shop, a signed-in user the shops they belong to, a session that set no role
    -- (the owner: migrations, jobs, the console) everything it owns anyway
    return case pg_catalog.current_setting('role')
        when 'service_role' then true
        when 'none' then true
        when 'authenticated' then p_shop_id = any (array(select private.my_shop_ids()))
        else false
    end;
end
$$;

comment on function private.can_read_shop(uuid) is 'Whether the caller may read a shop''s tiles: service_role and the owning session always, a signed-in user when a member (any role), anyone else never. A tile checks it once, then reads as definer.';

grant execute on function private.can_read_shop(uuid) to authenticated, service_role;

create or replace function private.sales_figures(p_shop_id uuid, p_from date, p_to date)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
begin
    return (
        select pg_catalog.jsonb_build_object(
            'orders', coalesce(pg_catalog.sum(d.orders), 0),
            'units', coalesce(pg_catalog.sum(d.units), 0),
            'gross_sales', coalesce(pg_catalog.sum(d.gross_sales), 0),
            'discounts', coalesce(pg_catalog.sum(d.discounts), 0),
            'returns', coalesce(pg_catalog.sum(d.returns), 0),
            'net_sales', coalesce(pg_catalog.sum(d.gross_sales - d.discounts - d.returns), 0),
            'shipping', coalesce(pg_catalog.sum(d.shipping), 0),
            'taxes', coalesce(pg_catalog.sum(d.taxes), 0),
            'total_sales', coalesce(pg_catalog.sum(d.gross_sales - d.discounts - d.returns + d.shipping + d.taxes), 0),
            'average_order_value', pg_catalog.round(
                pg_catalog.sum(d.gross_sales - d.discounts) / nullif(pg_catalog.sum(d.orders), 0), 2),
            'cancelled_orders', coalesce(pg_catalog.sum(d.cancelled_orders), 0),
            'refund_rate', pg_catalog.round(
                pg_catalog.sum(d.returns) / nullif(pg_catalog.sum(d.gross_sales), 0), 4),
            'cancellation_rate', pg_catalog.round(
                pg_catalog.sum(d.cancelled_orders)::numeric / nullif(pg_catalog.sum(d.orders), 0), 4),
            'costed_net_sales', coalesce(pg_catalog.sum(d.costed_net_sales), 0),
            'cost_of_goods', coalesce(pg_catalog.sum(d.cost_of_goods), 0),
            'gross_profit', coalesce(pg_catalog.sum(d.costed_net_sales - d.cost_of_goods), 0),
            'gross_margin', pg_catalog.round(pg_catalog.sum(d.costed_net_sales - d.cost_of_goods)
                / nullif(pg_catalog.sum(d.costed_net_sales), 0), 4),
            'cost_coverage', pg_catalog.round(pg_catalog.sum(d.costed_net_sales)
                / nullif(pg_catalog.sum(d.gross_sales - d.discounts - d.returns), 0), 4))
        from app.sales_daily as d
        where d.shop_id = p_shop_id
            and d.day between p_from and p_to);
end
$$;

comment on function private.sales_figures(uuid, date, date) is 'Sales Pulse figures of a shop over shop-local days p_from..p_to (inclusive), gross profit included: gross_profit = costed_net_sales - cost_of_goods, gross_margin = gross_profit / costed_net_sales, cost_coverage = costed_net_sales / net_sales (the share of net sales whose cost is known).';

create function private.sales_today(p_shop_id uuid, p_day date, p_until timestamp,
                                    p_until_at timestamptz)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
declare
    v_hour smallint := extract(hour from p_until)::smallint;
begin
    -- the whole hours before the current one from the hourly rollup; the current hour from
    -- the orders and refunds made in it up to p_until (the same definitions: the parts)
    return (
        with parts as (
            select h.orders, h.units, h.gross_sales, h.discounts, h.returns, h.shipping, h.taxes
            from app.sales_hourly as h
            where h.shop_id = p_shop_id
                and h.day = p_day
                and h.hour < v_hour
            union all
            select p.orders, p.units, p.gross_sales, p.discounts, p.returns, p.shipping, p.taxes
            from private.sales_contribution_parts(p_shop_id, array(
                    select o.order_id
                    from app.shopify_order as o
                    where o.shop_id = p_shop_id
                        and o.local_date = p_day
                        and o.local_hour = v_hour
                    union
                    select r.order_id
                    from app.shopify_refund as r
                    where r.shop_id = p_shop_id
                        and r.local_date = p_day
                        and r.local_hour = v_hour)) as p
            where p.day = p_day
                and p.hour = v_hour
                and p.at <= p_until_at
        )
        select pg_catalog.jsonb_build_object(
            'orders', coalesce(pg_catalog.sum(x.orders), 0),
            'units', coalesce(pg_catalog.sum(x.units), 0),
            'gross_sales', coalesce(pg_catalog.sum(x.gross_sales), 0),
            'discounts', coalesce(pg_catalog.sum(x.discounts), 0),
            'returns', coalesce(pg_catalog.sum(x.returns), 0),
            'net_sales', coalesce(pg_catalog.sum(x.gross_sales - x.discounts - x.returns), 0),
            'total_sales', coalesce(pg_catalog.sum(x.gross_sales - x.discounts - x.returns
                                                   + x.shipping + x.taxes), 0))
        from parts as x);
end
$$;

comment on function private.sales_today(uuid, date, timestamp, timestamptz) is 'Sales Pulse figures of one shop-local day from midnight to a moment, given as its local time (p_until: whole hours before its hour come from the hourly rollup) and as the instant itself (p_until_at: the parts of its hour at or before it, from its orders and refunds; given apart, so a local time that occurs twice when clocks go back is not guessed).';

create function private.sales_pulse(p_shop_id uuid, p_as_of timestamptz)
    returns jsonb
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    v_shop app.shop;
    v_now timestamptz := coalesce(p_as_of, pg_catalog.now());
    v_local timestamp;
    v_today date;
    v_first_day date;
    v_today_figures jsonb;
    v_last_week jsonb;
    v_periods jsonb := '{}'::jsonb;
    v_days integer;
    v_current jsonb;
    v_previous jsonb;
    v_year_earlier jsonb;
begin
    -- the one membership check of the call: everything below reads this shop only
    if not private.can_read_shop(p_shop_id) then
        raise exception 'shop % not found, or you are not a member', p_shop_id
            using errcode = '42501', hint = 'Members of a shop see its Sales Pulse.';
    end if;
    select * into v_shop from app.shop as s where s.shop_id = p_shop_id;
    if not found then
        raise exception 'shop % not found, or you are not a member', p_shop_id
            using errcode = '42501', hint = 'Members of a shop see its Sales Pulse.';
    end if;
    v_local := v_now at time zone v_shop.iana_timezone;
    v_today := v_local::date;
    v_today_figures := private.sales_today(p_shop_id, v_today, v_local, v_now);
    -- last week's same local minute (if clocks went back that night, its first occurrence)
    v_last_week := private.sales_today(p_shop_id, v_today - 7, v_local - interval '7 days',
                                       (v_local - interval '7 days') at time zone v_shop.iana_timezone);
    select pg_catalog.min(d.day) into v_first_day
    from app.sales_daily as d
    where d.shop_id = p_shop_id;

    foreach v_days in array array[7, 30] loop
        v_current := private.sales_figures(p_shop_id, v_today - v_days, v_today - 1);
        v_previous := private.sales_figures(p_shop_id, v_today - 2 * v_days, v_today - v_days - 1);
        -- the same dates a year earlier, where the shop's history reaches back that far
        v_year_earlier := case
            when v_first_day <= ((v_today - v_days) - interval '1 year')::date
                then private.sales_figures(p_shop_id, ((v_today - v_days) - interval '1 year')::date,
                                           ((v_today - 1) - interval '1 year')::date)
        end;
        v_periods := v_periods || pg_catalog.jsonb_build_object(
            'last_' || v_days || '_days', pg_catalog.jsonb_build_object(
                'from', v_today - v_days, 'to', v_today - 1,
                'current', v_current, 'previous', v_previous,
                'delta', private.sales_delta(v_current, v_previous),
                'year_earlier', case when v_year_earlier is not null then pg_catalog.jsonb_build_object(
                    'from', ((v_today - v_days) - interval '1 year')::date,
                    'to', ((v_today - 1) - interval '1 year')::date,
                    'figures', v_year_earlier,
                    'delta', private.sales_delta(v_current, v_year_earlier)) end,
                'customers', private.sales_customers(p_shop_id, v_today - v_days, v_today - 1)));
    end loop;

    perform pg_catalog.set_config('response.headers',
        '[{"Cache-Control": "max-age=300"}]', true);

    return pg_catalog.jsonb_build_object(
        'shop', pg_catalog.jsonb_build_object('shop_id', v_shop.shop_id, 'name', v_shop.name,
            'currency', v_shop.currency, 'iana_timezone', v_shop.iana_timezone),
        'as_of', v_now,
        'local_date', v_today,
        'today', pg_catalog.jsonb_build_object(
            'through_hour', extract(hour from v_local)::integer,
            'through', pg_catalog.to_char(v_local, 'HH24:MI'),
            'so_far', v_today_figures,
            'same_weekday_last_week', v_last_week,
            'delta', private.sales_delta(v_today_figures, v_last_week)),
        'periods', v_periods,
        'series', (
            select pg_catalog.jsonb_build_object(
                'days', pg_catalog.jsonb_agg(g.day::date order by g.day),
                'orders', pg_catalog.jsonb_agg(coalesce(d.orders, 0) order by g.day),
                'net_sales', pg_catalog.jsonb_agg(coalesce(d.gross_sales - d.discounts - d.returns, 0) order by g.day),
                'total_sales', pg_catalog.jsonb_agg(coalesce(d.gross_sales - d.discounts - d.returns + d.shipping + d.taxes, 0) order by g.day),
                'gross_profit', pg_catalog.jsonb_agg(coalesce(d.costed_net_sales - d.cost_of_goods, 0) order by g.day))
            from pg_catalog.generate_series(v_today - 30, v_today - 1, interval '1 day') as g (day)
                left join (
                    select *
                    from app.sales_daily as x
                    where x.shop_id = p_shop_id
                        and x.day between v_today - 30 and v_today - 1
                ) as d
                    on d.day = g.day::date),
        'top_products', (
            select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                    'product_id', t.product_id,
                    'title', coalesce(p.title, case when t.product_id = 0 then 'Custom items' else 'Product ' || t.product_id end),
                    'net_sales', t.net_sales, 'units', t.units,
                    'gross_profit', t.gross_profit) order by t.net_sales desc, t.product_id), '[]')
            from (
                select pd.product_id,
                    pg_catalog.sum(pd.gross_sales - pd.discounts - pd.returns) as net_sales,
                    pg_catalog.sum(pd.units) as units,
                    pg_catalog.sum(pd.costed_net_sales - pd.cost_of_goods) as gross_profit
                from app.sales_product_daily as pd
                where pd.shop_id = p_shop_id
                    and pd.day between v_today - 30 and v_today - 1
                group by pd.product_id
                order by 2 desc, 1
                limit 5
            ) as t
                left join app.shopify_product as p
                    on p.shop_id = p_shop_id
                    and p.product_id = t.product_id),
        'conversion', pg_catalog.jsonb_build_object(
            'status', 'not_connected', 'sessions', null, 'conversion_rate', null,
            'note', 'Google Analytics 4 sessions join in a later release.'),
        'freshness', (
            select pg_catalog.jsonb_build_object(
                'last_event_received_at', pg_catalog.max(e.received_at),
                'seconds_since_last_event', pg_catalog.round(extract(epoch from v_now - pg_catalog.max(e.received_at))))
            from app.inbound_event as e
            where e.shop_id = p_shop_id
                and e.source = 'shopify'
                and e.received_at <= v_now));
end
$$;

comment on function private.sales_pulse(uuid, timestamptz) is 'The body of api.sales_pulse: checks once that the caller may read the shop (private.can_read_shop), then builds the tile as definer from that shop''s rollups only.';

grant execute on function private.sales_pulse(uuid, timestamptz) to authenticated, service_role;

create or replace function api.sales_pulse(shop_id uuid, as_of timestamptz default null)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.sales_pulse(sales_pulse.shop_id, sales_pulse.as_of);
end
$$;

comment on function api.sales_pulse(uuid, timestamptz) is 'The Sales Pulse tile for a shop as one JSON document (schema: tools/storepulse/schemas/sales_pulse.schema.json): today to the minute of as_of vs the same minutes of the same weekday last week, the last 7 and 30 days vs the period before and the same dates a year earlier, with deltas and gross profit; a daily series, top products, new vs returning customers, refund and cancellation rates, and data freshness. as_of defaults to now. Members and service_role only.';

grant execute on function private.sales_today(uuid, date, timestamp, timestamptz) to authenticated, service_role;

create or replace function private.sales_customers(p_shop_id uuid, p_from date, p_to date)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
begin
    return (
        with new_customers as (
            select pg_catalog.count(*) as n
            from app.sales_customer_first_order as f
            where f.shop_id = p_shop_id
                and f.first_order_date between p_from and p_to
        ),
        buying as (
            select pg_catalog.count(distinct o.customer_id) as n
            from app.shopify_order as o
            where o.shop_id = p_shop_id
                and o.local_date between p_from and p_to
                and not o.is_test
                and o.customer_id is not null
        )
        select pg_catalog.jsonb_build_object('new', nc.n, 'returning', b.n - nc.n)
        from new_customers as nc, buying as b);
end
$$;

comment on function private.sales_customers(uuid, date, date) is 'New customers (first counted order in the window, app.sales_customer_first_order) and returning ones (ordered in the window, first ordered before it); guests count in neither.';
