"""The shared inbound pipeline, through Shopify: what it accepts, what it refuses and how.

Every delivery lands; every refusal is a 4xx with a SQLSTATE and the field's JSON path and
writes nothing but the raw row; Shopify's documented samples are accepted; redaction
reaches every copy; the event row is written once per outcome; appliers report the keys
they touch to whoever subscribes.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.postgrest_standin import Response, rpc
from tests import shopify_samples as ss
from tests.test_shopify_ingest import SHOPIFY_TABLES

FIXTURES = Path(__file__).parent / "fixtures" / "shopify_webhooks"
PII = json.loads((FIXTURES / "pii_fields.json").read_text(encoding="utf-8"))
SUPPORTED = {
    "orders/create": "applied", "orders/updated": "stale", "orders/cancelled": "stale",
    "orders/paid": "stale", "orders/edited": "recorded", "orders/delete": "applied",
    "refunds/create": "applied", "products/create": "applied", "products/update": "stale",
    "products/delete": "applied", "customers/create": "applied", "customers/update": "stale",
    "shop/update": "applied", "customers/data_request": "recorded",
    "customers/redact": "recorded", "shop/redact": "recorded",
    # the inventory samples share their ids: a second version at the same updated_at is stale
    "inventory_items/create": "applied", "inventory_items/update": "stale",
    "locations/create": "applied", "locations/update": "stale",
    "inventory_levels/connect": "applied", "inventory_levels/update": "stale",
    "inventory_levels/disconnect": "applied", "locations/delete": "applied",
    "inventory_items/delete": "applied",
    # the order samples share an id and updated_at with orders/create's (deleted above)
    "orders/fulfilled": "stale", "orders/partially_fulfilled": "stale",
    # the fulfillment samples too: an update at the same updated_at is stale
    "fulfillments/create": "applied", "fulfillments/update": "stale",
    "fulfillment_events/create": "applied", "fulfillment_events/delete": "applied",
}
NOT_YET = sorted(set(PII) - set(SUPPORTED))  # documented topics no applier knows yet
# Topics Shopify sends that no applier knows (a subscription made for a later feature): the
# documented ones not supported yet, and two it may send any day.
UNKNOWN = [*NOT_YET, "app/uninstalled", "checkouts/create"]
UNKNOWN_BODIES = {"app/uninstalled": {"id": 548380009, "name": "Hot Rod AN"},
                  "checkouts/create": {"id": 981820079255243537, "token": "123123123"}}


def sample(topic: str) -> dict[str, Any]:
    """Shopify's documented sample body of a topic, as documented."""
    return json.loads((FIXTURES / (topic.replace("/", "__") + ".json")).read_text("utf-8"))


def new_shop(db: psycopg.Connection) -> tuple[uuid.UUID, str, uuid.UUID]:
    """A fresh shop (time zone America/New_York, like the samples) and its owner."""
    owner = seed.create_user(db)
    domain = f"pipe-{uuid.uuid4().hex[:10]}.myshopify.com"
    return seed.create_shop(db, owner, domain, iana_timezone="America/New_York"), domain, owner


def send(db: psycopg.Connection, domain: str, topic: str, body: str | dict[str, Any],
         event_id: str | None = None) -> Response:
    """POST /rpc/ingest_shopify_webhook with the raw body, as the Edge Function sends it."""
    raw = body if isinstance(body, str) else json.dumps(body)
    event_id = event_id or str(uuid.uuid4())
    # raised just now, by the database's clock (a body without updated_at is that new)
    triggered_at = db.execute("select clock_timestamp()::text").fetchone()[0]
    return rpc(db, "ingest_shopify_webhook",
               {"topic": topic, "shop_domain": domain, "webhook_id": event_id,
                "event_id": event_id, "triggered_at": triggered_at,
                "api_version": "2026-07", "raw_body": raw},
               identity=postgrest_standin.service_role())


