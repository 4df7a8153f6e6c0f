"""Create users, shops and members: for the demo and for tests."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from storepulse.testkit import postgrest_standin


def create_user(conn: psycopg.Connection, email: str | None = None) -> uuid.UUID:
    """Insert an auth user, as Supabase Auth's sign-up would; return its id."""
    user_id = uuid.uuid4()
    conn.execute(
        "insert into auth.users (id, aud, role, email) values (%s, 'authenticated', "
        "'authenticated', %s)",
        (user_id, email or f"{user_id.hex[:8]}@example.test"),
    )
    return user_id


def create_shop(
    conn: psycopg.Connection,
    owner: uuid.UUID,
    domain: str,
    *,
    name: str | None = None,
    currency: str = "USD",
    iana_timezone: str = "America/Chicago",
) -> uuid.UUID:
    """Create a shop through api.create_shop as its owner; return the shop id."""
    resp = postgrest_standin.rpc(
        conn, "create_shop",
        {"shopify_domain": domain, "name": name or domain.split(".", maxsplit=1)[0],
         "currency": currency, "iana_timezone": iana_timezone},
        identity=postgrest_standin.user(owner),
    ).raise_for_status()
    return uuid.UUID(resp.body["shop_id"])


def add_member(
    conn: psycopg.Connection, shop_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> None:
    """Add a member with the service role (no policy in the way)."""
    conn.execute(
        "insert into app.shop_member (shop_id, user_id, role) values (%s, %s, %s)",
        (shop_id, user_id, role),
    )


def suggest(
    conn: psycopg.Connection,
    shop_id: uuid.UUID,
    identity: postgrest_standin.Identity | None = None,
    **fields: object,
) -> dict[str, Any]:
    """Suggest an action through api.suggest_action; return it as the API answers it.

    By default the analytics engine suggests reordering a SKU.
    """
    args: dict[str, object] = {
        "shop_id": str(shop_id), "kind": "reorder_sku", "subject_type": "sku",
        "subject_id": "SKU-1", "payload": {"sku": "SKU-1", "quantity": 24},
        "source": "reorder-engine", "model_version": "2026.11", "score": 0.8,
        "evidence": [{"tile": "inventory_cover", "id": "SKU-1"}],
    }
    args.update(fields)
    resp = postgrest_standin.rpc(conn, "suggest_action", args,
                         identity=identity or postgrest_standin.service_role())
    suggestion: dict[str, Any] = resp.raise_for_status().body
    return suggestion


def decide(
    conn: psycopg.Connection,
    shop_id: uuid.UUID,
    suggestion_id: uuid.UUID | str,
    user_id: uuid.UUID,
    outcome: str = "approved",
    **fields: object,
) -> dict[str, Any]:
    """Decide a suggestion through api.decide_action as the member `user_id`."""
    args = {"shop_id": str(shop_id), "suggestion_id": str(suggestion_id), "outcome": outcome,
            **fields}
    resp = postgrest_standin.rpc(conn, "decide_action", args,
                                 identity=postgrest_standin.user(user_id))
    decision: dict[str, Any] = resp.raise_for_status().body
    return decision
