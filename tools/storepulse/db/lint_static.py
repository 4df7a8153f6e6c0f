"""Static lint of storepulse's SQL files: what yoyo will really send, and Supabase hygiene.

Every `.sql` file of the five source folders is split exactly as yoyo splits it
(`sqlparse.split`, leading comment block and directives stripped) and each chunk is
parsed with pglast, the real PostgreSQL parser. Any finding fails CI.
Run `python -m storepulse.db.lint_static [ROOT]`: prints `path:line: rule: message`, exits 1.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pglast
import sqlparse
from pglast import ast
from pglast.enums.parsenodes import AlterTableType, ObjectType, VariableSetKind
from pglast.parser import ParseError
from pglast.visitors import Ancestor, Skip, Visitor
from yoyo.migrations import parse_metadata_from_sql_comments

from storepulse.db import migrate

ID_PATTERN = re.compile(r"^\d{8}_\d{2}_[a-z0-9-]+$")
DEPENDS = re.compile(r"\s*--\s*depends\s*:")
# Functions taking a cron schedule: name -> (positional index, parameter name).
SCHEDULERS = {
    "cron.schedule": (1, "schedule"),  # (schedule, command) with 2 arguments: index 0
    "cron.schedule_in_database": (1, "schedule"),
    "cron.alter_job": (1, "schedule"),
    "private.schedule_job": (1, "p_schedule"),
}
CRON_FIELDS = 5  # minute hour day month weekday
# Statement type -> (what, attribute path to its RangeVar or name list), all to be qualified.
QUALIFIED = {
    "CreateStmt": [("table", "relation")],
    "ViewStmt": [("view", "view")],
    "CreateTableAsStmt": [("table or materialized view", "into.rel")],
    "CreateSeqStmt": [("sequence", "sequence")],
    "IndexStmt": [("index's table", "relation")],
    "CreatePolicyStmt": [("policy's table", "table")],
    "CreateTrigStmt": [("trigger's table", "relation"), ("trigger's function", "funcname")],
    "CreateFunctionStmt": [("function or procedure", "funcname")],
    "CompositeTypeStmt": [("type", "typevar")],
    "CreateEnumStmt": [("type", "typeName")],
    "CreateRangeStmt": [("type", "typeName")],
    "DefineStmt": [("type", "defnames")],
    "CreateDomainStmt": [("domain", "domainname")],
}
QUALIFY = "yoyo's ?schema= option changes search_path, so unqualified names go astray"


@dataclass(frozen=True)
class Finding:
    """One problem: where it is, which rule it breaks, and what to do about it."""

    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        """The finding as a compiler-style line: path:line: rule: message."""
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


def yoyo_chunks(text: str) -> tuple[dict[str, str], list[tuple[str, int]]]:
    """Split a file as yoyo's read_sql_migration does: (directives, [(chunk, first line)])."""
    directives: dict[str, str] = {}
    chunks: list[tuple[str, int]] = []
    pos = 0
    for i, chunk in enumerate(sqlparse.split(text)):
        start = text.find(chunk, pos)
        start, pos = (pos, pos) if start < 0 else (start, start + len(chunk))
        if i == 0:
            directives, _, sql = parse_metadata_from_sql_comments(chunk)
            start += len(chunk) - len(sql) if chunk.endswith(sql) else 0
            chunk = sql  # noqa: PLW2901 - the first chunk, without yoyo's directives
        if chunk.strip():  # yoyo drops only blank chunks, not comment-only ones
            chunks.append((chunk, text.count("\n", 0, start) + 1))
    return directives, chunks


def _name(parts: tuple[Any, ...] | None) -> str:
    return ".".join(p.sval for p in parts or ())


def _rel(rv: ast.RangeVar | None) -> str:
    if rv is None:
        return ""
    return f"{rv.schemaname}.{rv.relname}" if rv.schemaname else rv.relname or ""


def _unqualified(stmt: ast.Node) -> Iterator[tuple[str, str]]:
    """(kind, name) of every object `stmt` creates or targets without a schema."""
    if isinstance(stmt, ast.DefineStmt) and stmt.kind != ObjectType.OBJECT_TYPE:
        return
    for kind, attrs in QUALIFIED.get(type(stmt).__name__, ()):
        target: Any = stmt
        for attr in attrs.split("."):
            target = getattr(target, attr, None)
        if isinstance(target, ast.RangeVar):
            if not target.schemaname and target.relpersistence != "t":  # temp: pg_temp only
                yield kind, target.relname or ""
        elif target and len(target) == 1:
            yield kind, _name(target)


