-- test/stress/check.sql: after the stress run, check the invariants
--
-- Run with: psql -X -At -F '|' -v ON_ERROR_STOP=1 -f check.sql
-- Output lines (run.sh parses them):
--   check|NAME|VIOLATIONS|what is checked
--   calls|N                           calls recorded by the stress wrappers
--   outcome|OP|OUTCOME|N              outcome counts
--   info|NAME|VALUE                   figures that are not checks
--   detail|...                        the offending rows, when a check fails
-- I1-I4 are checked on the state the run left, then inv_sync(repair => false)
-- must return no row, then I1-I4 are checked again (inv_sync expires the
-- overdue holds, which must keep every invariant).

\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE TEMP VIEW v_i1 AS
SELECT s.sku, s.location, s.slot, s.on_hand, s.reserved
  FROM invstock.stock s
 WHERE s.track_inventory AND (s.on_hand < 0 OR s.reserved < 0);

CREATE TEMP VIEW v_i2 AS
SELECT s.sku, s.location, s.slot, s.on_hand, s.reserved, p.allow_backorder,
       s.allow_backorder AS row_allow_backorder
  FROM invstock.stock s
  JOIN invstock.sku p ON p.sku = s.sku
 WHERE s.track_inventory
   AND ((s.reserved > s.on_hand AND NOT p.allow_backorder)
        OR s.allow_backorder IS DISTINCT FROM p.allow_backorder);

-- reserved of every row = the sum of its open holds; no open hold without a row
CREATE TEMP VIEW v_i3 AS
WITH holds AS (
    SELECT sku, location, slot, sum(qty) AS held, count(*) AS n_holds
      FROM invstock.reservation
     WHERE status = 'open'
     GROUP BY sku, location, slot)
SELECT coalesce(s.sku, h.sku) AS sku, coalesce(s.location, h.location) AS location,
       coalesce(s.slot, h.slot) AS slot, s.reserved, h.held, h.n_holds
  FROM (SELECT * FROM invstock.stock WHERE track_inventory) s
  FULL JOIN holds h ON h.sku = s.sku AND h.location = s.location AND h.slot = s.slot
 WHERE s.sku IS NULL OR s.reserved <> coalesce(h.held, 0);

-- on_hand and reserved of every row = the sums of its movements' deltas; the
-- movements of a row that does not exist sum to zero
CREATE TEMP VIEW v_i4 AS
WITH ledger AS (
    SELECT sku, location, slot, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
      FROM invstock.movement
     GROUP BY sku, location, slot)
SELECT coalesce(s.sku, l.sku) AS sku, coalesce(s.location, l.location) AS location,
       coalesce(s.slot, l.slot) AS slot, s.on_hand, l.on_hand AS ledger_on_hand,
       s.reserved, l.reserved AS ledger_reserved
  FROM (SELECT * FROM invstock.stock WHERE track_inventory) s
  FULL JOIN ledger l ON l.sku = s.sku AND l.location = s.location AND l.slot = s.slot
 WHERE (s.sku IS NULL AND (l.on_hand <> 0 OR l.reserved <> 0))
    OR (s.sku IS NOT NULL AND (s.on_hand <> coalesce(l.on_hand, 0)
                               OR s.reserved <> coalesce(l.reserved, 0)));

-- I6: a key is applied at most once (its movements come from one transaction)
CREATE TEMP VIEW v_i6 AS
SELECT idempotency_key, count(DISTINCT txid) AS transactions, count(*) AS movements
  FROM invstock.movement
 WHERE idempotency_key IS NOT NULL
 GROUP BY idempotency_key
HAVING count(DISTINCT txid) > 1;

-- levels.last_movement_at (kept on the stock rows since 1.3) = the time of
-- the newest movement of the (sku, location)
CREATE TEMP VIEW v_last_movement AS
SELECT l.sku, l.location, l.last_movement_at,
       (SELECT max(m.at) FROM invstock.movement m
         WHERE m.sku = l.sku AND m.location = l.location) AS ledger_last_movement_at
  FROM invstock.levels l
 WHERE l.last_movement_at IS DISTINCT FROM
       (SELECT max(m.at) FROM invstock.movement m WHERE m.sku = l.sku AND m.location = l.location);

-- the state the run left
SELECT 'check', 'I1', count(*), 'on_hand >= 0 and reserved >= 0' FROM v_i1;
SELECT 'check', 'I2', count(*), 'reserved <= on_hand unless backorders (and the row''s policy copy)' FROM v_i2;
SELECT 'check', 'I3', count(*), 'reserved = sum of open holds, per row' FROM v_i3;
SELECT 'check', 'I4', count(*), 'on_hand, reserved = sums of the movement deltas, per row' FROM v_i4;
SELECT 'check', 'I6', count(*), 'each idempotency key applied by at most one transaction' FROM v_i6;
SELECT 'detail', 'I1', * FROM v_i1;
SELECT 'detail', 'I2', * FROM v_i2;
SELECT 'detail', 'I3', * FROM v_i3;
SELECT 'detail', 'I4', * FROM v_i4;
SELECT 'detail', 'I6', * FROM v_i6 LIMIT 20;
SELECT 'check', 'last_movement_at', count(*), 'levels.last_movement_at = newest movement of the (sku, location)' FROM v_last_movement;
SELECT 'detail', 'last_movement_at', * FROM v_last_movement LIMIT 20;

-- inv_sync calls made during the run that reported something
SELECT 'check', 'sync_during_run', count(*), 'rows returned by inv_sync while the clients ran' FROM stress.sync_problem;
SELECT 'detail', 'sync_during_run', * FROM stress.sync_problem ORDER BY at LIMIT 20;

-- the reconciliation itself (it also expires the overdue holds)
CREATE TEMP TABLE final_sync AS SELECT * FROM invstock.inv_sync(repair => false);
SELECT 'check', 'inv_sync', count(*), 'rows returned by inv_sync(repair => false) after the run' FROM final_sync;
SELECT 'detail', 'inv_sync', * FROM final_sync;

-- the same invariants once inv_sync has expired the overdue holds
SELECT 'check', 'I1', count(*), 'after inv_sync' FROM v_i1;
SELECT 'check', 'I2', count(*), 'after inv_sync' FROM v_i2;
SELECT 'check', 'I3', count(*), 'after inv_sync' FROM v_i3;
SELECT 'check', 'I4', count(*), 'after inv_sync' FROM v_i4;
SELECT 'detail', 'I3 after inv_sync', * FROM v_i3;
SELECT 'detail', 'I4 after inv_sync', * FROM v_i4;

-- what the run did
SELECT 'calls', count(*) FROM stress.calls;
SELECT 'outcome', op, outcome, count(*) FROM stress.calls GROUP BY op, outcome ORDER BY op, outcome;
SELECT 'info', 'movements', count(*) FROM invstock.movement;
SELECT 'info', 'movements by kind', string_agg(kind || '=' || n, ' ' ORDER BY kind)
  FROM (SELECT kind, count(*) AS n FROM invstock.movement GROUP BY kind) k;
SELECT 'info', 'holds by status', string_agg(status || '=' || n, ' ' ORDER BY status)
  FROM (SELECT status, count(*) AS n FROM invstock.reservation GROUP BY status) h;
SELECT 'info', 'open holds with no units', count(*) FROM invstock.reservation WHERE status = 'open' AND qty <= 0;
SELECT 'info', 'idempotency keys claimed', count(*) FROM invstock.idempotency;
SELECT 'info', 'level ' || sku || '@' || location,
       format('on_hand=%s reserved=%s status=%s', on_hand, reserved, status)
  FROM invstock.levels ORDER BY sku, location;