def model_rows(db: psycopg.Connection, shop: uuid.UUID) -> int:
    """How many rows the shop has in the normalised model and rollups."""
    return sum(db.execute(f"select count(*) from app.{t} where shop_id = %s",  # noqa: S608
                          (shop,)).fetchone()[0] for t in SHOPIFY_TABLES)


def test_every_documented_sample_of_a_supported_topic_is_accepted(db: psycopg.Connection) -> None:
    """Shopify's samples, in the order a store would see them, each with its outcome."""
    shop, domain, _ = new_shop(db)
    for topic, outcome in SUPPORTED.items():
        resp = send(db, domain, topic, sample(topic))
        assert resp.status == 200, (topic, resp.body)
        assert resp.body["outcome"] == outcome, (topic, resp.body)
    name = db.execute("select name from app.shop where shop_id = %s", (shop,)).fetchone()[0]
    assert name == sample("shop/update")["name"]


def test_the_sample_buyer_without_timestamps_is_stored_and_counts_as_new(
        db: psycopg.Connection) -> None:
    """The sample order's customer has null created_at and updated_at: stored, and new."""
    shop, domain, _ = new_shop(db)
    order = sample("orders/create") | {"financial_status": "paid", "cancelled_at": None,
                                       "test": False}
    assert send(db, domain, "orders/create", order).body["outcome"] == "applied"
    customer_id = order["customer"]["id"]
    assert db.execute("select count(*) from app.shopify_customer where shop_id = %s "
                      "and customer_id = %s", (shop, customer_id)).fetchone()[0] == 1
    day = db.execute("select local_date from app.shopify_order where shop_id = %s",
                     (shop,)).fetchone()[0]
    counts = db.execute("select private.sales_customers(%s, %s, %s)",
                        (shop, day, day)).fetchone()[0]
    assert counts == {"new": 1, "returning": 0}


@pytest.mark.parametrize("topic", UNKNOWN)
def test_a_topic_without_an_applier_is_received_not_refused(
        db: psycopg.Connection, topic: str) -> None:
    """200 and outcome received: Shopify drops a subscription that keeps failing."""
    shop, domain, _ = new_shop(db)
    resp = send(db, domain, topic, UNKNOWN_BODIES.get(topic) or sample(topic))
    assert resp.status == 200, resp.body
    assert resp.body["outcome"] == "received"
    status = db.execute("select status from app.inbound_event where shop_id = %s",
                        (shop,)).fetchone()[0]
    assert status == "received"
    assert model_rows(db, shop) == 0


def test_a_malformed_topic_is_refused_naming_the_topic(db: psycopg.Connection) -> None:
    """A topic that is not source/verb is a 400 on the topic, and still lands."""
    shop, domain, _ = new_shop(db)
    resp = send(db, domain, "ORDERS CREATE", ss.order())
    assert resp.status == 400
    assert resp.body["field"] == "topic"
    assert db.execute("select count(*) from app.inbound_dead_letter where shop_id = %s",
                      (shop,)).fetchone()[0] == 1


@pytest.mark.parametrize("path", [["id"], ["line_items", 0, "id"], ["line_items", 0, "product_id"],
                                  ["customer", "id"]])
def test_ids_are_64_bit(db: psycopg.Connection, path: list[Any]) -> None:
    """2^63 - 1 (19 digits) is an id; 2^63 is refused as out of range, naming the field."""
    _, domain, _ = new_shop(db)
    assert send(db, domain, "orders/create",
                ss.mutate(ss.order(), path, 2**63 - 1)).body["outcome"] == "applied"
    resp = send(db, domain, "orders/create", ss.mutate(ss.order(9002), path, 2**63))
    assert resp.status == 400
    assert resp.body["code"] == "22003"
    assert resp.body["field"] == "$." + ".".join(str(p) for p in path).replace(".0.", "[0].")


UNDECODABLE = {
    "nul": ('{"id": 1, "note": "a\\u0000b"}', "22P05"),
    "deep": ("[" * 20000 + "]" * 20000, "54001"),
    "not json": ('{"id": 1,', "22P02"),
}


