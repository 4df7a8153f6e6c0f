"""Invariants that must hold when several sessions act at once (committed, fresh database)."""

from __future__ import annotations

import threading

import psycopg
import pytest

from storepulse.testkit import postgrest_standin, seed


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
        demote_bob = postgrest_standin.rpc(first, "set_shop_member_role",
                                   {"shop_id": str(shop), "user_id": str(bob), "role": "viewer"},
                                   identity=postgrest_standin.user(alice))
        assert demote_bob.ok, demote_bob
        result: dict[str, postgrest_standin.Response] = {}
        blocked = threading.Thread(target=lambda: result.update(r=postgrest_standin.rpc(
            second, "set_shop_member_role",
            {"shop_id": str(shop), "user_id": str(alice), "role": "viewer"},
            identity=postgrest_standin.user(bob))))
        blocked.start()
        blocked.join(timeout=1.0)
        assert blocked.is_alive(), "the second demotion should wait for the first to commit"
        first.commit()
        blocked.join(timeout=10)
        assert (result["r"].status, result["r"].code) == (400, "23514"), result["r"]
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
    resp = postgrest_standin.rpc(db, "remove_shop_member",
                                 {"shop_id": str(shop), "user_id": str(owner)},
                                 identity=postgrest_standin.user(actor))
    expected = (400, "23514") if role == "owner" else (403, "42501")
    assert (resp.status, resp.code) == expected, resp


@pytest.mark.parametrize("deciders", [2, 5])
def test_concurrent_deciders_of_one_suggestion_exactly_one_wins(fresh_url: str,
                                                                deciders: int) -> None:
    """Sessions deciding the same suggestion at the same instant: one decision is recorded.

    Every other session gets 409 naming it, and nothing else is written.
    """
    with psycopg.connect(fresh_url, autocommit=True) as setup:
        owner = seed.create_user(setup)
        shop = seed.create_shop(setup, owner, f"decide-{deciders}.myshopify.com")
        people = [owner]
        for role in ("manager", "operator", "operator", "operator")[:deciders - 1]:
            people.append(seed.create_user(setup))
            seed.add_member(setup, shop, people[-1], role)
        suggestion = seed.suggest(setup, shop)["suggestion_id"]

    start = threading.Barrier(deciders)
    answers: list[postgrest_standin.Response] = [None] * deciders  # type: ignore[list-item]

    def decide(i: int) -> None:
        with psycopg.connect(fresh_url, autocommit=True) as conn:
            start.wait(timeout=10)
            answers[i] = postgrest_standin.rpc(conn, "decide_action", {
                "shop_id": str(shop), "suggestion_id": suggestion,
                "outcome": ("approved", "rejected")[i % 2], "note": f"decider {i}"},
                identity=postgrest_standin.user(people[i]))

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(deciders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [(i, a) for i, a in enumerate(answers) if a.ok]
    assert len(winners) == 1, answers
    winner, won = winners[0]
    for i, answer in enumerate(answers):
        if i != winner:
            assert (answer.status, answer.code) == (409, "23505"), answer
            assert f"already decided: {won.body['outcome']} by {people[winner]}" in \
                answer.body["message"]
    with psycopg.connect(fresh_url) as check:
        rows = check.execute("select decided_by, note from audit.decision").fetchall()
    assert rows == [(people[winner], f"decider {winner}")]
