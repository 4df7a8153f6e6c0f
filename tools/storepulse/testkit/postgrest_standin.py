"""Call api functions the way PostgREST 12 does, without a PostgREST server.

One request is one transaction (or, inside a test's rolled-back transaction, one
savepoint) with PostgREST's access mode, the `set_config` calls PostgREST makes in its
order (search_path, the role's settings, role, request.jwt.claims, request.method,
request.path, request.headers, request.cookies), then the function called with named
arguments through `json_to_record`, as PostgREST's query builder does. A SQLSTATE maps
to the HTTP status PostgREST would answer. See docs/postgrest-contract in README.md.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

EXTRA_SEARCH_PATH = ("public", "extensions")  # Supabase's db-extra-search-path


@dataclass(frozen=True)
class Identity:
    """Who calls: PostgREST's role plus the JWT claims it sets in request.jwt.claims."""

    role: str
    claims: dict[str, Any]

    @property
    def is_authenticated(self) -> bool:
        """Whether a JWT with a subject came with the request (42501 then means 403)."""
        return self.role != "anon"


def anon() -> Identity:
    """A caller with the anon key only."""
    now = int(time.time())
    return Identity("anon", {"iss": "supabase", "role": "anon", "iat": now, "exp": now + 3600})


def service_role() -> Identity:
    """A backend caller with the service_role key (bypasses row-level security)."""
    now = int(time.time())
    return Identity(
        "service_role", {"iss": "supabase", "role": "service_role", "iat": now, "exp": now + 3600}
    )


def user(user_id: uuid.UUID | str, email: str | None = None) -> Identity:
    """A signed-in user, with every claim Supabase Auth puts in its access token."""
    now = int(time.time())
    return Identity(
        "authenticated",
        {
            "iss": "http://127.0.0.1:54321/auth/v1",
            "aud": "authenticated",
            "exp": now + 3600,
            "iat": now,
            "sub": str(user_id),
            "email": email or f"{user_id}@example.test",
            "phone": "",
            "role": "authenticated",
            "aal": "aal1",
            "amr": [{"method": "password", "timestamp": now}],
            "session_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"session:{user_id}")),
            "is_anonymous": False,
            "app_metadata": {"provider": "email", "providers": ["email"]},
            "user_metadata": {},
        },
    )


