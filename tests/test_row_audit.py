"""The row-change audit.

What the statement-level triggers record, who may read it, and the monthly partitions it
lives in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storepulse.testkit import seed
from storepulse.testkit.postgrest_standin import acting_as, rpc
from tests.auditing import Team, build_team


@pytest.fixture
def team(db: psycopg.Connection) -> Team:
    """A shop with one member per role."""
    return build_team(db)


def _changes(db: psycopg.Connection, team: Team, **filters: object) -> list[dict]:
    """The shop's row changes as its owner reads them through the API, oldest first."""
    body = rpc(db, "row_changes", {"shop_id": str(team.shop), **filters},
               identity=team.identity("owner"), method="GET").raise_for_status().body
    return body[::-1]


def test_api_writes_are_recorded_with_actor_role_request_and_txid(db: psycopg.Connection,
                                                                  team: Team) -> None:
    """Insert keeps the new row, update the changed keys, delete the old row.

    Each with the JWT's sub and role, PostgREST's method and path, and the transaction id.
    """
    newcomer = seed.create_user(db)
    owner = team.identity("owner")
    rpc(db, "update_shop", {"shop_id": str(team.shop), "name": "Renamed"},
        identity=owner).raise_for_status()
    rpc(db, "add_shop_member", {"shop_id": str(team.shop), "user_id": str(newcomer),
                                "role": "viewer"}, identity=owner).raise_for_status()
    rpc(db, "remove_shop_member", {"shop_id": str(team.shop), "user_id": str(newcomer)},
        identity=owner).raise_for_status()
    txid = db.execute("select pg_current_xact_id()::text::bigint").fetchone()[0]
    update, insert, delete = _changes(db, team)[-3:]
    for change in (update, insert, delete):
        assert (change["actor"], change["actor_role"]) == (str(team.owner), "authenticated")
        assert change["request_method"] == "POST"
        assert change["txid"] == txid
    assert (update["table_name"], update["op"], update["request_path"]) == \
        ("app.shop", "UPDATE", "/rpc/update_shop")
    assert update["record_key"] == {"shop_id": str(team.shop)}
    # updated_at = now() is unchanged: the test's one transaction also created the shop
    assert set(update["new_values"]) == {"name"} == set(update["old_values"])
    assert update["new_values"]["name"] == "Renamed"
    key = {"shop_id": str(team.shop), "user_id": str(newcomer)}
    assert (insert["op"], insert["record_key"], insert["old_values"]) == ("INSERT", key, None)
    assert insert["new_values"]["role"] == "viewer"
    assert len(insert["new_values"]) == 5
    assert (delete["op"], delete["record_key"], delete["new_values"]) == ("DELETE", key, None)
    assert delete["old_values"] == insert["new_values"]
    assert delete["request_path"] == "/rpc/remove_shop_member"


def test_without_claims_the_database_role_is_recorded(db: psycopg.Connection,
                                                      team: Team) -> None:
    """A job or migration (no JWT) is recorded as its database role, with no actor."""
    db.execute("update app.shop set name = 'By a job' where shop_id = %s", (team.shop,))
    change = _changes(db, team)[-1]
    user = db.execute("select session_user").fetchone()[0]
    assert (change["actor"], change["actor_role"], change["request_path"]) == (None, user, None)


def test_an_update_that_changes_nothing_is_not_recorded(db: psycopg.Connection,
                                                        team: Team) -> None:
    """No changed key, no audit row."""
    before = len(_changes(db, team))
    db.execute("update app.shop_member set role = role where shop_id = %s", (team.shop,))
    assert len(_changes(db, team)) == before


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.booleans(), st.sampled_from(("manager", "operator",
                                                                 "viewer"))),
                      min_size=1, max_size=8))
def test_a_many_row_update_pairs_each_old_row_with_its_new_row(
        db: psycopg.Connection, moves: list[tuple[bool, str]]) -> None:
    """One statement changing several rows records one change per row.

    Some of the rows change in their primary key; each change has that row's own old and
    new values.
    """
    with db.transaction(force_rollback=True):
        team = build_team(db)
        members = [seed.create_user(db) for _ in moves]
        for user in members:
            seed.add_member(db, team.shop, user, "viewer")
        replacement = {u: seed.create_user(db) if rekey else u for u, (rekey, _) in
                       zip(members, moves, strict=True)}
        new_role = {u: role for u, (_, role) in zip(members, moves, strict=True)}
        db.execute("""
            update app.shop_member as m
            set user_id = c.new_user, role = c.new_role::app.member_role
            from unnest(%s::uuid[], %s::uuid[], %s::text[]) as c (old_user, new_user, new_role)
            where m.shop_id = %s and m.user_id = c.old_user
        """, (members, [replacement[u] for u in members], [new_role[u] for u in members],
              team.shop))
        recorded = {(c["old_values"].get("user_id"), c["record_key"]["user_id"]): c
                    for c in _changes(db, team) if c["op"] == "UPDATE"}
        expected = {(str(u) if replacement[u] != u else None, str(replacement[u])): u
                    for u in members if replacement[u] != u or new_role[u] != "viewer"}
        assert set(recorded) == set(expected)
        for pair, user in expected.items():
            change = recorded[pair]
            assert change["new_values"].get("role", "viewer") == new_role[user]
            assert set(change["new_values"]) == set(change["old_values"])