def _function_findings(stmt: ast.CreateFunctionStmt) -> Iterator[tuple[str, str]]:
    """definer-search-path / function-search-path findings for one CREATE FUNCTION."""
    definer, path = False, None
    for opt in stmt.options or ():
        if opt.defname == "security":
            definer = bool(opt.arg.boolval)
        elif opt.defname == "set" and opt.arg.name == "search_path":
            if opt.arg.kind == VariableSetKind.VAR_SET_VALUE:
                path = tuple(getattr(a.val, "sval", "?") for a in opt.arg.args)
            elif opt.arg.kind == VariableSetKind.VAR_SET_CURRENT:
                path = ("<from current>",)
    what = f"{'procedure' if stmt.is_procedure else 'function'} {_name(stmt.funcname)}"
    fix = "add `set search_path = ''` and schema-qualify every name in the body"
    if definer and path != ("",):
        found = "no set search_path" if path is None else f"search_path = {', '.join(path)}"
        msg = f"security definer {what} must pin search_path to '' ({found}); {fix}"
        yield "definer-search-path", msg
    elif path is None and not (stmt.is_procedure and _commits(stmt)):
        # a procedure that commits cannot have a SET clause (Postgres refuses transaction
        # control under one): it must qualify every name instead
        yield "function-search-path", f"{what} has a mutable search_path (splinter 0011); {fix}"


def _commits(stmt: ast.CreateFunctionStmt) -> bool:
    """Whether a plpgsql routine's body runs COMMIT (or ROLLBACK) itself."""
    opts = {o.defname: o.arg for o in stmt.options or ()}
    body = opts.get("as")
    source = body[0].sval if isinstance(body, tuple) and body else ""
    if getattr(opts.get("language"), "sval", "") != "plpgsql" or not source:
        return False
    kind = "procedure" if stmt.is_procedure else "function"
    try:
        tree = pglast.parse_plpgsql(
            f"create {kind} x() language plpgsql as $lint$\n{source}\n$lint$")
    except ParseError:
        return False
    text = repr(tree)
    return "PLpgSQL_stmt_commit" in text or "PLpgSQL_stmt_rollback" in text


class _Calls(Visitor):
    """Collects the FuncCall nodes of a tree, skipping function bodies."""

    def __init__(self) -> None:
        self.calls: list[ast.FuncCall] = []

    def visit_CreateFunctionStmt(self, ancestors: Ancestor, node: ast.Node) -> type[Skip]:
        return Skip

    def visit_FuncCall(self, ancestors: Ancestor, node: ast.FuncCall) -> None:
        self.calls.append(node)


def _plpgsql_queries(tree: object) -> Iterator[str]:
    """The SQL of every expression in a parse_plpgsql tree, as parseable statements."""
    if isinstance(tree, list):
        for item in tree:
            yield from _plpgsql_queries(item)
    elif isinstance(tree, dict):
        if isinstance(tree.get("query"), str):
            query = tree["query"]
            if tree.get("parseMode", 0) != 0:  # an expression or `target := expression`
                query = "select " + re.sub(r"^[\w.\"\[\]]+\s*:?=\s*", "", query)
            yield query
        for value in tree.values():
            yield from _plpgsql_queries(value)


def _calls(stmt: ast.Node) -> list[ast.FuncCall]:
    """Function calls in a statement, and (best effort) in the body of a plpgsql DO block."""
    visitor = _Calls()
    visitor(stmt)
    if isinstance(stmt, ast.DoStmt):
        opts = {o.defname: o.arg.sval for o in stmt.args or ()}
        if opts.get("language", "plpgsql") == "plpgsql":
            try:
                tree = pglast.parse_plpgsql(f"do $lint_do$\n{opts['as']}\n$lint_do$")
                for query in _plpgsql_queries(tree):
                    for raw in pglast.parse_sql(query):
                        if raw.stmt is not None:
                            visitor(raw.stmt)
            except ParseError:
                pass
    return visitor.calls


