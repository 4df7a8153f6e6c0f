-- Retention of raw bodies: kept in full for a replay window, then compacted to a hash; months dropped whole.
-- depends: 20261201_17_create-dead-letter-discard-policy
--
-- The policy, per shop: a body is kept in full for its replay window (90 days after it
-- arrived, or the shop's own, api.set_payload_retention), then dropped, its event row
-- keeping ids, topic, times, outcome and the SHA-256 of the body. A shop under legal hold
-- keeps everything; a body whose dead letter waits (not replayed, not discarded) stays.
-- private.compact_inbound_payloads does a batch of that; private.drop_inbound_payload_months
-- then drops each monthly partition that is past the default window, after moving the
-- few bodies that must stay into the default partition, so the disk comes back at once;
-- private.run_payload_retention (the pg_cron job) commits between batches and records what
-- it freed in private.payload_retention_run. Locks: row locks on the events compacted
-- (nothing else writes old events), and, per dropped month, a moment of ACCESS EXCLUSIVE
-- on app.inbound_payload to detach it, bounded by lock_timeout (a busy moment is retried
-- on the next run). Members read a shop's policy with api.payload_retention. The
-- audit of the settings and the first partitions start with the next migration.

create function private.create_inbound_payload_partition(p_month date)
    returns text
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read)
declare
    v_start timestamp := pg_catalog.date_trunc('month', p_month::timestamp);
    v_name text := 'inbound_payload_' || pg_catalog.to_char(v_start, 'YYYY_MM');
    v_from timestamptz := pg_catalog.timezone('UTC', v_start);
    v_to timestamptz := pg_catalog.timezone('UTC', v_start + interval '1 month');
begin
    if p_month is null then
        raise exception 'month must not be null' using errcode = '22004', column = 'month';
    end if;
    if pg_catalog.to_regclass('app.' || v_name) is null then
        -- bodies of the month that landed in the default partition while it had none move
        -- into it first (Postgres refuses a partition whose rows the default holds)
        execute pg_catalog.format(
            'create table app.%I (like app.inbound_payload including defaults including constraints '
            'including compression)',
            v_name);
        execute pg_catalog.format(
            'with moved as (delete from app.inbound_payload_default as d '
            'where d.received_at >= %L and d.received_at < %L returning d.*) '
            'insert into app.%I select * from moved', v_from, v_to, v_name);
        execute pg_catalog.format(
            'alter table app.inbound_payload attach partition app.%I for values from (%L) to (%L)',
            v_name, v_from, v_to);
        execute pg_catalog.format('alter table app.%I enable row level security', v_name);
        execute pg_catalog.format('comment on table app.%I is %L', v_name, pg_catalog.format(
            'Raw bodies that arrived in %s (UTC). Read through app.inbound_payload.',
            pg_catalog.to_char(v_start, 'YYYY-MM')));
    end if;
    return 'app.' || v_name;
end
$$;

comment on function private.create_inbound_payload_partition(date) is 'Creates the partition of app.inbound_payload for the UTC month containing the date (row-level security on, no grant: read through the parent); returns its name. Does nothing if it exists.';

create function private.ensure_inbound_payload_partitions(p_months_ahead integer default 2)
    returns text[]
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    select pg_catalog.array_agg(
        private.create_inbound_payload_partition(
            (pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now()))
                + pg_catalog.make_interval(months => m.n))::date)
        order by m.n)
    from pg_catalog.generate_series(0, greatest(ensure_inbound_payload_partitions.p_months_ahead, 0)) as m (n)
$$;

comment on function private.ensure_inbound_payload_partitions(integer) is 'Makes sure app.inbound_payload has partitions for the current UTC month and the given number after it (a body arriving without one lands in the default partition); returns their names.';

create function private.payload_replay_window(p_shop_id uuid)
    returns interval
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select pg_catalog.make_interval(days => coalesce((
        select r.replay_window_days
        from app.shop_payload_retention as r
        where r.shop_id = payload_replay_window.p_shop_id), 90))
$$;

comment on function private.payload_replay_window(uuid) is 'How long a shop''s raw bodies are kept in full: its own replay window, else 90 days.';

grant execute on function private.payload_replay_window(uuid) to authenticated, service_role;

create function private.compact_inbound_payloads(p_as_of timestamptz, p_limit integer)
    returns table (events bigint, bytes bigint)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
