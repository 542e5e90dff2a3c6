-- slots: hot-SKU mode.  inv_configure(sku, slots => N) keeps each (sku,
-- location) as N stock rows; every function works on the total, each slot
-- keeps I1/I2 and its own ledger (I4 per slot), holds live in one slot.
-- (Which slot a backend starts from varies: only facts that do not depend on
-- it are printed.)
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

\set L 'sku, location, on_hand, reserved, available, status'

-- per (sku, location): slot rows, and whether each slot's holds and ledger
-- match the row (I3 and I4 per slot)
CREATE TEMP VIEW slot_check AS
SELECT s.sku, s.location, count(*) AS slot_rows, min(s.slots) AS slots,
       bool_and(s.reserved = COALESCE((SELECT sum(r.qty) FROM invstock.reservation r
                                        WHERE r.sku = s.sku AND r.location = s.location AND r.slot = s.slot
                                          AND r.status = 'open'), 0)) AS holds_match,
       bool_and(s.on_hand = COALESCE((SELECT sum(m.on_hand_delta) FROM invstock.movement m
                                       WHERE m.sku = s.sku AND m.location = s.location AND m.slot = s.slot), 0)
                AND s.reserved = COALESCE((SELECT sum(m.reserved_delta) FROM invstock.movement m
                                            WHERE m.sku = s.sku AND m.location = s.location AND m.slot = s.slot), 0)) AS ledger_match,
       bool_and(s.on_hand >= s.reserved) AS each_slot_covered,
       sum(s.on_hand) AS on_hand, sum(s.reserved) AS reserved
  FROM invstock.stock s GROUP BY s.sku, s.location;

-- a SKU with stock and a hold, then four slots
SELECT :L FROM invstock.inv_adjust('HOT', 100, 'received');
SELECT :L FROM invstock.inv_adjust('HOT', 10, 'received', location => 'east');
SELECT :L FROM invstock.inv_reserve('HOT', 6, reference => 'before');
SELECT sku, slots FROM invstock.inv_configure('HOT', slots => 4);
SELECT * FROM slot_check ORDER BY sku, location;
-- the free units are spread evenly: 94 free at main, 10 at east
SELECT location, slot, on_hand - reserved AS free FROM invstock.stock WHERE sku = 'HOT'
 ORDER BY location, on_hand - reserved, slot;
-- moving units between slots changes no total: transfer pairs at one location
SELECT kind, reason, count(*), sum(on_hand_delta) AS on_hand_delta, sum(reserved_delta) AS reserved_delta,
       count(DISTINCT transfer_id) AS transfers, bool_and(location = 'main' OR location = 'east') AS same_location
  FROM invstock.movement WHERE sku = 'HOT' AND kind LIKE 'transfer%' GROUP BY kind, reason ORDER BY kind;
SELECT * FROM invstock.inv_sync(repair => false);
-- readers show one level per (sku, location), the sum of its slots
SELECT :L FROM invstock.inv_level('HOT');
SELECT :L FROM invstock.levels WHERE sku = 'HOT' ORDER BY location;
SELECT sku, on_hand, reserved, available FROM invstock.sku_totals WHERE sku = 'HOT';
SELECT on_hand, reserved FROM invstock.inv_level_at('HOT', 'main', now());

-- reserve: the level returned is the total
SELECT :L FROM invstock.inv_reserve('HOT', 3, reference => 'o1');
SELECT :L FROM invstock.inv_reserve('HOT', 2, reference => 'o2', idempotency_key => 'slot-k1');
SELECT :L FROM invstock.inv_reserve('HOT', 2, reference => 'o2', idempotency_key => 'slot-k1');  -- replay
SELECT count(*) AS slots_holding_o1 FROM invstock.reservation WHERE reference = 'o1' AND status = 'open';
-- release and finalize go to the slot of the hold
SELECT :L FROM invstock.inv_release('HOT', 1, reference => 'o1');
SELECT :L FROM invstock.inv_finalize('HOT', reference => 'o1');
SELECT :L FROM invstock.inv_finalize('HOT', reference => 'o2');
SELECT :L FROM invstock.inv_release('HOT', reference => 'before');
SELECT * FROM slot_check WHERE sku = 'HOT' ORDER BY location;

