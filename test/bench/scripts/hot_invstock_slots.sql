-- hot / invstock_slots: every client checks out the same SKU, HOT-SLOTS,
-- configured in hot-SKU slot mode (slots = 16): the reservations can spread
-- over 16 row locks.  Reserves with invstock.inv_reserve, then writes the
-- shop's order line; locks are held until COMMIT.
\set r random(1, 1000000000000)
BEGIN;
SELECT * FROM invstock.inv_reserve('HOT-SLOTS', 1, reference => 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text);
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'HOT-SLOTS', 1);
COMMIT;
