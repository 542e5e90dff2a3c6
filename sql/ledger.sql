-- ledger: one movement per change for every kind, I4, direct writes held to the invariants, the append-only ledger, inv_level_at and inv_level
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- a role with a fixed name, so the actor of the movements prints the same everywhere
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_ledger') THEN
        CREATE ROLE regress_invstock_ledger NOLOGIN;
    END IF;
END
$$;
GRANT invstock_admin TO regress_invstock_ledger;
SET ROLE regress_invstock_ledger;

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'

-- the ledger without its timestamps and txid
CREATE TEMP VIEW ledger AS
SELECT id, sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after,
       reference, reason, actor, idempotency_key, transfer_id
  FROM invstock.movement;
-- I4 for every stock row: the table against the sums of its ledger
CREATE TEMP VIEW i4 AS
SELECT s.sku, s.location, s.on_hand, s.reserved,
       (SELECT coalesce(sum(m.on_hand_delta), 0) FROM invstock.movement m
         WHERE m.sku = s.sku AND m.location = s.location) AS ledger_on_hand,
       (SELECT coalesce(sum(m.reserved_delta), 0) FROM invstock.movement m
         WHERE m.sku = s.sku AND m.location = s.location) AS ledger_reserved
  FROM invstock.stock s;

------------------------------------------------------------------------------
-- One movement per change, with the right kind, for every kind
------------------------------------------------------------------------------

-- adjust: reference, reason, an explicit actor and an idempotency key
SELECT :L FROM invstock.inv_adjust('LG', 20, 'purchase order received', reference => 'PO-1',
                                   idempotency_key => 'k-adjust', actor => 'alice');
-- reserve: the notes are the movement's reason
SELECT :L FROM invstock.inv_reserve('LG', 6, reference => 'ORD-1', idempotency_key => 'k-reserve',
                                    notes => 'gift wrap');
-- release: part of the hold, with a reason
SELECT :L FROM invstock.inv_release('LG', 2, reference => 'ORD-1', reason => 'customer removed items',
                                    idempotency_key => 'k-release');
-- finalize: the rest of the hold leaves on_hand and reserved
SELECT :L FROM invstock.inv_finalize('LG', reference => 'ORD-1', idempotency_key => 'k-finalize');
-- count: counted_by is the actor, notes the reason; the discrepancy is the delta
SELECT sku, location, previous, counted, discrepancy, on_hand, reserved, available
  FROM invstock.inv_count('LG', 15, counted_by => 'bob', notes => 'cycle count',
                          idempotency_key => 'k-count');
-- a count that finds no discrepancy is still recorded (delta 0)
SELECT sku, location, previous, counted, discrepancy, on_hand, reserved, available
  FROM invstock.inv_count('LG', 15);
-- transfer: transfer_out and transfer_in sharing one transfer_id
SELECT :L FROM invstock.inv_transfer('LG', 5, 'main', 'backroom', reason => 'rebalance',
                                     idempotency_key => 'k-transfer');
-- expire: a hold whose ttl passed is released by the next operation on its row
SELECT :L FROM invstock.inv_reserve('LG', 3, reference => 'ORD-2', ttl => '10 milliseconds');
SELECT pg_sleep(0.1);
SELECT :L FROM invstock.inv_adjust('LG', 1, 'found one');
SELECT reference, qty, status, qty_expired FROM invstock.reservation WHERE reference = 'ORD-2';
-- direct: a valid direct UPDATE of invstock.stock, actor = the role
UPDATE invstock.stock SET on_hand = on_hand + 4 WHERE sku = 'LG' AND location = 'backroom';
-- sync: drift made with the trigger disabled is recorded by inv_sync
RESET ROLE;
ALTER TABLE invstock.stock DISABLE TRIGGER stock_guard;
UPDATE invstock.stock SET on_hand = on_hand - 1 WHERE sku = 'LG' AND location = 'main';
ALTER TABLE invstock.stock ENABLE TRIGGER stock_guard;
SET ROLE regress_invstock_ledger;
SELECT * FROM invstock.inv_sync();

SELECT * FROM ledger ORDER BY id;
-- every kind of the contract was written
SELECT kind, count(*) FROM invstock.movement GROUP BY kind ORDER BY kind;
-- the two transfer movements share a transfer_id no other movement has
SELECT count(DISTINCT transfer_id) AS transfer_ids, count(*) AS transfer_movements
  FROM invstock.movement WHERE transfer_id IS NOT NULL;
