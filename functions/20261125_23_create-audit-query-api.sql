-- Queries over the audit trail: decision history, latency, approval rates, exports, row changes.
-- depends: 20261125_22_create-decision-api
--
-- All stable and security invoker: PostgREST calls them with GET in a read-only
-- transaction, and row-level security limits them to the caller's shops (members read
-- decisions; only owners and managers read row changes). A shop the caller may not see
-- gives an empty result, not an error. Periods are half-open, [since, until), on
-- decided_at (decisions) or occurred_at (row changes); null means unbounded.

create function private.check_period(p_since timestamptz, p_until timestamptz)
    returns boolean
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    if p_since >= p_until then
        raise exception 'until (%) must be after since (%)', p_until, p_since
            using errcode = '22023', column = 'until';
    end if;
    return true;
end
$$;

comment on function private.check_period(timestamptz, timestamptz) is 'True when the period [since, until) is not empty (either end may be null); otherwise raises 22023 naming until.';

grant execute on function private.check_period(timestamptz, timestamptz) to authenticated, service_role;

-- The decisions of a shop in a period: the rows every decision query starts from.
create function private.decisions_in_period(p_shop_id uuid, p_since timestamptz, p_until timestamptz)
    returns setof api.decisions
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select d.*
    from api.decisions as d
    where d.shop_id = p_shop_id
        and d.decided_at is not null
        and (p_since is null or d.decided_at >= p_since)
        and (p_until is null or d.decided_at < p_until)
        and private.check_period(p_since, p_until)
$$;

comment on function private.decisions_in_period(uuid, timestamptz, timestamptz) is 'The shop''s decided suggestions with decided_at in [since, until), as the caller may see them (row-level security applies).';

grant execute on function private.decisions_in_period(uuid, timestamptz, timestamptz) to authenticated, service_role;

create function api.decision_log(
    shop_id uuid,
    kind text default null,
    decided_by uuid default null,
    outcome text default null,
    since timestamptz default null,
    until timestamptz default null
)
    returns setof api.decisions
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    if decision_log.kind is not null then
        perform private.check_one_of(decision_log.kind, private.decision_kinds(), 'kind');
    end if;
    if decision_log.outcome is not null then
        perform private.check_one_of(decision_log.outcome,
            array['approved', 'rejected', 'edited', 'expired'], 'outcome');
    end if;
    return query
        select d.*
        from private.decisions_in_period(decision_log.shop_id, decision_log.since,
                                         decision_log.until) as d
        where (decision_log.kind is null or d.kind = decision_log.kind)
            and (decision_log.decided_by is null or d.decided_by = decision_log.decided_by)
            and (decision_log.outcome is null or d.outcome = decision_log.outcome)
        order by d.decided_at desc, d.suggestion_id;
end
$$;

comment on function api.decision_log(uuid, text, uuid, text, timestamptz, timestamptz) is 'Who decided what and when: the shop''s decisions, newest first, filtered by kind, decider (decided_by, an auth user id), outcome and period [since, until) of decided_at. Every member may read.';

grant execute on function api.decision_log(uuid, text, uuid, text, timestamptz, timestamptz) to authenticated, service_role;

create function api.decision_latency(
    shop_id uuid,
    since timestamptz default null,
    until timestamptz default null
)
    returns table (
        kind text,
        decisions bigint,
        average_seconds double precision,
        median_seconds double precision,
        p90_seconds double precision,
        max_seconds double precision
    )
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select
        l.kind,
        pg_catalog.count(*),
        pg_catalog.avg(l.seconds),
        pg_catalog.percentile_cont(0.5) within group (order by l.seconds),
        pg_catalog.percentile_cont(0.9) within group (order by l.seconds),
        pg_catalog.max(l.seconds)
    from (
        select
            d.kind,
            pg_catalog.date_part('epoch', d.decided_at - d.suggested_at) as seconds
        from private.decisions_in_period(decision_latency.shop_id, decision_latency.since,
                                         decision_latency.until) as d
        where d.outcome <> 'expired'
    ) as l
    group by l.kind
    order by l.kind
$$;

