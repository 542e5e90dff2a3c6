-- uniform / floor_indexed: uniform_floor.sql with the indexes that the
-- contract's other operations need (setup.sql, "The floor"): holds with a
-- primary key and found by reference (an order's holds), the ledger with a
-- primary key and a history index per stock row.  Still no function, no
-- checks, no idempotency: a bound, not an implementation.
\set n random(1, 10000)
\set r random(1, 1000000000000)
BEGIN;
WITH s AS (
    UPDATE bench.stock SET reserved = reserved + 1, updated_at = now()
     WHERE sku = 'SKU-' || lpad(:n::text, 5, '0') AND on_hand - reserved >= 1
    RETURNING sku, on_hand, reserved
), h AS (
    INSERT INTO bench.floor_hold_indexed (sku, location, reference, qty)
    SELECT sku, 'main', 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 1 FROM s
)
INSERT INTO bench.floor_ledger_indexed (sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, reference)
SELECT sku, 'main', 'reserve', 0, 1, on_hand, reserved, 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text FROM s;
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:n::text, 5, '0'), 1);
COMMIT;
