"""Fulfillments and tracking events through the shared pipeline.

Versions, any arrival order, events before their fulfillment, deletions, carriers, shipping
services and personal data.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from decimal import Decimal
from importlib import resources
from typing import Any

import jsonschema
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.postgrest_standin import Response, rpc
from tests import shopify_samples as ss

STATE = {
    "shopify_fulfillment": "fulfillment_id, order_id, status, shipment_status, tracking_company, "
                           "tracking_number, created_at, updated_at",
    "shopify_fulfillment_line": "fulfillment_id, line_item_id, quantity",
    "shopify_fulfillment_event": "event_id, fulfillment_id, status, happened_at, "
                                 "estimated_delivery_at, updated_at, deleted_at",
    "shopify_fulfillment_pii": "fulfillment_id, email, destination ->> 'address1'",
    "fulfillment_line": "order_id, line_item_id, units, shipped_units, start_day, due_day, "
                        "shipped_at, ship_hours, on_time",
    "fulfillment_shipment": "fulfillment_id, order_id, carrier_key, service, ship_day, units, "
                            "first_eta, promise_day, promise_source, delivered_at, on_time, "
                            "latest_status, has_failure, has_exception",
}


SCHEMA = json.loads(resources.files("storepulse").joinpath(
    "schemas/fulfillment_flow.schema.json").read_text())
OWNERS: dict[uuid.UUID, uuid.UUID] = {}


def new_shop(db: psycopg.Connection) -> tuple[uuid.UUID, str]:
    """A fresh shop and its domain."""
    owner = seed.create_user(db)
    domain = f"ful-{uuid.uuid4().hex[:10]}.myshopify.com"
    shop = seed.create_shop(db, owner, domain, iana_timezone="America/Los_Angeles")
    OWNERS[shop] = owner
    return shop, domain


def tile(db: psycopg.Connection, shop: uuid.UUID, as_of: str) -> dict[str, Any]:
    """GET /rpc/fulfillment_flow as the shop's owner, checked against the schema."""
    resp = rpc(db, "fulfillment_flow", {"shop_id": str(shop), "as_of": as_of}, method="GET",
               identity=postgrest_standin.user(OWNERS[shop]))
    resp.raise_for_status()
    assert resp.headers.get("Cache-Control") == "max-age=300", resp.headers
    jsonschema.validate(resp.body, SCHEMA)
    return resp.body


def hook(db: psycopg.Connection, domain: str, topic: str, payload: dict[str, Any],
         event_id: str | None = None) -> Response:
    """POST /rpc/ingest_shopify_webhook as service_role."""
    event_id = event_id or str(uuid.uuid4())
    return rpc(db, "ingest_shopify_webhook",
               {"topic": topic, "shop_domain": domain, "webhook_id": event_id,
                "event_id": event_id, "triggered_at": "2026-11-22T18:15:00Z",
                "api_version": "2025-10", "payload": payload},
               identity=postgrest_standin.service_role())


def state(db: psycopg.Connection, shop: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    """The shop's fulfillment rows (no surrogate keys), sorted."""
    return {t: db.execute(f"select {c} from app.{t} where shop_id = %s order by 1, 2",  # noqa: S608
                          (shop,)).fetchall() for t, c in STATE.items()}


def test_a_fulfillment_its_lines_and_its_personal_data_are_stored(db: psycopg.Connection) -> None:
    """fulfillments/create: the parcel, the units of each line, the email and address apart."""
    shop, domain = new_shop(db)
    assert hook(db, domain, "orders/create", ss.order()).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).body["outcome"] == "applied"
    rows = state(db, shop)
    assert [r[:5] for r in rows["shopify_fulfillment"]] == [(8001, 9001, "success", None, "UPS")]
    assert rows["shopify_fulfillment_line"] == [(8001, 90010, 2)]
    assert rows["shopify_fulfillment_pii"] == [(8001, "c@example.test", "1 Pit Lane")]
    title = db.execute("select shipping_title from app.shopify_order where shop_id = %s",
                       (shop,)).fetchone()[0]
    assert title == "Ground"
    # a later version without personal data (an order's fulfillments[]) keeps it
    newer = ss.fulfillment(updated_at="2026-11-22T09:00:00-08:00") | {"shipment_status":
                                                                       "in_transit"}
    for key in ("email", "destination"):
        newer.pop(key)
    assert hook(db, domain, "orders/updated", ss.order(updated_at="2026-11-22T09:00:00-08:00")
                | {"fulfillments": [newer], "fulfillment_status": "fulfilled"}).ok
    rows = state(db, shop)
    assert rows["shopify_fulfillment"][0][3] == "in_transit"
    assert rows["shopify_fulfillment_pii"] == [(8001, "c@example.test", "1 Pit Lane")]