begin
    return query
        with due as (
            select e.shop_id, e.event_id, e.received_at
            from app.shop as s
                cross join lateral (
                    select x.shop_id, x.event_id, x.received_at
                    from app.inbound_event as x
                    where x.shop_id = s.shop_id
                        and x.compacted_at is null
                        and x.received_at < p_as_of - private.payload_replay_window(s.shop_id)
                        and not exists (
                            select
                            from app.inbound_dead_letter as d
                            where d.shop_id = x.shop_id
                                and d.event_id = x.event_id
                                and d.replayed_at is null
                                and d.discarded_at is null)
                    order by x.received_at
                    limit p_limit
                ) as e
            where not exists (select from app.shop_legal_hold as h where h.shop_id = s.shop_id)
            order by e.received_at
            limit p_limit
        ),
        dropped as (
            delete from app.inbound_payload as p
            using due as d
            where p.shop_id = d.shop_id
                and p.event_id = d.event_id
                and p.received_at = d.received_at
            returning p.shop_id, p.event_id,
                pg_catalog.sha256(pg_catalog.convert_to(coalesce(p.body::text, p.body_text), 'UTF8')) as digest,
                coalesce(pg_catalog.pg_column_size(p.body), pg_catalog.pg_column_size(p.body_text)) as size
        ),
        marked as (
            update app.inbound_event as e
            set compacted_at = pg_catalog.now(),
                payload_sha256 = coalesce(x.digest, pg_catalog.sha256(''::bytea))
            from due as d
                left join dropped as x
                    on x.shop_id = d.shop_id
                    and x.event_id = d.event_id
            where e.shop_id = d.shop_id
                and e.event_id = d.event_id
            returning e.event_id
        )
        select (select pg_catalog.count(*) from marked),
            coalesce((select pg_catalog.sum(x.size) from dropped as x), 0)::bigint;
end
$$;

comment on function private.compact_inbound_payloads(timestamptz, integer) is 'Drops the bodies of at most p_limit events past their shop''s replay window as of p_as_of (not of shops under legal hold, not of waiting dead letters), keeping each body''s SHA-256 on its event. Returns how many events and the bytes their bodies took.';

create function private.drop_inbound_payload_months(p_as_of timestamptz)
    returns table (partition text, bytes bigint, kept bigint)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- @plpgsql_check_options: performance_warnings = false
-- (its work is DDL through EXECUTE, which plpgsql_check takes for a read)
declare
    v_partition regclass;
    v_bytes bigint;
    v_kept bigint;
begin
    for v_partition in
        select p.partition
        from (
            select c.oid::regclass as partition,
                (pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                    'TO \(''([^'']+)''\)'))[1]::timestamptz as upper_bound
            from pg_catalog.pg_inherits as i
                join pg_catalog.pg_class as c
                    on c.oid = i.inhrelid
            where i.inhparent = 'app.inbound_payload'::regclass
                and not c.relpartbound is null
                and pg_catalog.pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
        ) as p
        where p.upper_bound <= p_as_of - interval '90 days'
        order by p.upper_bound
    loop
        v_bytes := pg_catalog.pg_total_relation_size(v_partition);
        -- what must stay (held shops, waiting dead letters, longer windows) moves to the
        -- default partition once the month is detached; the rest goes with the table
        execute pg_catalog.format('alter table app.inbound_payload detach partition %s', v_partition);
        execute pg_catalog.format(
            'with kept as (delete from %s returning *) '
            'insert into app.inbound_payload select * from kept', v_partition);
        get diagnostics v_kept = row_count;
        partition := v_partition::text;
        execute pg_catalog.format('drop table %s', v_partition);
        bytes := v_bytes;
        kept := v_kept;
        return next;
    end loop;
end
$$;

comment on function private.drop_inbound_payload_months(timestamptz) is 'Drops every monthly partition of app.inbound_payload that ended more than 90 days before p_as_of, after moving the bodies still kept (legal hold, waiting dead letters, longer windows; run compaction first) to the default partition. Returns each partition, the disk it took and the bodies kept aside.';

create function private.apply_payload_retention(
    p_as_of timestamptz default null,
    p_batch_size integer default 5000
)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_as_of timestamptz := coalesce(p_as_of, pg_catalog.now());
    v_batch record;
    v_events bigint := 0::bigint;
    v_bytes bigint := 0::bigint;
    v_months record;
    v_dropped text[] := '{}'::text[];
    v_month_bytes bigint := 0::bigint;
    v_kept bigint := 0::bigint;
