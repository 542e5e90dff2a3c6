-- views.sql: the views invstock.levels, sku_totals, low_stock, out_of_stock and reorder_report: their columns, and their rows, statuses, is_low_stock and suggested_qty for a prepared data set (SPEC section 3, decisions.md "Policy").
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;

SELECT plan(50);

------------------------------------------------------------------------------
-- Columns
------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT column_name::text COLLATE "default", data_type::text COLLATE "default" FROM information_schema.columns
       WHERE table_schema = 'invstock' AND table_name = 'levels' ORDER BY ordinal_position$$,
    $$VALUES ('sku', 'text'), ('location', 'text'), ('on_hand', 'bigint'), ('reserved', 'bigint'),
             ('available', 'bigint'), ('status', 'text'), ('is_low_stock', 'boolean'),
             ('updated_at', 'timestamp with time zone'), ('last_counted_at', 'timestamp with time zone'),
             ('last_movement_at', 'timestamp with time zone')$$,
    'levels: the columns of invstock.level, then last_counted_at and last_movement_at');
SELECT results_eq(
    $$SELECT column_name::text COLLATE "default", data_type::text COLLATE "default" FROM information_schema.columns
       WHERE table_schema = 'invstock' AND table_name = 'sku_totals' ORDER BY ordinal_position$$,
    $$VALUES ('sku', 'text'), ('locations', 'bigint'), ('on_hand', 'bigint'), ('reserved', 'bigint'),
             ('available', 'bigint'), ('status', 'text'), ('is_low_stock', 'boolean'),
             ('updated_at', 'timestamp with time zone')$$,
    'sku_totals: one level per SKU, with the number of locations');
SELECT results_eq(
    $$SELECT column_name::text COLLATE "default", data_type::text COLLATE "default" FROM information_schema.columns
       WHERE table_schema = 'invstock' AND table_name = 'low_stock' ORDER BY ordinal_position$$,
    $$VALUES ('sku', 'text'), ('location', 'text'), ('on_hand', 'bigint'), ('reserved', 'bigint'),
             ('available', 'bigint'), ('status', 'text'), ('low_stock_threshold', 'bigint'),
             ('updated_at', 'timestamp with time zone')$$,
    'low_stock: columns');
SELECT results_eq(
    $$SELECT column_name::text COLLATE "default", data_type::text COLLATE "default" FROM information_schema.columns
       WHERE table_schema = 'invstock' AND table_name = 'out_of_stock' ORDER BY ordinal_position$$,
    $$VALUES ('sku', 'text'), ('location', 'text'), ('on_hand', 'bigint'), ('reserved', 'bigint'),
             ('available', 'bigint'), ('status', 'text'), ('updated_at', 'timestamp with time zone')$$,
    'out_of_stock: columns');
SELECT results_eq(
    $$SELECT column_name::text COLLATE "default", data_type::text COLLATE "default" FROM information_schema.columns
       WHERE table_schema = 'invstock' AND table_name = 'reorder_report' ORDER BY ordinal_position$$,
    $$VALUES ('sku', 'text'), ('on_hand', 'bigint'), ('reserved', 'bigint'), ('available', 'bigint'),
             ('reorder_point', 'bigint'), ('reorder_quantity', 'bigint'), ('suggested_qty', 'bigint')$$,
    'reorder_report: columns, suggested_qty a bigint');

