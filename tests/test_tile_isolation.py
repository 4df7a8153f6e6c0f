"""Tiles check membership once, read only what row-level security covers, leak nothing.

A tile (a stable api function) may hand its reading to a security definer body, so that
row-level security is not paid again on every statement: the body checks once that the
caller may read the shop and then reads that shop's rows itself. That is only as safe as
what the body reads, so:
- every relation any function under a tile reads (found by plpgsql_check for plpgsql and
  by parsing SQL bodies) must be a tenant table: in app, row-level security enabled, a
  shop_id column and a select policy; the membership lookups alone may read memberships;
- one member's call looks memberships up exactly once (the bench figure, proved);
- a shop's tile is byte for byte the same whatever another shop holds or does, and a
  member of one shop is refused another's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pglast
import psycopg
import pytest
from pglast import ast
from pglast.visitors import Visitor

from storepulse.bench.common import membership_checks
from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.postgrest_standin import rpc
from tests import shopify_samples

# The membership lookups: the only functions under a tile that may read memberships.
MEMBERSHIP_HELPERS = {"private.my_shop_ids"}
AS_OF = "2026-11-20T23:00:00-06:00"
OWN_SCHEMAS = ("app", "api", "private", "audit")


class _Names(Visitor):  # type: ignore[misc]
    """The relations and functions a SQL body names."""

    def __init__(self) -> None:
        self.relations: set[str] = set()
        self.functions: set[str] = set()
        self.ctes: set[str] = set()

    def visit_CommonTableExpr(self, _ancestors: object, node: ast.CommonTableExpr) -> None:
        self.ctes.add(node.ctename)

    def visit_RangeVar(self, _ancestors: object, node: ast.RangeVar) -> None:
        self.relations.add(f"{node.schemaname}.{node.relname}" if node.schemaname
                           else node.relname)

    def visit_FuncCall(self, _ancestors: object, node: ast.FuncCall) -> None:
        self.functions.add(".".join(n.sval for n in node.funcname))


def _reads(db: psycopg.Connection, oid: int) -> tuple[set[str], set[int]]:
    """The relations a function reads and the functions it calls (ours, not pg_catalog's)."""
    language, body = db.execute(
        "select l.lanname, p.prosrc from pg_catalog.pg_proc as p "
        "join pg_catalog.pg_language as l on l.oid = p.prolang where p.oid = %s",
        (oid,)).fetchone() or (None, None)
    if language == "plpgsql":
        rows = db.execute("select type, oid, schema, name from plpgsql_show_dependency_tb(%s)",
                          (oid,)).fetchall()
        relations = {f"{s}.{n}" for t, _o, s, n in rows if t == "RELATION"}
        functions = {o for t, o, s, _n in rows if t == "FUNCTION" and s != "pg_catalog"}
        return relations, functions
    assert language == "sql", f"function {oid}: a {language} function under a tile"
    names = _Names()
    for raw in pglast.parse_sql(body):
        names(raw)
    relations = {r for r in names.relations if r not in names.ctes}
    unqualified = {r for r in relations if "." not in r}
    assert not unqualified, f"function {oid} reads {unqualified} without a schema"
    functions = set()
    for name in names.functions:
        if "." not in name or name.startswith("pg_catalog."):  # search_path '': pg_catalog
            continue
        functions |= {r[0] for r in db.execute(
            "select p.oid from pg_catalog.pg_proc as p "
            "where p.oid::regproc::text = %s or p.pronamespace::regnamespace::text || '.' "
            "|| p.proname = %s", (name, name))}
    return relations, functions


def _under(db: psycopg.Connection, root: int) -> dict[str, set[str]]:
    """{function: relations it reads} for the function and everything it calls."""
    out: dict[str, set[str]] = {}
    todo, seen = [root], set()
    while todo:
        oid = todo.pop()
        if oid in seen:
            continue
        seen.add(oid)
        name, ours = db.execute(
            "select pronamespace::regnamespace || '.' || proname, "
            "pronamespace::regnamespace::text = any (%s) from pg_catalog.pg_proc "
            "where oid = %s", (list(OWN_SCHEMAS), oid)).fetchone()
        if not ours:  # Supabase's own (auth.uid() reads the request's settings)
            out.setdefault(name, set())
            continue
        relations, functions = _reads(db, oid)
        out.setdefault(name, set()).update(relations)
        todo += sorted(functions)
    return out


@pytest.fixture
def checked(db: psycopg.Connection, need_extension: Callable[[str], None]) -> psycopg.Connection:
    """The session's database with plpgsql_check (CI installs it)."""
    need_extension("plpgsql_check")
    db.execute("create extension if not exists plpgsql_check")
    return db


def _tiles(db: psycopg.Connection) -> dict[str, int]:
    """Every stable api function (the GET-able tiles and reads) that reads as a definer."""
    tiles = {}
    for name, oid in db.execute(
            "select p.proname, p.oid from pg_catalog.pg_proc as p "
            "where p.pronamespace = 'api'::regnamespace and p.provolatile = 's' order by 1"):
        under = _under(db, oid)
        definers = db.execute(
            "select pronamespace::regnamespace || '.' || proname from pg_catalog.pg_proc "
            "where prosecdef and pronamespace::regnamespace || '.' || proname = any (%s)",
            (sorted(set(under) - MEMBERSHIP_HELPERS),)).fetchall()
        if definers:
            tiles[name] = oid
    return tiles


def test_tiles_read_as_definer_only_tables_row_level_security_covers(
    checked: psycopg.Connection,
) -> None:
    """Under every definer-reading tile, each relation read is a tenant table with a policy."""
    tiles = _tiles(checked)
    assert "sales_pulse" in tiles, tiles
    problems = []
    for tile, oid in tiles.items():
        for function, relations in _under(checked, oid).items():
            if function in MEMBERSHIP_HELPERS:
                continue
            for relation in sorted(relations):
                row = checked.execute("""
                    select c.relnamespace::regnamespace::text, c.relrowsecurity,
                        exists (select from pg_catalog.pg_attribute as a
                                where a.attrelid = c.oid and a.attname = 'shop_id'
                                    and not a.attisdropped),
                        exists (select from pg_catalog.pg_policy as p
                                where p.polrelid = c.oid and p.polcmd in ('r', '*'))
                    from pg_catalog.pg_class as c where c.oid = to_regclass(%s)""",
                    (relation,)).fetchone()
                if row is None or row != ("app", True, True, True):
                    problems.append(f"api.{tile} -> {function} reads {relation}: (schema, rls, "
                                    f"shop_id, select policy) = {row}")
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_table_without_row_level_security(checked: psycopg.Connection) -> None:
    """True positive: a definer tile reading a private table is reported."""
    checked.execute("""
        create function private.bad_tile_body(p_shop_id uuid) returns bigint
            language plpgsql stable security definer set search_path = '' as $$
        begin
            return (select count(*) from private.inbound_source);
        end $$;
        create function api.bad_tile(shop_id uuid) returns bigint
            language plpgsql stable set search_path = '' as $$
        begin
            return private.bad_tile_body(bad_tile.shop_id);
        end $$""")
    tiles = _tiles(checked)
    assert "bad_tile" in tiles
    under = _under(checked, tiles["bad_tile"])
    assert under["private.bad_tile_body"] == {"private.inbound_source"}


@pytest.fixture
def two_shops(db: psycopg.Connection) -> dict[str, Any]:
    """Two shops with the same sample history, an owner and a viewer each."""
    out: dict[str, Any] = {"shops": [], "owners": [], "viewers": [], "domains": []}
    for i in range(2):
        owner, viewer = seed.create_user(db), seed.create_user(db)
        domain = f"isolation-{i}-{uuid.uuid4().hex[:8]}.myshopify.com"
        shop = seed.create_shop(db, owner, domain)
        seed.add_member(db, shop, viewer, "viewer")
        shopify_samples.seed_shop(db, domain)
        out["shops"].append(shop)
        out["owners"].append(owner)
        out["viewers"].append(viewer)
        out["domains"].append(domain)
    return out


def _tile(db: psycopg.Connection, shop: uuid.UUID, user: uuid.UUID) -> str:
    body = rpc(db, "sales_pulse", {"shop_id": str(shop), "as_of": AS_OF},
               identity=postgrest_standin.user(user), method="GET").raise_for_status().body
    body.pop("freshness")  # seconds since the last delivery: the clock moves
    body.pop("shop")  # its id and name
    return json.dumps(body, sort_keys=True)


def test_a_member_call_looks_memberships_up_once(db: psycopg.Connection,
                                                 two_shops: dict[str, Any]) -> None:
    """Owner and viewer alike: one membership lookup per tile call; service_role none."""
    shop = str(two_shops["shops"][0])
    for user in (two_shops["owners"][0], two_shops["viewers"][0]):
        assert membership_checks(db, shop, str(user), AS_OF) == 1


def test_a_shop_tile_ignores_every_other_shop(db: psycopg.Connection,
                                               two_shops: dict[str, Any]) -> None:
    """Shop 0's tile is unchanged by shop 1's new orders; shop 1's own tile changes."""
    shops, owners = two_shops["shops"], two_shops["owners"]
    before = [_tile(db, s, o) for s, o in zip(shops, owners, strict=True)]
    assert before[0] == before[1]  # the same history: the same figures
    assert _tile(db, shops[0], two_shops["viewers"][0]) == before[0]
    for n in range(3):
        shopify_samples.webhook(db, two_shops["domains"][1], "orders/create",
                                shopify_samples.order(9100 + n, quantity=5 + n),
                                f"extra-{n}-{uuid.uuid4().hex[:6]}")
    assert _tile(db, shops[0], owners[0]) == before[0]
    assert _tile(db, shops[1], owners[1]) != before[1]


def test_a_member_of_one_shop_is_refused_another(db: psycopg.Connection,
                                                 two_shops: dict[str, Any]) -> None:
    """403 (42501) for the other shop's tile, with nothing of it in the answer."""
    resp = rpc(db, "sales_pulse", {"shop_id": str(two_shops["shops"][1]), "as_of": AS_OF},
               identity=postgrest_standin.user(two_shops["owners"][0]), method="GET")
    assert resp.status == 403
    assert resp.body["code"] == "42501"
    assert two_shops["domains"][1] not in json.dumps(resp.body)
