-- expiry: ttl validation, invstock.reservation_ttl, moving expiries, and expired holds released by the next operation or inv_sync
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- a role with a fixed name, so the actor of the movements prints the same everywhere
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_clerk') THEN
        CREATE ROLE regress_invstock_clerk NOLOGIN;
    END IF;
    IF NOT pg_has_role('regress_invstock_clerk', 'invstock_admin', 'MEMBER') THEN
        GRANT invstock_admin TO regress_invstock_clerk;
    END IF;
END
$$;
SET ROLE regress_invstock_clerk;

-- columns that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'
\set C 'sku, location, previous, counted, discrepancy, on_hand, reserved, available'
CREATE TEMP VIEW holds AS
SELECT id, sku, location, reference, qty, status, qty_finalized, qty_released, qty_expired,
       expires_at IS NOT NULL AS expires, closed_at IS NOT NULL AS closed
  FROM invstock.reservation;
CREATE TEMP VIEW ledger AS
SELECT id, sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after,
       reference, reason, actor
  FROM invstock.movement;

SELECT :L FROM invstock.inv_adjust('E0', 100, 'received');

------------------------------------------------------------------------------
-- ttl must be positive and at most 100 years (22023)
------------------------------------------------------------------------------

SELECT count(*) AS movements FROM invstock.movement \gset
SELECT :L FROM invstock.inv_reserve('E0', 1, ttl => '0 seconds');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('E0', 1, ttl => '-1 hour');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('E0', 1, ttl => '1 day -25 hours');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('E0', 1, ttl => '101 years');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('E0', 1, ttl => '100 years 1 mon');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('E0', 1, ttl => '40000 days');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('E0', 1, ttl => '1000000 hours');
\echo :LAST_ERROR_SQLSTATE
-- checked even when qty is 0
SELECT :L FROM invstock.inv_reserve('E0', 0, ttl => '0 seconds');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT count(*) AS holds FROM invstock.reservation;
-- the limits themselves are accepted
BEGIN;
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'LONG', ttl => '100 years');
SELECT expires_at = now() + interval '100 years' AS expires_in_100_years
  FROM invstock.reservation WHERE reference = 'LONG';
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'SHORT', ttl => '1 microsecond');
SELECT expires_at = now() + interval '1 microsecond' AS expires_in_1_microsecond
  FROM invstock.reservation WHERE reference = 'SHORT';
ROLLBACK;

------------------------------------------------------------------------------
-- invstock.reservation_ttl is the default ttl
------------------------------------------------------------------------------

SHOW invstock.reservation_ttl;
-- without ttl and without the setting a hold never expires
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'FOREVER');
SELECT reference, expires_at IS NULL AS never_expires FROM invstock.reservation WHERE reference = 'FOREVER';
SET invstock.reservation_ttl = '30 minutes';
BEGIN;
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'DEFAULT-TTL');
SELECT :L FROM invstock.inv_reserve_order('DEFAULT-TTL-ORDER', '[{"sku": "E0", "qty": 1}]');
-- an explicit ttl wins over the setting
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'EXPLICIT-TTL', ttl => '2 hours');
SELECT reference, expires_at = now() + interval '30 minutes' AS expires_in_30_minutes,
       expires_at = now() + interval '2 hours' AS expires_in_2_hours
  FROM invstock.reservation
 WHERE reference IN ('DEFAULT-TTL', 'DEFAULT-TTL-ORDER', 'EXPLICIT-TTL') ORDER BY id;
COMMIT;
-- the setting is checked like a ttl: positive, a valid interval
SET invstock.reservation_ttl = '0';
\echo :LAST_ERROR_SQLSTATE
SET invstock.reservation_ttl = '-5 minutes';
\echo :LAST_ERROR_SQLSTATE
SET invstock.reservation_ttl = 'soon';
\echo :LAST_ERROR_SQLSTATE
SHOW invstock.reservation_ttl;
-- a setting beyond 100 years is refused when it is set, and the old value stays
SET invstock.reservation_ttl = '200 years';
\echo :LAST_ERROR_SQLSTATE
SHOW invstock.reservation_ttl;
RESET invstock.reservation_ttl;
SHOW invstock.reservation_ttl;
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'NO-TTL-AGAIN');
SELECT reference, expires_at IS NULL AS never_expires FROM invstock.reservation WHERE reference = 'NO-TTL-AGAIN';

------------------------------------------------------------------------------
-- Reserving again with a ttl moves the expiry; without a ttl it is kept
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'MOVE', ttl => '1 hour');
BEGIN;
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'MOVE', ttl => '3 hours');
SELECT qty, expires_at = now() + interval '3 hours' AS expires_in_3_hours
  FROM invstock.reservation WHERE reference = 'MOVE';
