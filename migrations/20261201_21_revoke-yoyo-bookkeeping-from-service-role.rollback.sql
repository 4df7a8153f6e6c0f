do $$
declare
    v_table regclass;
    v_privileges text;
begin
    -- what the schema's default privileges grant service_role on a new table
    select pg_catalog.string_agg(a.privilege_type, ', ' order by a.privilege_type)
    into v_privileges
    from pg_catalog.pg_default_acl as d,
        pg_catalog.aclexplode(d.defaclacl) as a
    where d.defaclnamespace = pg_catalog.current_schema()::regnamespace
        and d.defaclobjtype = 'r'
        and a.grantee = 'service_role'::regrole;
    if v_privileges is null then
        return;
    end if;
    for v_table in
        select c.oid::regclass
        from pg_catalog.pg_class as c
        where c.relnamespace = pg_catalog.current_schema()::regnamespace
            and c.relkind = 'r'
            and c.relname in ('_yoyo_log', '_yoyo_migration', '_yoyo_version', 'yoyo_lock')
    loop
        execute pg_catalog.format('grant %s on table %s to service_role', v_privileges, v_table);
    end loop;
end
$$;
