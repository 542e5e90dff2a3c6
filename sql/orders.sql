-- orders: inv_reserve_order (all or nothing, summed lines, result order, malformed lines), inv_release_order, inv_finalize_order
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
CREATE TEMP VIEW holds AS
SELECT id, sku, location, reference, qty, status, qty_finalized, qty_released, qty_expired
  FROM invstock.reservation;
CREATE TEMP VIEW ledger AS
SELECT id, sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after,
       reference, reason, actor
  FROM invstock.movement;

------------------------------------------------------------------------------
-- Setup
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('O-A', 10, 'received');
SELECT :L FROM invstock.inv_adjust('O-B', 5, 'received');
SELECT :L FROM invstock.inv_adjust('O-B', 5, 'received', location => 'store');
SELECT :L FROM invstock.inv_adjust('O-C', 2, 'received');

------------------------------------------------------------------------------
-- A multi-line order: one hold per line, result in (sku, location) order
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve_order('ORD-1',
    '[{"sku": "O-B", "qty": 2},
      {"sku": "O-A", "qty": 3},
      {"sku": "O-B", "qty": 1, "location": "store"}]');
SELECT * FROM holds ORDER BY id;
SELECT * FROM ledger WHERE kind = 'reserve' ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;

------------------------------------------------------------------------------
-- All or nothing: one line short and nothing at all is reserved
------------------------------------------------------------------------------

SELECT count(*) AS movements FROM invstock.movement \gset
SELECT count(*) AS holds FROM invstock.reservation \gset
-- the short line (O-C) is locked after O-A was already reserved
SELECT :L FROM invstock.inv_reserve_order('ORD-2',
    '[{"sku": "O-A", "qty": 1}, {"sku": "O-C", "qty": 3}]');
