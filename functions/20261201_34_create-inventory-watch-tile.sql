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

create function private.inventory_variant_rows(p_shop_id uuid, p_as_of timestamptz,
                                               p_variant_ids bigint[] default null,
                                               p_day date default null)
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
                   close_before integer, cover_bucket text, line jsonb)
    language plpgsql
    stable
    security invoker
    set search_path = ''
    set plan_cache_mode = force_generic_plan
    rows 5000
as $$
#variable_conflict use_column
declare
    v_tz text;
    v_day date;
    v_stats_day date;
    v_variants bigint[];
    v_items bigint[];
begin
    select s.iana_timezone into strict v_tz
    from app.shop as s
    where s.shop_id = p_shop_id;
    v_day := coalesce(p_day, (p_as_of at time zone v_tz)::date);
    -- the variants asked for (all of them when none are given), and their items: plain
    -- arrays, so one cached plan serves one variant and every variant alike
    select coalesce(pg_catalog.array_agg(v.variant_id), '{}'),
        coalesce(pg_catalog.array_agg(v.inventory_item_id), '{}')
    into v_variants, v_items
    from app.shopify_variant as v
    where v.shop_id = p_shop_id
        and (p_variant_ids is null or v.variant_id = any (p_variant_ids));
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
                f.net_sales_90, f.first_day, f.close_before, f.abc as stored_abc
            from app.inventory_variant_stats as f
            where f.shop_id = p_shop_id
                and v_stats_day = v_day
                and f.variant_id = any (v_variants)
            union all
            -- (ABC ranks every variant: computed as it goes, all of them are computed)
            select f.variant_id, f.inventory_item_id, f.lookback_days, f.in_stock_days,
                f.velocity, f.sigma, f.net_units_30, f.units_ordered_30, f.units_ordered_dead,
                f.net_sales_90, f.first_day, f.close_before, null::text
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
                and l.inventory_item_id = any (v_items)
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
                and r.variant_id = any (v_variants)
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
            -- ABC (private.abc_class), stored with the figures or ranked here
            select b.*,
                pg_catalog.sum(b.net_sales_90) over (
                    order by b.net_sales_90 desc, b.variant_id
                    rows between unbounded preceding and current row) - b.net_sales_90 as above,
                pg_catalog.sum(b.net_sales_90) filter (where b.net_sales_90 > 0) over () as positive
            from base as b
        ),
        classed as (
            select r.*,
                coalesce(r.stored_abc, private.abc_class(r.net_sales_90, r.above, r.positive)) as abc
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
        -- and the line the tile's lists show, built once
        select x.*, pg_catalog.jsonb_build_object(
            'variant_id', x.variant_id, 'product_id', x.product_id, 'sku', x.sku, 'title',
            x.title, 'variant_title', x.variant_title, 'price', x.price, 'unit_cost',
            x.unit_cost, 'available', x.available, 'on_order', x.on_order,
            'inventory_position', x.inventory_position, 'next_receipt', x.next_receipt,
            'velocity', x.velocity, 'sigma', x.sigma, 'lookback_days', x.lookback_days,
            'in_stock_days', x.in_stock_days, 'abc', x.abc, 'lead_time_days', x.lead_time_days,
            'safety_stock', x.safety_stock, 'reorder_point', x.reorder_point,
            'reorder_quantity', x.reorder_quantity, 'supplier', x.supplier, 'days_of_cover',
            x.days_of_cover, 'stockout_date', x.stockout_date, 'urgent', x.urgent,
            'lost_revenue_per_day', x.lost_revenue_per_day)
        from (
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
                f.close_before,
                case when f.available <= 0 then 'stocked_out'
                     when coalesce(f.velocity, 0) = 0 then 'no_sales'
                     when f.ratio < 7 then '0-7'
                     when f.ratio < 14 then '7-14'
                     when f.ratio < 30 then '14-30'
                     when f.ratio < 60 then '30-60'
                     when f.ratio < 90 then '60-90'
                     else '90+' end
            from figured as f
            where f.variant_id = any (v_variants)
        ) as x (variant_id, product_id, sku, title, variant_title, price, unit_cost,
                 available, on_order, inventory_position, next_receipt, lookback_days,
                 in_stock_days, velocity, sigma, net_units_30, units_ordered_30, net_sales_90,
                 abc, z, lead_time_days, supplier_id, supplier, safety_stock, reorder_point,
                 needs_reorder, reorder_quantity, days_of_cover, cover_ratio, stockout_date,
                 urgent, lost_revenue_per_day, excess_units, excess_value, dead_stock,
                 dead_stock_value, close_before, cover_bucket);
end
$$;

comment on function private.inventory_variant_rows(uuid, timestamptz, bigint[], date) is 'Every tracked variant of a shop (or the given ones, when the stored figures are for the day) with its Inventory Watch figures as of a moment (for the stats day p_day, when given): available, on order and position, the lookback figures, ABC class, lead time, safety stock, reorder point and quantity, days of cover, stock-out date, urgency, lost revenue per day, overstock and dead stock. The definitions are in README.md.';

create function private.refresh_inventory_state(p_shop_id uuid, p_variant_ids bigint[])
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
    set plan_cache_mode = force_generic_plan
as $$
declare
    v_day date;
    v_inputs timestamptz;
    v_variants bigint[];
    v_items bigint[];
begin
    select d.stats_day into v_day
    from app.inventory_stats_day as d
    where d.shop_id = p_shop_id;
    if v_day is null or pg_catalog.cardinality(p_variant_ids) = 0 then
        return;
    end if;
    -- plain arrays (all of the shop's when none are given): one cached plan for both
    select coalesce(pg_catalog.array_agg(v.variant_id), '{}'),
        coalesce(pg_catalog.array_agg(v.inventory_item_id), '{}')
    into v_variants, v_items
    from app.shopify_variant as v
    where v.shop_id = p_shop_id
        and (p_variant_ids is null or v.variant_id = any (p_variant_ids));
    v_variants := v_variants || array(
        -- and the kept rows of variants gone from the catalog
        select s.variant_id
        from app.inventory_variant_state as s
        where s.shop_id = p_shop_id
            and (p_variant_ids is null or s.variant_id = any (p_variant_ids))
            and s.variant_id <> all (v_variants));
    -- the rows that leave are taken off the totals, the rows that come are added: the
    -- totals always sum the state (a full refresh starts them again from nothing)
    with gone as (
        delete from app.inventory_variant_state as s
        where s.shop_id = p_shop_id
            and s.variant_id = any (v_variants)
        returning s.*
    ),
    totals as (
        insert into app.inventory_state_totals as t (shop_id, variants, stocked_out,
            below_reorder_point, urgent, lost_revenue_per_day, units_on_order, stock_value, units,
            costed_units, units_ordered_30, units_left, overstock_variants, overstock_units,
            overstock_value, dead_stock_variants, dead_stock_units, dead_stock_value)
        select p_shop_id, -pg_catalog.count(*), -pg_catalog.count(*) filter (where r.available <= 0),
            -pg_catalog.count(*) filter (where r.needs_reorder),
            -pg_catalog.count(*) filter (where r.urgent),
            -coalesce(pg_catalog.sum(r.lost_revenue_per_day), 0),
            -coalesce(pg_catalog.sum(r.on_order), 0),
            -coalesce(pg_catalog.sum(greatest(r.available, 0) * r.unit_cost), 0),
            -coalesce(pg_catalog.sum(greatest(r.available, 0)), 0),
            -coalesce(pg_catalog.sum(greatest(r.available, 0)) filter (where r.unit_cost is not null), 0),
            -coalesce(pg_catalog.sum(r.units_ordered_30), 0),
            -coalesce(pg_catalog.sum(greatest(coalesce(r.close_before, 0), 0)), 0),
            -pg_catalog.count(*) filter (where r.excess_units > 0),
            -coalesce(pg_catalog.sum(r.excess_units), 0),
            -coalesce(pg_catalog.sum(r.excess_value), 0),
            -pg_catalog.count(*) filter (where r.dead_stock),
            -coalesce(pg_catalog.sum(r.available) filter (where r.dead_stock), 0),
            -coalesce(pg_catalog.sum(r.dead_stock_value), 0)
        from gone as r
        on conflict on constraint pk_inventory_state_totals do update
        set variants = t.variants + excluded.variants,
            stocked_out = t.stocked_out + excluded.stocked_out,
            below_reorder_point = t.below_reorder_point + excluded.below_reorder_point,
            urgent = t.urgent + excluded.urgent,
            lost_revenue_per_day = t.lost_revenue_per_day + excluded.lost_revenue_per_day,
            units_on_order = t.units_on_order + excluded.units_on_order,
            stock_value = t.stock_value + excluded.stock_value,
            units = t.units + excluded.units,
            costed_units = t.costed_units + excluded.costed_units,
            units_ordered_30 = t.units_ordered_30 + excluded.units_ordered_30,
            units_left = t.units_left + excluded.units_left,
            overstock_variants = t.overstock_variants + excluded.overstock_variants,
            overstock_units = t.overstock_units + excluded.overstock_units,
            overstock_value = t.overstock_value + excluded.overstock_value,
            dead_stock_variants = t.dead_stock_variants + excluded.dead_stock_variants,
            dead_stock_units = t.dead_stock_units + excluded.dead_stock_units,
            dead_stock_value = t.dead_stock_value + excluded.dead_stock_value
        returning 1
    )
    insert into app.inventory_state_cover as c (shop_id, bucket, variants, stock_value)
    select p_shop_id, r.cover_bucket, -pg_catalog.count(*),
        -coalesce(pg_catalog.sum(greatest(r.available, 0) * r.unit_cost), 0)
    from gone as r
    group by r.cover_bucket
    on conflict on constraint pk_inventory_state_cover do update
    set variants = c.variants + excluded.variants,
        stock_value = c.stock_value + excluded.stock_value;
    if p_variant_ids is null then
        delete from app.inventory_state_totals as t
        where t.shop_id = p_shop_id;
        delete from app.inventory_state_cover as c
        where c.shop_id = p_shop_id;
    end if;
    -- as of every input known: the tile reads it for any as_of from the latest of them on
    with came as (
        insert into app.inventory_variant_state (shop_id,
        variant_id, product_id, sku, title, variant_title, price, unit_cost, available,
        on_order, inventory_position, next_receipt, lookback_days, in_stock_days, velocity,
        sigma, net_units_30, units_ordered_30, net_sales_90, abc, z, lead_time_days,
        supplier_id, supplier, safety_stock, reorder_point, needs_reorder,
        reorder_quantity, days_of_cover, cover_ratio, stockout_date, urgent,
        lost_revenue_per_day, excess_units, excess_value, dead_stock, dead_stock_value,
        close_before, cover_bucket, line,
        priority)
        select p_shop_id, r.*, r.velocity * r.price
        from private.inventory_variant_rows(p_shop_id, 'infinity', p_variant_ids, v_day) as r
        returning *
    ),
    totals as (
        insert into app.inventory_state_totals as t (shop_id, variants, stocked_out,
            below_reorder_point, urgent, lost_revenue_per_day, units_on_order, stock_value, units,
            costed_units, units_ordered_30, units_left, overstock_variants, overstock_units,
            overstock_value, dead_stock_variants, dead_stock_units, dead_stock_value)
        select p_shop_id, pg_catalog.count(*), pg_catalog.count(*) filter (where r.available <= 0),
            pg_catalog.count(*) filter (where r.needs_reorder),
            pg_catalog.count(*) filter (where r.urgent),
            coalesce(pg_catalog.sum(r.lost_revenue_per_day), 0),
            coalesce(pg_catalog.sum(r.on_order), 0),
            coalesce(pg_catalog.sum(greatest(r.available, 0) * r.unit_cost), 0),
            coalesce(pg_catalog.sum(greatest(r.available, 0)), 0),
            coalesce(pg_catalog.sum(greatest(r.available, 0)) filter (where r.unit_cost is not null), 0),
            coalesce(pg_catalog.sum(r.units_ordered_30), 0),
            coalesce(pg_catalog.sum(greatest(coalesce(r.close_before, 0), 0)), 0),
            pg_catalog.count(*) filter (where r.excess_units > 0),
            coalesce(pg_catalog.sum(r.excess_units), 0),
            coalesce(pg_catalog.sum(r.excess_value), 0),
            pg_catalog.count(*) filter (where r.dead_stock),
            coalesce(pg_catalog.sum(r.available) filter (where r.dead_stock), 0),
            coalesce(pg_catalog.sum(r.dead_stock_value), 0)
        from came as r
        on conflict on constraint pk_inventory_state_totals do update
        set variants = t.variants + excluded.variants,
            stocked_out = t.stocked_out + excluded.stocked_out,
            below_reorder_point = t.below_reorder_point + excluded.below_reorder_point,
            urgent = t.urgent + excluded.urgent,
            lost_revenue_per_day = t.lost_revenue_per_day + excluded.lost_revenue_per_day,
            units_on_order = t.units_on_order + excluded.units_on_order,
            stock_value = t.stock_value + excluded.stock_value,
            units = t.units + excluded.units,
            costed_units = t.costed_units + excluded.costed_units,
            units_ordered_30 = t.units_ordered_30 + excluded.units_ordered_30,
            units_left = t.units_left + excluded.units_left,
            overstock_variants = t.overstock_variants + excluded.overstock_variants,
            overstock_units = t.overstock_units + excluded.overstock_units,
            overstock_value = t.overstock_value + excluded.overstock_value,
            dead_stock_variants = t.dead_stock_variants + excluded.dead_stock_variants,
            dead_stock_units = t.dead_stock_units + excluded.dead_stock_units,
            dead_stock_value = t.dead_stock_value + excluded.dead_stock_value
        returning 1
    )
    insert into app.inventory_state_cover as c (shop_id, bucket, variants, stock_value)
    select p_shop_id, r.cover_bucket, pg_catalog.count(*),
        coalesce(pg_catalog.sum(greatest(r.available, 0) * r.unit_cost), 0)
    from came as r
    group by r.cover_bucket
    on conflict on constraint pk_inventory_state_cover do update
    set variants = c.variants + excluded.variants,
        stock_value = c.stock_value + excluded.stock_value;
    v_inputs := greatest(
        (select pg_catalog.max(l.updated_at)
         from app.shopify_inventory_level as l
         where l.shop_id = p_shop_id
             and l.inventory_item_id = any (v_items)),
        (select pg_catalog.max(greatest(r.ordered_at, r.received_at, r.cancelled_at))
         from app.inventory_receipt as r
         where r.shop_id = p_shop_id
             and r.variant_id = any (v_variants)));
    update app.inventory_stats_day as d
    set state_as_of = case when p_variant_ids is null then v_inputs
                           else greatest(d.state_as_of, v_inputs) end
    where d.shop_id = p_shop_id;
end
$$;

comment on function private.refresh_inventory_state(uuid, bigint[]) is 'Brings app.inventory_variant_state up to date for the given variants (null: every one), as of every input known, for the shop''s stats day, keeps its totals and cover distribution (app.inventory_state_totals, app.inventory_state_cover) with it, and moves app.inventory_stats_day.state_as_of to the latest moment those inputs (levels, receipts) take effect. Nothing before the shop''s first day roll.';

create function private.inventory_watch(p_shop_id uuid, p_as_of timestamptz)
    returns jsonb
    language plpgsql
    stable
    security definer
    set search_path = ''
    set plan_cache_mode = force_generic_plan
as $$
declare
    v_shop app.shop;
    v_now timestamptz := coalesce(p_as_of, pg_catalog.now());
    v_day date;
    v_stored boolean;
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
    -- the kept state when it is of this day and of every input up to as_of, else computed
    select coalesce(d.stats_day = v_day and v_now >= d.state_as_of, false) into v_stored
    from app.inventory_stats_day as d
    where d.shop_id = p_shop_id;
    v_stored := coalesce(v_stored, false);
    with rows as materialized (
        -- computed as of as_of only when the kept state is not of it
        select p_shop_id as shop_id, r.*, r.velocity * r.price as priority
        from private.inventory_variant_rows(p_shop_id, v_now) as r
        where not v_stored
    ),
    totals as (
        select t.variants, t.stocked_out, t.below_reorder_point, t.urgent,
            t.lost_revenue_per_day, t.units_on_order, t.stock_value, t.units, t.costed_units,
            t.units_ordered_30, t.units_left, t.overstock_variants, t.overstock_units,
            t.overstock_value, t.dead_stock_variants, t.dead_stock_units, t.dead_stock_value
        from app.inventory_state_totals as t
        where v_stored
            and t.shop_id = p_shop_id
        union all
        select pg_catalog.count(*), pg_catalog.count(*) filter (where r.available <= 0),
            pg_catalog.count(*) filter (where r.needs_reorder),
            pg_catalog.count(*) filter (where r.urgent),
            coalesce(pg_catalog.sum(r.lost_revenue_per_day), 0),
            coalesce(pg_catalog.sum(r.on_order), 0),
            coalesce(pg_catalog.sum(greatest(r.available, 0) * r.unit_cost), 0),
            coalesce(pg_catalog.sum(greatest(r.available, 0)), 0),
            coalesce(pg_catalog.sum(greatest(r.available, 0)) filter (where r.unit_cost is not null), 0),
            coalesce(pg_catalog.sum(r.units_ordered_30), 0),
            coalesce(pg_catalog.sum(greatest(coalesce(r.close_before, 0), 0)), 0),
            pg_catalog.count(*) filter (where r.excess_units > 0),
            coalesce(pg_catalog.sum(r.excess_units), 0),
            coalesce(pg_catalog.sum(r.excess_value), 0),
            pg_catalog.count(*) filter (where r.dead_stock),
            coalesce(pg_catalog.sum(r.available) filter (where r.dead_stock), 0),
            coalesce(pg_catalog.sum(r.dead_stock_value), 0)
        from rows as r
        having not v_stored
    ),
    cover as (
        select c.bucket, c.variants, c.stock_value
        from app.inventory_state_cover as c
        where v_stored
            and c.shop_id = p_shop_id
        union all
        select r.cover_bucket, pg_catalog.count(*),
            coalesce(pg_catalog.sum(greatest(r.available, 0) * r.unit_cost), 0)
        from rows as r
        where not v_stored
        group by r.cover_bucket
    ),
    due as (
        -- the variants to reorder, for the drafts per supplier
        select y.variant_id, y.sku, y.supplier_id, y.supplier, y.reorder_quantity, y.unit_cost,
            y.stockout_date, y.urgent
        from app.inventory_variant_state as y
        where v_stored
            and y.shop_id = p_shop_id
            and y.needs_reorder
            and y.reorder_quantity > 0
        union all
        select y.variant_id, y.sku, y.supplier_id, y.supplier, y.reorder_quantity, y.unit_cost,
            y.stockout_date, y.urgent
        from rows as y
        where y.needs_reorder
            and y.reorder_quantity > 0
    )
    select pg_catalog.jsonb_build_object(
        'shop', pg_catalog.jsonb_build_object('shop_id', v_shop.shop_id, 'name', v_shop.name,
            'currency', v_shop.currency, 'iana_timezone', v_shop.iana_timezone),
        'as_of', v_now,
        'local_date', v_day,
        'summary', pg_catalog.jsonb_build_object(
            'variants', x.variants, 'stocked_out', x.stocked_out,
            'below_reorder_point', x.below_reorder_point, 'urgent', x.urgent,
            'lost_revenue_per_day', x.lost_revenue_per_day, 'units_on_order', x.units_on_order),
        'stock_value', pg_catalog.jsonb_build_object(
            'value', x.stock_value, 'units', x.units,
            'cost_coverage', pg_catalog.round(x.costed_units::numeric / nullif(x.units, 0), 4),
            'sell_through_30', pg_catalog.round(x.units_ordered_30::numeric
                                                / nullif(x.units_ordered_30 + x.units_left, 0), 4)),
        'stocked_out', coalesce((
            select pg_catalog.jsonb_agg(r.line
                                        order by r.lost_revenue_per_day desc nulls last, r.variant_id)
            from (
                (select y.* from app.inventory_variant_state as y
                 where v_stored and y.shop_id = p_shop_id and y.available <= 0
                 order by y.lost_revenue_per_day desc nulls last, y.variant_id limit v_limit)
                union all
                (select y.* from rows as y
                 where y.available <= 0
                 order by y.lost_revenue_per_day desc nulls last, y.variant_id limit v_limit)
            ) as r), '[]'),
        'below_reorder_point', coalesce((
            select pg_catalog.jsonb_agg(r.line
                                        order by r.urgent desc, r.stockout_date, r.priority desc, r.variant_id)
            from (
                (select y.* from app.inventory_variant_state as y
                 where v_stored and y.shop_id = p_shop_id and y.needs_reorder
                 order by y.urgent desc, y.stockout_date, y.priority desc, y.variant_id limit v_limit)
                union all
                (select y.* from rows as y
                 where y.needs_reorder
                 order by y.urgent desc, y.stockout_date, y.priority desc, y.variant_id limit v_limit)
            ) as r), '[]'),
        'reorder_suggestions', coalesce((
            select pg_catalog.jsonb_agg(s.doc order by s.cost desc nulls last, s.supplier nulls last)
            from (
                select d.supplier, pg_catalog.sum(d.reorder_quantity * d.unit_cost) as cost,
                    pg_catalog.jsonb_build_object(
                        'supplier_id', d.supplier_id, 'supplier', d.supplier,
                        'variants', pg_catalog.count(*),
                        'units', pg_catalog.sum(d.reorder_quantity),
                        'cost', pg_catalog.sum(d.reorder_quantity * d.unit_cost),
                        'lines', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                            'variant_id', d.variant_id, 'sku', d.sku,
                            'quantity', d.reorder_quantity, 'stockout_date', d.stockout_date,
                            'urgent', d.urgent) order by d.urgent desc, d.stockout_date, d.variant_id)) as doc
                from due as d
                group by d.supplier_id, d.supplier
            ) as s), '[]'),
        'cover_distribution', (
            select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                'bucket', b.bucket, 'from_days', b.lo, 'to_days', b.hi,
                'variants', coalesce(c.variants, 0), 'stock_value', coalesce(c.stock_value, 0))
                order by b.n)
            from (values (1, 'stocked_out', null::integer, null::integer), (2, '0-7', 0, 7),
                         (3, '7-14', 7, 14), (4, '14-30', 14, 30), (5, '30-60', 30, 60),
                         (6, '60-90', 60, 90), (7, '90+', 90, null), (8, 'no_sales', null, null))
                as b (n, bucket, lo, hi)
                left join cover as c
                    on c.bucket = b.bucket),
        'overstock', pg_catalog.jsonb_build_object(
            'variants', x.overstock_variants, 'units', x.overstock_units, 'value', x.overstock_value,
            'top', coalesce((
            select pg_catalog.jsonb_agg(r.line
                                        || pg_catalog.jsonb_build_object('excess_units', r.excess_units, 'excess_value', r.excess_value)
                                        order by r.excess_value desc nulls last, r.variant_id)
            from (
                (select y.* from app.inventory_variant_state as y
                 where v_stored and y.shop_id = p_shop_id and y.excess_units > 0
                 order by y.excess_value desc nulls last, y.variant_id limit v_limit)
                union all
                (select y.* from rows as y
                 where y.excess_units > 0
                 order by y.excess_value desc nulls last, y.variant_id limit v_limit)
            ) as r), '[]')),
        'dead_stock', pg_catalog.jsonb_build_object(
            'variants', x.dead_stock_variants, 'units', x.dead_stock_units, 'value', x.dead_stock_value,
            'top', coalesce((
            select pg_catalog.jsonb_agg(r.line
                                        || pg_catalog.jsonb_build_object('dead_stock_value', r.dead_stock_value)
                                        order by r.dead_stock_value desc nulls last, r.variant_id)
            from (
                (select y.* from app.inventory_variant_state as y
                 where v_stored and y.shop_id = p_shop_id and y.dead_stock
                 order by y.dead_stock_value desc nulls last, y.variant_id limit v_limit)
                union all
                (select y.* from rows as y
                 where y.dead_stock
                 order by y.dead_stock_value desc nulls last, y.variant_id limit v_limit)
            ) as r), '[]')),
        'top_movers', coalesce((
            select pg_catalog.jsonb_agg(r.line
                                        || pg_catalog.jsonb_build_object('net_units_30', r.net_units_30)
                                        order by r.net_units_30 desc, r.variant_id)
            from (
                (select y.* from app.inventory_variant_state as y
                 where v_stored and y.shop_id = p_shop_id and true
                 order by y.net_units_30 desc, y.variant_id limit 10)
                union all
                (select y.* from rows as y
                 where true
                 order by y.net_units_30 desc, y.variant_id limit 10)
            ) as r), '[]'),
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
    into v_result
    from totals as x;

    perform pg_catalog.set_config('response.headers',
        '[{"Cache-Control": "max-age=300"}]', true);
    return v_result;
end
$$;

comment on function private.inventory_watch(uuid, timestamptz) is 'The body of api.inventory_watch: checks once that the caller may read the shop, then reads as definer its kept state (app.inventory_variant_state) when that is of as_of''s day and of every input up to as_of, else the figures computed as of as_of.';

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

grant execute on function private.inventory_variant_rows(uuid, timestamptz, bigint[], date) to service_role;

grant execute on function private.refresh_inventory_state(uuid, bigint[]) to service_role;

grant execute on function private.inventory_watch(uuid, timestamptz) to authenticated, service_role;

grant execute on function api.inventory_watch(uuid, timestamptz) to authenticated, service_role;