def test_truncating_an_audited_table_is_refused(db: psycopg.Connection, team: Team) -> None:
    """TRUNCATE would remove rows unrecorded, so it is refused (42501)."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="is audited"), db.transaction():
        db.execute("truncate app.shop_legal_hold")


def test_only_owners_and_managers_read_row_changes(db: psycopg.Connection, team: Team) -> None:
    """Operators, viewers and strangers get no rows; owners and managers get them all."""
    counts = {}
    for role in ("owner", "manager", "operator", "viewer", "stranger"):
        counts[role] = len(rpc(db, "row_changes", {"shop_id": str(team.shop)},
                               identity=team.identity(role)).raise_for_status().body)
    assert counts["owner"] == counts["manager"] > 0
    assert counts["operator"] == counts["viewer"] == counts["stranger"] == 0


def test_row_changes_filter_by_table_key_and_period(db: psycopg.Connection, team: Team) -> None:
    """The history of one member: filter by table and a part of the record key."""
    key = {"user_id": str(team.viewer)}
    history = _changes(db, team, table_name="app.shop_member", record_key=key)
    assert [c["op"] for c in history] == ["INSERT"]
    assert _changes(db, team, since="2999-01-01T00:00:00Z") == []


def test_enable_row_audit_is_idempotent_and_checks_the_table(db: psycopg.Connection) -> None:
    """A second call changes nothing; unfit tables are refused, naming the table.

    Unfit: a table without a primary key or shop_id, or in schema audit.
    """
    assert db.execute("select private.enable_row_audit('app.shop')").fetchone()[0] is False
    db.execute("create table app.no_pk (shop_id uuid)")
    db.execute("create table app.no_shop (id int primary key)")
    for table in ("app.no_pk", "app.no_shop", "audit.decision"):
        with pytest.raises(psycopg.errors.InvalidParameterValue, match=table), db.transaction():
            db.execute("select private.enable_row_audit(%s)", (table,))


def test_partitions_are_monthly_in_utc_and_locked_like_their_parent(
        db: psycopg.Connection) -> None:
    """Two months are ready ahead; each partition has RLS and the refusal trigger."""
    ready = db.execute("select private.ensure_row_change_partitions(2)").fetchone()[0]
    # the month the database's clock is in (the function's own now()), not the test's
    month = db.execute("select now() at time zone 'UTC'").fetchone()[0].replace(day=1)
    names = []
    for _ in range(3):
        names.append(f"audit.row_change_{month:%Y_%m}")
        month = (month + dt.timedelta(days=32)).replace(day=1)
    assert ready == names
    name = db.execute("select private.create_row_change_partition('2025-03-17')").fetchone()[0]
    assert name == "audit.row_change_2025_03"
    bound = db.execute("select pg_get_expr(relpartbound, oid) from pg_class "
                       "where oid = 'audit.row_change_2025_03'::regclass").fetchone()[0]
    assert bound == "FOR VALUES FROM ('2025-03-01 00:00:00+00') TO ('2025-04-01 00:00:00+00')"
    partitions = db.execute("""
        select c.relname, c.relrowsecurity, exists (
            select from pg_trigger t where t.tgrelid = c.oid and t.tgname = '_100_refuse_change')
        from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'audit.row_change'::regclass""").fetchall()
    assert len(partitions) >= 4, partitions
    assert all(rls and trig for _, rls, trig in partitions), partitions


def test_a_change_in_a_month_without_partition_fails_rather_than_go_unrecorded(
        db: psycopg.Connection) -> None:
    """There is no default partition: no partition, no write."""
    with pytest.raises(psycopg.errors.CheckViolation, match="no partition"), db.transaction():
        db.execute("insert into audit.row_change (shop_id, occurred_at, table_name, op, "
                   "record_key, new_values, actor_role) values (%s, '2999-01-01', 'app.shop', "
                   "'INSERT', '{}', '{}', 'postgres')", (uuid.uuid4(),))


def test_audit_rows_are_readable_through_rls_only_via_the_parent(db: psycopg.Connection,
                                                                 team: Team) -> None:
    """A partition has no grant: even an owner reads the audit only through the parent."""
    partition = db.execute("select private.create_row_change_partition(now()::date)").fetchone()[0]
    with acting_as(db, team.identity("owner")), pytest.raises(
            psycopg.errors.InsufficientPrivilege):
        db.execute(f"select * from {partition}")  # noqa: S608 - the name the server gave


def test_an_update_stores_only_the_key_and_the_changed_columns(db: psycopg.Connection,
                                                               team: Team) -> None:
    """In the store, an update's rows hold the key and the changed column; the rest is null."""
    db.execute("update app.shop set name = 'Stored' where shop_id = %s", (team.shop,))
    old, new = db.execute(
        "select to_jsonb(s.old_rows[1]), to_jsonb(s.new_rows[1]) "
        "from audit.row_change__app__shop as s where s.shop_id = %s and s.op = 'UPDATE' "
        "order by s.batch_id desc limit 1", (team.shop,)).fetchone()
    assert {k for k, v in new.items() if v is not None} == {"shop_id", "name"}
    assert {k for k, v in old.items() if v is not None} == {"name"}