-- a reservation no single slot can serve: the slots are locked in order and
-- free units moved into one (89 free at main, spread about 22 per slot)
SELECT :L FROM invstock.inv_reserve('HOT', 60, reference => 'big');
SELECT count(*) AS slots_holding_big, sum(qty) AS held FROM invstock.reservation
 WHERE reference = 'big' AND status = 'open';
SELECT * FROM slot_check WHERE sku = 'HOT' ORDER BY location;
-- more than the total is refused, with the total in the detail
SELECT :L FROM invstock.inv_reserve('HOT', 37, reference => 'too-big');
SELECT :L FROM invstock.inv_reserve('HOT', 36, reference => 'rest');
SELECT :L FROM invstock.inv_release('HOT', reference => 'rest');

-- one reference holding units in two slots (its first slot ran dry):
-- release and finalize take from both, in slot order
SELECT sku, slots FROM invstock.inv_configure('TWO', slots => 2);
SELECT :L FROM invstock.inv_adjust('TWO', 10, 'received');
SELECT location, slot, on_hand, reserved FROM invstock.stock WHERE sku = 'TWO' ORDER BY slot;
SELECT :L FROM invstock.inv_reserve('TWO', 5, reference => 'x');
SELECT :L FROM invstock.inv_reserve('TWO', 3, reference => 'x');
SELECT count(*) AS slots_holding_x, sum(qty) AS held FROM invstock.reservation
 WHERE reference = 'x' AND status = 'open';
SELECT :L FROM invstock.inv_release('TWO', 9, reference => 'x');   -- more than held in total
SELECT :L FROM invstock.inv_release('TWO', 6, reference => 'x');
SELECT count(*) AS open_holds_of_x, sum(qty) AS held FROM invstock.reservation
 WHERE reference = 'x' AND status = 'open';
SELECT :L FROM invstock.inv_finalize('TWO', reference => 'x');
SELECT count(*) AS holds, count(*) FILTER (WHERE status <> 'open') AS closed,
       sum(qty_released) AS released, sum(qty_finalized) AS finalized
  FROM invstock.reservation WHERE sku = 'TWO';
SELECT * FROM slot_check WHERE sku = 'TWO';

-- receipts spread over the slots; removals take from the slots with the most free units
SELECT :L FROM invstock.inv_adjust('TWO', 7, 'received');
SELECT array_agg(on_hand - reserved ORDER BY on_hand - reserved) AS free FROM invstock.stock WHERE sku = 'TWO';
SELECT :L FROM invstock.inv_adjust('TWO', -10, 'damaged');
SELECT :L FROM invstock.inv_adjust('TWO', -5, 'damaged');   -- more than on hand
-- a count sets the total
SELECT previous, counted, discrepancy, on_hand, reserved, available FROM invstock.inv_count('TWO', 12);
SELECT count(*) AS slots_counted FROM invstock.stock WHERE sku = 'TWO' AND last_counted_at IS NOT NULL;
SELECT previous, counted, discrepancy, on_hand FROM invstock.inv_count('TWO', 12);   -- no change: one movement
SELECT kind, count(*), sum(on_hand_delta) FROM invstock.movement WHERE sku = 'TWO' AND kind = 'count' GROUP BY kind;
-- a transfer out of and into slotted locations
SELECT :L FROM invstock.inv_transfer('TWO', 11, 'main', 'north');
SELECT count(*) AS north_slots FROM invstock.stock WHERE sku = 'TWO' AND location = 'north';
SELECT kind, count(DISTINCT transfer_id), sum(on_hand_delta) FROM invstock.movement
 WHERE sku = 'TWO' AND reason IS DISTINCT FROM 'units moved between slots' AND kind LIKE 'transfer%'
 GROUP BY kind ORDER BY kind;
