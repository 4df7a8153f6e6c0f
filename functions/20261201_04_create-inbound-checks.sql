-- The pipeline's checks, derived from the field descriptions: field by field, and in one pass.
-- depends: 20261201_03_create-inbound-policies
--
-- private.check_inbound_resource walks a payload along private.inbound_field and raises
-- at the first field that breaks a rule, naming its JSON path ($.line_items[0].quantity)
-- with a SQLSTATE that says what kind of fault it is; no message quotes a value from the
-- payload, since a value may be personal data. private.compile_inbound_checks turns the
-- same rows into one jsonpath per resource that matches any payload breaking a rule
-- (jsonpath has no uniqueness test and cannot tell a real date from a well-formed one:
-- those are caught by the extraction, which then falls back to the field-by-field check).
-- Both live here, together, so they cannot drift: tests compare them on generated payloads.

create function private.json_type_phrase(p_value jsonb)
    returns text
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    select case pg_catalog.jsonb_typeof(json_type_phrase.p_value)
        when 'object' then 'an object'
        when 'array' then 'an array'
        when 'string' then 'a string of ' || pg_catalog.length(json_type_phrase.p_value #>> '{}') || ' characters'
        when 'number' then 'a number'
        when 'boolean' then 'a boolean'
        when 'null' then 'null'
        else 'nothing'
    end
$$;

comment on function private.json_type_phrase(jsonb) is 'How an error message describes a JSON value without quoting it: its type (and a string''s length), never its content.';

create function private.inbound_value_problem(p_value jsonb, p_kind text, p_max_length integer)
    returns text[]
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    v_type text := pg_catalog.jsonb_typeof(p_value);
    v_text text := p_value #>> '{}';
    v_number numeric;
begin
    -- {sqlstate, what the value must be}, or null when it is fine; null values are the
    -- caller's business (required or not)
    if p_kind = 'json' then
        return null;
    elsif p_kind in ('id', 'integer', 'count', 'decimal') then
        if v_type = 'string' and p_kind in ('id', 'decimal')
            and v_text ~ (case p_kind when 'id' then '^[0-9]{1,19}$'
                                      else '^-?[0-9]{1,12}(\.[0-9]+)?$' end) then
            v_number := v_text::numeric;
        elsif v_type = 'number' then
            v_number := v_text::numeric;
        else
            return array['22023', case p_kind
                when 'id' then 'an id (a whole number from 0 to 9223372036854775807)'
                when 'integer' then 'a whole number'
                when 'count' then 'a whole number, zero or more'
                else 'a decimal amount like "49.00"' end];
        end if;
        if p_kind <> 'decimal' and v_number <> pg_catalog.trunc(v_number) then
            return array['22023', 'a whole number'];
        end if;
        if v_number < (case p_kind when 'id' then 0 when 'count' then 0
                                   when 'integer' then -2147483648 else -999999999999.99 end)
            or v_number > (case p_kind when 'id' then 9223372036854775807
                                       when 'decimal' then 999999999999.99 else 2147483647 end) then
            return array['22003', case p_kind
                when 'id' then 'an id from 0 to 9223372036854775807'
                when 'count' then 'from 0 to 2147483647'
                when 'integer' then 'from -2147483648 to 2147483647'
                else 'less than 10^12 in size' end];
        end if;
        return null;
    elsif p_kind = 'timestamp' then
        if v_type is distinct from 'string'
            or v_text !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})$' then
            return array['22007', 'an ISO 8601 timestamp with an offset, like 2026-11-20T10:15:00-08:00'];
        end if;
        begin
            perform v_text::timestamptz;
        exception when others then
            return array['22008', 'a date and time that exists'];
        end;
        return null;
    elsif p_kind = 'text' then
        if v_type is distinct from 'string' then
            return array['22023', 'a string'];
        end if;
        if pg_catalog.length(v_text) > p_max_length then
            return array['22001', 'at most ' || p_max_length || ' characters'];
        end if;
        return null;
    elsif p_kind in ('boolean', 'object', 'array') then
        if v_type is distinct from p_kind then
            return array['22023', case p_kind when 'boolean' then 'true or false'
                                              when 'object' then 'an object' else 'an array' end];
        end if;
        return null;
    end if;
    raise exception 'unknown field kind %', p_kind using errcode = '22023', column = 'kind';
end
$$;

comment on function private.inbound_value_problem(jsonb, text, integer) is 'Whether a present, non-null value fits a field kind: null if it does, else {SQLSTATE, what it must be} (22023 wrong type, 22003 out of range, 22007 not ISO 8601, 22008 a date that does not exist, 22001 too long).';

