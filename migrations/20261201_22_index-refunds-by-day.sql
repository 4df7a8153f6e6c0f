-- Index Shopify refunds by shop-local day, built without blocking writes.
-- depends: 20261201_21_revoke-yoyo-bookkeeping-from-service-role
-- transactional: false
--
-- The Sales Pulse tile counts the current hour from that hour's orders and refunds; the
-- orders have their (shop_id, local_date) index, the refunds get theirs here. CREATE INDEX
-- CONCURRENTLY takes no lock that blocks writes, and cannot run in a transaction: this
-- file holds that one statement. If it fails halfway it leaves an invalid index, which
-- IF NOT EXISTS would skip: drop it, then apply again. Rollback drops it concurrently.

create index concurrently if not exists index_shopify_refund_on_shop_id_local_date
    on app.shopify_refund (shop_id, local_date);