def _cron_findings(call: ast.FuncCall) -> Iterator[str]:
    """Messages for a scheduling call whose schedule is not a literal 5-field cron expression."""
    name = _name(call.funcname)
    if name not in SCHEDULERS:
        return
    index, param = SCHEDULERS[name]
    args = call.args or ()
    named = {a.name: a.arg for a in args if isinstance(a, ast.NamedArgExpr)}
    positional = [a for a in args if not isinstance(a, ast.NamedArgExpr)]
    index = 0 if name == "cron.schedule" and len(args) == 2 else index  # noqa: PLR2004 - (schedule, command)
    arg = named.get(param, positional[index] if len(positional) > index else None)
    while isinstance(arg, ast.TypeCast):
        arg = arg.arg
    if arg is None or (isinstance(arg, ast.A_Const) and arg.isnull):
        return  # no schedule given (alter_job leaves it unchanged)
    if not (isinstance(arg, ast.A_Const) and isinstance(arg.val, ast.String)):
        yield f"the schedule passed to {name} is not a string literal; write it as one"
    elif len(fields := (arg.val.sval or "").split()) != CRON_FIELDS:
        yield (
            f"{name} schedule '{arg.val.sval}' has {len(fields)} fields; use 5 (minute hour day"
            " month weekday, GMT): pg_cron 1.4 (Debian) rejects '30 seconds' and @macros"
        )


def _parse_chunks(chunks: list[tuple[str, int]]) -> tuple[list[tuple[int, str]], list[Any]]:
    """split-parity: ([(line, message)], [(statement, line)]) for the chunks yoyo will send."""
    problems: list[tuple[int, str]] = []
    stmts: list[tuple[ast.Node, int]] = []
    for chunk, line in chunks:
        lead = re.match(r"(\s|--[^\n]*|/\*.*?\*/)*", chunk, re.S)
        first = line + chunk[: lead.end() if lead else 0].count("\n")
        try:
            raws = pglast.parse_sql(chunk)
        except ParseError as e:
            problems.append((first, f"sqlparse cut the file here and PostgreSQL rejects the chunk"
                             f" yoyo would send ({e}); avoid nested /* */ comments"))
            continue
        if not raws:
            problems.append((first, "comment-only chunk: yoyo runs it as an extra no-op step,"
                             " shifting its pairing with rollback statements; move the comment"
                             " above a statement"))
        elif len(raws) > 1:
            problems.append((first, f"sqlparse keeps {len(raws)} statements in one chunk (one yoyo"
                             " step); write '' instead of E'\\'' escapes so it sees each `;`"))
        stmts += [(r.stmt, line + chunk[: r.stmt_location].count("\n")) for r in raws
                  if r.stmt is not None]
    return problems, stmts


def _statement_findings(stmt: ast.Node) -> Iterator[tuple[str, str]]:
    """(rule, message) of every single-statement rule `stmt` breaks."""
    if isinstance(stmt, ast.TransactionStmt) and stmt.kind is not None:
        kind = stmt.kind.name.removeprefix("TRANS_STMT_")
        yield "no-transaction-control", (
            f"{kind} would end or nest yoyo's own per-migration transaction; remove it"
            " (use `-- transactional: false` for statements that cannot run in one)"
        )
    if isinstance(stmt, ast.CreateFunctionStmt):
        yield from _function_findings(stmt)
    for kind, name in _unqualified(stmt):
        msg = f"{kind} {name} is not schema-qualified; write <schema>.{name} ({QUALIFY})"
        yield "qualified-names", msg
    for call in _calls(stmt):
        yield from (("cron-schedule-5-fields", msg) for msg in _cron_findings(call))


def _tables_without_rls(stmts: list[tuple[ast.Node, int]]) -> dict[str, int]:
    """Non-temporary tables created but not followed by ENABLE ROW LEVEL SECURITY: name -> line."""
    pending: dict[str, int] = {}
    for stmt, line in stmts:
        table = stmt.relation if isinstance(stmt, ast.CreateStmt) else None
        if (isinstance(stmt, ast.CreateTableAsStmt) and stmt.objtype == ObjectType.OBJECT_TABLE
                and stmt.into is not None):
            table = stmt.into.rel
        if table is not None and table.relpersistence != "t":
            pending[_rel(table)] = line
        if isinstance(stmt, ast.AlterTableStmt) and stmt.relation is not None and any(
            c.subtype == AlterTableType.AT_EnableRowSecurity for c in stmt.cmds or ()
        ):
            pending.pop(_rel(stmt.relation), None)
    return pending


# --- lock-timeout ----------------------------------------------------------------
# ALTER TABLE and CREATE/DROP TRIGGER wait for an ACCESS EXCLUSIVE (or SHARE ROW EXCLUSIVE)
# lock, and every query on the table queues behind the waiting migration. As GitLab's
# migration guide asks, a file touching a table it did not create sets a lock timeout
# first, so a busy table makes the migration fail fast instead of stalling the API.
LOCK_TIMEOUT_FIX = "set local lock_timeout = '5s';"
# Our helpers that create or drop triggers on the table passed as this argument.
TRIGGER_HELPERS = {
    "private.enable_row_audit": 0,
    "private.disable_row_audit": 0,
    "private.retire_row_change_store": 0,
}
SET_CONFIG_ARGS = 3  # set_config(name, value, is_local)