-- every movement is stamped with its time and transaction
SELECT count(*) AS unstamped FROM invstock.movement WHERE at IS NULL OR txid IS NULL;
SELECT * FROM i4 ORDER BY sku, location;

------------------------------------------------------------------------------
-- I4 after a mix of calls over several SKUs and locations
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('MIX', 30, 'receipt');
SELECT :L FROM invstock.inv_adjust('MIX', 12, 'receipt', location => 'store-1');
SELECT :L FROM invstock.inv_reserve_order('ORD-10',
    '[{"sku": "MIX", "qty": 4}, {"sku": "MIX", "qty": 2, "location": "store-1"}, {"sku": "LG", "qty": 1}]');
SELECT :L FROM invstock.inv_finalize_order('ORD-10');
SELECT :L FROM invstock.inv_reserve_order('ORD-11', '[{"sku": "MIX", "qty": 5}]');
SELECT :L FROM invstock.inv_release_order('ORD-11', reason => 'cancelled');
SELECT :L FROM invstock.inv_transfer('MIX', 7, 'store-1', 'main');
SELECT :L FROM invstock.inv_reserve('MIX', 3, location => 'store-1');
SELECT sku, location, previous, counted, discrepancy FROM invstock.inv_count('MIX', 20, location => 'store-2');
SELECT :L FROM invstock.inv_adjust('MIX', -6, 'damaged');
-- every movement of one transaction carries the same txid
BEGIN;
SELECT :L FROM invstock.inv_adjust('MIX', 1, 'receipt', location => 'store-2');
SELECT :L FROM invstock.inv_reserve('MIX', 1, location => 'store-2', reference => 'T');
SELECT :L FROM invstock.inv_finalize('MIX', location => 'store-2', reference => 'T');
COMMIT;
SELECT count(*) AS movements, count(DISTINCT txid) AS txids, count(DISTINCT at) AS times
  FROM invstock.movement WHERE location = 'store-2' AND kind <> 'count';
SELECT * FROM ledger WHERE sku = 'MIX' OR reference IN ('ORD-10', 'ORD-11') ORDER BY id;
SELECT * FROM i4 ORDER BY sku, location;
SELECT count(*) AS rows_breaking_i4 FROM i4
 WHERE on_hand <> ledger_on_hand OR reserved <> ledger_reserved;

------------------------------------------------------------------------------
-- Direct UPDATE of invstock.stock
------------------------------------------------------------------------------

SELECT max(id) AS last_id FROM invstock.movement \gset
-- a valid change of on_hand and reserved together: one direct movement
UPDATE invstock.stock SET on_hand = on_hand + 2, reserved = reserved + 1
 WHERE sku = 'MIX' AND location = 'main';
-- a change of a column other than on_hand/reserved writes nothing
UPDATE invstock.stock SET updated_at = updated_at WHERE sku = 'MIX' AND location = 'main';
-- the JWT sub claim (PostgREST) is the actor when set
SET request.jwt.claims = '{"role": "web", "sub": "user-42"}';
UPDATE invstock.stock SET on_hand = on_hand + 1 WHERE sku = 'MIX' AND location = 'main';
SELECT :L FROM invstock.inv_adjust('MIX', 1, 'receipt by the web shop');
RESET request.jwt.claims;
SELECT * FROM ledger WHERE id > :last_id ORDER BY id;
-- the extra reserved unit left I3 broken; put it back
UPDATE invstock.stock SET reserved = reserved - 1 WHERE sku = 'MIX' AND location = 'main';

-- direct UPDATEs that break I1 or I2 fail with 23514 and leave nothing
SELECT max(id) AS last_id FROM invstock.movement \gset
SELECT sku, location, on_hand, reserved FROM invstock.stock ORDER BY sku, location;
UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'MIX' AND location = 'main';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET reserved = -1 WHERE sku = 'MIX' AND location = 'main';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET reserved = on_hand + 1 WHERE sku = 'MIX' AND location = 'main';
\echo :LAST_ERROR_SQLSTATE
-- store-1 holds 3 units: on_hand 2 is below reserved
UPDATE invstock.stock SET on_hand = 2 WHERE sku = 'MIX' AND location = 'store-1';
\echo :LAST_ERROR_SQLSTATE
-- a statement over several rows fails as a whole when one row breaks I1
UPDATE invstock.stock SET on_hand = on_hand - 10 WHERE sku = 'MIX';
\echo :LAST_ERROR_SQLSTATE
SELECT sku, location, on_hand, reserved FROM invstock.stock ORDER BY sku, location;
SELECT count(*) AS new_movements FROM invstock.movement WHERE id > :last_id;