@pytest.mark.parametrize("name", sorted(UNDECODABLE))
def test_a_body_jsonb_cannot_hold_lands_as_text_and_is_refused(db: psycopg.Connection,
                                                                 name: str) -> None:
    r"""\u0000, nesting too deep, not JSON: 400 with the reason, kept as text, nothing applied."""
    raw, code = UNDECODABLE[name]
    shop, domain, _ = new_shop(db)
    resp = send(db, domain, "orders/create", raw)
    assert resp.status == 400
    assert resp.body["code"] == code
    assert resp.body["field"] == "$"
    kept = db.execute("select p.body, p.body_text, e.status from app.inbound_payload as p "
                      "join app.inbound_event as e using (shop_id, event_id) "
                      "where p.shop_id = %s", (shop,)).fetchone()
    assert kept == (None, raw, "dead_lettered")
    assert model_rows(db, shop) == 0


def test_a_refund_inside_an_order_must_belong_to_it(db: psycopg.Connection) -> None:
    """An order carrying another order's refund is refused at the refund's order_id."""
    shop, domain, _ = new_shop(db)
    send(db, domain, "orders/create", ss.order(9002))
    mixed = ss.order(9001, with_refund=True)
    mixed["refunds"][0]["order_id"] = 9002
    resp = send(db, domain, "orders/create", mixed)
    assert resp.status == 400
    assert resp.body["field"] == "$.refunds[0].order_id"
    page = rpc(db, "ingest_shopify_backfill",
               {"shop_domain": domain, "resources": [{"kind": "order", "resource": mixed}]},
               identity=postgrest_standin.service_role())
    assert page.body["dead_lettered"] == 1
    assert db.execute("select count(*) from app.shopify_refund where shop_id = %s",
                      (shop,)).fetchone()[0] == 0


def test_a_voided_order_counts_as_an_order_and_nothing_else(db: psycopg.Connection) -> None:
    """No units, no money: its payment was never captured (README, Sales Pulse numbers)."""
    shop, domain, _ = new_shop(db)
    voided = ss.order() | {"financial_status": "voided",
                           "cancelled_at": "2026-11-20T11:00:00-08:00"}
    send(db, domain, "orders/create", voided)
    assert db.execute("select orders, cancelled_orders, units, gross_sales, discounts, shipping, "
                      "taxes from app.sales_daily where shop_id = %s", (shop,)).fetchone() \
        == (1, 1, 0, 0, 0, 0, 0)


def _stored_text(db: psycopg.Connection, shop: uuid.UUID) -> str:
    bodies = db.execute("select coalesce(body::text, body_text) from app.inbound_payload "
                        "where shop_id = %s", (shop,)).fetchall()
    letters = db.execute("select error_message || coalesce(replay_error, '') "
                         "from app.inbound_dead_letter where shop_id = %s", (shop,)).fetchall()
    return "\n".join(r[0] for r in bodies + letters)


def _pii_values(topic: str) -> set[str]:
    """The personal data the sample of a topic holds, as strings to look for."""
    from tests.test_shopify_fixtures import resolve  # noqa: PLC0415

    found: set[str] = set()
    document = sample(topic)

    def walk(value: Any) -> None:  # noqa: ANN401 - any JSON
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and len(value) >= 4 and not value.isdigit():
            found.add(value)

    for path in PII[topic]:
        if path.endswith(".customer"):
            continue  # reduced to {"id", "redacted"}: its fields are listed on their own
        for value in resolve(document, path):
            walk(value)
    return found


