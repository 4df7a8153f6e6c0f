-- Drop the read policies of Shopify's own event and dead-letter stores, which the inbound store replaces.
-- depends: 20261201_12_create-sales-subscriber
--
-- Their rows move to app.inbound_event and app.inbound_dead_letter, whose own policies
-- (owners and managers read) say the same, when the Shopify stores are dropped.
-- Rollback recreates them.

-- its name, longer than 63 bytes when written, was stored cut at 63
drop policy "owners and managers can read their shops' shopify dead letter r"
    on app.shopify_dead_letter;

drop policy "owners and managers can read their shops' shopify event rows"
    on app.shopify_event;
