-- The pipeline's extraction, derived from the field descriptions: one rows function per resource.
-- depends: 20261201_04_create-inbound-checks
--
-- private.compile_inbound_source writes, for each resource whose fields fill columns,
-- private.<source>_<resource>_rows(p_items jsonb): the typed rows of an array of the
-- resource (or, for a nested resource, of its parent, with the parent's key), one
-- set-based SELECT the appliers insert from. Each kind is read one way, written here
-- once: Shopify's money rule (<key>_set.shop_money.amount, else <key>) included. The
-- generated functions are plain SQL, visible in schema/, and marked as generated.

create function private.inbound_column_type(p_kind text)
    returns text
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    select case inbound_column_type.p_kind
        when 'id' then 'bigint'
        when 'integer' then 'integer'
        when 'count' then 'integer'
        when 'decimal' then 'numeric'
        when 'money' then 'numeric'
        when 'timestamp' then 'timestamp with time zone'
        when 'text' then 'text'
        when 'boolean' then 'boolean'
        else 'jsonb'
    end
$$;

comment on function private.inbound_column_type(text) is 'The SQL type a field kind is extracted as.';

create function private.inbound_field_expression(
    p_source text,
    p_resource text,
    p_field text,
    p_object text,
    p_depth integer
)
    returns table (expression text, column_type text)
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    v_field private.inbound_field;
    v_alias text := 'a' || p_depth;
    v_inner record;
begin
    select * into strict v_field
    from private.inbound_field as f
    where f.source = p_source
        and f.resource = p_resource
        and f.field = p_field;
    if v_field.kind = 'money' then
        expression := pg_catalog.format(
            'coalesce(%1$s #>> %2$L, %1$s ->> %3$L)::numeric',
            p_object, '{' || v_field.field || '_set,shop_money,amount}', v_field.field);
        column_type := 'numeric';
    elsif v_field.kind = 'text' then
        expression := pg_catalog.format('%s ->> %L', p_object, v_field.field);
        column_type := 'text';
    elsif v_field.kind in ('json', 'object', 'array') and v_field.extract_field is null then
        expression := pg_catalog.format('%s -> %L', p_object, v_field.field);
        column_type := 'jsonb';
    elsif v_field.kind = 'object' then
        select * into v_inner
        from private.inbound_field_expression(p_source, v_field.item_resource,
            v_field.extract_field, pg_catalog.format('(%s -> %L)', p_object, v_field.field),
            p_depth + 1);
        expression := v_inner.expression;
        column_type := v_inner.column_type;
    elsif v_field.kind = 'array' then
        -- the sum of extract_field over the elements (a JSON null holds none)
        select * into v_inner
        from private.inbound_field_expression(p_source, v_field.item_resource,
            v_field.extract_field, v_alias || '.value', p_depth + 1);
        expression := pg_catalog.format(
            '(select pg_catalog.sum(%s) from pg_catalog.jsonb_array_elements('
            'coalesce(nullif(%s -> %L, %L), %L)) as %s (value))',
            v_inner.expression, p_object, v_field.field, 'null', '[]', v_alias);
        column_type := v_inner.column_type;
    else
        column_type := private.inbound_column_type(v_field.kind);
        expression := pg_catalog.format('(%s ->> %L)::%s', p_object, v_field.field, column_type);
    end if;
    return next;
end
$$;

comment on function private.inbound_field_expression(text, text, text, text, integer) is 'The SQL expression reading one field of an object (given as SQL text), and its type: the one place each field kind''s extraction is written.';

create function private.inbound_rows_function(p_source text, p_resource text)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    v_resource private.inbound_resource;
    v_parent_key record;
    v_columns text[] := '{}'::text[];
    v_exprs text[] := '{}'::text[];
    v_column record;
    v_from text;
    v_name text := pg_catalog.format('private.%I', p_source || '_' || p_resource || '_rows');
    -- reading a timestamp depends on the session's time zone settings: stable; else immutable
    v_volatility text := 'immutable';
begin
    select * into strict v_resource
    from private.inbound_resource as r
    where r.source = p_source
        and r.resource = p_resource;
    if v_resource.parent_resource is null then
        v_from := 'pg_catalog.jsonb_array_elements(p_items) with ordinality as e (value, ordinal)';
        v_columns := v_columns || 'ordinal bigint'::text;
        v_exprs := v_exprs || 'e.ordinal'::text;
    else
        -- a nested resource: rows of the parent's array field, with the parent's key
        v_from := pg_catalog.format(
            'pg_catalog.jsonb_array_elements(p_items) with ordinality as p (value, ordinal), '
            'pg_catalog.jsonb_array_elements(coalesce(nullif(p.value -> %L, %L), %L)) as e (value)',
            v_resource.parent_field, 'null', '[]');
        select f.column_name, x.expression, x.column_type into strict v_parent_key
        from private.inbound_field as f,
            private.inbound_field_expression(f.source, f.resource, f.field, 'p.value', 0) as x
        where f.source = p_source
            and f.resource = v_resource.parent_resource
            and f.is_key;
        v_columns := v_columns || 'ordinal bigint'::text
            || pg_catalog.format('%I %s', v_parent_key.column_name, v_parent_key.column_type);
        v_exprs := v_exprs || 'p.ordinal'::text || v_parent_key.expression;
    end if;
    for v_column in
        select f.column_name,
            pg_catalog.min(f.position) as position,
            pg_catalog.array_agg(x.expression order by f.position) as expressions,
            pg_catalog.min(x.column_type) as column_type,
            pg_catalog.max(f.default_value #>> '{}') as default_value
        from private.inbound_field as f,
            private.inbound_field_expression(f.source, f.resource, f.field, 'e.value', 0) as x
        where f.source = p_source
            and f.resource = p_resource
            and f.column_name is not null
        group by f.column_name
        order by 2
    loop
        v_columns := v_columns || pg_catalog.format('%I %s', v_column.column_name, v_column.column_type);
        if v_column.column_type = private.inbound_column_type('timestamp') then
            v_volatility := 'stable';
        end if;
        v_exprs := v_exprs || case
            when pg_catalog.cardinality(v_column.expressions) = 1 and v_column.default_value is null
                then v_column.expressions[1]
            else pg_catalog.format('coalesce(%s)', pg_catalog.array_to_string(
                v_column.expressions
                || case when v_column.default_value is null then '{}'::text[]
                        else array[pg_catalog.format('%L::%s', v_column.default_value,
                                                     v_column.column_type)] end, ', '))
        end;
    end loop;
    -- plpgsql, not sql: a SQL function that cannot be inlined is planned again on every
    -- call, and appliers call these on every delivery; plpgsql keeps the plan
    -- rows 20: a delivery holds one resource and a page 250, but the planner's default guess
    -- for a set-returning function (1000) makes it hash whole tables of the shop instead of
    -- probing their keys once per row
    return pg_catalog.format($template$create function %s(p_items jsonb)
    returns table (%s)
    language plpgsql
    %s
    rows 20
    security invoker
    set search_path = ''
as $rows$
#variable_conflict use_column
begin
    return query
        select %s
        from %s;
end
$rows$
$template$,
        v_name, pg_catalog.array_to_string(v_columns, ', '), v_volatility,
        pg_catalog.array_to_string(v_exprs, ',' || pg_catalog.chr(10) || '            '), v_from);
end
$$;

comment on function private.inbound_rows_function(text, text) is 'The CREATE FUNCTION statement of a resource''s rows function, generated from its fields.';

create function private.compile_inbound_source(p_source text)
    returns text[]
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false, security_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read; the DDL is built
-- by private.inbound_rows_function with format's %I and %L from names the registry's
-- check constraints keep to plain words)
declare
    v_resource text;
    v_name text;
    v_done text[] := '{}'::text[];
begin
    perform private.compile_inbound_checks(p_source);
    for v_resource in
        select r.resource
        from private.inbound_resource as r
        where r.source = p_source
            and exists (
                select
                from private.inbound_field as f
                where f.source = r.source
                    and f.resource = r.resource
                    and f.column_name is not null)
        order by r.resource
    loop
        v_name := pg_catalog.format('private.%I', p_source || '_' || v_resource || '_rows');
        -- the columns may have changed, and CREATE OR REPLACE cannot change them
        execute pg_catalog.format('drop function if exists %s(jsonb)', v_name);
        execute private.inbound_rows_function(p_source, v_resource);
        execute pg_catalog.format('comment on function %s(jsonb) is %L', v_name, pg_catalog.format(
            'Generated by private.compile_inbound_source(%L) from private.inbound_field: the typed '
            '%s rows of an array of %s objects. Do not edit: change the fields and compile again.',
            p_source, v_resource, coalesce((
                select r.parent_resource
                from private.inbound_resource as r
                where r.source = p_source
                    and r.resource = v_resource), v_resource)));
        execute pg_catalog.format('grant execute on function %s(jsonb) to service_role', v_name);
        v_done := v_done || v_name;
    end loop;
    return v_done;
end
$$;

comment on function private.compile_inbound_source(text) is 'Compiles a source''s field descriptions: the one-pass checks (private.inbound_resource.violation) and the rows function of each resource. Run by the migration that describes the source and by every migration that changes its fields; returns the rows functions it wrote.';

create function private.uncompile_inbound_source(p_source text)
    returns text[]
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read)
declare
    v_function regprocedure;
    v_done text[] := '{}'::text[];
begin
    -- what compile_inbound_source wrote, found by the name it gives (<source>_<resource>_rows)
    for v_function in
        select pg_catalog.to_regprocedure(pg_catalog.format('private.%I(jsonb)',
                                                            r.source || '_' || r.resource || '_rows'))
        from private.inbound_resource as r
        where r.source = p_source
        order by r.resource
    loop
        if v_function is not null then
            execute pg_catalog.format('drop function %s', v_function);
            v_done := v_done || v_function::text;
        end if;
    end loop;
    update private.inbound_resource as r
    set violation = null
    where r.source = p_source;
    return v_done;
end
$$;

comment on function private.uncompile_inbound_source(text) is 'Undoes private.compile_inbound_source for a source: drops its rows functions and its compiled checks. Run by the rollback of the migration that compiled it; returns what it dropped.';

grant execute on function private.uncompile_inbound_source(text) to service_role;

grant execute on function private.inbound_column_type(text) to service_role;

grant execute on function private.inbound_field_expression(text, text, text, text, integer) to service_role;

grant execute on function private.inbound_rows_function(text, text) to service_role;

grant execute on function private.compile_inbound_source(text) to service_role;