def test_an_audited_table_survives_column_changes_or_refuses_them_clearly(
        db: psycopg.Connection, team: Team,
        as_migrator: Callable[[psycopg.Connection], AbstractContextManager[None]]) -> None:
    """A new nullable column is recorded at once; a dropped one is simply gone.

    A change that would rewrite the table (a type change, a column with a default) is
    refused.
    """
    with as_migrator(db):  # as a migration would: the store belongs to the audit's owner
        db.execute("create table app.audit_probe (shop_id uuid not null, id int not null, "
                   "note text, gone int, primary key (shop_id, id))")
        db.execute("select private.enable_row_audit('app.audit_probe')")
    db.execute("insert into app.audit_probe values (%s, 1, 'a', 1)", (team.shop,))
    db.execute("alter table app.audit_probe add column extra jsonb")
    db.execute("alter table app.audit_probe drop column gone")
    db.execute("update app.audit_probe set extra = '{\"x\": 1}'")
    db.execute("delete from app.audit_probe")
    insert, update, delete = _changes(db, team, table_name="app.audit_probe")
    assert insert["new_values"] == {"shop_id": str(team.shop), "id": 1, "note": "a",
                                    "extra": None}
    assert (update["old_values"], update["new_values"]) == ({"extra": None},
                                                            {"extra": {"x": 1}})
    assert delete["old_values"]["extra"] == {"x": 1}
    for ddl in ("alter table app.audit_probe alter column note type varchar(9)",
                "alter table app.audit_probe add column n int not null default 0"):
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="uses its row type"), \
                db.transaction():
            db.execute(ddl)


def test_retiring_a_store_keeps_every_change_and_frees_the_table(
        db: psycopg.Connection, team: Team,
        as_migrator: Callable[[psycopg.Connection], AbstractContextManager[None]]) -> None:
    """retire_row_change_store moves the history to audit.row_change unchanged.

    Ids, times and values are kept; the refused type change then goes through, and auditing
    starts again.
    """
    with as_migrator(db):  # as a migration would: the store belongs to the audit's owner
        db.execute("create table app.audit_probe (shop_id uuid not null, id int not null, "
                   "note text, primary key (shop_id, id))")
        db.execute("select private.enable_row_audit('app.audit_probe')")
    db.execute("insert into app.audit_probe values (%s, 1, 'a'), (%s, 2, 'b')",
               (team.shop, team.shop))
    db.execute("update app.audit_probe set note = 'c' where id = 2")
    before = _changes(db, team, table_name="app.audit_probe")
    assert len(before) == 3
    with as_migrator(db):
        moved = db.execute(
            "select private.retire_row_change_store('app.audit_probe')").fetchone()[0]
    assert moved == 3
    assert db.execute("select to_regclass('audit.row_change__app__audit_probe')").fetchone()[0] \
        is None
    assert _changes(db, team, table_name="app.audit_probe") == before
    with as_migrator(db):
        db.execute("alter table app.audit_probe alter column note type varchar(9)")
        db.execute("select private.enable_row_audit('app.audit_probe')")
    db.execute("delete from app.audit_probe where id = 1")
    after = _changes(db, team, table_name="app.audit_probe")
    assert len(after) == 4
    assert after[:3] == before
    assert after[-1]["op"] == "DELETE"
    assert after[-1]["change_id"] > max(c["change_id"] for c in before)
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="no row-change store"):
        db.execute("select private.retire_row_change_store('app.sales_daily')")


def test_a_statement_over_two_shops_is_filed_under_each_shop_apart(db: psycopg.Connection,
                                                                   team: Team) -> None:
    """One statement changing two shops' rows writes one store row per shop.

    Each owner reads only the change to their own shop.
    """
    other = build_team(db)
    db.execute("update app.shop set name = name || ' (renamed)' where shop_id in (%s, %s)",
               (team.shop, other.shop))
    stored = db.execute(
        "select s.shop_id, s.row_count, s.txid from audit.row_change__app__shop as s "
        "where s.op = 'UPDATE' and s.shop_id in (%s, %s)", (team.shop, other.shop)).fetchall()
    assert sorted((r[0], r[1]) for r in stored) == sorted([(team.shop, 1), (other.shop, 1)])
    assert stored[0][2] == stored[1][2]  # one transaction
    for t in (team, other):
        updates = [c for c in _changes(db, t, table_name="app.shop") if c["op"] == "UPDATE"]
        assert [c["record_key"] for c in updates] == [{"shop_id": str(t.shop)}]
