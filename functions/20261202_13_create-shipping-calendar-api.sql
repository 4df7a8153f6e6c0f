-- The shipping calendar and carrier api: owners and managers set the handling promise, holidays, carrier aliases and service promises.
-- depends: 20261202_12_enable-row-audit-on-shipping-calendar
--
-- Each function runs as the caller (row-level security lets owners and managers write their
-- shops' rows), checks its arguments (22023 naming the argument) and the caller's role
-- (42501), and writes one row, audited; the triggers then rebuild the shop's Fulfillment
-- Flow state. service_role (an integration) may call them too.

create function private.require_shipping_manager(p_shop_id uuid)
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    if pg_catalog.current_setting('role') = 'service_role' then
        return;
    end if;
    if private.my_role_in_shop(p_shop_id) is distinct from 'owner'
        and private.my_role_in_shop(p_shop_id) is distinct from 'manager' then
        raise exception 'shop % not found, or your role may not set its shipping promises', p_shop_id
            using errcode = '42501',
                hint = 'Owners and managers set the shipping calendar, carriers and promises.';
    end if;
end
$$;

comment on function private.require_shipping_manager(uuid) is 'Raises 42501 unless the caller is an owner or a manager of the shop or service_role.';

create function api.set_fulfillment_settings(shop_id uuid, handling_days integer default 1,
                                             cutoff time default '14:00',
                                             opens time default '08:00',
                                             closes time default '17:00',
                                             weekdays integer[] default '{1,2,3,4,5}',
                                             stale_tracking_days integer default 3)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    perform private.require_shipping_manager(set_fulfillment_settings.shop_id);
    perform private.check_whole_number(set_fulfillment_settings.handling_days, 'handling_days', 0, 30);
    perform private.check_whole_number(set_fulfillment_settings.stale_tracking_days,
                                       'stale_tracking_days', 1, 30);
    if set_fulfillment_settings.opens is null or set_fulfillment_settings.closes is null
        or set_fulfillment_settings.opens >= set_fulfillment_settings.closes then
        raise exception 'opens must be a time before closes, got % and %',
            coalesce(set_fulfillment_settings.opens::text, 'null'),
            coalesce(set_fulfillment_settings.closes::text, 'null')
            using errcode = '22023', column = 'opens';
    end if;
    if set_fulfillment_settings.cutoff is null
        or set_fulfillment_settings.cutoff not between set_fulfillment_settings.opens
                                               and set_fulfillment_settings.closes then
        raise exception 'cutoff must be a time from opens to closes, got %',
            coalesce(set_fulfillment_settings.cutoff::text, 'null')
            using errcode = '22023', column = 'cutoff';
    end if;
    if set_fulfillment_settings.weekdays is null
        or pg_catalog.cardinality(set_fulfillment_settings.weekdays) = 0
        or not set_fulfillment_settings.weekdays <@ '{1,2,3,4,5,6,7}'::integer[]
        or pg_catalog.array_position(set_fulfillment_settings.weekdays, null) is not null then
        raise exception 'weekdays must be ISO weekdays from 1 (Monday) to 7 (Sunday), at least one'
            using errcode = '22023', column = 'weekdays';
    end if;
    insert into app.fulfillment_settings as s (shop_id, handling_days, cutoff, opens, closes,
        weekdays, stale_tracking_days, updated_by)
    values (set_fulfillment_settings.shop_id, set_fulfillment_settings.handling_days,
            set_fulfillment_settings.cutoff, set_fulfillment_settings.opens,
            set_fulfillment_settings.closes,
            array(select distinct w from pg_catalog.unnest(set_fulfillment_settings.weekdays) as w
                  order by 1),
            set_fulfillment_settings.stale_tracking_days, (select auth.uid()))
    on conflict on constraint pk_fulfillment_settings do update
    set handling_days = excluded.handling_days,
        cutoff = excluded.cutoff,
        opens = excluded.opens,
        closes = excluded.closes,
        weekdays = excluded.weekdays,
        stale_tracking_days = excluded.stale_tracking_days,
        updated_by = excluded.updated_by,
        updated_at = pg_catalog.now();
end
$$;

comment on function api.set_fulfillment_settings(uuid, integer, time, time, time, integer[], integer) is 'Sets the shop''s handling promise and shipping calendar (each argument left out takes its default): handling days 0 to 30 (1), the order cut-off (14:00), business hours (08:00 to 17:00), business weekdays as ISO numbers (Monday to Friday) and the days without tracking that make a parcel delayed (3). Fulfillment Flow is recomputed. Owners and managers (and service_role).';

create function api.set_shop_holiday(shop_id uuid, day date, name text default null)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    perform private.require_shipping_manager(set_shop_holiday.shop_id);
    if set_shop_holiday.day is null then
        raise exception 'day must be a date, got null'
            using errcode = '22023', column = 'day';
    end if;
    if set_shop_holiday.name is null then
        delete from app.shop_holiday as h
        where h.shop_id = set_shop_holiday.shop_id
            and h.day = set_shop_holiday.day;
        return;
    end if;
    insert into app.shop_holiday as h (shop_id, day, name, updated_by)
    values (set_shop_holiday.shop_id, set_shop_holiday.day,
            private.check_text(set_shop_holiday.name, 'name', 100), (select auth.uid()))
    on conflict on constraint pk_shop_holiday do update
    set name = excluded.name,
        updated_by = excluded.updated_by,
        updated_at = pg_catalog.now();
end
$$;

comment on function api.set_shop_holiday(uuid, date, text) is 'Marks a local date as a holiday the shop does not ship on, named (1 to 100 characters); a null name removes it. Fulfillment Flow is recomputed. Owners and managers (and service_role).';

create function api.set_carrier_alias(shop_id uuid, tracking_company text,
                                      carrier_key text default null)
    returns text
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_alias text := private.carrier_alias_of(set_carrier_alias.tracking_company);
begin
    perform private.require_shipping_manager(set_carrier_alias.shop_id);
    if v_alias is null or pg_catalog.length(v_alias) > 100 then
        raise exception 'tracking_company must name a carrier (letters or digits, at most 100 of them)'
            using errcode = '22023', column = 'tracking_company';
    end if;
    if set_carrier_alias.carrier_key is null then
        delete from app.carrier_alias as a
        where a.shop_id = set_carrier_alias.shop_id
            and a.alias = v_alias;
        return v_alias;
    end if;
    if set_carrier_alias.carrier_key !~ '^[a-z0-9_]{1,40}$' then
        raise exception 'carrier_key must be 1 to 40 lowercase letters, digits or underscores, got %',
            pg_catalog.left(set_carrier_alias.carrier_key, 50)
            using errcode = '22023', column = 'carrier_key';
    end if;
    insert into app.carrier_alias as a (shop_id, alias, carrier_key, updated_by)
    values (set_carrier_alias.shop_id, v_alias, set_carrier_alias.carrier_key, (select auth.uid()))
    on conflict on constraint pk_carrier_alias do update
    set carrier_key = excluded.carrier_key,
        updated_by = excluded.updated_by,
        updated_at = pg_catalog.now();
    return v_alias;
end
$$;

comment on function api.set_carrier_alias(uuid, text, text) is 'Maps a tracking company as merchants type it (any case and punctuation: "U.P.S. Freight") to a carrier key for this shop, over the defaults; a null carrier_key removes the shop''s own mapping. Returns the normalised alias. Fulfillment Flow is recomputed. Owners and managers (and service_role).';

create function api.set_carrier_service_sla(shop_id uuid, carrier_key text, service text,
                                            business_days integer default null)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_service text := pg_catalog.lower(pg_catalog.btrim(coalesce(set_carrier_service_sla.service, '')));
begin
    perform private.require_shipping_manager(set_carrier_service_sla.shop_id);
    if set_carrier_service_sla.carrier_key is null
        or set_carrier_service_sla.carrier_key !~ '^[a-z0-9_]{1,40}$' then
        raise exception 'carrier_key must be 1 to 40 lowercase letters, digits or underscores'
            using errcode = '22023', column = 'carrier_key';
    end if;
    if pg_catalog.length(v_service) > 200 then
        raise exception 'service must be at most 200 characters'
            using errcode = '22023', column = 'service';
    end if;
    if set_carrier_service_sla.business_days is null then
        delete from app.carrier_service_sla as a
        where a.shop_id = set_carrier_service_sla.shop_id
            and a.carrier_key = set_carrier_service_sla.carrier_key
            and a.service = v_service;
        return;
    end if;
    perform private.check_whole_number(set_carrier_service_sla.business_days, 'business_days', 0, 60);
    insert into app.carrier_service_sla as a (shop_id, carrier_key, service, business_days,
        updated_by)
    values (set_carrier_service_sla.shop_id, set_carrier_service_sla.carrier_key, v_service,
            set_carrier_service_sla.business_days, (select auth.uid()))
    on conflict on constraint pk_carrier_service_sla do update
    set business_days = excluded.business_days,
        updated_by = excluded.updated_by,
        updated_at = pg_catalog.now();
end
$$;

comment on function api.set_carrier_service_sla(uuid, text, text, integer) is 'Sets the business days a carrier service promises from the ship day to delivery (0 to 60) for this shop, over the defaults; the service is the order''s shipping title (any case; '''' or null: the carrier''s default); null business_days removes the shop''s own promise. Fulfillment Flow is recomputed. Owners and managers (and service_role).';

grant execute on function private.require_shipping_manager(uuid) to authenticated, service_role;

-- the api normalises a tracking company as the caller
grant execute on function private.carrier_alias_of(text) to authenticated;

grant execute on function api.set_fulfillment_settings(uuid, integer, time, time, time, integer[], integer) to authenticated, service_role;

grant execute on function api.set_shop_holiday(uuid, date, text) to authenticated, service_role;

grant execute on function api.set_carrier_alias(uuid, text, text) to authenticated, service_role;

grant execute on function api.set_carrier_service_sla(uuid, text, text, integer) to authenticated, service_role;
