-- order5 / plpgsql: the 5-line order of order5_bare.sql through the PL/pgSQL
-- reference implementation bench.reserve_order(reference, lines jsonb),
-- which locks in SKU order; then the 5 order lines.
\set s0 random(1, 9996)
\set s1 :s0 + 1
\set s2 :s0 + 2
\set s3 :s0 + 3
\set s4 :s0 + 4
\set r random(1, 1000000000000)
BEGIN;
SELECT * FROM bench.reserve_order('o-' || :run::text || '-' || :client_id::text || '-' || :r::text,
    jsonb_build_array(
         jsonb_build_object('sku', 'SKU-' || lpad(:s0::text, 5, '0'), 'qty', 1),
         jsonb_build_object('sku', 'SKU-' || lpad(:s1::text, 5, '0'), 'qty', 1),
         jsonb_build_object('sku', 'SKU-' || lpad(:s2::text, 5, '0'), 'qty', 1),
         jsonb_build_object('sku', 'SKU-' || lpad(:s3::text, 5, '0'), 'qty', 1),
         jsonb_build_object('sku', 'SKU-' || lpad(:s4::text, 5, '0'), 'qty', 1)));
INSERT INTO bench.orders (ref, sku, qty) VALUES
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s0::text, 5, '0'), 1),
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s1::text, 5, '0'), 1),
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s2::text, 5, '0'), 1),
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s3::text, 5, '0'), 1),
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s4::text, 5, '0'), 1);
COMMIT;
