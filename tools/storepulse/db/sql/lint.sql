-- storepulse database lint: one read-only query, run by storepulse.lint_db.
--
-- Re-implements the plain-Postgres checks of Supabase's splinter (names and levels as in
-- its catalogue, e.g. 0013 rls_disabled_in_public) plus stricter sp_* checks over our
-- schemas app, private, api and audit. Returns (name, level, categories, object, detail,
-- remediation); level is ERROR, WARN or INFO.
--
-- Exposed schemas come from pgrst.db_schemas (comma-separated), as PostgREST and splinter
-- read them; when it is unset the exposure checks return nothing, so the runner sets it.
-- Extension-owned objects and system schemas (auth, cron, extensions, pg_*, ...) are left
-- out, except where a check is about them (0002 auth.users, 0021 keys into auth).
-- Object names: relations schema.name, columns schema.table.column, functions
-- schema.name(argument types) as regprocedure prints them, policies `policy "name" on schema.table`, extensions
-- their name. Run with search_path = '' so every deparsed name is schema-qualified.
--
-- Where this deliberately departs from splinter:
-- 0001 counts an index whose leading columns are the key's columns in any order, and not
--      a partial index (it cannot serve every cascade or check).
-- 0003 counts calls: one wrapped call no longer hides an unwrapped one in the same policy.
-- 0004, 0007, 0008, 0013 include partitioned tables (relkind 'p').
-- 0009 compares index definitions structurally, ignoring uniqueness (a plain index on the
--      columns of a unique one is redundant too).
-- 0014 fires only when the extension has objects in schema public: pg_cron, created
--      without a schema, is recorded in public but keeps everything in schema cron.
-- 0024 does not flag an INSERT policy without WITH CHECK: Postgres treats it as denying.
with
lint (name, level, categories, remediation) as (
    values
        ('unindexed_foreign_keys', 'INFO', array['PERFORMANCE'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0001_unindexed_foreign_keys'),
        ('auth_users_exposed', 'ERROR', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0002_auth_users_exposed'),
        ('auth_rls_initplan', 'WARN', array['PERFORMANCE'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0003_auth_rls_initplan'),
        ('no_primary_key', 'INFO', array['PERFORMANCE'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0004_no_primary_key'),
        ('unused_index', 'INFO', array['PERFORMANCE'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0005_unused_index'),
        ('multiple_permissive_policies', 'WARN', array['PERFORMANCE'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0006_multiple_permissive_policies'),
        ('policy_exists_rls_disabled', 'ERROR', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0007_policy_exists_rls_disabled'),
        ('rls_enabled_no_policy', 'INFO', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0008_rls_enabled_no_policy'),
        ('duplicate_index', 'WARN', array['PERFORMANCE'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0009_duplicate_index'),
        ('security_definer_view', 'ERROR', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0010_security_definer_view'),
        ('function_search_path_mutable', 'WARN', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0011_function_search_path_mutable'),
        ('rls_disabled_in_public', 'ERROR', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0013_rls_disabled_in_public'),
        ('extension_in_public', 'WARN', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0014_extension_in_public'),
        ('rls_references_user_metadata', 'ERROR', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0015_rls_references_user_metadata'),
        ('materialized_view_in_api', 'WARN', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0016_materialized_view_in_api'),
        ('foreign_table_in_api', 'WARN', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0017_foreign_table_in_api'),
        ('unsupported_reg_types', 'WARN', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0018_unsupported_reg_types'),
        ('fkey_to_auth_unique', 'ERROR', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0021_fkey_to_auth_unique'),
        ('extension_versions_outdated', 'WARN', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0022_extension_versions_outdated'),
        ('sensitive_columns_exposed', 'ERROR', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0023_sensitive_columns_exposed'),
        ('rls_policy_always_true', 'WARN', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0024_permissive_rls_policy'),
        ('anon_security_definer_function_executable', 'WARN', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0028_anon_security_definer_function_executable'),
        ('authenticated_security_definer_function_executable', 'WARN', array['SECURITY'],
            'https://supabase.com/docs/guides/database/database-linter?lint=0029_authenticated_security_definer_function_executable'),
        ('sp_rls_disabled', 'ERROR', array['SECURITY'],
            'alter table ... enable row level security in the migration that creates the table.'),
        ('sp_definer_search_path_not_empty', 'ERROR', array['SECURITY'],
            'Give every security definer function set search_path = '''' and qualify every name in its body.'),
        ('sp_api_holds_non_view_or_function', 'ERROR', array['SECURITY'],
            'Keep tables, sequences, materialized and foreign tables in app; expose them through security_invoker views or functions in api.'),
        ('sp_api_view_not_security_invoker', 'ERROR', array['SECURITY'],
            'create view api.... with (security_invoker = true), so row-level security applies to the caller.'),
        ('sp_execute_granted_to_public', 'ERROR', array['SECURITY'],
            'revoke execute on function ... from public; grant it by name to the roles that need it.'),
        ('sp_anon_can_execute', 'WARN', array['SECURITY'],
            'revoke execute on function ... from anon (and from public), unless signed-out callers must reach it.'),
        ('sp_missing_comment', 'WARN', array['MAINTAINABILITY'],
            'comment on table/column/view/materialized view/function ... is ''...''; in the migration that creates it.'),
        ('sp_tenant_key', 'ERROR', array['SECURITY'],
            'Lead the primary key with shop_id, and include shop_id in every foreign key to another tenant table.'),
        ('sp_policy_column_unindexed', 'WARN', array['PERFORMANCE'],
            'create index ... (shop_id, ...): row-level security filters on shop_id on every query.'),
        ('sp_policy_calls_function_per_row', 'WARN', array['PERFORMANCE'],
            'Wrap the call as (select schema.f(...)) with no column arguments, e.g. shop_id = any (array(select private.my_shop_ids())).'),
        ('sp_matview_without_unique_index', 'WARN', array['PERFORMANCE'],
            'create unique index on the materialized view (plain columns, no where clause), so refresh materialized view concurrently works.')
),
exposed_schema as (
    select btrim(s) as nspname
    from unnest(string_to_array(coalesce(current_setting('pgrst.db_schemas', true), ''), ',')) as s
    where btrim(s) <> ''
),
system_schema (nspname) as (
    values ('auth'), ('cron'), ('extensions'), ('graphql'), ('graphql_public'),
        ('information_schema'), ('net'), ('pgbouncer'), ('pgmq'), ('pgmq_public'),
        ('pgroonga'), ('pgsodium'), ('pgsodium_masks'), ('pgtle'), ('realtime'), ('repack'),
        ('storage'), ('supabase_functions'), ('supabase_migrations'), ('tiger'),
        ('tiger_data'), ('topology'), ('vault'), ('_analytics'), ('_realtime'),
        ('_supavisor'), ('_timescaledb_cache'), ('_timescaledb_catalog'),
        ('_timescaledb_config'), ('_timescaledb_internal'), ('timescaledb_information'),
        ('timescaledb_experimental')
),
our_schema (nspname) as (
    values ('app'), ('private'), ('api'), ('audit')
),
api_role as (
    select r.oid, r.rolname
    from pg_roles as r
    where r.rolname in ('anon', 'authenticated')
),
-- Tables, views, sequences... outside system schemas and not owned by an extension.
rel as (
    select
        c.oid,
        n.nspname::text as nspname,
        c.relname::text as relname,
        c.relkind,
        c.relrowsecurity,
        c.relispartition,
        format('%I.%I', n.nspname, c.relname) as qname,
        n.nspname::text in (select nspname from our_schema) as ours,
        n.nspname::text in (select nspname from exposed_schema) as exposed,
        case when c.relkind in ('r', 'p', 'v', 'm', 'f') then
            exists (
                select
                from api_role as ar
                where has_any_column_privilege(ar.oid, c.oid, 'SELECT')
            )
        else false end as api_selectable,
        coalesce((
            select bool_or(lower(split_part(o, '=', 2)) ~ '^(1|t|tr|tru|true|y|ye|yes|on)$')
            from unnest(c.reloptions) as o
            where split_part(o, '=', 1) = 'security_invoker'
        ), false) as security_invoker
    from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
        and n.nspname !~ '^pg_'
        and n.nspname not in (select nspname from system_schema)
        and not exists (
            select
            from pg_depend as d
            where d.classid = 'pg_class'::regclass
                and d.objid = c.oid
                and d.deptype = 'e'
        )
),
-- Functions and procedures outside system schemas and not owned by an extension.
fn as (
    select
        p.oid,
        n.nspname::text as nspname,
        p.prosecdef,
        p.proconfig,
        p.proacl,
        p.proowner,
        p.prokind,
        p.prosrc,
        format('%I.%I(%s)', n.nspname, p.proname, (
            select string_agg(format_type(a.oid, null), ',' order by a.ord)
            from unnest(p.proargtypes::oid[]) with ordinality as a (oid, ord)
        )) as qname,
        n.nspname::text in (select nspname from our_schema) as ours,
        n.nspname::text in (select nspname from exposed_schema) as exposed
    from pg_proc as p
        join pg_namespace as n on n.oid = p.pronamespace
    where n.nspname !~ '^pg_'
        and n.nspname not in (select nspname from system_schema)
        and not exists (
            select
            from pg_depend as d
            where d.classid = 'pg_proc'::regclass
                and d.objid = p.oid
                and d.deptype = 'e'
        )
),
pol as (
    select
        p.oid,
        p.polname::text as polname,
        p.polrelid,
        p.polcmd::text as polcmd,
        p.polpermissive,
        p.polroles,
        r.qname as table_qname,
        r.ours,
        r.relkind,
        r.relrowsecurity,
        format('policy %I on %s', p.polname, r.qname) as qname,
        pg_get_expr(p.polqual, p.polrelid) as qual,
        pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_policy as p
        join rel as r on r.oid = p.polrelid
),
-- Columns of tables, views, materialized and foreign tables.
col as (
    select
        r.oid as relid,
        r.qname as table_qname,
        r.relkind,
        r.ours,
        r.relispartition,
        a.attnum,
        a.attname::text as attname,
        a.atttypid,
        format('%s.%I', r.qname, a.attname) as qname
    from rel as r
        join pg_attribute as a on a.attrelid = r.oid
    where r.relkind in ('r', 'p', 'v', 'm', 'f')
        and a.attnum > 0
        and not a.attisdropped
),
finding (name, object, detail) as (
    -- 0001: a foreign key with no index leading with its columns.
    select
        'unindexed_foreign_keys',
        r.qname,
        format('foreign key %I (%s) has no index whose leading columns are its columns',
            con.conname,
            (select string_agg(quote_ident(a.attname), ', ' order by k.ord)
             from unnest(con.conkey) with ordinality as k (attnum, ord)
                 join pg_attribute as a on a.attrelid = con.conrelid and a.attnum = k.attnum))
    from pg_constraint as con
        join rel as r on r.oid = con.conrelid
    where con.contype = 'f'
        and con.conparentid = 0
        and not exists (
            select
            from pg_index as i
            where i.indrelid = con.conrelid
                and i.indisvalid
                and i.indpred is null
                and i.indnkeyatts >= cardinality(con.conkey)
                and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey
                and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] <@ con.conkey
        )

    union all
    -- 0002: an exposed view or materialized view reveals auth.users.
    select
        'auth_users_exposed',
        r.qname,
        case
            when r.relkind = 'm' then 'materialized view reads auth.users and has no row-level security'
            when not r.security_invoker then 'view reads auth.users with its owner''s rights'
            else 'view reads auth.users, which has row-level security disabled'
        end
    from rel as r
    where r.relkind in ('v', 'm')
        and r.exposed
        and r.api_selectable
        and exists (
            select
            from pg_rewrite as rw
                join pg_depend as d
                    on d.classid = 'pg_rewrite'::regclass
                    and d.objid = rw.oid
                    and d.refclassid = 'pg_class'::regclass
                    and d.deptype = 'n'
            where rw.ev_class = r.oid
                and d.refobjid = to_regclass('auth.users')
        )
        and (
            r.relkind = 'm'
            or not r.security_invoker
            or not coalesce((
                select c.relrowsecurity from pg_class as c where c.oid = to_regclass('auth.users')
            ), false)
        )

    union all
    -- 0003: auth.uid() and friends called once per row instead of once per statement.
    select
        'auth_rls_initplan',
        p.qname,
        format('%s is not wrapped as (select ...) every time: it runs once per row',
            string_agg(distinct f.label, ', '))
    from pol as p
        cross join (
            values
                ('auth.uid()', 'auth\.uid\(\)'),
                ('auth.jwt()', 'auth\.jwt\(\)'),
                ('auth.role()', 'auth\.role\(\)'),
                ('auth.email()', 'auth\.email\(\)'),
                ('current_setting()', '(pg_catalog\.)?current_setting\(')
        ) as f (label, pattern)
        cross join lateral (values (p.qual), (p.with_check)) as e (expr)
    where p.relrowsecurity
        and e.expr is not null
        and regexp_count(e.expr, f.pattern, 1, 'i')
            > regexp_count(e.expr, 'select\s+[(\s]*' || f.pattern, 1, 'i')
    group by p.qname

    union all
    -- 0004: a table without a primary key.
    select 'no_primary_key', r.qname, 'table has no primary key'
    from rel as r
    where r.relkind in ('r', 'p')
        and not exists (
            select from pg_index as i where i.indrelid = r.oid and i.indisprimary
        )

    union all
    -- 0005: an index never scanned since statistics were last reset.
    select
        'unused_index',
        format('%I.%I', s.schemaname, s.indexrelname),
        format('index on %s has not been scanned since statistics were reset', r.qname)
    from pg_stat_user_indexes as s
        join rel as r on r.oid = s.relid
        join pg_index as i on i.indexrelid = s.indexrelid
    where s.idx_scan = 0
        and not i.indisunique
        and not i.indisprimary

    union all
    -- 0006: several permissive policies for one role and command, all evaluated per row.
    select
        'multiple_permissive_policies',
        p.table_qname,
        format('role %I has %s permissive %s policies: %s', ro.rolname, count(*),
            case c.cmd when 'r' then 'SELECT' when 'a' then 'INSERT'
                when 'w' then 'UPDATE' else 'DELETE' end,
            string_agg(quote_ident(p.polname), ', ' order by p.polname))
    from pol as p
        cross join lateral unnest(
            case when p.polcmd = '*' then array['r', 'a', 'w', 'd'] else array[p.polcmd] end
        ) as c (cmd)
        join pg_roles as ro on p.polroles = '{0}'::oid[] or ro.oid = any (p.polroles)
    where p.polpermissive
        and ro.rolname !~ '^pg_'
        and not ro.rolsuper
        and not ro.rolbypassrls
    group by p.table_qname, ro.rolname, c.cmd
    having count(*) > 1

    union all
    -- 0007: policies that do nothing because row-level security is off.
    select
        'policy_exists_rls_disabled',
        p.table_qname,
        format('row-level security is disabled, so policies %s are ignored',
            string_agg(quote_ident(p.polname), ', ' order by p.polname))
    from pol as p
    where p.relkind in ('r', 'p')
        and not p.relrowsecurity
    group by p.table_qname

    union all
    -- 0008: row-level security on, no policy: only bypassing roles see rows.
    select 'rls_enabled_no_policy', r.qname,
        'row-level security is enabled and no policy exists: API roles see no rows'
    from rel as r
    where r.relkind in ('r', 'p')
        and r.relrowsecurity
        and not exists (select from pg_policy as p where p.polrelid = r.oid)

    union all
    -- 0009: indexes with the same method, keys, operator classes, expressions and predicate.
    select
        'duplicate_index',
        r.qname,
        format('indexes %s are identical', string_agg(quote_ident(ic.relname), ', '
            order by ic.relname))
    from pg_index as i
        join pg_class as ic on ic.oid = i.indexrelid
        join rel as r on r.oid = i.indrelid
    where r.relkind in ('r', 'p', 'm')
    group by r.qname, ic.relam, i.indkey::text, i.indclass::text, i.indcollation::text,
        i.indoption::text, coalesce(pg_get_expr(i.indexprs, i.indrelid), ''),
        coalesce(pg_get_expr(i.indpred, i.indrelid), '')
    having count(*) > 1

    union all
    -- 0010: an exposed view that runs with its owner's rights, bypassing the caller's RLS.
    select 'security_definer_view', r.qname,
        'view in an exposed schema runs with its owner''s rights (no security_invoker)'
    from rel as r
    where r.relkind = 'v'
        and r.exposed
        and r.api_selectable
        and not r.security_invoker
        and current_setting('server_version_num')::int >= 150000

    union all
    -- 0011: a function whose search_path the caller controls.
    select 'function_search_path_mutable', f.qname, 'function does not set search_path'
    from fn as f
    where f.prokind <> 'a'
        and not exists (
            select from unnest(f.proconfig) as c where c like 'search\_path=%'
        )
        -- a procedure that commits cannot carry a SET clause; it qualifies every name
        and not (f.prokind = 'p' and f.prosrc ~* '\m(commit|rollback)\M\s*;')

    union all
    -- 0013: an API-reachable table without row-level security.
    select 'rls_disabled_in_public', r.qname,
        'table in an exposed schema is readable by anon or authenticated without row-level security'
    from rel as r
    where r.relkind in ('r', 'p')
        and r.exposed
        and r.api_selectable
        and not r.relrowsecurity

    union all
    -- 0014: an extension whose objects live in schema public.
    select 'extension_in_public', e.extname::text,
        'extension objects are installed in schema public'
    from pg_extension as e
    where e.extnamespace = to_regnamespace('public')
        and e.extname <> 'plpgsql'
        and exists (
            select
            from pg_depend as d
            where d.refclassid = 'pg_extension'::regclass
                and d.refobjid = e.oid
                and d.deptype = 'e'
                and (
                    exists (select from pg_proc as x
                            where d.classid = 'pg_proc'::regclass and x.oid = d.objid
                                and x.pronamespace = e.extnamespace)
                    or exists (select from pg_class as x
                               where d.classid = 'pg_class'::regclass and x.oid = d.objid
                                   and x.relnamespace = e.extnamespace)
                    or exists (select from pg_type as x
                               where d.classid = 'pg_type'::regclass and x.oid = d.objid
                                   and x.typnamespace = e.extnamespace)
                )
        )

    union all
    -- 0015: a policy trusting user_metadata, which every user may edit.
    select 'rls_references_user_metadata', p.qname,
        'policy reads user_metadata, which the user can change'
    from pol as p
    where concat_ws(' ', p.qual, p.with_check) ~* 'auth\.jwt\(\).*user_metadata'
        or concat_ws(' ', p.qual, p.with_check)
            ~* 'current_setting\(.*request\.jwt\.claims.*user_metadata'
        or concat_ws(' ', p.qual, p.with_check) ~* 'raw_user_meta_data'

    union all
    -- 0016, 0017: relations with no row-level security reachable through the API.
    select
        case r.relkind when 'm' then 'materialized_view_in_api'
            else 'foreign_table_in_api' end,
        r.qname,
        case r.relkind when 'm' then 'materialized view'
            else 'foreign table' end
            || ' in an exposed schema is readable by anon or authenticated'
    from rel as r
    where r.relkind in ('m', 'f')
        and r.exposed
        and r.api_selectable

    union all
    -- 0018: columns of reg* types (or arrays or domains of them), which pg_upgrade refuses.
    select 'unsupported_reg_types', c.qname,
        format('column has type %s, which blocks pg_upgrade', format_type(c.atttypid, null))
    from col as c
        join pg_type as t on t.oid = c.atttypid
    where c.relkind in ('r', 'p', 'm')
        and exists (
            select
            from unnest(array[
                'regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper',
                'regoperator', 'regproc', 'regprocedure'
            ]::regtype[]) as bad (oid)
            where bad.oid in (t.oid, t.typelem, t.typbasetype)
        )

    union all
    -- 0021: a foreign key into auth over a unique index Supabase may change.
    select
        'fkey_to_auth_unique',
        r.qname,
        format('foreign key %I references %s through unique index %s, not its primary key',
            con.conname, con.confrelid::regclass::text, con.conindid::regclass::text)
    from pg_constraint as con
        join rel as r on r.oid = con.conrelid
        join pg_class as t on t.oid = con.confrelid
        join pg_index as i on i.indexrelid = con.conindid
    where con.contype = 'f'
        and t.relnamespace = to_regnamespace('auth')
        and i.indisunique
        and not i.indisprimary

    union all
    -- 0022: an extension older than the version the server ships.
    select 'extension_versions_outdated', e.extname::text,
        format('installed version %s, available %s', e.extversion, a.default_version)
    from pg_extension as e
        join pg_available_extensions as a on a.name = e.extname
    where a.default_version is not null
        and e.extversion <> a.default_version

    union all
    -- 0023: sensitive columns in an API-reachable table without row-level security.
    select
        'sensitive_columns_exposed',
        c.table_qname,
        format('readable without row-level security: %s',
            string_agg(quote_ident(c.attname), ', ' order by c.attnum))
    from col as c
        join rel as r on r.oid = c.relid
    where r.relkind in ('r', 'p')
        and r.exposed
        and r.api_selectable
        and not r.relrowsecurity
        and (
            lower(c.attname) ~ '(password|passwd|secret|token|api_?key|private_?key|credit_?card|card_?number|cvv|cvc|iban|ssn|social_security|bank_?account|account_?number|routing_?number|tax_?id|passport|driver_?licen[cs]e|recovery_?code|salt)'
            or lower(c.attname) in ('pin', 'otp', 'pwd', 'dob', 'date_of_birth')
        )
    group by c.table_qname

    union all
    -- 0024: a permissive write policy for API roles that lets everything through.
    select 'rls_policy_always_true', p.qname,
        format('%s policy for API roles is always true',
            case p.polcmd when 'a' then 'INSERT' when 'w' then 'UPDATE'
                when 'd' then 'DELETE' else 'ALL' end)
    from pol as p
        cross join lateral (
            select
                lower(regexp_replace(coalesce(p.qual, ''), '\s+', '', 'g'))
                    in ('true', '(true)', '1=1', '(1=1)') as qual_true,
                lower(regexp_replace(coalesce(p.with_check, ''), '\s+', '', 'g'))
                    in ('true', '(true)', '1=1', '(1=1)') as check_true
        ) as t
    where p.polpermissive
        and (
            p.polroles = '{0}'::oid[]
            or exists (select from api_role as ar where ar.oid = any (p.polroles))
        )
        and (
            (p.polcmd in ('w', 'd', '*') and t.qual_true)
            or (p.polcmd in ('a', 'w', '*') and t.check_true)
        )

    union all
    -- 0028, 0029: security definer functions an API role may call in an exposed schema.
    select
        case ar.rolname when 'anon' then 'anon_security_definer_function_executable'
            else 'authenticated_security_definer_function_executable' end,
        f.qname,
        format('security definer function in an exposed schema is executable by %I',
            ar.rolname)
    from fn as f
        cross join api_role as ar
    where f.prosecdef
        and f.exposed
        and has_function_privilege(ar.oid, f.oid, 'EXECUTE')

    union all
    -- sp_rls_disabled: every table of ours has row-level security, exposed or not.
    select 'sp_rls_disabled', r.qname, 'table has row-level security disabled'
    from rel as r
    where r.ours
        and r.relkind in ('r', 'p')
        and not r.relrowsecurity

    union all
    -- sp_definer_search_path_not_empty: definer functions pin search_path to ''.
    select 'sp_definer_search_path_not_empty', f.qname,
        format('security definer function has %s, not search_path=""',
            coalesce((select string_agg(c, ', ') from unnest(f.proconfig) as c
                      where c like 'search\_path=%'), 'no search_path'))
    from fn as f
    where f.ours
        and f.prosecdef
        and not coalesce('search_path=""' = any (f.proconfig), false)

    union all
    -- sp_api_holds_non_view_or_function: api has views and functions only.
    select
        'sp_api_holds_non_view_or_function',
        format('%I.%I', n.nspname, c.relname),
        case c.relkind when 'r' then 'table' when 'p' then 'partitioned table'
            when 'm' then 'materialized view' when 'S' then 'sequence'
            else 'foreign table' end || ' in schema api'
    from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = 'api'
        and c.relkind in ('r', 'p', 'm', 'S', 'f')

    union all
    -- sp_api_view_not_security_invoker: every api view runs with the caller's rights.
    select 'sp_api_view_not_security_invoker', r.qname,
        'view in api is not security_invoker'
    from rel as r
    where r.nspname = 'api'
        and r.relkind = 'v'
        and not r.security_invoker

    union all
    -- sp_execute_granted_to_public: EXECUTE is granted by name, never to PUBLIC.
    select 'sp_execute_granted_to_public', f.qname,
        case when f.proacl is null then 'function has the default ACL: PUBLIC may execute it'
            else 'PUBLIC may execute the function' end
    from fn as f
    where f.ours
        and exists (
            select
            from aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) as a
            where a.grantee = 0
                and a.privilege_type = 'EXECUTE'
        )

    union all
    -- sp_anon_can_execute: what signed-out callers may run, however it was granted.
    select 'sp_anon_can_execute', f.qname, 'anon may execute the function'
    from fn as f
        join api_role as ar on ar.rolname = 'anon'
    where f.ours
        and has_function_privilege(ar.oid, f.oid, 'EXECUTE')

    union all
    -- sp_missing_comment: relations, columns and functions of ours are documented.
    select
        'sp_missing_comment',
        r.qname,
        case r.relkind when 'r' then 'table' when 'p' then 'partitioned table'
            when 'v' then 'view' when 'm' then 'materialized view'
            else 'foreign table' end || ' has no comment'
    from rel as r
    where r.ours
        and r.relkind in ('r', 'p', 'v', 'm', 'f')
        and not r.relispartition
        and coalesce(btrim(obj_description(r.oid, 'pg_class')), '') = ''
    union all
    select 'sp_missing_comment', c.qname, 'column has no comment'
    from col as c
    where c.ours
        and not c.relispartition
        and coalesce(btrim(col_description(c.relid, c.attnum)), '') = ''
    union all
    select 'sp_missing_comment', f.qname, 'function has no comment'
    from fn as f
    where (
            f.ours
            or exists (  -- a trigger function elsewhere that a trigger on our tables runs
                select
                from pg_trigger as tg
                    join rel as r on r.oid = tg.tgrelid
                where tg.tgfoid = f.oid
                    and r.ours
                    and not tg.tgisinternal
            )
        )
        and coalesce(btrim(obj_description(f.oid, 'pg_proc')), '') = ''

    union all
    -- sp_tenant_key: shop_id leads the primary key of every tenant table in app and audit.
    select 'sp_tenant_key', r.qname,
        coalesce(
            'primary key ' || quote_ident(pk.relname) || ' does not start with shop_id',
            'table has shop_id but no primary key'
        )
    from rel as r
        join pg_attribute as a
            on a.attrelid = r.oid and a.attname = 'shop_id' and not a.attisdropped
        left join lateral (
            select ic.relname::text as relname, i.indkey[0] as first_key
            from pg_index as i
                join pg_class as ic on ic.oid = i.indexrelid
            where i.indrelid = r.oid
                and i.indisprimary
        ) as pk on true
    where r.nspname in ('app', 'audit')
        and r.relkind in ('r', 'p')
        and pk.first_key is distinct from a.attnum
    union all
    -- ... and every foreign key to another table with shop_id carries shop_id over.
    select 'sp_tenant_key', r.qname,
        format('foreign key %I to %s does not match shop_id to shop_id', con.conname,
            (select format('%I.%I', tn.nspname, t.relname)
             from pg_class as t join pg_namespace as tn on tn.oid = t.relnamespace
             where t.oid = con.confrelid))
    from pg_constraint as con
        join rel as r on r.oid = con.conrelid
        join pg_attribute as a
            on a.attrelid = r.oid and a.attname = 'shop_id' and not a.attisdropped
        join pg_attribute as fa
            on fa.attrelid = con.confrelid and fa.attname = 'shop_id' and not fa.attisdropped
    where r.nspname in ('app', 'audit')
        and r.relkind in ('r', 'p')
        and con.contype = 'f'
        and con.conparentid = 0
        and not exists (
            select
            from unnest(con.conkey, con.confkey) as k (attnum, fattnum)
            where k.attnum = a.attnum
                and k.fattnum = fa.attnum
        )

    union all
    -- sp_policy_column_unindexed: policies filter on shop_id, so a btree leads with it.
    select 'sp_policy_column_unindexed', r.qname,
        format('policies %s filter on shop_id, and no btree index leads with shop_id',
            string_agg(distinct quote_ident(p.polname), ', '))
    from pg_policy as p
        join rel as r on r.oid = p.polrelid
        join pg_attribute as a
            on a.attrelid = r.oid and a.attname = 'shop_id' and not a.attisdropped
    where r.ours
        and exists (
            select
            from pg_depend as d
            where d.classid = 'pg_policy'::regclass
                and d.objid = p.oid
                and d.refclassid = 'pg_class'::regclass
                and d.refobjid = r.oid
                and d.refobjsubid = a.attnum
        )
        and not exists (
            select
            from pg_index as i
                join pg_class as ic on ic.oid = i.indexrelid
                join pg_am as am on am.oid = ic.relam
            where i.indrelid = r.oid
                and am.amname = 'btree'
                and i.indkey[0] = a.attnum
                and i.indpred is null
                and i.indisvalid
        )
    group by r.qname

    union all
    -- sp_policy_calls_function_per_row: our helpers in policies run once per statement.
    select 'sp_policy_calls_function_per_row', p.qname,
        'policy calls a function of app, private, api or audit outside (select ...): it runs once per row'
    from pol as p
        cross join lateral (values (p.qual), (p.with_check)) as e (expr)
    where p.relrowsecurity
        and e.expr is not null
        and regexp_count(e.expr, '(^|[^\w.])(app|private|api|audit)\.\w+\(', 1, 'i')
            > regexp_count(e.expr, 'select\s+[(\s]*(app|private|api|audit)\.\w+\(', 1, 'i')
    group by p.qname

    union all
    -- sp_matview_without_unique_index: refresh ... concurrently needs a unique index.
    select 'sp_matview_without_unique_index', r.qname,
        'materialized view has no unique index on plain columns without a where clause'
    from rel as r
    where r.relkind = 'm'
        and not exists (
            select
            from pg_index as i
            where i.indrelid = r.oid
                and i.indisunique
                and i.indisvalid
                and i.indpred is null
                and i.indexprs is null
        )
)
select
    f.name::text as name,
    l.level::text as level,
    l.categories::text[] as categories,
    f.object::text as object,
    f.detail::text as detail,
    l.remediation::text as remediation
from finding as f
    join lint as l on l.name = f.name
order by
    case l.level when 'ERROR' then 1 when 'WARN' then 2 else 3 end,
    f.name,
    f.object,
    f.detail
