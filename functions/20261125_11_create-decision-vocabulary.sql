-- Decision vocabulary: the kinds, subject types and evidence shape the decision log accepts.
-- depends: 20261125_10_schedule-prune-cron-history
--
-- One definition, used twice: by the decision log's check constraints (the backstop) and
-- by the api functions, which name the valid values in their 22023 errors. A new kind is
-- a migration that replaces private.decision_kinds(); its rollback restores this list.

create function private.decision_kinds()
    returns text[]
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    select array['chase_carrier', 'fix_seo_page', 'reorder_sku', 'send_reply']::text[]
$$;

comment on function private.decision_kinds() is 'The kinds of action the dashboard suggests and operators decide: chase_carrier, fix_seo_page, reorder_sku, send_reply.';

grant execute on function private.decision_kinds() to authenticated, service_role;

create function private.decision_subject_types()
    returns text[]
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    select array['conversation', 'order', 'page', 'sku']::text[]
$$;

comment on function private.decision_subject_types() is 'What a suggestion can concern: a conversation, an order, a page or a SKU.';

grant execute on function private.decision_subject_types() to authenticated, service_role;

create function private.is_evidence_list(p_evidence jsonb)
    returns boolean
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    select pg_catalog.jsonb_typeof(p_evidence) = 'array'
        and not exists (
            select
            from pg_catalog.jsonb_array_elements(p_evidence) as e (item)
            where pg_catalog.jsonb_typeof(e.item) is distinct from 'object'
                or pg_catalog.jsonb_typeof(e.item -> 'tile') is distinct from 'string'
                or pg_catalog.btrim(e.item ->> 'tile') = ''
                or coalesce(pg_catalog.jsonb_typeof(e.item -> 'id'), 'null')
                    not in ('string', 'number', 'object')
        )
$$;

comment on function private.is_evidence_list(jsonb) is 'True when the value is a JSON array of {"tile": <tile name>, "id": <row id: string, number or key object>} items: the tile rows behind a suggestion.';

grant execute on function private.is_evidence_list(jsonb) to authenticated, service_role;
