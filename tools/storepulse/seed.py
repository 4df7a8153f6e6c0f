"""Create users, shops and members: for the demo and for tests."""

from __future__ import annotations

import uuid

import psycopg

from storepulse import postgrest


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
    resp = postgrest.rpc(
        conn, "create_shop",
        {"shopify_domain": domain, "name": name or domain.split(".")[0],
         "currency": currency, "iana_timezone": iana_timezone},
        identity=postgrest.user(owner),
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
