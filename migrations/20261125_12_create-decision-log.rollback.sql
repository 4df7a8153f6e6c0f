drop table audit.decision;

drop table audit.suggestion;

drop type audit.decision_outcome;

revoke usage on schema audit from authenticated, service_role;

drop schema audit;
