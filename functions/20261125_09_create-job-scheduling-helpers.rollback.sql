drop function private.unschedule_job(text);

drop function private.schedule_job(text, text, text);
