/* invstock--1.0.sql: install script of invstock 1.0 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION invstock" to load this file. \quit

-- The schema must belong to the role installing the extension: internal SQL
-- runs as its owner, so a schema created beforehand by another role is refused.
DO $owner$
BEGIN
    IF (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) 'invstock')
       OPERATOR(pg_catalog.<>)
       (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'schema "invstock" is owned by another role'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Drop it, or give it to the role that runs CREATE EXTENSION invstock.';
    END IF;
END
$owner$;

-- Roles (global objects: created if absent, never dropped by the extension)
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'invstock_reader') THEN
        CREATE ROLE invstock_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'invstock_writer') THEN
        CREATE ROLE invstock_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'invstock_admin') THEN
        CREATE ROLE invstock_admin NOLOGIN;
    END IF;
END
$roles$;

COMMENT ON ROLE invstock_reader IS 'invstock: read the relations and views, call inv_level and inv_level_at.';
COMMENT ON ROLE invstock_writer IS 'invstock: reader, plus reserve, release, finalize and their _order forms.';
COMMENT ON ROLE invstock_admin IS 'invstock: writer, plus adjust, count, transfer, sync, configure and direct writes to invstock.stock.';
COMMENT ON SCHEMA invstock IS 'invstock: product stock kept inside PostgreSQL.';

GRANT invstock_reader TO invstock_writer;
GRANT invstock_writer TO invstock_admin;

REVOKE ALL ON SCHEMA invstock FROM PUBLIC;
GRANT USAGE ON SCHEMA invstock TO invstock_reader;

------------------------------------------------------------------------------
-- Tables
------------------------------------------------------------------------------

CREATE TABLE invstock.sku (
    sku                 text COLLATE "C" PRIMARY KEY
                        CHECK (pg_catalog.length(sku) OPERATOR(pg_catalog.>) 0
                               AND pg_catalog.length(sku) OPERATOR(pg_catalog.<=) 255),
    track_inventory     boolean NOT NULL DEFAULT true,
    allow_backorder     boolean NOT NULL DEFAULT false,
    low_stock_threshold bigint CHECK (low_stock_threshold OPERATOR(pg_catalog.>=) 0),
    reorder_point       bigint CHECK (reorder_point OPERATOR(pg_catalog.>=) 0),
    reorder_quantity    bigint CHECK (reorder_quantity OPERATOR(pg_catalog.>=) 0),
    slots               integer NOT NULL DEFAULT 1
                        CHECK (slots OPERATOR(pg_catalog.>=) 1 AND slots OPERATOR(pg_catalog.<=) 64),
    created_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at          timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE invstock.sku IS 'One row per SKU: its stock policy (set with inv_configure).';

CREATE TABLE invstock.location (
    location    text COLLATE "C" PRIMARY KEY
                CHECK (pg_catalog.length(location) OPERATOR(pg_catalog.>) 0
                       AND pg_catalog.length(location) OPERATOR(pg_catalog.<=) 255),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE invstock.location IS 'Warehouses and stores; a location is created on first use.';

CREATE TABLE invstock.stock (
    sku             text COLLATE "C" NOT NULL REFERENCES invstock.sku (sku),
    location        text COLLATE "C" NOT NULL REFERENCES invstock.location (location),
    slot            smallint NOT NULL DEFAULT 0,
    on_hand         bigint NOT NULL DEFAULT 0,
    reserved        bigint NOT NULL DEFAULT 0,
    track_inventory boolean NOT NULL DEFAULT true,
    allow_backorder boolean NOT NULL DEFAULT false,
    low_stock_threshold bigint,
    next_expiry     timestamptz,
    last_counted_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (sku, location, slot)
);
COMMENT ON TABLE invstock.stock IS 'Stock level of each (sku, location): the table the invariant triggers guard.';
COMMENT ON COLUMN invstock.stock.slot IS 'Slot number of a hot SKU kept as several rows; 0 otherwise.';
COMMENT ON COLUMN invstock.stock.track_inventory IS 'Copy of the SKU policy, kept by inv_configure, read by the triggers.';
COMMENT ON COLUMN invstock.stock.allow_backorder IS 'Copy of the SKU policy, kept by inv_configure, read by the triggers.';
COMMENT ON COLUMN invstock.stock.low_stock_threshold IS 'Copy of the SKU policy (NULL: invstock.low_stock_threshold), kept by inv_configure.';
COMMENT ON COLUMN invstock.stock.next_expiry IS 'No open hold of this row expires before this time (NULL: none expires).';
CREATE INDEX stock_location ON invstock.stock (location);
COMMENT ON INDEX invstock.stock_location IS 'Finds the stock rows of a location (the location foreign key, location-wide reports).';

CREATE TABLE invstock.reservation (
    id              bigserial PRIMARY KEY,
    sku             text COLLATE "C" NOT NULL,
    location        text COLLATE "C" NOT NULL,
    slot            smallint NOT NULL DEFAULT 0,
    reference       text COLLATE "C",
    qty             bigint NOT NULL CHECK (qty OPERATOR(pg_catalog.>=) 0),
    status          text NOT NULL DEFAULT 'open'
                    CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['open', 'finalized', 'released', 'expired'])),
    qty_finalized   bigint NOT NULL DEFAULT 0,
    qty_released    bigint NOT NULL DEFAULT 0,
    qty_expired     bigint NOT NULL DEFAULT 0,
    expires_at      timestamptz,
    notes           text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    closed_at       timestamptz
);
COMMENT ON TABLE invstock.reservation IS 'Holds: units of one (sku, location) held for one reference; status tells how a closed hold ended.';
COMMENT ON COLUMN invstock.reservation.qty IS 'Units still held (0 once closed).';
COMMENT ON COLUMN invstock.reservation.status IS 'open, or how the hold was closed: finalized, released or expired (the action that took its last unit).';
-- md5 of the reference keeps the key within btree's size limit for 255-character
-- names in any encoding (sku + location + reference could exceed it)
CREATE UNIQUE INDEX reservation_open_hold
    ON invstock.reservation (sku, location, slot, pg_catalog.md5(reference))
    NULLS NOT DISTINCT WHERE status OPERATOR(pg_catalog.=) 'open';
CREATE INDEX reservation_open_reference ON invstock.reservation (reference)
    WHERE status OPERATOR(pg_catalog.=) 'open';
CREATE INDEX reservation_open_expiry ON invstock.reservation (expires_at)
    WHERE status OPERATOR(pg_catalog.=) 'open' AND expires_at IS NOT NULL;
COMMENT ON INDEX invstock.reservation_open_hold IS 'At most one open hold per (sku, location, slot, reference) (the reference by its md5); NULL reference = the anonymous hold.';
COMMENT ON INDEX invstock.reservation_open_reference IS 'Finds the open holds of an order reference (inv_release_order, inv_finalize_order).';
COMMENT ON INDEX invstock.reservation_open_expiry IS 'Finds overdue open holds (inv_sync).';

CREATE TABLE invstock.movement (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
    sku             text COLLATE "C" NOT NULL,
    location        text COLLATE "C" NOT NULL,
    slot            smallint NOT NULL DEFAULT 0,
    kind            text NOT NULL
                    CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['adjust', 'reserve', 'release', 'finalize', 'expire',
                           'count', 'transfer_out', 'transfer_in', 'sync', 'direct'])),
    on_hand_delta   bigint NOT NULL,
    reserved_delta  bigint NOT NULL,
    on_hand_after   bigint NOT NULL,
    reserved_after  bigint NOT NULL,
    reference       text,
    reason          text,
    actor           text,
    idempotency_key text,
    transfer_id     bigint,
    txid            bigint NOT NULL DEFAULT pg_catalog.txid_current()
);
COMMENT ON TABLE invstock.movement IS 'The append-only ledger: one row per change of on_hand or reserved, however it was made.';
COMMENT ON COLUMN invstock.movement.on_hand_after IS 'on_hand of the stock row (slot) after the change.';
CREATE INDEX movement_sku_location_at ON invstock.movement (sku, location, at);
COMMENT ON INDEX invstock.movement_sku_location_at IS 'History of one (sku, location): inv_level_at, inv_sync, last_movement_at.';

CREATE TABLE invstock.idempotency (
    idempotency_key text COLLATE "C" PRIMARY KEY,
    operation       text NOT NULL,
    request_hash    bytea NOT NULL,
    result          text[],
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE invstock.idempotency IS 'One row per committed idempotency key: the operation, a hash of its arguments and its result.';
CREATE INDEX idempotency_created_at ON invstock.idempotency (created_at);
COMMENT ON INDEX invstock.idempotency_created_at IS 'Purge of records older than invstock.idempotency_retention (inv_sync).';

CREATE SEQUENCE invstock.transfer_id_seq;
COMMENT ON SEQUENCE invstock.transfer_id_seq IS 'transfer_id shared by the two movements of one inv_transfer.';

COMMENT ON INDEX invstock.sku_pkey IS 'One policy row per SKU.';
COMMENT ON INDEX invstock.location_pkey IS 'One row per location.';
COMMENT ON INDEX invstock.stock_pkey IS 'One stock row per (sku, location, slot); the row functions lock.';
COMMENT ON INDEX invstock.reservation_pkey IS 'Hold identity.';
COMMENT ON INDEX invstock.movement_pkey IS 'Movement identity, in the order movements were written.';
COMMENT ON INDEX invstock.idempotency_pkey IS 'One record per idempotency key: a second claim waits for, then sees, the first.';
COMMENT ON SEQUENCE invstock.movement_id_seq IS 'Movement ids (dumped with the data so a restore continues the ledger).';
COMMENT ON SEQUENCE invstock.reservation_id_seq IS 'Hold ids (dumped with the data).';

SELECT pg_catalog.pg_extension_config_dump('invstock.sku', '');
SELECT pg_catalog.pg_extension_config_dump('invstock.location', '');
SELECT pg_catalog.pg_extension_config_dump('invstock.stock', '');
SELECT pg_catalog.pg_extension_config_dump('invstock.reservation', '');
SELECT pg_catalog.pg_extension_config_dump('invstock.reservation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invstock.movement', '');
SELECT pg_catalog.pg_extension_config_dump('invstock.movement_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invstock.idempotency', '');
SELECT pg_catalog.pg_extension_config_dump('invstock.transfer_id_seq', '');

------------------------------------------------------------------------------
-- Types
------------------------------------------------------------------------------

CREATE TYPE invstock.level AS (
    sku          text,
    location     text,
    on_hand      bigint,
    reserved     bigint,
    available    bigint,
    status       text,
    is_low_stock boolean,
    updated_at   timestamptz
);
COMMENT ON TYPE invstock.level IS 'Stock level of a (sku, location), returned by every mutating function.';

CREATE TYPE invstock.count_result AS (
    sku         text,
    location    text,
    previous    bigint,
    counted     bigint,
    discrepancy bigint,
    on_hand     bigint,
    reserved    bigint,
    available   bigint,
    counted_at  timestamptz
);
COMMENT ON TYPE invstock.count_result IS 'Result of inv_count: the count, the discrepancy and the level after it.';

CREATE TYPE invstock.sync_problem AS (
    sku      text,
    location text,
    problem  text,
    expected bigint,
    actual   bigint,
    repaired boolean
);
COMMENT ON TYPE invstock.sync_problem IS 'One inconsistency found by inv_sync.';

------------------------------------------------------------------------------
-- Status helpers (used by the views and by the C functions)
------------------------------------------------------------------------------

CREATE FUNCTION invstock.level_status(available bigint, track_inventory boolean,
                                      allow_backorder boolean, low_stock_threshold bigint)
RETURNS text
AS 'MODULE_PATHNAME', 'inv_level_status_sql'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invstock.level_status(bigint, boolean, boolean, bigint) IS
    'Stock status: untracked, on_backorder, out_of_stock, low_stock or in_stock (NULL threshold: invstock.low_stock_threshold).';

CREATE FUNCTION invstock.level_is_low(available bigint, low_stock_threshold bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'inv_level_is_low_sql'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invstock.level_is_low(bigint, bigint) IS
    'available <= threshold (NULL threshold: invstock.low_stock_threshold).';

------------------------------------------------------------------------------
-- Triggers
------------------------------------------------------------------------------

CREATE FUNCTION invstock.stock_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'inv_stock_guard'
LANGUAGE C;
COMMENT ON FUNCTION invstock.stock_guard() IS
    'Constraint trigger on invstock.stock: enforces on_hand >= 0, reserved >= 0, reserved <= on_hand (unless backorders) and writes the movement of every change.';

CREATE CONSTRAINT TRIGGER stock_guard
    AFTER INSERT OR UPDATE OR DELETE ON invstock.stock
    FOR EACH ROW EXECUTE FUNCTION invstock.stock_guard();
COMMENT ON TRIGGER stock_guard ON invstock.stock IS 'Holds every writer to I1/I2 and writes the movement of every change.';

CREATE FUNCTION invstock.stock_no_truncate() RETURNS trigger
AS 'MODULE_PATHNAME', 'inv_stock_no_truncate'
LANGUAGE C;
COMMENT ON FUNCTION invstock.stock_no_truncate() IS
    'Refuses TRUNCATE of invstock.stock: it would remove stock without a movement.';

CREATE TRIGGER stock_no_truncate
    BEFORE TRUNCATE ON invstock.stock
    FOR EACH STATEMENT EXECUTE FUNCTION invstock.stock_no_truncate();
ALTER TABLE invstock.stock ENABLE ALWAYS TRIGGER stock_no_truncate;
COMMENT ON TRIGGER stock_no_truncate ON invstock.stock IS 'Refuses TRUNCATE of the stock table (I3, I4).';

CREATE FUNCTION invstock.movement_append_only() RETURNS trigger
AS 'MODULE_PATHNAME', 'inv_movement_append_only'
LANGUAGE C;
COMMENT ON FUNCTION invstock.movement_append_only() IS
    'Refuses UPDATE, DELETE and TRUNCATE of invstock.movement: the ledger is append-only.';

CREATE TRIGGER movement_append_only
    BEFORE UPDATE OR DELETE ON invstock.movement
    FOR EACH ROW EXECUTE FUNCTION invstock.movement_append_only();
CREATE TRIGGER movement_no_truncate
    BEFORE TRUNCATE ON invstock.movement
    FOR EACH STATEMENT EXECUTE FUNCTION invstock.movement_append_only();
-- ALWAYS: the ledger stays append-only even with session_replication_role = replica
ALTER TABLE invstock.movement ENABLE ALWAYS TRIGGER movement_append_only;
ALTER TABLE invstock.movement ENABLE ALWAYS TRIGGER movement_no_truncate;
COMMENT ON TRIGGER movement_append_only ON invstock.movement IS 'Refuses UPDATE and DELETE of movements (I5).';
COMMENT ON TRIGGER movement_no_truncate ON invstock.movement IS 'Refuses TRUNCATE of the ledger (I5).';

------------------------------------------------------------------------------
-- Mutating functions
------------------------------------------------------------------------------

CREATE FUNCTION invstock.inv_reserve(sku text, qty bigint, location text DEFAULT NULL,
                                     reference text DEFAULT NULL, ttl interval DEFAULT NULL,
                                     idempotency_key text DEFAULT NULL, notes text DEFAULT NULL)
RETURNS invstock.level
AS 'MODULE_PATHNAME', 'inv_reserve'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_reserve(text, bigint, text, text, interval, text, text) IS
    'Moves qty from available into the hold of reference (optionally expiring after ttl).';

CREATE FUNCTION invstock.inv_release(sku text, qty bigint DEFAULT NULL, location text DEFAULT NULL,
                                     reference text DEFAULT NULL, reason text DEFAULT NULL,
                                     idempotency_key text DEFAULT NULL)
RETURNS invstock.level
AS 'MODULE_PATHNAME', 'inv_release'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_release(text, bigint, text, text, text, text) IS
    'Returns qty (NULL: all) of the hold of reference to available.';

CREATE FUNCTION invstock.inv_finalize(sku text, qty bigint DEFAULT NULL, location text DEFAULT NULL,
                                      reference text DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS invstock.level
AS 'MODULE_PATHNAME', 'inv_finalize'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_finalize(text, bigint, text, text, text) IS
    'Consumes qty (NULL: all) of the hold of reference: on_hand and reserved both drop.';

CREATE FUNCTION invstock.inv_adjust(sku text, delta bigint, reason text, location text DEFAULT NULL,
                                    reference text DEFAULT NULL, idempotency_key text DEFAULT NULL,
                                    actor text DEFAULT NULL)
RETURNS invstock.level
AS 'MODULE_PATHNAME', 'inv_adjust'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_adjust(text, bigint, text, text, text, text, text) IS
    'on_hand += delta (receipts, damage, corrections); creates the SKU and location if missing.';

CREATE FUNCTION invstock.inv_count(sku text, counted bigint, location text DEFAULT NULL,
                                   counted_by text DEFAULT NULL, notes text DEFAULT NULL,
                                   idempotency_key text DEFAULT NULL)
RETURNS invstock.count_result
AS 'MODULE_PATHNAME', 'inv_count'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_count(text, bigint, text, text, text, text) IS
    'Records a physical count: on_hand := counted, with a count movement carrying the discrepancy.';

CREATE FUNCTION invstock.inv_transfer(sku text, qty bigint, from_location text, to_location text,
                                      reason text DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS SETOF invstock.level
AS 'MODULE_PATHNAME', 'inv_transfer'
LANGUAGE C VOLATILE ROWS 2;
COMMENT ON FUNCTION invstock.inv_transfer(text, bigint, text, text, text, text) IS
    'Moves available units between two locations atomically; returns the source level, then the destination level.';

CREATE FUNCTION invstock.inv_reserve_order(reference text, lines jsonb, ttl interval DEFAULT NULL,
                                           idempotency_key text DEFAULT NULL)
RETURNS SETOF invstock.level
AS 'MODULE_PATHNAME', 'inv_reserve_order'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_reserve_order(text, jsonb, interval, text) IS
    'All-or-nothing hold of many lines [{"sku":..,"qty":..,"location":..}] for one reference, locked in (sku, location) order.';

CREATE FUNCTION invstock.inv_release_order(reference text, reason text DEFAULT NULL,
                                           idempotency_key text DEFAULT NULL)
RETURNS SETOF invstock.level
AS 'MODULE_PATHNAME', 'inv_release_order'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_release_order(text, text, text) IS
    'Releases every open hold of reference.';

CREATE FUNCTION invstock.inv_finalize_order(reference text, idempotency_key text DEFAULT NULL)
RETURNS SETOF invstock.level
AS 'MODULE_PATHNAME', 'inv_finalize_order'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_finalize_order(text, text) IS
    'Finalizes every open hold of reference.';

CREATE FUNCTION invstock.inv_sync(sku text DEFAULT NULL, location text DEFAULT NULL,
                                  repair boolean DEFAULT true)
RETURNS SETOF invstock.sync_problem
AS 'MODULE_PATHNAME', 'inv_sync'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_sync(text, text, boolean) IS
    'Reconciliation: expires overdue holds, purges old idempotency records, checks I1-I4 in scope and (repair) fixes drift.';

CREATE FUNCTION invstock.inv_configure(sku text, track_inventory boolean DEFAULT NULL,
                                       allow_backorder boolean DEFAULT NULL,
                                       low_stock_threshold bigint DEFAULT NULL,
                                       reorder_point bigint DEFAULT NULL,
                                       reorder_quantity bigint DEFAULT NULL,
                                       slots integer DEFAULT NULL)
RETURNS invstock.sku
AS 'MODULE_PATHNAME', 'inv_configure'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invstock.inv_configure(text, boolean, boolean, bigint, bigint, bigint, integer) IS
    'Creates the SKU if missing and sets the policy fields given (NULL: leave as is); returns the policy row.';

------------------------------------------------------------------------------
-- Readers
------------------------------------------------------------------------------

CREATE FUNCTION invstock.inv_level(sku text, location text DEFAULT NULL)
RETURNS invstock.level
AS 'MODULE_PATHNAME', 'inv_level'
LANGUAGE C STABLE;
COMMENT ON FUNCTION invstock.inv_level(text, text) IS 'The current stock level of a (sku, location).';

CREATE FUNCTION invstock.inv_level_at(sku text, location text, at timestamptz)
RETURNS invstock.level
AS 'MODULE_PATHNAME', 'inv_level_at'
LANGUAGE C STABLE;
COMMENT ON FUNCTION invstock.inv_level_at(text, text, timestamptz) IS
    'on_hand and reserved of a (sku, location) as they stood at a time, summed from the ledger.';

------------------------------------------------------------------------------
-- Views
------------------------------------------------------------------------------

CREATE VIEW invstock.levels AS
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
       (SELECT pg_catalog.max(m.at) FROM invstock.movement m
         WHERE m.sku OPERATOR(pg_catalog.=) s.sku
           AND m.location OPERATOR(pg_catalog.=) s.location) AS last_movement_at
  FROM (SELECT st.sku, st.location,
               pg_catalog.sum(st.on_hand)::pg_catalog.int8 AS on_hand,
               pg_catalog.sum(st.reserved)::pg_catalog.int8 AS reserved,
               pg_catalog.max(st.updated_at) AS updated_at,
               pg_catalog.max(st.last_counted_at) AS last_counted_at
          FROM invstock.stock st
         GROUP BY st.sku, st.location) s
  JOIN invstock.sku p ON p.sku OPERATOR(pg_catalog.=) s.sku;
COMMENT ON VIEW invstock.levels IS 'One stock level per (sku, location), with last_counted_at and last_movement_at.';

CREATE VIEW invstock.sku_totals AS
SELECT p.sku,
       pg_catalog.count(s.location) AS locations,
       COALESCE(pg_catalog.sum(s.on_hand), 0)::pg_catalog.int8 AS on_hand,
       COALESCE(pg_catalog.sum(s.reserved), 0)::pg_catalog.int8 AS reserved,
       COALESCE(pg_catalog.sum(s.on_hand OPERATOR(pg_catalog.-) s.reserved), 0)::pg_catalog.int8 AS available,
       invstock.level_status(COALESCE(pg_catalog.sum(s.on_hand OPERATOR(pg_catalog.-) s.reserved), 0)::pg_catalog.int8,
                             p.track_inventory, p.allow_backorder, p.low_stock_threshold) AS status,
       invstock.level_is_low(COALESCE(pg_catalog.sum(s.on_hand OPERATOR(pg_catalog.-) s.reserved), 0)::pg_catalog.int8,
                             p.low_stock_threshold) AS is_low_stock,
       pg_catalog.max(s.updated_at) AS updated_at
  FROM invstock.sku p
  LEFT JOIN invstock.stock s ON s.sku OPERATOR(pg_catalog.=) p.sku
 GROUP BY p.sku, p.track_inventory, p.allow_backorder, p.low_stock_threshold;
COMMENT ON VIEW invstock.sku_totals IS 'Stock of each SKU summed over all its locations.';

CREATE VIEW invstock.low_stock AS
SELECT l.sku, l.location, l.on_hand, l.reserved, l.available, l.status,
       COALESCE(p.low_stock_threshold,
                pg_catalog.current_setting('invstock.low_stock_threshold')::pg_catalog.int8) AS low_stock_threshold,
       l.updated_at
  FROM invstock.levels l
  JOIN invstock.sku p ON p.sku OPERATOR(pg_catalog.=) l.sku
 WHERE l.is_low_stock AND p.track_inventory;
COMMENT ON VIEW invstock.low_stock IS 'Tracked (sku, location) levels whose available is at or under the low-stock threshold (out of stock included).';

CREATE VIEW invstock.out_of_stock AS
SELECT l.sku, l.location, l.on_hand, l.reserved, l.available, l.status, l.updated_at
  FROM invstock.levels l
 WHERE l.status OPERATOR(pg_catalog.=) ANY (ARRAY['out_of_stock', 'on_backorder']);
COMMENT ON VIEW invstock.out_of_stock IS 'Tracked (sku, location) levels with nothing available (status out_of_stock or on_backorder).';

CREATE VIEW invstock.reorder_report AS
SELECT t.sku, t.on_hand, t.reserved, t.available, p.reorder_point, p.reorder_quantity,
       pg_catalog.int8larger(COALESCE(p.reorder_quantity, 0),
                             pg_catalog.numeric_smaller(
                                 p.reorder_point::pg_catalog.numeric OPERATOR(pg_catalog.-) t.available::pg_catalog.numeric,
                                 9223372036854775807)::pg_catalog.int8) AS suggested_qty
  FROM invstock.sku_totals t
  JOIN invstock.sku p ON p.sku OPERATOR(pg_catalog.=) t.sku
 WHERE p.track_inventory
   AND p.reorder_point IS NOT NULL
   AND t.available OPERATOR(pg_catalog.<=) p.reorder_point;
COMMENT ON VIEW invstock.reorder_report IS 'Tracked SKUs whose total available is at or under their reorder point, with suggested_qty = greatest(reorder_quantity, reorder_point - available).';

------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; readers read, writers hold, admins adjust.
------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA invstock FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA invstock FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA invstock FROM PUBLIC;

GRANT SELECT ON invstock.sku, invstock.location, invstock.stock, invstock.reservation,
                invstock.movement, invstock.levels, invstock.sku_totals, invstock.low_stock,
                invstock.out_of_stock, invstock.reorder_report
    TO invstock_reader;
GRANT EXECUTE ON FUNCTION invstock.inv_level(text, text),
                          invstock.inv_level_at(text, text, timestamptz),
                          invstock.level_status(bigint, boolean, boolean, bigint),
                          invstock.level_is_low(bigint, bigint)
    TO invstock_reader;

GRANT EXECUTE ON FUNCTION invstock.inv_reserve(text, bigint, text, text, interval, text, text),
                          invstock.inv_release(text, bigint, text, text, text, text),
                          invstock.inv_finalize(text, bigint, text, text, text),
                          invstock.inv_reserve_order(text, jsonb, interval, text),
                          invstock.inv_release_order(text, text, text),
                          invstock.inv_finalize_order(text, text)
    TO invstock_writer;

GRANT EXECUTE ON FUNCTION invstock.inv_adjust(text, bigint, text, text, text, text, text),
                          invstock.inv_count(text, bigint, text, text, text, text),
                          invstock.inv_transfer(text, bigint, text, text, text, text),
                          invstock.inv_sync(text, text, boolean),
                          invstock.inv_configure(text, boolean, boolean, bigint, bigint, bigint, integer)
    TO invstock_admin;
GRANT INSERT, UPDATE, DELETE ON invstock.stock TO invstock_admin;
GRANT SELECT ON invstock.idempotency TO invstock_admin;
