select private.unschedule_job('storepulse-maintain-audit-trail');

select private.unschedule_job('storepulse-expire-suggestions');
