"""The demo: an embedded database, migrated, with a demo shop and its team, shown."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import sys
import textwrap
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from storepulse.db import migrate
from storepulse.db.binaries import find_bindir
from storepulse.load.shopify import (
    create_store_shop,
    ingest_backfill,
    ingest_deliveries,
    record_purchasing,
)
from storepulse.synth import HotRodAN, Scale, arrival_stats
from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.harness import build_stack

TEAM = (("manager", "mia@hotrodan.example"), ("operator", "otto@hotrodan.example"),
        ("viewer", "vera@hotrodan.example"))
OWNER_EMAIL = "olive@hotrodan.example"

# What ingest_shopify_webhook's outcomes mean, one line each (README: Delivery semantics).
OUTCOMES = {
    "applied": "changed the model: a new order, refund, product or customer, a newer "
               "version of one, or a deletion",
    "stale": "a version as old as, or older than, the stored one (a retry or a late "
             "arrival): landed raw, nothing overwritten",
    "duplicate": "an event id delivered before (Shopify retries): absorbed, only counted",
    "recorded": "stored without changing the model{here}: orders/edited bodies (the edited "
                "order arrives as the next orders/updated) and the compliance topics (a data "
                "request is answered, a redaction deletes personal data but no figure)",
    "dead_lettered": "malformed: answered HTTP 400, kept in app.shopify_dead_letter for replay",
}


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def _table(rows: list[dict[str, Any]], cols: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in cols}
    head = "  ".join(c.ljust(widths[c]) for c in cols)
    body = ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(["    " + head, "    " + "-" * len(head), *("    " + b for b in body)])


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _command(name: str) -> str:
    """How to run one of the venv's commands: `.venv/bin/<name>` from the clone."""
    path = Path(sys.prefix) / "bin" / name
    try:
        return str(path.relative_to(migrate.ROOT))
    except ValueError:
        return str(path)


def _psql() -> str:
    found = shutil.which("psql")
    if found:
        return "psql"
    bindir = find_bindir()
    if bindir is not None and (bindir / "psql").exists():
        return str(bindir / "psql")
    return "psql"  # not installed: apt-get install postgresql-client


@dataclass(frozen=True)
class Member:
    """Who the ready-to-paste psql snippet calls the API as, and for which shop."""

    user_id: uuid.UUID
    email: str
    shop_id: uuid.UUID
    as_of: str


def member_sql(conn: psycopg.Connection, member: Member) -> str:
    """Psql lines that call GET /rpc/sales_pulse as `member`, as PostgREST 12 would.

    One read-only transaction; the set_config calls PostgREST makes, in its order:
    search_path (db-schemas + Supabase's extra search path), the role's own settings
    (ALTER ROLE ... SET, which SET ROLE alone does not apply), role, the JWT claims;
    then request.method and request.path. PostgREST also sets request.headers and
    request.cookies, which nothing in storepulse reads. The claims are those of a
    Supabase access token that the database reads (sub, role, email, aud).
    """
    role = "authenticated"
    role_settings = conn.execute(
        """
        select split_part(s, '=', 1), substr(s, strpos(s, '=') + 1)
        from pg_catalog.pg_db_role_setting as d
            join pg_catalog.pg_roles as r on r.oid = d.setrole,
            unnest(d.setconfig) as s
        where r.rolname = %s and d.setdatabase in (0, (select oid from pg_catalog.pg_database
                                                       where datname = current_database()))
        order by 1
        """, (role,)).fetchall()
    claims = {"sub": str(member.user_id), "role": role, "email": member.email,
              "aud": "authenticated"}
    path = ", ".join(f'"{s}"' for s in ("api", *postgrest_standin.EXTRA_SEARCH_PATH))
    settings = [("search_path", path), *role_settings, ("role", role),
                ("request.jwt.claims", json.dumps(claims)), ("request.method", "GET"),
                ("request.path", "/rpc/sales_pulse")]
    calls = ",\n       ".join(f"set_config({_sql_literal(k)}, {_sql_literal(v)}, true)"
                             for k, v in settings)
    return "\n".join([
        "begin isolation level read committed read only;",
        f"select {calls};",
        f"select jsonb_pretty(api.sales_pulse(shop_id => {_sql_literal(str(member.shop_id))}, "
        f"as_of => {_sql_literal(member.as_of)}));",
        "rollback;",
    ])


