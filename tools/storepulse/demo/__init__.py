"""The demo: an embedded database, migrated, with a demo shop and its team, shown."""

from __future__ import annotations

import datetime as dt
import signal
import time
import uuid
from decimal import Decimal
from typing import Any

import psycopg

from storepulse.db import migrate
from storepulse.testkit import postgrest_standin
from storepulse.testkit import seed
from storepulse.testkit.harness import build_stack
from storepulse.load.shopify import create_store_shop, ingest_backfill, ingest_deliveries
from storepulse.synth import HotRodAN, Scale, arrival_stats

TEAM = (("manager", "mia@hotrodan.example"), ("operator", "otto@hotrodan.example"),
        ("viewer", "vera@hotrodan.example"))


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def _table(rows: list[dict], cols: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in cols}
    head = "  ".join(c.ljust(widths[c]) for c in cols)
    body = ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(["    " + head, "    " + "-" * len(head), *("    " + b for b in body)])


def run(*, keep: bool, days: int = 92) -> int:
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
             f"views/ cron/, as {stack.server.migrator})")
        with stack.connect(autocommit=True) as conn:
            shop, owner = _show(conn)
            _season(conn, shop, owner, days)
        _say(f"\nDone in {time.monotonic() - t0:.1f} s.")
        _say("\nConnect while it runs (with --keep):")
        _say(f"    psql '{stack.main_url}'    # as {stack.server.user}, the admin")
        if stack.server.owner:
            _say(f"    psql '{stack.owner_url}'    # as {stack.server.owner}, no superuser:"
                 " it owns the schema, as on Supabase")
        _say(f"    DATABASE_URL='{stack.owner_url}' yoyo list")
        if keep:
            _say("\nThe database keeps running; press Ctrl-C to stop and remove it.")
            wait_for_interrupt()
        else:
            _say("\nCleaning up (run with --keep to keep the database running).")
    finally:
        stack.stop()
    return 0


def _show(conn: psycopg.Connection) -> tuple[uuid.UUID, uuid.UUID]:
    _say("3. Signed up the owner olive@hotrodan.example; she creates the shop through "
         "POST /rpc/create_shop:")
    shop, owner = create_store_shop(conn, HotRodAN(scale="season"))
    as_owner = postgrest_standin.user(owner)
    team = {}
    for role, email in TEAM:
        user_id = seed.create_user(conn, email)
        team[role] = user_id
        postgrest_standin.rpc(conn, "add_shop_member",
                      {"shop_id": str(shop), "user_id": str(user_id), "role": role},
                      identity=as_owner).raise_for_status()
    _say(f"   shop {shop} created; added {', '.join(e for _, e in TEAM)}")
    stranger = seed.create_user(conn, "stranger@elsewhere.example")
    other_shop = seed.create_shop(conn, stranger, "other-store.myshopify.com", name="Other store")
    _say(f"   a stranger signed up and created another shop ({other_shop})")

    _say("\n4. What each caller sees in GET /shops (RLS decides, per row):")
    for label, ident in (("owner olive", as_owner),
                         ("operator otto", postgrest_standin.user(team["operator"])),
                         ("stranger", postgrest_standin.user(stranger)),
                         ("service_role", postgrest_standin.service_role())):
        with postgrest_standin.acting_as(conn, ident):
            rows = conn.execute("select shopify_domain, my_role from api.shops "
                                "order by 1").fetchall()
        shown = ", ".join(f"{d} ({r or 'no role'})" for d, r in rows) or "nothing"
        _say(f"   {label:14} {shown}")

    with postgrest_standin.acting_as(conn, as_owner):
        cur = conn.execute("select user_id, role from api.shop_members where shop_id = %s "
                           "order by role", (shop,))
        members = [{"user_id": str(u), "role": r} for u, r in cur.fetchall()]
    _say("\n5. Hot Rod AN's team, as the owner sees it:")
    _say(_table(members, ["user_id", "role"]))

    _say("\n6. Refusals, with the status PostgREST would answer:")
    for label, ident, fn, args in (
        ("viewer renames the shop", postgrest_standin.user(team["viewer"]), "update_shop",
         {"shop_id": str(shop), "name": "Mine now"}),
        ("stranger renames it", postgrest_standin.user(stranger), "update_shop",
         {"shop_id": str(shop), "name": "Mine now"}),
        ("anon creates a shop", postgrest_standin.anon(), "create_shop",
         {"shopify_domain": "x.myshopify.com", "name": "x", "currency": "USD",
          "iana_timezone": "UTC"}),
        ("owner adds a bad role", as_owner, "add_shop_member",
         {"shop_id": str(shop), "user_id": str(uuid.uuid4()), "role": "king"}),
        ("owner leaves the shop ownerless", as_owner, "set_shop_member_role",
         {"shop_id": str(shop), "user_id": str(owner), "role": "viewer"}),
    ):
        resp = postgrest_standin.rpc(conn, fn, args, identity=ident)
        msg = resp.body.get("message") if isinstance(resp.body, dict) else resp.body
        _say(f"   {label:32} -> {resp.status} {resp.code}: {msg}")

    _show_decisions(conn, shop, owner, team)

    return shop, owner


