"""Payload retention: bodies kept for the replay window, then compacted to a hash.

Dead letters, legal holds and longer windows keep theirs; whole months are dropped.
Deliveries are back-dated by moving their received_at (their bodies move partition with
them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.harness import Stack
from storepulse.testkit.postgrest_standin import rpc
from tests import shopify_samples as ss

UTC = dt.UTC


def _shop(db: psycopg.Connection, *, role_users: bool = False) -> tuple[uuid.UUID, str, uuid.UUID]:
    owner = seed.create_user(db)
    domain = f"ret-{uuid.uuid4().hex[:10]}.myshopify.com"
    return seed.create_shop(db, owner, domain), domain, owner


def _deliver(db: psycopg.Connection, domain: str, order_id: int, *, bad: bool = False) -> int:
    payload = ss.order(order_id)
    if bad:
        payload = ss.mutate(payload, ["line_items", 0, "quantity"], "many")
    body = ss.webhook(db, domain, "orders/create", payload, f"{domain}-{order_id}")
    return int(body["event_id"])


def _age(db: psycopg.Connection, shop: uuid.UUID, event_id: int, days: float) -> None:
    """Move a delivery (and its body) `days` into the past."""
    when = db.execute("select now() - make_interval(secs => %s)", (days * 86400,)).fetchone()[0]
    db.execute("update app.inbound_event set received_at = %s, last_received_at = %s "
               "where shop_id = %s and event_id = %s", (when, when, shop, event_id))
    db.execute("update app.inbound_payload set received_at = %s "
               "where shop_id = %s and event_id = %s", (when, shop, event_id))


def _bodies(db: psycopg.Connection, shop: uuid.UUID) -> dict[int, Any]:
    return dict(db.execute("select event_id, body from app.inbound_payload where shop_id = %s",
                           (shop,)).fetchall())


def _retain(db: psycopg.Connection, batch: int = 2) -> dict[str, Any]:
    return db.execute("select private.apply_payload_retention(now(), %s)", (batch,)).fetchone()[0]


def test_bodies_past_the_window_are_compacted_to_their_hash(db: psycopg.Connection) -> None:
    """90 days by default: older bodies go (their SHA-256 stays), younger ones stay."""
    shop, domain, _ = _shop(db)
    ages = {_deliver(db, domain, 9100 + i): days for i, days in enumerate((10, 89, 91, 200, 400))}
    for event_id, days in ages.items():
        _age(db, shop, event_id, days)
    before = _bodies(db, shop)
    report = _retain(db)  # batches of 2: three batches for three bodies
    assert report["events_compacted"] == 3
    assert report["bytes_dropped"] > 0
    kept = _bodies(db, shop)
    assert set(kept) == {e for e, d in ages.items() if d < 90}
    rows = db.execute("select event_id, status, topic, payload_sha256, compacted_at is not null "
                      "from app.inbound_event where shop_id = %s", (shop,)).fetchall()
    for event_id, status, topic, digest, compacted in rows:
        assert status == "applied"
        assert topic == "orders/create"
        assert compacted == (ages[event_id] >= 90)
        if compacted:
            text = json.dumps(before[event_id], separators=(", ", ": "))
            assert bytes(digest) == hashlib.sha256(
                db.execute("select %s::jsonb::text", (text,)).fetchone()[0].encode()).digest()
    assert _retain(db)["events_compacted"] == 0  # nothing left to do


def test_a_shop_window_is_its_own(db: psycopg.Connection) -> None:
    """An owner's 30-day window compacts a 40-day-old body; another shop keeps its own."""
    short, short_domain, owner = _shop(db)
    other, other_domain, _ = _shop(db)
    resp = rpc(db, "set_payload_retention", {"shop_id": str(short), "replay_window_days": 30},
               identity=postgrest_standin.user(owner))
    assert resp.ok
    assert resp.body == 30
    for shop, domain in ((short, short_domain), (other, other_domain)):
        _age(db, shop, _deliver(db, domain, 9200), 40)
    _retain(db)
    assert _bodies(db, short) == {}
    assert len(_bodies(db, other)) == 1