@dataclass
class Response:
    """What PostgREST would answer: status, JSON body and the headers SQL set."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return HTTPStatus.OK <= self.status < HTTPStatus.MULTIPLE_CHOICES

    @property
    def code(self) -> str | None:
        """The error code (SQLSTATE or PGRSTxxx), None on success."""
        return None if self.ok or not isinstance(self.body, dict) else self.body.get("code")

    def raise_for_status(self) -> Response:
        """Raise RpcError unless the call succeeded; return self for chaining."""
        if not self.ok:
            raise RpcError(self)
        return self


class RpcError(AssertionError):
    """An RPC answered with an error status."""

    def __init__(self, response: Response) -> None:
        """Keep the response; the message gives its status and body."""
        super().__init__(f"HTTP {response.status}: {response.body}")
        self.response = response


_PREFIX_STATUS = {
    "08": 503, "09": 500, "0L": 403, "0P": 403, "25": 500, "28": 403, "2D": 500,
    "38": 500, "39": 500, "3B": 500, "40": 500, "53": 503, "54": 500, "55": 500,
    "57": 500, "58": 500, "F0": 500, "HV": 500, "P0": 500, "XX": 500,
}
_EXACT_STATUS = {
    "23503": 409, "23505": 409, "25006": 405, "53400": 500, "P0001": 400,
    "42883": 404, "42P01": 404, "42P17": 500,
}


def http_status(sqlstate: str, *, authenticated: bool) -> int:
    """The HTTP status PostgREST answers for a SQLSTATE (docs/references/errors.rst)."""
    if sqlstate == "42501":
        return 403 if authenticated else 401
    if sqlstate.startswith("PT") and sqlstate[2:].isdigit():
        return int(sqlstate[2:])
    if sqlstate in _EXACT_STATUS:
        return _EXACT_STATUS[sqlstate]
    return _PREFIX_STATUS.get(sqlstate[:2], 400)


@dataclass(frozen=True)
class _Proc:
    name: str
    volatility: str
    returns_set: bool
    returns_kind: str  # 'void', 'scalar' or 'composite'
    in_names: tuple[str, ...]
    in_types: tuple[str, ...]
    n_required: int


def _procs(conn: psycopg.Connection, schema: str, name: str) -> list[_Proc]:
    rows = conn.execute(
        """
        select p.provolatile, p.proretset, p.pronargs, p.pronargdefaults,
            coalesce(p.proargnames, '{}'), coalesce(p.proargmodes::text[], '{}'),
            array(select pg_catalog.format_type(t, null) from unnest(p.proargtypes) as t),
            case when p.prorettype = 'void'::regtype then 'void'
                 when rt.typtype = 'c' or p.prorettype = 'record'::regtype then 'composite'
                 else 'scalar' end
        from pg_catalog.pg_proc as p
            join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
            join pg_catalog.pg_type as rt on rt.oid = p.prorettype
        where n.nspname = %s and p.proname = %s and p.prokind = 'f'
        """,
        (schema, name),
    ).fetchall()
    procs = []
    for vol, retset, nargs, ndefaults, arg_names, modes, types, kind in rows:
        names = arg_names
        if modes:  # proargnames may be empty where proargmodes is not
            names = [n for n, m in zip(arg_names, modes, strict=False) if m in ("i", "b", "v")]
        procs.append(_Proc(name, vol, retset, kind, tuple(names[:nargs]), tuple(types),
                           nargs - ndefaults))
    return procs


def _pick(procs: list[_Proc], keys: set[str]) -> _Proc | Response:
    matches = [
        p for p in procs
        if set(p.in_names[: p.n_required]) <= keys <= set(p.in_names) and "" not in p.in_names
    ]
    if not matches:  # the single unnamed json parameter is the fallback overload
        matches = [p for p in procs if p.in_names in (("",), ()) and len(p.in_types) == 1
                   and p.in_types[0] in ("json", "jsonb")]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        return Response(404, {"code": "PGRST202", "message": "Could not find the function "
                              f"with parameters {sorted(keys)} in the schema cache",
                              "details": None, "hint": None})
    return Response(300, {"code": "PGRST203", "message": "Could not choose the best candidate "
                          "function", "details": None, "hint": None})


def _call_query(schema: str, proc: _Proc, keys: list[str]) -> sql.Composed:
    fn = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(proc.name))
    if proc.in_names == ("",) or (not proc.in_names and proc.in_types):
        call = sql.SQL("{}(pgrst_payload.json_data::{})").format(fn, sql.SQL(proc.in_types[0]))
        body: sql.Composable = sql.SQL("")
    else:
        types = dict(zip(proc.in_names, proc.in_types, strict=False))
        cols = sql.SQL(", ").join(sql.Identifier(k) for k in keys)
        defs = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(k), sql.SQL(types[k])) for k in keys
        )
        named = sql.SQL(", ").join(
            sql.SQL("{} := pgrst_body.{}").format(sql.Identifier(k), sql.Identifier(k))
            for k in keys
        )
        call = sql.SQL("{}({})").format(fn, named)
        body = (
            sql.SQL(", lateral (select {} from json_to_record(pgrst_payload.json_data) as _({}) "
                    "limit 1) pgrst_body").format(cols, defs)
            if keys else sql.SQL("")
        )
    if proc.returns_kind in {"scalar", "void"}:
        select = sql.SQL("lateral (select {} as pgrst_scalar) pgrst_call").format(call)
        out = "coalesce((json_agg(_postgrest_t.pgrst_scalar)->0)::text, 'null')"
        if proc.returns_set:
            out = "coalesce(json_agg(_postgrest_t.pgrst_scalar), '[]')::text"
            select = sql.SQL("lateral (select * from {} as pgrst_scalar) pgrst_call").format(call)
    else:
        select = sql.SQL("lateral (select * from {}) pgrst_call").format(call)
        out = ("coalesce(json_agg(_postgrest_t), '[]')::text" if proc.returns_set
               else "coalesce((json_agg(_postgrest_t)->0)::text, 'null')")
    return sql.SQL(
        "with pgrst_source as (select pgrst_call.* from (select %s::json as json_data) "
        "pgrst_payload{} , {}) select {} from (select * from pgrst_source) _postgrest_t"
    ).format(body, select, sql.SQL(out))


def _role_settings(conn: psycopg.Connection, role: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        """
        select split_part(s, '=', 1), substr(s, strpos(s, '=') + 1)
        from pg_catalog.pg_db_role_setting as d
            join pg_catalog.pg_roles as r on r.oid = d.setrole,
            unnest(d.setconfig) as s
        where r.rolname = %s and d.setdatabase in (0, (select oid from pg_catalog.pg_database
                                                       where datname = current_database()))
        """,
        (role,),
    ).fetchall()
    return [(k, v) for k, v in rows]


def rpc(  # noqa: PLR0912 - one request, step by step as PostgREST serves it
    conn: psycopg.Connection,
    fn: str,
    args: dict[str, Any] | None = None,
    *,
    identity: Identity,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    schema: str = "api",
    body: str | None = None,
    columns: Sequence[str] | None = None,
) -> Response:
    """Call `schema.fn` as PostgREST would for `POST|GET /rpc/fn` by `identity`.

    On a connection inside a transaction (a test's rolled-back one) the request runs in
    a savepoint; otherwise in its own transaction, committed on success. A client holding
    the body as JSON text already (an Edge Function forwarding Shopify's bytes) passes it
    as `body` with the argument names as `columns`, PostgREST's `?columns=`, instead of
    `args`; it is sent as is.
    """
    args = dict(args or {})
    if (body is None) != (columns is None) or (body is not None and args):
        raise ValueError("pass either args, or body together with columns")
    keys = set(columns) if columns is not None else set(args)
    picked = _pick(_procs(conn, schema, fn), keys)
    if isinstance(picked, Response):
        return picked
    proc = picked
    read_only = method in ("GET", "HEAD") or proc.volatility in ("s", "i")
    req_headers = {k.lower(): v for k, v in (headers or {}).items()}
    req_headers.setdefault("accept", "application/json")
    if method == "POST":
        req_headers.setdefault("content-type", "application/json")
    settings: list[tuple[str, str]] = [
        ("search_path", ", ".join(f'"{s}"' for s in (schema, *EXTRA_SEARCH_PATH))),
        *_role_settings(conn, identity.role),
        ("role", identity.role),
        ("request.jwt.claims", json.dumps(identity.claims)),
        ("request.method", method),
        ("request.path", f"/rpc/{fn}"),
        ("request.headers", json.dumps(req_headers)),
        ("request.cookies", "{}"),
    ]
    nested = conn.info.transaction_status == TransactionStatus.INTRANS
    if not nested and not conn.autocommit:
        raise ValueError("rpc() needs an autocommit connection or one inside a transaction")
    if nested:  # a PostgREST request starts in a new transaction, where these are unset
        settings += [("response.headers", ""), ("response.status", "")]
    begin = "savepoint pgrst_request" if nested else (
        "begin isolation level read committed " + ("read only" if read_only else "read write"))
    saved = _current_settings(conn, [k for k, _ in settings]) if nested else []
    conn.execute(begin)
    try:
        if nested and read_only:
            conn.execute("set local transaction_read_only = on")
        _set_local(conn, settings)
        row = conn.execute(_call_query(schema, proc, sorted(keys)),
                           (json.dumps(args) if body is None else body,)).fetchone()
        extra = conn.execute(
            "select current_setting('response.headers', true), "
            "current_setting('response.status', true)"
        ).fetchone()
    except psycopg.Error as exc:
        conn.execute("rollback to savepoint pgrst_request" if nested else "rollback")
        if nested:
            conn.execute("release savepoint pgrst_request")
        return _error_response(exc, identity)
    if nested and read_only:
        conn.execute("rollback to savepoint pgrst_request")
        conn.execute("release savepoint pgrst_request")
    elif nested:
        conn.execute("release savepoint pgrst_request")
        _set_local(conn, saved)  # back to the test's own identity and settings
    else:
        conn.execute("commit")
    body = json.loads(row[0]) if row and row[0] is not None else None
    status = 200
    out_headers: dict[str, str] = {}
    if extra and extra[0]:
        for h in json.loads(extra[0]):
            out_headers.update({str(k): str(v) for k, v in h.items()})
    if extra and extra[1]:
        status = int(extra[1])
    elif proc.returns_kind == "void" and not proc.returns_set:
        status, body = 204, None
    return Response(status, body, out_headers)


@contextlib.contextmanager
def acting_as(conn: psycopg.Connection, identity: Identity) -> Iterator[psycopg.Connection]:
    """Run plain SQL as `identity` (role and claims as PostgREST sets them) in a savepoint.

    Everything done inside is rolled back at the end, so a probe leaves no trace.
    """
    with conn.transaction(force_rollback=True):
        _set_local(conn, [("role", identity.role),
                          ("request.jwt.claims", json.dumps(identity.claims))])
        yield conn


def _current_settings(conn: psycopg.Connection, names: list[str]) -> list[tuple[str, str]]:
    row = conn.execute(
        sql.SQL("select {}").format(sql.SQL(", ").join(
            sql.SQL("coalesce(current_setting({}, true), '')").format(sql.Literal(n))
            for n in names
        ))
    ).fetchone()
    return list(zip(names, row or (), strict=False))


def _set_local(conn: psycopg.Connection, settings: list[tuple[str, str]]) -> None:
    conn.execute(
        sql.SQL("select {}").format(sql.SQL(", ").join(
            sql.SQL("set_config({}, {}, true)").format(sql.Literal(k), sql.Literal(v))
            for k, v in settings
        ))
    )


def _error_response(exc: psycopg.Error, identity: Identity) -> Response:
    state = exc.sqlstate or "XX000"
    diag = exc.diag
    message = diag.message_primary or str(exc)
    if state == "PGRST":
        detail = json.loads(diag.message_detail or "{}")
        return Response(int(detail.get("status", 400)), json.loads(message),
                        {str(k): str(v) for k, v in detail.get("headers", {}).items()})
    body = {"code": state, "message": message, "details": diag.message_detail,
            "hint": diag.message_hint}
    return Response(http_status(state, authenticated=identity.is_authenticated), body)