COMMIT;
SELECT expires_at AS move_expires_at FROM invstock.reservation WHERE reference = 'MOVE' \gset
-- no ttl: the expiry stays
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'MOVE');
SELECT qty, expires_at = :'move_expires_at' AS expiry_kept FROM invstock.reservation WHERE reference = 'MOVE';
-- a shorter ttl moves the expiry earlier
BEGIN;
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'MOVE', ttl => '10 minutes');
SELECT qty, expires_at = now() + interval '10 minutes' AS expires_in_10_minutes,
       expires_at > now() + interval '5 minutes' AS later_than_5_minutes
  FROM invstock.reservation WHERE reference = 'MOVE';
COMMIT;
-- a hold without expiry gets one when reserved again with a ttl
BEGIN;
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'FOREVER', ttl => '1 day');
SELECT qty, expires_at = now() + interval '1 day' AS expires_in_1_day
  FROM invstock.reservation WHERE reference = 'FOREVER';
COMMIT;
SELECT * FROM holds WHERE status = 'open' ORDER BY id;

------------------------------------------------------------------------------
-- Holds that expire: set them all up, wait once
------------------------------------------------------------------------------

-- E1: 20 on hand; X1 (3, expires) and KEEP (2, no expiry)
SELECT :L FROM invstock.inv_adjust('E1', 20, 'received');
SELECT :L FROM invstock.inv_reserve('E1', 3, reference => 'X1', ttl => '1 second');
SELECT :L FROM invstock.inv_reserve('E1', 2, reference => 'KEEP');
-- E1: an anonymous hold that expires, added to without a ttl (keeps its expiry)
SELECT :L FROM invstock.inv_reserve('E1', 1, ttl => '1 second');
SELECT :L FROM invstock.inv_reserve('E1', 1);
-- E1: a hold whose expiry is moved later, and one whose expiry is moved earlier
SELECT :L FROM invstock.inv_reserve('E1', 1, reference => 'LATER', ttl => '1 second');
SELECT :L FROM invstock.inv_reserve('E1', 1, reference => 'LATER', ttl => '1 hour');
SELECT :L FROM invstock.inv_reserve('E1', 1, reference => 'EARLIER', ttl => '1 hour');
SELECT :L FROM invstock.inv_reserve('E1', 1, reference => 'EARLIER', ttl => '1 second');
-- E2: holds to release or finalize after they expired
SELECT :L FROM invstock.inv_adjust('E2', 10, 'received');
SELECT :L FROM invstock.inv_reserve('E2', 2, reference => 'X2', ttl => '1 second');
SELECT :L FROM invstock.inv_reserve('E2', 2, ttl => '1 second');
-- E2: a hold partly finalized before it expires
BEGIN;
SELECT :L FROM invstock.inv_reserve('E2', 4, reference => 'X3', ttl => '1 second');
SELECT :L FROM invstock.inv_finalize('E2', 1, reference => 'X3');
COMMIT;
-- E3 and E4: expired by inv_sync
SELECT :L FROM invstock.inv_adjust('E3', 5, 'received');
SELECT :L FROM invstock.inv_reserve('E3', 5, reference => 'X4', ttl => '1 second');
SELECT :L FROM invstock.inv_adjust('E4', 5, 'received');
SELECT :L FROM invstock.inv_reserve('E4', 5, reference => 'X5', ttl => '1 second');
-- E5: an order whose holds all expire
SELECT :L FROM invstock.inv_adjust('E5', 5, 'received');
SELECT :L FROM invstock.inv_adjust('E5', 5, 'received', location => 'annex');
SELECT :L FROM invstock.inv_reserve_order('ORD-X',
    '[{"sku": "E5", "qty": 4}, {"sku": "E5", "qty": 4, "location": "annex"}]', ttl => '1 second');
-- E6: an order with one expiring hold and one that stays
SELECT :L FROM invstock.inv_adjust('E6', 5, 'received');
SELECT :L FROM invstock.inv_adjust('E6', 5, 'received', location => 'annex');
SELECT :L FROM invstock.inv_reserve_order('ORD-Y', '[{"sku": "E6", "qty": 4}]', ttl => '1 second');
SELECT :L FROM invstock.inv_reserve('E6', 3, location => 'annex', reference => 'ORD-Y');
-- E7: fully held by an expiring hold, for transfer, count and adjust
SELECT :L FROM invstock.inv_adjust('E7', 6, 'received');
SELECT :L FROM invstock.inv_reserve('E7', 6, reference => 'X7', ttl => '1 second');
SELECT :L FROM invstock.inv_adjust('E7', 6, 'received', location => 'annex');
SELECT :L FROM invstock.inv_reserve('E7', 6, location => 'annex', reference => 'X8', ttl => '1 second');

SELECT max(id) AS last_movement FROM invstock.movement \gset
SELECT pg_sleep(1.2);