begin
    -- one transaction: tests and the benchmark; the job runs private.run_payload_retention,
    -- which commits between batches
    loop
        select * into v_batch from private.compact_inbound_payloads(v_as_of, p_batch_size);
        v_events := v_events + v_batch.events;
        v_bytes := v_bytes + v_batch.bytes;
        exit when v_batch.events < p_batch_size;
    end loop;
    for v_months in select * from private.drop_inbound_payload_months(v_as_of) loop
        v_dropped := v_dropped || v_months.partition;
        v_month_bytes := v_month_bytes + v_months.bytes;
        v_kept := v_kept + v_months.kept;
    end loop;
    perform private.ensure_inbound_payload_partitions(2);
    return pg_catalog.jsonb_build_object('as_of', v_as_of, 'events_compacted', v_events,
        'bytes_dropped', v_bytes, 'partitions_dropped', pg_catalog.to_jsonb(v_dropped),
        'partition_bytes_dropped', v_month_bytes, 'rows_kept_aside', v_kept);
end
$$;

comment on function private.apply_payload_retention(timestamptz, integer) is 'Applies the payload retention policy as of a time (default now) in one transaction: compaction in batches, then whole months dropped, then partitions made ready ahead. Returns what it freed.';

create procedure private.run_payload_retention(
    p_batch_size integer default 5000,
    p_as_of timestamptz default null
)
    language plpgsql
    security invoker
as $$
-- no SET clause (Postgres refuses COMMIT under one): every name here is qualified
declare
    v_run bigint;
    v_as_of timestamptz := coalesce(p_as_of, pg_catalog.now());
    v_batch record;
    v_months record;
begin
    -- the pg_cron job: each batch is its own transaction, so no lock or snapshot is held
    -- for the whole run, and what a run freed is recorded as it goes
    insert into private.payload_retention_run (as_of) values (v_as_of)
    returning run_id into v_run;
    commit;
    loop
        select * into v_batch from private.compact_inbound_payloads(v_as_of, p_batch_size);
        update private.payload_retention_run as r
        set events_compacted = r.events_compacted + v_batch.events,
            bytes_dropped = r.bytes_dropped + v_batch.bytes
        where r.run_id = v_run;
        commit;
        exit when v_batch.events < p_batch_size;
    end loop;
    -- a month waits for the next run rather than for a busy table
    perform pg_catalog.set_config('lock_timeout', '2s', true);
    for v_months in select * from private.drop_inbound_payload_months(v_as_of) loop
        update private.payload_retention_run as r
        set partitions_dropped = r.partitions_dropped || v_months.partition,
            partition_bytes_dropped = r.partition_bytes_dropped + v_months.bytes,
            rows_kept_aside = r.rows_kept_aside + v_months.kept
        where r.run_id = v_run;
    end loop;
    perform private.ensure_inbound_payload_partitions(2);
    update private.payload_retention_run as r
    set finished_at = pg_catalog.clock_timestamp()
    where r.run_id = v_run;
    commit;
end
$$;

comment on procedure private.run_payload_retention(integer, timestamptz) is 'The payload retention job (CALL it outside a transaction): compacts bodies past their window as of p_as_of (default now) in batches of p_batch_size, each committed, then drops whole months, and records what it freed in private.payload_retention_run.';

create function api.set_payload_retention(shop_id uuid, replay_window_days integer default null)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    if private.my_role_in_shop(set_payload_retention.shop_id) is distinct from 'owner' then
        raise exception 'shop % not found, or your role may not set its payload retention',
            set_payload_retention.shop_id
            using errcode = '42501', hint = 'Only owners set the replay window.';
    end if;
    if set_payload_retention.replay_window_days is null then
        delete from app.shop_payload_retention as r
        where r.shop_id = set_payload_retention.shop_id;
        return 90;
    end if;
    if set_payload_retention.replay_window_days not between 7 and 3650 then
        raise exception 'replay_window_days must be from 7 to 3650, got %',
            set_payload_retention.replay_window_days
            using errcode = '22023', column = 'replay_window_days';
    end if;
    insert into app.shop_payload_retention as r (shop_id, replay_window_days)
    values (set_payload_retention.shop_id, set_payload_retention.replay_window_days)
    on conflict on constraint pk_shop_payload_retention do update
    set replay_window_days = excluded.replay_window_days,
        updated_by = (select auth.uid()),
        updated_at = pg_catalog.now();
    return set_payload_retention.replay_window_days;
