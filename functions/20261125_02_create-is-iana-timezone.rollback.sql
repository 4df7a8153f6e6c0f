drop function private.is_iana_timezone(text);
