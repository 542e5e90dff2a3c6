-- robustness: the findings of the code review, each pinned by a test
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- inv_configure builds its result by column name: a dropped column of
-- invstock.sku (as a future upgrade script may leave) must not shift it
ALTER TABLE invstock.sku ADD COLUMN scratch integer;
ALTER TABLE invstock.sku DROP COLUMN scratch;
SELECT sku, track_inventory, allow_backorder, low_stock_threshold, reorder_point, reorder_quantity, slots
  FROM invstock.inv_configure('DROPPED', low_stock_threshold => 3, reorder_point => 4);

-- an idempotent replay does not depend on the session's DateStyle, TimeZone
-- or IntervalStyle (the stored result is text)
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Kathmandu';
SELECT 1 FROM invstock.inv_adjust('TZ', 10, 'received');
SELECT extract(epoch FROM updated_at) AS first_epoch FROM invstock.inv_reserve('TZ', 2, idempotency_key => 'tz-key') \gset
SET DateStyle = 'ISO, MDY';
SET TimeZone = 'America/St_Johns';
SET IntervalStyle = 'sql_standard';
SELECT extract(epoch FROM updated_at) = :first_epoch AS same_instant, reserved
  FROM invstock.inv_reserve('TZ', 2, idempotency_key => 'tz-key');
RESET DateStyle;
RESET TimeZone;
RESET IntervalStyle;

-- holds of a SKU that is no longer tracked: settling the order changes
-- nothing (untracked accepts every call) and the ledger stays consistent
SELECT 1 FROM invstock.inv_adjust('UNT', 10, 'received');
SELECT 1 FROM invstock.inv_reserve_order('ORD-U', '[{"sku": "UNT", "qty": 3}]');
SELECT track_inventory FROM invstock.inv_configure('UNT', track_inventory => false);
SELECT sku, on_hand, reserved, status FROM invstock.inv_finalize_order('ORD-U');
SELECT on_hand, reserved FROM invstock.stock WHERE sku = 'UNT';
SELECT track_inventory FROM invstock.inv_configure('UNT', track_inventory => true);
SELECT * FROM invstock.inv_sync('UNT', repair => false);

-- a direct write while untracked is not recorded; when tracking resumes the
-- ledger catches up with a 'sync' movement, so I4 holds again
SELECT 1 FROM invstock.inv_adjust('RETRACK', 10, 'received');
SELECT track_inventory FROM invstock.inv_configure('RETRACK', track_inventory => false);
UPDATE invstock.stock SET on_hand = 3 WHERE sku = 'RETRACK';
SELECT track_inventory FROM invstock.inv_configure('RETRACK', track_inventory => true);
SELECT kind, on_hand_delta, reserved_delta, on_hand_after, reason
  FROM invstock.movement WHERE sku = 'RETRACK' ORDER BY id;
SELECT * FROM invstock.inv_sync('RETRACK', repair => false);
-- the same when the row was deleted while untracked and a function creates it again
SELECT track_inventory FROM invstock.inv_configure('RETRACK', track_inventory => false);
DELETE FROM invstock.stock WHERE sku = 'RETRACK';
SELECT track_inventory FROM invstock.inv_configure('RETRACK', track_inventory => true);
SELECT sku, on_hand FROM invstock.inv_adjust('RETRACK', 1, 'received again');
SELECT kind, on_hand_delta, on_hand_after FROM invstock.movement WHERE sku = 'RETRACK' ORDER BY id;
SELECT * FROM invstock.inv_sync('RETRACK', repair => false);

-- arithmetic on values an untracked row may hold never wraps (I7): 22003
SELECT 1 FROM invstock.inv_adjust('WRAP', 1, 'received');
SELECT track_inventory FROM invstock.inv_configure('WRAP', track_inventory => false);
UPDATE invstock.stock SET on_hand = -9223372036854775808 WHERE sku = 'WRAP';
SELECT discrepancy FROM invstock.inv_count('WRAP', 5);
\echo :LAST_ERROR_SQLSTATE

-- inv_sync reports a row that breaks I1/I2 and has an overdue hold, instead
-- of aborting on the hold's expiry (the trigger was bypassed to break it)
SELECT 1 FROM invstock.inv_adjust('BROKEN', 10, 'received');
SELECT 1 FROM invstock.inv_reserve('BROKEN', 4, reference => 'OLD', ttl => '1 hour');
UPDATE invstock.reservation SET expires_at = now() - interval '1 minute' WHERE reference = 'OLD';
UPDATE invstock.stock SET next_expiry = now() - interval '1 minute' WHERE sku = 'BROKEN';
SET session_replication_role = replica;
UPDATE invstock.stock SET on_hand = 2 WHERE sku = 'BROKEN';
SET session_replication_role = origin;
SELECT sku, location, problem, expected, actual, repaired FROM invstock.inv_sync('BROKEN', repair => false)
 ORDER BY problem;
SELECT status FROM invstock.reservation WHERE reference = 'OLD';

-- reorder_report stays readable when reorder_point - available exceeds bigint
SELECT allow_backorder FROM invstock.inv_configure('HUGE', allow_backorder => true,
                                                  reorder_point => 9223372036854775807);
SELECT 1 FROM invstock.inv_reserve('HUGE', 9223372036854775807);
SELECT sku, available, reorder_point, suggested_qty FROM invstock.reorder_report WHERE sku = 'HUGE';

-- 255-character names of 4-byte characters fit every index (the open-hold
-- index keys the reference by its md5)
SELECT length(repeat('😀', 255)) AS chars, octet_length(repeat('😀', 255)) AS bytes;
SELECT 1 FROM invstock.inv_adjust(repeat('😀', 255), 10, 'received', location => repeat('😃', 255));
SELECT reserved FROM invstock.inv_reserve(repeat('😀', 255), 2, location => repeat('😃', 255),
                                          reference => repeat('😄', 255));
SELECT reserved FROM invstock.inv_reserve(repeat('😀', 255), 1, location => repeat('😃', 255),
                                          reference => repeat('😄', 255));
SELECT qty FROM invstock.reservation WHERE reference = repeat('😄', 255);
SELECT reserved FROM invstock.inv_release(repeat('😀', 255), location => repeat('😃', 255),
                                          reference => repeat('😄', 255));

-- an unknown key in lines is quoted without cutting a character in half
SELECT 1 FROM invstock.inv_reserve_order('ORD-K', jsonb_build_array(jsonb_build_object(
    'sku', 'TZ', 'qty', 1, repeat('é', 40), 1)));
\echo :LAST_ERROR_SQLSTATE

-- invstock.events exists and is on by default (specs/events.spec shows that
-- off sends nothing)
SHOW invstock.events;

-- everything above left the ledger consistent
SELECT count(*) AS problems FROM invstock.inv_sync(repair => false) WHERE sku NOT IN ('WRAP', 'BROKEN');
