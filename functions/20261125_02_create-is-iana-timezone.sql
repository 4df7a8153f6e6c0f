-- private.is_iana_timezone: whether a text is a time zone name from the IANA database.
-- depends: 20261125_01_create-schemas
--
-- Shops bucket their days in their own time zone, so the name must be one Postgres
-- knows. POSIX offsets ('+05', 'EST5EDT') and the tz database's posix/ and right/
-- copies are refused: a shop's zone is a place, like America/Chicago.

create function private.is_iana_timezone(p_name text)
    returns boolean
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select p_name is not null
        and p_name !~ '^(posix|right)/'
        and p_name not in ('posixrules', 'localtime', 'Factory')
        and exists (
            select
            from pg_catalog.pg_timezone_names as tz
            where tz.name = p_name
        )
$$;

comment on function private.is_iana_timezone(text) is 'True when the name is an IANA time zone Postgres knows (for example America/Chicago); false for POSIX offsets and abbreviations.';

grant execute on function private.is_iana_timezone(text) to authenticated, service_role;
