"""Shopify ingestion: delivery semantics, dead letters, HMAC, compliance topics, the tile.

Every call goes through the PostgREST stand-in, as the Edge Function would make it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
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

DOMAIN = "hot-rod-an.myshopify.com"
SCHEMA = json.loads(resources.files("storepulse").joinpath(
    "schemas/sales_pulse.schema.json").read_text())
SHOPIFY_TABLES = ("shopify_order", "shopify_order_line", "shopify_order_discount_code",
                  "shopify_refund", "shopify_refund_line", "shopify_order_adjustment",
                  "shopify_transaction", "shopify_customer", "shopify_customer_pii",
                  "shopify_product", "shopify_variant", "sales_daily", "sales_hourly",
                  "sales_product_daily")


@pytest.fixture
def shop(db: psycopg.Connection) -> tuple[uuid.UUID, uuid.UUID]:
    """Hot Rod AN with its owner; returns (shop_id, owner)."""
    owner = seed.create_user(db)
    return seed.create_shop(db, owner, DOMAIN, iana_timezone="America/Los_Angeles"), owner


def hook(db: psycopg.Connection, topic: str, payload: dict[str, Any] | None,
         event_id: str | None = None, **extra: str) -> Response:
    """POST /rpc/ingest_shopify_webhook as service_role."""
    args = {"topic": topic, "shop_domain": DOMAIN, "webhook_id": event_id or str(uuid.uuid4()),
            "event_id": event_id or str(uuid.uuid4()), "triggered_at": "2026-11-20T18:15:00Z",
            "api_version": "2025-10", "payload": payload, **extra}
    return rpc(db, "ingest_shopify_webhook", args, identity=postgrest_standin.service_role())


def state(db: psycopg.Connection, shop_id: uuid.UUID) -> dict[str, list[tuple]]:
    """Every normalised and rollup row of the shop."""
    return {t: db.execute(f"select * from app.{t} where shop_id = %s order by 2, 3",  # noqa: S608
                          (shop_id,)).fetchall() for t in SHOPIFY_TABLES}


def daily(db: psycopg.Connection, shop_id: uuid.UUID) -> list[tuple]:
    """The daily rollup rows of the shop."""
    return db.execute("select day, orders, units, gross_sales, discounts, returns, shipping, taxes "
                      "from app.sales_daily where shop_id = %s order by day", (shop_id,)).fetchall()


def test_duplicates_and_stale_versions_never_overwrite(db, shop) -> None:  # noqa: ANN001
    """A redelivered event is absorbed; an older version arriving late changes nothing."""
    shop_id, _ = shop
    assert hook(db, "orders/create", ss.order(), "e1").body["outcome"] == "applied"
    again = hook(db, "orders/create", ss.order(), "e1")
    assert again.body["outcome"] == "duplicate"
    newer = ss.order(updated_at="2026-11-20T11:00:00-08:00", quantity=3)
    assert hook(db, "orders/updated", newer, "e2").body["outcome"] == "applied"
    older = ss.order(updated_at="2026-11-20T10:30:00-08:00", quantity=9)
    assert hook(db, "orders/updated", older, "e3").body["outcome"] == "stale"
    assert db.execute("select quantity from app.shopify_order_line where shop_id = %s",
                      (shop_id,)).fetchone()[0] == 3
    assert db.execute("select deliveries from app.inbound_event where shop_id = %s and "
                      "external_id = 'e1'", (shop_id,)).fetchone()[0] == 2
    assert daily(db, shop_id) == [(ss.order()["created_at"][:10] and
                                   __import__("datetime").date(2026, 11, 20), 1, 3,
                                   Decimal("74.97"), Decimal("2.50"), Decimal("0.00"),
                                   Decimal("9.95"), Decimal("4.12"))]


def test_refund_counts_on_its_own_day_even_before_its_order(db, shop) -> None:  # noqa: ANN001
    """A refund that arrives first waits for its order, then counts on the refund's day."""
    shop_id, _ = shop
    assert hook(db, "refunds/create", ss.refund()).body["outcome"] == "applied"
    assert daily(db, shop_id) == []
    hook(db, "orders/create", ss.order())
    rows = {r[0].isoformat(): r[1:] for r in daily(db, shop_id)}
    assert rows["2026-11-22"] == (0, 0, Decimal("0.00"), Decimal("0.00"), Decimal("22.49"),
                                  Decimal("-9.95"), Decimal("-1.86"))
    assert rows["2026-11-20"][0] == 1