def _apply_pointer() -> list[str]:
    migrate_cmd = _command("storepulse")
    return [
        "\nTo apply the migrations to your Supabase project (README: Applying to Supabase):",
        "    export DATABASE_URL='postgresql://postgres.<ref>:<password>@"
        "aws-0-<region>.pooler.supabase.com:5432/postgres'",
        f"    {migrate_cmd} migrate        # the checks below, then {_command('yoyo')} apply",
        "  It checks, before yoyo runs: that DATABASE_URL is set in this shell; that it is a "
        "postgresql:// URL",
        "  with the placeholders replaced and special characters in the password "
        "percent-encoded (@ -> %40);",
        "  that it is the session pooler (port 5432) or the direct connection, not the "
        "transaction pooler (6543);",
        "  that it connects; and that the database is Supabase's (roles anon, authenticated, "
        "service_role)",
        "  with pg_cron enabled (Dashboard -> Database -> Extensions).",
    ]


def migrated_line(n: int, seconds: float, *, standin_applied: bool) -> str:
    """Step 2: what the harness did to the database (the stand-in only where it applied it)."""
    first = ("Applied the Supabase stand-in (roles, auth schema, extensions), then "
             if standin_applied else "The server is Supabase's own (no stand-in needed); ")
    return (f"2. {first}yoyo brought the database up to date: all {n} migrations from "
            f"migrations/ policies/ functions/ views/ cron/, in {seconds:.2f} s")


def run(*, keep: bool, days: int = 92) -> int:
    """Do the whole demo; return the exit code."""
    _say("storepulse demo")
    _say("1. Starting PostgreSQL (native binaries if installed, else the PyPI server)...")
    t0 = time.monotonic()
    stack = build_stack(allow_embedded=True, with_template=False)
    try:
        _say(f"   {stack.server.kind} server ready in {stack.ready_seconds:.2f} s")
        _say(migrated_line(len(migrate.all_migrations()), stack.migrate_seconds,
                           standin_applied=stack.standin_applied))
        with stack.connect(autocommit=True) as conn:
            shop, owner = _show(conn)
            as_of = _season(conn, shop, owner, days)
            snippet = member_sql(conn, Member(owner, OWNER_EMAIL, shop, as_of))
        _say(f"\nDone in {time.monotonic() - t0:.1f} s.")
        for line in _apply_pointer():
            _say(line)
        if keep:
            _say_connect(stack.main_url, snippet)
            _say("\nThe database keeps running; press Ctrl-C to stop and remove it.")
            wait_for_interrupt()
        else:
            _say(f"\nCleaning up. With --keep the database keeps running, and the demo prints "
                 f"how to reach it: {_psql()}, {_command('yoyo')} list, and a psql snippet that "
                 "calls the API as the owner.")
    finally:
        stack.stop()
    return 0


def _say_connect(url: str, snippet: str) -> None:
    yoyo, storepulse = _command("yoyo"), _command("storepulse")
    where = "" if Path(yoyo).is_absolute() else f" (from {migrate.ROOT})"
    _say(f"\nConnect while it runs{where}:")
    _say(f"    {_psql()} '{url}'")
    _say(f"    DATABASE_URL='{url}' {yoyo} list")
    _say(f"    DATABASE_URL='{url}' {storepulse} migrate list")
    _say(f"\nCall the API in psql as the owner {OWNER_EMAIL}, with the settings PostgREST makes "
         "for GET /rpc/sales_pulse (paste into psql):")
    for line in snippet.splitlines():
        _say(f"    {line}")


def _show(conn: psycopg.Connection) -> tuple[uuid.UUID, uuid.UUID]:
    _say(f"3. Signed up the owner {OWNER_EMAIL}; she creates the shop through "
         "POST /rpc/create_shop:")
    shop, owner = create_store_shop(conn, HotRodAN(scale="season"),
                                    owner=seed.create_user(conn, OWNER_EMAIL))
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


