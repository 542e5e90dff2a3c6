-- policy: inv_configure, stock status and is_low_stock, untracked SKUs, backorders and the stock views
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'
-- columns of the policy row returned by inv_configure (timestamps left out)
\set P 'sku, track_inventory, allow_backorder, low_stock_threshold, reorder_point, reorder_quantity, slots'

------------------------------------------------------------------------------
-- inv_configure
------------------------------------------------------------------------------

-- an unknown SKU is created with the default policy when no field is given
SELECT :P FROM invstock.inv_configure('CFG');
SELECT :P FROM invstock.sku ORDER BY sku;
-- configuring creates no location and no stock row
SELECT count(*) AS stock_rows FROM invstock.stock;
SELECT count(*) AS movements FROM invstock.movement;

-- only the fields given change, the others are kept
SELECT :P FROM invstock.inv_configure('CFG', low_stock_threshold => 3);
SELECT :P FROM invstock.inv_configure('CFG', reorder_point => 10, reorder_quantity => 25);
SELECT :P FROM invstock.inv_configure('CFG', allow_backorder => true);
SELECT :P FROM invstock.inv_configure('CFG', slots => 4);
SELECT :P FROM invstock.inv_configure('CFG', track_inventory => false);
-- NULL means "leave as is": nothing can be set back to NULL
SELECT :P FROM invstock.inv_configure('CFG', low_stock_threshold => NULL, reorder_point => NULL);
-- every field at once, on a new SKU
SELECT :P FROM invstock.inv_configure('CFG2', false, true, 0, 0, 0, 64);
-- zero is allowed for the threshold and the reorder values, 1 and 64 for slots
SELECT :P FROM invstock.inv_configure('CFG2', track_inventory => true, slots => 1);

