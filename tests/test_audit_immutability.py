"""Immutability: nobody updates, deletes or truncates audit or decision rows.

That holds whatever role they act in (the table owner included); only the retention job
deletes.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from psycopg import sql

from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.postgrest_standin import acting_as
from tests.auditing import Team, build_team, db_now, insert_row_change

ROLES = ("anon", "owner", "manager", "operator", "viewer", "service_role", "table owner")
STATEMENTS = {
    "update": "update {} set shop_id = shop_id",
    "delete": "delete from {}",
    "truncate": "truncate {} cascade",  # without cascade, the foreign key refuses first
}


@pytest.fixture
def team(db: psycopg.Connection) -> Team:
    """A shop with a decided suggestion, an open one, and recorded row changes."""
    team = build_team(db)
    decided = seed.suggest(db, team.shop)["suggestion_id"]
    seed.decide(db, team.shop, decided, team.operator)
    seed.suggest(db, team.shop)
    return team


def _targets(db: psycopg.Connection, team: Team) -> list[str]:
    """The audit tables, a row-change store, and this month's partitions of both."""
    insert_row_change(db, team.shop, db_now(db))  # rows written before the stores existed
    partition = db.execute("select private.create_row_change_partition(now()::date)").fetchone()[0]
    store = "audit.row_change__app__shop"
    return ["audit.suggestion", "audit.decision", "audit.row_change", partition, store,
            partition.replace("audit.row_change_", f"{store}_")]


def _snapshot(db: psycopg.Connection, tables: list[str]) -> dict[str, str]:
    """A digest of every row of each table, to prove that nothing changed."""
    return {t: db.execute(sql.SQL("select md5(coalesce(string_agg(to_jsonb(r)::text, ',' "
                                  "order by to_jsonb(r)::text), '')) from {} r").format(
        sql.SQL(t))).fetchone()[0] for t in tables}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("statement", STATEMENTS)
def test_every_role_is_refused(db: psycopg.Connection, team: Team, role: str,
                               statement: str) -> None:
    """Update, delete and truncate on every audit table and partition fail with 42501."""
    tables = _targets(db, team)
    before = _snapshot(db, tables)
    assert all(db.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608 - catalog names
               for t in tables)
    for table in tables:
        query = sql.SQL(STATEMENTS[statement]).format(sql.SQL(table))
        if role == "table owner":  # the migrating role, running ordinary SQL
            with pytest.raises(psycopg.errors.InsufficientPrivilege), db.transaction():
                db.execute(query)
        else:
            with acting_as(db, team.identity(role)), pytest.raises(
                    psycopg.errors.InsufficientPrivilege):
                db.execute(query)
    assert _snapshot(db, tables) == before


def test_the_refusal_names_the_rule(db: psycopg.Connection, team: Team) -> None:
    """The owner is told why, and who may remove rows."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege,
                       match=re.escape("DELETE on audit.decision is refused: audit and "
                                       "decision rows are append-only")), db.transaction():
        db.execute("delete from audit.decision")


def test_an_impostor_of_the_retention_function_is_refused(db: psycopg.Connection,
                                                          team: Team) -> None:
    """Only private.apply_audit_retention itself may delete.

    A function of the same name in another schema, or a setting a caller could copy, opens
    nothing.
    """
    db.execute("""
        create function public.apply_audit_retention() returns void language plpgsql
        set search_path = '' as $$
        begin
            perform set_config('storepulse.retention', 'on', true);
            delete from audit.decision;
        end $$
    """)
    db.execute("create schema xprivate")
    db.execute("create function xprivate.apply_audit_retention() returns void "
               "language plpgsql as 'begin delete from audit.decision; end'")
    for impostor in ("public.apply_audit_retention()", "xprivate.apply_audit_retention()"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), db.transaction():
            db.execute(f"select {impostor}")
    assert db.execute("select count(*) from audit.decision").fetchone()[0] == 1


@pytest.mark.parametrize("role", ["owner", "service_role"])
def test_api_roles_cannot_insert_either(db: psycopg.Connection, team: Team, role: str) -> None:
    """Rows come only from the api functions: no API role may insert directly."""
    for table in ("audit.suggestion", "audit.decision", "audit.row_change",
                  "audit.row_change__app__shop"):
        with acting_as(db, team.identity(role)), pytest.raises(
                psycopg.errors.InsufficientPrivilege):
            db.execute(sql.SQL("insert into {} select * from {} limit 1").format(
                sql.SQL(table), sql.SQL(table)))


def test_the_retention_function_may_not_be_run_by_api_roles(db: psycopg.Connection,
                                                            team: Team) -> None:
    """Execute on the retention and maintenance functions is the owner's alone."""
    for ident in (postgrest_standin.service_role(), team.identity("owner")):
        for fn in ("apply_audit_retention", "maintain_audit_trail", "expire_suggestions"):
            with acting_as(db, ident), pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(f"select private.{fn}()")
