-- Inventory Watch's planning api: suppliers, lead times, expected receipts and settings.
-- depends: 20261201_32_create-inventory-rollups
--
-- Shopify has no purchase-order API: owners and managers record who supplies what, in how
-- long, and what is on order, through these functions (POST /rpc/...). They run as the
-- caller, so row-level security and the row-change audit see who did it; bad input is
-- refused with 22023 naming the argument (PostgREST answers 400), a role that may not
-- plan with 42501 (403). A change reaches the tile at once: triggers (as definer) bring the
-- kept state of the variants it touches up to date. Rollback drops them.

set local lock_timeout = '5s';

create function private.require_planner(p_shop_id uuid)
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    -- an integration (a purchase-order sync) may record them too
    if pg_catalog.current_setting('role') = 'service_role' then
        return;
    end if;
    if private.my_role_in_shop(p_shop_id) is distinct from 'owner'
        and private.my_role_in_shop(p_shop_id) is distinct from 'manager' then
        raise exception 'shop % not found, or your role may not plan its stock', p_shop_id
            using errcode = '42501', hint = 'Owners and managers record suppliers, lead times and receipts.';
    end if;
end
$$;

comment on function private.require_planner(uuid) is 'Raises 42501 unless the caller is an owner or a manager of the shop (those who plan its stock) or service_role (an integration).';

create function private.check_whole_number(p_value integer, p_field text, p_min integer,
                                           p_max integer)
    returns integer
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    if p_value is null or p_value not between p_min and p_max then
        raise exception '% must be a whole number from % to %, got %', p_field, p_min, p_max,
            coalesce(p_value::text, 'null')
            using errcode = '22023', column = p_field;
    end if;
    return p_value;
end
$$;

comment on function private.check_whole_number(integer, text, integer, integer) is 'Returns the number if it lies within [p_min, p_max]; otherwise (or null) raises 22023 naming the field.';

create function private.check_shop_variant(p_shop_id uuid, p_variant_id bigint)
    returns bigint
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    if p_variant_id is null or not exists (
        select
        from app.shopify_variant as v
        where v.shop_id = p_shop_id
            and v.variant_id = p_variant_id) then
        raise exception 'variant_id % is not a variant of the shop', coalesce(p_variant_id::text, 'null')
            using errcode = '22023', column = 'variant_id',
                hint = 'Give a Shopify variant id the shop''s catalog holds.';
    end if;
    return p_variant_id;
end
$$;

comment on function private.check_shop_variant(uuid, bigint) is 'Returns the variant id if the shop''s catalog holds it; otherwise raises 22023 naming variant_id.';

create function private.check_shop_supplier(p_shop_id uuid, p_supplier_id bigint)
    returns bigint
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    if p_supplier_id is not null and not exists (
        select
        from app.inventory_supplier as s
        where s.shop_id = p_shop_id
            and s.supplier_id = p_supplier_id) then
        raise exception 'supplier_id % is not a supplier of the shop', p_supplier_id
            using errcode = '22023', column = 'supplier_id',
                hint = 'Record the supplier first with POST /rpc/set_supplier.';
    end if;
    return p_supplier_id;
end
$$;

comment on function private.check_shop_supplier(uuid, bigint) is 'Returns the supplier id if it is null or one of the shop''s suppliers; otherwise raises 22023 naming supplier_id.';

create function api.set_supplier(shop_id uuid, name text, lead_time_days integer,
                                 order_multiple integer default 1)
    returns bigint
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_id bigint;
begin
    perform private.require_planner(set_supplier.shop_id);
    perform private.check_text(set_supplier.name, 'name', 200);
    perform private.check_whole_number(set_supplier.lead_time_days, 'lead_time_days', 1, 365);
    perform private.check_whole_number(set_supplier.order_multiple, 'order_multiple', 1, 100000);
    insert into app.inventory_supplier as s (shop_id, name, lead_time_days, order_multiple)
    values (set_supplier.shop_id, pg_catalog.btrim(set_supplier.name),
            set_supplier.lead_time_days, set_supplier.order_multiple)
    on conflict on constraint unique_inventory_supplier_name do update
    set lead_time_days = excluded.lead_time_days,
        order_multiple = excluded.order_multiple,
        updated_at = pg_catalog.now()
    returning s.supplier_id into v_id;
    return v_id;