def test_redaction_reaches_every_copy_of_every_documented_personal_field(
        db: psycopg.Connection) -> None:
    """customers/redact leaves no personal value of the samples in any kept copy.

    Not in a body, not in a dead letter, and none was ever quoted in an error message.
    """
    shop, domain, _ = new_shop(db)
    order = sample("orders/create")
    customer_id = order["customer"]["id"]
    send(db, domain, "customers/create", sample("customers/create") | {"id": customer_id})
    send(db, domain, "orders/create", order)
    broken = ss.mutate(order, ["line_items", 0, "quantity"], order["email"] or "x@example.com")
    assert send(db, domain, "orders/updated", broken).status == 400
    send(db, domain, "refunds/create", sample("refunds/create"))
    values = _pii_values("orders/create") | _pii_values("customers/create")
    assert values & set(re.findall(r'"([^"]{4,})"', _stored_text(db, shop)))  # there, before
    resp = send(db, domain, "customers/redact",
                {"shop_id": 1, "shop_domain": domain, "customer": {"id": customer_id,
                                                                    "email": "x@example.com"},
                 "orders_to_redact": [order["id"]]})
    assert resp.body["outcome"] == "recorded"
    left = _stored_text(db, shop)
    assert not [v for v in values if v in left], [v for v in values if v in left]
    assert "x@example.com" not in left


def test_error_messages_quote_no_value(db: psycopg.Connection) -> None:
    """A wrong value is described (its type and length), never quoted."""
    shop, domain, _ = new_shop(db)
    for path, value in ((["name"], {"email": "ada@example.test"}),
                        (["line_items", 0, "quantity"], "ada@example.test"),
                        (["created_at"], "ada@example.test"), (["currency"], "ada@example.test")):
        resp = send(db, domain, "orders/create", ss.mutate(ss.order(), path, value))
        assert resp.status == 400, (path, resp.body)
        assert "ada@example.test" not in json.dumps(resp.body), resp.body
    assert "ada@example.test" not in "".join(r[0] for r in db.execute(
        "select error_message from app.inbound_dead_letter where shop_id = %s", (shop,)))


def test_postgres_words_are_not_timestamps(db: psycopg.Connection) -> None:
    """processed_at 'yesterday' is refused: ISO 8601 only."""
    _, domain, _ = new_shop(db)
    for word in ("yesterday", "now", "epoch", "2026-11-20", "2026-11-20 10:00:00"):
        resp = send(db, domain, "orders/create", ss.mutate(ss.order(), ["processed_at"], word))
        assert resp.status == 400, word
        assert resp.body["code"] == "22007"
        assert resp.body["field"] == "$.processed_at"


def test_an_event_row_is_written_once_per_outcome(db: psycopg.Connection) -> None:
    """No update of the event row for an applied, stale, refused or backfilled delivery."""
    shop, domain, _ = new_shop(db)
    before = db.execute("select n_tup_ins, n_tup_upd from pg_stat_xact_user_tables "
                        "where relid = 'app.inbound_event'::regclass").fetchone()
    send(db, domain, "orders/create", ss.order())
    send(db, domain, "orders/updated", ss.order(updated_at="2026-11-20T09:00:00-08:00"))
    send(db, domain, "orders/create", ss.mutate(ss.order(9002), ["id"], "x"))
    rpc(db, "ingest_shopify_backfill",
        {"shop_domain": domain, "resources": [{"kind": "order", "resource": ss.order(9003)},
                                              {"kind": "order", "resource": ss.order(9003)}]},
        identity=postgrest_standin.service_role()).raise_for_status()
    after = db.execute("select n_tup_ins, n_tup_upd from pg_stat_xact_user_tables "
                       "where relid = 'app.inbound_event'::regclass").fetchone()
    assert (after[0] - before[0], after[1] - before[1]) == (5, 0)
    assert sorted(r[0] for r in db.execute(
        "select status from app.inbound_event where shop_id = %s", (shop,))) == \
        ["applied", "applied", "dead_lettered", "stale", "stale"]


