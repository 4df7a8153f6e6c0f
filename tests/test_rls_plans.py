"""Query plans under row-level security: auth and membership calls run once, as InitPlans.

Supabase's lint 0003 only string-matches `(select auth.uid())`; this reads the plan itself,
so it also covers our own helpers (private.my_shop_ids) and any new policy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from storepulse.testkit import postgrest_standin
from storepulse.testkit.postgrest_standin import acting_as
from tests.tenancy import build_world

CALLS = ("my_shop_ids", "auth.uid", "auth.jwt", "auth.role", "current_setting")


def _nodes(plan: dict[str, Any], *,
           in_initplan: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
    yield plan, in_initplan
    for child in plan.get("Plans", []):
        yield from _nodes(child, in_initplan=in_initplan
                          or child.get("Parent Relationship") == "InitPlan")


def _policy_tables(db: psycopg.Connection) -> list[str]:
    return [r[0] for r in db.execute(
        "select distinct format('%I.%I', schemaname, tablename) from pg_policies "
        "where schemaname in ('app', 'audit') order by 1").fetchall()]


def test_policies_call_helpers_once_per_statement(db: psycopg.Connection) -> None:
    """For every table with policies, auth/helper calls appear only inside InitPlans."""
    world = build_world(db, 2, [{0: "operator", 1: "viewer"}])
    member = next(iter(world.members))
    tables = _policy_tables(db)
    assert tables, "no policies found"
    for table in tables:
        with acting_as(db, postgrest_standin.user(member)):
            plan = db.execute(sql.SQL("explain (verbose, format json) select * from {}").format(
                sql.SQL(table))).fetchone()[0][0]["Plan"]
        initplans = 0
        for node, in_initplan in _nodes(plan):
            text = json.dumps({k: v for k, v in node.items() if k != "Plans"})
            assert node.get("Parent Relationship") != "SubPlan", f"{table}: per-row SubPlan"
            if in_initplan:
                initplans += any(c in text for c in CALLS)
            else:
                for call in CALLS:
                    assert call not in text, f"{table}: {call} evaluated per row: {text}"
        assert initplans, f"{table}: expected the membership lookup in an InitPlan"


def test_member_lookup_uses_the_user_index(db: psycopg.Connection) -> None:
    """private.my_shop_ids finds a user's shops through index_shop_member_on_user_id_shop_id."""
    db.execute("set local enable_seqscan = off")  # tiny tables: ask which index would serve
    with acting_as(db, postgrest_standin.user("00000000-0000-4000-8000-000000000001")):
        db.execute("reset role")  # keep the claims, read the table as its owner would
        plan = db.execute(  # the exact query inside private.my_shop_ids
            "explain (format json) select m.shop_id from app.shop_member as m "
            "where m.user_id = (select auth.uid()) and m.role = any ('{owner}')"
        ).fetchone()[0][0]["Plan"]
    index_conds = {n.get("Index Name"): n.get("Index Cond", "") for n, _ in _nodes(plan)}
    assert "user_id = $0" in index_conds.get("index_shop_member_on_user_id_shop_id", ""), plan
