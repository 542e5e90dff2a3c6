-- test/bench/setup.sql: the starting state of the invstock benchmark
--
-- Loads the same stock twice: into the extension (inv_adjust) and into the
-- plain tables of schema "bench" that the baselines use.
--   SKU-00001 .. SKU-10000  the uniform, lifecycle and order5 workloads
--   HOT                     every client on one SKU (slots = 1)
--   HOT-SLOTS               invstock only, hot-SKU slot mode (slots = 16)
--   HOT in bench.slot_stock  16 plain rows, for the slot variants of the
--                           baseline and of the floor
-- on_hand is 1e12 everywhere, so no reservation ever runs out of stock.
--
-- Schema "bench" is what a careful user would write by hand without the
-- extension: the stock table with the invariants as CHECK constraints, holds
-- with one open hold per (sku, reference), an append-only ledger (ids and
-- timestamps, indexed by SKU like invstock.movement), and PL/pgSQL functions
-- that lock the stock row first (the one lock order: stock row, then hold).
-- bench.orders is the application's own table, written by every variant's
-- checkout transaction alike.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS bench CASCADE;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
CREATE SCHEMA bench;

------------------------------------------------------------------------------
-- Tables
------------------------------------------------------------------------------

CREATE TABLE bench.stock (
    sku         text COLLATE "C" PRIMARY KEY,
    on_hand     bigint NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved    bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (reserved <= on_hand)
);

CREATE TABLE bench.hold (
    id          bigserial PRIMARY KEY,
    sku         text COLLATE "C" NOT NULL,
    reference   text COLLATE "C" NOT NULL,
    qty         bigint NOT NULL CHECK (qty >= 0),
    status      text NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'finalized', 'released')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz
);
-- at most one open hold per (sku, reference); finalize finds it through this
CREATE UNIQUE INDEX hold_open ON bench.hold (sku, reference) WHERE status = 'open';

CREATE TABLE bench.ledger (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    sku         text COLLATE "C" NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('adjust', 'reserve', 'release', 'finalize')),
    delta       bigint NOT NULL,     -- reserve: + reserved; adjust, finalize: change of on_hand
    after       bigint NOT NULL,     -- reserve: reserved after; adjust, finalize: on_hand after
    reference   text
);
CREATE INDEX ledger_sku_at ON bench.ledger (sku, at);
-- append-only: no UPDATE, DELETE or TRUNCATE, for any role
CREATE FUNCTION bench.ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'bench.ledger is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON bench.ledger
    FOR EACH ROW EXECUTE FUNCTION bench.ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON bench.ledger
    FOR EACH STATEMENT EXECUTE FUNCTION bench.ledger_append_only();

