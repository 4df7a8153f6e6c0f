"""Sales Pulse's newer figures against the simulator's truth: gross profit, a year earlier, today.

A small Hot Rod AN with thirteen months of history is loaded by backfill, its catalog first,
so every line of a live product keeps its variant's unit cost; a product deleted during the
history is absent from the backfill, so its lines have none, and the inventory items of the
best seller of the last 30 days are held back, so its lines have none either (it is among
the top products with no gross profit, and its period's cost coverage is below 1). Every
expectation comes from storepulse.synth.truth (the simulated orders and refunds, never the
payloads); every time is the store's as_of or one derived from the simulated data (the
freshness case "now" reads the database's clock).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from storepulse.load.shopify import create_store_shop, ingest_backfill
from storepulse.synth import HotRodAN, Scale
from storepulse.synth.catalog import build_catalog
from storepulse.synth.truth import ProfitFigures, TodayFigures
from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.harness import Stack
from storepulse.testkit.postgrest_standin import rpc
from tests import shopify_samples
from tests.test_sales_pulse import assert_window, money

STORE = HotRodAN(scale=Scale("thirteen-months", 400, Decimal(400_000)), seed=7)
TZ = ZoneInfo(STORE.shop["iana_timezone"])
AS_OF: dt.datetime = STORE.shop["as_of"]
TODAY = AS_OF.astimezone(TZ).date()
LAST_30 = (TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=1))
HELD = STORE.truth().top_products(*LAST_30, 1)[0].product_id
HELD_ITEMS = {v.inventory_item_id: v.id for p in build_catalog() if p.id == HELD
              for v in p.variants}
COSTS = {vid: c for vid, c in STORE.unit_costs().items() if vid not in HELD_ITEMS.values()}
History = tuple[psycopg.Connection, uuid.UUID, uuid.UUID]


@pytest.fixture(scope="module")
def history(stack: Stack) -> Iterator[History]:
    """A fresh database holding thirteen months of the store, backfilled catalog first.

    Every inventory item but the held product's is sent.
    """
    with stack.fresh_database() as url, psycopg.connect(url, autocommit=True) as conn:
        shop_id, owner = create_store_shop(conn, STORE)
        pages = backfill_pages()
        kinds = [p[0]["kind"] for p in pages]
        assert kinds.index("inventory_item") < kinds.index("order"), kinds
        counts = ingest_backfill(conn, pages, STORE.shop["domain"])
        assert counts["dead_lettered"] == 0, counts
        assert counts["orders"] > 800, counts
        yield conn, shop_id, owner


def backfill_pages() -> list[list[dict[str, Any]]]:
    """The store's backfill without the held product's inventory items."""
    pages = [kept for page in STORE.backfill_resources() if (kept := [
        r for r in page if r["kind"] != "inventory_item"
        or r["resource"]["id"] not in HELD_ITEMS])]
    costed = [r for p in pages for r in p
              if r["kind"] == "inventory_item" and r["resource"]["cost"] is not None]
    assert len(costed) == len(COSTS)
    return pages


def tile(h: History, as_of: dt.datetime | None) -> dict[str, Any]:
    """GET /rpc/sales_pulse as the owner at `as_of` (None: the database's now)."""
    conn, shop_id, owner = h
    args = {"shop_id": str(shop_id)} | ({"as_of": as_of.isoformat()} if as_of else {})
    body: dict[str, Any] = rpc(conn, "sales_pulse", args, identity=postgrest_standin.user(owner),
                               method="GET").raise_for_status().body
    return body


def year_before(d: dt.date) -> dt.date:
    """PostgreSQL's (d - interval '1 year')::date: 29 February becomes the 28th."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def rate(x: Decimal | None) -> Decimal | None:
    """An exact quotient as the tile rounds it (round(numeric, 4): half away from zero)."""
    return None if x is None else x.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def number(x: object) -> Decimal | None:
    """A JSON number as a Decimal (None stays None)."""
    return None if x is None else Decimal(str(x))


def local_noon(d: dt.date) -> dt.datetime:
    """Noon of a shop-local day, aware."""
    return dt.datetime.combine(d, dt.time(12), TZ)


def assert_profit(got: dict[str, Any], want: ProfitFigures) -> None:
    """The gross-profit figures of a tile window equal the truth's, to the cent."""
    assert money(got["costed_net_sales"]) == want.costed_net_sales
    assert money(got["cost_of_goods"]) == want.cost_of_goods
    assert money(got["gross_profit"]) == want.gross_profit
    assert number(got["gross_margin"]) == rate(want.gross_margin)
    assert number(got["cost_coverage"]) == rate(want.cost_coverage)


def assert_today(got: dict[str, Any], want: TodayFigures) -> None:
    """One side of the tile's today block equals the truth's figures to that time."""
    assert (got["orders"], got["units"]) == (want.orders, want.units)
    for k in ("gross_sales", "discounts", "returns", "net_sales", "total_sales"):
        assert money(got[k]) == getattr(want, k), k


def periods(today: dt.date) -> Iterator[tuple[str, int, dt.date, dt.date]]:
    """(name, days, from, to) of the tile's two current periods."""
    for name, days in (("last_7_days", 7), ("last_30_days", 30)):
        yield name, days, today - dt.timedelta(days=days), today - dt.timedelta(days=1)


@functools.cache
def uncosted_products() -> frozenset[int]:
    """Products sold in the history whose lines carry no cost: the held and deleted ones."""
    truth = STORE.truth()
    return frozenset(pid for pid, f in truth.products(truth.start, truth.end).items()
                     if f.gross_sales and not truth.profit(truth.start, truth.end, COSTS, pid)
                     .costed_net_sales)


@functools.cache
def after_uncosted_sales() -> dt.datetime:
    """Noon of the day after a deleted product last sold: its last 30 days include it."""
    truth = STORE.truth()
    gone = uncosted_products() - {HELD}
    assert gone, "the history deletes no product that sold"
    last = next(d for d in sorted(truth.daily(), reverse=True)
                if any(truth.product_daily(d)[pid].gross_sales
                       for pid in gone & truth.product_daily(d).keys()))
    return local_noon(last + dt.timedelta(days=1))


def test_the_truth_sees_uncosted_lines() -> None:
    """The held and the deleted products' lines lack a cost; with every catalog cost, none."""
    truth = STORE.truth()
    assert HELD in uncosted_products()
    assert len(uncosted_products()) >= 2
    whole = truth.profit(truth.start, truth.end, COSTS)
    assert whole.cost_coverage is not None
    assert whole.gross_margin is not None
    assert 0 < whole.cost_coverage < 1
    assert 0 < whole.gross_margin < 1
    catalog = {v.id: v.cost for p in build_catalog() for v in p.variants}
    assert set(COSTS) < set(catalog)
    full = truth.profit(truth.start, truth.end, catalog)
    assert full.cost_coverage == 1
    assert full.costed_net_sales == whole.net_sales
    assert full.cost_of_goods > whole.cost_of_goods


@pytest.mark.parametrize("when", ["store_as_of", "after_uncosted_sales"])
def test_gross_profit_equals_the_truth(history: History, when: str) -> None:
    """Gross profit, margin and coverage of each period, the series and the top products."""
    as_of = AS_OF if when == "store_as_of" else after_uncosted_sales()
    today = as_of.astimezone(TZ).date()
    assert today <= TODAY
    body = tile(history, as_of)
    truth = STORE.truth()
    coverages = []
    for name, days, start, end in periods(today):
        period = body["periods"][name]
        assert (period["from"], period["to"]) == (start.isoformat(), end.isoformat())
        current = truth.profit(start, end, COSTS)
        assert_profit(period["current"], current)
        assert_window(period["current"], truth.window(start, end), period["customers"])
        prev = truth.profit(start - dt.timedelta(days=days), end - dt.timedelta(days=days), COSTS)
        assert_profit(period["previous"], prev)
        assert money(period["delta"]["gross_profit"]["change"]) == (
            current.gross_profit - prev.gross_profit)
        assert current.cost_of_goods > 0
        coverages.append(current.cost_coverage)
    # the held best seller (store as_of), or the deleted product, is sold without a cost
    assert coverages[1] is not None
    assert coverages[1] < 1, coverages
    if when == "after_uncosted_sales":
        held = {v.id: v.cost for p in build_catalog() if p.id == HELD for v in p.variants}
        deleted_only = truth.profit(today - dt.timedelta(days=30), today - dt.timedelta(days=1),
                                    COSTS | held).cost_coverage
        assert deleted_only is not None
        assert deleted_only < 1
    days = [today - dt.timedelta(days=n) for n in range(30, 0, -1)]
    assert [money(x) for x in body["series"]["gross_profit"]] == [
        truth.profit(d, d, COSTS).gross_profit for d in days]
    top = truth.top_products(days[0], days[-1], 5)
    assert [(p["product_id"], money(p["net_sales"]), money(p["gross_profit"]))
            for p in body["top_products"]] == [
        (p.product_id, p.net_sales, truth.profit(days[0], days[-1], COSTS, p.product_id)
         .gross_profit) for p in top]
    if when == "store_as_of":
        assert body["top_products"][0]["product_id"] == HELD
        assert money(body["top_products"][0]["gross_profit"]) == 0
        assert all(money(p["gross_profit"]) > 0 for p in body["top_products"][1:])


def test_year_earlier_equals_the_truth(history: History) -> None:
    """Both periods' year_earlier: the same dates a year back, figure by figure, with deltas."""
    body = tile(history, AS_OF)
    truth = STORE.truth()
    for name, _, start, end in periods(TODAY):
        period = body["periods"][name]
        ye = period["year_earlier"]
        assert ye is not None, name
        a, b = year_before(start), year_before(end)
        assert (ye["from"], ye["to"]) == (a.isoformat(), b.isoformat())
        want = truth.window(a, b)
        assert want.orders > 0
        assert_window(ye["figures"], want)
        assert_profit(ye["figures"], truth.profit(a, b, COSTS))
        current, earlier = period["current"], ye["figures"]
        numeric = {k for k, v in current.items() if isinstance(v, int | float)
                   and isinstance(earlier.get(k), int | float)}
        assert set(ye["delta"]) == numeric
        for k in numeric:
            change = Decimal(str(current[k])) - Decimal(str(earlier[k]))
            prev = Decimal(str(earlier[k]))
            assert Decimal(str(ye["delta"][k]["change"])) == change, k
            percent = None if not prev else (100 * change / abs(prev)).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP)
            assert number(ye["delta"][k]["percent"]) == percent, k
        assert money(ye["delta"]["net_sales"]["change"]) == (
            truth.window(start, end).net_sales - want.net_sales)


