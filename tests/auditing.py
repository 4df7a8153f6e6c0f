"""Helpers for the audit-trail and decision-log proofs.

A shop with one member per role, and back-dated rows written as the admin (inserting is
all the audit tables allow).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

import psycopg

from storepulse.testkit import postgrest_standin, seed

UTC = dt.UTC


@dataclass(frozen=True)
class Team:
    """A shop with an owner, a manager, an operator and a viewer, and a stranger."""

    shop: uuid.UUID
    owner: uuid.UUID
    manager: uuid.UUID
    operator: uuid.UUID
    viewer: uuid.UUID
    stranger: uuid.UUID

    def user(self, role: str) -> uuid.UUID:
        """The member holding `role` (or the stranger)."""
        return getattr(self, role)

    def identity(self, role: str) -> postgrest_standin.Identity:
        """How a request by that member (anon and service_role too) identifies itself."""
        if role == "anon":
            return postgrest_standin.anon()
        if role == "service_role":
            return postgrest_standin.service_role()
        return postgrest_standin.user(self.user(role))


def build_team(conn: psycopg.Connection) -> Team:
    """Create a shop (through the API) with one member per role, plus a stranger."""
    owner = seed.create_user(conn)
    shop = seed.create_shop(conn, owner, f"team-{uuid.uuid4().hex[:10]}.myshopify.com")
    members = {}
    for role in ("manager", "operator", "viewer"):
        members[role] = seed.create_user(conn)
        seed.add_member(conn, shop, members[role], role)
    return Team(shop, owner, stranger=seed.create_user(conn), **members)


def db_now(conn: psycopg.Connection) -> dt.datetime:
    """The transaction's now(): what the audit functions compare against."""
    return conn.execute("select now()").fetchone()[0]


def insert_suggestion(conn: psycopg.Connection, shop: uuid.UUID, suggested_at: dt.datetime,
                      *, kind: str = "reorder_sku", expires_in: dt.timedelta | None = None,
                      **fields: object) -> uuid.UUID:
    """A suggestion written straight into audit.suggestion with its own timestamps."""
    row = {"kind": kind, "subject_type": "sku", "subject_id": "SKU-9",
           "payload": {"quantity": 6}, "source": "reorder-engine", "model_version": "t1",
           "score": None, "evidence": [], "suggested_by": None, "suggested_role": "service_role",
           **fields}
    expires_at = suggested_at + (expires_in or dt.timedelta(days=7))
    return conn.execute(
        "insert into audit.suggestion (shop_id, kind, subject_type, subject_id, payload, source,"
        " model_version, score, evidence, suggested_by, suggested_role, suggested_at, expires_at)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) returning suggestion_id",
        (shop, row["kind"], row["subject_type"], row["subject_id"], json.dumps(row["payload"]),
         row["source"], row["model_version"], row["score"], json.dumps(row["evidence"]),
         row["suggested_by"], row["suggested_role"], suggested_at, expires_at),
    ).fetchone()[0]


def insert_decision(conn: psycopg.Connection, shop: uuid.UUID, suggestion: uuid.UUID,
                    decided_at: dt.datetime, *, outcome: str = "approved",
                    decided_by: uuid.UUID | None = None, decided_role: str = "operator",
                    note: str | None = None, edited_payload: dict | None = None) -> None:
    """A decision written straight into audit.decision with its own timestamp."""
    if outcome == "expired":
        decided_by, decided_role = None, "system"
    conn.execute(
        "insert into audit.decision (shop_id, suggestion_id, outcome, decided_by, decided_role,"
        " decided_at, note, edited_payload) values (%s, %s, %s, %s, %s, %s, %s, %s)",
        (shop, suggestion, outcome, decided_by or (None if outcome == "expired" else uuid.uuid4()),
         decided_role, decided_at, note,
         None if edited_payload is None else json.dumps(edited_payload)),
    )


def insert_row_change(conn: psycopg.Connection, shop: uuid.UUID, occurred_at: dt.datetime) -> int:
    """A row change written straight into audit.row_change at `occurred_at`; its change_id."""
    conn.execute("select private.create_row_change_partition(%s::date)",
                 (occurred_at.astimezone(UTC).date(),))
    return conn.execute(
        "insert into audit.row_change (shop_id, occurred_at, table_name, op, record_key,"
        " new_values, actor_role) values (%s, %s, 'app.shop', 'INSERT', %s, '{}', 'postgres')"
        " returning change_id",
        (shop, occurred_at, json.dumps({"shop_id": str(shop)})),
    ).fetchone()[0]
