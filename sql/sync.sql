-- sync: inv_sync reports drift (I1-I4, orphan holds), repairs it with sync movements, filters, expires holds and purges old idempotency keys
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- a role with a fixed name, so the actor of the movements prints the same everywhere
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_sync') THEN
        CREATE ROLE regress_invstock_sync NOLOGIN;
    END IF;
END
$$;
GRANT invstock_admin TO regress_invstock_sync;
SET ROLE regress_invstock_sync;

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'

-- the ledger without its timestamps and txid
CREATE TEMP VIEW ledger AS
SELECT id, sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after,
       reference, reason, actor
  FROM invstock.movement;
-- every stock row with its ledger sums and the sum of its open holds
CREATE TEMP VIEW state AS
SELECT s.sku, s.location, s.on_hand, s.reserved,
       (SELECT coalesce(sum(m.on_hand_delta), 0) FROM invstock.movement m
         WHERE m.sku = s.sku AND m.location = s.location) AS ledger_on_hand,
       (SELECT coalesce(sum(m.reserved_delta), 0) FROM invstock.movement m
         WHERE m.sku = s.sku AND m.location = s.location) AS ledger_reserved,
       (SELECT coalesce(sum(r.qty), 0) FROM invstock.reservation r
         WHERE r.sku = s.sku AND r.location = s.location AND r.status = 'open') AS held
  FROM invstock.stock s;

------------------------------------------------------------------------------
-- A consistent database: nothing to report
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('SA', 10, 'receipt');
SELECT :L FROM invstock.inv_reserve('SA', 3, reference => 'r1');
SELECT :L FROM invstock.inv_adjust('SA', 5, 'receipt', location => 'store');
SELECT :L FROM invstock.inv_adjust('SB', 8, 'receipt');
SELECT :L FROM invstock.inv_reserve('SB', 2, reference => 'r2');
SELECT :L FROM invstock.inv_adjust('SC', 4, 'receipt');
SELECT :L FROM invstock.inv_adjust('SE', 3, 'receipt', location => 'store');
SELECT * FROM invstock.inv_sync();
SELECT * FROM invstock.inv_sync(repair => false);
SELECT * FROM invstock.inv_sync('SA', 'main', false);
SELECT max(id) AS last_id FROM invstock.movement \gset

------------------------------------------------------------------------------
-- Drift a DBA can make
------------------------------------------------------------------------------

-- (a) with the trigger disabled: the table moves away from its ledger (I4)
RESET ROLE;
ALTER TABLE invstock.stock DISABLE TRIGGER stock_guard;
UPDATE invstock.stock SET on_hand = 12 WHERE sku = 'SA' AND location = 'main';
UPDATE invstock.stock SET reserved = 5 WHERE sku = 'SB' AND location = 'main';
-- a row deleted behind the ledger's back: its movements still sum to 3
DELETE FROM invstock.stock WHERE sku = 'SE' AND location = 'store';
ALTER TABLE invstock.stock ENABLE TRIGGER stock_guard;
-- (c) holds inserted directly: one for an existing row, one for a row that does not exist
INSERT INTO invstock.reservation (sku, location, reference, qty) VALUES ('SA', 'store', 'manual', 2);
INSERT INTO invstock.reservation (sku, location, reference, qty) VALUES ('SA', 'ghost', 'lost', 1);
SET ROLE regress_invstock_sync;
-- (b) a direct UPDATE of reserved with the trigger on: recorded (I4 holds), but no hold has it (I3)
UPDATE invstock.stock SET reserved = 1 WHERE sku = 'SC' AND location = 'main';
SELECT * FROM ledger WHERE id > :last_id ORDER BY id;
SELECT * FROM state ORDER BY sku, location;

------------------------------------------------------------------------------
-- repair => false reports and changes nothing
------------------------------------------------------------------------------

SELECT count(*) AS movements FROM invstock.movement \gset
-- SA main: ledger_on_hand (ledger 10, table 12)
-- SA store: holds_reserved (holds 2, reserved 0)
-- SB main: ledger_reserved (ledger 2, table 5) and holds_reserved (holds 2, reserved 5)
-- SC main: holds_reserved (holds 0, reserved 1)
-- SA ghost: orphan_hold (1 unit held for a row that does not exist)
-- SE store: ledger_on_hand (ledger 3 for a row that does not exist)
SELECT * FROM invstock.inv_sync(repair => false);
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT * FROM state ORDER BY sku, location;
SELECT sku, location, reference, qty, status FROM invstock.reservation ORDER BY id;

