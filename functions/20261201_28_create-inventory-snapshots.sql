-- The daily stock snapshots, derived from the level versions and kept current by the change feed.
-- depends: 20261201_27_create-inventory-appliers
--
-- private.inventory_days computes a level's (or an item's, over all its locations)
-- end-of-day close and low from the versions, for the shop-local days a version fell on.
-- private.inventory_on_level_version subscribes to shopify_inventory_level_version: a new
-- version changes the days from its own to the day of its level's next version, or to the
-- item's last day if none is newer (a version that arrives late changes the day it fell
-- on and the days its value carried into), and only those are computed again, so the snapshots never depend on the
-- order the versions arrived in. private.rebuild_inventory_days recomputes a shop's.
-- Rollback unsubscribes and drops them.

create function private.inventory_days(p_shop_id uuid, p_tz text, p_inventory_item_id bigint,
                                       p_location_id bigint, p_from date, p_to date)
    returns table (day date, close integer, low integer)
    language sql
    stable
    security invoker
    set search_path = ''
    rows 4
as $$
    with locations as (
        select distinct v.location_id
        from app.shopify_inventory_level_version as v
        where v.shop_id = p_shop_id
            and v.inventory_item_id = p_inventory_item_id
            and (p_location_id is null or v.location_id = p_location_id)
    ),
    moments as (
        -- every moment a version took effect within the days (versions of one moment together)
        select distinct (v.updated_at at time zone p_tz)::date as day, v.updated_at as at
        from app.shopify_inventory_level_version as v
        where v.shop_id = p_shop_id
            and v.inventory_item_id = p_inventory_item_id
            and (p_location_id is null or v.location_id = p_location_id)
            and v.updated_at >= (p_from::timestamp at time zone p_tz)
            and v.updated_at < ((p_to + 1)::timestamp at time zone p_tz)
    ),
    points as (
        select m.day, m.at
        from moments as m
        union
        -- and the start of each of those days
        select m.day, m.day::timestamp at time zone p_tz
        from moments as m
    ),
    totals as (
        -- the available at each point: each location's latest version at or before it
        select p.day, p.at, pg_catalog.sum(coalesce(s.available, 0))::integer as total,
            pg_catalog.count(s.updated_at) > 0 as observed
        from points as p
            cross join locations as l
            left join lateral (
                select v.available, v.updated_at
                from app.shopify_inventory_level_version as v
                where v.shop_id = p_shop_id
                    and v.inventory_item_id = p_inventory_item_id
                    and v.location_id = l.location_id
                    and v.updated_at <= p.at
                order by v.updated_at desc
                limit 1
            ) as s on true
        group by p.day, p.at
    )
    select t.day, (pg_catalog.array_agg(t.total order by t.at desc))[1],
        pg_catalog.min(t.total) filter (where t.observed)
    from totals as t
    group by t.day
$$;

comment on function private.inventory_days(uuid, text, bigint, bigint, date, date) is 'The end-of-day snapshot of one level (p_location_id) or of an inventory item over all its locations (p_location_id null), from its versions, for the shop-local days within [p_from, p_to] that a version fell on: close (available at the end of the day) and low (the least at the day''s start, when a version came before, and at each moment versions took effect). A null available counts as 0.';

create function private.refresh_inventory_days(p_shop_id uuid, p_inventory_item_id bigint,
                                               p_from date, p_to date)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_tz text;
begin
    select s.iana_timezone into strict v_tz
    from app.shop as s
    where s.shop_id = p_shop_id;
    delete from app.inventory_item_day as d
    where d.shop_id = p_shop_id
        and d.inventory_item_id = p_inventory_item_id
        and d.day between p_from and p_to;
    insert into app.inventory_item_day (shop_id, inventory_item_id, day, close, low)
    select p_shop_id, p_inventory_item_id, d.day, d.close, d.low
    from private.inventory_days(p_shop_id, v_tz, p_inventory_item_id, null, p_from, p_to) as d;
    delete from app.inventory_level_day as d
    where d.shop_id = p_shop_id
        and d.inventory_item_id = p_inventory_item_id
        and d.day between p_from and p_to;
    insert into app.inventory_level_day (shop_id, inventory_item_id, location_id, day, close, low)
    select p_shop_id, p_inventory_item_id, l.location_id, d.day, d.close, d.low
    from (
        select distinct v.location_id
        from app.shopify_inventory_level_version as v
        where v.shop_id = p_shop_id
            and v.inventory_item_id = p_inventory_item_id
    ) as l
        cross join lateral private.inventory_days(p_shop_id, v_tz, p_inventory_item_id,
                                                  l.location_id, p_from, p_to) as d;