def test_test_orders_and_deleted_orders_count_nowhere(db, shop) -> None:  # noqa: ANN001
    """Test orders stay raw but out of every figure; a deletion takes an order out."""
    shop_id, _ = shop
    hook(db, "orders/create", ss.order(9001, test=True))
    hook(db, "orders/create", ss.order(9002))
    assert [r[1] for r in daily(db, shop_id)] == [1]
    hook(db, "orders/delete", {"id": 9002})
    hook(db, "orders/updated", ss.order(9002, updated_at="2026-11-21T10:00:00-08:00"))
    assert daily(db, shop_id) == []
    assert db.execute("select count(*) from app.inbound_event where shop_id = %s",
                      (shop_id,)).fetchone()[0] == 4


def test_malformed_payload_is_refused_naming_the_field_and_kept(db, shop) -> None:  # noqa: ANN001
    """A bad field gives 400 with the field's path; the raw payload waits in dead letters."""
    shop_id, _ = shop
    bad = ss.mutate(ss.order(), ["line_items", 0, "quantity"], "two")
    resp = hook(db, "orders/create", bad)
    assert resp.status == 400
    assert resp.body["code"] == "22023"
    assert resp.body["field"] == "$.line_items[0].quantity"
    assert "quantity" in resp.body["message"]
    assert state(db, shop_id) == state_empty(db, shop_id)
    letter = db.execute("select d.topic, d.error_field, p.body from app.inbound_dead_letter as d "
                        "join app.inbound_payload as p using (shop_id, event_id) "
                        "where d.shop_id = %s", (shop_id,)).fetchone()
    assert letter[:2] == ("orders/create", "$.line_items[0].quantity")
    assert letter[2] == bad


def state_empty(db: psycopg.Connection, shop_id: uuid.UUID) -> dict[str, list[tuple]]:
    """What state() returns for a shop with no applied data."""
    return {t: [] for t in SHOPIFY_TABLES}


def test_dead_letters_replay_after_a_fix(db, shop) -> None:  # noqa: ANN001
    """A payload refused by a (simulated) bug is applied by the replay once it is fixed."""
    shop_id, _ = shop
    db.execute("alter table app.shopify_order_line "
               "add constraint check_tmp_bug check (quantity < 3)")
    resp = hook(db, "orders/create", ss.order(quantity=4))
    assert resp.status == 400
    assert resp.body["code"] == "23514"
    svc = postgrest_standin.service_role()
    still = rpc(db, "replay_shopify_dead_letters", {"shop_id": str(shop_id)}, identity=svc)
    assert still.body == {"replayed": 0, "still_failing": 1}
    db.execute("alter table app.shopify_order_line drop constraint check_tmp_bug")
    fixed = rpc(db, "replay_shopify_dead_letters", {"shop_id": str(shop_id)}, identity=svc)
    assert fixed.body == {"replayed": 1, "still_failing": 0}
    assert [r[2] for r in daily(db, shop_id)] == [4]
    assert db.execute("select status from app.inbound_event where shop_id = %s",
                      (shop_id,)).fetchone()[0] == "applied"


PATHS = [["id"], ["created_at"], ["updated_at"], ["test"], ["line_items"],
         ["line_items", 0, "id"], ["line_items", 0, "quantity"], ["line_items", 0, "price_set"],
         ["line_items", 0, "discount_allocations", 0, "amount_set"],
         ["line_items", 0, "tax_lines", 0, "price_set"], ["total_tax_set"],
         ["customer", "id"], ["refunds", 0, "created_at"],
         ["refunds", 0, "refund_line_items", 0, "subtotal_set"], ["shipping_lines", 0, "price_set"]]
JUNK = st.one_of(st.just(...), st.none(), st.text(max_size=8), st.integers(-10**12, 10**12),
                 st.booleans(), st.just([]), st.just({}),
                 st.floats(allow_nan=False, allow_infinity=False))  # JSON has neither


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=JUNK)
def test_fuzzed_payloads_apply_whole_or_not_at_all(db, shop, path, value) -> None:  # noqa: ANN001
    """Any one field broken: either applied whole, or 400 with nothing written but raw rows."""
    shop_id, _ = shop
    with db.transaction(force_rollback=True):
        payload = ss.mutate(ss.order(with_refund=True), path, value)
        resp = hook(db, "orders/create", payload)
        if resp.status == 400 and "outcome" not in resp.body:
            # not even representable as jsonb (a \u0000): refused before anything lands
            assert resp.body["code"] == "22P05", resp
            assert state(db, shop_id) == state_empty(db, shop_id)
            assert db.execute("select count(*) from app.inbound_event where shop_id = %s",
                              (shop_id,)).fetchone()[0] == 0
            return
        if resp.status == 400:
            assert resp.body["outcome"] == "dead_lettered"
            assert resp.body["code"]
            assert state(db, shop_id) == state_empty(db, shop_id)
        else:
            assert resp.ok, resp
            assert resp.body["outcome"] == "applied", resp
            assert db.execute("select count(*) from app.shopify_order where shop_id = %s",
                              (shop_id,)).fetchone()[0] == 1
        assert db.execute("select count(*) from app.inbound_event where shop_id = %s",
                          (shop_id,)).fetchone()[0] == 1


