-- hot / bare_slots: the bare guarded UPDATE on HOT kept as 16 plain rows
-- (bench.slot_stock): each reservation takes the first row, from this
-- client's own starting row on, that has enough available and that no other
-- transaction holds (FOR UPDATE SKIP LOCKED).  No hold, no ledger: the most
-- that splitting one SKU's row lock can give on this machine.
\set r random(1, 1000000000000)
BEGIN;
UPDATE bench.slot_stock SET reserved = reserved + 1, updated_at = now()
 WHERE (sku, slot) = (SELECT sku, slot FROM bench.slot_stock
                       WHERE sku = 'HOT' AND on_hand - reserved >= 1
                       ORDER BY (slot + :client_id * 2) % 16
                       LIMIT 1 FOR UPDATE SKIP LOCKED);
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'HOT', 1);
COMMIT;
