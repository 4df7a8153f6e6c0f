-- The Inventory Watch tile: what to reorder today, and what is tying up cash.
-- depends: 20261201_33_create-inventory-planning-api
--
-- api.inventory_watch(shop_id, as_of) is stable (GET /rpc/inventory_watch), answers one
-- JSON document (tools/storepulse/schemas/inventory_watch.schema.json) and sets
-- Cache-Control: max-age=300. Its body, private.inventory_variant_rows, computes every
-- variant's figures as of a moment (the definitions in README.md): the stored lookback
-- figures when they are for that day, else computed as it goes; the levels, receipts,
-- suppliers, prices and costs as of then. private.inventory_watch checks once that the
-- caller may read the shop and reads as definer. Rollback drops them.

create function private.inventory_variant_rows(p_shop_id uuid, p_as_of timestamptz)
    returns table (variant_id bigint, product_id bigint, sku text, title text,
                   variant_title text, price numeric, unit_cost numeric, available integer,
                   on_order integer, inventory_position integer, next_receipt date,
                   lookback_days integer, in_stock_days integer, velocity numeric,
                   sigma numeric, net_units_30 integer, units_ordered_30 integer,
                   net_sales_90 numeric, abc text, z numeric, lead_time_days integer,
                   supplier_id bigint, supplier text, safety_stock numeric,
                   reorder_point numeric, needs_reorder boolean, reorder_quantity integer,
                   days_of_cover numeric, cover_ratio numeric, stockout_date date,
                   urgent boolean, lost_revenue_per_day numeric, excess_units integer,
                   excess_value numeric, dead_stock boolean, dead_stock_value numeric,
                   close_before integer)
    language plpgsql
    stable
    security invoker
    set search_path = ''
    rows 5000
as $$
#variable_conflict use_column
declare
    v_tz text;
    v_day date;
    v_stats_day date;
