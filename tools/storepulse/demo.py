"""The demo: an embedded database, migrated, with a demo shop and its team, shown."""

from __future__ import annotations

import time
import uuid

import psycopg

from storepulse import migrate, postgrest, seed
from storepulse.harness import build_stack

TEAM = (("manager", "mia@hotrodan.example"), ("operator", "otto@hotrodan.example"),
        ("viewer", "vera@hotrodan.example"))


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def _table(rows: list[dict], cols: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in cols}
    head = "  ".join(c.ljust(widths[c]) for c in cols)
    body = ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(["    " + head, "    " + "-" * len(head), *("    " + b for b in body)])


def run(*, keep: bool) -> int:
    """Do the whole demo; return the exit code."""
    _say("storepulse demo")
    _say("1. Starting PostgreSQL (native binaries if installed, else the PyPI server)...")
    t0 = time.monotonic()
    stack = build_stack(allow_embedded=True, with_template=False)
    try:
        _say(f"   {stack.server.kind} server ready in {stack.ready_seconds:.2f} s")
        n = len(migrate.all_migrations())
        _say(f"2. Applied the Supabase stand-in and {n} migrations in "
             f"{stack.migrate_seconds:.2f} s (yoyo, from migrations/ policies/ functions/ "
             "views/ cron/)")
        with stack.connect(autocommit=True) as conn:
            _show(conn)
        _say(f"\nDone in {time.monotonic() - t0:.1f} s.")
        _say("\nConnect while it runs (with --keep):")
        _say(f"    psql '{stack.main_url}'")
        _say(f"    DATABASE_URL='{stack.main_url}' yoyo list")
        if keep:
            from storepulse.cli import wait_for_interrupt  # noqa: PLC0415

            _say("\nThe database keeps running; press Ctrl-C to stop and remove it.")
            wait_for_interrupt()
        else:
            _say("\nCleaning up (run with --keep to keep the database running).")
    finally:
        stack.stop()
    return 0


def _show(conn: psycopg.Connection) -> None:
    owner = seed.create_user(conn, "olive@hotrodan.example")
    _say("3. Signed up the owner olive@hotrodan.example; she creates the shop through "
         "POST /rpc/create_shop:")
    shop = seed.create_shop(conn, owner, "hot-rod-an.myshopify.com", name="Hot Rod AN",
                            currency="USD", iana_timezone="America/Los_Angeles")
    as_owner = postgrest.user(owner)
    team = {}
    for role, email in TEAM:
        user_id = seed.create_user(conn, email)
        team[role] = user_id
        postgrest.rpc(conn, "add_shop_member",
                      {"shop_id": str(shop), "user_id": str(user_id), "role": role},
                      identity=as_owner).raise_for_status()
    _say(f"   shop {shop} created; added {', '.join(e for _, e in TEAM)}")
    stranger = seed.create_user(conn, "stranger@elsewhere.example")
    other_shop = seed.create_shop(conn, stranger, "other-store.myshopify.com", name="Other store")
    _say(f"   a stranger signed up and created another shop ({other_shop})")

    _say("\n4. What each caller sees in GET /shops (RLS decides, per row):")
    for label, ident in (("owner olive", as_owner),
                         ("operator otto", postgrest.user(team["operator"])),
                         ("stranger", postgrest.user(stranger)),
                         ("service_role", postgrest.service_role())):
        with postgrest.acting_as(conn, ident):
            rows = conn.execute("select shopify_domain, my_role from api.shops "
                                "order by 1").fetchall()
        shown = ", ".join(f"{d} ({r or 'no role'})" for d, r in rows) or "nothing"
        _say(f"   {label:14} {shown}")

    with postgrest.acting_as(conn, as_owner):
        cur = conn.execute("select user_id, role from api.shop_members where shop_id = %s "
                           "order by role", (shop,))
        members = [{"user_id": str(u), "role": r} for u, r in cur.fetchall()]
    _say("\n5. Hot Rod AN's team, as the owner sees it:")
    _say(_table(members, ["user_id", "role"]))

    _say("\n6. Refusals, with the status PostgREST would answer:")
    for label, ident, fn, args in (
        ("viewer renames the shop", postgrest.user(team["viewer"]), "update_shop",
         {"shop_id": str(shop), "name": "Mine now"}),
        ("stranger renames it", postgrest.user(stranger), "update_shop",
         {"shop_id": str(shop), "name": "Mine now"}),
        ("anon creates a shop", postgrest.anon(), "create_shop",
         {"shopify_domain": "x.myshopify.com", "name": "x", "currency": "USD",
          "iana_timezone": "UTC"}),
        ("owner adds a bad role", as_owner, "add_shop_member",
         {"shop_id": str(shop), "user_id": str(uuid.uuid4()), "role": "king"}),
        ("owner leaves the shop ownerless", as_owner, "set_shop_member_role",
         {"shop_id": str(shop), "user_id": str(owner), "role": "viewer"}),
    ):
        resp = postgrest.rpc(conn, fn, args, identity=ident)
        msg = resp.body.get("message") if isinstance(resp.body, dict) else resp.body
        _say(f"   {label:32} -> {resp.status} {resp.code}: {msg}")

    _show_decisions(conn, shop, owner, team)


def _show_decisions(conn: psycopg.Connection, shop: uuid.UUID, owner: uuid.UUID,
                    team: dict[str, uuid.UUID]) -> None:
    _say("\n7. The analytics engine suggests a reorder; the team decides it "
         "(POST /rpc/decide_action):")
    shown = seed.suggest(conn, shop, subject_id="HR-CARB-01",
                         payload={"sku": "HR-CARB-01", "quantity": 40},
                         evidence=[{"tile": "inventory_cover", "id": "HR-CARB-01"}])
    args = {"shop_id": str(shop), "suggestion_id": shown["suggestion_id"], "outcome": "approved"}
    for label, user in (("viewer vera approves", team["viewer"]),
                        ("operator otto approves", team["operator"]),
                        ("manager mia rejects", team["manager"])):
        resp = postgrest.rpc(conn, "decide_action",
                             {**args, "outcome": "rejected" if "rejects" in label else "approved"},
                             identity=postgrest.user(user))
        outcome = f"{resp.status}: recorded" if resp.ok else \
            f"{resp.status} {resp.code}: {resp.body.get('message')}"
        _say(f"   {label:32} -> {outcome}")
    as_owner = postgrest.user(owner)
    log = postgrest.rpc(conn, "decision_log", {"shop_id": str(shop)}, identity=as_owner,
                        method="GET").raise_for_status().body
    _say("\n8. The decision log and the row-change audit, as the owner reads them:")
    _say(_table([{k: r[k] for k in ("kind", "subject_id", "outcome", "decided_role")}
                 for r in log], ["kind", "subject_id", "outcome", "decided_role"]))
    changes = postgrest.rpc(conn, "row_changes", {"shop_id": str(shop)}, identity=as_owner,
                            method="GET").raise_for_status().body
    _say(_table([{"table": c["table_name"], "op": c["op"], "actor_role": c["actor_role"],
                  "request_path": c["request_path"] or ""} for c in changes[::-1]],
                ["table", "op", "actor_role", "request_path"]))
