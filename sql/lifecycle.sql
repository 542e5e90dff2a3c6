-- lifecycle: receive, reserve, finalize, release, restock, partial settles, anonymous holds, qty 0, locations
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

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'

-- readable views of the holds and the ledger (timestamps left out)
CREATE TEMP VIEW holds AS
SELECT id, sku, location, reference, qty, status, qty_finalized, qty_released, qty_expired,
       closed_at IS NOT NULL AS closed
  FROM invstock.reservation;
CREATE TEMP VIEW ledger AS
SELECT id, sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after,
       reference, reason, actor
  FROM invstock.movement;

------------------------------------------------------------------------------
-- Happy path: receive, reserve, finalize
------------------------------------------------------------------------------

-- receive 20 units (creates the SKU, the default location and its row)
SELECT :L FROM invstock.inv_adjust('WIDGET', 20, 'purchase order received', reference => 'PO-1');
SELECT sku FROM invstock.sku ORDER BY sku;
SELECT location FROM invstock.location ORDER BY location;

-- reserve 3 for order ORD-1: available drops, on_hand does not
SELECT :L FROM invstock.inv_reserve('WIDGET', 3, reference => 'ORD-1');
SELECT * FROM holds ORDER BY id;

-- the goods ship: finalize the whole hold (qty NULL = all)
SELECT :L FROM invstock.inv_finalize('WIDGET', reference => 'ORD-1');
SELECT * FROM holds ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT * FROM ledger ORDER BY id;

------------------------------------------------------------------------------
-- Cancelled order: reserve, then release
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('WIDGET', 5, reference => 'ORD-2');
SELECT :L FROM invstock.inv_release('WIDGET', reference => 'ORD-2', reason => 'order cancelled');
SELECT * FROM holds WHERE reference = 'ORD-2';
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT * FROM ledger WHERE id > 3 ORDER BY id;

------------------------------------------------------------------------------
-- Restock and damage
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('WIDGET', 10, 'restock');
SELECT :L FROM invstock.inv_adjust('WIDGET', -2, 'damaged in the warehouse');
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT * FROM ledger WHERE id > 5 ORDER BY id;

------------------------------------------------------------------------------
-- Partial finalize and release of one hold
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('WIDGET', 6, reference => 'ORD-3');
-- two units ship: on_hand and reserved both drop by 2, the hold stays open with 4
SELECT :L FROM invstock.inv_finalize('WIDGET', 2, reference => 'ORD-3');
SELECT * FROM holds WHERE reference = 'ORD-3';
-- one unit is cancelled: reserved drops by 1, on_hand does not
SELECT :L FROM invstock.inv_release('WIDGET', 1, reference => 'ORD-3');
SELECT * FROM holds WHERE reference = 'ORD-3';
-- the rest ships: the hold closes as finalized, with 5 finalized and 1 released
SELECT :L FROM invstock.inv_finalize('WIDGET', reference => 'ORD-3');
SELECT * FROM holds WHERE reference = 'ORD-3';
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT * FROM ledger WHERE reference = 'ORD-3' ORDER BY id;

------------------------------------------------------------------------------
-- Reserving again for the same reference adds to its hold
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('WIDGET', 2, reference => 'ORD-4');
SELECT :L FROM invstock.inv_reserve('WIDGET', 3, reference => 'ORD-4', notes => 'customer added items');
-- one open hold of 5, not two holds
SELECT * FROM holds WHERE reference = 'ORD-4';
SELECT notes FROM invstock.reservation WHERE reference = 'ORD-4';
-- a hold for another reference is separate
SELECT :L FROM invstock.inv_reserve('WIDGET', 1, reference => 'ORD-5');
SELECT * FROM holds WHERE status = 'open' ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;
-- release all of ORD-4: ORD-5 keeps its unit
SELECT :L FROM invstock.inv_release('WIDGET', reference => 'ORD-4');
SELECT * FROM holds WHERE reference IN ('ORD-4', 'ORD-5') ORDER BY id;
SELECT :L FROM invstock.inv_release('WIDGET', reference => 'ORD-5');

------------------------------------------------------------------------------
-- Anonymous (NULL reference) holds
------------------------------------------------------------------------------

-- the anonymous hold of (WIDGET, main): reserving again adds to it
SELECT :L FROM invstock.inv_reserve('WIDGET', 4);
SELECT :L FROM invstock.inv_reserve('WIDGET', 1);
-- a named hold next to it
SELECT :L FROM invstock.inv_reserve('WIDGET', 2, reference => 'ORD-6');
SELECT * FROM holds WHERE status = 'open' ORDER BY id;
-- releasing without a reference takes from the anonymous hold only
SELECT :L FROM invstock.inv_release('WIDGET', 2);
SELECT * FROM holds WHERE status = 'open' ORDER BY id;
-- finalizing without a reference consumes the rest of the anonymous hold
SELECT :L FROM invstock.inv_finalize('WIDGET');
SELECT * FROM holds WHERE reference IS NULL OR reference = 'ORD-6' ORDER BY id;
SELECT * FROM ledger WHERE reference IS NULL AND kind IN ('reserve', 'release', 'finalize') ORDER BY id;
-- a new anonymous hold opens once the previous one is closed
SELECT :L FROM invstock.inv_reserve('WIDGET', 1);
SELECT * FROM holds WHERE reference IS NULL ORDER BY id;
SELECT :L FROM invstock.inv_release('WIDGET');
SELECT :L FROM invstock.inv_release('WIDGET', reference => 'ORD-6');
SELECT :L FROM invstock.levels ORDER BY sku, location;

