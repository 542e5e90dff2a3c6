-- search_path: no invstock function or view can be hijacked through search_path, pg_temp or look-alike objects; callers need no table privilege; the ledger is append-only for every role; a hostile role cannot attach its own code to invstock
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'

-- roles are global: remove what an interrupted earlier run may have left
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS evil CASCADE;
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['regress_invstock_evil', 'regress_invstock_w', 'regress_invstock_bare'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('DROP OWNED BY %I', r);
            EXECUTE format('DROP ROLE %I', r);
        END IF;
    END LOOP;
END
$$;
RESET client_min_messages;

------------------------------------------------------------------------------
-- The hostile role: a member of invstock_admin (it may call every function)
-- that owns a schema "evil" full of look-alikes of what invstock uses
------------------------------------------------------------------------------

CREATE ROLE regress_invstock_evil NOLOGIN;
GRANT invstock_admin TO regress_invstock_evil;
CREATE SCHEMA evil AUTHORIZATION regress_invstock_evil;

-- drift for inv_sync to repair later, made by the superuser behind the
-- triggers' back (session_replication_role = replica): DRIFT's table says 13
-- while its ledger says 10; GONE's row vanishes, leaving its hold and ledger
SELECT :L FROM invstock.inv_adjust('DRIFT', 10, 'receipt');
SELECT :L FROM invstock.inv_adjust('GONE', 4, 'receipt');
SELECT :L FROM invstock.inv_reserve('GONE', 1, reference => 'G-1');
SET session_replication_role = replica;
UPDATE invstock.stock SET on_hand = 13 WHERE sku = 'DRIFT';
DELETE FROM invstock.stock WHERE sku = 'GONE';
RESET session_replication_role;
SELECT max(id) AS setup_movements FROM invstock.movement \gset

SET ROLE regress_invstock_evil;

-- every hijack, if one ever happens, leaves a NOTICE and a row here
CREATE TABLE evil.hits (what text, ran_as name);
GRANT USAGE ON SCHEMA evil TO PUBLIC;
GRANT INSERT ON evil.hits TO PUBLIC;
CREATE FUNCTION evil.hit(what text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO evil.hits (what, ran_as) VALUES (what, current_user);
    RAISE NOTICE 'hijacked: % ran as %', what, current_user;
END
$$;

-- operators: text = text is always true; the others give the right answer,
-- so that a hijack shows as a NOTICE and a row in evil.hits
DO $do$
DECLARE
    o record;
    fname text;
BEGIN
    FOR o IN
        SELECT * FROM (VALUES
            ('=',  'eq', 'text',        'text',        'boolean',     'true'),
            ('<>', 'ne', 'text',        'text',        'boolean',     NULL),
            ('<',  'lt', 'text',        'text',        'boolean',     NULL),
            ('>',  'gt', 'text',        'text',        'boolean',     NULL),
            ('=',  'eq', 'smallint',    'smallint',    'boolean',     NULL),
            ('=',  'eq', 'integer',     'integer',     'boolean',     NULL),
            ('=',  'eq', 'bigint',      'bigint',      'boolean',     NULL),
            ('<>', 'ne', 'bigint',      'bigint',      'boolean',     NULL),
            ('<',  'lt', 'bigint',      'bigint',      'boolean',     NULL),
            ('<=', 'le', 'bigint',      'bigint',      'boolean',     NULL),
            ('>',  'gt', 'bigint',      'bigint',      'boolean',     NULL),
            ('>=', 'ge', 'bigint',      'bigint',      'boolean',     NULL),
            ('+',  'pl', 'bigint',      'bigint',      'bigint',      NULL),
            ('-',  'mi', 'bigint',      'bigint',      'bigint',      NULL),
            ('<>', 'ne', 'numeric',     'numeric',     'boolean',     NULL),
            ('=',  'eq', 'boolean',     'boolean',     'boolean',     NULL),
            ('=',  'eq', 'timestamptz', 'timestamptz', 'boolean',     NULL),
            ('<',  'lt', 'timestamptz', 'timestamptz', 'boolean',     NULL),
            ('<=', 'le', 'timestamptz', 'timestamptz', 'boolean',     NULL),
            ('>',  'gt', 'timestamptz', 'timestamptz', 'boolean',     NULL),
            ('+',  'pl', 'timestamptz', 'interval',    'timestamptz', NULL),
            ('=',  'eq', 'jsonb',       'jsonb',       'boolean',     NULL)
        ) v(op, tag, lt, rt, res, ret)
    LOOP
        fname := format('op_%s_%s_%s', o.tag, replace(o.lt, ' ', '_'), replace(o.rt, ' ', '_'));
        EXECUTE format($f$
            CREATE FUNCTION evil.%I(a %s, b %s) RETURNS %s
            LANGUAGE plpgsql SET search_path = pg_catalog AS $b$
            BEGIN
                PERFORM evil.hit(%L);
                RETURN %s;
            END
            $b$$f$,
            fname, o.lt, o.rt, o.res, format('%s %s %s', o.lt, o.op, o.rt),
            coalesce(o.ret, format('a OPERATOR(pg_catalog.%s) b', o.op)));
        EXECUTE format('CREATE OPERATOR evil.%s (FUNCTION = evil.%I, LEFTARG = %s, RIGHTARG = %s)',
                       o.op, fname, o.lt, o.rt);
    END LOOP;
END
$do$;

-- functions named like the built-ins invstock uses
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('now()'); RETURN '2000-01-01 00:00:00+00'; END $$;
CREATE FUNCTION evil.length(text) RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('length(text)'); RETURN 0; END $$;
CREATE FUNCTION evil.nextval(regclass) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('nextval(regclass)'); RETURN -1; END $$;
CREATE FUNCTION evil.txid_current() RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('txid_current()'); RETURN -1; END $$;
CREATE FUNCTION evil.jsonb_build_object(VARIADIC text[]) RETURNS jsonb LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('jsonb_build_object'); RETURN '{"hijacked": true}'; END $$;
CREATE FUNCTION evil.current_setting(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('current_setting(text)'); RETURN '999'; END $$;
CREATE FUNCTION evil."coalesce"(bigint, bigint) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('coalesce(bigint, bigint)'); RETURN -1; END $$;
CREATE FUNCTION evil."greatest"(bigint, bigint) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('greatest(bigint, bigint)'); RETURN -1; END $$;
CREATE FUNCTION evil.int8larger(bigint, bigint) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('int8larger(bigint, bigint)'); RETURN -1; END $$;
CREATE FUNCTION evil.int8(numeric) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('int8(numeric)'); RETURN -1; END $$;
CREATE FUNCTION evil.pg_notify(text, text) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('pg_notify(text, text)'); END $$;
CREATE FUNCTION evil.level_status(bigint, boolean, boolean, bigint) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('level_status'); RETURN 'hijacked'; END $$;
CREATE FUNCTION evil.level_is_low(bigint, bigint) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('level_is_low'); RETURN true; END $$;
CREATE FUNCTION evil.stock_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('stock_guard()'); RETURN NULL; END $$;
-- aggregates: sum, min, max, count
CREATE FUNCTION evil.agg_int8(bigint, bigint) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('aggregate over bigint'); RETURN 424242; END $$;
CREATE FUNCTION evil.agg_ts(timestamptz, timestamptz) RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('aggregate over timestamptz'); RETURN '2000-01-01 00:00:00+00'; END $$;
CREATE FUNCTION evil.agg_count(bigint, text) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS
$$ BEGIN PERFORM evil.hit('count(text)'); RETURN 424242; END $$;
CREATE AGGREGATE evil.sum(bigint) (SFUNC = evil.agg_int8, STYPE = bigint);
CREATE AGGREGATE evil.max(bigint) (SFUNC = evil.agg_int8, STYPE = bigint);
CREATE AGGREGATE evil.min(timestamptz) (SFUNC = evil.agg_ts, STYPE = timestamptz);
CREATE AGGREGATE evil.max(timestamptz) (SFUNC = evil.agg_ts, STYPE = timestamptz);
CREATE AGGREGATE evil.count(text) (SFUNC = evil.agg_count, STYPE = bigint, INITCOND = '0');

-- relations and types named like invstock's, in evil and in pg_temp (which
-- is searched first for relations even when search_path does not name it)
CREATE TABLE evil.sku (LIKE invstock.sku);
CREATE TABLE evil.location (LIKE invstock.location);
CREATE TABLE evil.stock (LIKE invstock.stock);
CREATE TABLE evil.reservation (LIKE invstock.reservation);
CREATE TABLE evil.movement (LIKE invstock.movement);
CREATE TABLE evil.idempotency (LIKE invstock.idempotency);
CREATE TABLE evil.levels (LIKE invstock.levels);
CREATE VIEW evil.sku_totals AS SELECT * FROM evil.levels;
CREATE VIEW evil.low_stock AS SELECT * FROM evil.levels;
CREATE VIEW evil.out_of_stock AS SELECT * FROM evil.levels;
CREATE VIEW evil.reorder_report AS SELECT * FROM evil.levels;
CREATE SEQUENCE evil.transfer_id_seq;
CREATE SEQUENCE evil.movement_id_seq;
CREATE SEQUENCE evil.reservation_id_seq;
CREATE TYPE evil.level AS (sku text, hijacked boolean);
CREATE TYPE evil.count_result AS (sku text, hijacked boolean);
CREATE TYPE evil.sync_problem AS (sku text, hijacked boolean);
GRANT ALL ON ALL TABLES IN SCHEMA evil TO PUBLIC;
GRANT ALL ON ALL SEQUENCES IN SCHEMA evil TO PUBLIC;
CREATE TEMP TABLE sku (LIKE invstock.sku);
CREATE TEMP TABLE location (LIKE invstock.location);
CREATE TEMP TABLE stock (LIKE invstock.stock);
CREATE TEMP TABLE reservation (LIKE invstock.reservation);
CREATE TEMP TABLE movement (LIKE invstock.movement);
CREATE TEMP TABLE idempotency (LIKE invstock.idempotency);
CREATE TEMP SEQUENCE transfer_id_seq;

-- evil first, and pg_catalog named explicitly after it, so pg_catalog is no
-- longer searched first
SET search_path = evil, pg_catalog, public;
SHOW search_path;

-- control: for the caller's own unqualified SQL the look-alikes do win (the
-- trap is armed); the last line is the construct invstock must not use
-- unqualified: IS DISTINCT FROM looks up "=" through search_path
SELECT 'a' = 'b' AS a_equals_b, length('abc') AS length_abc, 40::bigint + 2::bigint AS forty_two;
SELECT true IS DISTINCT FROM false AS is_distinct;
SELECT what, ran_as FROM evil.hits;
TRUNCATE evil.hits;

------------------------------------------------------------------------------
-- Every function, called as the hostile role with that search_path
------------------------------------------------------------------------------

-- inv_adjust creates the SKU, the locations and the rows
SELECT :L FROM invstock.inv_adjust('HJ', 100, 'receipt');
SELECT :L FROM invstock.inv_adjust('HJ', 10, 'receipt', location => 'annex');
-- inv_configure: thresholds, then a policy change (copied onto every stock row of the SKU)
SELECT sku, track_inventory, allow_backorder, low_stock_threshold, reorder_point, reorder_quantity, slots
  FROM invstock.inv_configure('HJ', low_stock_threshold => 20, reorder_point => 200, reorder_quantity => 50);
SELECT sku, track_inventory, allow_backorder FROM invstock.inv_configure('HJ', allow_backorder => true);
SELECT sku, track_inventory, allow_backorder FROM invstock.inv_configure('HJ', allow_backorder => false);
-- annex has 10 available, at or under the threshold 20
SELECT :L FROM invstock.inv_level('HJ', 'annex');
-- inv_reserve with ttl, key and notes; the replay; the key reused with other arguments (23505)
SELECT :L FROM invstock.inv_reserve('HJ', 30, reference => 'O-1', ttl => '1 hour', idempotency_key => 'hj-k1', notes => 'gift');
SELECT :L FROM invstock.inv_reserve('HJ', 30, reference => 'O-1', ttl => '1 hour', idempotency_key => 'hj-k1', notes => 'gift');
SELECT :L FROM invstock.inv_reserve('HJ', 31, reference => 'O-1', ttl => '1 hour', idempotency_key => 'hj-k1', notes => 'gift');
\echo :LAST_ERROR_SQLSTATE
-- inv_release and inv_finalize, partial then all
SELECT :L FROM invstock.inv_release('HJ', 5, reference => 'O-1', reason => 'customer changed mind');
SELECT :L FROM invstock.inv_finalize('HJ', 5, reference => 'O-1', idempotency_key => 'hj-k2');
SELECT :L FROM invstock.inv_release('HJ', reference => 'O-1');
-- not enough available (23514), as usual
SELECT :L FROM invstock.inv_reserve('HJ', 1000);
\echo :LAST_ERROR_SQLSTATE
-- inv_count
SELECT sku, location, previous, counted, discrepancy, on_hand, reserved, available
  FROM invstock.inv_count('HJ', 90, counted_by => 'auditor', notes => 'cycle count');
-- inv_transfer (takes a transfer_id from invstock.transfer_id_seq, not evil's or pg_temp's)
SELECT :L FROM invstock.inv_transfer('HJ', 15, 'main', 'annex', reason => 'rebalance');
-- the _order functions (the lines naming main are summed)
SELECT :L FROM invstock.inv_reserve_order('O-2', '[{"sku": "HJ", "qty": 2}, {"sku": "HJ", "qty": 3, "location": "annex"}, {"sku": "HJ", "qty": 1}]');
SELECT :L FROM invstock.inv_release_order('O-2', reason => 'cancelled');
SELECT :L FROM invstock.inv_reserve_order('O-3', '[{"sku": "HJ", "qty": 4, "location": "annex"}]', ttl => '1 hour', idempotency_key => 'hj-k3');
SELECT :L FROM invstock.inv_finalize_order('O-3', idempotency_key => 'hj-k4');
-- expiry: O-4 expires before the next reservation of main looks at the row;
-- O-5 at annex expires and is swept by inv_sync below
SELECT :L FROM invstock.inv_reserve('HJ', 7, reference => 'O-4', ttl => '1 millisecond');
SELECT :L FROM invstock.inv_reserve('HJ', 2, location => 'annex', reference => 'O-5', ttl => '1 millisecond');
SELECT pg_catalog.pg_sleep(0.2);
SELECT :L FROM invstock.inv_reserve('HJ', 1, reference => 'O-6');
-- a backorder SKU: its first reservation creates the row
SELECT sku, allow_backorder FROM invstock.inv_configure('BO', allow_backorder => true);
SELECT :L FROM invstock.inv_reserve('BO', 3, reference => 'B-1');
SELECT :L FROM invstock.inv_adjust('BO', 5, 'receipt');
-- an untracked SKU
SELECT sku, track_inventory FROM invstock.inv_configure('UT', track_inventory => false);
SELECT :L FROM invstock.inv_reserve('UT', 5);
SELECT :L FROM invstock.inv_level('UT');
-- direct writes by the admin (its own SQL qualified): the trigger checks,
-- records and notifies with the same qualified SQL
SELECT :L FROM invstock.inv_adjust('DR', 6, 'receipt', location => 'annex');
UPDATE invstock.stock SET on_hand = on_hand OPERATOR(pg_catalog.+) 2
 WHERE sku OPERATOR(pg_catalog.=) 'HJ' AND location OPERATOR(pg_catalog.=) 'annex';
DELETE FROM invstock.stock WHERE sku OPERATOR(pg_catalog.=) 'DR';
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('DR', 'annex', 6);
-- a direct change of reserved breaks I3 (BO's holds sum to 3): inv_sync repairs it
UPDATE invstock.stock SET reserved = reserved OPERATOR(pg_catalog.+) 1 WHERE sku OPERATOR(pg_catalog.=) 'BO';
-- a direct write still cannot break I2 (23514)
UPDATE invstock.stock SET reserved = 1000 WHERE sku OPERATOR(pg_catalog.=) 'DR';
\echo :LAST_ERROR_SQLSTATE
-- inv_sync: expires O-5, repairs DRIFT (ledger), BO (holds), GONE (orphan hold and ledger)
SELECT * FROM invstock.inv_sync() ORDER BY sku, location, problem;
SELECT * FROM invstock.inv_sync(repair => false);
SELECT * FROM invstock.inv_sync('HJ', 'main', false);
-- arguments are values, never SQL; huge arguments are refused before any work (22023)
SELECT :L FROM invstock.inv_adjust('x''); DELETE FROM invstock.movement; --', 1, 'receipt $1 %s '' --');
SELECT :L FROM invstock.inv_reserve(pg_catalog.repeat('x', 1000000), 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('HJ', 1, pg_catalog.repeat('r', 1001));
\echo :LAST_ERROR_SQLSTATE
-- request.jwt.claims only labels the movement (see docs/security.md)
SET request.jwt.claims = '{"sub": "ceo", "role": "postgres"}';
SELECT :L FROM invstock.inv_adjust('HJ', 1, 'receipt');
RESET request.jwt.claims;
SELECT current_user;
-- the readers
SELECT :L FROM invstock.inv_level('HJ');
SELECT :L FROM invstock.inv_level('HJ', 'annex');
SELECT :L FROM invstock.inv_level_at('HJ', 'main', pg_catalog.now());
SELECT :L FROM invstock.inv_level_at('HJ', 'main', '-infinity');
SELECT :L FROM invstock.inv_level_at('HJ', 'nowhere', pg_catalog.now());
-- every view
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT sku, locations, on_hand, reserved, available, status, is_low_stock FROM invstock.sku_totals ORDER BY sku;
SELECT sku, location, on_hand, reserved, available, status, low_stock_threshold FROM invstock.low_stock ORDER BY sku, location;
SELECT sku, location, on_hand, reserved, available, status FROM invstock.out_of_stock ORDER BY sku, location;
SELECT sku, on_hand, reserved, available, reorder_point, reorder_quantity, suggested_qty FROM invstock.reorder_report ORDER BY sku;
RESET search_path;

------------------------------------------------------------------------------
-- Nothing was hijacked: no hit, no row in any look-alike, and the ledger is right
------------------------------------------------------------------------------

SELECT what, ran_as FROM evil.hits;
SELECT 'evil.' || c.relname AS relation,
       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', c.oid::regclass), false, true, '')))[1]::text::int AS rows
  FROM pg_class c
 WHERE c.relnamespace = 'evil'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY c.relname;
SELECT (SELECT count(*) FROM pg_temp.sku) + (SELECT count(*) FROM pg_temp.location)
     + (SELECT count(*) FROM pg_temp.stock) + (SELECT count(*) FROM pg_temp.reservation)
     + (SELECT count(*) FROM pg_temp.movement) + (SELECT count(*) FROM pg_temp.idempotency) AS pg_temp_rows;
SELECT last_value, is_called FROM evil.transfer_id_seq;
SELECT last_value, is_called FROM pg_temp.transfer_id_seq;
RESET ROLE;

-- the movements written while the hostile search_path was in force
SELECT row_number() OVER (ORDER BY id) AS n, sku, location, kind, on_hand_delta, reserved_delta,
       on_hand_after, reserved_after, reference, reason, actor, idempotency_key,
       transfer_id IS NOT NULL AS has_transfer_id
  FROM invstock.movement WHERE id > :setup_movements ORDER BY id;
-- one transfer_id for the two movements of the transfer, from invstock's sequence
SELECT count(DISTINCT transfer_id) AS transfer_ids, count(*) AS transfer_movements,
       min(transfer_id) = (SELECT last_value FROM invstock.transfer_id_seq) AS from_invstock_seq
  FROM invstock.movement WHERE transfer_id IS NOT NULL;
-- timestamps and txids are real (now() and txid_current() of pg_catalog, not evil's)
SELECT count(*) FILTER (WHERE at < '2001-01-01') AS evil_at, count(*) FILTER (WHERE txid <= 0) AS evil_txid,
       count(*) FILTER (WHERE at > now()) AS future_at
  FROM invstock.movement;
SELECT count(*) FILTER (WHERE created_at < '2001-01-01' OR updated_at < '2001-01-01') AS evil_times
  FROM invstock.reservation;
-- the holds and how they ended
SELECT sku, location, reference, qty, status, qty_finalized, qty_released, qty_expired, notes,
       expires_at IS NOT NULL AS expires
  FROM invstock.reservation ORDER BY id;
-- the idempotency records hold the results of the first calls
SELECT idempotency_key, operation, cardinality(result) AS result_rows FROM invstock.idempotency ORDER BY idempotency_key;
-- I3 and I4 hold for every row, and inv_sync finds nothing
SELECT s.sku, s.location, s.on_hand, s.reserved,
       (SELECT coalesce(sum(on_hand_delta), 0) FROM invstock.movement m WHERE m.sku = s.sku AND m.location = s.location AND m.slot = s.slot) AS ledger_on_hand,
       (SELECT coalesce(sum(reserved_delta), 0) FROM invstock.movement m WHERE m.sku = s.sku AND m.location = s.location AND m.slot = s.slot) AS ledger_reserved,
       (SELECT coalesce(sum(qty), 0) FROM invstock.reservation r WHERE r.sku = s.sku AND r.location = s.location AND r.slot = s.slot AND r.status = 'open') AS held
  FROM invstock.stock s ORDER BY s.sku, s.location, s.slot;
SELECT * FROM invstock.inv_sync(repair => false);

------------------------------------------------------------------------------
-- invstock_writer: calls the writer functions with no write privilege on any
-- table (and under the hostile search_path too), cannot write the tables
------------------------------------------------------------------------------

CREATE ROLE regress_invstock_w NOLOGIN;
GRANT invstock_writer TO regress_invstock_w;
SET ROLE regress_invstock_w;
SELECT c.relname, c.relkind,
       has_table_privilege(c.oid, 'SELECT') AS can_select,
       has_table_privilege(c.oid, 'INSERT') AS can_insert,
       has_table_privilege(c.oid, 'UPDATE') AS can_update,
       has_table_privilege(c.oid, 'DELETE') AS can_delete,
       has_table_privilege(c.oid, 'TRUNCATE') AS can_truncate,
       has_table_privilege(c.oid, 'TRIGGER') AS can_trigger
  FROM pg_class c
 WHERE c.relnamespace = 'invstock'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY c.relname;
SELECT c.relname, has_sequence_privilege(c.oid, 'USAGE, SELECT, UPDATE') AS can_use
  FROM pg_class c
 WHERE c.relnamespace = 'invstock'::regnamespace AND c.relkind = 'S'
 ORDER BY c.relname;
SELECT max(id) AS writer_movements FROM invstock.movement \gset
SET search_path = evil, pg_catalog, public;
SELECT :L FROM invstock.inv_reserve('HJ', 3, reference => 'W-1', idempotency_key => 'w-k1');
SELECT :L FROM invstock.inv_release('HJ', 1, reference => 'W-1');
SELECT :L FROM invstock.inv_finalize('HJ', reference => 'W-1');
SELECT :L FROM invstock.inv_reserve_order('W-2', '[{"sku": "HJ", "qty": 2}, {"sku": "BO", "qty": 1}]');
SELECT :L FROM invstock.inv_release_order('W-2');
SELECT :L FROM invstock.inv_reserve_order('W-3', '[{"sku": "HJ", "qty": 1, "location": "annex"}]');
SELECT :L FROM invstock.inv_finalize_order('W-3');
SELECT :L FROM invstock.inv_level('HJ');
-- a claim naming an admin role gives nothing: PostgREST switches roles, invstock does not
SET request.jwt.claims = '{"sub": "admin", "role": "invstock_admin"}';
SELECT :L FROM invstock.inv_adjust('HJ', 1000, 'receipt');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('HJ', 1, reference => 'W-4');
RESET request.jwt.claims;
RESET search_path;
SELECT current_user;
-- direct writes to any table: 42501
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('HJ', 'elsewhere', 1);
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET on_hand = on_hand + 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.stock;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.reservation (sku, location, reference, qty) VALUES ('HJ', 'main', 'forged', 1);
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.reservation SET qty = 0;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.reservation;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.movement (sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after)
VALUES ('HJ', 'main', 'adjust', 100, 0, 100, 0);
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.sku SET allow_backorder = true;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.location (location) VALUES ('forged');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.idempotency;
\echo :LAST_ERROR_SQLSTATE
SELECT nextval('invstock.transfer_id_seq');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT row_number() OVER (ORDER BY id) AS n, sku, location, kind, on_hand_delta, reserved_delta,
       on_hand_after, reserved_after, reference, actor
  FROM invstock.movement WHERE id > :writer_movements ORDER BY id;
SELECT what, ran_as FROM evil.hits;

------------------------------------------------------------------------------
-- A role with no invstock role at all, only USAGE on the schema and EXECUTE
-- on three functions: not one privilege on any relation, and the calls work
------------------------------------------------------------------------------

CREATE ROLE regress_invstock_bare NOLOGIN;
GRANT USAGE ON SCHEMA invstock TO regress_invstock_bare;
GRANT EXECUTE ON FUNCTION invstock.inv_level(text, text),
                          invstock.inv_reserve(text, bigint, text, text, interval, text, text),
                          invstock.inv_release(text, bigint, text, text, text, text)
    TO regress_invstock_bare;
SET ROLE regress_invstock_bare;
SELECT count(*) AS relations,
       count(*) FILTER (WHERE has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')) AS with_any_privilege
  FROM pg_class c
 WHERE c.relnamespace = 'invstock'::regnamespace AND c.relkind IN ('r', 'v');
SELECT count(*) AS sequences,
       count(*) FILTER (WHERE has_sequence_privilege(c.oid, 'USAGE, SELECT, UPDATE')) AS with_any_privilege
  FROM pg_class c
 WHERE c.relnamespace = 'invstock'::regnamespace AND c.relkind = 'S';
SELECT :L FROM invstock.inv_reserve('HJ', 2, reference => 'BARE-1');
SELECT :L FROM invstock.inv_release('HJ', reference => 'BARE-1');
SELECT :L FROM invstock.inv_level('HJ');
SELECT count(*) FROM invstock.stock;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM invstock.levels;
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('HJ', 0);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT kind, reserved_delta, reference, actor FROM invstock.movement WHERE reference = 'BARE-1' ORDER BY id;

------------------------------------------------------------------------------
-- The ledger is append-only for every role: UPDATE, DELETE and TRUNCATE of
-- invstock.movement are 42501 for invstock_admin, for the superuser that owns
-- the table, and with session_replication_role = replica
------------------------------------------------------------------------------

SELECT count(*) AS movements, md5(string_agg(m::text, ',' ORDER BY id)) AS ledger_hash
  FROM invstock.movement m \gset before_
SET ROLE regress_invstock_evil;
UPDATE invstock.movement SET on_hand_delta = 0;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.movement;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.stock;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE invstock.movement DISABLE TRIGGER movement_append_only;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the superuser running this test owns the table
SELECT c.relowner = r.oid AS owner_is_me, r.rolsuper AS superuser
  FROM pg_class c, pg_roles r
 WHERE c.oid = 'invstock.movement'::regclass AND r.rolname = current_user;
UPDATE invstock.movement SET on_hand_delta = 0 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.movement;
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
UPDATE invstock.movement SET on_hand_delta = 0 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.movement;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.stock;
\echo :LAST_ERROR_SQLSTATE
SET client_min_messages = warning;
TRUNCATE invstock.sku CASCADE;
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
RESET session_replication_role;
SELECT count(*) = :before_movements AS same_count,
       md5(string_agg(m::text, ',' ORDER BY id)) = :'before_ledger_hash' AS same_ledger
  FROM invstock.movement m;

------------------------------------------------------------------------------
-- The hostile role cannot make invstock run its code: only the owner may
-- add triggers, rules, policies, constraints, defaults or indexes to the
-- tables, and nobody but the owner may create or change anything in the
-- invstock schema
------------------------------------------------------------------------------

SET ROLE regress_invstock_evil;
CREATE TRIGGER evil_guard AFTER INSERT OR UPDATE OR DELETE ON invstock.stock
    FOR EACH ROW EXECUTE FUNCTION evil.stock_guard();
\echo :LAST_ERROR_SQLSTATE
CREATE TRIGGER evil_ledger AFTER INSERT ON invstock.movement
    FOR EACH ROW EXECUTE FUNCTION evil.stock_guard();
\echo :LAST_ERROR_SQLSTATE
CREATE TRIGGER evil_holds BEFORE INSERT ON invstock.reservation
    FOR EACH ROW EXECUTE FUNCTION evil.stock_guard();
\echo :LAST_ERROR_SQLSTATE
CREATE RULE evil_rule AS ON INSERT TO invstock.movement DO ALSO SELECT evil.hit('rule');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE invstock.stock ENABLE ROW LEVEL SECURITY;
\echo :LAST_ERROR_SQLSTATE
CREATE POLICY evil_policy ON invstock.stock USING (evil.level_is_low(on_hand, reserved));
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE invstock.stock ADD CONSTRAINT evil_check CHECK (evil.level_is_low(on_hand, reserved));
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE invstock.movement ALTER COLUMN at SET DEFAULT evil.now();
\echo :LAST_ERROR_SQLSTATE
CREATE INDEX evil_index ON invstock.stock (evil.length(sku));
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE invstock.movement OWNER TO regress_invstock_evil;
\echo :LAST_ERROR_SQLSTATE
ALTER FUNCTION invstock.inv_reserve(text, bigint, text, text, interval, text, text) SET search_path = evil;
\echo :LAST_ERROR_SQLSTATE
CREATE OR REPLACE FUNCTION invstock.level_status(bigint, boolean, boolean, bigint) RETURNS text
    LANGUAGE sql AS $$ SELECT 'hijacked' $$;
\echo :LAST_ERROR_SQLSTATE
CREATE FUNCTION invstock.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '2000-01-01'::timestamptz $$;
\echo :LAST_ERROR_SQLSTATE
CREATE OPERATOR invstock.= (FUNCTION = evil.op_eq_text_text, LEFTARG = text, RIGHTARG = text);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE invstock.stock2 (LIKE invstock.stock);
\echo :LAST_ERROR_SQLSTATE
ALTER EXTENSION invstock ADD FUNCTION evil.hit(text);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE evil.fk (sku text REFERENCES invstock.sku (sku));
\echo :LAST_ERROR_SQLSTATE
CREATE EVENT TRIGGER evil_ddl ON ddl_command_end EXECUTE FUNCTION evil.stock_guard();
\echo :LAST_ERROR_SQLSTATE
GRANT invstock_admin TO regress_invstock_w;
\echo :LAST_ERROR_SQLSTATE
-- and invstock's own functions still give it nothing: it is still itself
SELECT current_user;
RESET ROLE;
SELECT tgrelid::regclass AS relation, tgname FROM pg_trigger
 WHERE tgrelid IN ('invstock.stock'::regclass, 'invstock.movement'::regclass, 'invstock.reservation'::regclass)
   AND NOT tgisinternal
 ORDER BY tgrelid::regclass::text, tgname;
SELECT what, ran_as FROM evil.hits;

-- clean up (roles are global)
SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
DROP OWNED BY regress_invstock_evil, regress_invstock_w, regress_invstock_bare;
DROP ROLE regress_invstock_evil, regress_invstock_w, regress_invstock_bare;
RESET client_min_messages;