def test_year_earlier_needs_the_history_to_reach_back(history: History) -> None:
    """Present from the day its start is the shop's first day with sales; null before."""
    truth = STORE.truth()
    first = truth.first_active_day()
    assert first is not None
    # the first local date whose last 30 days a year back start on the first day
    edge = first.replace(year=first.year + 1) + dt.timedelta(days=30)
    assert year_before(edge - dt.timedelta(days=30)) == first
    assert edge < TODAY
    at_edge = tile(history, local_noon(edge))["periods"]
    assert at_edge["last_30_days"]["year_earlier"]["from"] == first.isoformat()
    assert_window(at_edge["last_30_days"]["year_earlier"]["figures"],
                  truth.window(first, first + dt.timedelta(days=29)))
    before = tile(history, local_noon(edge - dt.timedelta(days=1)))["periods"]
    assert before["last_30_days"]["year_earlier"] is None
    assert before["last_7_days"]["year_earlier"] is not None
    early = tile(history, local_noon(truth.start + dt.timedelta(days=200)))["periods"]
    assert early["last_7_days"]["year_earlier"] is None
    assert early["last_30_days"]["year_earlier"] is None
    assert early["last_30_days"]["current"]["orders"] > 0


def _steady_day(d: dt.date) -> bool:
    """A day without a daylight-saving change (so local hours are plain)."""
    a = dt.datetime.combine(d, dt.time(), TZ).utcoffset()
    return a == dt.datetime.combine(d, dt.time(23, 59), TZ).utcoffset()