end
$$;

comment on function api.set_supplier(uuid, text, integer, integer) is 'Records a supplier of the shop (or updates the one of that name): its quoted lead time in days (1 to 365) and the multiple its orders come in (1 by default). Returns the supplier''s id. Owners and managers (and service_role).';

create function api.set_variant_supplier(shop_id uuid, variant_id bigint, supplier_id bigint,
                                         lead_time_days integer default null)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    perform private.require_planner(set_variant_supplier.shop_id);
    perform private.check_shop_variant(set_variant_supplier.shop_id, set_variant_supplier.variant_id);
    if set_variant_supplier.supplier_id is null then
        delete from app.inventory_variant_supplier as v
        where v.shop_id = set_variant_supplier.shop_id
            and v.variant_id = set_variant_supplier.variant_id;
        return;
    end if;
    perform private.check_shop_supplier(set_variant_supplier.shop_id, set_variant_supplier.supplier_id);
    if set_variant_supplier.lead_time_days is not null then
        perform private.check_whole_number(set_variant_supplier.lead_time_days, 'lead_time_days', 1, 365);
    end if;
    insert into app.inventory_variant_supplier as v (shop_id, variant_id, supplier_id,
        lead_time_days)
    values (set_variant_supplier.shop_id, set_variant_supplier.variant_id,
            set_variant_supplier.supplier_id, set_variant_supplier.lead_time_days)
    on conflict on constraint pk_inventory_variant_supplier do update
    set supplier_id = excluded.supplier_id,
        lead_time_days = excluded.lead_time_days,
        updated_at = pg_catalog.now();
end
$$;

comment on function api.set_variant_supplier(uuid, bigint, bigint, integer) is 'Says who supplies a variant, and its own lead time in days when it differs from the supplier''s (null: the supplier''s); a null supplier_id forgets the variant''s supplier. Owners and managers (and service_role).';

create function api.record_expected_receipt(shop_id uuid, variant_id bigint, quantity integer,
                                            expected_on date, supplier_id bigint default null,
                                            reference text default null,
                                            ordered_at timestamptz default null)
    returns bigint
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_id bigint;
begin
    perform private.require_planner(record_expected_receipt.shop_id);
    perform private.check_shop_variant(record_expected_receipt.shop_id,
                                       record_expected_receipt.variant_id);
    perform private.check_whole_number(record_expected_receipt.quantity, 'quantity', 1, 10000000);
    if record_expected_receipt.expected_on is null then
        raise exception 'expected_on must be the day the stock is expected, like 2026-12-15'
            using errcode = '22023', column = 'expected_on';
    end if;
    perform private.check_shop_supplier(record_expected_receipt.shop_id,
                                        record_expected_receipt.supplier_id);
    if record_expected_receipt.reference is not null then
        perform private.check_text(record_expected_receipt.reference, 'reference', 200);
    end if;
    insert into app.inventory_receipt as r (shop_id, variant_id, supplier_id, quantity,
        expected_on, ordered_at, reference, recorded_by)
    values (record_expected_receipt.shop_id, record_expected_receipt.variant_id,
            coalesce(record_expected_receipt.supplier_id, (
                select v.supplier_id
                from app.inventory_variant_supplier as v
                where v.shop_id = record_expected_receipt.shop_id
                    and v.variant_id = record_expected_receipt.variant_id)),
            record_expected_receipt.quantity, record_expected_receipt.expected_on,
            coalesce(record_expected_receipt.ordered_at, pg_catalog.now()),
            record_expected_receipt.reference, (select auth.uid()))
    returning r.receipt_id into v_id;
    return v_id;
end
$$;