------------------------------------------------------------------------------
-- Readers never write: expired holds still count as reserved until an operation
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_level('E1');
SELECT :L FROM invstock.levels WHERE sku = 'E1';
SELECT max(id) = :last_movement AS no_new_movement FROM invstock.movement;
SELECT * FROM holds WHERE sku = 'E1' ORDER BY id;

------------------------------------------------------------------------------
-- The next operation on the row releases its expired holds first
------------------------------------------------------------------------------

-- 9 available before expiry; 12 needed: the expired X1 (3), anonymous (2) and EARLIER (2) holds make room
SELECT :L FROM invstock.inv_reserve('E1', 12, reference => 'NEW');
SELECT * FROM holds WHERE sku = 'E1' ORDER BY id;
-- one expire movement per expired hold, with its reference, written before the reserve
SELECT * FROM ledger WHERE id > :last_movement ORDER BY id;
SELECT :L FROM invstock.levels WHERE sku = 'E1';

------------------------------------------------------------------------------
-- Releasing or finalizing an expired hold: P0002 (the hold is gone)
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_release('E2', reference => 'X2');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('E2', 1, reference => 'X2');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('E2');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('E2');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('E2', 1, reference => 'X3');
\echo :LAST_ERROR_SQLSTATE
-- the failed calls rolled back: the expired holds are still open, E2 still shows them
SELECT * FROM holds WHERE sku = 'E2' ORDER BY id;
SELECT :L FROM invstock.inv_level('E2');
-- a successful operation releases them; the partly finalized one keeps its counts
SELECT :L FROM invstock.inv_adjust('E2', 1, 'received');
SELECT * FROM holds WHERE sku = 'E2' ORDER BY id;
SELECT * FROM ledger WHERE sku = 'E2' ORDER BY id;

------------------------------------------------------------------------------
-- Transfers, counts and adjustments see expired holds released too
------------------------------------------------------------------------------

-- E7 main: all 6 held by X7 before expiry; now all 6 can move
SELECT :L FROM invstock.inv_transfer('E7', 6, 'main', 'north');
-- E7 annex: a count below the expired hold's units is fine
SELECT :C FROM invstock.inv_count('E7', 1, location => 'annex');
SELECT * FROM holds WHERE sku = 'E7' ORDER BY id;
SELECT kind, location, on_hand_delta, reserved_delta, reference, reason FROM invstock.movement
 WHERE sku = 'E7' ORDER BY id;
-- E6: an order with one expired hold: the open one is settled, the expired one is not
SELECT :L FROM invstock.inv_finalize_order('ORD-Y');
SELECT * FROM holds WHERE sku = 'E6' ORDER BY id;

------------------------------------------------------------------------------
-- inv_sync expires overdue holds (housekeeping: nothing reported), within its scope
------------------------------------------------------------------------------

SELECT * FROM invstock.inv_sync('E3');
SELECT * FROM holds WHERE sku IN ('E3', 'E4') ORDER BY id;
SELECT :L FROM invstock.levels WHERE sku IN ('E3', 'E4') ORDER BY sku;
SELECT * FROM ledger WHERE sku IN ('E3', 'E4') ORDER BY id;

------------------------------------------------------------------------------
-- An order whose holds all expired: nothing to release or finalize (P0002)
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_finalize_order('ORD-X');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order('ORD-X');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS finalized_movements FROM invstock.movement WHERE reference = 'ORD-X' AND kind = 'finalize';

------------------------------------------------------------------------------
-- inv_sync without scope expires everything that is left
------------------------------------------------------------------------------

SELECT * FROM invstock.inv_sync();
SELECT * FROM holds WHERE status = 'expired' ORDER BY id;
SELECT * FROM holds WHERE status = 'open' ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;
-- invariants: reserved is the sum of the open holds, and of the ledger
SELECT l.sku, l.location, l.reserved,
       (SELECT coalesce(sum(qty), 0) FROM invstock.reservation r
         WHERE r.sku = l.sku AND r.location = l.location AND r.status = 'open') AS held,
       (SELECT sum(reserved_delta) FROM invstock.movement m
         WHERE m.sku = l.sku AND m.location = l.location) AS ledger_reserved
  FROM invstock.levels l ORDER BY l.sku, l.location;
SELECT * FROM invstock.inv_sync();

------------------------------------------------------------------------------
-- 100 years and 500 days is more than 100 years (22023)
------------------------------------------------------------------------------

-- (last in the file, in a transaction rolled back at once: an accepted call changes no later output)
BEGIN;
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'TOO-FAR', ttl => '100 years 500 days');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SELECT :L FROM invstock.inv_reserve('E0', 1, reference => 'TOO-FAR', ttl => '100 years 1 day');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

RESET ROLE;