def test_dead_letters_keep_their_body_until_replayed_or_discarded(db: psycopg.Connection) -> None:
    """A waiting dead letter's body outlives the window; a discarded one's does not.

    A replay inside the window finds its body and applies it.
    """
    shop, domain, owner = _shop(db)
    # a bug refuses every order of 3 units or more (ss.order has 2: give them 4)
    db.execute("alter table app.shopify_order_line add constraint check_tmp_bug "
               "check (quantity < 3)")
    old = int(ss.webhook(db, domain, "orders/create", ss.order(9300, quantity=4), "d-9300")
              ["event_id"])
    recent = int(ss.webhook(db, domain, "orders/create", ss.order(9301, quantity=4), "d-9301")
                 ["event_id"])
    _age(db, shop, old, 200)
    _age(db, shop, recent, 10)
    _retain(db)
    assert set(_bodies(db, shop)) == {old, recent}
    letters = dict(db.execute("select event_id, dead_letter_id from app.inbound_dead_letter "
                              "where shop_id = %s", (shop,)).fetchall())
    db.execute("alter table app.shopify_order_line drop constraint check_tmp_bug")  # the fix
    discard = rpc(db, "discard_dead_letters",
                  {"shop_id": str(shop), "dead_letter_ids": [letters[old]]},
                  identity=postgrest_standin.user(owner))
    assert discard.ok
    assert discard.body == 1
    replay = rpc(db, "replay_shopify_dead_letters", {"shop_id": str(shop)},
                 identity=postgrest_standin.service_role()).body
    assert replay == {"replayed": 1, "still_failing": 0}
    _retain(db)
    assert set(_bodies(db, shop)) == {recent}
    assert db.execute("select array_agg(order_id) from app.shopify_order where shop_id = %s",
                      (shop,)).fetchone()[0] == [9301]


def test_a_shop_under_legal_hold_keeps_everything(db: psycopg.Connection) -> None:
    """Nothing of a held shop is compacted; lifting the hold lets the next run do it."""
    held, held_domain, owner = _shop(db)
    _age(db, held, _deliver(db, held_domain, 9400), 300)
    rpc(db, "set_legal_hold", {"shop_id": str(held), "held": True, "reason": "Dispute 7"},
        identity=postgrest_standin.user(owner)).raise_for_status()
    _retain(db)
    assert len(_bodies(db, held)) == 1
    rpc(db, "set_legal_hold", {"shop_id": str(held), "held": False},
        identity=postgrest_standin.user(owner)).raise_for_status()
    _retain(db)
    assert _bodies(db, held) == {}


def _month_partition(db: psycopg.Connection, months_ago: int) -> str:
    return db.execute("select private.create_inbound_payload_partition("
                      "(date_trunc('month', now() at time zone 'UTC') "
                      "- make_interval(months => %s))::date)", (months_ago,)).fetchone()[0]