def test_a_new_subscriber_hears_every_change_without_touching_an_applier(
        db: psycopg.Connection) -> None:
    """A tile subscribes to shopify_order and hears each change, with no applier edited.

    Before (the rows still old) and after, with the keys the appliers touched.
    """
    db.execute("create temporary table seen (phase text, keys bigint[], orders bigint)")
    db.execute("""
        create function pg_temp.tile_on_order_change(p_shop_id uuid, p_keys bigint[],
                                                     p_phase text, p_state jsonb)
            returns jsonb language sql as $$
            insert into pg_temp.seen
            select p_phase, p_keys, count(*) from app.shopify_order
            where shop_id = p_shop_id and order_id = any (p_keys);
            select jsonb_build_object('phase', p_phase)
        $$""")
    # the ingestion runs as service_role: it may call the tile and write what it saw
    db.execute("grant all on pg_temp.seen to service_role")
    db.execute("grant execute on function pg_temp.tile_on_order_change(uuid, bigint[], text, "
               "jsonb) to service_role")
    db.execute("select private.subscribe_to_changes('shopify_order', "
               "'pg_temp.tile_on_order_change', 900, 'a test tile')")
    _, domain, _ = new_shop(db)
    for topic, body in (("orders/create", ss.order(9001)), ("refunds/create", ss.refund(9001)),
                        ("orders/delete", {"id": 9001})):
        assert send(db, domain, topic, body).body["outcome"] == "applied", topic
    assert db.execute("select phase, keys, orders from seen").fetchall() == [
        ("before", [9001], 0), ("after", [9001], 1),
        ("before", [9001], 1), ("after", [9001], 1),
        ("before", [9001], 1), ("after", [9001], 0)]
    assert db.execute("select private.unsubscribe_from_changes('shopify_order', "
                      "'pg_temp.tile_on_order_change')").fetchone()[0] is True


def _feed_source(db: psycopg.Connection) -> str:
    return "\n".join(r[0] for r in db.execute(
        "select pg_get_functiondef(p) from unnest(array['private.changing'::regproc, "
        "'private.changed'::regproc]) as p"))


def test_the_change_feed_is_compiled_from_its_subscribers_in_position_order(
        db: psycopg.Connection) -> None:
    """The change feed calls each subscriber directly, in position order.

    The registry's changes compile it again; a subscriber whose function is gone is named.
    """
    db.execute("create temporary table heard (who text, phase text)")
    db.execute("grant all on pg_temp.heard to service_role")
    for who in ("early", "late"):
        fn = sql.Identifier("pg_temp", f"{who}_on_order_change")
        db.execute(sql.SQL("""
            create function {fn}(p_shop_id uuid, p_keys bigint[], p_phase text, p_state jsonb)
                returns jsonb language sql as $$
                insert into pg_temp.heard
                values ({who}, p_phase || coalesce(' ' || (p_state ->> 'who'), ''));
                select jsonb_build_object('who', {who}::text)
            $$""").format(fn=fn, who=sql.Literal(who)))
        db.execute(sql.SQL("grant execute on function {fn}(uuid, bigint[], text, jsonb) "
                           "to service_role").format(fn=fn))
    # subscribed out of order: position decides, and the sales rollups (100) sit between
    db.execute("select private.subscribe_to_changes('shopify_order', "
               "'pg_temp.late_on_order_change', 900, 'a late test tile')")
    db.execute("select private.subscribe_to_changes('shopify_order', "
               "'pg_temp.early_on_order_change', 50, 'an early test tile')")
    source = _feed_source(db)
    assert "execute" not in source.lower()
    assert source.index("early_on_order_change") < source.index("sales_on_order_change") \
        < source.index("late_on_order_change")
    shop, domain, _ = new_shop(db)
    assert send(db, domain, "orders/create", ss.order(9101)).body["outcome"] == "applied"
    # each hears before and after, and gets back what it returned before
    assert db.execute("select who, phase from heard").fetchall() == [
        ("early", "before"), ("late", "before"),
        ("early", "after early"), ("late", "after late")]
    assert db.execute("select sum(orders) from app.sales_daily where shop_id = %s",
                      (shop,)).fetchone()[0] == 1
    # unsubscribing compiles again: nothing of the test tiles is left in the feed
    for who in ("early", "late"):
        assert db.execute("select private.unsubscribe_from_changes('shopify_order', %s)",
                          (f"pg_temp.{who}_on_order_change",)).fetchone()[0] is True
    assert "on_order_change(p_shop_id" in _feed_source(db)
    assert "pg_temp" not in _feed_source(db)
    # a subscriber whose function was dropped without unsubscribing is named, not skipped
    db.execute("select private.subscribe_to_changes('shopify_order', "
               "'pg_temp.late_on_order_change', 900, 'a late test tile')")
    db.execute("drop function pg_temp.late_on_order_change(uuid, bigint[], text, jsonb)")
    with pytest.raises(psycopg.errors.UndefinedFunction,
                       match=r"pg_temp\.late_on_order_change \(for shopify_order\)"):
        db.execute("select private.compile_change_feed()")


