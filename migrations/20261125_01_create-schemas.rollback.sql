-- yoyo's bookkeeping tables stay locked (RLS on, no API grants): they outlive our
-- schemas, and unlocking them would expose them again. This is deliberate.
select 'yoyo bookkeeping stays locked' as note;

alter default privileges grant execute on functions to public;

revoke usage on schema private from authenticated, service_role;

revoke usage on schema app from authenticated, service_role;

revoke usage on schema api from anon, authenticated, service_role;

drop schema api;

drop schema private;

drop schema app;
