-- hot / plpgsql: every client checks out the same SKU, HOT; the row lock is
-- held until COMMIT, as in a real shop.  Reserves with bench.reserve (the
-- PL/pgSQL reference implementation), then writes the shop's order line.
\set r random(1, 1000000000000)
BEGIN;
SELECT * FROM bench.reserve('HOT', 1, 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text);
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'HOT', 1);
COMMIT;
