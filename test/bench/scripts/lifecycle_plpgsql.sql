-- lifecycle / plpgsql: the transaction of lifecycle_bare.sql with the PL/pgSQL
-- reference implementation: bench.reserve, order line, bench.finalize of the
-- same new reference.
\set n random(1, 10000)
\set r random(1, 1000000000000)
BEGIN;
SELECT * FROM bench.reserve('SKU-' || lpad(:n::text, 5, '0'), 1, 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text);
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:n::text, 5, '0'), 1);
SELECT * FROM bench.finalize('SKU-' || lpad(:n::text, 5, '0'), 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text);
COMMIT;