# Broken payloads, generated: any field of an order (nested ones too) given a bad value
def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:  # noqa: ANN401
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:2]):
            out += _paths(v, (*prefix, i))
    return out


BASE = ss.order(with_refund=True)
PATHS = _paths(BASE)
BAD = st.one_of(
    st.sampled_from([None, True, "", "two", "2", [], {}, [1], {"a": 1}, 1.5, -1, 0]),
    st.sampled_from([2**31, 2**63, 10**13, -(2**31) - 1, 10**19]),
    st.sampled_from(["2026-02-30T10:00:00-08:00", "2026-13-01T00:00:00Z", "yesterday",
                     "2026-11-20T25:61:00Z", "2026-11-20T10:00:00+25:00"]),
    st.text(min_size=256, max_size=300, alphabet="abc"),
    st.integers(-(10**20), 10**20),
)


def _shape(resp: Response) -> tuple[str, str | None, str | None]:
    body = resp.body
    return body.get("outcome", f"http {resp.status}"), body.get("code"), body.get("field")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=BAD, duplicate_line=st.booleans())
def test_every_refusal_names_its_field_and_both_paths_agree(
        db: psycopg.Connection, path: tuple[Any, ...], value: Any, duplicate_line: bool) -> None:  # noqa: ANN401, FBT001
    """A broken order is applied whole or refused whole, with a SQLSTATE and a $. path.

    A webhook and a backfill page of it end the same way (the page's good product applies).
    """
    payload = copy.deepcopy(BASE)
    if duplicate_line:
        payload["line_items"].append(copy.deepcopy(payload["line_items"][0]))
    payload = ss.mutate(payload, list(path), value)
    with db.transaction(force_rollback=True):
        shop, domain, _ = new_shop(db)
        hook = send(db, domain, "orders/create", payload)
        if hook.status == 400:
            assert hook.body["outcome"] == "dead_lettered", hook.body
            assert re.fullmatch(r"[0-9A-Z]{5}", hook.body["code"]), hook.body
            assert hook.body["field"].startswith("$"), hook.body
            assert model_rows(db, shop) == 0
        else:
            assert hook.status == 200, hook.body
            assert hook.body["outcome"] == "applied", hook.body
        assert db.execute("select count(*) from app.inbound_event where shop_id = %s",
                          (shop,)).fetchone()[0] == 1
    with db.transaction(force_rollback=True):
        shop, domain, _ = new_shop(db)
        page = rpc(db, "ingest_shopify_backfill",
                   {"shop_domain": domain, "resources": [{"kind": "order", "resource": payload},
                                                         {"kind": "product",
                                                          "resource": ss.product()}]},
                   identity=postgrest_standin.service_role())
        letter = db.execute("select error_code, error_field from app.inbound_dead_letter "
                            "where shop_id = %s", (shop,)).fetchone()
        if hook.status == 400:
            assert page.body["dead_lettered"] == 1
            assert letter == (hook.body["code"], hook.body["field"])
        else:
            assert page.body["dead_lettered"] == 0
            assert letter is None
        assert db.execute("select count(*) from app.shopify_product where shop_id = %s",
                          (shop,)).fetchone()[0] == 1  # the good resource of the page applied