------------------------------------------------------------------------------
-- Data set
------------------------------------------------------------------------------
DO $$
BEGIN
    -- statuses (default threshold 5)
    PERFORM invstock.inv_adjust('V-IN', 20, 'received');
    PERFORM invstock.inv_adjust('V-LOW', 4, 'received');
    PERFORM invstock.inv_adjust('V-EDGE', 5, 'received');
    PERFORM invstock.inv_adjust('V-SIX', 6, 'received');
    PERFORM invstock.inv_adjust('V-OUT', 3, 'received');
    PERFORM invstock.inv_reserve('V-OUT', 3, reference => 'o1');
    PERFORM invstock.inv_adjust('V-ZERO', 5, 'received');
    PERFORM invstock.inv_adjust('V-ZERO', -5, 'damaged');
    PERFORM invstock.inv_configure('V-BO', allow_backorder => true);
    PERFORM invstock.inv_adjust('V-BO', 2, 'received');
    PERFORM invstock.inv_reserve('V-BO', 5, reference => 'o2');
    PERFORM invstock.inv_configure('V-BO0', allow_backorder => true);
    PERFORM invstock.inv_adjust('V-BO0', 2, 'received');
    PERFORM invstock.inv_reserve('V-BO0', 2, reference => 'o3');
    PERFORM invstock.inv_configure('V-BOPOS', allow_backorder => true);
    PERFORM invstock.inv_adjust('V-BOPOS', 10, 'received');
    PERFORM invstock.inv_adjust('V-UNT', 2, 'received');
    PERFORM invstock.inv_configure('V-UNT', track_inventory => false);
    PERFORM invstock.inv_adjust('V-UNTZ', 3, 'received');
    PERFORM invstock.inv_reserve('V-UNTZ', 3, reference => 'o4');
    PERFORM invstock.inv_configure('V-UNTZ', track_inventory => false);
    PERFORM invstock.inv_configure('V-THR0', low_stock_threshold => 0);
    PERFORM invstock.inv_adjust('V-THR0', 1, 'received');
    PERFORM invstock.inv_configure('V-THR10', low_stock_threshold => 10);
    PERFORM invstock.inv_adjust('V-THR10', 10, 'received');
    PERFORM invstock.inv_adjust('V-MULTI', 3, 'received');
    PERFORM invstock.inv_adjust('V-MULTI', 10, 'received', location => 'east');
    -- reorder rules
    PERFORM invstock.inv_configure('R-A', reorder_point => 10, reorder_quantity => 50);
    PERFORM invstock.inv_adjust('R-A', 8, 'received');
    PERFORM invstock.inv_configure('R-B', reorder_point => 100, reorder_quantity => 20);
    PERFORM invstock.inv_adjust('R-B', 30, 'received');
    PERFORM invstock.inv_configure('R-C', reorder_point => 10);
    PERFORM invstock.inv_adjust('R-C', 4, 'received');
    PERFORM invstock.inv_configure('R-D', reorder_point => 10, reorder_quantity => 5);
    PERFORM invstock.inv_adjust('R-D', 10, 'received');
    PERFORM invstock.inv_configure('R-E', reorder_point => 10, reorder_quantity => 5);
    PERFORM invstock.inv_adjust('R-E', 11, 'received');
    PERFORM invstock.inv_configure('R-F', reorder_point => 10, reorder_quantity => 5, track_inventory => false);
    PERFORM invstock.inv_adjust('R-G', 0, 'received');
    PERFORM invstock.inv_configure('R-G2', reorder_quantity => 40);
    PERFORM invstock.inv_configure('R-H', reorder_point => 10, reorder_quantity => 1);
    PERFORM invstock.inv_adjust('R-H', 4, 'received');
    PERFORM invstock.inv_adjust('R-H', 4, 'received', location => 'east');
    PERFORM invstock.inv_configure('R-I', reorder_point => 10, reorder_quantity => 0);
    PERFORM invstock.inv_adjust('R-I', 12, 'received');
    PERFORM invstock.inv_reserve('R-I', 5, reference => 'o5');
    PERFORM invstock.inv_configure('R-J', reorder_point => 10, reorder_quantity => 25);
    PERFORM invstock.inv_configure('R-BO', reorder_point => 5, reorder_quantity => 2, allow_backorder => true);
    PERFORM invstock.inv_reserve('R-BO', 3, reference => 'o6');
    PERFORM invstock.inv_configure('R-K', reorder_point => 0, reorder_quantity => 7);
    PERFORM invstock.inv_adjust('R-K', 0, 'received');
END $$;