def test_hmac_is_verified_against_the_raw_body(db, shop) -> None:  # noqa: ANN001
    """A correct HMAC is recorded as verified; a wrong one is refused and nothing lands."""
    shop_id, _ = shop
    secret = "shpss_" + "k" * 32
    rpc(db, "set_shopify_webhook_secret", {"shop_id": str(shop_id), "secret": secret},
        identity=postgrest_standin.service_role()).raise_for_status()
    body = json.dumps(ss.order(), separators=(",", ":"))
    digest = base64.b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
    ok = hook(db, "orders/create", None, raw_body=body, hmac=digest.decode())
    assert ok.ok
    assert ok.body["outcome"] == "applied"
    assert db.execute("select signature_verified from app.inbound_event where shop_id = %s",
                      (shop_id,)).fetchone()[0] is True
    forged = hook(db, "orders/create", None, raw_body=body.replace("24.99", "0.01"),
                  hmac=digest.decode())
    assert forged.status == 403
    assert "HMAC" in forged.body["message"]
    assert db.execute("select count(*) from app.inbound_event where shop_id = %s",
                      (shop_id,)).fetchone()[0] == 1


def test_pure_sql_hmac_matches_python(db) -> None:  # noqa: ANN001
    """private.hmac_sha256 equals Python's hmac for short, block-sized and long keys."""
    for key in (b"k", b"x" * 64, b"long" * 40):
        for msg in (b"", b"hello", b"m" * 1000):
            got = db.execute("select private.hmac_sha256(%s, %s)", (key, msg)).fetchone()[0]
            assert bytes(got) == hmac.new(key, msg, hashlib.sha256).digest()


def test_redaction_removes_personal_data_and_keeps_the_numbers(db, shop) -> None:  # noqa: ANN001
    """customers/redact deletes PII, scrubs raw payloads, and leaves every figure."""
    shop_id, _ = shop
    hook(db, "customers/create", ss.customer())
    hook(db, "orders/create", ss.order())
    before = daily(db, shop_id)
    data = hook(db, "customers/data_request", {"shop_id": 1, "shop_domain": DOMAIN,
                                              "customer": {"id": 7001}, "orders_requested": [9001]})
    assert data.body["data"]["customer"]["email"] == "c7001@example.test"
    redact = {"shop_id": 1, "shop_domain": DOMAIN, "orders_to_redact": [9001],
              "customer": {"id": 7001, "email": "c7001@example.test", "phone": "+15555550100"}}
    assert hook(db, "customers/redact", redact).body["outcome"] == "recorded"
    assert daily(db, shop_id) == before
    assert db.execute("select count(*) from app.shopify_customer_pii where shop_id = %s",
                      (shop_id,)).fetchone()[0] == 0
    raw = " ".join(r[0] for r in db.execute(
        "select coalesce(body::text, body_text) from app.inbound_payload where shop_id = %s",
        (shop_id,)))
    assert "c7001@example.test" not in raw
    assert "Pit Lane" not in raw
    assert "+1555" not in raw
    hook(db, "orders/updated", ss.order(updated_at="2026-11-21T08:00:00-08:00"))
    assert db.execute("select count(*) from app.shopify_customer_pii where shop_id = %s",
                      (shop_id,)).fetchone()[0] == 0, "a later payload brought the PII back"


def test_shop_redact_removes_all_personal_data(db, shop) -> None:  # noqa: ANN001
    """shop/redact: no personal data left anywhere for the shop; figures stay."""
    shop_id, _ = shop
    hook(db, "orders/create", ss.order())
    before = daily(db, shop_id)
    hook(db, "shop/redact", {"shop_id": 1, "shop_domain": DOMAIN})
    raw = " ".join(r[0] for r in db.execute(
        "select coalesce(body::text, body_text) from app.inbound_payload where shop_id = %s",
        (shop_id,)))
    assert "example.test" not in raw
    assert daily(db, shop_id) == before