end
$$;

comment on function api.set_payload_retention(uuid, integer) is 'Sets how many days (7 to 3650) the shop''s raw bodies are kept in full before retention compacts them; null returns to the default 90. Returns the window in days. Owners only.';

grant execute on function api.set_payload_retention(uuid, integer) to authenticated;

create function api.discard_dead_letters(shop_id uuid, dead_letter_ids bigint[])
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_count integer;
begin
    if private.my_role_in_shop(discard_dead_letters.shop_id) is distinct from 'owner' then
        raise exception 'shop % not found, or your role may not discard its dead letters',
            discard_dead_letters.shop_id
            using errcode = '42501', hint = 'Only owners discard dead letters.';
    end if;
    if discard_dead_letters.dead_letter_ids is null then
        raise exception 'dead_letter_ids must list the letters to discard'
            using errcode = '22023', column = 'dead_letter_ids';
    end if;
    update app.inbound_dead_letter as d
    set discarded_at = pg_catalog.now(),
        discarded_by = (select auth.uid())
    where d.shop_id = discard_dead_letters.shop_id
        and d.dead_letter_id = any (discard_dead_letters.dead_letter_ids)
        and d.replayed_at is null
        and d.discarded_at is null;
    get diagnostics v_count = row_count;
    return v_count;
end
$$;

comment on function api.discard_dead_letters(uuid, bigint[]) is 'Discards waiting dead letters of the shop (they will not be replayed, and their bodies fall under the replay window like any other); returns how many. Owners only.';

grant execute on function api.discard_dead_letters(uuid, bigint[]) to authenticated;

create function api.payload_retention(shop_id uuid)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    v_window integer;
    v_held boolean;
    v_stats jsonb;
begin
    if not private.can_read_shop(payload_retention.shop_id) then
        raise exception 'shop % not found, or you are not a member', payload_retention.shop_id
            using errcode = '42501', hint = 'Members of a shop see its retention policy.';
    end if;
    select extract(day from private.payload_replay_window(payload_retention.shop_id))::integer,
        exists (select from app.shop_legal_hold as h where h.shop_id = payload_retention.shop_id)
    into v_window, v_held;
    -- what is held: owners and managers read the deliveries, so they see the counts
    select pg_catalog.jsonb_build_object(
            'events', pg_catalog.count(*),
            'bodies_kept', pg_catalog.count(*) filter (where e.compacted_at is null),
            'bodies_compacted', pg_catalog.count(*) filter (where e.compacted_at is not null),
            'oldest_body_kept_at', pg_catalog.min(e.received_at) filter (where e.compacted_at is null),
            'dead_letters_waiting', (
                select pg_catalog.count(*)
                from app.inbound_dead_letter as d
                where d.shop_id = payload_retention.shop_id
                    and d.replayed_at is null
                    and d.discarded_at is null))
    into v_stats
    from app.inbound_event as e
    where e.shop_id = payload_retention.shop_id;
    return pg_catalog.jsonb_build_object(
        'shop_id', payload_retention.shop_id,
        'replay_window_days', v_window,
        'legal_hold', v_held,
        'policy', case when v_held
            then 'Under legal hold: every raw body is kept until the hold is lifted.'
            else pg_catalog.format('Raw bodies are kept in full for %s days after they arrive, then only their event, ids, times, outcome and SHA-256 stay. Bodies of waiting dead letters stay until they are replayed or discarded.', v_window) end,
        'held', case when private.my_role_in_shop(payload_retention.shop_id) in ('owner', 'manager')
                          or pg_catalog.current_setting('role') in ('service_role', 'none')
                     then v_stats end);
end
$$;

comment on function api.payload_retention(uuid) is 'The shop''s payload retention policy as a member can state and check it: the replay window, the legal hold, the policy in words, and (for owners and managers) how many bodies are kept and compacted and the oldest kept. Stable: GET /rpc/payload_retention.';

grant execute on function api.payload_retention(uuid) to authenticated, service_role;