------------------------------------------------------------------------------
-- levels
------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT sku COLLATE "default", location COLLATE "default", on_hand, reserved, available, status, is_low_stock
        FROM invstock.levels WHERE sku LIKE 'V-%' ORDER BY sku, location$$,
    $$VALUES ('V-BO', 'main', 2::bigint, 5::bigint, -3::bigint, 'on_backorder', true),
             ('V-BO0', 'main', 2, 2, 0, 'on_backorder', true),
             ('V-BOPOS', 'main', 10, 0, 10, 'in_stock', false),
             ('V-EDGE', 'main', 5, 0, 5, 'low_stock', true),
             ('V-IN', 'main', 20, 0, 20, 'in_stock', false),
             ('V-LOW', 'main', 4, 0, 4, 'low_stock', true),
             ('V-MULTI', 'east', 10, 0, 10, 'in_stock', false),
             ('V-MULTI', 'main', 3, 0, 3, 'low_stock', true),
             ('V-OUT', 'main', 3, 3, 0, 'out_of_stock', true),
             ('V-SIX', 'main', 6, 0, 6, 'in_stock', false),
             ('V-THR0', 'main', 1, 0, 1, 'in_stock', false),
             ('V-THR10', 'main', 10, 0, 10, 'low_stock', true),
             ('V-UNT', 'main', 2, 0, 2, 'untracked', true),
             ('V-UNTZ', 'main', 3, 3, 0, 'untracked', true),
             ('V-ZERO', 'main', 0, 0, 0, 'out_of_stock', true)$$,
    'levels: one row per (sku, location) with its status and is_low_stock');
SELECT is((SELECT status FROM invstock.levels WHERE sku = 'V-EDGE'), 'low_stock',
          'available equal to the threshold is low_stock (<=)');
SELECT is((SELECT status FROM invstock.levels WHERE sku = 'V-SIX'), 'in_stock',
          'available one above the threshold is in_stock');
SELECT is((SELECT status FROM invstock.levels WHERE sku = 'V-BO0'), 'on_backorder',
          'available 0 with backorders allowed is on_backorder, not out_of_stock');
SELECT is((SELECT status FROM invstock.levels WHERE sku = 'V-BOPOS'), 'in_stock',
          'backorders allowed but stock available is in_stock');
SELECT is((SELECT status FROM invstock.levels WHERE sku = 'V-UNTZ'), 'untracked',
          'untracked wins over out_of_stock');
SELECT is((SELECT is_low_stock FROM invstock.levels WHERE sku = 'V-UNT'), true,
          'is_low_stock is available <= threshold also for an untracked SKU');
SELECT is((SELECT (status, is_low_stock)::text FROM invstock.levels WHERE sku = 'V-THR0'), '(in_stock,f)',
          'a SKU threshold of 0 overrides the setting');
SELECT is((SELECT (status, is_low_stock)::text FROM invstock.levels WHERE sku = 'V-THR10'), '(low_stock,t)',
          'a SKU threshold of 10 overrides the setting');
SELECT bag_eq(
    $$SELECT sku, location, on_hand, reserved, available, status, is_low_stock, updated_at FROM invstock.levels$$,
    $$SELECT (invstock.inv_level(sku, location)).* FROM invstock.levels$$,
    'every row of levels equals inv_level of its (sku, location)');
SELECT is_empty(
    $$SELECT sku, location FROM invstock.levels GROUP BY sku, location HAVING count(*) > 1$$,
    'levels has one row per (sku, location)');
SELECT is((SELECT count(*)::int FROM invstock.levels), (SELECT count(DISTINCT (sku, location))::int FROM invstock.stock),
          'levels has a row for every (sku, location) of the stock table');