def _sets_lock_timeout(stmt: ast.Node) -> bool:
    """`SET LOCAL lock_timeout = ...`, or `set_config('lock_timeout', ..., true)` selected."""
    if isinstance(stmt, ast.VariableSetStmt):
        return stmt.name == "lock_timeout" and bool(stmt.is_local)
    for call in _calls(stmt):
        args = call.args or ()
        is_set_config = _name(call.funcname) in ("pg_catalog.set_config", "set_config")
        if is_set_config and len(args) == SET_CONFIG_ARGS:
            name, local = args[0], args[2]
            if (isinstance(name, ast.A_Const) and isinstance(name.val, ast.String)
                    and name.val.sval == "lock_timeout"
                    and isinstance(local, ast.A_Const) and isinstance(local.val, ast.Boolean)
                    and local.val.boolval):
                return True
    return False


def _locked_tables(stmt: ast.Node) -> Iterator[tuple[str, str | None]]:
    """(what, table or None if unknown) for each table `stmt` alters or changes triggers on."""
    if isinstance(stmt, ast.AlterTableStmt) and stmt.objtype == ObjectType.OBJECT_TABLE:
        yield "alter table", _rel(stmt.relation)
    elif isinstance(stmt, ast.RenameStmt) and stmt.relation is not None and (
        stmt.renameType in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_TRIGGER,
                            ObjectType.OBJECT_TABCONSTRAINT)
        or (stmt.renameType == ObjectType.OBJECT_COLUMN
            and stmt.relationType == ObjectType.OBJECT_TABLE)
    ):
        yield "alter table ... rename", _rel(stmt.relation)
    elif isinstance(stmt, ast.AlterObjectSchemaStmt) and stmt.objectType == ObjectType.OBJECT_TABLE:
        yield "alter table ... set schema", _rel(stmt.relation)
    elif isinstance(stmt, ast.CreateTrigStmt):
        what = "create or replace trigger" if stmt.replace else "create trigger"
        yield what, _rel(stmt.relation)
    elif isinstance(stmt, ast.DropStmt) and stmt.removeType == ObjectType.OBJECT_TRIGGER:
        for names in stmt.objects or ():
            yield "drop trigger", ".".join(n.sval for n in names[:-1])
    for call in _calls(stmt):
        index = TRIGGER_HELPERS.get(_name(call.funcname))
        if index is None:
            continue
        args = [a for a in call.args or () if not isinstance(a, ast.NamedArgExpr)]
        arg = args[index] if len(args) > index else None
        while isinstance(arg, ast.TypeCast):
            arg = arg.arg
        table = arg.val.sval if isinstance(arg, ast.A_Const) and isinstance(
            arg.val, ast.String) else None
        yield f"{_name(call.funcname)} (triggers)", table


def _lock_timeout_findings(stmts: list[tuple[ast.Node, int]]) -> Iterator[tuple[int, str]]:
    """lock-timeout: (line, message) for the first lock-taking statement before any timeout."""
    created: set[str] = set()
    for stmt, line in stmts:
        if _sets_lock_timeout(stmt):
            return
        if isinstance(stmt, ast.CreateStmt):
            created.add(_rel(stmt.relation))
        for what, table in _locked_tables(stmt):
            if table not in created:
                yield line, (
                    f"{what} on {table or 'a table'} it did not create, with no lock timeout:"
                    f" a busy table makes it wait and every query on the table queue behind"
                    f" it; put `{LOCK_TIMEOUT_FIX}` before the first such statement"
                )
                return


# --- identifier-length -------------------------------------------------------------
# PostgreSQL cuts identifiers to 63 bytes (NAMEDATALEN - 1) with only a NOTICE, so two long
# names can silently become one, and code naming the full one may miss it. pglast's parser
# truncates them too, so this rule reads the tokens of the text itself (function bodies and
# other dollar-quoted SQL included).
IDENTIFIER_MAX_BYTES = 63
# Long identifiers already applied to databases, skipped in their migration (forward file
# and rollback, which must name them the same): {(migration id, identifier)}. Their owner
# renames them in a new migration and then empties this set. Add nothing here.
IDENTIFIER_LENGTH_ALLOWED: frozenset[tuple[str, str]] = frozenset()
_RENAMED_KIND = {
    ObjectType.OBJECT_TABLE: "table", ObjectType.OBJECT_COLUMN: "column",
    ObjectType.OBJECT_TABCONSTRAINT: "constraint", ObjectType.OBJECT_INDEX: "index",
    ObjectType.OBJECT_POLICY: "policy", ObjectType.OBJECT_TRIGGER: "trigger",
    ObjectType.OBJECT_FUNCTION: "function", ObjectType.OBJECT_PROCEDURE: "function",
    ObjectType.OBJECT_VIEW: "view",
}