create function private.raise_inbound_problem(p_path text, p_problem text[], p_value jsonb)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    raise exception '% must be %, got %', p_path, p_problem[2], private.json_type_phrase(p_value)
        using errcode = p_problem[1], column = p_path;
end
$$;

comment on function private.raise_inbound_problem(text, text[], jsonb) is 'Raises a field''s problem (from private.inbound_value_problem) naming its JSON path in the message and in the error''s column; the value is described, never quoted.';

create function private.check_inbound_resource(
    p_source text,
    p_resource text,
    p_value jsonb,
    p_path text
)
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    v_field private.inbound_field;
    v_value jsonb;
    v_path text;
    v_problem text[];
    v_item jsonb;
    v_i integer;
    v_key_field text;
    v_seen text[];
    v_key text;
begin
    if pg_catalog.jsonb_typeof(p_value) is distinct from 'object' then
        raise exception '% must be an object, got %', p_path, private.json_type_phrase(p_value)
            using errcode = '22023', column = p_path;
    end if;
    for v_field in
        select f.*
        from private.inbound_field as f
        where f.source = p_source
            and f.resource = p_resource
        order by f.position
    loop
        v_path := p_path || '.' || v_field.field;
        v_value := p_value -> v_field.field;
        if v_field.kind = 'money' and p_value ? (v_field.field || '_set')
            and pg_catalog.jsonb_typeof(p_value -> (v_field.field || '_set')) <> 'null' then
            -- Shopify's money: key_set.shop_money.amount wins over the plain key
            v_path := v_path || '_set';
            v_value := p_value -> (v_field.field || '_set');
            v_problem := private.inbound_value_problem(v_value, 'object', null);
            if v_problem is not null then
                perform private.raise_inbound_problem(v_path, v_problem, v_value);
            end if;
            v_path := v_path || '.shop_money';
            v_value := v_value -> 'shop_money';
            v_problem := private.inbound_value_problem(coalesce(v_value, 'null'), 'object', null);
            if v_problem is not null then
                perform private.raise_inbound_problem(v_path, v_problem, v_value);
            end if;
            v_path := v_path || '.amount';
            v_value := v_value -> 'amount';
        end if;
        if v_value is null or pg_catalog.jsonb_typeof(v_value) = 'null' then
            if v_field.is_required then
                raise exception '% is missing', v_path
                    using errcode = '22023', column = v_path,
                        hint = 'The source always sends it; check the payload was not trimmed (Shopify: include_fields).';
            end if;
            continue;
        end if;
        v_problem := private.inbound_value_problem(
            v_value, case v_field.kind when 'money' then 'decimal' else v_field.kind end,
            v_field.max_length);
        if v_problem is not null then
            perform private.raise_inbound_problem(v_path, v_problem, v_value);
        end if;
        if v_field.kind = 'object' then
            perform private.check_inbound_resource(p_source, v_field.item_resource, v_value, v_path);
        elsif v_field.kind = 'array' then
            select f.field into v_key_field
            from private.inbound_field as f
            where f.source = p_source
                and f.resource = v_field.item_resource
                and f.is_key;
            v_seen := '{}';
            v_i := 0;
            for v_item in select e.value from pg_catalog.jsonb_array_elements(v_value) as e loop
                if v_field.item_resource is not null then
                    perform private.check_inbound_resource(p_source, v_field.item_resource, v_item,
                        v_path || '[' || v_i || ']');
                    if v_key_field is not null then
                        v_key := v_item ->> v_key_field;
                        if v_key = any (v_seen) then
                            raise exception '%[%].% repeats the % of an earlier element', v_path, v_i,
                                v_key_field, v_key_field
                                using errcode = '23505', column = v_path || '[' || v_i || '].' || v_key_field;
                        end if;
                        v_seen := v_seen || v_key;
                    end if;
                    if v_field.match_item_field is not null
                        and (v_item ->> v_field.match_item_field) is distinct from (p_value ->> v_field.match_field) then
                        raise exception '%[%].% must equal %.%', v_path, v_i, v_field.match_item_field,
                            p_path, v_field.match_field
                            using errcode = '22023',
                                column = v_path || '[' || v_i || '].' || v_field.match_item_field,
                                hint = 'A resource nested here belongs to the object that carries it.';
                    end if;
                elsif v_field.item_kind is not null then
                    if pg_catalog.jsonb_typeof(v_item) = 'null' then
                        raise exception '%[%] must not be null', v_path, v_i
                            using errcode = '22023', column = v_path || '[' || v_i || ']';
                    end if;
                    v_problem := private.inbound_value_problem(v_item, v_field.item_kind, null);
                    if v_problem is not null then
                        perform private.raise_inbound_problem(v_path || '[' || v_i || ']', v_problem, v_item);
                    end if;
                end if;
                v_i := v_i + 1;
            end loop;
        end if;
    end loop;