------------------------------------------------------------------------------
-- sku_totals
------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT sku COLLATE "default", locations, on_hand, reserved, available, status, is_low_stock
        FROM invstock.sku_totals WHERE sku LIKE 'V-%' ORDER BY sku$$,
    $$VALUES ('V-BO', 1::bigint, 2::bigint, 5::bigint, -3::bigint, 'on_backorder', true),
             ('V-BO0', 1, 2, 2, 0, 'on_backorder', true),
             ('V-BOPOS', 1, 10, 0, 10, 'in_stock', false),
             ('V-EDGE', 1, 5, 0, 5, 'low_stock', true),
             ('V-IN', 1, 20, 0, 20, 'in_stock', false),
             ('V-LOW', 1, 4, 0, 4, 'low_stock', true),
             ('V-MULTI', 2, 13, 0, 13, 'in_stock', false),
             ('V-OUT', 1, 3, 3, 0, 'out_of_stock', true),
             ('V-SIX', 1, 6, 0, 6, 'in_stock', false),
             ('V-THR0', 1, 1, 0, 1, 'in_stock', false),
             ('V-THR10', 1, 10, 0, 10, 'low_stock', true),
             ('V-UNT', 1, 2, 0, 2, 'untracked', true),
             ('V-UNTZ', 1, 3, 3, 0, 'untracked', true),
             ('V-ZERO', 1, 0, 0, 0, 'out_of_stock', true)$$,
    'sku_totals: per SKU over all its locations');
SELECT is((SELECT (locations, on_hand, available, status)::text FROM invstock.sku_totals WHERE sku = 'R-J'),
          '(0,0,0,out_of_stock)', 'sku_totals lists a configured SKU without stock rows with zeros');
SELECT is_empty(
    $$SELECT t.sku FROM invstock.sku_totals t
        LEFT JOIN (SELECT sku, sum(on_hand)::bigint oh, sum(reserved)::bigint r FROM invstock.levels GROUP BY sku) l
          ON l.sku = t.sku
       WHERE t.on_hand <> coalesce(l.oh, 0) OR t.reserved <> coalesce(l.r, 0)
          OR t.available <> coalesce(l.oh, 0) - coalesce(l.r, 0)$$,
    'sku_totals equals the sums of levels per SKU');
SELECT set_eq($$SELECT sku FROM invstock.sku_totals$$, $$SELECT sku FROM invstock.sku$$,
              'sku_totals has exactly one row per SKU');

------------------------------------------------------------------------------
-- low_stock
------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT sku COLLATE "default", location COLLATE "default", available, status, low_stock_threshold
        FROM invstock.low_stock WHERE sku LIKE 'V-%' ORDER BY sku, location$$,
    $$VALUES ('V-BO', 'main', -3::bigint, 'on_backorder', 5::bigint),
             ('V-BO0', 'main', 0, 'on_backorder', 5),
             ('V-EDGE', 'main', 5, 'low_stock', 5),
             ('V-LOW', 'main', 4, 'low_stock', 5),
             ('V-MULTI', 'main', 3, 'low_stock', 5),
             ('V-OUT', 'main', 0, 'out_of_stock', 5),
             ('V-THR10', 'main', 10, 'low_stock', 10),
             ('V-ZERO', 'main', 0, 'out_of_stock', 5)$$,
    'low_stock: tracked rows with is_low_stock, out-of-stock rows included, effective threshold shown');
SELECT is_empty(
    $$SELECT l.sku FROM invstock.low_stock l JOIN invstock.sku p USING (sku) WHERE NOT p.track_inventory$$,
    'low_stock lists no untracked SKU');
SELECT set_eq(
    $$SELECT sku, location FROM invstock.low_stock$$,
    $$SELECT l.sku, l.location FROM invstock.levels l JOIN invstock.sku p USING (sku) WHERE l.is_low_stock AND p.track_inventory$$,
    'low_stock is exactly the tracked levels with is_low_stock');

------------------------------------------------------------------------------
-- out_of_stock
------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT sku COLLATE "default", location COLLATE "default", on_hand, reserved, available, status
        FROM invstock.out_of_stock ORDER BY sku, location$$,
    $$VALUES ('R-BO', 'main', 0::bigint, 3::bigint, -3::bigint, 'on_backorder'),
             ('R-G', 'main', 0, 0, 0, 'out_of_stock'),
             ('R-K', 'main', 0, 0, 0, 'out_of_stock'),
             ('V-BO', 'main', 2, 5, -3, 'on_backorder'),
             ('V-BO0', 'main', 2, 2, 0, 'on_backorder'),
             ('V-OUT', 'main', 3, 3, 0, 'out_of_stock'),
             ('V-ZERO', 'main', 0, 0, 0, 'out_of_stock')$$,
    'out_of_stock: tracked rows with available <= 0 (out_of_stock or on_backorder)');