def _season(conn: psycopg.Connection, shop: uuid.UUID, owner: uuid.UUID, days: int) -> str:
    """Backfill, deliver and show the tile; return the tile's as_of (ISO 8601)."""
    store = HotRodAN(scale=Scale("demo", days, Decimal(1_000_000)), seed=7)
    _say(f"\n9. Generating {_plural(days, 'day')} of Hot Rod AN (to "
         f"{store.shop['as_of']:%Y-%m-%d %H:%M} shop time) as Shopify would deliver them...")
    catalog = [page for page in store.backfill_resources(250)
               if page and page[0]["kind"] in ("product", "inventory_item", "location")]
    counts = ingest_backfill(conn, catalog, store.shop["domain"])
    _say(f"   backfilled the catalog first: {counts['received']:,} products, inventory items "
         "and locations through POST /rpc/ingest_shopify_backfill")
    deliveries = list(store.deliveries())
    stats = arrival_stats(deliveries)
    n = stats["deliveries"]
    _say(f"   {n:,} webhook deliver{'y' if n == 1 else 'ies'}: "
         f"{_plural(stats['duplicates'], 'duplicate')}, {stats['out_of_order']} out of order, "
         f"{_plural(stats['stale_versions'], 'stale version')}")
    _say("   Each goes through POST /rpc/ingest_shopify_webhook as service_role "
         "(raw body + HMAC):")
    t0 = time.monotonic()
    outcomes = ingest_deliveries(conn, deliveries, total=len(deliveries), progress=True)
    took = time.monotonic() - t0
    _say(f"   done in {took:.1f} s ({len(deliveries) / took:.0f}/s): "
         + ", ".join(f"{v:,} {k}" for k, v in outcomes.most_common()))
    _say(explain_outcomes(outcomes, _recorded_topics(conn, shop)))
    as_of = store.shop["as_of"].isoformat()
    resp = postgrest_standin.rpc(conn, "sales_pulse", {"shop_id": str(shop), "as_of": as_of},
                         identity=postgrest_standin.user(owner), method="GET").raise_for_status()
    _say(f"\n10. GET /rpc/sales_pulse as the owner (Cache-Control: "
         f"{resp.headers.get('Cache-Control')}):\n")
    _say(render_tile(resp.body))
    _inventory(conn, store, shop, owner)
    return str(as_of)


def _inventory(conn: psycopg.Connection, store: HotRodAN, shop: uuid.UUID,
               owner: uuid.UUID) -> None:
    """The owner's purchasing, the day's roll and suggestions, and the Inventory Watch tile."""
    calls = record_purchasing(conn, store, shop, owner)
    _say(f"\n11. The owner records {_plural(calls['set_supplier'], 'supplier')}, "
         f"{calls['set_variant_supplier']:,} variants' suppliers and lead times and "
         f"{_plural(calls['record_expected_receipt'], 'purchase order')} "
         f"({calls['close_receipt']:,} received) through POST /rpc/set_supplier, "
         "set_variant_supplier, record_expected_receipt and close_receipt.")
    as_of = store.shop["as_of"]
    day = as_of.astimezone(ZoneInfo(store.shop["iana_timezone"])).date()
    rolled = _one(conn, "select private.roll_inventory_stats(%s, %s)", (shop, day))
    filed = _one(conn, "select private.file_reorder_suggestions(%s, %s)", (shop, as_of))
    _say(f"    The hourly job (storepulse-run-inventory-watch) rolls {rolled:,} variants' figures "
         f"to {day} and files {_plural(filed['filed'], 'reorder_sku suggestion')} in the "
         "decision log.")
    resp = postgrest_standin.rpc(conn, "inventory_watch",
                                 {"shop_id": str(shop), "as_of": as_of.isoformat()},
                                 identity=postgrest_standin.user(owner),
                                 method="GET").raise_for_status()
    _say(f"\n12. GET /rpc/inventory_watch as the owner (Cache-Control: "
         f"{resp.headers.get('Cache-Control')}):\n")
    _say(render_inventory(resp.body))


def _one(conn: psycopg.Connection, query: str, args: tuple[object, ...]) -> Any:  # noqa: ANN401
    """The one value a query answers."""
    row = conn.execute(query, args).fetchone()
    if row is None:
        raise AssertionError(f"no row from {query}")
    return row[0]


