-- Schedule the expiry of unanswered suggestions and the daily audit maintenance.
-- depends: 20261125_25_create-audit-retention
--
-- Expiry every 15 minutes: deciding an expired suggestion is refused at once anyway, the
-- job only records the expired outcome. Maintenance daily at 02:23 GMT: partitions ahead,
-- then 180-day retention. Tests run the job bodies directly.

select private.schedule_job(
    'storepulse-expire-suggestions',
    '*/15 * * * *',
    $job$select private.expire_suggestions()$job$
);

select private.schedule_job(
    'storepulse-maintain-audit-trail',
    '23 2 * * *',
    $job$select private.maintain_audit_trail()$job$
);