SELECT is_empty(
    $$SELECT o.sku FROM invstock.out_of_stock o JOIN invstock.sku p USING (sku) WHERE NOT p.track_inventory$$,
    'out_of_stock lists no untracked SKU (V-UNTZ has available 0)');

------------------------------------------------------------------------------
-- reorder_report
------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT sku COLLATE "default", on_hand, reserved, available, reorder_point, reorder_quantity, suggested_qty
        FROM invstock.reorder_report ORDER BY sku$$,
    $$VALUES ('R-A', 8::bigint, 0::bigint, 8::bigint, 10::bigint, 50::bigint, 50::bigint),
             ('R-B', 30, 0, 30, 100, 20, 70),
             ('R-BO', 0, 3, -3, 5, 2, 8),
             ('R-C', 4, 0, 4, 10, NULL, 6),
             ('R-D', 10, 0, 10, 10, 5, 5),
             ('R-H', 8, 0, 8, 10, 1, 2),
             ('R-I', 12, 5, 7, 10, 0, 3),
             ('R-J', 0, 0, 0, 10, 25, 25),
             ('R-K', 0, 0, 0, 0, 7, 7)$$,
    'reorder_report: tracked SKUs at or under their reorder point, suggested_qty = greatest(reorder_quantity, reorder_point - available)');
SELECT is((SELECT suggested_qty FROM invstock.reorder_report WHERE sku = 'R-A'), 50::bigint,
          'suggested_qty is reorder_quantity when it exceeds the shortfall');
SELECT is((SELECT suggested_qty FROM invstock.reorder_report WHERE sku = 'R-B'), 70::bigint,
          'suggested_qty is the shortfall when it exceeds reorder_quantity');
SELECT is((SELECT suggested_qty FROM invstock.reorder_report WHERE sku = 'R-C'), 6::bigint,
          'a NULL reorder_quantity counts as 0');
SELECT is((SELECT available FROM invstock.reorder_report WHERE sku = 'R-D'), 10::bigint,
          'a SKU exactly at its reorder point is reported');
SELECT is((SELECT available FROM invstock.reorder_report WHERE sku = 'R-H'), 8::bigint,
          'reorder_report sums available over all locations');
SELECT is_empty($$SELECT sku FROM invstock.reorder_report WHERE sku IN ('R-E', 'R-G', 'R-G2')$$,
    'SKUs above their reorder point or without one are not reported');
SELECT is_empty(
    $$SELECT r.sku FROM invstock.reorder_report r JOIN invstock.sku p USING (sku) WHERE NOT p.track_inventory$$,
    'reorder_report lists no untracked SKU (R-F)');
SELECT is_empty(
    $$SELECT r.sku FROM invstock.reorder_report r
       WHERE r.suggested_qty IS DISTINCT FROM greatest(coalesce(r.reorder_quantity, 0), r.reorder_point - r.available)$$,
    'every row follows the suggested_qty rule of decisions.md');

------------------------------------------------------------------------------
-- The views follow the setting invstock.low_stock_threshold
------------------------------------------------------------------------------
SET invstock.low_stock_threshold = 3;
SELECT results_eq(
    $$SELECT sku COLLATE "default", location COLLATE "default", status, is_low_stock FROM invstock.levels
       WHERE sku IN ('V-LOW', 'V-EDGE', 'V-MULTI', 'V-THR10', 'V-THR0') ORDER BY sku, location$$,
    $$VALUES ('V-EDGE', 'main', 'in_stock', false),
             ('V-LOW', 'main', 'in_stock', false),
             ('V-MULTI', 'east', 'in_stock', false),
             ('V-MULTI', 'main', 'low_stock', true),
             ('V-THR0', 'main', 'in_stock', false),
             ('V-THR10', 'main', 'low_stock', true)$$,
    'with invstock.low_stock_threshold = 3, SKUs without their own threshold use 3');