def _renamed_kind(objtype: ObjectType | None) -> str:
    """How identifier-length names an object of this type: table, column, ..., identifier."""
    return _RENAMED_KIND.get(objtype, "identifier") if objtype is not None else "identifier"


class _Names(Visitor):
    """Collects (kind, name as parsed, possibly truncated) of the named objects of a tree.

    Tables, columns, constraints, indexes, policies, triggers and functions.
    """

    def __init__(self) -> None:
        self.names: list[tuple[str, str]] = []

    def _add(self, kind: str, name: str | None) -> None:
        if isinstance(name, str) and name:
            self.names.append((kind, name))

    def visit(self, ancestors: Ancestor, node: ast.Node) -> None:  # noqa: PLR0912 - one branch per kind of node
        add = self._add
        if isinstance(node, ast.ColumnDef):
            add("column", node.colname)
        elif isinstance(node, ast.Constraint):
            add("constraint", node.conname)
        elif isinstance(node, ast.IndexStmt):
            add("index", node.idxname)
        elif isinstance(node, (ast.CreatePolicyStmt, ast.AlterPolicyStmt)):
            add("policy", node.policy_name)
        elif isinstance(node, ast.CreateTrigStmt):
            add("trigger", node.trigname)
        elif isinstance(node, (ast.CreateFunctionStmt, ast.FuncCall, ast.ObjectWithArgs)):
            names = node.funcname if not isinstance(node, ast.ObjectWithArgs) else node.objname
            add("function", names[-1].sval if names else None)
        elif isinstance(node, ast.RenameStmt):
            add(_renamed_kind(node.renameType), node.newname)
            if node.renameType == ObjectType.OBJECT_TABLE:
                return
            add(_renamed_kind(node.renameType), node.subname)
        elif isinstance(node, ast.DropStmt):
            kind = _renamed_kind(node.removeType)
            for names in node.objects or ():
                if isinstance(names, tuple) and names and isinstance(names[-1], ast.String):
                    add(kind, names[-1].sval)
        elif isinstance(node, ast.RangeVar):
            add("table", node.relname)
        elif isinstance(node, ast.ColumnRef):
            for field_ in node.fields or ():
                if isinstance(field_, ast.String):
                    add("column", field_.sval)


def _identifier_tokens(text: str, offset: int = 0) -> Iterator[tuple[int, str]]:
    """(character offset, identifier) of every identifier token in `text`.

    Those in dollar-quoted strings (function bodies, DO blocks, cron commands) included.
    """
    try:
        tokens = pglast.parser.scan(text)
    except ParseError:  # not SQL after all (a dollar-quoted payload)
        return
    for tok in tokens:
        raw = text[tok.start: tok.end + 1]
        if tok.name == "IDENT":
            name = raw[1:-1].replace('""', '"') if raw.startswith('"') else raw.lower()
            yield offset + tok.start, name
        elif tok.name == "SCONST" and raw.startswith("$"):
            tag = raw[: raw.index("$", 1) + 1]
            yield from _identifier_tokens(raw[len(tag): -len(tag)], offset + tok.start + len(tag))


def _identifier_length_findings(path_name: str, chunks: list[tuple[str, int]]
                                ) -> Iterator[tuple[int, str]]:
    """identifier-length: (line, message) for every identifier longer than 63 bytes."""
    mid = PurePosixPath(path_name).name.removesuffix(".sql").removesuffix(".rollback")
    for chunk, line in chunks:
        long = [(pos, name) for pos, name in _identifier_tokens(chunk)
                if len(name.encode()) > IDENTIFIER_MAX_BYTES
                and (mid, name) not in IDENTIFIER_LENGTH_ALLOWED]
        if not long:
            continue
        names = _Names()
        try:
            for raw in pglast.parse_sql(chunk):
                if raw.stmt is not None:
                    names(raw.stmt)
        except ParseError:
            pass  # split-parity reports it; name the identifiers without their kind
        for pos, name in long:
            cut = name.encode()[:IDENTIFIER_MAX_BYTES].decode("utf-8", "ignore")
            kind = next((k for k, n in names.names if n == cut), "identifier")
            yield line + chunk[:pos].count("\n"), (
                f"{kind} name \"{name}\" is {len(name.encode())} bytes; PostgreSQL silently"
                f" truncates identifiers to {IDENTIFIER_MAX_BYTES} (\"{cut}\"): shorten it"
            )


