"""The shipping calendar's arithmetic in SQL against a straightforward Python reference.

Business days across weekends and holidays, and business hours counted minute by minute
on the local wall clock, across the DST changes of several time zones.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import psycopg
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

ZONES = ["America/Los_Angeles", "America/New_York", "Europe/London", "Australia/Sydney",
         "Asia/Kolkata"]
# DST changes, Thanksgiving, Christmas and New Year: where the arithmetic can go wrong
ANCHORS = [dt.date(2026, 3, 8), dt.date(2026, 3, 29), dt.date(2026, 4, 5), dt.date(2026, 10, 4),
           dt.date(2026, 10, 25), dt.date(2026, 11, 1), dt.date(2026, 11, 26),
           dt.date(2026, 12, 25), dt.date(2027, 1, 1)]
WEEKDAYS = st.sets(st.integers(1, 7), min_size=1).map(sorted)
HOLIDAYS = st.lists(st.sampled_from([a + dt.timedelta(days=k) for a in ANCHORS
                                     for k in range(-3, 4)]), max_size=6).map(sorted)


def is_business(day: dt.date, weekdays: list[int], holidays: list[dt.date]) -> bool:
    """The definition, read straight."""
    return day.isoweekday() in weekdays and day not in holidays


def add_reference(day: dt.date, n: int, weekdays: list[int], holidays: list[dt.date]) -> dt.date:
    """Walk forward a day at a time, counting business days."""
    if n == 0:
        while not is_business(day, weekdays, holidays):
            day += dt.timedelta(days=1)
        return day
    while n:
        day += dt.timedelta(days=1)
        n -= is_business(day, weekdays, holidays)
    return day


def hours_reference(start: dt.datetime, end: dt.datetime, zone: str, opens: dt.time,
                    closes: dt.time, weekdays: list[int], holidays: list[dt.date]) -> float:
    """Count the minutes from start to end whose local wall-clock time is open."""
    tz, minutes, t = ZoneInfo(zone), 0, start
    while t < end:
        local = t.astimezone(tz)
        if is_business(local.date(), weekdays, holidays) and opens <= local.time() < closes:
            minutes += 1
        t += dt.timedelta(minutes=1)
    return minutes / 60


def moments() -> st.SearchStrategy[dt.datetime]:
    """A whole UTC minute within a few days of an anchor."""
    return st.builds(
        lambda a, m: dt.datetime.combine(a, dt.time(), dt.UTC) + dt.timedelta(minutes=m),
        st.sampled_from(ANCHORS), st.integers(-4 * 1440, 4 * 1440))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.sampled_from(ANCHORS).flatmap(
           lambda a: st.integers(-5, 5).map(lambda k: a + dt.timedelta(days=k))),
       n=st.integers(0, 12), weekdays=WEEKDAYS, holidays=HOLIDAYS)
@example(day=dt.date(2026, 11, 25), n=1, weekdays=[1, 2, 3, 4, 5],
         holidays=[dt.date(2026, 11, 26), dt.date(2026, 11, 27)])
def test_business_day_add_walks_over_weekends_and_holidays(
        db: psycopg.Connection, day: dt.date, n: int, weekdays: list[int],
        holidays: list[dt.date]) -> None:
    """The n-th business day after a date; 0 is the date itself or the next business day."""
    got = db.execute("select private.business_day_add(%s, %s, %s, %s::date[])",
                     (day, n, weekdays, holidays)).fetchone()[0]
    assert got == add_reference(day, n, weekdays, holidays)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=moments(), span=st.integers(0, 5 * 1440), zone=st.sampled_from(ZONES),
       hours=st.sampled_from([(8, 17), (0, 24), (9, 12), (6, 22)]), weekdays=WEEKDAYS,
       holidays=HOLIDAYS)
# Friday 15:00 to Monday 10:00 over the spring-forward weekend in Los Angeles: 2 + 2 hours
@example(start=dt.datetime(2026, 3, 6, 23, 0, tzinfo=dt.UTC), span=(2 * 24 + 18) * 60 + 60 * 0,
         zone="America/Los_Angeles", hours=(8, 17), weekdays=[1, 2, 3, 4, 5], holidays=[])
def test_business_hours_count_the_local_wall_clock_across_dst(
        db: psycopg.Connection, start: dt.datetime, span: int, zone: str,
        hours: tuple[int, int], weekdays: list[int], holidays: list[dt.date]) -> None:
    """Hours shared with opens-to-closes on business days, minute for minute."""
    end = start + dt.timedelta(minutes=span)
    opens = dt.time(hours[0])
    closes = dt.time(hours[1] % 24) if hours[1] < 24 else dt.time(23, 59, 59, 999999)
    got = db.execute("select private.business_hours_between(%s, %s, %s, %s, %s, %s, %s::date[])",
                     (start, end, zone, opens, closes, weekdays, holidays)).fetchone()[0]
    want = hours_reference(start, end, zone, opens, closes, weekdays, holidays)
    assert abs(float(got) - want) < 1 / 60 + 1e-9 if hours[1] == 24 else float(got) == want


def test_hours_that_open_or_close_inside_a_dst_change_take_postgresql_reading(
        db: psycopg.Connection) -> None:
    """The documented rule for the one case the wall clock leaves open.

    A repeated local time (fall back) is its standard-time instant, and a skipped one
    (spring forward) an hour later, as PostgreSQL reads local times: 01:00-04:00 on
    Los Angeles' fall-back night is 3 hours, not the 4 the wall clock shows; 01:00-04:00 on
    its spring-forward night is the 2 hours that exist.
    """
    every_day = [1, 2, 3, 4, 5, 6, 7]
    q = ("select private.business_hours_between(%s, %s, 'America/Los_Angeles', '01:00', "
         "'04:00', %s, '{}')")
    fall = db.execute(q, (dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC),
                          dt.datetime(2026, 11, 1, 14, tzinfo=dt.UTC), every_day)).fetchone()[0]
    spring = db.execute(q, (dt.datetime(2026, 3, 8, 6, tzinfo=dt.UTC),
                            dt.datetime(2026, 3, 8, 14, tzinfo=dt.UTC), every_day)).fetchone()[0]
    assert (fall, spring) == (3, 2)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=moments(), zone=st.sampled_from(ZONES), cutoff=st.integers(8, 17),
       weekdays=WEEKDAYS, holidays=HOLIDAYS)
def test_the_handling_clock_starts_on_the_right_day(
        db: psycopg.Connection, at: dt.datetime, zone: str, cutoff: int, weekdays: list[int],
        holidays: list[dt.date]) -> None:
    """Before the cut-off on a business day: that day; else the next business day."""
    got = db.execute("select private.handling_start_day(%s, %s, %s, %s, %s::date[])",
                     (at, zone, dt.time(cutoff), weekdays, holidays)).fetchone()[0]
    local = at.astimezone(ZoneInfo(zone))
    want = (local.date() if is_business(local.date(), weekdays, holidays)
            and local.time() < dt.time(cutoff) else add_reference(local.date(), 1, weekdays,
                                                                  holidays))
    assert got == want


def test_a_shop_without_settings_gets_the_default_calendar(db: psycopg.Connection) -> None:
    """Monday to Friday, 08:00 to 17:00, cut-off 14:00, one handling day; its own holidays."""
    from storepulse.testkit import seed  # noqa: PLC0415

    shop = seed.create_shop(db, seed.create_user(db), "cal-default.myshopify.com",
                            iana_timezone="America/Chicago")
    db.execute("insert into app.shop_holiday (shop_id, day, name) values "
               "(%s, '2026-12-25', 'Christmas'), (%s, '2026-11-26', 'Thanksgiving')",
               (shop, shop))
    row = db.execute("select * from private.shop_calendar(%s)", (shop,)).fetchone()
    assert row == ("America/Chicago", 1, dt.time(14), dt.time(8), dt.time(17), [1, 2, 3, 4, 5],
                   [dt.date(2026, 11, 26), dt.date(2026, 12, 25)], 3)
    db.execute("insert into app.fulfillment_settings (shop_id, handling_days, weekdays) "
               "values (%s, 0, '{1,2,3,4,5,6}')", (shop,))
    row = db.execute("select handling_days, weekdays from private.shop_calendar(%s)",
                     (shop,)).fetchone()
    assert row == (0, [1, 2, 3, 4, 5, 6])
