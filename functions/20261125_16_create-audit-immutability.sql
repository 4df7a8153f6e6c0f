-- Audit and decision rows are never updated, deleted or truncated, except by retention.
-- depends: 20261125_15_create-audit-policies
--
-- API roles hold no UPDATE, DELETE or TRUNCATE on schema audit, so Postgres refuses them
-- before any trigger runs. These triggers stop everyone else who could: the tables'
-- owner and superusers running ordinary SQL. The one exception is a DELETE issued by
-- private.apply_audit_retention() itself: the trigger reads the call stack (PG_CONTEXT)
-- and lets a statement through only when that function is among its callers. A setting
-- a caller could copy (set_config) is deliberately not enough; forging the stack needs
-- CREATE on schema private, which only the owner has. The owner can also drop or disable
-- these triggers (DDL): that is beyond what a trigger can prevent, and stays reviewable
-- in migrations. Partitions of audit.row_change get the same trigger when they are
-- created (private.create_row_change_partition), since statement triggers are not
-- inherited.

create function private.tg_audit__refuse_change()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    v_stack text;
begin
    if tg_op = 'DELETE' then
        get diagnostics v_stack = pg_context;
        -- A caller frame of the retention function: "PL/pgSQL function
        -- private.apply_audit_retention() line 42 at SQL statement" (words vary with
        -- lc_messages; the signature does not, and statement text is quoted).
        if v_stack ~ '\n[^\n"]*\sprivate\.apply_audit_retention\(\)[^\n"]*(\n|$)' then
            return null;
        end if;
    end if;
    raise exception '% on %.% is refused: audit and decision rows are append-only',
        tg_op, tg_table_schema, tg_table_name
        using errcode = '42501',
            hint = 'Only the retention job (private.apply_audit_retention) removes rows, once they are older than 180 days and their shop is not under legal hold.';
end
$$;

comment on function private.tg_audit__refuse_change() is 'Trigger: refuses UPDATE, DELETE and TRUNCATE on audit tables with 42501, for every role; only DELETEs run by private.apply_audit_retention() pass.';

-- Fail fast rather than queue every query on the table behind this migration.
set local lock_timeout = '5s';

create trigger _100_refuse_change
    before update or delete or truncate on audit.suggestion
    for each statement
    execute function private.tg_audit__refuse_change();

create trigger _100_refuse_change
    before update or delete or truncate on audit.decision
    for each statement
    execute function private.tg_audit__refuse_change();

create trigger _100_refuse_change
    before update or delete or truncate on audit.row_change
    for each statement
    execute function private.tg_audit__refuse_change();
