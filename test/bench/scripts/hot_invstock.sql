-- hot / invstock: every client checks out the same SKU, HOT (slots = 1); the
-- row lock is held until COMMIT, as in a real shop.  Reserves with
-- invstock.inv_reserve, then writes the shop's order line.
\set r random(1, 1000000000000)
BEGIN;
SELECT * FROM invstock.inv_reserve('HOT', 1, reference => 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text);
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'HOT', 1);
COMMIT;