SELECT * FROM slot_check WHERE sku = 'TWO' ORDER BY location;

-- orders: a slotted line, then release/finalize of holds in several slots
-- give one level per (sku, location)
SELECT :L FROM invstock.inv_adjust('PLAIN', 5, 'received');
SELECT :L FROM invstock.inv_reserve_order('ORD-1', '[{"sku": "HOT", "qty": 4}, {"sku": "PLAIN", "qty": 1}, {"sku": "TWO", "qty": 2, "location": "north"}]');
SELECT :L FROM invstock.inv_reserve_order('ORD-1', '[{"sku": "HOT", "qty": 80}]');   -- not enough in total
SELECT :L FROM invstock.inv_reserve_order('ORD-1', '[{"sku": "TWO", "qty": 8, "location": "north"}]');
SELECT count(*) AS holds, count(DISTINCT (sku, location)) AS places FROM invstock.reservation
 WHERE reference = 'ORD-1' AND status = 'open';
SELECT :L FROM invstock.inv_release_order('ORD-1');
SELECT :L FROM invstock.inv_reserve_order('ORD-2', '[{"sku": "HOT", "qty": 1}, {"sku": "TWO", "qty": 1, "location": "north"}]');
SELECT :L FROM invstock.inv_finalize_order('ORD-2');

-- fewer slots: the stock and holds of the removed slots move to the others
SELECT :L FROM invstock.inv_adjust('HOT', 100, 'received');
SELECT :L FROM invstock.inv_reserve('HOT', 30, reference => 'y');
SELECT :L FROM invstock.inv_reserve('HOT', 10, reference => 'z', ttl => '1 hour');
SELECT sum(qty) AS held_before FROM invstock.reservation WHERE sku = 'HOT' AND status = 'open';
SELECT sku, slots FROM invstock.inv_configure('HOT', slots => 1);
SELECT location, slot, slots, on_hand, reserved, next_expiry IS NOT NULL AS expiry_known
  FROM invstock.stock WHERE sku = 'HOT' ORDER BY location, slot;
SELECT reference, slot, qty, expires_at IS NOT NULL AS expires FROM invstock.reservation
 WHERE sku = 'HOT' AND status = 'open' ORDER BY reference;
SELECT * FROM slot_check WHERE sku = 'HOT' ORDER BY location;
SELECT :L FROM invstock.inv_finalize('HOT', reference => 'big');
-- and more again
SELECT sku, slots FROM invstock.inv_configure('HOT', slots => 8);
SELECT * FROM slot_check WHERE sku = 'HOT' ORDER BY location;
SELECT :L FROM invstock.inv_release('HOT', reference => 'y');
SELECT :L FROM invstock.inv_release('HOT', reference => 'z');
SELECT * FROM invstock.inv_sync(repair => false);

-- a reference holding units in two slots that merge keeps one hold, which
-- expires at the later of the two expiries (here: never)
SELECT sku, slots FROM invstock.inv_configure('MRG', slots => 2);
SELECT :L FROM invstock.inv_adjust('MRG', 10, 'received');
SELECT :L FROM invstock.inv_reserve('MRG', 5, reference => 'm');
SELECT :L FROM invstock.inv_reserve('MRG', 3, reference => 'm', ttl => '1 hour', notes => 'second part');
SELECT count(*) AS holds_of_m FROM invstock.reservation WHERE reference = 'm' AND status = 'open';
SELECT sku, slots FROM invstock.inv_configure('MRG', slots => 1);
SELECT slot, qty, expires_at IS NULL AS never_expires, notes FROM invstock.reservation WHERE reference = 'm';
SELECT * FROM slot_check WHERE sku = 'MRG';
SELECT :L FROM invstock.inv_finalize('MRG', reference => 'm');

