-- Undo: unsubscribe Inventory Watch's rollups, drop their functions, and restore
-- private.sales_contribution_parts without the variant column.

select private.unsubscribe_from_changes('shopify_product', 'private.inventory_on_product_change');

select private.unsubscribe_from_changes('shopify_inventory_item', 'private.inventory_on_item_change');

select private.unsubscribe_from_changes('shopify_variant', 'private.inventory_on_variant_change');

select private.unsubscribe_from_changes('shopify_inventory_level_version',
    'private.inventory_stats_on_level_version');

select private.unsubscribe_from_changes('shopify_order', 'private.inventory_on_order_change');

drop function private.inventory_stats_on_level_version(uuid, bigint[], text, jsonb);

drop function private.refresh_inventory_abc(uuid);

drop function private.abc_class(numeric, numeric, numeric);

drop function private.rebuild_inventory_sales(uuid);

drop function private.inventory_on_product_change(uuid, bigint[], text, jsonb);

drop function private.inventory_on_item_change(uuid, bigint[], text, jsonb);

drop function private.inventory_on_variant_change(uuid, bigint[], text, jsonb);

drop function private.inventory_on_order_change(uuid, bigint[], text, jsonb);

drop function private.inventory_stats_window_touched(uuid, date[]);

drop function private.roll_inventory_stats(uuid, date);

drop function private.refresh_inventory_stats(uuid, bigint[]);

drop function private.inventory_variant_figures(uuid, date, bigint[]);

drop function private.apply_inventory_sales(uuid, bigint[], integer);

drop function private.sales_contribution_parts(uuid, bigint[]);

CREATE FUNCTION private.sales_contribution_parts(p_shop_id uuid, p_order_ids bigint[]) RETURNS TABLE(at timestamp with time zone, day date, hour smallint, product_id bigint, orders integer, units integer, gross_sales numeric, discounts numeric, returns numeric, shipping numeric, taxes numeric, cancelled_orders integer, refunded_units integer, costed_net_sales numeric, cost_of_goods numeric)
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
#variable_conflict use_column
begin
    return query
        with counted as (
            -- one primary-key lookup per id: a filter on order_id = any (...) let the planner
            -- walk every order of the shop through another index
            select o.*
            from (select distinct pg_catalog.unnest(p_order_ids) as order_id) as i
                join app.shopify_order as o
                    on o.shop_id = p_shop_id
                    and o.order_id = i.order_id
            where not o.is_test
        )
        -- the order itself: one order, its shipping and tax, on its day (a voided order's
        -- money never came in: it counts as an order, and a cancelled one, with nothing else)
        select o.created_at, o.local_date, o.local_hour, null::bigint,
            1, 0, 0::numeric, 0::numeric, 0::numeric,
            case when o.financial_status = 'voided' then 0 else o.total_shipping end,
            case when o.financial_status = 'voided' then 0 else o.total_tax end,
            (o.cancelled_at is not null)::integer, 0, 0::numeric, 0::numeric
        from counted as o
        union all
        -- its line items: units, gross sales, discounts and their cost, per product, on its day
        select o.created_at, o.local_date, o.local_hour, coalesce(l.product_id, 0),
            0, l.quantity, l.price * l.quantity, l.discount, 0, 0, 0, 0, 0,
            case when l.unit_cost is null then 0 else l.price * l.quantity - l.discount end,
            coalesce(l.unit_cost * l.quantity, 0)
        from counted as o
            join app.shopify_order_line as l
                on l.shop_id = o.shop_id
                and l.order_id = o.order_id
        where not l.is_gift_card
            and o.financial_status is distinct from 'voided'
        union all
        -- its refunded lines: returns, refunded tax and the cost back, per product, on the
        -- refund's day
        select r.created_at, r.local_date, r.local_hour, coalesce(l.product_id, 0),
            0, 0, 0, 0, rl.subtotal, 0, -rl.total_tax, 0, rl.quantity,
            case when l.unit_cost is null then 0 else -rl.subtotal end,
            -coalesce(l.unit_cost * rl.quantity, 0)
        from counted as o
            join app.shopify_refund as r
                on r.shop_id = o.shop_id
                and r.order_id = o.order_id
            join app.shopify_refund_line as rl
                on rl.shop_id = r.shop_id
                and rl.refund_id = r.refund_id
            left join app.shopify_order_line as l
                on l.shop_id = rl.shop_id
                and l.order_id = rl.order_id
                and l.line_item_id = rl.line_item_id
        where not coalesce(l.is_gift_card, false)
        union all
        -- its order adjustments: shipping refunds and refund discrepancies, on the refund's day
        select r.created_at, r.local_date, r.local_hour, null::bigint,
            0, 0, 0, 0,
            case when a.kind = 'refund_discrepancy' then -a.amount else 0 end,
            case when a.kind = 'shipping_refund' then -pg_catalog.abs(a.amount) else 0 end,
            -pg_catalog.abs(a.tax_amount), 0, 0, 0::numeric, 0::numeric
        from counted as o
            join app.shopify_refund as r
                on r.shop_id = o.shop_id
                and r.order_id = o.order_id
            join app.shopify_order_adjustment as a
                on a.shop_id = r.shop_id
                and a.refund_id = r.refund_id;
end
$$;

COMMENT ON FUNCTION private.sales_contribution_parts(p_shop_id uuid, p_order_ids bigint[]) IS 'Every part the given orders contribute to Sales Pulse, ungrouped, with the exact time it counts at (the order''s or the refund''s created_at) and its local day, hour and product (null: order-level figures). Test and deleted orders contribute nothing. The one definition of the figures: see README.md.';

REVOKE ALL ON FUNCTION private.sales_contribution_parts(p_shop_id uuid, p_order_ids bigint[]) FROM PUBLIC;
GRANT ALL ON FUNCTION private.sales_contribution_parts(p_shop_id uuid, p_order_ids bigint[]) TO service_role;
