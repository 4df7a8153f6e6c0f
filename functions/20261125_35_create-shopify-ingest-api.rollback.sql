drop function api.set_shopify_webhook_secret(uuid, text);

drop function api.rebuild_sales_rollups(uuid);

drop function api.replay_shopify_dead_letters(uuid, bigint[]);

drop function api.ingest_shopify_backfill(text, jsonb);

drop function private.analyze_shopify_tables_if_stale();

drop function api.ingest_shopify_webhook(text, text, text, text, timestamptz, text, jsonb, text, text);

drop function private.shopify_try(uuid, bigint, text, jsonb, timestamptz);

drop function private.is_retryable_sqlstate(text);

drop function private.shopify_shop_by_domain(text);

drop function private.shopify_dispatch(uuid, text, jsonb, timestamptz);

drop function private.shopify_apply_shop_update(uuid, jsonb);

drop function private.shopify_customer_data(uuid, bigint);

drop function private.shopify_redact(uuid, bigint, bigint[]);