def mid_hour_cut() -> int:
    """An order's created time with another order later in the same local hour (and day).

    The latest such time before the store's as_of on a day without a clock change whose
    same weekday a week before had an order by the same time: a tile that counted the
    current hour's whole bucket would count the later order too.
    """
    truth = STORE.truth()
    for d in sorted(truth.daily(), reverse=True):
        if not (_steady_day(d) and _steady_day(d - dt.timedelta(days=7))):
            continue
        times = truth.moments(d)
        for i in range(len(times) - 2, -1, -1):
            t, later = times[i], times[i + 1]
            lt, ll = (dt.datetime.fromtimestamp(x, TZ) for x in (t, later))
            if lt.hour != ll.hour or later - t < 10:
                continue
            cut = lt.replace(tzinfo=None)
            hour_end = cut.replace(minute=59, second=59)
            week = cut - dt.timedelta(days=7)
            if (truth.so_far(d, cut).orders and truth.so_far(d, hour_end).orders
                    > truth.so_far(d, cut + dt.timedelta(seconds=7)).orders
                    and truth.so_far(week.date(), week).orders):
                return t
    raise AssertionError("no two orders share a local hour")


def test_today_runs_to_the_minute(history: History) -> None:
    """so_far and last week's same minutes equal the truth to the exact as_of, not the hour."""
    truth = STORE.truth()
    cut = mid_hour_cut()
    exact = dt.datetime.fromtimestamp(cut, TZ)
    cases = [AS_OF - dt.timedelta(hours=2, minutes=17), AS_OF - dt.timedelta(hours=26, minutes=41),
             exact, exact + dt.timedelta(seconds=7), exact - dt.timedelta(seconds=1)]
    seen = 0
    for as_of in cases:
        local = as_of.astimezone(TZ)
        day, wall = local.date(), local.replace(tzinfo=None)
        body = tile(history, as_of)
        today = body["today"]
        assert body["local_date"] == day.isoformat()
        assert today["through"] == local.strftime("%H:%M")
        assert today["through_hour"] == local.hour
        now, then = truth.so_far(day, wall), truth.so_far(day - dt.timedelta(days=7),
                                                          wall - dt.timedelta(days=7))
        assert_today(today["so_far"], now)
        assert_today(today["same_weekday_last_week"], then)
        assert money(today["delta"]["net_sales"]["change"]) == now.net_sales - then.net_sales
        seen += bool(now.orders and then.orders)
    assert seen >= 2
    # the exact cut counts the order made then, one second before it does not
    at = truth.so_far(exact.date(), exact.replace(tzinfo=None))
    before = truth.so_far(exact.date(), (exact - dt.timedelta(seconds=1)).replace(tzinfo=None))
    assert at.orders == before.orders + 1


