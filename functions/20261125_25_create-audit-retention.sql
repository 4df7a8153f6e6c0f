-- Retention: 180 days for row changes (whole monthly partitions) and decisions, except shops under legal hold.
-- depends: 20261125_24_create-legal-hold-api
--
-- private.apply_audit_retention() is the only code the audit tables' refusal trigger lets
-- delete (private.tg_audit__refuse_change). Row changes go a month at a time: a partition is dropped
-- once its upper bound is at least 180 days old, so nothing younger than 180 days is ever
-- dropped and nothing older outlives it by more than a month. If a shop under legal hold
-- has rows in such a partition, the partition stays and only the other shops' rows are
-- deleted; it is dropped on the first run after the hold is lifted. Decisions go one by
-- one, with their suggestion, once decided_at is 180 days old, unless the shop is held.
-- Neither function is granted to anyone: the pg_cron job runs them as the owner.
-- pg_cron's own history (cron.job_run_details) is pruned daily at 14 days by the
-- storepulse-prune-cron-history job.

create function private.apply_audit_retention()
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_cutoff timestamptz := pg_catalog.now() - interval '180 days';
    v_partition regclass;
    v_held boolean;
    v_count bigint;
    v_dropped text[] := '{}'::text[];
    v_kept text[] := '{}'::text[];
    v_row_changes_deleted bigint := 0::bigint;
    v_decisions_deleted bigint;
begin
    perform private.expire_suggestions();
    for v_partition in
        select p.partition
        from (
            select
                c.oid::regclass as partition,
                (pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                    'TO \(''([^'']+)''\)'))[1]::timestamptz as upper_bound
            from pg_catalog.pg_inherits as i
                join pg_catalog.pg_class as c on c.oid = i.inhrelid
            where i.inhparent = 'audit.row_change'::regclass
        ) as p
        where p.upper_bound <= v_cutoff
        order by p.upper_bound
    loop
        execute pg_catalog.format(
            'select exists (select from %s as r join app.shop_legal_hold as h on h.shop_id = r.shop_id)',
            v_partition) into v_held;
        if v_held then
            execute pg_catalog.format(
                'delete from %s as r where not exists '
                '(select from app.shop_legal_hold as h where h.shop_id = r.shop_id)',
                v_partition);
            get diagnostics v_count = row_count;
            v_row_changes_deleted := v_row_changes_deleted + v_count;
            v_kept := v_kept || v_partition::text;
        else
            v_dropped := v_dropped || v_partition::text;  -- named while it exists
            execute pg_catalog.format('drop table %s', v_partition);
        end if;
    end loop;
    with gone as (
        delete from audit.decision as d
        where d.decided_at < v_cutoff
            and not exists (select from app.shop_legal_hold as h where h.shop_id = d.shop_id)
        returning d.shop_id, d.suggestion_id
    )
    delete from audit.suggestion as s
    using gone as g
    where s.shop_id = g.shop_id
        and s.suggestion_id = g.suggestion_id;
    get diagnostics v_decisions_deleted = row_count;
    return pg_catalog.jsonb_build_object(
        'cutoff', v_cutoff,
        'row_change_partitions_dropped', v_dropped,
        'row_change_partitions_kept_for_legal_hold', v_kept,
        'row_changes_deleted', v_row_changes_deleted,
        'decisions_deleted', v_decisions_deleted
    );
end
$$;

comment on function private.apply_audit_retention() is 'Job step: records due expiries, then removes what is older than 180 days: whole monthly partitions of audit.row_change (keeping held shops'' rows), and decisions with their suggestions, except for shops under legal hold. Returns what it did.';

create function private.maintain_audit_trail()
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_ensured text[];
begin
    v_ensured := private.ensure_row_change_partitions(2);
    return private.apply_audit_retention()
        || pg_catalog.jsonb_build_object('row_change_partitions_ready', v_ensured);
end
$$;

comment on function private.maintain_audit_trail() is 'The daily audit job: makes sure audit.row_change has partitions through two months ahead, then applies retention (private.apply_audit_retention). Returns what it did.';