def _season(conn: psycopg.Connection, shop: uuid.UUID, owner: uuid.UUID, days: int) -> None:
    store = HotRodAN(scale=Scale("demo", days, Decimal(1_000_000)), seed=7)
    _say(f"\n9. Generating {days} days of Hot Rod AN (to {store.shop['as_of']:%Y-%m-%d %H:%M} "
         "shop time) as Shopify would deliver them...")
    catalog = [page for page in store.backfill_resources(250)
               if page and page[0]["kind"] in ("product", "inventory_item")]
    counts = ingest_backfill(conn, catalog, store.shop["domain"])
    _say(f"   backfilled the catalog first: {counts['received']:,} products and inventory items "
         "through POST /rpc/ingest_shopify_backfill")
    deliveries = list(store.deliveries())
    stats = arrival_stats(deliveries)
    _say(f"   {stats['deliveries']:,} webhook deliveries: {stats['duplicates']} duplicates, "
         f"{stats['out_of_order']} out of order, {stats['stale_versions']} stale versions")
    _say("   Each goes through POST /rpc/ingest_shopify_webhook as service_role "
         "(raw body + HMAC):")
    t0 = time.monotonic()
    outcomes = ingest_deliveries(conn, deliveries, total=len(deliveries), progress=True)
    took = time.monotonic() - t0
    _say(f"   done in {took:.1f} s ({len(deliveries) / took:.0f}/s): "
         + ", ".join(f"{v:,} {k}" for k, v in outcomes.most_common()))
    resp = postgrest_standin.rpc(conn, "sales_pulse", {"shop_id": str(shop),
                                               "as_of": store.shop["as_of"].isoformat()},
                         identity=postgrest_standin.user(owner), method="GET").raise_for_status()
    _say(f"\n10. GET /rpc/sales_pulse as the owner (Cache-Control: "
         f"{resp.headers.get('Cache-Control')}):\n")
    _say(render_tile(resp.body))


def _usd(x: Any) -> str:
    v = Decimal(str(x))
    return f"{'-' if v < 0 else ''}${abs(v):,.2f}"


def _pct(change: dict[str, Any] | None) -> str:
    if not change or change.get("percent") is None:
        return "n/a"
    return f"{change['percent']:+.1f}%"


def _spark(values: list[Any]) -> str:
    bars = "▁▂▃▄▅▆▇█"
    nums = [float(v) for v in values]
    top = max(nums) or 1.0
    return "".join(bars[min(7, max(0, int(v / top * 7.999)))] for v in nums)


