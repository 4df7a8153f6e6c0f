select private.uncompile_inbound_source('shopify');
