-- idempotency: replays return the first result and write nothing; key reuse with other arguments is 23505
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
-- what a replay must not change: the ledger, the holds, the stock rows, the keys
CREATE TEMP VIEW written AS
SELECT (SELECT count(*) FROM invstock.movement) AS movements,
       (SELECT count(*) FROM invstock.reservation) AS holds,
       (SELECT sum(qty) FROM invstock.reservation) AS held,
       (SELECT sum(on_hand) FROM invstock.stock) AS on_hand,
       (SELECT sum(reserved) FROM invstock.stock) AS reserved,
       (SELECT count(*) FROM invstock.idempotency) AS keys;

------------------------------------------------------------------------------
-- inv_adjust: the first call applies, the replay returns the same level and writes nothing
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('I1', 10, 'received', idempotency_key => 'adj-1');
SELECT updated_at AS adj1_updated_at FROM invstock.stock WHERE sku = 'I1' \gset
SELECT * FROM written \gset before_
SELECT :L, updated_at = :'adj1_updated_at' AS same_updated_at
  FROM invstock.inv_adjust('I1', 10, 'received', idempotency_key => 'adj-1');
SELECT :L FROM invstock.inv_adjust('I1', 10, 'received', idempotency_key => 'adj-1');
SELECT movements = :before_movements AS no_new_movement, on_hand = :before_on_hand AS same_on_hand,
       keys = :before_keys AS same_keys
  FROM written;
SELECT :L FROM invstock.inv_level('I1');
-- the key is recorded in the movement and in the key table
SELECT id, sku, kind, on_hand_delta, idempotency_key FROM invstock.movement ORDER BY id;
SELECT idempotency_key, operation FROM invstock.idempotency ORDER BY idempotency_key;

------------------------------------------------------------------------------
-- A replay returns the result of the first call, as it was then
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('I1', 2, reference => 'R1', idempotency_key => 'res-1');
-- the level moves on
SELECT :L FROM invstock.inv_adjust('I1', 5, 'received');
SELECT :L FROM invstock.inv_reserve('I1', 1, reference => 'R2');
SELECT * FROM written \gset before_
-- the replay still answers with the level after the first call
SELECT :L FROM invstock.inv_reserve('I1', 2, reference => 'R1', idempotency_key => 'res-1');
SELECT (w.*) = (b.*) AS nothing_written
  FROM written w,
       (SELECT :before_movements::bigint, :before_holds::bigint, :before_held::numeric,
               :before_on_hand::numeric, :before_reserved::numeric, :before_keys::bigint) AS b;
SELECT reference, qty FROM invstock.reservation WHERE reference = 'R1';
SELECT :L FROM invstock.inv_level('I1');

------------------------------------------------------------------------------
-- Keys on every mutating function: apply once, replay, key in the movements
------------------------------------------------------------------------------

-- inv_release
SELECT :L FROM invstock.inv_release('I1', 1, reference => 'R1', reason => 'partial cancel', idempotency_key => 'rel-1');
SELECT * FROM written \gset before_
SELECT :L FROM invstock.inv_release('I1', 1, reference => 'R1', reason => 'partial cancel', idempotency_key => 'rel-1');
SELECT movements = :before_movements AS no_new_movement, held = :before_held AS same_held FROM written;
-- inv_finalize
SELECT :L FROM invstock.inv_finalize('I1', reference => 'R1', idempotency_key => 'fin-1');
SELECT * FROM written \gset before_
-- the hold is closed now: a replay still answers, without P0002
SELECT :L FROM invstock.inv_finalize('I1', reference => 'R1', idempotency_key => 'fin-1');
SELECT movements = :before_movements AS no_new_movement, on_hand = :before_on_hand AS same_on_hand FROM written;
-- inv_count
SELECT :C FROM invstock.inv_count('I1', 12, counted_by => 'alice', idempotency_key => 'cnt-1');
SELECT :L FROM invstock.inv_adjust('I1', 3, 'received');
SELECT * FROM written \gset before_
-- the replay answers with the first count's previous and discrepancy, and sets nothing
SELECT :C, counted_at IS NOT NULL AS has_counted_at
  FROM invstock.inv_count('I1', 12, counted_by => 'alice', idempotency_key => 'cnt-1');
SELECT movements = :before_movements AS no_new_movement, on_hand = :before_on_hand AS same_on_hand FROM written;
SELECT :L FROM invstock.inv_level('I1');
-- inv_transfer: both rows, in the same order
SELECT :L FROM invstock.inv_transfer('I1', 4, 'main', 'annex', reason => 'rebalance', idempotency_key => 'xfer-1');
SELECT * FROM written \gset before_
SELECT :L FROM invstock.inv_transfer('I1', 4, 'main', 'annex', reason => 'rebalance', idempotency_key => 'xfer-1');
SELECT movements = :before_movements AS no_new_movement FROM written;
SELECT :L FROM invstock.levels ORDER BY sku, location;
-- inv_reserve_order
SELECT :L FROM invstock.inv_adjust('I2', 6, 'received');
SELECT :L FROM invstock.inv_reserve_order('ORD-1',
    '[{"sku": "I2", "qty": 2}, {"sku": "I1", "qty": 1, "location": "annex"}]', idempotency_key => 'ro-1');