-- the sku and location filters (NULL = all)
SELECT * FROM invstock.inv_sync(sku => 'SA', repair => false);
SELECT * FROM invstock.inv_sync(location => 'store', repair => false);
SELECT * FROM invstock.inv_sync('SB', 'main', false);
SELECT * FROM invstock.inv_sync('SB', 'store', false);
SELECT * FROM invstock.inv_sync('NOPE', NULL, false);
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;

-- bad arguments
SELECT * FROM invstock.inv_sync(repair => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync('', NULL, false);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync(NULL, repeat('x', 256), false);
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- repair => true fixes the drift with sync movements
------------------------------------------------------------------------------

-- a filtered repair touches only what is in scope
SELECT * FROM invstock.inv_sync(sku => 'SC');
SELECT * FROM ledger WHERE id > :movements ORDER BY id;
SELECT * FROM invstock.inv_sync(repair => false);
-- repair everything else
SELECT max(id) AS last_id FROM invstock.movement \gset
SELECT * FROM invstock.inv_sync();
-- the sync movements: the ledger brought in line with the table, reserved with the holds
SELECT * FROM ledger WHERE id > :last_id ORDER BY id;
SELECT * FROM state ORDER BY sku, location;
-- the orphan hold was closed as released
SELECT sku, location, reference, qty, status, qty_released, closed_at IS NOT NULL AS closed
  FROM invstock.reservation ORDER BY id;
-- a second run finds nothing
SELECT * FROM invstock.inv_sync();
SELECT * FROM invstock.inv_sync(repair => false);
-- the ledger of the deleted row sums to zero
SELECT sum(on_hand_delta) AS ledger_on_hand, sum(reserved_delta) AS ledger_reserved
  FROM invstock.movement WHERE sku = 'SE';
-- the levels the functions see are the repaired ones
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT :L FROM invstock.inv_release('SA', location => 'store', reference => 'manual');

------------------------------------------------------------------------------
-- I1/I2 breaks are reported, never repaired (only a count knows the truth)
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('SD', 2, 'receipt');
SELECT :L FROM invstock.inv_adjust('SF', 2, 'receipt');
RESET ROLE;
ALTER TABLE invstock.stock DISABLE TRIGGER stock_guard;
UPDATE invstock.stock SET on_hand = -2 WHERE sku = 'SD';
UPDATE invstock.stock SET reserved = 3 WHERE sku = 'SF';
ALTER TABLE invstock.stock ENABLE TRIGGER stock_guard;
SET ROLE regress_invstock_sync;
SELECT * FROM invstock.inv_sync(repair => false);
SELECT max(id) AS last_id FROM invstock.movement \gset
SELECT * FROM invstock.inv_sync();
SELECT * FROM ledger WHERE id > :last_id ORDER BY id;
-- what only a count can fix stays reported
SELECT * FROM invstock.inv_sync();
SELECT sku, location, on_hand, reserved FROM invstock.stock WHERE sku IN ('SD', 'SF') ORDER BY sku;
-- (SF's reserved units had no hold: the I3 repair set reserved to 0, which ended the I2 break)
-- a physical count puts SD right
SELECT sku, location, previous, counted, discrepancy, on_hand, reserved, available
  FROM invstock.inv_count('SD', 0);
SELECT * FROM invstock.inv_sync();

-- holds worth more than on_hand: I3 cannot be repaired without breaking I2
SELECT :L FROM invstock.inv_adjust('SG', 5, 'receipt');
RESET ROLE;
INSERT INTO invstock.reservation (sku, location, reference, qty) VALUES ('SG', 'main', 'too-big', 10);
SET ROLE regress_invstock_sync;
SELECT * FROM invstock.inv_sync();
SELECT * FROM invstock.inv_sync();
SELECT sku, location, on_hand, reserved FROM invstock.stock WHERE sku = 'SG';
-- closing the bogus hold by hand ends it
RESET ROLE;
UPDATE invstock.reservation SET qty = 0, status = 'released', closed_at = now() WHERE reference = 'too-big';
SET ROLE regress_invstock_sync;
SELECT * FROM invstock.inv_sync();

------------------------------------------------------------------------------
-- inv_sync expires overdue holds (housekeeping, not reported)
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('SB', 1, reference => 'short', ttl => '10 milliseconds');
SELECT pg_sleep(0.1);
-- readers do not expire: the hold still counts
SELECT :L FROM invstock.inv_level('SB');
SELECT max(id) AS last_id FROM invstock.movement \gset
SELECT * FROM invstock.inv_sync();
SELECT * FROM ledger WHERE id > :last_id ORDER BY id;
SELECT reference, qty, status, qty_expired FROM invstock.reservation WHERE reference = 'short';
SELECT :L FROM invstock.inv_level('SB');

------------------------------------------------------------------------------
-- inv_sync purges idempotency records older than invstock.idempotency_retention
------------------------------------------------------------------------------

SHOW invstock.idempotency_retention;
SELECT :L FROM invstock.inv_adjust('SK', 1, 'receipt', idempotency_key => 'old-key');
SELECT :L FROM invstock.inv_adjust('SK', 1, 'receipt', idempotency_key => 'new-key');
-- a replay changes nothing and returns the first result
SELECT :L FROM invstock.inv_adjust('SK', 1, 'receipt', idempotency_key => 'old-key');
SELECT count(*) AS sk_movements FROM invstock.movement WHERE sku = 'SK';
-- age the records: old-key 8 days, new-key 6 days
RESET ROLE;
UPDATE invstock.idempotency SET created_at = created_at - interval '8 days'
 WHERE idempotency_key = 'old-key';
UPDATE invstock.idempotency SET created_at = created_at - interval '6 days'
 WHERE idempotency_key = 'new-key';
SET ROLE regress_invstock_sync;
-- the purge is not a problem: nothing reported
SELECT * FROM invstock.inv_sync();
SELECT idempotency_key, operation FROM invstock.idempotency ORDER BY idempotency_key;
-- old-key applies again; new-key still replays
SELECT :L FROM invstock.inv_adjust('SK', 1, 'receipt', idempotency_key => 'old-key');
SELECT :L FROM invstock.inv_adjust('SK', 1, 'receipt', idempotency_key => 'new-key');
SELECT count(*) AS sk_movements FROM invstock.movement WHERE sku = 'SK';
-- a shorter retention purges new-key too (6 days old); the new old-key record is kept
SET invstock.idempotency_retention = '1 day';
SELECT * FROM invstock.inv_sync();
SELECT idempotency_key, operation FROM invstock.idempotency ORDER BY idempotency_key;
SELECT :L FROM invstock.inv_adjust('SK', 1, 'receipt', idempotency_key => 'new-key');
SELECT count(*) AS sk_movements FROM invstock.movement WHERE sku = 'SK';
RESET invstock.idempotency_retention;

-- the end: consistent
SELECT count(*) AS rows_breaking_i3_i4 FROM state
 WHERE on_hand <> ledger_on_hand OR reserved <> ledger_reserved OR reserved <> held;
SELECT * FROM invstock.inv_sync(repair => false);

------------------------------------------------------------------------------
-- An overdue hold on a row whose reserved was lowered below the holds (I3 drift):
-- inv_sync still reports and repairs it, and the row stays usable
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('SX', 10, 'receipt');
SELECT :L FROM invstock.inv_reserve('SX', 3, reference => 'x1', ttl => '10 milliseconds');
UPDATE invstock.stock SET reserved = 1 WHERE sku = 'SX';
SELECT pg_sleep(0.1);
SELECT count(*) > 0 AS reported FROM invstock.inv_sync(repair => false);
SELECT count(*) >= 0 AS no_error FROM invstock.inv_sync();
SELECT * FROM invstock.inv_sync();
-- the overdue hold is closed, and the table, the ledger and the holds agree
SELECT * FROM state WHERE sku = 'SX';
SELECT count(*) AS open_holds FROM invstock.reservation WHERE sku = 'SX' AND status = 'open';
SELECT :L FROM invstock.inv_reserve('SX', 1);

RESET ROLE;
DROP OWNED BY regress_invstock_sync;
REVOKE invstock_admin FROM regress_invstock_sync;
DROP ROLE regress_invstock_sync;