def render_inventory(t: dict[str, Any]) -> str:
    """The Inventory Watch document as a terminal tile."""
    s, value = t["summary"], t["stock_value"]
    lines = [f"  Inventory Watch: {t['shop']['name']}, {t['local_date']} "
             f"({s['variants']:,} variants tracked)",
             f"  Stock {_usd(value['value'])} at cost ({value['units']:,} units), "
             f"sell-through over 30 days {float(value['sell_through_30'] or 0):.1%}; "
             f"{s['units_on_order']:,} units on order",
             f"\n  Stocked out now: {s['stocked_out']}, losing {_usd(s['lost_revenue_per_day'])} "
             "a day (velocity x price):"]
    for x in t["stocked_out"][:5]:
        lines.append(f"    {x['sku'] or '-':<22} {_usd(x['lost_revenue_per_day'] or 0):>9}/day  "
                     f"next receipt {x['next_receipt'] or 'none'}")
    lines.append(f"\n  Below the reorder point: {s['below_reorder_point']} "
                 f"({s['urgent']} out before their next receipt):")
    for x in t["below_reorder_point"][:5]:
        lines.append(f"    {x['sku'] or '-':<22} {x['available']:>5} on hand {x['on_order']:>5} on "
                     f"order, point {x['reorder_point']:>7}, order {x['reorder_quantity']:>4} "
                     f"from {x['supplier'] or 'no supplier'}, out {x['stockout_date']}")
    lines.append("\n  Reorder suggestions by supplier:")
    for x in t["reorder_suggestions"][:5]:
        lines.append(f"    {x['supplier'] or 'no supplier':<28} {x['variants']:>4} variants "
                     f"{x['units']:>6} units {_usd(x['cost'] or 0):>11}")
    cover = "  ".join(f"{b['bucket']} {b['variants']}" for b in t["cover_distribution"])
    lines.append(f"\n  Days of cover: {cover}")
    o, d = t["overstock"], t["dead_stock"]
    lines.append(f"  Overstock: {o['variants']} variants, {o['units']:,} units beyond lead time, "
                 f"review and safety stock, {_usd(o['value'])} at cost")
    lines.append(f"  Dead stock (no sale in 90 days): {d['variants']} variants, {_usd(d['value'])}")
    movers = ", ".join(f"{x['sku']} ({x['net_units_30']})" for x in t["top_movers"][:5])
    lines.append(f"  Top movers, 30 days (net units): {movers}")
    f = t["freshness"]
    lines.append("  Freshness: " + (
        f"last inventory webhook {f['last_received_at']} ({f['seconds']:,} s before as_of)"
        if f["last_received_at"] else "no inventory webhook received by as_of (the demo "
        "delivers the season now, after its as_of)"))
    return "\n".join(lines)


def _recorded_topics(conn: psycopg.Connection, shop: uuid.UUID) -> dict[str, int]:
    rows = conn.execute("select topic, count(*) from app.inbound_event where shop_id = %s "
                        "and source = 'shopify' and status = 'recorded' "
                        "group by topic order by 2 desc, 1",
                        (shop,)).fetchall()
    return dict(rows)


def explain_outcomes(outcomes: dict[str, int], recorded_topics: dict[str, int]) -> str:
    """One line per outcome that occurred: what it means; `recorded` split by topic."""
    width = max(len(k) for k in outcomes) if outcomes else 0
    here = ", ".join(f"{n} {t}" for t, n in recorded_topics.items())
    lines = []
    for outcome in sorted(outcomes, key=lambda k: (list(OUTCOMES).index(k)
                                                   if k in OUTCOMES else len(OUTCOMES), k)):
        meaning = OUTCOMES.get(outcome, "").format(here=f" (here {here})" if here else "")
        lines += textwrap.wrap(f"{outcome:{width}}  {meaning}", width=100,
                               initial_indent="     ", subsequent_indent=" " * (7 + width))
    return "\n".join(lines)


# Percentage points between the changes of gross and net sales that the headline explains.
GAP_POINTS = 15.0