def test_stale_versions_of_fulfillments_and_events_change_nothing(db: psycopg.Connection) -> None:
    """An older or equal updated_at is stale, whichever arrives first."""
    shop, domain = new_shop(db)
    new = ss.fulfillment(updated_at="2026-11-22T09:00:00-08:00") | {"shipment_status": "delivered"}
    assert hook(db, domain, "fulfillments/update", new).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).body["outcome"] == "stale"
    assert hook(db, domain, "fulfillments/update", new).body["outcome"] == "stale"
    assert state(db, shop)["shopify_fulfillment"][0][3] == "delivered"
    event = ss.fulfillment_event()
    revised = event | {"updated_at": "2026-11-22T08:00:00-08:00", "status": "delayed"}
    assert hook(db, domain, "fulfillment_events/create", revised).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillment_events/create", event).body["outcome"] == "stale"
    assert [r[2] for r in state(db, shop)["shopify_fulfillment_event"]] == ["delayed"]


def test_an_event_before_its_fulfillment_waits_and_a_deleted_one_stays_deleted(
        db: psycopg.Connection) -> None:
    """Events are kept without their fulfillment; a delete before the create wins."""
    shop, domain = new_shop(db)
    first = ss.fulfillment_event(80011)
    wrong = ss.fulfillment_event(80012, status="delivered",
                                 happened_at="2026-11-22T10:00:00-08:00", eta=None)
    assert hook(db, domain, "fulfillment_events/create", first).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillment_events/delete", wrong).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillment_events/create", wrong).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).ok
    events = state(db, shop)["shopify_fulfillment_event"]
    assert [(e[0], e[2], e[6] is not None) for e in events] == [
        (80011, "in_transit", False), (80012, "delivered", True)]


def test_carrier_names_map_to_keys_and_shops_can_add_their_own(db: psycopg.Connection) -> None:
    """Free text to a key: the defaults, a shop's own alias over them, else unmapped."""
    shop, _ = new_shop(db)
    other, _ = new_shop(db)
    db.execute("insert into app.carrier_alias (shop_id, alias, carrier_key) "
               "values (%s, 'speedyfreight', 'speedy'), (%s, 'ups', 'ups_freight')", (shop, shop))
    names = ["UPS", "ups", "United Parcel Service", "U.S. Postal Service", "FEDEX", "Other",
             "Speedy Freight", "", None]
    keys = db.execute("select array_agg(private.carrier_key(%s, n) order by i), "
                      "array_agg(private.carrier_key(%s, n) order by i) "
                      "from unnest(%s::text[]) with ordinality as x (n, i)",
                      (shop, other, names)).fetchone()
    assert keys[0] == ["ups_freight", "ups_freight", "ups", "usps", "fedex", "other", "speedy",
                       None, None]
    assert keys[1] == ["ups", "ups", "ups", "usps", "fedex", "other", None, None, None]


def test_a_backfilled_fulfillment_brings_its_events(db: psycopg.Connection) -> None:
    """backfill/fulfillment: the fulfillment and its events, each by its own version."""
    shop, domain = new_shop(db)
    resources = [{"kind": "fulfillment", "resource": ss.fulfillment() | {"events": [
        ss.fulfillment_event(80011), ss.fulfillment_event(
            80013, status="delivered", happened_at="2026-11-24T12:00:00-08:00", eta=None)]}}]
    resp = rpc(db, "ingest_shopify_backfill", {"shop_domain": domain, "resources": resources},
               identity=postgrest_standin.service_role())
    assert resp.ok, resp
    rows = state(db, shop)
    assert len(rows["shopify_fulfillment"]) == 1
    assert [e[:3] for e in rows["shopify_fulfillment_event"]] == [
        (80011, 8001, "in_transit"), (80013, 8001, "delivered")]


