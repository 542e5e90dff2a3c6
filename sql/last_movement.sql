-- last_movement: since 1.3 the time of a stock row's newest movement is kept
-- on the row (stock.last_movement_at, shown by invstock.levels), set by the
-- functions' own statements and put right by the stock_guard trigger for
-- every other writer.  Each step below checks it against the ledger.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

\set L 'sku, location, on_hand, reserved, available'
-- stock rows whose last_movement_at is not the at of their newest movement
\set DRIFT 'SELECT s.sku, s.location, s.slot, s.last_movement_at, (SELECT max(m.at) FROM invstock.movement m WHERE m.sku = s.sku AND m.location = s.location AND m.slot = s.slot) AS ledger FROM invstock.stock s WHERE s.last_movement_at IS DISTINCT FROM (SELECT max(m.at) FROM invstock.movement m WHERE m.sku = s.sku AND m.location = s.location AND m.slot = s.slot) ORDER BY 1, 2, 3'
-- is the row's last_movement_at this transaction's time (the at of the movement it just wrote)?
\set NOW 'SELECT sku, location, slot, last_movement_at = now() AS moved_now FROM invstock.stock WHERE sku = :''sku'' ORDER BY location, slot'

-- a new SKU: the row and its first movement
BEGIN;
SELECT :L FROM invstock.inv_adjust('LM', 10, 'received');
\set sku LM
:NOW;
COMMIT;

-- the one-statement reservation
BEGIN;
SELECT :L FROM invstock.inv_reserve('LM', 2, reference => 'o1');
:NOW;
COMMIT;

-- a reservation of 0 units changes nothing and writes no movement
CREATE TEMP TABLE before AS SELECT last_movement_at FROM invstock.stock WHERE sku = 'LM';
BEGIN;
SELECT :L FROM invstock.inv_reserve('LM', 0, reference => 'o0');
SELECT s.last_movement_at = b.last_movement_at AS unchanged FROM invstock.stock s, before b WHERE s.sku = 'LM';
COMMIT;

-- settling a hold (the hold and the row in one statement)
BEGIN;
SELECT :L FROM invstock.inv_release('LM', 1, reference => 'o1');
:NOW;
COMMIT;
BEGIN;
SELECT :L FROM invstock.inv_finalize('LM', reference => 'o1');
:NOW;
COMMIT;

-- a count that finds what the row says still records a movement, and so moves
-- last_movement_at
BEGIN;
SELECT sku, location, previous, counted, discrepancy FROM invstock.inv_count('LM', 9);
:NOW;
COMMIT;

-- a transfer: both rows
BEGIN;
SELECT :L FROM invstock.inv_transfer('LM', 3, 'main', 'east');
:NOW;
COMMIT;

-- a rolled-back call leaves it as it was
TRUNCATE before;
INSERT INTO before SELECT last_movement_at FROM invstock.stock WHERE sku = 'LM' AND location = 'main';
BEGIN;
SELECT :L FROM invstock.inv_reserve('LM', 1, reference => 'o2');
ROLLBACK;
SELECT s.last_movement_at = b.last_movement_at AS unchanged FROM invstock.stock s, before b
 WHERE s.sku = 'LM' AND s.location = 'main';

-- a DBA's direct write: the trigger sets it (after the statement, so the
-- statement's own RETURNING still shows the old value)
BEGIN;
UPDATE invstock.stock SET on_hand = on_hand + 4 WHERE sku = 'LM' AND location = 'main'
RETURNING on_hand, last_movement_at = now() AS returned_now;
:NOW;
SELECT kind, on_hand_delta FROM invstock.movement WHERE sku = 'LM' ORDER BY id DESC LIMIT 1;
COMMIT;

-- ... and cannot set it by hand: a write that records no movement keeps it
TRUNCATE before;
INSERT INTO before SELECT last_movement_at FROM invstock.stock WHERE sku = 'LM' AND location = 'main';
UPDATE invstock.stock SET last_movement_at = '2001-01-01' WHERE sku = 'LM' AND location = 'main';
SELECT s.last_movement_at = b.last_movement_at AS unchanged FROM invstock.stock s, before b
 WHERE s.sku = 'LM' AND s.location = 'main';
UPDATE invstock.stock SET last_movement_at = NULL WHERE sku = 'LM' AND location = 'main';
SELECT s.last_movement_at = b.last_movement_at AS unchanged FROM invstock.stock s, before b
 WHERE s.sku = 'LM' AND s.location = 'main';

