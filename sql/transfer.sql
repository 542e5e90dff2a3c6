-- transfer: inv_transfer moves available units between locations atomically, with paired movements
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
-- transfer_id values are shown as their rank, so only their equality matters
CREATE TEMP VIEW ledger AS
SELECT id, sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after,
       reason, actor, idempotency_key,
       CASE WHEN transfer_id IS NOT NULL THEN dense_rank() OVER (ORDER BY transfer_id) END AS transfer_no
  FROM invstock.movement;

------------------------------------------------------------------------------
-- Setup: T1 has 10 at main, 3 of them held
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('T1', 10, 'received');
SELECT :L FROM invstock.inv_reserve('T1', 3, reference => 'R1');

------------------------------------------------------------------------------
-- A transfer to a new location: source first, then destination
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_transfer('T1', 4, 'main', 'east', reason => 'rebalance');
SELECT location FROM invstock.location ORDER BY location;
SELECT :L FROM invstock.levels ORDER BY sku, location;
-- one transfer_out and one transfer_in, sharing one transfer_id, both with the reason
SELECT * FROM ledger WHERE kind LIKE 'transfer%' ORDER BY id;
SELECT count(*) AS movements, count(DISTINCT transfer_id) AS transfer_ids,
       count(transfer_id) AS with_transfer_id, sum(on_hand_delta) AS net_on_hand
  FROM invstock.movement WHERE kind LIKE 'transfer%';
-- the hold stays where it was
SELECT sku, location, reference, qty, status FROM invstock.reservation ORDER BY id;

------------------------------------------------------------------------------
-- Result order is source then destination, whatever the lock order
------------------------------------------------------------------------------

-- 'east' sorts before 'main': the source still comes first
SELECT :L FROM invstock.inv_transfer('T1', 1, 'east', 'main');
-- and the other way round, to an existing destination
SELECT :L FROM invstock.inv_transfer('T1', 2, 'main', 'east');
SELECT * FROM ledger WHERE kind LIKE 'transfer%' ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;

------------------------------------------------------------------------------
-- Only available units move: reserved units stay
------------------------------------------------------------------------------

-- main: on_hand 5, reserved 3, available 2
SELECT :L FROM invstock.inv_level('T1');
SELECT count(*) AS movements FROM invstock.movement \gset
SELECT :L FROM invstock.inv_transfer('T1', 3, 'main', 'east');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('T1', 6, 'east', 'main');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT :L FROM invstock.levels ORDER BY sku, location;
-- moving exactly what is available leaves the source out of stock, the hold intact
SELECT :L FROM invstock.inv_transfer('T1', 2, 'main', 'east');
SELECT sku, location, reference, qty, status FROM invstock.reservation ORDER BY id;
-- once the hold is released the units can move
SELECT :L FROM invstock.inv_release('T1', reference => 'R1');
SELECT :L FROM invstock.inv_transfer('T1', 3, 'main', 'east');

------------------------------------------------------------------------------
-- Opposite directions: stock goes back and forth, totals never change
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_transfer('T1', 5, 'east', 'main');
SELECT :L FROM invstock.inv_transfer('T1', 2, 'main', 'east');
SELECT :L FROM invstock.inv_transfer('T1', 7, 'east', 'main');
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT sku, locations, on_hand, reserved, available FROM invstock.sku_totals;
-- a chain of transfers through a third location
SELECT :L FROM invstock.inv_transfer('T1', 4, 'main', 'west');
SELECT :L FROM invstock.inv_transfer('T1', 4, 'west', 'east');
SELECT :L FROM invstock.levels ORDER BY sku, location;
-- every transfer is a balanced pair
SELECT transfer_id IS NOT NULL AS has_id, count(*) AS movements,
       sum(on_hand_delta) AS net, bool_and(reserved_delta = 0) AS reserved_untouched
  FROM invstock.movement WHERE kind LIKE 'transfer%'
 GROUP BY transfer_id ORDER BY transfer_id;

------------------------------------------------------------------------------
-- from_location = to_location is 22023, even with qty 0
------------------------------------------------------------------------------

SELECT count(*) AS movements FROM invstock.movement \gset
SELECT :L FROM invstock.inv_transfer('T1', 1, 'main', 'main');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('T1', 0, 'east', 'east');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;

------------------------------------------------------------------------------
-- qty 0 changes nothing: both levels returned, no movement, no new location
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_transfer('T1', 0, 'main', 'east');
SELECT :L FROM invstock.inv_transfer('T1', 0, 'main', 'north');
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT location FROM invstock.location ORDER BY location;
SELECT :L FROM invstock.levels ORDER BY sku, location;

------------------------------------------------------------------------------
-- Unknown SKU or source: P0002, nothing created
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_transfer('NOPE', 1, 'main', 'east');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('T1', 1, 'south', 'main');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('T1', 0, 'south', 'main');
\echo :LAST_ERROR_SQLSTATE
-- the source is checked even when the destination is new
SELECT :L FROM invstock.inv_transfer('T1', 1, 'south', 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT location FROM invstock.location ORDER BY location;
SELECT count(*) AS nope_skus FROM invstock.sku WHERE sku = 'NOPE';

------------------------------------------------------------------------------
-- A failed transfer leaves both rows as they were (all or nothing)
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('T2', 5, 'received', location => 'east');
SELECT :L FROM invstock.inv_adjust('T2', 9223372036854775807, 'received', location => 'main');
SELECT count(*) AS movements FROM invstock.movement \gset
SELECT :L FROM invstock.inv_transfer('T2', 1, 'east', 'main');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT :L FROM invstock.levels WHERE sku = 'T2' ORDER BY location;

------------------------------------------------------------------------------
-- Invariants at the end
------------------------------------------------------------------------------

SELECT l.sku, l.location, l.on_hand, l.reserved,
       sum(m.on_hand_delta) AS ledger_on_hand, sum(m.reserved_delta) AS ledger_reserved
  FROM invstock.levels l
  JOIN invstock.movement m USING (sku, location)
 GROUP BY l.sku, l.location, l.on_hand, l.reserved
 ORDER BY l.sku, l.location;
SELECT * FROM invstock.inv_sync();

RESET ROLE;