def test_customers_redact_deletes_their_fulfillments_personal_data(db: psycopg.Connection) -> None:
    """The email and destination go; the fulfillment and its figures stay."""
    shop, domain = new_shop(db)
    assert hook(db, domain, "orders/create", ss.order()).ok
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).ok
    assert hook(db, domain, "customers/redact", {
        "shop_id": 1, "shop_domain": domain, "customer": {"id": 7001},
        "orders_to_redact": [9001]}).ok
    rows = state(db, shop)
    assert rows["shopify_fulfillment_pii"] == []
    assert len(rows["shopify_fulfillment"]) == 1


def deliveries() -> list[tuple[str, dict[str, Any]]]:
    """One parcel's life: created, three events (one revised, one deleted), two updates."""
    f1 = ss.fulfillment()
    f2 = ss.fulfillment(updated_at="2026-11-23T09:00:00-08:00") | {"shipment_status":
                                                                   "in_transit"}
    f3 = ss.fulfillment(updated_at="2026-11-25T15:00:00-08:00") | {"shipment_status":
                                                                   "delivered"}
    e1 = ss.fulfillment_event(80011)
    e1b = e1 | {"updated_at": "2026-11-22T07:00:00-08:00",
                "estimated_delivery_at": "2026-11-26T20:00:00-08:00"}
    e2 = ss.fulfillment_event(80012, status="delayed", happened_at="2026-11-23T09:00:00-08:00")
    e3 = ss.fulfillment_event(80013, status="delivered",
                              happened_at="2026-11-25T15:00:00-08:00", eta=None)
    return [("orders/create", ss.order()), ("fulfillments/create", f1),
            ("fulfillment_events/create", e1),
            ("fulfillments/update", f2), ("fulfillment_events/create", e1b),
            ("fulfillment_events/create", e2), ("fulfillment_events/delete", e2),
            ("fulfillment_events/create", e3), ("fulfillments/update", f3)]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed_=st.integers(0, 2**32 - 1))
def test_any_interleaving_and_duplication_ends_in_the_in_order_state(
        db: psycopg.Connection, seed_: int) -> None:
    """Shuffled and duplicated deliveries (a delete stays a delete) end where in order does."""
    with db.transaction(force_rollback=True):
        shop, domain = new_shop(db)
        for topic, body in deliveries():
            assert hook(db, domain, topic, body).ok
        in_order = state(db, shop)
    rng = random.Random(seed_)
    stream = deliveries() + rng.sample(deliveries(), 3)
    rng.shuffle(stream)
    with db.transaction(force_rollback=True):
        shop, domain = new_shop(db)
        for topic, body in stream:
            assert hook(db, domain, topic, body).ok
        assert state(db, shop) == in_order
        db.execute("select private.rebuild_fulfillment_state(%s)", (shop,))
        assert state(db, shop) == in_order


