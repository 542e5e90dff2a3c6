-- count: inv_count results, discrepancies, last_counted_at, count movements, counts below reserved, new locations
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
CREATE TEMP VIEW ledger AS
SELECT id, sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after,
       reference, reason, actor
  FROM invstock.movement;

------------------------------------------------------------------------------
-- The result columns, and a negative discrepancy
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('C1', 10, 'received');
-- never counted yet
SELECT sku, location, last_counted_at IS NULL AS never_counted FROM invstock.levels;
-- the result type has exactly the contract's columns
SELECT attname FROM pg_attribute
 WHERE attrelid = 'invstock.count_result'::regclass AND attnum > 0 ORDER BY attnum;
-- two units are missing
SELECT :C, counted_at IS NOT NULL AS has_counted_at
  FROM invstock.inv_count('C1', 8, counted_by => 'alice', notes => 'cycle count aisle 3');
SELECT :L, last_counted_at IS NOT NULL AS counted FROM invstock.levels ORDER BY sku, location;
-- one count movement with the discrepancy; counted_by is the actor, notes the reason
SELECT * FROM ledger WHERE kind = 'count' ORDER BY id;

------------------------------------------------------------------------------
-- A positive discrepancy, and a discrepancy of 0 (still a movement)
------------------------------------------------------------------------------

SELECT :C FROM invstock.inv_count('C1', 12, counted_by => 'bob');
SELECT :C FROM invstock.inv_count('C1', 12, counted_by => 'carol', notes => 'recount');
SELECT * FROM ledger WHERE kind = 'count' ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;

------------------------------------------------------------------------------
-- counted_at and last_counted_at are the transaction's time; other calls keep last_counted_at
------------------------------------------------------------------------------

BEGIN;
SELECT :C, counted_at = now() AS counted_now FROM invstock.inv_count('C1', 11);
SELECT last_counted_at = now() AS last_counted_now FROM invstock.levels WHERE sku = 'C1';
SELECT count(*) AS count_movements_now FROM invstock.movement WHERE kind = 'count' AND at = now();
COMMIT;
SELECT last_counted_at AS counted_before FROM invstock.levels WHERE sku = 'C1' \gset
SELECT :L FROM invstock.inv_adjust('C1', 1, 'found one');
SELECT :L FROM invstock.inv_reserve('C1', 2, reference => 'R1');
SELECT :L FROM invstock.inv_release('C1', reference => 'R1');
SELECT last_counted_at = :'counted_before' AS last_counted_kept FROM invstock.levels WHERE sku = 'C1';
-- without counted_by the actor is the calling role; without notes the reason is NULL
SELECT * FROM ledger WHERE kind = 'count' ORDER BY id DESC LIMIT 1;

------------------------------------------------------------------------------
-- A count below the reserved units fails with a hint, unless backorders are allowed
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('C1', 5, reference => 'R2');
SELECT count(*) AS movements FROM invstock.movement \gset
SELECT last_counted_at AS counted_before FROM invstock.levels WHERE sku = 'C1' \gset
SELECT :C FROM invstock.inv_count('C1', 4, counted_by => 'alice');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('C1', 0);
\echo :LAST_ERROR_SQLSTATE
-- nothing changed: no movement, same level, same last_counted_at
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT :L, last_counted_at = :'counted_before' AS last_counted_kept FROM invstock.levels WHERE sku = 'C1';
-- counting exactly the reserved units is fine: nothing left available
SELECT :C FROM invstock.inv_count('C1', 5);
SELECT :L FROM invstock.inv_level('C1');
-- after releasing the hold, a count of 0 is fine
SELECT :L FROM invstock.inv_release('C1', reference => 'R2');
SELECT :C FROM invstock.inv_count('C1', 0);
SELECT :L FROM invstock.inv_level('C1');

-- with backorders allowed a count below reserved is accepted
SELECT sku, allow_backorder FROM invstock.inv_configure('C2', allow_backorder => true);
SELECT :L FROM invstock.inv_adjust('C2', 3, 'received');
SELECT :L FROM invstock.inv_reserve('C2', 6, reference => 'R3');
SELECT :C FROM invstock.inv_count('C2', 2, counted_by => 'dave', notes => 'two damaged boxes thrown away');
SELECT :L FROM invstock.inv_level('C2');
SELECT * FROM ledger WHERE sku = 'C2' ORDER BY id;

------------------------------------------------------------------------------
-- Unknown SKU; a known SKU counted at a new location
------------------------------------------------------------------------------

SELECT count(*) AS movements FROM invstock.movement \gset
SELECT :C FROM invstock.inv_count('NOPE', 3);
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('NOPE', 3, location => 'annex');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT count(*) AS nope_skus FROM invstock.sku WHERE sku = 'NOPE';
SELECT count(*) AS annex_locations FROM invstock.location WHERE location = 'annex';

-- C1 has never been at annex: the count creates the location and the row
SELECT :C, counted_at IS NOT NULL AS has_counted_at
  FROM invstock.inv_count('C1', 7, location => 'annex', counted_by => 'erin', notes => 'found in the annex');
SELECT location FROM invstock.location ORDER BY location;
SELECT :L, last_counted_at IS NOT NULL AS counted FROM invstock.levels ORDER BY sku, location;
SELECT * FROM ledger WHERE location = 'annex' ORDER BY id;
-- the new row can be used at once
SELECT :L FROM invstock.inv_reserve('C1', 2, location => 'annex', reference => 'R4');

------------------------------------------------------------------------------
-- Invariants after all counts
------------------------------------------------------------------------------

SELECT l.sku, l.location, l.on_hand, l.reserved,
       sum(m.on_hand_delta) AS ledger_on_hand, sum(m.reserved_delta) AS ledger_reserved
  FROM invstock.levels l
  JOIN invstock.movement m USING (sku, location)
 GROUP BY l.sku, l.location, l.on_hand, l.reserved
 ORDER BY l.sku, l.location;
SELECT * FROM invstock.inv_sync();

RESET ROLE;