comment on function api.decision_latency(uuid, timestamptz, timestamptz) is 'How long suggestions waited for a person''s decision, per kind: count, average, median, 90th percentile and maximum seconds from suggested_at to decided_at, over decisions in [since, until). Expiries are left out. Every member may read.';

grant execute on function api.decision_latency(uuid, timestamptz, timestamptz) to authenticated, service_role;

create function api.approval_rates(
    shop_id uuid,
    since timestamptz default null,
    until timestamptz default null
)
    returns table (
        dimension text,
        kind text,
        decided_by uuid,
        decisions bigint,
        approved bigint,
        edited bigint,
        rejected bigint,
        expired bigint,
        approval_rate numeric
    )
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    with counted as (
        select
            case when grouping(d.kind) = 0 then 'kind' else 'actor' end as dimension,
            d.kind,
            d.decided_by,
            pg_catalog.count(*) as decisions,
            pg_catalog.count(*) filter (where d.outcome = 'approved') as approved,
            pg_catalog.count(*) filter (where d.outcome = 'edited') as edited,
            pg_catalog.count(*) filter (where d.outcome = 'rejected') as rejected,
            pg_catalog.count(*) filter (where d.outcome = 'expired') as expired
        from private.decisions_in_period(approval_rates.shop_id, approval_rates.since,
                                         approval_rates.until) as d
        group by grouping sets ((d.kind), (d.decided_by))
    )
    select
        c.dimension,
        c.kind,
        c.decided_by,
        c.decisions,
        c.approved,
        c.edited,
        c.rejected,
        c.expired,
        pg_catalog.round((c.approved + c.edited)::numeric
            / nullif(c.approved + c.edited + c.rejected, 0), 4)
    from counted as c
    where c.dimension = 'kind'
        or c.decided_by is not null
    order by c.dimension desc, c.kind, c.decided_by
$$;

comment on function api.approval_rates(uuid, timestamptz, timestamptz) is 'Approval rate by kind (dimension kind) and by decider (dimension actor) over decisions in [since, until): counts per outcome and approval_rate = (approved + edited) / (approved + edited + rejected), null when nobody answered. Expiries count per kind only. Every member may read.';

grant execute on function api.approval_rates(uuid, timestamptz, timestamptz) to authenticated, service_role;

