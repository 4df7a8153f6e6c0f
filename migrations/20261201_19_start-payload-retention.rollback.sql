set local lock_timeout = '5s';

-- the monthly partitions' bodies move into the default partition, then the partitions go
select pg_catalog.count(*) from private.drop_inbound_payload_months('infinity');

select private.retire_row_change_store('app.shop_payload_retention');