def test_a_month_past_the_window_is_dropped_whole_keeping_what_must_stay(
        db: psycopg.Connection) -> None:
    """The month's partition goes, its disk with it; what must stay moves aside.

    A held shop's body and a waiting dead letter's move to the default partition, where
    they are still read, and redacted.
    """
    partition = _month_partition(db, 7)
    held, held_domain, _owner = _shop(db)
    plain, plain_domain, _ = _shop(db)
    in_month = 7 * 30.5 - 10  # inside that month, whatever today's date
    kept_event = _deliver(db, held_domain, 9500)
    letter_event = _deliver(db, plain_domain, 9501, bad=True)
    gone_event = _deliver(db, plain_domain, 9502)
    for shop, event in ((held, kept_event), (plain, letter_event), (plain, gone_event)):
        _age(db, shop, event, in_month)
    where = db.execute("select tableoid::regclass::text from app.inbound_payload "
                       "where event_id = %s", (gone_event,)).fetchone()[0]
    assert where == partition
    db.execute("insert into app.shop_legal_hold (shop_id, reason) values (%s, 'kept')", (held,))
    report = _retain(db)
    assert report["partitions_dropped"] == [partition]
    assert report["rows_kept_aside"] == 2
    assert report["partition_bytes_dropped"] > 0
    assert db.execute("select to_regclass(%s)", (partition,)).fetchone()[0] is None
    where = dict(db.execute("select event_id, tableoid::regclass::text from app.inbound_payload "
                            "where event_id = any (%s)",
                            ([kept_event, letter_event, gone_event],)).fetchall())
    assert where == {kept_event: "app.inbound_payload_default",
                     letter_event: "app.inbound_payload_default"}
    ss.webhook(db, held_domain, "customers/redact",
               {"shop_id": 1, "shop_domain": held_domain, "customer": {"id": 7001},
                "orders_to_redact": [9500]}, f"{held_domain}-redact")
    body = db.execute("select body::text from app.inbound_payload where event_id = %s",
                      (kept_event,)).fetchone()[0]
    assert "c7001@example.test" not in body
    assert "Pit Lane" not in body


def test_the_job_is_scheduled_and_records_what_it_freed(
        stack: Stack, fresh_url: str, need_extension: Callable[[str], None]) -> None:
    """The procedure commits batch by batch and leaves a finished run; pg_cron calls it daily."""
    with psycopg.connect(fresh_url, autocommit=True) as conn:
        shop, domain, _ = _shop(conn)
        for i in range(5):
            _age(conn, shop, _deliver(conn, domain, 9600 + i), 120)
        conn.execute("call private.run_payload_retention(2)")
        run = conn.execute("select events_compacted, bytes_dropped > 0, finished_at is not null "
                           "from private.payload_retention_run order by run_id desc limit 1"
                           ).fetchone()
        assert run == (5, True, True)
        with pytest.raises(psycopg.errors.InvalidTransactionTermination), conn.transaction():
            conn.execute("call private.run_payload_retention(2)")
    need_extension("pg_cron")
    with stack.connect() as conn:
        job = conn.execute("select schedule, command from cron.job "
                           "where jobname = 'storepulse-apply-payload-retention'").fetchone()
    assert job == ("41 3 * * *", "call private.run_payload_retention()")


def test_members_can_state_and_check_the_policy(db: psycopg.Connection) -> None:
    """Every member reads the window and the policy; owners and managers the counts.

    Only owners change it, within 7 to 3650 days.
    """
    shop, domain, owner = _shop(db)
    _age(db, shop, _deliver(db, domain, 9700), 100)
    viewer, manager = seed.create_user(db), seed.create_user(db)
    seed.add_member(db, shop, viewer, "viewer")
    seed.add_member(db, shop, manager, "manager")
    as_owner = postgrest_standin.user(owner)
    _retain(db)
    mine = rpc(db, "payload_retention", {"shop_id": str(shop)}, identity=as_owner,
               method="GET").raise_for_status().body
    assert mine["replay_window_days"] == 90
    assert mine["legal_hold"] is False
    assert "90 days" in mine["policy"]
    assert mine["held"]["bodies_compacted"] == 1
    assert mine["held"]["bodies_kept"] == 0
    seen = rpc(db, "payload_retention", {"shop_id": str(shop)},
               identity=postgrest_standin.user(viewer), method="GET").raise_for_status().body
    assert seen["replay_window_days"] == 90
    assert seen["held"] is None
    refused = rpc(db, "set_payload_retention", {"shop_id": str(shop), "replay_window_days": 60},
                  identity=postgrest_standin.user(manager))
    assert refused.status == 403
    for days in (6, 3651):
        bad = rpc(db, "set_payload_retention", {"shop_id": str(shop), "replay_window_days": days},
                  identity=as_owner)
        assert bad.status == 400
        assert bad.body["code"] == "22023"
    reset = rpc(db, "set_payload_retention", {"shop_id": str(shop)}, identity=as_owner)
    assert reset.body == 90