def test_the_handling_clock_and_the_promise_of_a_parcel(db: psycopg.Connection) -> None:
    """A Friday-morning order shipped Saturday, promised by the carrier, delivered early.

    Ordered Fri Nov 20 10:15 (before the 14:00 cut-off): the clock starts that day and the
    line is due Mon Nov 23; shipped Sat 09:30, after 6.75 business hours, on time. UPS's
    "Ground" is no default service: its carrier promise is 5 business days (Fri Nov 27),
    until the carrier's first estimate (Wed Nov 25) freezes the promise; a revised later
    estimate changes nothing. Delivered Tue Nov 24: on time.
    """
    shop, domain = new_shop(db)
    assert hook(db, domain, "orders/create", ss.order()).ok
    line = ("select due_day, shipped_at is null, ship_hours, on_time from app.fulfillment_line "
            "where shop_id = %s")
    assert db.execute(line, (shop,)).fetchall() == [(dt.date(2026, 11, 23), True, None, None)]
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).ok
    shipped = (False, Decimal("6.7500"), True)
    assert db.execute(line, (shop,)).fetchall() == [(dt.date(2026, 11, 23), *shipped)]
    parcel = ("select carrier_key, service, promise_day, promise_source, on_time "
              "from app.fulfillment_shipment where shop_id = %s")
    assert db.execute(parcel, (shop,)).fetchall() == [
        ("ups", "ground", dt.date(2026, 11, 27), "service_promise", None)]
    assert hook(db, domain, "fulfillment_events/create", ss.fulfillment_event()).ok
    assert hook(db, domain, "fulfillment_events/create", ss.fulfillment_event(
        80012, happened_at="2026-11-22T08:00:00-08:00", eta="2026-11-27T20:00:00-08:00")).ok
    assert hook(db, domain, "fulfillment_events/create", ss.fulfillment_event(
        80013, status="delivered", happened_at="2026-11-24T12:00:00-08:00", eta=None)).ok
    assert db.execute(parcel, (shop,)).fetchall() == [
        ("ups", "ground", dt.date(2026, 11, 25), "carrier_estimate", True)]
    # a holiday on the due day: the trigger rebuilds the shop, and the line is due a day later
    db.execute("insert into app.shop_holiday (shop_id, day, name) values (%s, '2026-11-23', "
               "'Stocktake')", (shop,))
    assert db.execute(line, (shop,)).fetchall() == [(dt.date(2026, 11, 24), *shipped)]


def test_the_tile_follows_a_parcel_from_backlog_to_delivery(db: psycopg.Connection) -> None:
    """The same order and parcel seen by the tile at four moments.

    Tue Nov 24 01:00, unshipped: one order in the backlog (2 business days old: Mon, Tue),
    past its promise (the end of Mon Nov 23) by 1 hour. Then shipped Sat Nov 21 (in the
    7-day window, on time, 6.75 business hours); its carrier promise is Wed Nov 25, so on
    Thu Nov 26 it is in transit past the promise, and a delayed event makes it a carrier
    exception. Delivered Fri Nov 27: late.
    """
    shop, domain = new_shop(db)
    assert hook(db, domain, "orders/create", ss.order()).ok
    body = tile(db, shop, "2026-11-23T18:00:00-08:00")
    assert (body["backlog"]["orders"], body["delayed"]["items"]) == (1, [])
    body = tile(db, shop, "2026-11-24T01:00:00-08:00")
    assert [b["orders"] for b in body["backlog"]["by_age"]] == [0, 0, 1, 0, 0]
    assert body["delayed"]["counts"]["unfulfilled_past_promise"] == 1
    assert body["delayed"]["items"][0]["hours_late"] == 1.0
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).ok
    assert hook(db, domain, "fulfillment_events/create", ss.fulfillment_event()).ok
    body = tile(db, shop, "2026-11-26T10:00:00-08:00")
    assert body["backlog"]["orders"] == 0
    week = body["windows"]["last_7"]
    assert (week["lines_shipped"], week["ship_hours_p50"], week["on_time_shipping"]) == (
        1, 6.75, 1)
    assert [(d["reason"], d["promise_day"]) for d in body["delayed"]["items"]] == [
        ("in_transit_past_promise", "2026-11-25")]
    assert hook(db, domain, "fulfillment_events/create", ss.fulfillment_event(
        80012, status="delayed", happened_at="2026-11-26T09:00:00-08:00", eta=None)).ok
    body = tile(db, shop, "2026-11-26T10:00:00-08:00")
    assert [d["reason"] for d in body["delayed"]["items"]] == ["carrier_exception"]
    assert hook(db, domain, "fulfillment_events/create", ss.fulfillment_event(
        80013, status="delivered", happened_at="2026-11-27T12:00:00-08:00", eta=None)).ok
    body = tile(db, shop, "2026-11-27T18:00:00-08:00")
    assert body["delayed"]["items"] == []
    week = body["windows"]["last_7"]
    assert (week["delivered"], week["on_time_delivery"], week["promise_coverage"]) == (1, 0, 1)
    assert [(c["carrier_key"], c["shipments"], c["exception_rate"], c["names"])
            for c in body["carriers"]] == [("ups", 1, 1, ["UPS"])]
    day = {d["day"]: d for d in body["daily"]}
    assert (day["2026-11-21"]["lines_shipped"], day["2026-11-27"]["delivered"]) == (1, 1)