-- the key and the policy copy of a row cannot change (23514)
UPDATE invstock.stock SET location = 'store-2' WHERE sku = 'LG' AND location = 'backroom';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET sku = 'LG' WHERE sku = 'MIX' AND location = 'store-1';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET slot = 1 WHERE sku = 'MIX' AND location = 'main';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET track_inventory = false WHERE sku = 'MIX' AND location = 'main';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET allow_backorder = true WHERE sku = 'MIX';
\echo :LAST_ERROR_SQLSTATE
SELECT sku, location, slot, track_inventory, allow_backorder FROM invstock.stock ORDER BY sku, location;
SELECT count(*) AS new_movements FROM invstock.movement WHERE id > :last_id;

------------------------------------------------------------------------------
-- Direct INSERT and DELETE of invstock.stock
------------------------------------------------------------------------------

SELECT sku FROM invstock.inv_configure('NEW');
SELECT sku FROM invstock.inv_configure('NEWBO', allow_backorder => true);
SELECT max(id) AS last_id FROM invstock.movement \gset
-- an INSERT is held to I1/I2 and must carry the SKU's policy (23514)
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('NEW', 'main', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.stock (sku, location, on_hand, reserved) VALUES ('NEW', 'main', 1, 2);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('NEWBO', 'main', 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.stock (sku, location, on_hand, allow_backorder) VALUES ('NEW', 'main', 1, true);
\echo :LAST_ERROR_SQLSTATE
-- (in a transaction rolled back, so that the rest does not depend on it)
BEGIN;
INSERT INTO invstock.stock (sku, location, on_hand, track_inventory) VALUES ('NEW', 'main', 1, false);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS new_movements FROM invstock.movement WHERE id > :last_id;
SELECT count(*) AS new_rows FROM invstock.stock WHERE sku IN ('NEW', 'NEWBO');
-- a valid INSERT records its values as a direct movement
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('NEW', 'main', 7);
INSERT INTO invstock.stock (sku, location, on_hand, reserved, allow_backorder)
VALUES ('NEWBO', 'main', 0, 0, true);
SELECT * FROM ledger WHERE id > :last_id ORDER BY id;
SELECT :L FROM invstock.inv_level('NEW');

-- DELETE is refused while units are reserved
SELECT :L FROM invstock.inv_reserve('NEW', 2, reference => 'D');
DELETE FROM invstock.stock WHERE sku = 'NEW';
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('NEW', reference => 'D');
-- otherwise it writes a direct movement taking the row to zero
SELECT max(id) AS last_id FROM invstock.movement \gset
DELETE FROM invstock.stock WHERE sku = 'NEW';
SELECT * FROM ledger WHERE id > :last_id ORDER BY id;
SELECT sum(on_hand_delta) AS ledger_on_hand, sum(reserved_delta) AS ledger_reserved
  FROM invstock.movement WHERE sku = 'NEW';
-- re-inserting it records it again from zero
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('NEW', 'main', 3);
SELECT * FROM ledger WHERE id > :last_id ORDER BY id;

-- a restore: the row comes back while its movements are still in the ledger;
-- the INSERT records only the difference (none, then 5)
SELECT max(id) AS last_id FROM invstock.movement \gset
RESET ROLE;
ALTER TABLE invstock.stock DISABLE TRIGGER stock_guard;
DELETE FROM invstock.stock WHERE sku = 'NEW';
ALTER TABLE invstock.stock ENABLE TRIGGER stock_guard;
SET ROLE regress_invstock_ledger;
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('NEW', 'main', 3);
SELECT count(*) AS new_movements FROM invstock.movement WHERE id > :last_id;
RESET ROLE;
ALTER TABLE invstock.stock DISABLE TRIGGER stock_guard;
DELETE FROM invstock.stock WHERE sku = 'NEW';
ALTER TABLE invstock.stock ENABLE TRIGGER stock_guard;
SET ROLE regress_invstock_ledger;
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('NEW', 'main', 8);
SELECT * FROM ledger WHERE id > :last_id ORDER BY id;
SELECT * FROM i4 ORDER BY sku, location;
SELECT * FROM invstock.inv_sync(repair => false);

------------------------------------------------------------------------------
-- The ledger is append-only, even for the superuser (42501)
------------------------------------------------------------------------------

RESET ROLE;
SELECT count(*) AS movements, sum(on_hand_delta) AS total_on_hand_delta FROM invstock.movement \gset
UPDATE invstock.movement SET on_hand_delta = 0 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.movement SET reason = 'rewritten';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.movement;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :movements AS same_count, sum(on_hand_delta) = :total_on_hand_delta AS same_sum
  FROM invstock.movement;
SELECT id, kind, on_hand_delta, reason FROM ledger WHERE id = 1;
SET ROLE regress_invstock_ledger;

------------------------------------------------------------------------------
-- inv_level_at: the level as it stood at a point in time, from the ledger
------------------------------------------------------------------------------

SELECT clock_timestamp() AS t0 \gset
SELECT sku FROM invstock.inv_configure('HIST');
BEGIN;
SELECT :L FROM invstock.inv_adjust('HIST', 10, 'receipt');
SELECT :L FROM invstock.inv_reserve('HIST', 3, reference => 'H1');
COMMIT;
SELECT clock_timestamp() AS t1 \gset
BEGIN;
SELECT :L FROM invstock.inv_finalize('HIST', reference => 'H1');
SELECT :L FROM invstock.inv_adjust('HIST', 5, 'receipt', location => 'north');
COMMIT;
SELECT clock_timestamp() AS t2 \gset
SELECT :L FROM invstock.inv_adjust('HIST', -2, 'damaged');
SELECT clock_timestamp() AS t3 \gset

-- before any movement: zeros, updated_at NULL
SELECT :L, updated_at IS NULL AS no_movement_yet FROM invstock.inv_level_at('HIST', 'main', :'t0');
SELECT :L, updated_at IS NULL AS no_movement_yet FROM invstock.inv_level_at('HIST', 'north', :'t0');
-- after the first transaction: 10 on hand, 3 reserved
SELECT :L FROM invstock.inv_level_at('HIST', 'main', :'t1');
SELECT :L, updated_at IS NULL AS no_movement_yet FROM invstock.inv_level_at('HIST', 'north', :'t1');
-- after the second: the hold left, north received 5
SELECT :L FROM invstock.inv_level_at('HIST', 'main', :'t2');
SELECT :L FROM invstock.inv_level_at('HIST', 'north', :'t2');
-- after the third, and now: the same as inv_level
SELECT :L FROM invstock.inv_level_at('HIST', 'main', :'t3');
SELECT :L FROM invstock.inv_level_at('HIST', NULL, now());
SELECT :L FROM invstock.inv_level('HIST');
-- updated_at is the time of the last movement at or before the point in time
SELECT (SELECT updated_at FROM invstock.inv_level_at('HIST', 'main', :'t2'))
     = (SELECT max(at) FROM invstock.movement WHERE sku = 'HIST' AND location = 'main'
         AND at <= :'t2') AS updated_at_is_last_movement;
-- a movement's own time includes it
SELECT :L FROM invstock.inv_level_at('HIST', 'main',
    (SELECT at FROM invstock.movement WHERE sku = 'HIST' AND kind = 'finalize'));
-- a location the SKU never had: zeros
SELECT :L, updated_at IS NULL AS no_movement_yet FROM invstock.inv_level_at('HIST', 'nowhere', now());
-- errors: unknown SKU P0002, NULL arguments 22004, bad names 22023
SELECT :L FROM invstock.inv_level_at('NOPE', 'main', now());
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('HIST', 'main', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at(NULL, 'main', now());
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('HIST', '', now());
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- inv_level: the current level
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_level('LG');
SELECT :L FROM invstock.inv_level('LG', 'backroom');
SELECT :L FROM invstock.inv_level('LG', NULL);
SELECT (SELECT updated_at FROM invstock.inv_level('LG'))
     = (SELECT updated_at FROM invstock.stock WHERE sku = 'LG' AND location = 'main') AS same_updated_at;
-- errors: unknown SKU, unknown (sku, location) P0002; NULL sku 22004; bad names 22023
SELECT :L FROM invstock.inv_level('NOPE');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('LG', 'nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('HIST', 'backroom');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('LG', repeat('x', 256));
\echo :LAST_ERROR_SQLSTATE

-- the invariants at the end
SELECT count(*) AS rows_breaking_i4 FROM i4
 WHERE on_hand <> ledger_on_hand OR reserved <> ledger_reserved;
SELECT * FROM invstock.inv_sync(repair => false);

RESET ROLE;
DROP OWNED BY regress_invstock_ledger;
REVOKE invstock_admin FROM regress_invstock_ledger;
DROP ROLE regress_invstock_ledger;