-- the shop's own order lines, written by every checkout transaction
CREATE TABLE bench.orders (
    id          bigserial PRIMARY KEY,
    ref         text NOT NULL,
    sku         text NOT NULL,
    qty         bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

------------------------------------------------------------------------------
-- The floor: the least that any implementation of the contract must write
------------------------------------------------------------------------------
-- Nobody should use this: no function, no argument checks, no error for an
-- unknown SKU or a short stock (the guarded UPDATE just matches no row), no
-- idempotency, no expiry, nothing for direct writes, no index on the ledger.
-- The floor variants (scripts/*_floor*.sql) reserve with ONE SQL statement
-- doing the three writes the contract cannot do without: the guarded stock
-- UPDATE, a hold row (unique per (sku, location, reference), or a second
-- reservation of the same reference could not add to it) and a ledger row
-- with the contract's columns.  What a floor variant reaches bounds what
-- invstock, or anything else that keeps holds and a ledger, can reach on the
-- same machine (docs/performance.md, "How far the targets are").
CREATE TABLE bench.floor_hold (
    sku         text COLLATE "C" NOT NULL,
    location    text COLLATE "C" NOT NULL,
    reference   text COLLATE "C" NOT NULL,
    qty         bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX floor_hold_open ON bench.floor_hold (sku, location, reference);

-- the columns of invstock.movement that the contract names, no index
CREATE TABLE bench.floor_ledger (
    id              bigserial,
    at              timestamptz NOT NULL DEFAULT now(),
    sku             text COLLATE "C" NOT NULL,
    location        text COLLATE "C" NOT NULL,
    kind            text NOT NULL,
    on_hand_delta   bigint NOT NULL,
    reserved_delta  bigint NOT NULL,
    on_hand_after   bigint NOT NULL,
    reserved_after  bigint NOT NULL,
    reference       text,
    reason          text,
    actor           text DEFAULT current_user,
    idempotency_key text,
    transfer_id     bigint,
    txid            bigint NOT NULL DEFAULT txid_current()
);

-- the same two tables with the indexes that the contract's other operations
-- need (uniform_floor_indexed.sql): a hold has an id and is found by its
-- reference (the _order functions), the ledger has a primary key and the
-- history of each stock row (inv_level_at, inv_sync), as invstock's have
CREATE TABLE bench.floor_hold_indexed (
    id          bigserial PRIMARY KEY,
    LIKE bench.floor_hold INCLUDING DEFAULTS
);
CREATE UNIQUE INDEX floor_hold_indexed_open ON bench.floor_hold_indexed (sku, location, reference);
CREATE INDEX floor_hold_indexed_reference ON bench.floor_hold_indexed (reference);
CREATE TABLE bench.floor_ledger_indexed (LIKE bench.floor_ledger INCLUDING DEFAULTS);
ALTER TABLE bench.floor_ledger_indexed ADD PRIMARY KEY (id);
CREATE INDEX floor_ledger_indexed_row ON bench.floor_ledger_indexed (sku, location);

-- HOT kept as 16 plain rows, for the slot variants of the baseline and the
-- floor (hot_bare_slots.sql, hot_floor_slots.sql): a reservation takes the
-- first row with enough available that no other transaction holds
-- (FOR UPDATE SKIP LOCKED), each client starting from its own row
CREATE TABLE bench.slot_stock (
    sku         text COLLATE "C" NOT NULL,
    slot        integer NOT NULL,
    on_hand     bigint NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved    bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (reserved <= on_hand),
    PRIMARY KEY (sku, slot)
);

------------------------------------------------------------------------------
-- The PL/pgSQL reference implementation
------------------------------------------------------------------------------

-- reserve qty units of sku for reference: guarded UPDATE ... RETURNING
-- (the row lock), the hold (added to an open hold of the same reference),
-- one ledger row
CREATE FUNCTION bench.reserve(p_sku text, p_qty bigint, p_reference text)
RETURNS bench.stock
LANGUAGE plpgsql AS $$
DECLARE
    r bench.stock;
BEGIN
    IF p_sku IS NULL OR p_qty IS NULL OR p_reference IS NULL THEN
        RAISE EXCEPTION 'sku, qty and reference must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_qty <= 0 THEN
        RAISE EXCEPTION 'qty must be positive' USING ERRCODE = '22023';
    END IF;
    UPDATE bench.stock SET reserved = reserved + p_qty, updated_at = now()
     WHERE sku = p_sku AND on_hand - reserved >= p_qty
    RETURNING * INTO r;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT 1 FROM bench.stock WHERE sku = p_sku) THEN
            RAISE EXCEPTION 'unknown SKU "%"', p_sku USING ERRCODE = 'P0002';
        END IF;
        RAISE EXCEPTION 'not enough stock available for SKU "%"', p_sku USING ERRCODE = '23514';
    END IF;
    INSERT INTO bench.hold AS h (sku, reference, qty) VALUES (p_sku, p_reference, p_qty)
        ON CONFLICT (sku, reference) WHERE status = 'open'
        DO UPDATE SET qty = h.qty + excluded.qty;
    INSERT INTO bench.ledger (sku, kind, delta, after, reference)
        VALUES (p_sku, 'reserve', p_qty, r.reserved, p_reference);
    RETURN r;
END $$;

-- finalize the whole open hold of reference on sku: the goods left
-- (on_hand and reserved drop by the held qty).  Locks the stock row first,
-- as reserve does, so the two never wait on each other in opposite order.
-- A closed hold keeps its qty; its status says how it ended.
CREATE FUNCTION bench.finalize(p_sku text, p_reference text)
RETURNS bench.stock
LANGUAGE plpgsql AS $$
DECLARE
    r bench.stock;
    q bigint;
BEGIN
    IF p_sku IS NULL OR p_reference IS NULL THEN
        RAISE EXCEPTION 'sku and reference must not be null' USING ERRCODE = '22004';
    END IF;
    PERFORM 1 FROM bench.stock WHERE sku = p_sku FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown SKU "%"', p_sku USING ERRCODE = 'P0002';
    END IF;
    UPDATE bench.hold SET status = 'finalized', closed_at = now()
     WHERE sku = p_sku AND reference = p_reference AND status = 'open'
    RETURNING qty INTO q;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no open hold for reference "%" of SKU "%"', p_reference, p_sku
            USING ERRCODE = 'P0002';
    END IF;
    UPDATE bench.stock SET on_hand = on_hand - q, reserved = reserved - q, updated_at = now()
     WHERE sku = p_sku
    RETURNING * INTO r;
    INSERT INTO bench.ledger (sku, kind, delta, after, reference)
        VALUES (p_sku, 'finalize', -q, r.on_hand, p_reference);
    RETURN r;
END $$;

-- reserve every line of an order, all or nothing: lines is a JSON array of
-- {"sku": text, "qty": integer}; lines of one SKU are summed and the SKUs are
-- locked in byte order, so two orders never deadlock
CREATE FUNCTION bench.reserve_order(p_reference text, p_lines jsonb)
RETURNS SETOF bench.stock
LANGUAGE plpgsql AS $$
DECLARE
    l record;
BEGIN
    IF p_reference IS NULL OR p_lines IS NULL THEN
        RAISE EXCEPTION 'reference and lines must not be null' USING ERRCODE = '22004';
    END IF;
    IF jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) = 0 THEN
        RAISE EXCEPTION 'lines must be a non-empty JSON array' USING ERRCODE = '22023';
    END IF;
    FOR l IN
        SELECT x.sku COLLATE "C" AS sku, sum(x.qty)::bigint AS qty
          FROM jsonb_to_recordset(p_lines) AS x(sku text, qty bigint)
         GROUP BY 1
         ORDER BY 1
    LOOP
        RETURN NEXT bench.reserve(l.sku, l.qty, p_reference);
    END LOOP;
END $$;

------------------------------------------------------------------------------
-- The stock, in both
------------------------------------------------------------------------------

INSERT INTO bench.stock (sku, on_hand)
SELECT 'SKU-' || lpad(i::text, 5, '0'), 1000000000000 FROM generate_series(1, 10000) i
UNION ALL SELECT 'HOT', 1000000000000;
INSERT INTO bench.ledger (sku, kind, delta, after, reference)
SELECT sku, 'adjust', on_hand, on_hand, 'initial stock' FROM bench.stock;
INSERT INTO bench.slot_stock (sku, slot, on_hand)
SELECT 'HOT', s, 1000000000000 / 16 FROM generate_series(0, 15) s;

SELECT count(*) AS invstock_skus_loaded
  FROM (SELECT invstock.inv_adjust('SKU-' || lpad(i::text, 5, '0'), 1000000000000, 'initial stock')
          FROM generate_series(1, 10000) i) s;
SELECT sku, on_hand FROM invstock.inv_adjust('HOT', 1000000000000, 'initial stock');
-- hot-SKU slot mode first, then the stock (so it can be spread over the slots)
SELECT sku, slots FROM invstock.inv_configure('HOT-SLOTS', slots => 16);
SELECT sku, on_hand FROM invstock.inv_adjust('HOT-SLOTS', 1000000000000, 'initial stock');

VACUUM ANALYZE;