def test_the_tile_is_for_members_only(db: psycopg.Connection) -> None:
    """A user of another shop gets 403, not an empty tile."""
    shop, _ = new_shop(db)
    stranger = seed.create_user(db)
    resp = rpc(db, "fulfillment_flow", {"shop_id": str(shop)}, method="GET",
               identity=postgrest_standin.user(stranger))
    assert resp.status == 403, resp


def test_a_delayed_parcel_is_chased_once_and_withdrawn_when_delivered(
        db: psycopg.Connection) -> None:
    """One chase_carrier suggestion per delayed parcel; withdrawn once it is delivered."""
    shop, domain = new_shop(db)
    assert hook(db, domain, "orders/create", ss.order()).ok
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).ok
    assert hook(db, domain, "fulfillment_events/create", ss.fulfillment_event()).ok
    file = "select private.file_chase_carrier_suggestions(%s, %s)"
    late = "2026-11-26T10:00:00-08:00"
    assert db.execute(file, (shop, late)).fetchone()[0] == {"filed": 1, "withdrawn": 0}
    assert db.execute(file, (shop, late)).fetchone()[0] == {"filed": 0, "withdrawn": 0}
    kind, subject, payload, evidence = db.execute(
        "select kind, subject_id, payload, evidence from audit.suggestion where shop_id = %s",
        (shop,)).fetchone()
    assert (kind, subject, evidence) == ("chase_carrier", "9001",
                                         [{"tile": "fulfillment_flow", "id": 8001}])
    assert (payload["reason"], payload["promise_day"], payload["tracking_url"]) == (
        "in_transit_past_promise", "2026-11-25",
        "https://www.ups.com/track?tracknum=1Z0000000000008001")
    assert hook(db, domain, "fulfillment_events/create", ss.fulfillment_event(
        80013, status="delivered", happened_at="2026-11-27T12:00:00-08:00", eta=None)).ok
    after = "2026-11-27T18:00:00-08:00"
    assert db.execute(file, (shop, after)).fetchone()[0] == {"filed": 0, "withdrawn": 1}
    outcome = db.execute("select d.outcome from audit.decision as d where d.shop_id = %s",
                         (shop,)).fetchone()[0]
    assert outcome == "expired"


def test_the_job_finds_and_repairs_drift(db: psycopg.Connection) -> None:
    """A kept row changed behind the change feed's back is found and rebuilt."""
    shop, domain = new_shop(db)
    assert hook(db, domain, "orders/create", ss.order()).ok
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).ok
    drift = "select private.fulfillment_state_drift(%s)"
    assert db.execute(drift, (shop,)).fetchone()[0] == 0
    before = state(db, shop)
    db.execute("update app.fulfillment_shipment set carrier_key = 'dhl' where shop_id = %s",
               (shop,))
    db.execute("delete from app.fulfillment_line where shop_id = %s", (shop,))
    assert db.execute(drift, (shop,)).fetchone()[0] == 3  # the changed row both ways, one gone
    result = db.execute("select private.run_fulfillment_flow()").fetchone()[0]
    assert result[str(shop)]["drift"] == 3
    assert (db.execute(drift, (shop,)).fetchone()[0], state(db, shop)) == (0, before)


def test_a_partial_shipment_leaves_its_line_in_the_backlog(db: psycopg.Connection) -> None:
    """One of two units shipped: the line is still to ship, with one unit left; then done."""
    shop, domain = new_shop(db)
    assert hook(db, domain, "orders/create", ss.order()).ok
    assert hook(db, domain, "fulfillments/create", ss.fulfillment(quantity=1)).ok
    body = tile(db, shop, "2026-11-21T12:00:00-08:00")
    assert (body["backlog"]["orders"], body["backlog"]["units"]) == (1, 1)
    assert body["windows"]["last_7"]["lines_shipped"] == 0
    second = ss.fulfillment(8002, quantity=1) | {"created_at": "2026-11-23T10:00:00-08:00",
                                                 "updated_at": "2026-11-23T10:00:00-08:00"}
    assert hook(db, domain, "fulfillments/create", second).ok
    before = tile(db, shop, "2026-11-21T12:00:00-08:00")  # then, the second had not shipped
    assert (before["backlog"]["orders"], before["backlog"]["units"]) == (1, 1)
    after = tile(db, shop, "2026-11-23T12:00:00-08:00")
    assert (after["backlog"]["orders"], after["windows"]["last_7"]["lines_shipped"]) == (0, 1)
    assert after["windows"]["last_7"]["on_time_shipping"] == 1  # shipped on its due day


