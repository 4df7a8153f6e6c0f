delete from private.inbound_pii_key as k
where k.source = 'shopify';

delete from private.inbound_topic as t
where t.source = 'shopify';

delete from private.inbound_field as f
where f.source = 'shopify';

delete from private.inbound_resource as r
where r.source = 'shopify';

delete from private.inbound_source as s
where s.source = 'shopify';
