drop function private.shopify_scrub_pii(jsonb);

drop function private.shopify_page_looks_valid(jsonb);

drop function private.shopify_check_inventory_item(jsonb, text);

drop function private.shopify_check_product(jsonb, text);

drop function private.shopify_check_order(jsonb, text);

drop function private.shopify_check_refund(jsonb, text);

drop function private.shopify_check_customer(jsonb, text);

drop function private.shopify_check_money_set(jsonb, text, text);

drop function private.shopify_expect(jsonb, text, text, text, boolean);

drop function private.shopify_pattern(text);

drop function private.hmac_sha256(bytea, bytea);