BAD_SETTINGS = [
    ("handling_days", {"handling_days": 31}), ("handling_days", {"handling_days": -1}),
    ("opens", {"opens": "18:00"}), ("cutoff", {"cutoff": "07:00"}),
    ("weekdays", {"weekdays": []}), ("weekdays", {"weekdays": [0, 1]}),
    ("stale_tracking_days", {"stale_tracking_days": 0}),
]


@pytest.mark.parametrize(("field", "args"), BAD_SETTINGS,
                         ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_SETTINGS)])
def test_bad_shipping_settings_are_refused_naming_the_argument(
        db: psycopg.Connection, field: str, args: dict[str, Any]) -> None:
    """400 (22023) with the argument's name first in the message, nothing written."""
    shop, _ = new_shop(db)
    resp = rpc(db, "set_fulfillment_settings", {"shop_id": str(shop), **args},
               identity=postgrest_standin.user(OWNERS[shop]))
    assert (resp.status, resp.code) == (400, "22023"), resp
    assert resp.body["message"].startswith(field), resp
    assert db.execute("select count(*) from app.fulfillment_settings where shop_id = %s",
                      (shop,)).fetchone()[0] == 0


def test_owners_set_the_calendar_and_carriers_and_the_tile_follows(
        db: psycopg.Connection) -> None:
    """Settings, a holiday, an alias and a service promise through the api, each audited."""
    shop, domain = new_shop(db)
    owner = postgrest_standin.user(OWNERS[shop])
    assert hook(db, domain, "orders/create", ss.order()).ok
    assert hook(db, domain, "fulfillments/create", ss.fulfillment(company="Speedy Freight")).ok
    calls = [("set_fulfillment_settings", {"handling_days": 2, "weekdays": [5, 1, 2, 3, 4, 1]}),
             ("set_shop_holiday", {"day": "2026-11-23", "name": "Stocktake"}),
             ("set_carrier_alias", {"tracking_company": "SPEEDY-freight", "carrier_key": "speedy"}),
             ("set_carrier_service_sla", {"carrier_key": "speedy", "service": "Ground",
                                          "business_days": 2})]
    for fn, args in calls:
        resp = rpc(db, fn, {"shop_id": str(shop), **args}, identity=owner)
        assert resp.ok, (fn, resp)
    row = db.execute("select due_day from app.fulfillment_line where shop_id = %s",
                     (shop,)).fetchone()
    assert row == (dt.date(2026, 11, 25),)  # Fri + 2 business days, skipping the Monday off
    parcel = db.execute("select carrier_key, promise_day, promise_source "
                        "from app.fulfillment_shipment where shop_id = %s", (shop,)).fetchone()
    assert parcel == ("speedy", dt.date(2026, 11, 25), "service_promise")
    weekdays = db.execute("select weekdays from app.fulfillment_settings where shop_id = %s",
                          (shop,)).fetchone()[0]
    assert weekdays == [1, 2, 3, 4, 5]
    audited = db.execute(
        "select count(*) from audit.row_changes where shop_id = %s and table_name in "
        "('app.fulfillment_settings', 'app.shop_holiday', 'app.carrier_alias', "
        "'app.carrier_service_sla')",
        (shop,)).fetchone()[0]
    assert audited == 4
    viewer = seed.create_user(db)
    seed.add_member(db, shop, viewer, "viewer")
    resp = rpc(db, "set_shop_holiday", {"shop_id": str(shop), "day": "2026-11-24",
                                        "name": "Nope"}, identity=postgrest_standin.user(viewer))
    assert resp.status == 403, resp