def test_freshness_counts_from_as_of(history: History) -> None:
    """The last Shopify delivery at or before as_of: null before any, the latest at now."""
    conn, shop_id, _ = history
    first, last, n = conn.execute(
        "select min(received_at), max(received_at), count(*) from app.inbound_event "
        "where shop_id = %s and source = 'shopify'", (shop_id,)).fetchone()
    assert n > 0
    assert last > first
    mid = first + (last - first) / 2
    for as_of in (AS_OF, first - dt.timedelta(seconds=1), first, mid, last):
        fresh = tile(history, as_of)["freshness"]
        got = fresh["last_event_received_at"]
        want = conn.execute(
            "select max(received_at) from app.inbound_event where shop_id = %s "
            "and source = 'shopify' and received_at <= %s", (shop_id, as_of)).fetchone()[0]
        if want is None:
            assert got is None, as_of
            assert fresh["seconds_since_last_event"] is None
            continue
        received = dt.datetime.fromisoformat(got)
        assert received == want
        assert received <= as_of
        assert fresh["seconds_since_last_event"] == round((as_of - received).total_seconds())
    assert tile(history, first - dt.timedelta(seconds=1))["freshness"][
        "last_event_received_at"] is None
    assert dt.datetime.fromisoformat(tile(history, first)["freshness"][
        "last_event_received_at"]) == first
    now = conn.execute("select clock_timestamp()").fetchone()[0]
    for as_of in (now, None):
        fresh = tile(history, as_of)["freshness"]
        assert dt.datetime.fromisoformat(fresh["last_event_received_at"]) == last
        assert fresh["seconds_since_last_event"] >= 0


def test_today_is_exact_in_the_hour_clocks_go_back(db: psycopg.Connection) -> None:
    """The hour that happens twice counts each order at its own instant.

    On 2026-11-01 in Chicago 01:00-01:59 happens twice: as_of at the first 01:45 counts
    the order of the first 01:30, not that of the second 01:10 (still to come).
    """
    owner = seed.create_user(db)
    domain = f"dst-{uuid.uuid4().hex[:8]}.myshopify.com"
    shop = seed.create_shop(db, owner, domain, iana_timezone="America/Chicago")
    for n, created in ((1, "2026-11-01T01:30:00-05:00"), (2, "2026-11-01T01:10:00-06:00")):
        payload = shopify_samples.order(9500 + n) | {"created_at": created,
                                                     "processed_at": created}
        shopify_samples.webhook(db, domain, "orders/create", payload, f"{domain}-{n}")
    for as_of, orders in (("2026-11-01T01:45:00-05:00", 1), ("2026-11-01T01:05:00-06:00", 1),
                          ("2026-11-01T01:15:00-06:00", 2)):
        body = rpc(db, "sales_pulse", {"shop_id": str(shop), "as_of": as_of},
                   identity=postgrest_standin.user(owner), method="GET").raise_for_status().body
        assert body["local_date"] == "2026-11-01"
        assert body["today"]["so_far"]["orders"] == orders, as_of