SELECT * FROM written \gset before_
SELECT :L FROM invstock.inv_reserve_order('ORD-1',
    '[{"sku": "I2", "qty": 2}, {"sku": "I1", "qty": 1, "location": "annex"}]', idempotency_key => 'ro-1');
SELECT movements = :before_movements AS no_new_movement, held = :before_held AS same_held FROM written;
SELECT sku, location, reference, qty, status FROM invstock.reservation WHERE reference = 'ORD-1' ORDER BY id;
-- inv_release_order (on a second order), inv_finalize_order: replays answer although no hold is open any more
SELECT :L FROM invstock.inv_reserve_order('ORD-2', '[{"sku": "I2", "qty": 1}]', idempotency_key => 'ro-2');
SELECT :L FROM invstock.inv_release_order('ORD-2', reason => 'cancelled', idempotency_key => 'rlo-2');
SELECT :L FROM invstock.inv_finalize_order('ORD-1', idempotency_key => 'fno-1');
SELECT * FROM written \gset before_
SELECT :L FROM invstock.inv_release_order('ORD-2', reason => 'cancelled', idempotency_key => 'rlo-2');
SELECT :L FROM invstock.inv_finalize_order('ORD-1', idempotency_key => 'fno-1');
SELECT movements = :before_movements AS no_new_movement, on_hand = :before_on_hand AS same_on_hand FROM written;
-- without a key the same calls fail: there is no open hold
SELECT :L FROM invstock.inv_release_order('ORD-2', reason => 'cancelled');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('ORD-1');
\echo :LAST_ERROR_SQLSTATE
-- every movement of a keyed call carries its key
SELECT id, sku, location, kind, on_hand_delta, reserved_delta, reference, idempotency_key
  FROM invstock.movement WHERE idempotency_key IS NOT NULL ORDER BY id;
SELECT idempotency_key, operation FROM invstock.idempotency ORDER BY idempotency_key;

------------------------------------------------------------------------------
-- Same key, different arguments or a different function: 23505, nothing written
------------------------------------------------------------------------------