-- bad values are 22023 and change nothing
SELECT :P FROM invstock.inv_configure('CFG', low_stock_threshold => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.inv_configure('CFG', reorder_point => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.inv_configure('CFG', reorder_quantity => -5);
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.inv_configure('CFG', slots => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.inv_configure('CFG', slots => 65);
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.inv_configure('CFG', slots => -1);
\echo :LAST_ERROR_SQLSTATE
-- a bad SKU name: NULL is 22004, empty or longer than 255 characters is 22023
SELECT :P FROM invstock.inv_configure(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.inv_configure('');
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.inv_configure(repeat('x', 256));
\echo :LAST_ERROR_SQLSTATE
-- a bad value is refused even for an unknown SKU, which is then not created
SELECT :P FROM invstock.inv_configure('NEVER', low_stock_threshold => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.sku ORDER BY sku;

------------------------------------------------------------------------------
-- Status, in order of precedence, with the default threshold (5)
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('ST', 7, 'initial receipt');
-- available 7 > 5: in_stock
SELECT :L FROM invstock.inv_level('ST');
-- available 6: still in_stock; 5 (= threshold): low_stock
SELECT :L FROM invstock.inv_reserve('ST', 1, reference => 'a');
SELECT :L FROM invstock.inv_reserve('ST', 1, reference => 'b');
-- available 1: low_stock
SELECT :L FROM invstock.inv_reserve('ST', 4, reference => 'c');
-- available 0: out_of_stock
SELECT :L FROM invstock.inv_reserve('ST', 1, reference => 'd');
-- allowing backorders turns available 0 into on_backorder
SELECT :P FROM invstock.inv_configure('ST', allow_backorder => true);
SELECT :L FROM invstock.inv_level('ST');
-- available below 0 (backorder): on_backorder
SELECT :L FROM invstock.inv_reserve('ST', 2, reference => 'e');
-- untracked comes before everything, even with nothing available
SELECT :P FROM invstock.inv_configure('ST', track_inventory => false);
SELECT :L FROM invstock.inv_level('ST');
SELECT :L FROM invstock.levels WHERE sku = 'ST';
-- tracked again: on_backorder again
SELECT :P FROM invstock.inv_configure('ST', track_inventory => true);
SELECT :L FROM invstock.inv_level('ST');

-- the status helper used by the views applies the same order
SELECT a AS available, t AS tracked, b AS backorder,
       invstock.level_status(a, t, b, 5) AS status,
       invstock.level_is_low(a, 5) AS is_low_stock
  FROM (VALUES (-1::bigint, false, true), (0, false, false), (10, false, false),
               (-1, true, true), (0, true, true), (0, true, false), (-1, true, false),
               (1, true, true), (5, true, false), (6, true, false)) AS v(a, t, b)
 ORDER BY t, b, a;

------------------------------------------------------------------------------
-- The SKU's own low_stock_threshold, and the invstock.low_stock_threshold setting
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('TH', 12, 'initial receipt');
-- no threshold of its own: the setting (5) applies
SELECT :L FROM invstock.inv_level('TH');
-- its own threshold 12: available 12 is low, 13 is not
SELECT :P FROM invstock.inv_configure('TH', low_stock_threshold => 12);
SELECT :L FROM invstock.inv_level('TH');
SELECT :L FROM invstock.inv_adjust('TH', 1, 'one more');
-- threshold 0: only out of stock counts as low
SELECT :P FROM invstock.inv_configure('TH', low_stock_threshold => 0);
SELECT :L FROM invstock.inv_reserve('TH', 12, reference => 'x');
SELECT :L FROM invstock.inv_reserve('TH', 1, reference => 'y');
SELECT :L FROM invstock.inv_release('TH', reference => 'y');

-- the setting applies to SKUs without a threshold of their own (ST2), not to TH
SELECT :L FROM invstock.inv_adjust('ST2', 8, 'initial receipt');
SET invstock.low_stock_threshold = 8;
SELECT :L FROM invstock.inv_level('ST2');
SELECT :L FROM invstock.inv_level('TH');
SELECT :L FROM invstock.levels WHERE sku IN ('ST2', 'TH') ORDER BY sku;
SET invstock.low_stock_threshold = 7;
SELECT :L FROM invstock.inv_level('ST2');
SELECT :L FROM invstock.levels WHERE sku IN ('ST2', 'TH') ORDER BY sku;
SET invstock.low_stock_threshold = 0;
SELECT :L FROM invstock.inv_adjust('ST2', -7, 'damaged');
RESET invstock.low_stock_threshold;
SELECT :L FROM invstock.inv_level('ST2');

------------------------------------------------------------------------------
-- Untracked SKUs accept every call, change nothing, write no movement, create no row
------------------------------------------------------------------------------

SELECT :P FROM invstock.inv_configure('FREE', track_inventory => false);
SELECT count(*) AS movements_before FROM invstock.movement \gset
SELECT count(*) AS holds_before FROM invstock.reservation \gset
-- no row: inv_level returns a zero level with status untracked
SELECT :L FROM invstock.inv_level('FREE');
SELECT :L FROM invstock.inv_level('FREE', 'anywhere');
SELECT :L FROM invstock.inv_adjust('FREE', 10, 'receipt ignored');
SELECT :L FROM invstock.inv_adjust('FREE', -1000, 'removal ignored');
SELECT :L FROM invstock.inv_reserve('FREE', 1000, reference => 'o1');
SELECT :L FROM invstock.inv_reserve('FREE', 5, location => 'store-9', reference => 'o2', ttl => '1 hour');
-- releasing or finalizing a hold that does not exist is accepted too
SELECT :L FROM invstock.inv_release('FREE', reference => 'o1');
SELECT :L FROM invstock.inv_release('FREE', 3, reference => 'nothing');
SELECT :L FROM invstock.inv_finalize('FREE', reference => 'o1');
SELECT :L FROM invstock.inv_finalize('FREE', 99);
SELECT sku, location, counted, on_hand, reserved, available FROM invstock.inv_count('FREE', 42);
SELECT :L FROM invstock.inv_transfer('FREE', 500, 'main', 'store-9');
SELECT :L FROM invstock.inv_reserve_order('o3', '[{"sku": "FREE", "qty": 100000}]');
SELECT :L FROM invstock.inv_level_at('FREE', NULL, now());
-- nothing was written: no stock row, no hold, no movement, no new location
SELECT count(*) AS free_rows FROM invstock.stock WHERE sku = 'FREE';
SELECT count(*) = :holds_before AS no_new_hold FROM invstock.reservation;
SELECT count(*) = :movements_before AS no_new_movement FROM invstock.movement;
SELECT location FROM invstock.location ORDER BY location;
-- no row in levels; sku_totals lists the SKU with no location
SELECT count(*) AS free_levels FROM invstock.levels WHERE sku = 'FREE';
SELECT sku, locations, on_hand, reserved, available, status, is_low_stock
  FROM invstock.sku_totals WHERE sku = 'FREE';

-- a SKU with stock that becomes untracked keeps its row as it is and records nothing
SELECT :L FROM invstock.inv_adjust('WAS', 4, 'initial receipt');
SELECT :L FROM invstock.inv_reserve('WAS', 1, reference => 'w1');
SELECT :P FROM invstock.inv_configure('WAS', track_inventory => false);
SELECT count(*) AS movements_before FROM invstock.movement \gset
SELECT :L FROM invstock.inv_reserve('WAS', 50, reference => 'w1');
SELECT :L FROM invstock.inv_adjust('WAS', -40, 'ignored');
SELECT :L FROM invstock.inv_finalize('WAS', 30, reference => 'w1');
SELECT sku, location, counted, on_hand, reserved, available FROM invstock.inv_count('WAS', 0);
SELECT count(*) = :movements_before AS no_new_movement FROM invstock.movement;
SELECT sku, location, on_hand, reserved FROM invstock.stock WHERE sku = 'WAS';
SELECT reference, qty, status FROM invstock.reservation WHERE sku = 'WAS' ORDER BY id;
-- tracked again: the row and its hold are as they were
SELECT :P FROM invstock.inv_configure('WAS', track_inventory => true);
SELECT :L FROM invstock.inv_level('WAS');
SELECT :L FROM invstock.inv_release('WAS', reference => 'w1');

------------------------------------------------------------------------------
-- Backorders
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('BO', 3, 'initial receipt');
-- without backorders, reserving beyond available fails
SELECT :L FROM invstock.inv_reserve('BO', 4, reference => 'o1');
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.inv_configure('BO', allow_backorder => true);
-- with backorders it succeeds: reserved > on_hand, available negative
SELECT :L FROM invstock.inv_reserve('BO', 4, reference => 'o1');
SELECT :L FROM invstock.inv_reserve('BO', 2, reference => 'o2');
SELECT sku, location, on_hand, reserved FROM invstock.stock WHERE sku = 'BO';
-- a backorder SKU gets a row at a location it has never stocked
SELECT :L FROM invstock.inv_reserve('BO', 1, location => 'store-2', reference => 'o3');
SELECT :L FROM invstock.inv_level('BO', 'store-2');
-- finalizing needs the units on hand: 4 held but only 3 on hand
SELECT :L FROM invstock.inv_finalize('BO', reference => 'o1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('BO', reference => 'o3', location => 'store-2');
\echo :LAST_ERROR_SQLSTATE
-- finalizing what is on hand works; the hold keeps the rest
SELECT :L FROM invstock.inv_finalize('BO', 3, reference => 'o1');
SELECT reference, qty, status, qty_finalized FROM invstock.reservation
 WHERE sku = 'BO' ORDER BY id;
-- a count and an adjustment may go below reserved (but not below 0)
SELECT sku, location, previous, counted, discrepancy, on_hand, reserved, available
  FROM invstock.inv_count('BO', 1);
SELECT :L FROM invstock.inv_adjust('BO', -1, 'broken');
SELECT :L FROM invstock.inv_adjust('BO', -1, 'too much');
\echo :LAST_ERROR_SQLSTATE
SELECT sku, location, previous, counted, discrepancy, on_hand, reserved, available
  FROM invstock.inv_count('BO', 0);
SELECT :L FROM invstock.inv_level('BO');
-- turning backorders off while reserved > on_hand fails and changes nothing
SELECT :P FROM invstock.inv_configure('BO', allow_backorder => false);
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.inv_configure('BO', allow_backorder => false, low_stock_threshold => 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :P FROM invstock.sku WHERE sku = 'BO';
SELECT sku, location, allow_backorder FROM invstock.stock WHERE sku = 'BO' ORDER BY location;
-- store-2 alone is not enough: every row of the SKU must satisfy reserved <= on_hand
SELECT :L FROM invstock.inv_adjust('BO', 10, 'receipt');
SELECT :P FROM invstock.inv_configure('BO', allow_backorder => false);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('BO', 1, 'receipt', location => 'store-2');
SELECT :P FROM invstock.inv_configure('BO', allow_backorder => false);
SELECT sku, location, allow_backorder FROM invstock.stock WHERE sku = 'BO' ORDER BY location;
SELECT :L FROM invstock.levels WHERE sku = 'BO' ORDER BY location;
-- and backorders are refused again
SELECT :L FROM invstock.inv_reserve('BO', 10, reference => 'o4');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('BO', 1, location => 'store-3', reference => 'o4');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- The views, with several SKUs and locations
------------------------------------------------------------------------------

-- a fresh set of SKUs for the views
SELECT :P FROM invstock.inv_configure('V-A', reorder_point => 20, reorder_quantity => 50);
SELECT :P FROM invstock.inv_configure('V-B', reorder_point => 30, reorder_quantity => 5, low_stock_threshold => 10);
SELECT :P FROM invstock.inv_configure('V-C', reorder_point => 4);
SELECT :P FROM invstock.inv_configure('V-D', allow_backorder => true, reorder_point => 0, reorder_quantity => 12);
SELECT :P FROM invstock.inv_configure('V-E', track_inventory => false, reorder_point => 100);
SELECT :P FROM invstock.inv_configure('V-F', reorder_point => 10, reorder_quantity => 10);
SELECT :L FROM invstock.inv_adjust('V-A', 12, 'receipt', location => 'north');
SELECT :L FROM invstock.inv_adjust('V-A', 9, 'receipt', location => 'south');
SELECT :L FROM invstock.inv_reserve('V-A', 2, location => 'south', reference => 'va');
SELECT :L FROM invstock.inv_adjust('V-B', 25, 'receipt', location => 'north');
SELECT :L FROM invstock.inv_adjust('V-B', 8, 'receipt', location => 'south');
SELECT :L FROM invstock.inv_adjust('V-C', 4, 'receipt', location => 'north');
SELECT :L FROM invstock.inv_reserve('V-C', 4, location => 'north', reference => 'vc');
SELECT :L FROM invstock.inv_adjust('V-C', 5, 'receipt', location => 'south');
SELECT :L FROM invstock.inv_reserve('V-D', 3, location => 'north', reference => 'vd');
SELECT :L FROM invstock.inv_adjust('V-F', 11, 'receipt', location => 'north');

-- levels: one row per (sku, location) with stock
SELECT :L FROM invstock.levels WHERE sku LIKE 'V-%' ORDER BY sku, location;
SELECT count(*) AS levels_with_counted_at FROM invstock.levels
 WHERE sku LIKE 'V-%' AND last_counted_at IS NOT NULL;
SELECT count(*) AS levels_with_movement_at FROM invstock.levels
 WHERE sku LIKE 'V-%' AND last_movement_at IS NOT NULL;
-- sku_totals: one row per SKU over all its locations (V-E has none)
SELECT sku, locations, on_hand, reserved, available, status, is_low_stock
  FROM invstock.sku_totals WHERE sku LIKE 'V-%' ORDER BY sku;
-- low_stock: tracked rows at or under their threshold, out of stock included
SELECT sku, location, on_hand, reserved, available, status, low_stock_threshold
  FROM invstock.low_stock WHERE sku LIKE 'V-%' ORDER BY sku, location;
-- out_of_stock: tracked rows with available <= 0
SELECT sku, location, on_hand, reserved, available, status
  FROM invstock.out_of_stock WHERE sku LIKE 'V-%' ORDER BY sku, location;
-- reorder_report: tracked SKUs whose total available is at or under the reorder point,
-- suggested_qty = greatest(reorder_quantity, reorder_point - available)
--   V-A: 19 <= 20, greatest(50, 1) = 50;  V-B: 33 > 30, not listed;
--   V-C: 5 > 4, not listed;  V-D: -3 <= 0, greatest(12, 3) = 12;
--   V-E: untracked;  V-F: 11 > 10, not listed
SELECT sku, on_hand, reserved, available, reorder_point, reorder_quantity, suggested_qty
  FROM invstock.reorder_report WHERE sku LIKE 'V-%' ORDER BY sku;
-- V-B: 30 left (exactly the reorder point): listed, greatest(5, 0) = 5
SELECT :L FROM invstock.inv_reserve('V-B', 3, location => 'south', reference => 'vb');
-- V-C: 4 left (= reorder point): listed, no reorder_quantity, greatest(0, 0) = 0
SELECT :L FROM invstock.inv_adjust('V-C', -1, 'damaged', location => 'south');
-- V-F: 1 left (under the reorder point): greatest(10, 9) = 10
SELECT :L FROM invstock.inv_reserve('V-F', 10, location => 'north', reference => 'vf');
-- V-D: more backordered: -13 available, greatest(12, 13) = 13
SELECT :L FROM invstock.inv_reserve('V-D', 10, location => 'south', reference => 'vd');
SELECT sku, on_hand, reserved, available, reorder_point, reorder_quantity, suggested_qty
  FROM invstock.reorder_report WHERE sku LIKE 'V-%' ORDER BY sku;
-- the other views after these changes
SELECT sku, locations, on_hand, reserved, available, status, is_low_stock
  FROM invstock.sku_totals WHERE sku LIKE 'V-%' ORDER BY sku;
SELECT sku, location, on_hand, reserved, available, status, low_stock_threshold
  FROM invstock.low_stock WHERE sku LIKE 'V-%' ORDER BY sku, location;
SELECT sku, location, on_hand, reserved, available, status
  FROM invstock.out_of_stock WHERE sku LIKE 'V-%' ORDER BY sku, location;
-- the low_stock view follows invstock.low_stock_threshold for SKUs without their own
SET invstock.low_stock_threshold = 12;
SELECT sku, location, on_hand, reserved, available, status, low_stock_threshold
  FROM invstock.low_stock WHERE sku LIKE 'V-%' ORDER BY sku, location;
RESET invstock.low_stock_threshold;
-- an untracked SKU's stock row is in levels (status untracked) but in no report
SELECT :P FROM invstock.inv_configure('V-F', track_inventory => false);
SELECT :L FROM invstock.levels WHERE sku = 'V-F';
SELECT count(*) AS in_reports
  FROM (SELECT sku FROM invstock.low_stock UNION ALL
        SELECT sku FROM invstock.out_of_stock UNION ALL
        SELECT sku FROM invstock.reorder_report) r
 WHERE sku = 'V-F';

-- the ledger still matches the table and the holds after all of this
SELECT * FROM invstock.inv_sync(repair => false);
