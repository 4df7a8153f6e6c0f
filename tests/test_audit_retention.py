"""Retention: the maintenance job drops exactly what is older than 180 days.

It keeps everything of a shop under legal hold, and is scheduled in pg_cron. Job bodies
run directly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storepulse.testkit import postgrest_standin
from storepulse.testkit.postgrest_standin import rpc
from tests.auditing import (
    UTC,
    build_team,
    db_now,
    insert_decision,
    insert_row_change,
    insert_suggestion,
)

RETENTION = dt.timedelta(days=180)
N_SHOPS = 3
ages = st.tuples(st.integers(0, N_SHOPS - 1), st.integers(0, 420 * 24))  # shop, hours ago


def _shops(db: psycopg.Connection) -> list[uuid.UUID]:
    return [db.execute("insert into app.shop (shopify_domain, name, currency, iana_timezone) "
                       "values (%s, 'Kept', 'USD', 'UTC') returning shop_id",
                       (f"ret-{uuid.uuid4().hex[:10]}.myshopify.com",)).fetchone()[0]
            for _ in range(N_SHOPS)]


def _partitions(db: psycopg.Connection) -> dict[str, dt.datetime]:
    """Partition name -> upper bound."""
    rows = db.execute("""
        select c.oid::regclass::text,
            (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]
        from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'audit.row_change'::regclass""").fetchall()
    return {name: dt.datetime.fromisoformat(upper) for name, upper in rows}


def _upper_bound(at: dt.datetime) -> dt.datetime:
    """The end of the UTC month holding `at`: its partition's upper bound."""
    first = at.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + dt.timedelta(days=32)).replace(day=1)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(ages, max_size=25), decisions=st.lists(ages, max_size=12),
       unanswered=st.lists(ages, max_size=5), held=st.sets(st.integers(0, N_SHOPS - 1)))
def test_retention_drops_exactly_what_is_older_than_180_days(
        db: psycopg.Connection, changes: list[tuple[int, int]],
        decisions: list[tuple[int, int]], unanswered: list[tuple[int, int]],
        held: set[int]) -> None:
    """What is over 180 days old goes, unless its shop is held.

    Row changes: a month goes when it is over 180 days old, unless a held shop has rows
    in it, whose rows alone stay. Decisions (and unanswered suggestions, which expire
    first): each goes at 180 days, unless its shop is held.
    """
    with db.transaction(force_rollback=True):
        shops = _shops(db)
        for i in held:
            db.execute("insert into app.shop_legal_hold (shop_id, reason) values (%s, 'case')",
                       (shops[i],))
        now = db_now(db)
        cutoff = now - RETENTION
        written = {insert_row_change(db, shops[s], now - dt.timedelta(hours=h)): (s, h)
                   for s, h in changes}
        decided = {}
        for s, h in decisions:
            at = now - dt.timedelta(hours=h)
            sid = insert_suggestion(db, shops[s], at - dt.timedelta(hours=1))
            insert_decision(db, shops[s], sid, at)
            decided[sid] = (s, at)
        for s, h in unanswered:  # expires an hour after it was suggested
            at = now - dt.timedelta(hours=h + 1)
            sid = insert_suggestion(db, shops[s], at, expires_in=dt.timedelta(hours=1))
            decided[sid] = (s, at + dt.timedelta(hours=1))
        before = _partitions(db)

        report = db.execute("select private.maintain_audit_trail()").fetchone()[0]

        kept_old = {_upper_bound(now - dt.timedelta(hours=h)) for s, h in changes if s in held}
        expected = {name for name, upper in before.items()
                    if upper > cutoff or upper in kept_old}
        after = _partitions(db)
        assert set(after) >= expected
        assert not (set(after) - expected - set(
            report["row_change_partitions_ready"]))
        dropped = set(report["row_change_partitions_dropped"])
        assert dropped & set(before) == set(before) - set(after)
        # the stores' partitions of those months go too (their rows are newer writes)
        assert {d.split("__")[-1][-7:] for d in dropped - set(before)} <= {
            b[-7:] for b in before if before[b] <= cutoff}
        survivors = {r[0] for r in db.execute(
            "select change_id from audit.row_change where change_id = any (%s)",
            (list(written),)).fetchall()}
        assert survivors == {cid for cid, (s, h) in written.items()
                             if s in held or _upper_bound(now - dt.timedelta(hours=h)) > cutoff}
        left = {r[0]: r[1] for r in db.execute(
            "select s.suggestion_id, d.outcome::text from audit.suggestion s left join "
            "audit.decision d using (shop_id, suggestion_id) where s.suggestion_id = any (%s)",
            (list(decided),)).fetchall()}
        assert set(left) == {sid for sid, (s, at) in decided.items()
                             if s in held or at >= cutoff}
        assert None not in left.values(), "an expired suggestion was not recorded as expired"


