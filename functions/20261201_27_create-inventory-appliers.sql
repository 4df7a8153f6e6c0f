-- Shopify's inventory appliers: levels with their history, locations, inventory item deletions.
-- depends: 20261201_26_describe-shopify-inventory
--
-- private.shopify_apply_levels keeps every version of a level in
-- app.shopify_inventory_level_version, in whatever order they arrive (a version already
-- held is stale), and makes the newest one the level: a stale or equal updated_at never
-- overwrites it. Each new version is reported to the change feed as
-- shopify_inventory_level_version (the snapshots subscribe there). Locations and
-- inventory item deletions are stored like products and their deletions.
-- private.shopify_apply and private.shopify_apply_page get the new topics and the backfill
-- kinds location and inventory_level; the rollback restores them and drops the rest.

create function private.lock_shopify_keys(p_shop_id uuid, p_entity text, p_keys bigint[])
    returns void
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    select pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended(p_shop_id::text || '/' || p_entity || '/' || k::text, 0))
    from (select distinct pg_catalog.unnest(p_keys) as k order by 1) as keys
$$;

comment on function private.lock_shopify_keys(uuid, text, bigint[]) is 'Takes transaction advisory locks on keys of an entity (shopify_inventory_item, ...), in key order (no deadlocks), so two deliveries about one key apply one after the other.';

create function private.shopify_apply_levels(p_shop_id uuid, p_levels jsonb,
                                             p_version timestamptz, p_disconnect boolean)
    returns table (ordinal bigint, outcome text)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
declare
    v_items bigint[];
    v_ordinals bigint[];
    v_ids bigint[];
    v_state jsonb;
