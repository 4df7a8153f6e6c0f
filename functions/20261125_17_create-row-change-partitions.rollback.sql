drop function private.ensure_row_change_partitions(integer);

drop function private.create_row_change_partition(date);
