-- Every partition goes, including any the maintenance job added after this migration.
do $$
declare
    v_partition regclass;
begin
    for v_partition in
        select i.inhrelid::regclass
        from pg_catalog.pg_inherits as i
        where i.inhparent = 'audit.row_change'::regclass
    loop
        execute pg_catalog.format('drop table %s', v_partition);
    end loop;
end
$$;