comment on function api.record_expected_receipt(uuid, bigint, integer, date, bigint, text, timestamptz) is 'Records stock on order: a variant, how many units (1 to 10,000,000), the day they are expected, and optionally the supplier (else the variant''s), a purchase order reference and when it was ordered (now by default). On order from ordered_at until received or cancelled. Returns the receipt''s id. Owners and managers (and service_role).';

create function api.close_receipt(shop_id uuid, receipt_id bigint, status text,
                                  at timestamptz default null)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_at timestamptz := coalesce(close_receipt.at, pg_catalog.now());
begin
    perform private.require_planner(close_receipt.shop_id);
    perform private.check_one_of(close_receipt.status, array['received', 'cancelled'], 'status');
    update app.inventory_receipt as r
    set received_at = case when close_receipt.status = 'received' then v_at end,
        cancelled_at = case when close_receipt.status = 'cancelled' then v_at end
    where r.shop_id = close_receipt.shop_id
        and r.receipt_id = close_receipt.receipt_id
        and r.received_at is null
        and r.cancelled_at is null;
    if not found then
        raise exception 'receipt % is not an open receipt of the shop', close_receipt.receipt_id
            using errcode = '22023', column = 'receipt_id',
                hint = 'Only a receipt still on order is received or cancelled, once.';
    end if;
end
$$;

comment on function api.close_receipt(uuid, bigint, text, timestamptz) is 'Closes an open receipt: received (the stock arrived; Shopify''s levels show it) or cancelled, at a moment (now by default); it is on order no more. Owners and managers (and service_role).';

create function api.set_inventory_settings(shop_id uuid, lookback_days integer default 30,
                                           slow_lookback_days integer default 90,
                                           slow_mover_units integer default 10,
                                           min_in_stock_days integer default 7,
                                           default_lead_time_days integer default 14,
                                           target_cover_days integer default 30,
                                           review_days integer default 7,
                                           dead_stock_days integer default 90)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    perform private.require_planner(set_inventory_settings.shop_id);
    perform private.check_whole_number(set_inventory_settings.lookback_days, 'lookback_days', 7, 90);
    perform private.check_whole_number(set_inventory_settings.slow_lookback_days,
                                       'slow_lookback_days', set_inventory_settings.lookback_days, 90);
    perform private.check_whole_number(set_inventory_settings.slow_mover_units, 'slow_mover_units', 0, 100000);
    perform private.check_whole_number(set_inventory_settings.min_in_stock_days, 'min_in_stock_days',
                                       1, set_inventory_settings.lookback_days);
    perform private.check_whole_number(set_inventory_settings.default_lead_time_days,
                                       'default_lead_time_days', 1, 365);
    perform private.check_whole_number(set_inventory_settings.target_cover_days, 'target_cover_days', 1, 365);
    perform private.check_whole_number(set_inventory_settings.review_days, 'review_days', 0, 365);
    perform private.check_whole_number(set_inventory_settings.dead_stock_days, 'dead_stock_days', 30, 90);
    insert into app.inventory_settings as s (shop_id, lookback_days, slow_lookback_days,
        slow_mover_units, min_in_stock_days, default_lead_time_days, target_cover_days,
        review_days, dead_stock_days, updated_by)
    values (set_inventory_settings.shop_id, set_inventory_settings.lookback_days,
            set_inventory_settings.slow_lookback_days, set_inventory_settings.slow_mover_units,
            set_inventory_settings.min_in_stock_days, set_inventory_settings.default_lead_time_days,
            set_inventory_settings.target_cover_days, set_inventory_settings.review_days,
            set_inventory_settings.dead_stock_days, (select auth.uid()))
    on conflict on constraint pk_inventory_settings do update
    set lookback_days = excluded.lookback_days,
        slow_lookback_days = excluded.slow_lookback_days,
        slow_mover_units = excluded.slow_mover_units,
        min_in_stock_days = excluded.min_in_stock_days,
        default_lead_time_days = excluded.default_lead_time_days,
        target_cover_days = excluded.target_cover_days,
        review_days = excluded.review_days,
        dead_stock_days = excluded.dead_stock_days,
        updated_by = excluded.updated_by,
        updated_at = pg_catalog.now();
