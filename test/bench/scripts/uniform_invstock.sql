-- uniform / invstock: the checkout of uniform_bare.sql, reserving through
-- invstock.inv_reserve with a new unique reference per transaction.
\set n random(1, 10000)
\set r random(1, 1000000000000)
BEGIN;
SELECT * FROM invstock.inv_reserve('SKU-' || lpad(:n::text, 5, '0'), 1, reference => 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text);
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:n::text, 5, '0'), 1);
COMMIT;