\echo :LAST_ERROR_SQLSTATE
-- the short line comes first in the array, but is locked last
SELECT :L FROM invstock.inv_reserve_order('ORD-2',
    '[{"sku": "O-C", "qty": 3}, {"sku": "O-A", "qty": 1}, {"sku": "O-B", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
-- an unknown SKU after good lines
SELECT :L FROM invstock.inv_reserve_order('ORD-2',
    '[{"sku": "O-A", "qty": 1}, {"sku": "O-Z", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT count(*) = :holds AS no_new_hold FROM invstock.reservation;
SELECT count(*) AS ord2_holds FROM invstock.reservation WHERE reference = 'ORD-2';
SELECT :L FROM invstock.levels ORDER BY sku, location;

------------------------------------------------------------------------------
-- Lines naming the same (sku, location) are summed before checking
------------------------------------------------------------------------------

-- O-C has 2: two lines of 1 fit, as one hold of 2
SELECT :L FROM invstock.inv_reserve_order('ORD-3',
    '[{"sku": "O-C", "qty": 1}, {"sku": "O-C", "qty": 1}]');
SELECT * FROM holds WHERE reference = 'ORD-3';
SELECT * FROM ledger WHERE reference = 'ORD-3';
SELECT :L FROM invstock.inv_release_order('ORD-3');
-- two lines of 2 and 1 each fit alone, not together
SELECT :L FROM invstock.inv_reserve_order('ORD-3',
    '[{"sku": "O-C", "qty": 2}, {"sku": "O-C", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
-- a NULL location and the default location's name are the same (sku, location)
SELECT :L FROM invstock.inv_reserve_order('ORD-4',
    '[{"sku": "O-A", "qty": 1, "location": null},
      {"sku": "O-A", "qty": 2, "location": "main"},
      {"sku": "O-A", "qty": 1}]');
SELECT * FROM holds WHERE reference = 'ORD-4';

------------------------------------------------------------------------------
-- Reserving again for the same reference adds to its holds; qty 0 lines change nothing
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve_order('ORD-4',
    '[{"sku": "O-A", "qty": 1}, {"sku": "O-B", "qty": 1, "location": "store"}]');
SELECT * FROM holds WHERE reference = 'ORD-4' ORDER BY id;
SELECT count(*) AS movements FROM invstock.movement \gset
SELECT :L FROM invstock.inv_reserve_order('ORD-5',
    '[{"sku": "O-A", "qty": 0}, {"sku": "O-B", "qty": 0, "location": "store"}]');
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT count(*) AS ord5_holds FROM invstock.reservation WHERE reference = 'ORD-5';

------------------------------------------------------------------------------
-- Result order is byte order of (sku, location), the lock order
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('a1', 3, 'received');
SELECT :L FROM invstock.inv_adjust('Z1', 3, 'received');
SELECT :L FROM invstock.inv_adjust('Z1', 3, 'received', location => 'B-dock');
SELECT :L FROM invstock.inv_adjust('Z1', 3, 'received', location => 'a-dock');
SELECT :L FROM invstock.inv_reserve_order('ORD-6',
    '[{"sku": "a1", "qty": 1},
      {"sku": "Z1", "qty": 1, "location": "a-dock"},
      {"sku": "Z1", "qty": 1},
      {"sku": "Z1", "qty": 1, "location": "B-dock"}]');
-- release and finalize return their levels in the same order
SELECT :L FROM invstock.inv_release_order('ORD-6');

------------------------------------------------------------------------------
-- Malformed lines: 22023 (beyond bigint: 22003), nothing reserved
------------------------------------------------------------------------------

SELECT count(*) AS movements FROM invstock.movement \gset
-- not an array
SELECT :L FROM invstock.inv_reserve_order('BAD', '{"sku": "O-A", "qty": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '"O-A"');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', 'null');
\echo :LAST_ERROR_SQLSTATE
-- an empty array
SELECT :L FROM invstock.inv_reserve_order('BAD', '[]');
\echo :LAST_ERROR_SQLSTATE
-- elements that are not objects
SELECT :L FROM invstock.inv_reserve_order('BAD', '[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[["O-A", 1]]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 1}, null]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 1}, "O-B"]');
\echo :LAST_ERROR_SQLSTATE
-- missing sku or qty
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{}]');
\echo :LAST_ERROR_SQLSTATE
-- wrong types
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": "1"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": null}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": true}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": 1, "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": null, "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 1, "location": 5}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 1, "location": ""}]');
\echo :LAST_ERROR_SQLSTATE
-- fractional and negative quantities
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 1.5}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 0.001}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": -1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": -99999999999999999999}]');
\echo :LAST_ERROR_SQLSTATE
-- unknown keys are refused, also next to valid ones (a misspelt qty must not be ignored)
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "quantity": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 1, "note": "gift"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 1, "Qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
-- the line number is reported
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 1}, {"sku": "O-B", "qty": 1}, {"sku": "O-C", "qty": 0.5}]');
\echo :LAST_ERROR_SQLSTATE
-- a qty beyond bigint is 22003
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 9223372036854775808}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('BAD', '[{"sku": "O-A", "qty": 1e30}]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT count(*) AS bad_holds FROM invstock.reservation WHERE reference = 'BAD';
-- a whole number written with a fraction or an exponent is a whole number
SELECT :L FROM invstock.inv_reserve_order('WHOLE', '[{"sku": "O-A", "qty": 1.0}, {"sku": "O-B", "qty": 1e0}]');
SELECT * FROM holds WHERE reference = 'WHOLE' ORDER BY id;
SELECT :L FROM invstock.inv_release_order('WHOLE');

------------------------------------------------------------------------------
-- inv_release_order and inv_finalize_order settle every open hold of a reference
------------------------------------------------------------------------------

SELECT * FROM holds WHERE status = 'open' ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;
-- release ORD-4 (two holds); ORD-1 is untouched
SELECT :L FROM invstock.inv_release_order('ORD-4', reason => 'customer cancelled');
SELECT * FROM holds WHERE reference IN ('ORD-1', 'ORD-4') ORDER BY id;
SELECT * FROM ledger WHERE reference = 'ORD-4' AND kind = 'release' ORDER BY id;
-- nothing left to release
SELECT :L FROM invstock.inv_release_order('ORD-4');
\echo :LAST_ERROR_SQLSTATE
-- finalize ORD-1 after one of its holds was partly finalized on its own
SELECT :L FROM invstock.inv_finalize('O-A', 1, reference => 'ORD-1');
SELECT :L FROM invstock.inv_finalize_order('ORD-1');
SELECT * FROM holds WHERE reference = 'ORD-1' ORDER BY id;
SELECT * FROM ledger WHERE reference = 'ORD-1' AND kind = 'finalize' ORDER BY id;
SELECT :L FROM invstock.inv_finalize_order('ORD-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order('ORD-1');
\echo :LAST_ERROR_SQLSTATE
-- a reference that never held anything
SELECT :L FROM invstock.inv_release_order('NEVER');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('NEVER');
\echo :LAST_ERROR_SQLSTATE
-- a hold made with inv_reserve belongs to the same reference as an order's holds
SELECT :L FROM invstock.inv_reserve_order('ORD-7', '[{"sku": "O-B", "qty": 1}]');
SELECT :L FROM invstock.inv_reserve('O-C', 1, reference => 'ORD-7');
SELECT :L FROM invstock.inv_finalize_order('ORD-7');
SELECT * FROM holds WHERE reference = 'ORD-7' ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;

------------------------------------------------------------------------------
-- ttl applies to every line of the order
------------------------------------------------------------------------------

BEGIN;
SELECT :L FROM invstock.inv_reserve_order('ORD-8',
    '[{"sku": "O-A", "qty": 1}, {"sku": "O-B", "qty": 1, "location": "store"}]', ttl => '1 hour');
SELECT sku, location, expires_at = now() + interval '1 hour' AS expires_in_an_hour
  FROM invstock.reservation WHERE reference = 'ORD-8' ORDER BY id;
COMMIT;
SELECT count(*) AS holds, count(expires_at) AS expiring, count(DISTINCT expires_at) AS expiries
  FROM invstock.reservation WHERE reference = 'ORD-8';
-- without a ttl the holds do not expire
SELECT :L FROM invstock.inv_reserve_order('ORD-9', '[{"sku": "O-A", "qty": 1}]');
SELECT count(expires_at) AS expiring FROM invstock.reservation WHERE reference = 'ORD-9';
-- an invalid ttl is refused before anything is reserved
SELECT :L FROM invstock.inv_reserve_order('ORD-10', '[{"sku": "O-A", "qty": 1}]', ttl => '0 seconds');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('ORD-10', '[{"sku": "O-A", "qty": 1}]', ttl => '-1 hour');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS ord10_holds FROM invstock.reservation WHERE reference = 'ORD-10';
SELECT :L FROM invstock.inv_release_order('ORD-8');
SELECT :L FROM invstock.inv_release_order('ORD-9');

------------------------------------------------------------------------------
-- A SKU that allows backorders: an order may hold more than is on hand, at a new location too
------------------------------------------------------------------------------

SELECT sku, allow_backorder FROM invstock.inv_configure('O-BO', allow_backorder => true);
SELECT :L FROM invstock.inv_reserve_order('ORD-11',
    '[{"sku": "O-BO", "qty": 4}, {"sku": "O-BO", "qty": 2, "location": "store"}, {"sku": "O-A", "qty": 1}]');
SELECT * FROM holds WHERE reference = 'ORD-11' ORDER BY id;
-- the backordered holds cannot be finalized yet: the whole order stays as it was
SELECT :L FROM invstock.inv_finalize_order('ORD-11');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM holds WHERE reference = 'ORD-11' ORDER BY id;
SELECT :L FROM invstock.inv_release_order('ORD-11');

------------------------------------------------------------------------------
-- Invariants at the end
------------------------------------------------------------------------------

SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT count(*) AS open_holds FROM invstock.reservation WHERE status = 'open';
SELECT l.sku, l.location, l.on_hand, l.reserved,
       sum(m.on_hand_delta) AS ledger_on_hand, sum(m.reserved_delta) AS ledger_reserved
  FROM invstock.levels l
  JOIN invstock.movement m USING (sku, location)
 GROUP BY l.sku, l.location, l.on_hand, l.reserved
 ORDER BY l.sku, l.location;
SELECT * FROM invstock.inv_sync();

RESET ROLE;
