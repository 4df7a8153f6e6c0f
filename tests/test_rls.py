"""Row-level security, as properties over random shops, members and roles.

For every table in app and audit, every api view with a shop_id, and every api
function: anon sees nothing; a member sees exactly their own shops' rows (those a
READERS entry lets their role read); a non-member of a shop can neither read nor write
it; service_role sees everything. A hidden read is proved by zero rows plus the row's
existence (as admin); a refused write by 42501; a read function returns nothing.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from storepulse.testkit import postgrest_standin
from storepulse.testkit.postgrest_standin import acting_as, rpc
from tests.tenancy import API_CALLS, READERS, ROLES, TABLE_SEEDERS, build_world

memberships = st.lists(
    st.dictionaries(st.integers(0, 2), st.sampled_from(ROLES), max_size=3),
    min_size=1, max_size=4,
)
PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


TENANT_SCHEMAS = ("app.", "audit.")


def _relations(db: psycopg.Connection) -> list[str]:
    """Every app and audit table, and every api view with a shop_id column.

    Partitions are left out: they are reached through their parent.
    """
    return [r[0] for r in db.execute("""
        select format('%I.%I', n.nspname, c.relname)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where (n.nspname in ('app', 'audit') and c.relkind in ('r', 'p')
               and not c.relispartition)
           or (n.nspname = 'api' and c.relkind = 'v' and exists (
                select from pg_attribute a where a.attrelid = c.oid and a.attname = 'shop_id'))
        order by 1""").fetchall()]


def _shops_with_rows(db: psycopg.Connection, rel: str) -> dict[uuid.UUID, int]:
    rows = db.execute(sql.SQL("select shop_id, count(*) from {} group by 1").format(
        sql.SQL(rel))).fetchall()
    return dict(rows)


def test_every_table_and_function_is_covered(db: psycopg.Connection) -> None:
    """A new table or api function must be added to tests/tenancy.py to be proved."""
    tables = {r for r in _relations(db) if r.startswith(TENANT_SCHEMAS)}
    functions = {r[0] for r in db.execute(
        "select p.proname from pg_proc p where p.pronamespace = 'api'::regnamespace")}
    assert tables == set(TABLE_SEEDERS), "tables without a seeder in tests/tenancy.py"
    assert functions == set(API_CALLS), "api functions without an entry in tests/tenancy.py"


@PROPERTY
@given(n_shops=st.integers(1, 3), members=memberships)
def test_members_see_exactly_their_shops(db: psycopg.Connection, n_shops: int,
                                         members: list[dict[int, str]]) -> None:
    """Each relation shows a member all rows of their shops and none of the others."""
    with db.transaction(force_rollback=True):
        world = build_world(db, n_shops, members)
        for rel in _relations(db):
            truth = _shops_with_rows(db, rel)
            assert set(truth) == set(world.shops), f"{rel} has no rows for some shop"
            readers = READERS.get(rel, frozenset(ROLES))
            for user_id, shops in world.members.items():
                with acting_as(db, postgrest_standin.user(user_id)):
                    seen = _shops_with_rows(db, rel)
                assert seen == {s: n for s, n in truth.items() if shops.get(s) in readers}, rel
            with acting_as(db, postgrest_standin.service_role()):
                assert _shops_with_rows(db, rel) == truth, f"service_role misses rows of {rel}"


def test_anon_sees_nothing(db: psycopg.Connection) -> None:
    """The anon role has no grant on any relation: reads are refused with 42501 (HTTP 401)."""
    build_world(db, 2, [{0: "owner"}])
    for rel in _relations(db):
        with acting_as(db, postgrest_standin.anon()), pytest.raises(
                psycopg.errors.InsufficientPrivilege):
            db.execute(sql.SQL("select * from {}").format(sql.SQL(rel)))


@PROPERTY
@given(n_shops=st.integers(2, 3), members=memberships)
def test_non_members_cannot_write(db: psycopg.Connection, n_shops: int,
                                  members: list[dict[int, str]]) -> None:
    """Insert, update and delete of another shop's rows are refused or touch nothing."""
    with db.transaction(force_rollback=True):
        world = build_world(db, n_shops, members)
        for rel in [r for r in _relations(db) if r.startswith(TENANT_SCHEMAS)]:
            truth = _shops_with_rows(db, rel)
            for user_id, shops in world.members.items():
                for shop in (s for s in world.shops if s not in shops):
                    row = db.execute(sql.SQL(
                        "select to_jsonb(t) from {} t where shop_id = %s limit 1").format(
                        sql.SQL(rel)), (shop,)).fetchone()[0]
                    _assert_write_refused(db, rel, shop, row, user_id)
            assert _shops_with_rows(db, rel) == truth, f"a refused write changed {rel}"


def _assert_write_refused(db: psycopg.Connection, rel: str, shop: uuid.UUID, row: dict,
                          user_id: uuid.UUID) -> None:
    ident = postgrest_standin.user(user_id)
    with acting_as(db, ident), pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute(sql.SQL("insert into {} overriding system value "
                           "select * from jsonb_populate_record(null::{}, %s)")
                   .format(sql.SQL(rel), sql.SQL(rel)), (psycopg.types.json.Jsonb(row),))
    for stmt in (sql.SQL("update {} set shop_id = shop_id where shop_id = %s"),
                 sql.SQL("delete from {} where shop_id = %s")):
        with acting_as(db, ident):
            try:
                cur = db.execute(stmt.format(sql.SQL(rel)), (shop,))
                assert cur.rowcount == 0, f"{stmt.as_string(db)} touched {rel} rows of a stranger"
            except psycopg.errors.InsufficientPrivilege:
                pass  # no grant at all is a refusal too


@PROPERTY
@given(n_shops=st.integers(1, 3), members=memberships)
def test_api_functions_follow_membership_and_role(db: psycopg.Connection, n_shops: int,
                                                  members: list[dict[int, str]]) -> None:
    """Every api function: allowed roles succeed, others are refused or see nothing.

    For a write, other members and strangers get 403; for a read, they get an empty answer
    (the shop's rows are hidden).
    """
    with db.transaction(force_rollback=True):
        world = build_world(db, n_shops, members)
        for name, call in API_CALLS.items():
            for user_id, shops in world.members.items():
                targets = world.shops if call.per_shop else world.shops[:1]
                for shop in targets:
                    role = shops.get(shop) if call.per_shop else "owner"
                    with db.transaction(force_rollback=True):
                        resp = rpc(db, name, call.args(shop, world),
                                   identity=postgrest_standin.user(user_id))
                    if call.kind == "read":
                        assert resp.ok, (name, role, resp)
                        assert (call.rows(resp.body) > 0) == (role in call.allowed), \
                            (name, role, resp)
                    elif role in call.allowed:
                        assert resp.ok, (name, role, resp)
                    else:
                        assert (resp.status, resp.code) == (403, "42501"), (name, role, resp)


def test_api_functions_refuse_anon(db: psycopg.Connection) -> None:
    """The anon role may execute no api function: 401."""
    world = build_world(db, 1, [{0: "owner"}])
    for name, call in API_CALLS.items():
        resp = rpc(db, name, call.args(world.shops[0], world), identity=postgrest_standin.anon())
        assert (resp.status, resp.code) == (401, "42501"), (name, resp)