@pytest.mark.parametrize("fn", ["ingest_shopify_webhook", "ingest_shopify_backfill",
                                "replay_shopify_dead_letters", "rebuild_sales_rollups"])
def test_ingest_refuses_anon_and_authenticated(db, shop, fn) -> None:  # noqa: ANN001
    """Only service_role may call the ingestion entry points, even the shop's owner may not."""
    shop_id, owner = shop
    args = {"ingest_shopify_webhook": {"topic": "orders/create", "shop_domain": DOMAIN,
                                       "webhook_id": "w", "payload": ss.order()},
            "ingest_shopify_backfill": {"shop_domain": DOMAIN, "resources": []},
            "replay_shopify_dead_letters": {"shop_id": str(shop_id)},
            "rebuild_sales_rollups": {"shop_id": str(shop_id)}}[fn]
    assert rpc(db, fn, args, identity=postgrest_standin.anon()).status == 401
    assert rpc(db, fn, args, identity=postgrest_standin.user(owner)).status == 403
    assert rpc(db, fn, args, identity=postgrest_standin.service_role()).ok


def test_backfill_names_bad_resources_and_applies_the_rest(db, shop) -> None:  # noqa: ANN001
    """A page with one bad resource: that one is dead-lettered with its field, others applied."""
    shop_id, _ = shop
    page = [{"kind": "product", "resource": ss.product()},
            {"kind": "order", "resource": ss.order(9001)},
            {"kind": "order", "resource": ss.mutate(ss.order(9002), ["created_at"], "yesterday")},
            {"kind": "order", "resource": ss.order(9003)}]
    resp = rpc(db, "ingest_shopify_backfill", {"shop_domain": DOMAIN, "resources": page},
               identity=postgrest_standin.service_role())
    assert resp.status == 400
    assert resp.body["dead_lettered"] == 1
    assert db.execute("select array_agg(order_id order by order_id) from app.shopify_order "
                      "where shop_id = %s", (shop_id,)).fetchone()[0] == [9001, 9003]
    assert db.execute("select error_field from app.inbound_dead_letter where shop_id = %s",
                      (shop_id,)).fetchone()[0] == "$.created_at"


def test_tile_matches_its_schema_and_sets_cache_control(db, shop) -> None:  # noqa: ANN001
    """GET /rpc/sales_pulse: JSON Schema valid, Cache-Control max-age=300, read-only."""
    shop_id, owner = shop
    hook(db, "orders/create", ss.order(with_refund=True))
    resp = rpc(db, "sales_pulse", {"shop_id": str(shop_id), "as_of": "2026-11-25T12:00:00-08:00"},
               identity=postgrest_standin.user(owner), method="GET")
    assert resp.ok
    assert resp.headers == {"Cache-Control": "max-age=300"}
    jsonschema.validate(resp.body, SCHEMA, format_checker=jsonschema.FormatChecker())
    week = resp.body["periods"]["last_7_days"]["current"]
    assert week["orders"] == 1
    assert Decimal(str(week["returns"])) == Decimal("22.49")


def test_tile_refuses_strangers(db, shop) -> None:  # noqa: ANN001
    """A user who is no member of the shop gets 403, not an empty tile."""
    shop_id, _ = shop
    stranger = seed.create_user(db)
    resp = rpc(db, "sales_pulse", {"shop_id": str(shop_id)},
               identity=postgrest_standin.user(stranger))
    assert resp.status == 403


def test_nightly_check_finds_and_repairs_rollup_drift(db, shop, need_extension) -> None:  # noqa: ANN001
    """The drift check reports nothing on clean rollups and repairs a corrupted hourly one."""
    shop_id, _ = shop
    hook(db, "orders/create", ss.order(with_refund=True))
    assert db.execute("select private.check_sales_rollups()").fetchone()[0] == 0
    clean = db.execute("select * from app.sales_hourly where shop_id = %s order by day, hour",
                       (shop_id,)).fetchall()
    db.execute("update app.sales_hourly set orders = orders + 5 where shop_id = %s", (shop_id,))
    assert db.execute("select private.check_sales_rollups()").fetchone()[0] == 1
    assert db.execute("select * from app.sales_hourly where shop_id = %s order by day, hour",
                      (shop_id,)).fetchall() == clean
    need_extension("pg_cron")
    job = db.execute("select schedule, command from cron.job "
                     "where jobname = 'storepulse-check-sales-rollups'").fetchone()
    assert job == ("23 10 * * *", "select private.check_sales_rollups()")
