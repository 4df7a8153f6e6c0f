"""The PostgREST stand-in: transactions, settings, argument mapping and status codes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import psycopg
import pytest

from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.harness import Stack
from storepulse.testkit.postgrest_standin import http_status, rpc


@pytest.fixture
def probe(
    db: psycopg.Connection,
    as_migrator: Callable[[psycopg.Connection], AbstractContextManager[None]],
) -> psycopg.Connection:
    """Probe functions in api that report what the request looked like from inside.

    They are created as a migration would create them (so PUBLIC has no EXECUTE by default).
    """
    with as_migrator(db):
        _create_probes(db)
    return db


def _create_probes(db: psycopg.Connection) -> None:
    db.execute("""
        create function api.probe_stable(a integer, b text default 'x')
            returns jsonb language sql stable as $$
            select jsonb_build_object(
                'a', a, 'b', b,
                'role', current_user,
                'claims', current_setting('request.jwt.claims', true)::jsonb,
                'method', current_setting('request.method', true),
                'path', current_setting('request.path', true),
                'headers', current_setting('request.headers', true)::jsonb,
                'read_only', current_setting('transaction_read_only'),
                'timeout', current_setting('statement_timeout'),
                'search_path', current_setting('search_path'))
        $$;
        create function api.probe_volatile() returns text language plpgsql volatile
            set search_path = '' as $$
        begin
            perform set_config('response.headers', '[{"Cache-Control": "max-age=300"}]', true);
            return current_setting('transaction_read_only');
        end $$;
        create function api.probe_raise(code text) returns void language plpgsql
            set search_path = '' as $$
        begin raise exception 'boom' using errcode = code, hint = 'do this'; end $$;
        create function api.probe_rows() returns table (n integer, sq integer)
            language sql stable set search_path = '' as $$
            select g, g * g from generate_series(1, 3) as g $$;
        create function api.probe_overload(a integer) returns integer language sql
            immutable as $$ select 1 $$;
        create function api.probe_overload(a integer, b integer default 0) returns integer
            language sql immutable as $$ select 2 $$;
        grant execute on function api.probe_stable(integer, text), api.probe_volatile(),
            api.probe_raise(text), api.probe_rows(), api.probe_overload(integer),
            api.probe_overload(integer, integer) to authenticated, service_role;
    """)


def test_sets_role_claims_method_path_and_headers(probe: psycopg.Connection) -> None:
    """Inside the call, the role, full claims and request GUCs are PostgREST's."""
    uid = seed.create_user(probe)
    body = rpc(probe, "probe_stable", {"a": 7}, identity=postgrest_standin.user(uid),
               headers={"Prefer": "tx=commit"}).raise_for_status().body
    assert body["role"] == "authenticated"
    assert body["claims"]["sub"] == str(uid)
    assert {"role", "aud", "aal", "session_id", "exp", "iat"} <= body["claims"].keys()
    assert body["method"] == "POST"
    assert body["path"] == "/rpc/probe_stable"
    assert body["headers"]["prefer"] == "tx=commit"
    assert body["timeout"] == "8s"
    assert body["search_path"].startswith('"api"')
    assert body["a"] == 7
    assert body["b"] == "x"


def test_stable_and_get_calls_are_read_only(probe: psycopg.Connection) -> None:
    """POST to stable and GET to anything run read-only; POST to volatile read-write."""
    ident = postgrest_standin.service_role()
    assert rpc(probe, "probe_stable", {"a": 1}, identity=ident).body["read_only"] == "on"
    assert rpc(probe, "probe_volatile", identity=ident).body == "off"
    assert rpc(probe, "probe_volatile", identity=ident, method="GET").body == "on"


def test_settings_do_not_leak_into_the_test_transaction(probe: psycopg.Connection) -> None:
    """After a call, the test's connection is itself again: role, claims, read-write."""
    rpc(probe, "probe_volatile", identity=postgrest_standin.service_role()).raise_for_status()
    row = probe.execute("select current_user = session_user, "
                        "current_setting('request.jwt.claims', true), "
                        "current_setting('transaction_read_only')").fetchone()
    assert row == (True, "", "off")