def _usd(x: object) -> str:
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
             *today_lines(today, last_week), ""]
    p7, p30 = t["periods"]["last_7_days"], t["periods"]["last_30_days"]
    lines.append(f"  {'':22}{'last 7 days':>14}{'change':>9}{'last 30 days':>15}{'change':>9}")
    for label, key, fmt in (("Orders", "orders", str), ("Units", "units", str),
                            ("Gross sales", "gross_sales", _usd),
                            ("Discounts", "discounts", _usd), ("Returns", "returns", _usd),
                            ("Net sales", "net_sales", _usd), ("Shipping", "shipping", _usd),
                            ("Taxes", "taxes", _usd), ("Total sales", "total_sales", _usd),
                            ("Average order value", "average_order_value",
                             lambda v: "n/a" if v is None else _usd(v)),
                            ("Gross profit", "gross_profit", _usd)):
        lines.append(f"  {label:22}{fmt(p7['current'][key]):>14}{_pct(p7['delta'].get(key)):>9}"
                     f"{fmt(p30['current'][key]):>15}{_pct(p30['delta'].get(key)):>9}")
    for label, key in (("Gross margin", "gross_margin"), ("Cost known for", "cost_coverage"),
                       ("Refund rate", "refund_rate"), ("Cancellation rate", "cancellation_rate")):
        a, b = p7["current"][key], p30["current"][key]
        lines.append(f"  {label:22}{'n/a' if a is None else f'{a:.1%}':>14}{'':9}"
                     f"{'n/a' if b is None else f'{b:.1%}':>15}")
    new7, new30 = (f"{p['customers']['new']:d} / {p['customers']['returning']:d}"
                   for p in (p7, p30))
    lines.append(f"  {'New / returning':22}{new7:>14}{'':9}{new30:>15}")
    for label, p in (("last 7 days", p7), ("last 30 days", p30)):
        year = p.get("year_earlier")
        if year:
            lines.append(f"  Net sales, {label}, a year earlier ({year['from']} to {year['to']}): "
                         f"{_usd(year['figures']['net_sales'])}, now "
                         f"{_pct(year['delta'].get('net_sales'))}")
    lines += ["", f"  Net sales, last 30 days  {_spark(t['series']['net_sales'])}", "",
              "  Top products, last 30 days (net sales):"]
    for i, p in enumerate(t["top_products"], 1):
        unit = "unit" if p["units"] == 1 else "units"
        lines.append(f"    {i}. {p['title'][:48]:48} {_usd(p['net_sales']):>12} "
                     f"{p['units']:>5} {unit}")
    fresh = t["freshness"]
    lines += ["", f"  Conversion: {t['conversion']['status'].replace('_', ' ')} (GA4 sessions "
              "join later)",
              f"  Freshness: last webhook received {fresh['last_event_received_at']}"]
    return "\n".join(lines)


def today_lines(today: dict[str, Any], last_week: dt.date) -> list[str]:
    """The headline: today's orders, gross and net sales against the same weekday last week.

    Both days run from midnight to the same local minute. Gross and net sales can move very
    differently (returns count on the refund's day), so both are shown with their changes,
    and a gap between them is said in words rather than left to read as a mild dip.
    """
    now, then = today["so_far"], today["same_weekday_last_week"]
    lines = [f"  Today through {today['through']}, against {last_week:%a %b %d} through "
             f"{today['through']}:",
             f"  {'':22}{'today':>14}{f'{last_week:%a %b %d}':>15}{'change':>9}"]
    for label, key, fmt in (("Orders", "orders", str), ("Gross sales", "gross_sales", _usd),
                            ("Discounts", "discounts", _usd), ("Returns", "returns", _usd),
                            ("Net sales", "net_sales", _usd)):
        lines.append(f"  {label:22}{fmt(now[key]):>14}{fmt(then[key]):>15}"
                     f"{_pct(today['delta'].get(key)):>9}")
    gross, net = (today["delta"].get(k) or {} for k in ("gross_sales", "net_sales"))
    if gross.get("percent") is not None and net.get("percent") is not None \
            and abs(gross["percent"] - net["percent"]) >= GAP_POINTS:
        lines.append(f"  Note: gross sales {_pct(gross)} but net sales {_pct(net)}: demand moved "
                     "by the gross figure; returns (counted on the refund's day) and "
                     "discounts account for the rest.")
    return lines


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
