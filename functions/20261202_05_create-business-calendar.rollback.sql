-- Undo: drop the shipping calendar's arithmetic.

drop function private.shop_calendar(uuid);

drop function private.handling_start_day(timestamptz, text, time, integer[], date[]);

drop function private.business_hours_between(timestamptz, timestamptz, text, time, time, integer[], date[]);

drop function private.business_day_add(date, integer, integer[], date[]);

drop function private.is_business_day(date, integer[], date[]);