begin
    select s.iana_timezone into strict v_tz
    from app.shop as s
    where s.shop_id = p_shop_id;
    v_day := (p_as_of at time zone v_tz)::date;
    select d.stats_day into v_stats_day
    from app.inventory_stats_day as d
    where d.shop_id = p_shop_id;
    return query
        with settings as (
            select coalesce(s.default_lead_time_days, 14) as lead_days,
                coalesce(s.target_cover_days, 30) as cover_days,
                coalesce(s.review_days, 7) as review_days,
                coalesce(s.dead_stock_days, 90) as dead_days
            from (select) as one
                left join app.inventory_settings as s
                    on s.shop_id = p_shop_id
        ),
        figures as (
            -- the stored figures when they are for this day, else computed as it goes
            select f.variant_id, f.inventory_item_id, f.lookback_days, f.in_stock_days,
                f.velocity, f.sigma, f.net_units_30, f.units_ordered_30, f.units_ordered_dead,
                f.net_sales_90, f.first_day, f.close_before
            from app.inventory_variant_stats as f
            where f.shop_id = p_shop_id
                and v_stats_day = v_day
            union all
            select f.variant_id, f.inventory_item_id, f.lookback_days, f.in_stock_days,
                f.velocity, f.sigma, f.net_units_30, f.units_ordered_30, f.units_ordered_dead,
                f.net_sales_90, f.first_day, f.close_before
            from private.inventory_variant_figures(p_shop_id, v_day, null) as f
            where v_stats_day is distinct from v_day
        ),
        levels as (
            -- each level's latest version at or before as_of (the level itself when it is)
            select l.inventory_item_id,
                case when l.updated_at <= p_as_of then l.available
                     else (select v.available
                           from app.shopify_inventory_level_version as v
                           where v.shop_id = l.shop_id
                               and v.inventory_item_id = l.inventory_item_id
                               and v.location_id = l.location_id
                               and v.updated_at <= p_as_of
                           order by v.updated_at desc
                           limit 1) end as available
            from app.shopify_inventory_level as l
            where l.shop_id = p_shop_id
        ),
        stock as (
            -- a variant is in the tile while one of its levels holds a quantity
            select l.inventory_item_id, pg_catalog.sum(coalesce(l.available, 0))::integer as available
            from levels as l
            group by l.inventory_item_id
            having pg_catalog.count(l.available) > 0
        ),
        receipts as (
            select r.variant_id, pg_catalog.sum(r.quantity)::integer as on_order,
                pg_catalog.min(r.expected_on) as next_receipt
            from app.inventory_receipt as r
            where r.shop_id = p_shop_id
                and r.ordered_at <= p_as_of
                and (r.received_at is null or r.received_at > p_as_of)
                and (r.cancelled_at is null or r.cancelled_at > p_as_of)
            group by r.variant_id
        ),
        base as (
            select f.*, v.product_id, v.sku, p.title, v.title as variant_title, v.price,
                i.unit_cost, s.available, coalesce(r.on_order, 0) as on_order, r.next_receipt,
                coalesce(vs.lead_time_days, sup.lead_time_days, se.lead_days) as lead_time,
                sup.supplier_id, sup.name as supplier, coalesce(sup.order_multiple, 1) as multiple,
                se.cover_days, se.review_days, se.dead_days
            from figures as f
                join app.shopify_variant as v
                    on v.shop_id = p_shop_id
                    and v.variant_id = f.variant_id
                join app.shopify_product as p
                    on p.shop_id = v.shop_id
                    and p.product_id = v.product_id
                join app.shopify_inventory_item as i
                    on i.shop_id = v.shop_id
                    and i.inventory_item_id = v.inventory_item_id
                join stock as s
                    on s.inventory_item_id = v.inventory_item_id
                left join receipts as r
                    on r.variant_id = f.variant_id
                left join app.inventory_variant_supplier as vs
                    on vs.shop_id = p_shop_id
                    and vs.variant_id = f.variant_id
                left join app.inventory_supplier as sup
                    on sup.shop_id = vs.shop_id
                    and sup.supplier_id = vs.supplier_id
                cross join settings as se
        ),
        ranked as (
            -- ABC: A while the net sales ranked above sum to below 80 % of the positive total
            select b.*,
                coalesce(pg_catalog.sum(b.net_sales_90) over (
                    order by b.net_sales_90 desc, b.variant_id
                    rows between unbounded preceding and 1 preceding), 0) as above,
                pg_catalog.sum(b.net_sales_90) filter (where b.net_sales_90 > 0) over () as positive
            from base as b
        ),
        classed as (
            select r.*,
                case when r.net_sales_90 <= 0 then 'C'
                     when r.above < 0.80 * r.positive then 'A'
                     when r.above < 0.95 * r.positive then 'B'
                     else 'C' end as abc
            from ranked as r
        ),
        planned as (
            select c.*,
                case c.abc when 'A' then 2.0537 when 'B' then 1.6449 else 1.2816 end as z,
                pg_catalog.round(case c.abc when 'A' then 2.0537 when 'B' then 1.6449 else 1.2816 end
                                 * c.sigma * pg_catalog.sqrt(c.lead_time::numeric), 2) as safety,
                c.available + c.on_order as position
            from classed as c
        ),
        figured as (
            select p.*,
                pg_catalog.round(p.velocity * p.lead_time + p.safety, 2) as rop,
                pg_catalog.ceil(p.velocity * (p.lead_time + p.cover_days) + p.safety
                                - p.position) as short_by,
                p.available / nullif(p.velocity, 0) as ratio,
                case when p.available <= 0 then v_day
                     when p.velocity > 0 then v_day + pg_catalog.floor(p.available / p.velocity)::integer
                end as stockout,
                pg_catalog.floor(p.position - (p.velocity * (p.lead_time + p.review_days)
                                               + p.safety))::integer as excess
            from planned as p
        )
        select f.variant_id, f.product_id, f.sku, f.title, f.variant_title, f.price, f.unit_cost,
            f.available, f.on_order, f.position, f.next_receipt, f.lookback_days,
            f.in_stock_days, f.velocity, f.sigma, f.net_units_30, f.units_ordered_30,
            f.net_sales_90, f.abc, f.z, f.lead_time, f.supplier_id, f.supplier, f.safety,
            f.rop, coalesce(f.velocity > 0 and f.position <= f.rop, false),
            case when f.short_by > 0
                 then (pg_catalog.ceil(f.short_by / f.multiple) * f.multiple)::integer
                 else 0 end,
            case when f.available <= 0 then 0::numeric
                 when f.velocity is null or f.velocity = 0 then null
                 else pg_catalog.round(f.ratio, 1) end,
            f.ratio,
            f.stockout,
            coalesce(f.velocity > 0 and f.position <= f.rop
                     and (f.next_receipt is null or f.stockout < f.next_receipt), false),
            case when f.available <= 0 then pg_catalog.round(f.velocity * f.price, 2) end,
            coalesce(greatest(f.excess, 0), 0),
            case when f.excess > 0 then f.excess * f.unit_cost end,
            coalesce(f.available > 0 and f.units_ordered_dead = 0
                     and f.first_day < v_day - f.dead_days, false),
            case when f.available > 0 and f.units_ordered_dead = 0
                      and f.first_day < v_day - f.dead_days then f.available * f.unit_cost end,
            f.close_before
        from figured as f;
