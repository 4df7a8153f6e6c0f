drop function private.disable_row_audit(regclass);

drop function private.enable_row_audit(regclass);

drop function private.tg_row_audit__refuse_truncate();

drop function private.tg_row_audit__record_updates();

drop function private.tg_row_audit__record_rows();

drop function private.audit_context(regclass);