def test_response_headers_set_in_sql_are_returned(probe: psycopg.Connection) -> None:
    """response.headers set by the function come back as HTTP headers."""
    resp = rpc(probe, "probe_volatile", identity=postgrest_standin.service_role())
    assert resp.headers == {"Cache-Control": "max-age=300"}


def test_result_shapes_follow_postgrest(probe: psycopg.Connection) -> None:
    """setof/table gives an array of objects; void gives 204 with no body."""
    ident = postgrest_standin.service_role()
    rows = rpc(probe, "probe_rows", identity=ident).body
    assert rows == [{"n": 1, "sq": 1}, {"n": 2, "sq": 4}, {"n": 3, "sq": 9}]


def test_unknown_arguments_give_404_and_ambiguity_300(probe: psycopg.Connection) -> None:
    """Overloads are chosen by argument names, as PostgREST's schema cache does."""
    ident = postgrest_standin.service_role()
    assert rpc(probe, "probe_stable", {"nope": 1}, identity=ident).status == 404
    assert rpc(probe, "probe_stable", {"nope": 1}, identity=ident).code == "PGRST202"
    assert rpc(probe, "probe_overload", {"a": 1}, identity=ident).status == 300
    assert rpc(probe, "probe_overload", {"a": 1, "b": 2}, identity=ident).body == 2


def test_a_body_sent_as_text_names_its_arguments_by_columns(probe: psycopg.Connection) -> None:
    """A body forwarded as JSON text with ?columns= picks and calls as the same args do."""
    ident = postgrest_standin.service_role()
    as_text = rpc(probe, "probe_overload", body='{"a": 1, "b": 2, "ignored": 3}',
                  columns=("a", "b"), identity=ident)
    assert as_text.status == 200
    assert as_text.body == rpc(probe, "probe_overload", {"a": 1, "b": 2}, identity=ident).body
    assert rpc(probe, "probe_overload", body='{"a": 1}', columns=("a",),
               identity=ident).status == 300
    with pytest.raises(ValueError, match="either args"):
        rpc(probe, "probe_overload", {"a": 1}, body='{"a": 1}', columns=("a",), identity=ident)
    with pytest.raises(ValueError, match="either args"):
        rpc(probe, "probe_overload", body='{"a": 1}', identity=ident)


@pytest.mark.parametrize(
    ("code", "status"),
    [("P0001", 400), ("23505", 409), ("23503", 409), ("22023", 400), ("PT402", 402),
     ("25006", 405), ("42883", 404), ("53100", 503), ("XX000", 500), ("40001", 500)],
)
def test_errors_map_to_postgrest_statuses(probe: psycopg.Connection, code: str,
                                          status: int) -> None:
    """A raised SQLSTATE comes back with PostgREST's status, code, message and hint."""
    resp = rpc(probe, "probe_raise", {"code": code}, identity=postgrest_standin.service_role())
    assert resp.status == status
    assert resp.body == {"code": code, "message": "boom", "details": None, "hint": "do this"}


def test_permission_denied_is_401_for_anon_and_403_for_users(probe: psycopg.Connection) -> None:
    """42501 is 401 without a user's JWT and 403 with one."""
    assert rpc(probe, "probe_rows", identity=postgrest_standin.anon()).status == 401
    assert http_status("42501", authenticated=True) == 403


def test_own_transaction_on_autocommit_connection(stack: Stack) -> None:
    """Outside a test transaction, each call is its own committed transaction."""
    with stack.fresh_database() as url, psycopg.connect(url, autocommit=True) as conn:
        uid = seed.create_user(conn)
        shop = seed.create_shop(conn, uid, "committed-shop.myshopify.com")
        with psycopg.connect(url) as other:
            found = other.execute("select count(*) from app.shop where shop_id = %s", (shop,))
            assert found.fetchone()[0] == 1
        bad = rpc(conn, "create_shop", {"shopify_domain": "committed-shop.myshopify.com",
                                        "name": "x", "currency": "USD",
                                        "iana_timezone": "UTC"},
                  identity=postgrest_standin.user(uid))
        assert bad.status == 409
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
