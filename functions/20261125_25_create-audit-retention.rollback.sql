drop function private.maintain_audit_trail();

drop function private.apply_audit_retention();