end
$$;

comment on function private.check_inbound_resource(text, text, jsonb, text) is 'Checks a payload against its resource''s fields (private.inbound_field), nested resources included, and raises at the first fault: SQLSTATE 22023 (missing, wrong type, mismatch), 22003 (out of range), 22007 (not ISO 8601), 22008 (no such date), 22001 (too long) or 23505 (a key repeated in an array), with the field''s JSON path as the error''s column and in the message. Quotes no value.';

create function private.inbound_kind_fits(p_kind text, p_max_length integer)
    returns text
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    -- a jsonpath predicate on @, true when a non-null value fits the kind: the same bounds
    -- as private.inbound_value_problem
    select case inbound_kind_fits.p_kind
        when 'id' then '@.type() == "number" && @ >= 0 && @ <= 9223372036854775807 && @.floor() == @'
            || ' || @.type() == "string" && @ like_regex "^[0-9]{1,19}$"'
        when 'integer' then '@.type() == "number" && @ >= -2147483648 && @ <= 2147483647 && @.floor() == @'
        when 'count' then '@.type() == "number" && @ >= 0 && @ <= 2147483647 && @.floor() == @'
        when 'decimal' then '@.type() == "number" && @ >= -999999999999.99 && @ <= 999999999999.99'
            || ' || @.type() == "string" && @ like_regex "^-?[0-9]{1,12}(\\.[0-9]+)?$"'
        when 'timestamp' then '@.type() == "string" && @ like_regex '
            || '"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})$"'
        -- longer than max_length: .{n} then one more (a regex repeats at most 255 times)
        when 'text' then '@.type() == "string"' || coalesce(' && !(@ like_regex "^'
            || pg_catalog.repeat('.{255}', inbound_kind_fits.p_max_length / 255)
            || '.{' || inbound_kind_fits.p_max_length % 255 || '}." flag "s")', '')
        when 'boolean' then '@.type() == "boolean"'
        when 'object' then '@.type() == "object"'
        when 'array' then '@.type() == "array"'
        when 'json' then '1 == 1'
    end
$$;

comment on function private.inbound_kind_fits(text, integer) is 'The jsonpath predicate (text) on @ that is true when a value fits a field kind; written to agree with private.inbound_value_problem.';

create function private.inbound_kind_violation(p_at text, p_kind text, p_max_length integer)
    returns text
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    -- true when the value at p_at is present, not null and does not fit. The value is read
    -- once, as @ of a filter; lax mode would look inside an array there, so an array is
    -- refused first, by its type(), which looks at the array itself
    select case inbound_kind_violation.p_kind
        when 'json' then '1 == 0'
        when 'array' then pg_catalog.format(
            '(exists(%1$s) && !(%1$s.type() == "array" || %1$s.type() == "null"))',
            inbound_kind_violation.p_at)
        else pg_catalog.format('(%1$s.type() == "array" || exists(%1$s ? (!(@.type() == "null" || %2$s))))',
            inbound_kind_violation.p_at,
            private.inbound_kind_fits(inbound_kind_violation.p_kind, inbound_kind_violation.p_max_length))
    end
$$;

comment on function private.inbound_kind_violation(text, text, integer) is 'The jsonpath predicate (text) that is true when the value at a path is present, not null, and breaks a field kind; written to agree with private.inbound_value_problem.';

create function private.inbound_resource_violation(p_source text, p_resource text, p_depth integer)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    v_field private.inbound_field;
    v_at text;
    v_parts text[] := '{}'::text[];
    v_missing text;
