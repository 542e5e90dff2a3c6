/* invstock--1.1--1.2.sql: upgrade invstock 1.1 to 1.2 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION invstock UPDATE TO '1.2'" to load this file. \quit

-- 1.2: hot-SKU slots.  inv_configure(sku, slots => N) keeps each (sku,
-- location) of the SKU as N stock rows (slots 0 to N-1) so that concurrent
-- reservations of one SKU do not queue on one row lock.  Each row carries
-- the SKU's slot count, a copy of the policy like track_inventory, so the
-- functions and the trigger know a hot SKU from the row they lock.

-- stock_guard refuses a slot outside 0 to slots-1 (with the other I1/I2 errors).
ALTER TABLE invstock.stock ADD COLUMN slots smallint NOT NULL DEFAULT 1;
COMMENT ON COLUMN invstock.stock.slots IS
    'Copy of the SKU''s slot count (inv_configure slots): the (sku, location) is kept as this many rows, slots 0 to slots-1.';
COMMENT ON COLUMN invstock.stock.slot IS
    'Slot of a hot SKU kept as several rows (0 to slots-1); 0 otherwise.';
COMMENT ON TABLE invstock.stock IS
    'Stock level of each (sku, location), one row per slot: the table the invariant triggers guard.';

-- 1.1 stored the slot count without acting on it: give those SKUs their
-- slots now (inv_configure adds the rows and spreads the stock).
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT s.sku, s.slots FROM invstock.sku s
              WHERE s.slots OPERATOR(pg_catalog.>) 1 ORDER BY s.sku
    LOOP
        UPDATE invstock.sku SET slots = 1 WHERE sku OPERATOR(pg_catalog.=) r.sku;
        PERFORM invstock.inv_configure(r.sku, slots => r.slots);
    END LOOP;
END
$$;

-- The ledger and the holds are written only by invstock's own functions (no
-- role is granted INSERT, UPDATE or DELETE on them), which write only the
-- documented kinds, statuses and quantities.  PostgreSQL re-reads and
-- re-compiles a table's CHECK constraints for every statement that writes
-- it: measured, these three cost about 15% of an inv_reserve call
-- (docs/performance.md).  The rules stay in the C code, and sql/slots.sql
-- checks the values written.
ALTER TABLE invstock.movement DROP CONSTRAINT movement_kind_check;
ALTER TABLE invstock.reservation
    DROP CONSTRAINT reservation_qty_check,
    DROP CONSTRAINT reservation_status_check;
