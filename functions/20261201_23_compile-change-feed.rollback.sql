-- Restore the change feed as it was before this migration: private.changing and
-- private.changed read private.change_subscriber and call each subscriber through EXECUTE,
-- and subscribing no longer compiles (from schema/private/functions/).

CREATE OR REPLACE FUNCTION private.changing(p_shop_id uuid, p_entity text, p_keys bigint[]) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
-- its work is the subscribers', called through EXECUTE, which plpgsql_check takes for reads:
-- @plpgsql_check_options: performance_warnings = false
declare
    v_handler regproc;
    v_state jsonb;
    v_states jsonb := '{}'::jsonb;
begin
    if pg_catalog.cardinality(p_keys) = 0 then
        return v_states;
    end if;
    for v_handler in
        select pg_catalog.to_regprocedure(s.handler || '(uuid, bigint[], text, jsonb)')::regproc
        from private.change_subscriber as s
        where s.entity = p_entity
        order by s.position
    loop
        execute pg_catalog.format('select %s($1, $2, $3, $4)', v_handler)
            using p_shop_id, p_keys, 'before', null::jsonb
            into v_state;
        v_states := v_states || pg_catalog.jsonb_build_object(v_handler::text, v_state);
    end loop;
    return v_states;
end
$_$;

COMMENT ON FUNCTION private.changing(p_shop_id uuid, p_entity text, p_keys bigint[]) IS 'An applier is about to change these keys of an entity (its rows are still the old ones): every subscriber hears of it (phase before). Returns what they want back afterwards, for private.changed.';

CREATE OR REPLACE FUNCTION private.changed(p_shop_id uuid, p_entity text, p_keys bigint[], p_states jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
declare
    v_handler regproc;
begin
    if pg_catalog.cardinality(p_keys) = 0 then
        return;
    end if;
    for v_handler in
        select pg_catalog.to_regprocedure(s.handler || '(uuid, bigint[], text, jsonb)')::regproc
        from private.change_subscriber as s
        where s.entity = p_entity
        order by s.position
    loop
        execute pg_catalog.format('select %s($1, $2, $3, $4)', v_handler)
            using p_shop_id, p_keys, 'after', p_states -> (v_handler::text);
    end loop;
end
$_$;

COMMENT ON FUNCTION private.changed(p_shop_id uuid, p_entity text, p_keys bigint[], p_states jsonb) IS 'An applier has changed these keys of an entity: every subscriber hears of it (phase after), with what it returned from private.changing.';

CREATE OR REPLACE FUNCTION private.subscribe_to_changes(p_entity text, p_handler text, p_position integer, p_description text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
    if pg_catalog.to_regprocedure(p_handler || '(uuid, bigint[], text, jsonb)') is null then
        raise exception 'no function %(uuid, bigint[], text, jsonb) to call with changes of %',
            p_handler, p_entity
            using errcode = '42883', column = 'handler',
                hint = 'A subscriber takes (shop_id, keys, phase, state) and returns jsonb.';
    end if;
    insert into private.change_subscriber as s (entity, handler, position, description)
    values (p_entity, p_handler, p_position, p_description)
    on conflict on constraint pk_change_subscriber do update
    set position = excluded.position,
        description = excluded.description;
end
$$;

COMMENT ON FUNCTION private.subscribe_to_changes(p_entity text, p_handler text, p_position integer, p_description text) IS 'Registers (or updates) a subscriber to an entity''s changes, checking its signature. Called by the migration that adds a rollup or tile.';

CREATE OR REPLACE FUNCTION private.unsubscribe_from_changes(p_entity text, p_handler text) RETURNS boolean
    LANGUAGE sql
    SET search_path TO ''
    AS $$
    with gone as (
        delete from private.change_subscriber as s
        where s.entity = unsubscribe_from_changes.p_entity
            and s.handler = unsubscribe_from_changes.p_handler
        returning 1
    )
    select exists (select from gone)
$$;

COMMENT ON FUNCTION private.unsubscribe_from_changes(p_entity text, p_handler text) IS 'Removes a subscriber; false if it was not subscribed. Called by the rollback of the migration that subscribed it.';

DROP FUNCTION private.compile_change_feed();