create function private.iso_utc(p_at timestamptz)
    returns text
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    select pg_catalog.to_char(pg_catalog.timezone('UTC', p_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

comment on function private.iso_utc(timestamptz) is 'The instant as ISO 8601 in UTC with microseconds, for example 2026-11-25T18:00:00.000000Z: what exports write, whatever the session''s time zone.';

grant execute on function private.iso_utc(timestamptz) to authenticated, service_role;

-- One decision as an export record: a json object whose keys are in export column order.
create function private.decision_export_records(p_shop_id uuid, p_since timestamptz, p_until timestamptz)
    returns table (record json)
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select pg_catalog.json_build_object(
        'shop_id', d.shop_id,
        'suggestion_id', d.suggestion_id,
        'kind', d.kind,
        'subject_type', d.subject_type,
        'subject_id', d.subject_id,
        'payload', d.payload,
        'source', d.source,
        'model_version', d.model_version,
        'score', d.score,
        'evidence', d.evidence,
        'suggested_by', d.suggested_by,
        'suggested_role', d.suggested_role,
        'suggested_at', private.iso_utc(d.suggested_at),
        'expires_at', private.iso_utc(d.expires_at),
        'outcome', d.outcome,
        'decided_by', d.decided_by,
        'decided_role', d.decided_role,
        'decided_at', private.iso_utc(d.decided_at),
        'note', d.note,
        'edited_payload', d.edited_payload
    )
    from private.decisions_in_period(p_shop_id, p_since, p_until) as d
    order by d.decided_at, d.suggestion_id
$$;

comment on function private.decision_export_records(uuid, timestamptz, timestamptz) is 'The shop''s decisions in [since, until), oldest first, each as one JSON object with the export columns in order (timestamps ISO 8601 UTC).';

grant execute on function private.decision_export_records(uuid, timestamptz, timestamptz) to authenticated, service_role;

create function private.csv_field(p_value text)
    returns text
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    select case
        when p_value is null then ''
        when p_value ~ '[",\r\n]' then '"' || pg_catalog.replace(p_value, '"', '""') || '"'
        else p_value
    end
$$;

comment on function private.csv_field(text) is 'One CSV field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, quote or line break; empty for null.';

grant execute on function private.csv_field(text) to authenticated, service_role;

create function api.export_decisions_csv(
    shop_id uuid,
    since timestamptz default null,
    until timestamptz default null
)
    returns text
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select coalesce(pg_catalog.string_agg(l.line, e'\r\n' order by l.n), '') || e'\r\n'
    from (
        select 0::bigint as n, 'shop_id,suggestion_id,kind,subject_type,subject_id,payload,source,model_version,score,evidence,suggested_by,suggested_role,suggested_at,expires_at,outcome,decided_by,decided_role,decided_at,note,edited_payload' as line
        union all
        select
            r.n,
            (
                select pg_catalog.string_agg(private.csv_field(f.value), ',' order by f.n)
                from pg_catalog.json_each_text(r.record) with ordinality as f (key, value, n)
            )
        from private.decision_export_records(export_decisions_csv.shop_id,
            export_decisions_csv.since, export_decisions_csv.until) with ordinality as r (record, n)
    ) as l
$$;

comment on function api.export_decisions_csv(uuid, timestamptz, timestamptz) is 'The shop''s decisions in [since, until) as CSV (RFC 4180, CRLF line ends, a header line, one line per decision, oldest first; JSON columns as JSON text, timestamps ISO 8601 UTC, null as an empty field). Every member may read.';

grant execute on function api.export_decisions_csv(uuid, timestamptz, timestamptz) to authenticated, service_role;

create function api.export_decisions_jsonl(
    shop_id uuid,
    since timestamptz default null,
    until timestamptz default null
)
    returns text
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select coalesce(pg_catalog.string_agg(r.record::text || e'\n', '' order by r.n), '')
    from private.decision_export_records(export_decisions_jsonl.shop_id,
        export_decisions_jsonl.since, export_decisions_jsonl.until) with ordinality as r (record, n)
$$;

comment on function api.export_decisions_jsonl(uuid, timestamptz, timestamptz) is 'The shop''s decisions in [since, until) as JSON Lines: one JSON object per decision and line, oldest first, with the same fields as the CSV export. Every member may read.';

grant execute on function api.export_decisions_jsonl(uuid, timestamptz, timestamptz) to authenticated, service_role;

create function api.row_changes(
    shop_id uuid,
    table_name text default null,
    record_key jsonb default null,
    since timestamptz default null,
    until timestamptz default null
)
    returns table (
        shop_id uuid,
        change_id bigint,
        occurred_at timestamptz,
        table_name text,
        op text,
        record_key jsonb,
        old_values jsonb,
        new_values jsonb,
        actor uuid,
        actor_role text,
        txid bigint,
        request_method text,
        request_path text
    )
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select
        c.shop_id,
        c.change_id,
        c.occurred_at,
        c.table_name,
        c.op,
        c.record_key,
        c.old_values,
        c.new_values,
        c.actor,
        c.actor_role,
        c.txid::text::bigint,
        c.request_method,
        c.request_path
    from audit.row_change as c
    where c.shop_id = row_changes.shop_id
        and (row_changes.table_name is null or c.table_name = row_changes.table_name)
        and (row_changes.record_key is null or c.record_key @> row_changes.record_key)
        and (row_changes.since is null or c.occurred_at >= row_changes.since)
        and (row_changes.until is null or c.occurred_at < row_changes.until)
        and private.check_period(row_changes.since, row_changes.until)
    order by c.occurred_at desc, c.change_id desc
$$;

comment on function api.row_changes(uuid, text, jsonb, timestamptz, timestamptz) is 'The shop''s recorded row changes, newest first, optionally of one table (e.g. app.shop_member), of rows whose key contains record_key (e.g. {"user_id": "..."}), and in [since, until) of occurred_at. Owners and managers only (others get no rows).';

grant execute on function api.row_changes(uuid, text, jsonb, timestamptz, timestamptz) to authenticated, service_role;