begin
    -- the items alone, to lock their levels before the stored versions are read
    v_items := array(select distinct (i.value #>> '{}')::bigint
                     from pg_catalog.jsonb_array_elements(
                         pg_catalog.jsonb_path_query_array(p_levels, '$[*].inventory_item_id')) as i (value));
    perform private.lock_shopify_keys(p_shop_id, 'shopify_inventory_item', v_items);
    -- the versions not held yet, one per level and moment (the last element of a page
    -- wins a tie); a version without updated_at (a disconnect) is as of p_version
    select coalesce(pg_catalog.array_agg(n.ordinal order by n.ordinal), '{}')
    into v_ordinals
    from (
        select distinct on (l.inventory_item_id, l.location_id, coalesce(l.updated_at, p_version))
            l.ordinal, l.inventory_item_id, l.location_id, coalesce(l.updated_at, p_version) as version
        from private.shopify_inventory_level_rows(p_levels) as l
        order by l.inventory_item_id, l.location_id, coalesce(l.updated_at, p_version), l.ordinal desc
    ) as n
    where not exists (
        select
        from app.shopify_inventory_level_version as v
        where v.shop_id = p_shop_id
            and v.inventory_item_id = n.inventory_item_id
            and v.location_id = n.location_id
            and v.updated_at = n.version);
    if pg_catalog.cardinality(v_ordinals) > 0 then
        v_ids := array(
            select pg_catalog.nextval('app.shopify_inventory_level_version_version_id_seq')
            from pg_catalog.generate_series(1, pg_catalog.cardinality(v_ordinals)));
        v_state := private.changing(p_shop_id, 'shopify_inventory_level_version', v_ids);
        insert into app.shopify_inventory_level_version (shop_id, inventory_item_id,
            location_id, updated_at, version_id, available, is_disconnect)
        overriding system value
        select p_shop_id, l.inventory_item_id, l.location_id, coalesce(l.updated_at, p_version),
            v_ids[pg_catalog.array_position(v_ordinals, l.ordinal)],
            case when p_disconnect then null else l.available end, p_disconnect
        from private.shopify_inventory_level_rows(p_levels) as l
        where l.ordinal = any (v_ordinals);
        -- the newest version of each level is the level; an older or equal one never
        -- overwrites it
        insert into app.shopify_inventory_level as t (shop_id, inventory_item_id, location_id,
            available, updated_at)
        select distinct on (l.inventory_item_id, l.location_id) p_shop_id, l.inventory_item_id,
            l.location_id, case when p_disconnect then null else l.available end,
            coalesce(l.updated_at, p_version)
        from private.shopify_inventory_level_rows(p_levels) as l
        where l.ordinal = any (v_ordinals)
        order by l.inventory_item_id, l.location_id, coalesce(l.updated_at, p_version) desc
        on conflict on constraint pk_shopify_inventory_level do update
        set available = excluded.available,
            updated_at = excluded.updated_at
        where excluded.updated_at > t.updated_at;
        perform private.changed(p_shop_id, 'shopify_inventory_level_version', v_ids, v_state);
    end if;
    return query
        select n.n, case when n.n = any (v_ordinals) then 'applied' else 'stale' end
        from pg_catalog.generate_series(1::bigint,
            pg_catalog.jsonb_array_length(p_levels)::bigint) as n (n);
end
$$;

comment on function private.shopify_apply_levels(uuid, jsonb, timestamptz, boolean) is 'Keeps every new version of inventory levels (applied; one already held is stale), whatever order they come in, and makes the newest the level; a version without updated_at is as of p_version, and a disconnect leaves nothing available. Reports the new versions as shopify_inventory_level_version.';

create function private.shopify_apply_locations(p_shop_id uuid, p_locations jsonb,
                                                p_version timestamptz)
    returns table (ordinal bigint, outcome text)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
declare
    v_winners bigint[];
    v_ordinals bigint[];
    v_state jsonb;
begin
    -- the newest element of each location wins if newer than the stored version
    select coalesce(pg_catalog.array_agg(w.location_id order by w.location_id), '{}'),
        coalesce(pg_catalog.array_agg(w.ordinal order by w.location_id), '{}')
    into v_winners, v_ordinals
    from (
        select distinct on (l.location_id) l.location_id, l.ordinal,
            coalesce(l.updated_at, p_version) as version
        from private.shopify_location_rows(p_locations) as l
        order by l.location_id, coalesce(l.updated_at, p_version) desc, l.ordinal desc
    ) as w
    where w.version > coalesce((select s.updated_at
                                from app.shopify_location as s
                                where s.shop_id = p_shop_id
                                    and s.location_id = w.location_id), '-infinity');
    v_state := private.changing(p_shop_id, 'shopify_location', v_winners);
    insert into app.shopify_location as t (shop_id, location_id, name, city, province_code,
        country_code, is_active, is_legacy, created_at, updated_at)
    select p_shop_id, l.location_id, l.name, l.city, l.province_code, l.country_code,
        l.is_active, l.is_legacy, l.created_at, coalesce(l.updated_at, p_version)
    from private.shopify_location_rows(p_locations) as l
    where l.ordinal = any (v_ordinals)
    on conflict on constraint pk_shopify_location do update
    set name = excluded.name,
        city = excluded.city,
        province_code = excluded.province_code,
        country_code = excluded.country_code,
        is_active = excluded.is_active,
        is_legacy = excluded.is_legacy,
        created_at = coalesce(excluded.created_at, t.created_at),
        updated_at = excluded.updated_at;
    perform private.changed(p_shop_id, 'shopify_location', v_winners, v_state);
    return query
        select n.n, case when n.n = any (v_ordinals) then 'applied' else 'stale' end
        from pg_catalog.generate_series(1::bigint,
            pg_catalog.jsonb_array_length(p_locations)::bigint) as n (n);
end
$$;

comment on function private.shopify_apply_locations(uuid, jsonb, timestamptz) is 'Stores locations newer than the stored version (one without updated_at counts as of p_version). Returns applied or stale per element; reports shopify_location.';

create function private.shopify_delete_location(p_shop_id uuid, p_location_id bigint,
                                                p_deleted_at timestamptz)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_state jsonb;
begin
    v_state := private.changing(p_shop_id, 'shopify_location', array[p_location_id]);
    insert into app.shopify_location as t (shop_id, location_id, updated_at, deleted_at)
    values (p_shop_id, p_location_id, '-infinity', p_deleted_at)
    on conflict on constraint pk_shopify_location do update
    set deleted_at = coalesce(t.deleted_at, excluded.deleted_at);
    perform private.changed(p_shop_id, 'shopify_location', array[p_location_id], v_state);
end
$$;

comment on function private.shopify_delete_location(uuid, bigint, timestamptz) is 'locations/delete: marks the location deleted (its levels stay in the history); a deletion that arrives first leaves a row later versions fill in. Reports shopify_location.';

create function private.shopify_delete_inventory_item(p_shop_id uuid, p_inventory_item_id bigint,
                                                      p_deleted_at timestamptz)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_state jsonb;
begin
    v_state := private.changing(p_shop_id, 'shopify_inventory_item', array[p_inventory_item_id]);
    insert into app.shopify_inventory_item as t (shop_id, inventory_item_id, updated_at, deleted_at)
    values (p_shop_id, p_inventory_item_id, '-infinity', p_deleted_at)
    on conflict on constraint pk_shopify_inventory_item do update
    set deleted_at = coalesce(t.deleted_at, excluded.deleted_at);
    perform private.changed(p_shop_id, 'shopify_inventory_item', array[p_inventory_item_id], v_state);
end
$$;

comment on function private.shopify_delete_inventory_item(uuid, bigint, timestamptz) is 'inventory_items/delete: marks the inventory item deleted (its row and its levels'' history stay); a deletion that arrives first leaves a row later versions fill in. Reports shopify_inventory_item.';

grant execute on function private.lock_shopify_keys(uuid, text, bigint[]) to service_role;

grant execute on function private.shopify_apply_levels(uuid, jsonb, timestamptz, boolean) to service_role;

grant execute on function private.shopify_apply_locations(uuid, jsonb, timestamptz) to service_role;

grant execute on function private.shopify_delete_location(uuid, bigint, timestamptz) to service_role;

grant execute on function private.shopify_delete_inventory_item(uuid, bigint, timestamptz) to service_role;

CREATE OR REPLACE FUNCTION private.shopify_apply(p_shop_id uuid, p_topic text, p_payload jsonb, p_context jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
    v_outcome text;
    v_at timestamptz := coalesce((p_context ->> 'triggered_at')::timestamptz, pg_catalog.now());
begin
    -- the payload has passed its resource's checks (private.inbound_topic)
    case
        when p_topic = 'orders/edited' and p_payload ? 'order_edit' then
            -- the orders/updated Shopify sends with it carries the edited order
            return pg_catalog.jsonb_build_object('outcome', 'recorded');
        when p_topic in ('orders/create', 'orders/updated', 'orders/cancelled', 'orders/paid',
                         'orders/edited', 'backfill/order') then
            select a.outcome into v_outcome
            from private.shopify_apply_orders(p_shop_id, pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic = 'orders/delete' then
            perform private.shopify_delete_order(p_shop_id, d.order_id, v_at)
            from private.shopify_order_deletion_rows(pg_catalog.jsonb_build_array(p_payload)) as d;
            v_outcome := 'applied';
        when p_topic = 'refunds/create' then
            select a.outcome into v_outcome
            from private.shopify_apply_refunds(p_shop_id, pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic in ('products/create', 'products/update', 'backfill/product') then
            select a.outcome into v_outcome
            from private.shopify_apply_products(p_shop_id, pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic = 'products/delete' then
            perform private.shopify_delete_product(p_shop_id, d.product_id, v_at)
            from private.shopify_product_deletion_rows(pg_catalog.jsonb_build_array(p_payload)) as d;
            v_outcome := 'applied';
        when p_topic in ('customers/create', 'customers/update', 'backfill/customer') then
            select a.outcome into v_outcome
            from private.shopify_apply_customers(p_shop_id, pg_catalog.jsonb_build_array(p_payload),
                                                 v_at) as a;
        when p_topic = 'backfill/inventory_item' then
            select a.outcome into v_outcome
            from private.shopify_apply_inventory_items(p_shop_id,
                                                       pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic in ('inventory_levels/update', 'inventory_levels/connect',
                         'backfill/inventory_level') then
            select a.outcome into v_outcome
            from private.shopify_apply_levels(p_shop_id, pg_catalog.jsonb_build_array(p_payload),
                                              v_at, false) as a;
        when p_topic = 'inventory_levels/disconnect' then
            select a.outcome into v_outcome
            from private.shopify_apply_levels(p_shop_id, pg_catalog.jsonb_build_array(p_payload),
                                              v_at, true) as a;
        when p_topic in ('inventory_items/create', 'inventory_items/update') then
            select a.outcome into v_outcome
            from private.shopify_apply_inventory_items(p_shop_id,
                                                       pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic = 'inventory_items/delete' then
            perform private.shopify_delete_inventory_item(p_shop_id, d.inventory_item_id, v_at)
            from private.shopify_inventory_item_deletion_rows(pg_catalog.jsonb_build_array(p_payload)) as d;
            v_outcome := 'applied';
        when p_topic in ('locations/create', 'locations/update', 'backfill/location') then
            select a.outcome into v_outcome
            from private.shopify_apply_locations(p_shop_id, pg_catalog.jsonb_build_array(p_payload),
                                                 v_at) as a;
        when p_topic = 'locations/delete' then
            perform private.shopify_delete_location(p_shop_id, d.location_id, v_at)
            from private.shopify_location_deletion_rows(pg_catalog.jsonb_build_array(p_payload)) as d;
            v_outcome := 'applied';
        when p_topic = 'shop/update' then
            v_outcome := private.shopify_apply_shop(p_shop_id, p_payload, v_at);
        when p_topic = 'customers/data_request' then
            return pg_catalog.jsonb_build_object('outcome', 'recorded', 'data',
                private.shopify_customer_data(p_shop_id, (p_payload #>> '{customer,id}')::bigint));
        when p_topic = 'customers/redact' then
            perform private.shopify_redact(p_shop_id, (p_payload #>> '{customer,id}')::bigint,
                array(select pg_catalog.jsonb_array_elements_text(
                    coalesce(nullif(p_payload -> 'orders_to_redact', 'null'), '[]'))::bigint),
                array(select v.value
                      from pg_catalog.jsonb_each_text(p_payload -> 'customer') as v
                      where v.key <> 'id' and v.value is not null));
            return pg_catalog.jsonb_build_object('outcome', 'recorded', 'store_scrubbed', true);
        when p_topic = 'shop/redact' then
            perform private.shopify_redact(p_shop_id, null, '{}', '{}');
            return pg_catalog.jsonb_build_object('outcome', 'recorded', 'store_scrubbed', true);
        else
            raise exception 'no Shopify applier for topic %', p_topic
                using errcode = '22023', column = 'topic',
                    hint = 'A topic in private.inbound_topic needs a branch in private.shopify_apply.';
    end case;
    return pg_catalog.jsonb_build_object('outcome', v_outcome);
end
$$;

COMMENT ON FUNCTION private.shopify_apply(p_shop_id uuid, p_topic text, p_payload jsonb, p_context jsonb) IS 'Shopify''s applier (private.inbound_source): normalises one checked payload of a topic into the model (orders, refunds, products, customers, inventory items, levels and locations, the shop). Returns {"outcome": applied | stale | recorded, ...}; customers/data_request answers with the data held; the redaction topics ask for their own bodies to be kept scrubbed (store_scrubbed).';

REVOKE ALL ON FUNCTION private.shopify_apply(p_shop_id uuid, p_topic text, p_payload jsonb, p_context jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION private.shopify_apply(p_shop_id uuid, p_topic text, p_payload jsonb, p_context jsonb) TO service_role;

CREATE OR REPLACE FUNCTION private.shopify_apply_page(p_shop_id uuid, p_resources jsonb) RETURNS TABLE(ordinal bigint, outcome text)
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
#variable_conflict use_column
declare
    v_kinds text[];
    v_kind text;
    v_items jsonb;
    v_ordinals bigint[];
begin
    -- the kinds alone, small: which resources of the page each applier gets
    v_kinds := array(select pg_catalog.jsonb_array_elements_text(
        pg_catalog.jsonb_path_query_array(p_resources, '$[*].kind')));
    -- catalog first, then locations and their levels, then customers, then orders (whose
    -- lines take their variants' costs)
    foreach v_kind in array array['product', 'inventory_item', 'location', 'inventory_level',
                                  'customer', 'order'] loop
        v_ordinals := array(
            select k.n
            from pg_catalog.unnest(v_kinds) with ordinality as k (kind, n)
            where k.kind = v_kind
            order by k.n);
        if pg_catalog.cardinality(v_ordinals) = 0 then
            continue;
        end if;
        v_items := pg_catalog.jsonb_path_query_array(p_resources,
            '$[*] ? (@.kind == $kind).resource', pg_catalog.jsonb_build_object('kind', v_kind));
        if v_kind = 'product' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_products(p_shop_id, v_items) as a;
        elsif v_kind = 'inventory_item' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_inventory_items(p_shop_id, v_items) as a;
        elsif v_kind = 'location' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_locations(p_shop_id, v_items, pg_catalog.now()) as a;
        elsif v_kind = 'inventory_level' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_levels(p_shop_id, v_items, pg_catalog.now(), false) as a;
        elsif v_kind = 'customer' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_customers(p_shop_id, v_items, pg_catalog.now()) as a;
        else
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_orders(p_shop_id, v_items) as a;
        end if;
    end loop;
end
$_$;

COMMENT ON FUNCTION private.shopify_apply_page(p_shop_id uuid, p_resources jsonb) IS 'Shopify''s page applier (private.inbound_source): applies a checked backfill page set-based, kind by kind (products, inventory items, locations, inventory levels, customers, orders). Returns (ordinal in the page, applied | stale) per resource.';

REVOKE ALL ON FUNCTION private.shopify_apply_page(p_shop_id uuid, p_resources jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION private.shopify_apply_page(p_shop_id uuid, p_resources jsonb) TO service_role;