SELECT * FROM written \gset before_
-- different arguments
SELECT :L FROM invstock.inv_adjust('I1', 11, 'received', idempotency_key => 'adj-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('I1', 10, 'received twice', idempotency_key => 'adj-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('I1', 10, 'received', location => 'annex', idempotency_key => 'adj-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('I1', 10, 'received', reference => 'PO-9', idempotency_key => 'adj-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('I1', 10, 'received', actor => 'bob', idempotency_key => 'adj-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('I2', 10, 'received', idempotency_key => 'adj-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('I1', 3, reference => 'R1', idempotency_key => 'res-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('I1', 2, reference => 'R9', idempotency_key => 'res-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('I1', 2, reference => 'R1', notes => 'rush', idempotency_key => 'res-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('I1', 2, reference => 'R1', ttl => '1 hour', idempotency_key => 'res-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('I1', 2, reference => 'R1', reason => 'partial cancel', idempotency_key => 'rel-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('I1', 1, reference => 'R1', idempotency_key => 'rel-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('I1', 1, reference => 'R1', idempotency_key => 'fin-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('I1', 13, counted_by => 'alice', idempotency_key => 'cnt-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('I1', 12, idempotency_key => 'cnt-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('I1', 4, 'annex', 'main', reason => 'rebalance', idempotency_key => 'xfer-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('ORD-1', '[{"sku": "I2", "qty": 3}, {"sku": "I1", "qty": 1, "location": "annex"}]', idempotency_key => 'ro-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('ORD-1', '[{"sku": "I2", "qty": 2}, {"sku": "I1", "qty": 1, "location": "annex"}]', ttl => '1 hour', idempotency_key => 'ro-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order('ORD-2', idempotency_key => 'rlo-2');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('ORD-2', idempotency_key => 'fno-1');
\echo :LAST_ERROR_SQLSTATE
-- a different function with the same arguments: keys are global, not per function
SELECT :L FROM invstock.inv_finalize('I1', 1, reference => 'R1', idempotency_key => 'rel-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('I1', reference => 'R1', idempotency_key => 'fin-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order('ORD-1', idempotency_key => 'fno-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('ORD-2', idempotency_key => 'rlo-2');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('I1', 1, idempotency_key => 'adj-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('I1', 1, 'received', idempotency_key => 'cnt-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('I1', 12, idempotency_key => 'xfer-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('I1', 1, 'main', 'annex', idempotency_key => 'ro-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('ORD-3', '[{"sku": "I2", "qty": 1}]', idempotency_key => 'res-1');
\echo :LAST_ERROR_SQLSTATE
SELECT (w.*) = (b.*) AS nothing_written
  FROM written w,
       (SELECT :before_movements::bigint, :before_holds::bigint, :before_held::numeric,
               :before_on_hand::numeric, :before_reserved::numeric, :before_keys::bigint) AS b;

------------------------------------------------------------------------------
-- A NULL location and the default location's name are the same request
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('I3', 5, 'received', idempotency_key => 'adj-3');
SELECT * FROM written \gset before_
SELECT :L FROM invstock.inv_adjust('I3', 5, 'received', location => 'main', idempotency_key => 'adj-3');
SELECT :L FROM invstock.inv_reserve('I3', 1, location => 'main', idempotency_key => 'res-3');
SELECT * FROM written \gset before_
SELECT :L FROM invstock.inv_reserve('I3', 1, idempotency_key => 'res-3');
SELECT :L FROM invstock.inv_reserve('I3', 1, location => NULL, idempotency_key => 'res-3');
SELECT movements = :before_movements AS no_new_movement, reserved = :before_reserved AS same_reserved FROM written;
-- once the default location is another one, a NULL location is another request
SET invstock.default_location = 'annex';
SELECT :L FROM invstock.inv_reserve('I3', 1, idempotency_key => 'res-3');
\echo :LAST_ERROR_SQLSTATE
-- the explicit name still replays
SELECT :L FROM invstock.inv_reserve('I3', 1, location => 'main', idempotency_key => 'res-3');
RESET invstock.default_location;

------------------------------------------------------------------------------
-- A failed call does not burn its key: the same call applies once it can
------------------------------------------------------------------------------

-- I3 has 4 available
SELECT :L FROM invstock.inv_reserve('I3', 6, reference => 'R3', idempotency_key => 'res-4');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS key_kept FROM invstock.idempotency WHERE idempotency_key = 'res-4';
-- other failures do not burn keys either
SELECT :L FROM invstock.inv_release('I3', reference => 'R3', idempotency_key => 'rel-4');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('I3', -100, 'lost', idempotency_key => 'adj-4');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('ORD-4', '[{"sku": "I3", "qty": 100}]', idempotency_key => 'ro-4');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS keys_kept FROM invstock.idempotency WHERE idempotency_key IN ('rel-4', 'adj-4', 'ro-4');
-- stock arrives; the very same call now applies, and then replays
SELECT :L FROM invstock.inv_adjust('I3', 2, 'received');
SELECT * FROM written \gset before_
SELECT :L FROM invstock.inv_reserve('I3', 6, reference => 'R3', idempotency_key => 'res-4');
SELECT movements - :before_movements AS new_movements FROM written;
SELECT * FROM written \gset before_
SELECT :L FROM invstock.inv_reserve('I3', 6, reference => 'R3', idempotency_key => 'res-4');
SELECT movements = :before_movements AS no_new_movement FROM written;
SELECT sku, reference, qty, status FROM invstock.reservation WHERE reference = 'R3';
-- a call whose transaction rolled back did not burn its key either
BEGIN;
SELECT :L FROM invstock.inv_release('I3', 2, reference => 'R3', idempotency_key => 'rel-5');
ROLLBACK;
SELECT :L FROM invstock.inv_release('I3', 2, reference => 'R3', idempotency_key => 'rel-5');
SELECT sku, reference, qty, status FROM invstock.reservation WHERE reference = 'R3';

------------------------------------------------------------------------------
-- qty 0 with a key: stored and replayed like any call
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('I3', 0, idempotency_key => 'res-0');
SELECT :L FROM invstock.inv_reserve('I3', 0, idempotency_key => 'res-0');
SELECT :L FROM invstock.inv_reserve('I3', 1, idempotency_key => 'res-0');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- inv_sync purges keys older than invstock.idempotency_retention; then a key applies again
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('I4', 1, 'received', idempotency_key => 'old-1');
SELECT pg_sleep(1.2);
SET invstock.idempotency_retention = '1 second';
SELECT * FROM invstock.inv_sync();
RESET invstock.idempotency_retention;
SELECT count(*) AS old_key_left FROM invstock.idempotency WHERE idempotency_key = 'old-1';
SELECT :L FROM invstock.inv_adjust('I4', 1, 'received', idempotency_key => 'old-1');
SELECT :L FROM invstock.inv_adjust('I4', 1, 'received', idempotency_key => 'old-1');
SELECT kind, on_hand_delta, idempotency_key FROM invstock.movement WHERE sku = 'I4' ORDER BY id;

------------------------------------------------------------------------------
-- Invariants at the end
------------------------------------------------------------------------------

SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT * FROM invstock.inv_sync();

RESET ROLE;
