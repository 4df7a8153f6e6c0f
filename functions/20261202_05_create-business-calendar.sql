-- The shipping calendar's arithmetic: business days, business hours and the handling clock, in the shop's time zone.
-- depends: 20261202_04_create-fulfillment-policies
--
-- A business day is a local date whose ISO weekday is one of the shop's weekdays and that
-- is not one of its holidays. private.business_day_add(d, n) is the n-th business day after
-- d (n = 0: d itself when a business day, else the next one). private.business_hours_between
-- is the time two instants share with business hours (opens to closes, local, on business
-- days), in hours: the clock of "time to ship". private.handling_start_day is the day the
-- handling clock starts for an order placed at a moment: that local date when a business day
-- and before the cut-off, else the next business day. private.shop_calendar gathers a shop's
-- settings (the defaults where it has none) and holidays for them. Local times come from
-- the IANA zone, so a DST change moves the instants, not the hours: a business day is
-- opens to closes on the wall clock. Opening or closing inside a DST change's repeated or
-- skipped hour (never a warehouse's hours) takes PostgreSQL's reading of that local time:
-- a repeated time is its standard-time instant, a skipped one an hour later.

create function private.is_business_day(p_day date, p_weekdays integer[], p_holidays date[])
    returns boolean
    language sql
    immutable
    parallel safe
    security invoker
    set search_path = ''
as $$
    select pg_catalog.date_part('isodow', p_day)::integer = any (p_weekdays)
        and not (p_day = any (coalesce(p_holidays, '{}')))
$$;

comment on function private.is_business_day(date, integer[], date[]) is 'Whether a local date is a business day: an ISO weekday of p_weekdays (1 Monday ... 7 Sunday) and not one of p_holidays.';

create function private.business_day_add(p_day date, p_days integer, p_weekdays integer[],
                                         p_holidays date[])
    returns date
    language plpgsql
    immutable
    parallel safe
    security invoker
    set search_path = ''
as $$
declare
    v_day date := p_day;
    v_left integer := p_days;
begin
    if p_days < 0 or pg_catalog.cardinality(p_weekdays) = 0 then
        raise exception 'business_day_add needs a count of 0 or more and at least one weekday'
            using errcode = '22023';
    end if;
    if v_left = 0 then
        while not private.is_business_day(v_day, p_weekdays, p_holidays) loop
            v_day := v_day + 1;
        end loop;
        return v_day;
    end if;
    while v_left > 0 loop
        v_day := v_day + 1;
        if private.is_business_day(v_day, p_weekdays, p_holidays) then
            v_left := v_left - 1;
        end if;
    end loop;
    return v_day;
end
$$;

comment on function private.business_day_add(date, integer, integer[], date[]) is 'The p_days-th business day after a local date (0: the date itself when a business day, else the next business day).';

create function private.business_hours_between(p_from timestamptz, p_to timestamptz,
                                               p_timezone text, p_opens time, p_closes time,
                                               p_weekdays integer[], p_holidays date[])
    returns numeric
    language sql
    immutable
    parallel safe
    security invoker
    set search_path = ''
as $$
    select coalesce(pg_catalog.sum(
        greatest(extract(epoch from least(p_to, (d.day + p_closes) at time zone p_timezone)
                                    - greatest(p_from, (d.day + p_opens) at time zone p_timezone)),
                 0)) / 3600, 0)::numeric
    from pg_catalog.generate_series((p_from at time zone p_timezone)::date,
                                    (p_to at time zone p_timezone)::date,
                                    interval '1 day') as g (value)
        cross join lateral (select g.value::date as day) as d
    where p_to > p_from
        and private.is_business_day(d.day, p_weekdays, p_holidays)
$$;

comment on function private.business_hours_between(timestamptz, timestamptz, text, time, time, integer[], date[]) is 'Hours two instants share with business hours: opens to closes on the local wall clock of each business day in the time zone (0 when p_to is not after p_from).';

create function private.handling_start_day(p_at timestamptz, p_timezone text, p_cutoff time,
                                           p_weekdays integer[], p_holidays date[])
    returns date
    language sql
    immutable
    parallel safe
    security invoker
    set search_path = ''
as $$
    select case
        when private.is_business_day((p_at at time zone p_timezone)::date, p_weekdays, p_holidays)
            and (p_at at time zone p_timezone)::time < p_cutoff
        then (p_at at time zone p_timezone)::date
        else private.business_day_add((p_at at time zone p_timezone)::date, 1, p_weekdays,
                                      p_holidays)
    end
$$;

comment on function private.handling_start_day(timestamptz, text, time, integer[], date[]) is 'The day the handling clock of an order placed at p_at starts: its local date when a business day and before the cut-off, else the next business day.';

create function private.shop_calendar(p_shop_id uuid)
    returns table (iana_timezone text, handling_days integer, cutoff time, opens time,
                   closes time, weekdays integer[], holidays date[], stale_tracking_days integer)
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select s.iana_timezone,
        coalesce(f.handling_days, 1), coalesce(f.cutoff, '14:00'), coalesce(f.opens, '08:00'),
        coalesce(f.closes, '17:00'), coalesce(f.weekdays, '{1,2,3,4,5}'),
        array(select h.day
              from app.shop_holiday as h
              where h.shop_id = p_shop_id
              order by h.day),
        coalesce(f.stale_tracking_days, 3)
    from app.shop as s
        left join app.fulfillment_settings as f
            on f.shop_id = s.shop_id
    where s.shop_id = p_shop_id
$$;

comment on function private.shop_calendar(uuid) is 'A shop''s shipping calendar: its time zone, handling promise, cut-off, business hours and weekdays (the defaults where it has no settings), its holidays, and the days without tracking that make a parcel delayed.';

grant execute on function private.is_business_day(date, integer[], date[]) to service_role;

grant execute on function private.business_day_add(date, integer, integer[], date[]) to service_role;

grant execute on function private.business_hours_between(timestamptz, timestamptz, text, time, time, integer[], date[]) to service_role;

grant execute on function private.handling_start_day(timestamptz, text, time, integer[], date[]) to service_role;

grant execute on function private.shop_calendar(uuid) to service_role;
