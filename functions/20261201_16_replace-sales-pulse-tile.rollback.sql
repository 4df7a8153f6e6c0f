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
            from app.shopify_customer as c
            where c.shop_id = p_shop_id
                and c.first_order_date between p_from and p_to
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

comment on function private.sales_customers(uuid, date, date) is 'New customers (first counted order in the window) and returning ones (ordered in the window, first ordered before it); guests count in neither.';

create or replace function api.sales_pulse(shop_id uuid, as_of timestamptz default null)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    v_shop app.shop;
    v_now timestamptz := coalesce(sales_pulse.as_of, pg_catalog.now());
    v_local timestamp;
    v_today date;
    v_hour integer;
    v_today_figures jsonb;
    v_last_week jsonb;
    v_7 jsonb;
    v_prev_7 jsonb;
    v_30 jsonb;
    v_prev_30 jsonb;
begin
    -- row-level security hides shops the caller is not a member of
    select * into v_shop from app.shop as s where s.shop_id = sales_pulse.shop_id;
    if not found then
        raise exception 'shop % not found, or you are not a member', sales_pulse.shop_id
            using errcode = '42501', hint = 'Members of a shop see its Sales Pulse.';
    end if;
    v_local := v_now at time zone v_shop.iana_timezone;
    v_today := v_local::date;
    v_hour := extract(hour from v_local)::integer;

    select pg_catalog.jsonb_build_object(
        'orders', coalesce(pg_catalog.sum(h.orders) filter (where h.day = v_today), 0),
        'units', coalesce(pg_catalog.sum(h.units) filter (where h.day = v_today), 0),
        'gross_sales', coalesce(pg_catalog.sum(h.gross_sales) filter (where h.day = v_today), 0),
        'net_sales', coalesce(pg_catalog.sum(h.gross_sales - h.discounts - h.returns) filter (where h.day = v_today), 0),
        'total_sales', coalesce(pg_catalog.sum(h.gross_sales - h.discounts - h.returns + h.shipping + h.taxes) filter (where h.day = v_today), 0)),
        pg_catalog.jsonb_build_object(
        'orders', coalesce(pg_catalog.sum(h.orders) filter (where h.day = v_today - 7), 0),
        'units', coalesce(pg_catalog.sum(h.units) filter (where h.day = v_today - 7), 0),
        'gross_sales', coalesce(pg_catalog.sum(h.gross_sales) filter (where h.day = v_today - 7), 0),
        'net_sales', coalesce(pg_catalog.sum(h.gross_sales - h.discounts - h.returns) filter (where h.day = v_today - 7), 0),
        'total_sales', coalesce(pg_catalog.sum(h.gross_sales - h.discounts - h.returns + h.shipping + h.taxes) filter (where h.day = v_today - 7), 0))
    into v_today_figures, v_last_week
    from app.sales_hourly as h
    where h.shop_id = v_shop.shop_id
        and h.day in (v_today, v_today - 7)
        and h.hour <= v_hour;

    v_7 := private.sales_figures(v_shop.shop_id, v_today - 7, v_today - 1);
    v_prev_7 := private.sales_figures(v_shop.shop_id, v_today - 14, v_today - 8);
    v_30 := private.sales_figures(v_shop.shop_id, v_today - 30, v_today - 1);
    v_prev_30 := private.sales_figures(v_shop.shop_id, v_today - 60, v_today - 31);

    perform pg_catalog.set_config('response.headers',
        '[{"Cache-Control": "max-age=300"}]', true);

    return pg_catalog.jsonb_build_object(
        'shop', pg_catalog.jsonb_build_object('shop_id', v_shop.shop_id, 'name', v_shop.name,
            'currency', v_shop.currency, 'iana_timezone', v_shop.iana_timezone),
        'as_of', v_now,
        'local_date', v_today,
        'today', pg_catalog.jsonb_build_object(
            'through_hour', v_hour,
            'so_far', v_today_figures,
            'same_weekday_last_week', v_last_week,
            'delta', private.sales_delta(v_today_figures, v_last_week)),
        'periods', pg_catalog.jsonb_build_object(
            'last_7_days', pg_catalog.jsonb_build_object(
                'from', v_today - 7, 'to', v_today - 1, 'current', v_7, 'previous', v_prev_7,
                'delta', private.sales_delta(v_7, v_prev_7),
                'customers', private.sales_customers(v_shop.shop_id, v_today - 7, v_today - 1)),
            'last_30_days', pg_catalog.jsonb_build_object(
                'from', v_today - 30, 'to', v_today - 1, 'current', v_30, 'previous', v_prev_30,
                'delta', private.sales_delta(v_30, v_prev_30),
                'customers', private.sales_customers(v_shop.shop_id, v_today - 30, v_today - 1))),
        'series', (
            select pg_catalog.jsonb_build_object(
                'days', pg_catalog.jsonb_agg(g.day::date order by g.day),
                'orders', pg_catalog.jsonb_agg(coalesce(d.orders, 0) order by g.day),
                'net_sales', pg_catalog.jsonb_agg(coalesce(d.gross_sales - d.discounts - d.returns, 0) order by g.day),
                'total_sales', pg_catalog.jsonb_agg(coalesce(d.gross_sales - d.discounts - d.returns + d.shipping + d.taxes, 0) order by g.day))
            from pg_catalog.generate_series(v_today - 30, v_today - 1, interval '1 day') as g (day)
                left join app.sales_daily as d
                    on d.shop_id = v_shop.shop_id
                    and d.day = g.day::date),
        'top_products', (
            select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                    'product_id', t.product_id,
                    'title', coalesce(p.title, case when t.product_id = 0 then 'Custom items' else 'Product ' || t.product_id end),
                    'net_sales', t.net_sales, 'units', t.units) order by t.net_sales desc, t.product_id), '[]')
            from (
                select pd.product_id,
                    pg_catalog.sum(pd.gross_sales - pd.discounts - pd.returns) as net_sales,
                    pg_catalog.sum(pd.units) as units
                from app.sales_product_daily as pd
                where pd.shop_id = v_shop.shop_id
                    and pd.day between v_today - 30 and v_today - 1
                group by pd.product_id
                order by 2 desc, 1
                limit 5
            ) as t
                left join app.shopify_product as p
                    on p.shop_id = v_shop.shop_id
                    and p.product_id = t.product_id),
        'conversion', pg_catalog.jsonb_build_object(
            'status', 'not_connected', 'sessions', null, 'conversion_rate', null,
            'note', 'Google Analytics 4 sessions join in a later release.'),
        'freshness', (
            select pg_catalog.jsonb_build_object(
                'last_event_received_at', pg_catalog.max(e.received_at),
                'seconds_since_last_event', pg_catalog.round(extract(epoch from v_now - pg_catalog.max(e.received_at))))
            from app.shopify_event as e
            where e.shop_id = v_shop.shop_id));
end
$$;

comment on function api.sales_pulse(uuid, timestamptz) is 'The Sales Pulse tile for a shop as one JSON document (schema: tools/storepulse/schemas/sales_pulse.schema.json): today so far vs the same weekday last week, the last 7 and 30 days vs the period before with deltas, daily series, top products, new vs returning customers, refund and cancellation rates, and data freshness. as_of defaults to now.';

drop function private.sales_today(uuid, date, timestamp, timestamptz);

drop function private.sales_pulse(uuid, timestamptz);

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
                pg_catalog.sum(d.cancelled_orders)::numeric / nullif(pg_catalog.sum(d.orders), 0), 4))
        from app.sales_daily as d
        where d.shop_id = p_shop_id
            and d.day between p_from and p_to);
end
$$;

comment on function private.sales_figures(uuid, date, date) is 'Sales Pulse figures of a shop over shop-local days p_from..p_to (inclusive).';

drop function private.can_read_shop(uuid);