end
$$;

comment on function private.refresh_inventory_days(uuid, bigint, date, date) is 'Computes an inventory item''s snapshots (the item''s and each of its levels'') again for the shop-local days within [p_from, p_to].';

create function private.inventory_on_level_version(p_shop_id uuid, p_keys bigint[],
                                                   p_phase text, p_state jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- every subscriber takes the change feed's state; this one keeps none (p_state is unused):
-- @plpgsql_check_options: extra_warnings = false
declare
    v_tz text;
    v_item record;
begin
    -- versions are only ever added: there is nothing to take away before
    if p_phase = 'before' then
        return null;
    end if;
    select s.iana_timezone into strict v_tz
    from app.shop as s
    where s.shop_id = p_shop_id;
    -- a version changes the days from its own to the day of its level's next version
    for v_item in
        select x.inventory_item_id, pg_catalog.min(x.from_day) as from_day,
            pg_catalog.max(x.to_day) as to_day
        from (
            select v.inventory_item_id, (v.updated_at at time zone v_tz)::date as from_day,
                coalesce((
                    select (n.updated_at at time zone v_tz)::date
                    from app.shopify_inventory_level_version as n
                    where n.shop_id = v.shop_id
                        and n.inventory_item_id = v.inventory_item_id
                        and n.location_id = v.location_id
                        and n.updated_at > v.updated_at
                    order by n.updated_at
                    limit 1), (
                    -- else its value carries into every later day of the item
                    select (pg_catalog.max(n.updated_at) at time zone v_tz)::date
                    from app.shopify_inventory_level_version as n
                    where n.shop_id = v.shop_id
                        and n.inventory_item_id = v.inventory_item_id)) as to_day
            from app.shopify_inventory_level_version as v
            where v.shop_id = p_shop_id
                and v.version_id = any (p_keys)
        ) as x
        group by x.inventory_item_id
        order by x.inventory_item_id
    loop
        perform private.refresh_inventory_days(p_shop_id, v_item.inventory_item_id,
                                               v_item.from_day, v_item.to_day);
    end loop;
    return null;
end
$$;

comment on function private.inventory_on_level_version(uuid, bigint[], text, jsonb) is 'The stock snapshots'' subscriber to shopify_inventory_level_version: after new versions are stored, computes again the days each one changes (its own, up to the day of its level''s next version, or of the item''s last version).';

create function private.rebuild_inventory_days(p_shop_id uuid)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_tz text;
begin
    select s.iana_timezone into strict v_tz
    from app.shop as s
    where s.shop_id = p_shop_id;
    delete from app.inventory_item_day as d
    where d.shop_id = p_shop_id;
    delete from app.inventory_level_day as d
    where d.shop_id = p_shop_id;
    perform private.refresh_inventory_days(p_shop_id, i.inventory_item_id, i.from_day, i.to_day)
    from (
        select v.inventory_item_id,
            (pg_catalog.min(v.updated_at) at time zone v_tz)::date as from_day,
            (pg_catalog.max(v.updated_at) at time zone v_tz)::date as to_day
        from app.shopify_inventory_level_version as v
        where v.shop_id = p_shop_id
        group by v.inventory_item_id
    ) as i;
    return (select pg_catalog.count(*)::integer
            from app.inventory_item_day as d
            where d.shop_id = p_shop_id);
end
$$;

comment on function private.rebuild_inventory_days(uuid) is 'Recomputes every stock snapshot of a shop from its level versions (after a time zone change, or to check the incremental ones); returns the item-days written.';

grant execute on function private.inventory_days(uuid, text, bigint, bigint, date, date) to service_role;

grant execute on function private.refresh_inventory_days(uuid, bigint, date, date) to service_role;

grant execute on function private.inventory_on_level_version(uuid, bigint[], text, jsonb) to service_role;

grant execute on function private.rebuild_inventory_days(uuid) to service_role;

select private.subscribe_to_changes('shopify_inventory_level_version',
    'private.inventory_on_level_version', 10,
    'The daily stock snapshots (app.inventory_level_day, app.inventory_item_day).');