end
$$;

comment on function private.inventory_variant_rows(uuid, timestamptz) is 'Every tracked variant of a shop with its Inventory Watch figures as of a moment: available, on order and position, the lookback figures, ABC class, lead time, safety stock, reorder point and quantity, days of cover, stock-out date, urgency, lost revenue per day, overstock and dead stock. The definitions are in README.md.';

create function private.inventory_watch(p_shop_id uuid, p_as_of timestamptz)
    returns jsonb
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    v_shop app.shop;
    v_now timestamptz := coalesce(p_as_of, pg_catalog.now());
    v_day date;
    v_limit constant integer := 25;
    v_result jsonb;
begin
    -- the one membership check of the call: everything below reads this shop only
    if not private.can_read_shop(p_shop_id) then
        raise exception 'shop % not found, or you are not a member', p_shop_id
            using errcode = '42501', hint = 'Members of a shop see its Inventory Watch.';
    end if;
    select * into v_shop from app.shop as s where s.shop_id = p_shop_id;
    if not found then
        raise exception 'shop % not found, or you are not a member', p_shop_id
            using errcode = '42501', hint = 'Members of a shop see its Inventory Watch.';
    end if;
    v_day := (v_now at time zone v_shop.iana_timezone)::date;
    with rows as materialized (
        select *
        from private.inventory_variant_rows(p_shop_id, v_now)
    ),
    line as (
        select r.variant_id, pg_catalog.jsonb_build_object(
            'variant_id', r.variant_id, 'product_id', r.product_id, 'sku', r.sku,
            'title', r.title, 'variant_title', r.variant_title, 'price', r.price,
            'unit_cost', r.unit_cost, 'available', r.available, 'on_order', r.on_order,
            'inventory_position', r.inventory_position, 'next_receipt', r.next_receipt,
            'velocity', r.velocity, 'sigma', r.sigma, 'lookback_days', r.lookback_days,
            'in_stock_days', r.in_stock_days, 'abc', r.abc, 'lead_time_days', r.lead_time_days,
            'safety_stock', r.safety_stock, 'reorder_point', r.reorder_point,
            'reorder_quantity', r.reorder_quantity, 'supplier', r.supplier,
            'days_of_cover', r.days_of_cover, 'stockout_date', r.stockout_date,
            'urgent', r.urgent, 'lost_revenue_per_day', r.lost_revenue_per_day) as doc
        from rows as r
    )
    select pg_catalog.jsonb_build_object(
        'shop', pg_catalog.jsonb_build_object('shop_id', v_shop.shop_id, 'name', v_shop.name,
            'currency', v_shop.currency, 'iana_timezone', v_shop.iana_timezone),
        'as_of', v_now,
        'local_date', v_day,
        'summary', (
            select pg_catalog.jsonb_build_object(
                'variants', pg_catalog.count(*),
                'stocked_out', pg_catalog.count(*) filter (where r.available <= 0),
                'below_reorder_point', pg_catalog.count(*) filter (where r.needs_reorder),
                'urgent', pg_catalog.count(*) filter (where r.urgent),
                'lost_revenue_per_day', coalesce(pg_catalog.sum(r.lost_revenue_per_day), 0),
                'units_on_order', coalesce(pg_catalog.sum(r.on_order), 0))
            from rows as r),
        'stock_value', (
            select pg_catalog.jsonb_build_object(
                'value', coalesce(pg_catalog.sum(greatest(r.available, 0) * r.unit_cost), 0),
                'units', coalesce(pg_catalog.sum(greatest(r.available, 0)), 0),
                'cost_coverage', pg_catalog.round(
                    pg_catalog.sum(greatest(r.available, 0)) filter (where r.unit_cost is not null)
                    / nullif(pg_catalog.sum(greatest(r.available, 0)), 0), 4),
                'sell_through_30', pg_catalog.round(
                    pg_catalog.sum(r.units_ordered_30)::numeric
                    / nullif(pg_catalog.sum(r.units_ordered_30)
                             + pg_catalog.sum(greatest(coalesce(r.close_before, 0), 0)), 0), 4))
            from rows as r),
        'stocked_out', coalesce((
            select pg_catalog.jsonb_agg(l.doc order by r.lost_revenue_per_day desc nulls last, r.variant_id)
            from (select * from rows as x where x.available <= 0
                  order by x.lost_revenue_per_day desc nulls last, x.variant_id limit v_limit) as r
                join line as l on l.variant_id = r.variant_id), '[]'),
        'below_reorder_point', coalesce((
            select pg_catalog.jsonb_agg(l.doc order by r.urgent desc, r.stockout_date,
                                        r.velocity * r.price desc, r.variant_id)
            from (select * from rows as x where x.needs_reorder
                  order by x.urgent desc, x.stockout_date, x.velocity * x.price desc, x.variant_id
                  limit v_limit) as r
                join line as l on l.variant_id = r.variant_id), '[]'),
        'reorder_suggestions', coalesce((
            select pg_catalog.jsonb_agg(s.doc order by s.cost desc nulls last, s.supplier nulls last)
            from (
                select r.supplier, pg_catalog.sum(r.reorder_quantity * r.unit_cost) as cost,
                    pg_catalog.jsonb_build_object(
                        'supplier_id', r.supplier_id, 'supplier', r.supplier,
                        'variants', pg_catalog.count(*),
                        'units', pg_catalog.sum(r.reorder_quantity),
                        'cost', pg_catalog.sum(r.reorder_quantity * r.unit_cost),
                        'lines', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                            'variant_id', r.variant_id, 'sku', r.sku,
                            'quantity', r.reorder_quantity, 'stockout_date', r.stockout_date,
                            'urgent', r.urgent) order by r.urgent desc, r.stockout_date, r.variant_id)) as doc
                from rows as r
                where r.needs_reorder
                    and r.reorder_quantity > 0
                group by r.supplier_id, r.supplier
            ) as s), '[]'),
        'cover_distribution', (
            select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                'bucket', b.bucket, 'from_days', b.lo, 'to_days', b.hi,
                'variants', (select pg_catalog.count(*) from rows as r
                             where r.available > 0 and r.cover_ratio >= b.lo
                                 and (b.hi is null or r.cover_ratio < b.hi)
                             or (b.bucket = 'stocked_out' and r.available <= 0)
                             or (b.bucket = 'no_sales' and r.available > 0
                                 and coalesce(r.velocity, 0) = 0)),
                'stock_value', (select coalesce(pg_catalog.sum(greatest(r.available, 0) * r.unit_cost), 0)
                                from rows as r
                                where r.available > 0 and r.cover_ratio >= b.lo
                                    and (b.hi is null or r.cover_ratio < b.hi)
                                or (b.bucket = 'no_sales' and r.available > 0
                                    and coalesce(r.velocity, 0) = 0)))
                order by b.n)
            from (values (1, 'stocked_out', null::integer, null::integer), (2, '0-7', 0, 7),
                         (3, '7-14', 7, 14), (4, '14-30', 14, 30), (5, '30-60', 30, 60),
                         (6, '60-90', 60, 90), (7, '90+', 90, null), (8, 'no_sales', null, null))
                as b (n, bucket, lo, hi)),
        'overstock', (
            select pg_catalog.jsonb_build_object(
                'variants', pg_catalog.count(*) filter (where r.excess_units > 0),
                'units', coalesce(pg_catalog.sum(r.excess_units), 0),
                'value', coalesce(pg_catalog.sum(r.excess_value), 0),
                'top', coalesce((
                    select pg_catalog.jsonb_agg(l.doc || pg_catalog.jsonb_build_object(
                        'excess_units', x.excess_units, 'excess_value', x.excess_value)
                        order by x.excess_value desc nulls last, x.variant_id)
                    from (select * from rows as y where y.excess_units > 0
                          order by y.excess_value desc nulls last, y.variant_id limit v_limit) as x
                        join line as l on l.variant_id = x.variant_id), '[]'))
            from rows as r),
        'dead_stock', (
            select pg_catalog.jsonb_build_object(
                'variants', pg_catalog.count(*) filter (where r.dead_stock),
                'units', coalesce(pg_catalog.sum(r.available) filter (where r.dead_stock), 0),
                'value', coalesce(pg_catalog.sum(r.dead_stock_value), 0),
                'top', coalesce((
                    select pg_catalog.jsonb_agg(l.doc || pg_catalog.jsonb_build_object(
                        'dead_stock_value', x.dead_stock_value)
                        order by x.dead_stock_value desc nulls last, x.variant_id)
                    from (select * from rows as y where y.dead_stock
                          order by y.dead_stock_value desc nulls last, y.variant_id limit v_limit) as x
                        join line as l on l.variant_id = x.variant_id), '[]'))
            from rows as r),
        'top_movers', coalesce((
            select pg_catalog.jsonb_agg(l.doc || pg_catalog.jsonb_build_object(
                'net_units_30', r.net_units_30) order by r.net_units_30 desc, r.variant_id)
            from (select * from rows as x order by x.net_units_30 desc, x.variant_id limit 10) as r
                join line as l on l.variant_id = r.variant_id), '[]'),
        'freshness', (
            select pg_catalog.jsonb_build_object(
                'last_received_at', pg_catalog.max(e.received_at),
                'seconds', case when pg_catalog.max(e.received_at) is not null
                    then greatest(0, extract(epoch from v_now - pg_catalog.max(e.received_at)))::bigint
                end)
            from app.inbound_event as e
            where e.shop_id = p_shop_id
                and e.source = 'shopify'
                and e.topic like 'inventory_levels/%'
                and e.received_at <= v_now))
    into v_result;

    perform pg_catalog.set_config('response.headers',
        '[{"Cache-Control": "max-age=300"}]', true);
    return v_result;
end
$$;

comment on function private.inventory_watch(uuid, timestamptz) is 'The body of api.inventory_watch: checks once that the caller may read the shop, then reads its rows as definer.';

create function api.inventory_watch(shop_id uuid, as_of timestamptz default null)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.inventory_watch(inventory_watch.shop_id, inventory_watch.as_of);
end
$$;

comment on function api.inventory_watch(uuid, timestamptz) is 'The Inventory Watch tile for a shop as one JSON document (schema: tools/storepulse/schemas/inventory_watch.schema.json): stocked-out variants ranked by lost revenue per day, variants below their reorder point ranked by urgency, reorder suggestions per supplier, the days-of-cover distribution, overstock and dead stock with their value, stock value and sell-through, top movers and freshness, as of as_of (now by default). Members and service_role only.';

grant execute on function private.inventory_variant_rows(uuid, timestamptz) to authenticated, service_role;

grant execute on function private.inventory_watch(uuid, timestamptz) to authenticated, service_role;

grant execute on function api.inventory_watch(uuid, timestamptz) to authenticated, service_role;