------------------------------------------------------------------------------
-- A quantity of 0 changes nothing and writes no movement
------------------------------------------------------------------------------

SELECT count(*) AS movements FROM invstock.movement \gset
SELECT count(*) AS holds_before FROM invstock.reservation \gset
SELECT :L FROM invstock.inv_adjust('WIDGET', 0, 'nothing arrived');
SELECT :L FROM invstock.inv_reserve('WIDGET', 0, reference => 'ORD-7');
-- qty 0 does not need an open hold
SELECT :L FROM invstock.inv_release('WIDGET', 0, reference => 'ORD-7');
SELECT :L FROM invstock.inv_finalize('WIDGET', 0, reference => 'ORD-7');
SELECT :L FROM invstock.inv_release('WIDGET', 0);
SELECT :L FROM invstock.inv_finalize('WIDGET', 0);
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT count(*) = :holds_before AS no_new_hold FROM invstock.reservation;
SELECT :L FROM invstock.levels ORDER BY sku, location;

------------------------------------------------------------------------------
-- Status follows available: low_stock at or under 5, out_of_stock at 0
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('WIDGET', 12, reference => 'BIG');
SELECT :L FROM invstock.inv_reserve('WIDGET', 5, reference => 'BIG');
SELECT :L FROM invstock.inv_release('WIDGET', reference => 'BIG');

------------------------------------------------------------------------------
-- Multiple locations
------------------------------------------------------------------------------

-- receiving at a new location creates it; main is untouched
SELECT :L FROM invstock.inv_adjust('WIDGET', 8, 'store delivery', location => 'store-1');
SELECT :L FROM invstock.inv_reserve('WIDGET', 3, location => 'store-1', reference => 'ORD-8');
SELECT :L FROM invstock.levels ORDER BY sku, location;
-- a hold belongs to its location: the same reference at main is another hold
SELECT :L FROM invstock.inv_reserve('WIDGET', 1, reference => 'ORD-8');
SELECT * FROM holds WHERE reference = 'ORD-8' ORDER BY id;
SELECT :L FROM invstock.inv_finalize('WIDGET', location => 'store-1', reference => 'ORD-8');
SELECT * FROM holds WHERE reference = 'ORD-8' ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT :L FROM invstock.inv_level('WIDGET', 'store-1');
SELECT :L FROM invstock.inv_release('WIDGET', reference => 'ORD-8');
-- a second SKU at both locations
SELECT :L FROM invstock.inv_adjust('GADGET', 3, 'first delivery');
SELECT :L FROM invstock.inv_adjust('GADGET', 50, 'first delivery', location => 'store-1');
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT sku, locations, on_hand, reserved, available, status, is_low_stock
  FROM invstock.sku_totals ORDER BY sku;

------------------------------------------------------------------------------
-- The default location
------------------------------------------------------------------------------

-- NULL location and 'main' are the same row
SELECT :L FROM invstock.inv_reserve('GADGET', 1, location => NULL, reference => 'ORD-9');
SELECT :L FROM invstock.inv_level('GADGET');
SELECT :L FROM invstock.inv_release('GADGET', location => 'main', reference => 'ORD-9');
-- invstock.default_location changes where a NULL location goes
SET invstock.default_location = 'backroom';
SELECT :L FROM invstock.inv_adjust('GADGET', 7, 'found in the back room');
SELECT :L FROM invstock.inv_reserve('GADGET', 2, reference => 'ORD-10');
SELECT :L FROM invstock.inv_level('GADGET');
SELECT * FROM holds WHERE reference = 'ORD-10';
RESET invstock.default_location;
SELECT :L FROM invstock.inv_level('GADGET');
SELECT :L FROM invstock.inv_release('GADGET', location => 'backroom', reference => 'ORD-10');
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT location FROM invstock.location ORDER BY location;

------------------------------------------------------------------------------
-- The whole ledger, and the invariants at the end
------------------------------------------------------------------------------

SELECT * FROM ledger ORDER BY id;
-- I4: table = sum of the ledger, for every row
SELECT l.sku, l.location, l.on_hand, l.reserved,
       sum(m.on_hand_delta) AS ledger_on_hand, sum(m.reserved_delta) AS ledger_reserved
  FROM invstock.levels l
  JOIN invstock.movement m USING (sku, location)
 GROUP BY l.sku, l.location, l.on_hand, l.reserved
 ORDER BY l.sku, l.location;
-- I3: reserved = sum of the open holds
SELECT l.sku, l.location, l.reserved,
       (SELECT coalesce(sum(qty), 0) FROM invstock.reservation r
         WHERE r.sku = l.sku AND r.location = l.location AND r.status = 'open') AS held
  FROM invstock.levels l ORDER BY l.sku, l.location;
-- closed holds hold nothing
SELECT count(*) AS closed_with_units FROM invstock.reservation WHERE status <> 'open' AND qty <> 0;
-- inv_sync finds nothing to report
SELECT * FROM invstock.inv_sync();

RESET ROLE;