def render_tile(t: dict[str, Any]) -> str:
    """The Sales Pulse document as a terminal tile."""
    shop, today = t["shop"], t["today"]
    last_week = dt.date.fromisoformat(t["local_date"]) - dt.timedelta(days=7)
    lines = [f"  Sales Pulse: {shop['name']} ({shop['currency']}, {shop['iana_timezone']}), "
             f"{t['local_date']}",
             f"  Today through {today['through_hour']}:59: {today['so_far']['orders']} orders, "
             f"net sales {_usd(today['so_far']['net_sales'])} "
             f"({_pct(today['delta'].get('net_sales'))} vs {last_week:%a %b %d})", ""]
    p7, p30 = t["periods"]["last_7_days"], t["periods"]["last_30_days"]
    lines.append(f"  {'':22}{'last 7 days':>14}{'change':>9}{'last 30 days':>15}{'change':>9}")
    for label, key, fmt in (("Orders", "orders", str), ("Units", "units", str),
                            ("Gross sales", "gross_sales", _usd),
                            ("Discounts", "discounts", _usd), ("Returns", "returns", _usd),
                            ("Net sales", "net_sales", _usd), ("Shipping", "shipping", _usd),
                            ("Taxes", "taxes", _usd), ("Total sales", "total_sales", _usd),
                            ("Average order value", "average_order_value",
                             lambda v: "n/a" if v is None else _usd(v))):
        lines.append(f"  {label:22}{fmt(p7['current'][key]):>14}{_pct(p7['delta'].get(key)):>9}"
                     f"{fmt(p30['current'][key]):>15}{_pct(p30['delta'].get(key)):>9}")
    for label, key in (("Refund rate", "refund_rate"), ("Cancellation rate", "cancellation_rate")):
        a, b = p7["current"][key], p30["current"][key]
        lines.append(f"  {label:22}{'n/a' if a is None else f'{a:.1%}':>14}{'':9}"
                     f"{'n/a' if b is None else f'{b:.1%}':>15}")
    lines.append(f"  {'New / returning':22}{'%d / %d' % (p7['customers']['new'], p7['customers']['returning']):>14}"
                 f"{'':9}{'%d / %d' % (p30['customers']['new'], p30['customers']['returning']):>15}")
    lines += ["", f"  Net sales, last 30 days  {_spark(t['series']['net_sales'])}", "",
              "  Top products, last 30 days (net sales):"]
    for i, p in enumerate(t["top_products"], 1):
        lines.append(f"    {i}. {p['title'][:48]:48} {_usd(p['net_sales']):>12} {p['units']:>5} units")
    fresh = t["freshness"]
    lines += ["", f"  Conversion: {t['conversion']['status'].replace('_', ' ')} (GA4 sessions "
              "join later)",
              f"  Freshness: last webhook received {fresh['last_event_received_at']}"]
    return "\n".join(lines)


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
        resp = postgrest_standin.rpc(conn, "decide_action",
                             {**args, "outcome": "rejected" if "rejects" in label else "approved"},
                             identity=postgrest_standin.user(user))
        outcome = f"{resp.status}: recorded" if resp.ok else \
            f"{resp.status} {resp.code}: {resp.body.get('message')}"
        _say(f"   {label:32} -> {outcome}")
    as_owner = postgrest_standin.user(owner)
    log = postgrest_standin.rpc(conn, "decision_log", {"shop_id": str(shop)}, identity=as_owner,
                        method="GET").raise_for_status().body
    _say("\n8. The decision log and the row-change audit, as the owner reads them:")
    _say(_table([{k: r[k] for k in ("kind", "subject_id", "outcome", "decided_role")}
                 for r in log], ["kind", "subject_id", "outcome", "decided_role"]))
    changes = postgrest_standin.rpc(conn, "row_changes", {"shop_id": str(shop)}, identity=as_owner,
                            method="GET").raise_for_status().body
    _say(_table([{"table": c["table_name"], "op": c["op"], "actor_role": c["actor_role"],
                  "request_path": c["request_path"] or ""} for c in changes[::-1]],
                ["table", "op", "actor_role", "request_path"]))


def wait_for_interrupt() -> None:
    """Block until Ctrl-C or SIGTERM."""
    stop = {"now": False}

    def handler(_sig: int, _frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop["now"]:
        time.sleep(0.5)