SELECT set_eq(
    $$SELECT sku, low_stock_threshold FROM invstock.low_stock WHERE sku IN ('V-LOW', 'V-EDGE', 'V-MULTI', 'V-THR10')$$,
    $$VALUES ('V-MULTI', 3::bigint), ('V-THR10', 10::bigint)$$,
    'low_stock follows the setting and shows the effective threshold');
SELECT is((SELECT status FROM invstock.inv_level('V-LOW')), 'in_stock',
          'inv_level follows the setting too');
RESET invstock.low_stock_threshold;
SELECT is((SELECT status FROM invstock.levels WHERE sku = 'V-LOW'), 'low_stock',
          'back to the default threshold 5');

------------------------------------------------------------------------------
-- last_counted_at, last_movement_at, updated_at
------------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM invstock.levels WHERE last_counted_at IS NOT NULL), 0,
          'no row has been counted yet');
CREATE TEMP TABLE counted AS SELECT * FROM invstock.inv_count('V-IN', 19);
SELECT is((SELECT last_counted_at FROM invstock.levels WHERE sku = 'V-IN'), (SELECT counted_at FROM counted),
          'last_counted_at is the time of the count');
SELECT is((SELECT (on_hand, available, status)::text FROM invstock.levels WHERE sku = 'V-IN'), '(19,19,in_stock)',
          'levels shows the counted quantity');
SELECT ok((SELECT last_movement_at FROM invstock.levels WHERE sku = 'V-IN')
          > (SELECT last_movement_at FROM invstock.levels WHERE sku = 'V-SIX'),
          'last_movement_at moves with the newest movement of the row');
SELECT is((SELECT last_movement_at FROM invstock.levels WHERE sku = 'V-MULTI' AND location = 'east'),
          (SELECT max(at) FROM invstock.movement WHERE sku = 'V-MULTI' AND location = 'east'),
          'last_movement_at is the time of the last movement of that (sku, location)');
SELECT is((SELECT updated_at FROM invstock.levels WHERE sku = 'V-IN'), (SELECT counted_at FROM counted),
          'updated_at is the time of the last change');

------------------------------------------------------------------------------
-- Readers never write: an expired hold shows as reserved until inv_sync
------------------------------------------------------------------------------
DO $$
BEGIN
    PERFORM invstock.inv_adjust('V-EXP', 10, 'received');
    PERFORM invstock.inv_reserve('V-EXP', 10, reference => 'exp', ttl => '0.2 seconds');
END $$;
DO $$ BEGIN PERFORM pg_sleep(0.4); END $$;
SELECT is((SELECT (reserved, status)::text FROM invstock.levels WHERE sku = 'V-EXP'), '(10,out_of_stock)',
          'levels still shows an expired hold as reserved (readers never write)');
SELECT is((SELECT count(*)::int FROM invstock.out_of_stock WHERE sku = 'V-EXP'), 1,
          'out_of_stock lists the row until the hold is released');
DO $$ BEGIN PERFORM invstock.inv_sync(); END $$;
SELECT is((SELECT (reserved, available, status)::text FROM invstock.levels WHERE sku = 'V-EXP'), '(0,10,in_stock)',
          'after inv_sync the expired hold is released in the views');
SELECT is((SELECT count(*)::int FROM invstock.out_of_stock WHERE sku = 'V-EXP'), 0,
          'and out_of_stock no longer lists it');

------------------------------------------------------------------------------
-- invstock_reader can read every view
------------------------------------------------------------------------------
SET ROLE invstock_reader;
SELECT lives_ok(
    $$SELECT (SELECT count(*) FROM invstock.levels) + (SELECT count(*) FROM invstock.sku_totals)
           + (SELECT count(*) FROM invstock.low_stock) + (SELECT count(*) FROM invstock.out_of_stock)
           + (SELECT count(*) FROM invstock.reorder_report)$$,
    'invstock_reader can read every view');
RESET ROLE;

SELECT * FROM finish();
