"""Invariants that must hold when several sessions act at once (committed, fresh database)."""

from __future__ import annotations

import threading

import psycopg
import pytest

from storepulse import postgrest, seed


def test_two_owners_demoting_each_other_leave_one_owner(fresh_url: str) -> None:
    """The second of two concurrent demotions waits for the first, then is refused."""
    with psycopg.connect(fresh_url, autocommit=True) as setup:
        alice = seed.create_user(setup)
        bob = seed.create_user(setup)
        shop = seed.create_shop(setup, alice, "race.myshopify.com")
        seed.add_member(setup, shop, bob, "owner")

    first = psycopg.connect(fresh_url)
    second = psycopg.connect(fresh_url)
    try:
        first.execute("select 1")  # both sessions inside their own transaction
        second.execute("select 1")
        demote_bob = postgrest.rpc(first, "set_shop_member_role",
                                   {"shop_id": str(shop), "user_id": str(bob), "role": "viewer"},
                                   identity=postgrest.user(alice))
        assert demote_bob.ok, demote_bob
        result: dict[str, postgrest.Response] = {}
        blocked = threading.Thread(target=lambda: result.update(r=postgrest.rpc(
            second, "set_shop_member_role",
            {"shop_id": str(shop), "user_id": str(alice), "role": "viewer"},
            identity=postgrest.user(bob))))
        blocked.start()
        blocked.join(timeout=1.0)
        assert blocked.is_alive(), "the second demotion should wait for the first to commit"
        first.commit()
        blocked.join(timeout=10)
        assert result["r"].status == 400 and result["r"].code == "23514", result["r"]
        second.commit()
    finally:
        first.close()
        second.close()
    with psycopg.connect(fresh_url) as check:
        owners = check.execute("select count(*) from app.shop_member where shop_id = %s "
                               "and role = 'owner'", (shop,)).fetchone()[0]
    assert owners == 1


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_removing_the_last_owner_is_refused(db: psycopg.Connection, role: str) -> None:
    """Neither the owner nor a manager can remove or demote a shop's only owner."""
    owner = seed.create_user(db)
    actor = owner
    shop = seed.create_shop(db, owner, f"last-{role}.myshopify.com")
    if role == "manager":
        actor = seed.create_user(db)
        seed.add_member(db, shop, actor, "manager")
    resp = postgrest.rpc(db, "remove_shop_member", {"shop_id": str(shop), "user_id": str(owner)},
                         identity=postgrest.user(actor))
    expected = (400, "23514") if role == "owner" else (403, "42501")
    assert (resp.status, resp.code) == expected, resp
