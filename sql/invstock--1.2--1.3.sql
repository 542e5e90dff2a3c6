/* invstock--1.2--1.3.sql: upgrade invstock 1.2 to 1.3 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION invstock UPDATE TO '1.3'" to load this file. \quit

-- 1.3: a smaller ledger.  The history index of the ledger was (sku,
-- location, at): a distinct key per movement, 53 bytes per movement on
-- disk, a quarter of the ledger.  It is replaced by (sku, location, slot),
-- whose equal keys btree deduplicates into posting lists (a few bytes per
-- movement).  What the time in the old key served, levels.last_movement_at,
-- is kept on the stock row instead, written by the stock_guard trigger with
-- every movement of the row (docs/performance.md, "The ledger on disk").

ALTER TABLE invstock.stock ADD COLUMN last_movement_at timestamptz;
COMMENT ON COLUMN invstock.stock.last_movement_at IS
    'Time of the newest movement of this row (its at); kept by the stock_guard trigger, not settable by hand.';

-- the time of each row's newest movement, in one pass over the ledger; the
-- trigger is off for it, as it would put back the value the row had
ALTER TABLE invstock.stock DISABLE TRIGGER stock_guard;
UPDATE invstock.stock s SET last_movement_at = m.at
  FROM (SELECT sku, location, slot, pg_catalog.max(at) AS at
          FROM invstock.movement GROUP BY sku, location, slot) m
 WHERE m.sku OPERATOR(pg_catalog.=) s.sku AND m.location OPERATOR(pg_catalog.=) s.location
   AND m.slot OPERATOR(pg_catalog.=) s.slot;
ALTER TABLE invstock.stock ENABLE TRIGGER stock_guard;

DROP INDEX invstock.movement_sku_location_at;
CREATE INDEX movement_stock_row ON invstock.movement (sku, location, slot);
COMMENT ON INDEX invstock.movement_stock_row IS
    'Movements of one stock row (deduplicated: equal keys share one entry): inv_level_at, inv_sync.';

CREATE OR REPLACE VIEW invstock.levels AS
SELECT s.sku,
       s.location,
       s.on_hand,
       s.reserved,
       s.on_hand OPERATOR(pg_catalog.-) s.reserved AS available,
       invstock.level_status(s.on_hand OPERATOR(pg_catalog.-) s.reserved, p.track_inventory,
                             p.allow_backorder, p.low_stock_threshold) AS status,
       invstock.level_is_low(s.on_hand OPERATOR(pg_catalog.-) s.reserved, p.low_stock_threshold) AS is_low_stock,
       s.updated_at,
       s.last_counted_at,
       s.last_movement_at
  FROM (SELECT st.sku, st.location,
               pg_catalog.sum(st.on_hand)::pg_catalog.int8 AS on_hand,
               pg_catalog.sum(st.reserved)::pg_catalog.int8 AS reserved,
               pg_catalog.max(st.updated_at) AS updated_at,
               pg_catalog.max(st.last_counted_at) AS last_counted_at,
               pg_catalog.max(st.last_movement_at) AS last_movement_at
          FROM invstock.stock st
         GROUP BY st.sku, st.location) s
  JOIN invstock.sku p ON p.sku OPERATOR(pg_catalog.=) s.sku;