def test_lifting_a_hold_lets_the_next_run_drop_the_partition(db: psycopg.Connection) -> None:
    """A partition kept for a held shop goes on the first run after the hold is lifted."""
    team = build_team(db)
    old = db_now(db) - dt.timedelta(days=300)
    change = insert_row_change(db, team.shop, old)
    rpc(db, "set_legal_hold", {"shop_id": str(team.shop), "held": True, "reason": "Audit 7"},
        identity=team.identity("owner")).raise_for_status()
    first = db.execute("select private.apply_audit_retention()").fetchone()[0]
    partition = f"audit.row_change_{old.astimezone(UTC):%Y_%m}"
    assert partition in first["row_change_partitions_kept_for_legal_hold"]
    assert db.execute("select count(*) from audit.row_change where change_id = %s",
                      (change,)).fetchone()[0] == 1
    rpc(db, "set_legal_hold", {"shop_id": str(team.shop), "held": False},
        identity=team.identity("owner")).raise_for_status()
    second = db.execute("select private.apply_audit_retention()").fetchone()[0]
    assert partition in second["row_change_partitions_dropped"]


def test_legal_hold_is_set_by_owners_only_and_is_itself_audited(db: psycopg.Connection) -> None:
    """Owners place and lift holds (400 without a reason); the row-change audit shows who."""
    team = build_team(db)
    args = {"shop_id": str(team.shop), "held": True, "reason": "Chargeback dispute"}
    for role in ("manager", "operator", "viewer", "stranger"):
        resp = rpc(db, "set_legal_hold", args, identity=team.identity(role))
        assert (resp.status, resp.code) == (403, "42501"), resp
    resp = rpc(db, "set_legal_hold", {**args, "reason": " "}, identity=team.identity("owner"))
    assert (resp.status, resp.code) == (400, "22023")
    assert "reason" in resp.body["message"]
    assert rpc(db, "set_legal_hold", args, identity=team.identity("owner")).body is True
    with postgrest_standin.acting_as(db, team.identity("viewer")):
        held = db.execute("select reason, placed_by from api.legal_holds").fetchall()
    assert held == [("Chargeback dispute", team.owner)]
    assert rpc(db, "set_legal_hold", {"shop_id": str(team.shop), "held": False},
               identity=team.identity("owner")).body is False
    trail = rpc(db, "row_changes", {"shop_id": str(team.shop), "table_name": "app.shop_legal_hold"},
                identity=team.identity("manager")).raise_for_status().body
    assert [(c["op"], c["actor"]) for c in trail] == [("DELETE", str(team.owner)),
                                                     ("INSERT", str(team.owner))]


def test_the_jobs_are_scheduled(db: psycopg.Connection,
                                need_extension: Callable[[str], None]) -> None:
    """pg_cron runs the expiry every 15 minutes and the maintenance daily (GMT).

    The daily prune of cron.job_run_details (14 days) stays.
    """
    need_extension("pg_cron")
    jobs = {name: (schedule, command) for name, schedule, command in db.execute(
        "select jobname, schedule, command from cron.job where jobname like 'storepulse-%'")}
    assert jobs["storepulse-expire-suggestions"] == (
        "*/15 * * * *", "select private.expire_suggestions()")
    assert jobs["storepulse-maintain-audit-trail"] == (
        "23 2 * * *", "select private.maintain_audit_trail()")
    assert "job_run_details" in jobs["storepulse-prune-cron-history"][1]
