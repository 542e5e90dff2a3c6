-- hot / floor_slots: hot_bare_slots.sql plus the hold row and the ledger row
-- of the floor (setup.sql, "The floor"), in one statement: the most that
-- anything keeping holds and a ledger can reach on one hot SKU here.
\set r random(1, 1000000000000)
BEGIN;
WITH s AS (
    UPDATE bench.slot_stock SET reserved = reserved + 1, updated_at = now()
     WHERE (sku, slot) = (SELECT sku, slot FROM bench.slot_stock
                           WHERE sku = 'HOT' AND on_hand - reserved >= 1
                           ORDER BY (slot + :client_id * 2) % 16
                           LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING sku, on_hand, reserved
), h AS (
    INSERT INTO bench.floor_hold (sku, location, reference, qty)
    SELECT sku, 'main', 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 1 FROM s
)
INSERT INTO bench.floor_ledger (sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, reference)
SELECT sku, 'main', 'reserve', 0, 1, on_hand, reserved, 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text FROM s;
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'HOT', 1);
COMMIT;