def lint_text(path_name: str, text: str) -> list[Finding]:
    """Lint one file's text with every rule that needs only this file."""
    directives, chunks = yoyo_chunks(text)
    problems, stmts = _parse_chunks(chunks)
    out = [Finding(path_name, line, "split-parity", msg) for line, msg in problems]
    for stmt, line in stmts:
        out += [Finding(path_name, line, rule, msg) for rule, msg in _statement_findings(stmt)]
    for name, line in _tables_without_rls(stmts).items():
        msg = f"table {name} has no row-level security; add `alter table {name} enable row level"
        out.append(Finding(path_name, line, "rls-in-same-file", msg + " security;` after it"))
    out += [Finding(path_name, line, "lock-timeout", msg)
            for line, msg in _lock_timeout_findings(stmts)]
    out += [Finding(path_name, line, "identifier-length", msg)
            for line, msg in _identifier_length_findings(path_name, chunks)]
    if path_name.endswith(".rollback.sql"):
        return out  # yoyo ignores a rollback file's directives
    first = text.split("\n", 1)[0]
    if not re.match(r"--\s*\S", first) or re.match(r"\s*--\s*(depends|transactional)\s*:", first):
        msg = "start with a `-- <what this migration changes>` line, then `-- depends: <prev id>`"
        out.append(Finding(path_name, 1, "header", msg))
    transactional = directives.get("transactional", "true").lower()
    if transactional not in ("true", "false"):
        msg = f"`-- transactional: {transactional}` must be true or false (yoyo raises otherwise)"
        out.append(Finding(path_name, 1, "header", msg))
    if transactional == "false" and len(stmts) != 1:
        msg = (f"`-- transactional: false` file has {len(stmts)} statements; put exactly one in it"
               " (yoyo cannot undo a partly applied non-transactional migration)")
        out.append(Finding(path_name, 1, "non-transactional", msg))
    return out


def _chain_findings(migrations: dict[str, str]) -> Iterator[Finding]:
    """header: bad or duplicate ids, and a depends chain that is not linear ({path: text})."""
    ids = {path: PurePosixPath(path).name.removesuffix(".sql") for path in migrations}
    counts = Counter(ids.values())
    order = sorted(counts)
    for path, mid in ids.items():
        if not ID_PATTERN.match(mid):
            msg = f"id {mid} must match {ID_PATTERN.pattern} (date_seq_kebab-name): rename"
            yield Finding(path, 1, "header", msg)
        if counts[mid] > 1:
            msg = f"id {mid} is in {counts[mid]} folders (yoyo's MigrationConflict): rename"
            yield Finding(path, 1, "header", msg)
        depends = set(yoyo_chunks(migrations[path])[0].get("depends", "").split())
        i = order.index(mid)
        if depends != ({order[i - 1]} if i else set()):
            lines = migrations[path].split("\n")
            line = next((n for n, s in enumerate(lines, 1) if DEPENDS.match(s)), 1)
            want = f"`-- depends: {order[i - 1]}` (the previous id)" if i else "no `-- depends:`"
            msg = (f"leading comment block declares depends {sorted(depends) or 'none'};"
                   f" it must declare exactly {want} so the chain stays linear")
            yield Finding(path, line, "header", msg)


# --- folder-content: each folder holds what its name says ------------------------------
# migrations/: tables, types, indexes, schemas, grants, data changes and every other
# statement; functions/: functions, procedures and triggers; views/: views; policies/:
# policies; cron/: private.schedule_job / private.unschedule_job calls. Comments and
# grants go with their object; calls that write or wire functions (compiling a source,
# subscribing to changes) with the functions; SET LOCAL (lock_timeout) anywhere.
# Row-level security is enabled in migrations/, in the file that creates the table
# (rls-in-same-file): a table is never open while it waits for its policies, and
# policies/ stays policies only. A file that cannot be split without new ids
# says so in its header: `-- folder-content: mixed, because <reason>`.

FOLDER_HOLDS = {
    "migrations": ({"data", "relation"},
                   "tables, types, indexes, schemas, grants, data changes and the rest"),
    "functions": ({"function", "trigger"},
                  "functions, procedures and triggers, with their comments and grants"),
    "views": ({"view", "relation"}, "views, with their comments and grants"),
    "policies": ({"policy"}, "row-level security policies and their comments"),
    "cron": ({"job"}, "private.schedule_job and private.unschedule_job calls"),
}
FOLDER_OF_KIND = {"data": "migrations/", "function": "functions/", "trigger": "functions/",
                  "view": "views/", "policy": "policies/", "job": "cron/",
                  "relation": "migrations/ (a table's) or views/ (a view's)"}