end
$$;

comment on function api.set_inventory_settings(uuid, integer, integer, integer, integer, integer, integer, integer, integer) is 'Sets how Inventory Watch plans for the shop (each argument left out takes its default): lookback 7 to 90 days (30), slow movers'' lookback (90), the units (10) and in-stock days (7) under which a variant is slow, the default lead time (14), target cover (30), review period (7) and dead-stock window (30 to 90; 90). The stored figures follow at the next day roll. Owners and managers (and service_role).';

create function private.tg_inventory_receipt__refresh_state()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    -- what is on order moved: the variant's kept state follows (as definer: the caller
    -- records receipts, the state is written for it)
    perform private.refresh_inventory_state(new.shop_id, array[new.variant_id, old.variant_id]);
    return null;
end
$$;

comment on function private.tg_inventory_receipt__refresh_state() is 'Trigger on app.inventory_receipt: the kept Inventory Watch state of the receipt''s variant follows it.';

create trigger tg_inventory_receipt__refresh_state
    after insert or update on app.inventory_receipt
    for each row
    execute function private.tg_inventory_receipt__refresh_state();

create function private.tg_inventory_variant_supplier__refresh_state()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    perform private.refresh_inventory_state(coalesce(new.shop_id, old.shop_id),
                                            array[new.variant_id, old.variant_id]);
    return null;
end
$$;

comment on function private.tg_inventory_variant_supplier__refresh_state() is 'Trigger on app.inventory_variant_supplier: a variant''s supplier or lead time changed, and its kept Inventory Watch state follows.';

create trigger tg_inventory_variant_supplier__refresh_state
    after insert or update or delete on app.inventory_variant_supplier
    for each row
    execute function private.tg_inventory_variant_supplier__refresh_state();

create function private.tg_inventory_supplier__refresh_state()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    perform private.refresh_inventory_state(new.shop_id, array(
        select v.variant_id
        from app.inventory_variant_supplier as v
        where v.shop_id = new.shop_id
            and v.supplier_id = new.supplier_id));
    return null;
end
$$;

comment on function private.tg_inventory_supplier__refresh_state() is 'Trigger on app.inventory_supplier: a supplier''s lead time or order multiple changed, and the kept Inventory Watch state of its variants follows.';

create trigger tg_inventory_supplier__refresh_state
    after update on app.inventory_supplier
    for each row
    execute function private.tg_inventory_supplier__refresh_state();

create function private.tg_inventory_settings__refresh_state()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    -- the lookbacks may have changed: every stored figure, and so every state, again
    perform private.refresh_inventory_stats(coalesce(new.shop_id, old.shop_id), null);
    return null;
end
$$;

comment on function private.tg_inventory_settings__refresh_state() is 'Trigger on app.inventory_settings: the shop''s planning settings changed, and its stored Inventory Watch figures and state are computed again.';

create trigger tg_inventory_settings__refresh_state
    after insert or update or delete on app.inventory_settings
    for each row
    execute function private.tg_inventory_settings__refresh_state();

grant execute on function private.require_planner(uuid) to authenticated, service_role;

grant execute on function private.check_whole_number(integer, text, integer, integer) to authenticated, service_role;

grant execute on function private.check_shop_variant(uuid, bigint) to authenticated, service_role;

grant execute on function private.check_shop_supplier(uuid, bigint) to authenticated, service_role;

grant execute on function api.set_supplier(uuid, text, integer, integer) to authenticated, service_role;

grant execute on function api.set_variant_supplier(uuid, bigint, bigint, integer) to authenticated, service_role;

grant execute on function api.record_expected_receipt(uuid, bigint, integer, date, bigint, text, timestamptz) to authenticated, service_role;

grant execute on function api.close_receipt(uuid, bigint, text, timestamptz) to authenticated, service_role;

grant execute on function api.set_inventory_settings(uuid, integer, integer, integer, integer, integer, integer, integer, integer) to authenticated, service_role;