-- an untracked SKU writes no movement: the row stays at its last tracked one
SELECT :L FROM invstock.inv_adjust('LM-U', 5, 'received');
TRUNCATE before;
INSERT INTO before SELECT last_movement_at FROM invstock.stock WHERE sku = 'LM-U';
SELECT sku, track_inventory FROM invstock.inv_configure('LM-U', track_inventory => false);
SELECT :L FROM invstock.inv_adjust('LM-U', 2, 'received while untracked');
UPDATE invstock.stock SET on_hand = 7 WHERE sku = 'LM-U';
SELECT s.on_hand, s.last_movement_at = b.last_movement_at AS unchanged FROM invstock.stock s, before b
 WHERE s.sku = 'LM-U';
-- ... until it is tracked again: the ledger catches up with the row
BEGIN;
SELECT sku, track_inventory FROM invstock.inv_configure('LM-U', track_inventory => true);
\set sku LM-U
:NOW;
SELECT kind, on_hand_delta, reason FROM invstock.movement WHERE sku = 'LM-U' ORDER BY id DESC LIMIT 1;
COMMIT;

-- a hot SKU: the slot that moved; levels shows the newest over the slots
SELECT sku, slots FROM invstock.inv_configure('LM-H', slots => 4);
SELECT :L FROM invstock.inv_adjust('LM-H', 40, 'received');
BEGIN;
SELECT :L FROM invstock.inv_reserve('LM-H', 1, reference => 'h1');
SELECT count(*) FILTER (WHERE last_movement_at = now()) AS slots_moved_now, count(*) AS slots
  FROM invstock.stock WHERE sku = 'LM-H';
SELECT sku, location, last_movement_at = now() AS moved_now FROM invstock.levels WHERE sku = 'LM-H';
COMMIT;

-- inv_sync repairing the ledger of a row it does not change: the row has a
-- new movement (kind sync), so a new last_movement_at
ALTER TABLE invstock.stock DISABLE TRIGGER stock_guard;
UPDATE invstock.stock SET on_hand = on_hand + 2 WHERE sku = 'LM' AND location = 'east';
ALTER TABLE invstock.stock ENABLE TRIGGER stock_guard;
BEGIN;
SELECT sku, location, problem, expected, actual, repaired FROM invstock.inv_sync('LM');
\set sku LM
:NOW;
SELECT kind, on_hand_delta FROM invstock.movement WHERE sku = 'LM' AND location = 'east' ORDER BY id DESC LIMIT 1;
COMMIT;

-- a row created by a function while its ledger has a history (here: the row
-- deleted behind the trigger's back): the catch-up movement sets it
ALTER TABLE invstock.stock DISABLE TRIGGER stock_guard;
DELETE FROM invstock.stock WHERE sku = 'LM' AND location = 'east';
ALTER TABLE invstock.stock ENABLE TRIGGER stock_guard;
BEGIN;
SELECT :L FROM invstock.inv_adjust('LM', 1, 'received', location => 'east');
:NOW;
SELECT kind, on_hand_delta, reason FROM invstock.movement WHERE sku = 'LM' AND location = 'east' ORDER BY id DESC LIMIT 2;
COMMIT;

-- every row as its ledger says, and levels as the ledger of each (sku, location)
:DRIFT;
SELECT l.sku, l.location FROM invstock.levels l
 WHERE l.last_movement_at IS DISTINCT FROM
       (SELECT max(m.at) FROM invstock.movement m WHERE m.sku = l.sku AND m.location = l.location)
 ORDER BY 1, 2;

-- a direct INSERT that its ledger already accounts for (a restore) keeps the
-- value it brings
INSERT INTO invstock.location (location) VALUES ('restored');
INSERT INTO invstock.stock (sku, location, on_hand, reserved, last_movement_at)
VALUES ('LM', 'restored', 0, 0, '2020-02-02 10:00+00');
SELECT sku, location, last_movement_at = '2020-02-02 10:00+00' AS kept FROM invstock.stock
 WHERE sku = 'LM' AND location = 'restored';

-- the ledger's history index is one entry per stock row, deduplicated
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid) AS def
  FROM pg_index WHERE indrelid = 'invstock.movement'::regclass ORDER BY 1;
SELECT * FROM invstock.inv_sync(repair => false);