FOLDER_MIXED = re.compile(r"^--\s*folder-content\s*:\s*mixed\b[,:;]?\s*(?P<why>.*)$", re.M)
FOLDER_MIXED_MIN_WORDS = 3  # a reason, not a word or two: "because <what needs what>"
_FUNCTION_TYPES = {ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE,
                   ObjectType.OBJECT_ROUTINE, ObjectType.OBJECT_AGGREGATE}
_VIEW_TYPES = {ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW}
_TRIGGER_TYPES = {ObjectType.OBJECT_TRIGGER, ObjectType.OBJECT_EVENT_TRIGGER}
_TRIGGER_SWITCHES = {
    AlterTableType.AT_EnableTrig, AlterTableType.AT_EnableAlwaysTrig,
    AlterTableType.AT_EnableReplicaTrig, AlterTableType.AT_DisableTrig,
    AlterTableType.AT_EnableTrigAll, AlterTableType.AT_DisableTrigAll,
    AlterTableType.AT_EnableTrigUser, AlterTableType.AT_DisableTrigUser,
}
_JOB_CALLS = {"private.schedule_job", "private.unschedule_job"}
# calls that write functions or wire them in: they belong with the functions
_FUNCTION_CALLS = {"private.compile_inbound_source", "private.uncompile_inbound_source",
                   "private.subscribe_to_changes", "private.unsubscribe_from_changes",
                   "private.compile_change_feed"}


class _Touches(Visitor):
    """Whether a statement calls a function or reads a relation (a no-op select does neither)."""

    def __init__(self) -> None:
        self.found = False

    def visit_FuncCall(self, ancestors: Ancestor, node: ast.Node) -> None:
        self.found = True

    def visit_RangeVar(self, ancestors: Ancestor, node: ast.Node) -> None:
        self.found = True


def _object_kind(objtype: ObjectType) -> str | None:
    """The content kind of a statement about an object of this type, if it is not data."""
    if objtype in _FUNCTION_TYPES:
        return "function"
    if objtype in _TRIGGER_TYPES:
        return "trigger"
    if objtype in _VIEW_TYPES:
        return "view"
    if objtype == ObjectType.OBJECT_POLICY:
        return "policy"
    return None


def _content_kind(stmt: ast.Node) -> str | None:  # noqa: PLR0911
    """What a statement is about, for folder-content; None for a no-op select.

    function, trigger, view, policy, job, relation (a column comment or a table grant: a
    table's or a view's), or data.
    """
    if isinstance(stmt, ast.VariableSetStmt) and stmt.is_local:
        return None  # a transaction-local setting (lock_timeout) suits any folder
    if isinstance(stmt, ast.SelectStmt):
        targets = [t.val for t in stmt.targetList or ()]
        for calls, kind in ((_JOB_CALLS, "job"), (_FUNCTION_CALLS, "function"),
                            ({"pg_catalog.set_config"}, None)):
            if targets and not stmt.fromClause and all(
                isinstance(t, ast.FuncCall) and _name(t.funcname) in calls for t in targets
            ):
                return kind
        touches = _Touches()
        touches(stmt)
        return "data" if touches.found or stmt.intoClause else None
    kinds: dict[type, str] = {
        ast.CreateFunctionStmt: "function", ast.AlterFunctionStmt: "function",
        ast.CreateTrigStmt: "trigger", ast.CreateEventTrigStmt: "trigger",
        ast.AlterEventTrigStmt: "trigger", ast.ViewStmt: "view", ast.RefreshMatViewStmt: "view",
        ast.CreatePolicyStmt: "policy", ast.AlterPolicyStmt: "policy",
    }
    if type(stmt) in kinds:
        return kinds[type(stmt)]
    if isinstance(stmt, ast.CreateTableAsStmt) and stmt.objtype == ObjectType.OBJECT_MATVIEW:
        return "view"
    if isinstance(stmt, ast.DefineStmt) and stmt.kind == ObjectType.OBJECT_AGGREGATE:
        return "function"
    objtype = {
        ast.DropStmt: "removeType", ast.CommentStmt: "objtype", ast.GrantStmt: "objtype",
        ast.RenameStmt: "renameType", ast.AlterObjectSchemaStmt: "objectType",
        ast.AlterOwnerStmt: "objectType", ast.AlterTableStmt: "objtype",
    }.get(type(stmt))
    found = _object_kind(getattr(stmt, objtype)) if objtype else None
    if found:
        return found
    if isinstance(stmt, ast.AlterTableStmt) and all(
        c.subtype in _TRIGGER_SWITCHES for c in stmt.cmds or ()
    ):
        return "trigger"
    if isinstance(stmt, ast.CommentStmt) and stmt.objtype == ObjectType.OBJECT_COLUMN:
        return "relation"
    if (isinstance(stmt, ast.GrantStmt) and stmt.objtype == ObjectType.OBJECT_TABLE
            and stmt.targtype == pglast.enums.parsenodes.GrantTargetType.ACL_TARGET_OBJECT):
        return "relation"
    return "data"


