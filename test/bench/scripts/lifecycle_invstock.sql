-- lifecycle / invstock: the transaction of lifecycle_bare.sql with invstock:
-- inv_reserve, order line, inv_finalize of the same new reference.
\set n random(1, 10000)
\set r random(1, 1000000000000)
BEGIN;
SELECT * FROM invstock.inv_reserve('SKU-' || lpad(:n::text, 5, '0'), 1, reference => 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text);
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:n::text, 5, '0'), 1);
SELECT * FROM invstock.inv_finalize('SKU-' || lpad(:n::text, 5, '0'), reference => 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text);
COMMIT;