-- a backorder SKU with slots: reservations never fail; finalize brings units
-- on hand into the slot of the hold from the others
SELECT sku, slots, allow_backorder FROM invstock.inv_configure('PRE', allow_backorder => true, slots => 3);
SELECT :L FROM invstock.inv_reserve('PRE', 4, reference => 'p1');
SELECT :L FROM invstock.inv_reserve('PRE', 2, reference => 'p2');
SELECT :L FROM invstock.inv_finalize('PRE', reference => 'p1');   -- nothing on hand yet
SELECT :L FROM invstock.inv_adjust('PRE', 5, 'received');
SELECT :L FROM invstock.inv_finalize('PRE', reference => 'p1');
SELECT :L FROM invstock.inv_finalize_order('p2');  -- 2 held, 1 on hand
SELECT :L FROM invstock.inv_adjust('PRE', 1, 'received');
SELECT :L FROM invstock.inv_finalize_order('p2');
SELECT * FROM slot_check WHERE sku = 'PRE';

-- an untracked SKU with slots accepts everything and keeps nothing
SELECT sku, slots, track_inventory FROM invstock.inv_configure('FREE', track_inventory => false, slots => 4);
SELECT :L FROM invstock.inv_reserve('FREE', 3, reference => 'f');
SELECT :L FROM invstock.inv_release('FREE', reference => 'nothing');
SELECT count(*) FROM invstock.stock WHERE sku = 'FREE';

-- the trigger keeps slots consistent for direct writes too
UPDATE invstock.stock SET slots = 3 WHERE sku = 'TWO' AND location = 'main' AND slot = 0;
INSERT INTO invstock.location (location) VALUES ('south');
INSERT INTO invstock.stock (sku, location, slot, slots) VALUES ('TWO', 'south', 2, 2);
INSERT INTO invstock.stock (sku, location, slot, slots) VALUES ('TWO', 'south', 0, 3);
INSERT INTO invstock.stock (sku, location, slot, slots) VALUES ('TWO', 'south', -1, 2);
UPDATE invstock.stock SET slot = 1 WHERE sku = 'PLAIN';
-- a direct receipt into one slot is recorded as 'direct' on that slot
UPDATE invstock.stock SET on_hand = on_hand + 2 WHERE sku = 'TWO' AND location = 'north' AND slot = 1;
SELECT kind, slot, on_hand_delta FROM invstock.movement WHERE sku = 'TWO' AND kind = 'direct';
SELECT :L FROM invstock.inv_level('TWO', 'north');

-- bad slot counts
SELECT sku, slots FROM invstock.inv_configure('TWO', slots => 0);
SELECT sku, slots FROM invstock.inv_configure('TWO', slots => 65);
SELECT sku, slots FROM invstock.inv_configure('TWO', slots => -1);

-- every invariant, per slot
SELECT * FROM slot_check ORDER BY sku, location;
SELECT * FROM invstock.inv_sync(repair => false);

-- movement and reservation have no CHECK constraints since 1.2 (only
-- invstock's functions write them): the values written stay in their sets
SELECT count(*) AS movements,
       count(*) FILTER (WHERE kind NOT IN ('adjust', 'reserve', 'release', 'finalize', 'expire', 'count',
                                           'transfer_out', 'transfer_in', 'sync', 'direct')) AS bad_kind
  FROM invstock.movement;
SELECT count(*) AS holds,
       count(*) FILTER (WHERE status NOT IN ('open', 'finalized', 'released', 'expired')) AS bad_status,
       count(*) FILTER (WHERE qty < 0 OR qty_finalized < 0 OR qty_released < 0 OR qty_expired < 0) AS negative,
       count(*) FILTER (WHERE (status = 'open') <> (qty > 0)) AS open_iff_units
  FROM invstock.reservation;