def _folder_content_findings(texts: dict[str, str]) -> Iterator[Finding]:
    """folder-content: every statement of a file (and of its rollback) suits its folder."""
    suffix = ".rollback.sql"
    for path, text in texts.items():
        folder = PurePosixPath(path).parts[0]
        if folder not in FOLDER_HOLDS:
            continue
        forward = text
        if path.endswith(suffix):
            forward = texts.get(path.removesuffix(suffix) + ".sql", "")
        lead = re.match(r"(?:[ \t]*(?:--[^\n]*)?\n)*", forward)
        mixed = FOLDER_MIXED.search(lead.group(0) if lead else "")
        if mixed:
            if not path.endswith(suffix) and len(mixed["why"].split()) < FOLDER_MIXED_MIN_WORDS:
                msg = "`-- folder-content: mixed` needs its reason: `mixed, because <why>`"
                yield Finding(path, 1, "folder-content", msg)
            continue
        allowed, holds = FOLDER_HOLDS[folder]
        for stmt, line in _parse_chunks(yoyo_chunks(text)[1])[1]:
            kind = _content_kind(stmt)
            if kind is None or kind in allowed:
                continue
            start = text.split("\n")[line - 1].strip()[:60]
            where = FOLDER_OF_KIND[kind]
            msg = (f"{folder}/ holds {holds}: `{start}` belongs in {where}; move it, and"
                   " what undoes it, to a migration there")
            yield Finding(path, line, "folder-content", msg)


# --- comment-names-objects: a comment names the object, not the migration -----------

MIGRATION_ID_IN_COMMENT = re.compile(r"--.*?\b(\d{8}_\d{2})(?:_[a-z0-9-]+)?\b")


def _comment_id_findings(texts: dict[str, str]) -> Iterator[Finding]:
    """comment-names-objects: no comment points at a migration id.

    An id says nothing of what the object is now; schema/ holds its current definition
    under its name.
    """
    for path, text in texts.items():
        for n, line in enumerate(text.split("\n"), 1):
            if DEPENDS.match(line):
                continue
            found = MIGRATION_ID_IN_COMMENT.search(line)
            if found:
                msg = (f"comment points at migration {found.group(1)}: name the object instead"
                       " (the function, table or job), whose definition is in schema/")
                yield Finding(path, n, "comment-names-objects", msg)


def lint_paths(root: Path = migrate.ROOT) -> list[Finding]:
    """Lint every SQL file of the five source folders, plus the cross-file rules."""
    files = sorted(p for d in migrate.SOURCE_DIRS for p in (root / d).glob("*.sql"))
    texts = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in files}
    out = [f for path, text in texts.items() for f in lint_text(path, text)]
    suffix = ".rollback.sql"
    migrations = {path: text for path, text in texts.items() if not path.endswith(suffix)}
    out += _chain_findings(migrations)
    out += [*_folder_content_findings(texts), *_comment_id_findings(texts)]
    for path in migrations:
        rollback = path.removesuffix(".sql") + suffix
        if rollback not in texts:
            msg = f"missing {PurePosixPath(rollback).name}: write one undoing every statement,"
            out.append(Finding(path, 1, "rollback-file", msg + " in reverse order"))
        elif not yoyo_chunks(texts[rollback])[1]:
            msg = "has no statement: undo every statement of the migration, in reverse order"
            out.append(Finding(rollback, 1, "rollback-file", msg))
    for path in texts:
        if path.endswith(suffix) and path.removesuffix(suffix) + ".sql" not in texts:
            msg = "rollback file without a migration beside it: rename or delete it"
            out.append(Finding(path, 1, "rollback-file", msg))
    return sorted(out, key=lambda f: (f.path, f.line, f.rule, f.message))


def main(argv: list[str] | None = None) -> int:
    """Print every finding as `path:line: rule: message`; return 1 if there is any."""
    args = sys.argv[1:] if argv is None else argv
    findings = lint_paths(Path(args[0]) if args else migrate.ROOT)
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
