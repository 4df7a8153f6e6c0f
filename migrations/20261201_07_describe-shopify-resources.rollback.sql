delete from private.inbound_source as s
where s.source = 'shopify';