begin
    if p_depth > 8 then
        raise exception 'resource %.% nests more than 8 levels deep', p_source, p_resource
            using errcode = '54001', column = 'resource';
    end if;
    for v_field in
        select f.*
        from private.inbound_field as f
        where f.source = p_source
            and f.resource = p_resource
        order by f.position
    loop
        v_at := '@.' || v_field.field;
        v_missing := '(!exists(' || v_at || ') || ' || v_at || ' == null)';
        if v_field.kind = 'money' then
            -- key_set.shop_money.amount when key_set is present and not null, else key
            if v_field.is_required then
                v_parts := v_parts || ('(' || v_missing || ' && (!exists(' || v_at || '_set) || '
                    || v_at || '_set == null))');
            end if;
            v_parts := v_parts || private.inbound_kind_violation(v_at || '_set', 'object', null);
            v_parts := v_parts || ('exists(' || v_at || '_set ? (@.type() == "object" && ('
                || '!(@.shop_money.type() == "object")'
                || ' || !exists(@.shop_money.amount) || @.shop_money.amount == null'
                || ' || ' || private.inbound_kind_violation('@.shop_money.amount', 'decimal', null)
                || ')))');
            v_parts := v_parts || ('(!(' || v_at || '_set.type() == "object") && '
                || private.inbound_kind_violation(v_at, 'decimal', null) || ')');
            continue;
        end if;
        if v_field.is_required and v_field.kind not in ('json', 'array') then
            -- present, not null and fitting, in one filter (missing or null fits nothing)
            v_parts := v_parts || pg_catalog.format('(%1$s.type() == "array" || !exists(%1$s ? (%2$s)))',
                v_at, private.inbound_kind_fits(v_field.kind, v_field.max_length));
        else
            if v_field.is_required then
                v_parts := v_parts || v_missing;
            end if;
            if v_field.kind <> 'json' then
                v_parts := v_parts || private.inbound_kind_violation(v_at, v_field.kind,
                                                                     v_field.max_length);
            end if;
        end if;
        if v_field.kind = 'object' then
            -- (a null object is no violation: absent is the required check's business)
            v_parts := v_parts || ('exists(' || v_at || ' ? (@.type() == "object" && ('
                || private.inbound_resource_violation(p_source, v_field.item_resource, p_depth + 1)
                || ')))');
        elsif v_field.kind = 'array' and v_field.item_resource is not null then
            v_parts := v_parts || ('exists(' || v_at || '[*] ? (@.type() != "object" || '
                || private.inbound_resource_violation(p_source, v_field.item_resource, p_depth + 1)
                || '))');
            if v_field.match_item_field is not null then
                if p_depth > 0 then
                    raise exception '%.%.% matches its elements to its own fields, which only a resource at the top of a payload may do',
                        p_source, p_resource, v_field.field
                        using errcode = '22023', column = 'match_field';
                end if;
                v_parts := v_parts || ('exists(' || v_at || '[*] ? (@.' || v_field.match_item_field
                    || ' != $.' || v_field.match_field || ' || !exists(@.' || v_field.match_item_field
                    || ')))');
            end if;
        elsif v_field.kind = 'array' and v_field.item_kind is not null then
            v_parts := v_parts || ('exists(' || v_at || '[*] ? (!('
                || private.inbound_kind_fits(v_field.item_kind, null) || ')))');
        end if;
    end loop;
    if pg_catalog.cardinality(v_parts) = 0 then
        return '1 == 0';
    end if;
    return pg_catalog.array_to_string(v_parts, ' || ');
end
$$;

comment on function private.inbound_resource_violation(text, text, integer) is 'The jsonpath predicate (text) true for an object (@) that breaks any rule of a resource or of the resources nested in it.';

create function private.compile_inbound_checks(p_source text)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_count integer;
begin
    update private.inbound_resource as r
    set violation = ('lax $ ? (' || private.inbound_resource_violation(r.source, r.resource, 0)
                     || ')')::jsonpath
    where r.source = p_source
        and r.parent_resource is null;
    get diagnostics v_count = row_count;
    return v_count;
end
$$;

comment on function private.compile_inbound_checks(text) is 'Compiles each top-level resource''s fields of a source into private.inbound_resource.violation; run by every migration that changes the fields. Returns how many resources it compiled.';

create function private.inbound_looks_valid(p_source text, p_resource text, p_value jsonb)
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    v_violation jsonpath;
begin
    -- plpgsql keeps its plan: this runs on every delivery
    select r.violation into v_violation
    from private.inbound_resource as r
    where r.source = p_source
        and r.resource = p_resource;
    if not found or v_violation is null then
        return null;
    end if;
    return pg_catalog.jsonb_typeof(p_value) = 'object'
        and not coalesce(pg_catalog.jsonb_path_exists(p_value, v_violation), true);
end
$$;

comment on function private.inbound_looks_valid(text, text, jsonb) is 'The one-pass check: whether a payload breaks no rule of its resource that jsonpath can test (null if the resource is unknown or not compiled).';

grant execute on function private.json_type_phrase(jsonb) to service_role;

grant execute on function private.inbound_value_problem(jsonb, text, integer) to service_role;

grant execute on function private.raise_inbound_problem(text, text[], jsonb) to service_role;

grant execute on function private.check_inbound_resource(text, text, jsonb, text) to service_role;

grant execute on function private.inbound_kind_fits(text, integer) to service_role;

grant execute on function private.inbound_kind_violation(text, text, integer) to service_role;

grant execute on function private.inbound_resource_violation(text, text, integer) to service_role;

grant execute on function private.compile_inbound_checks(text) to service_role;

grant execute on function private.inbound_looks_valid(text, text, jsonb) to service_role;
