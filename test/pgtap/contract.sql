-- contract.sql: the SQL API of SPEC section 3 exists exactly as written (names, argument names, types and defaults, results, volatility, types, relations, roles, settings) and every error row of SPEC section 4 is raised with its SQLSTATE (and PTnnn under invstock.http_errors).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;

-- err(sql, field): run sql, return the SQLSTATE/message/detail/hint of its error
CREATE FUNCTION pg_temp.err(sql text, field text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE st text; msg text; det text; hnt text;
BEGIN
    EXECUTE sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN CASE field WHEN 'sqlstate' THEN st WHEN 'message' THEN msg WHEN 'detail' THEN det ELSE hnt END;
END $f$;

SELECT plan(299);

------------------------------------------------------------------------------
-- Schema, extension
------------------------------------------------------------------------------
SELECT has_schema('invstock', 'schema invstock exists');
SELECT is((SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            WHERE e.extname = 'invstock'), 'invstock', 'the extension lives in schema invstock');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'invstock'), false,
          'the extension is not relocatable');

------------------------------------------------------------------------------
-- Functions: exactly the fourteen inv_* of section 3, no overloads
------------------------------------------------------------------------------
CREATE TEMP TABLE expected_fn (
    name text PRIMARY KEY,
    argtypes name[],
    args text,
    result text,
    volatility text
);
INSERT INTO expected_fn VALUES
('inv_reserve', '{text,bigint,text,text,interval,text,text}',
 'sku text, qty bigint, location text DEFAULT NULL::text, reference text DEFAULT NULL::text, ttl interval DEFAULT NULL::interval, idempotency_key text DEFAULT NULL::text, notes text DEFAULT NULL::text',
 'invstock.level', 'volatile'),
('inv_release', '{text,bigint,text,text,text,text}',
 'sku text, qty bigint DEFAULT NULL::bigint, location text DEFAULT NULL::text, reference text DEFAULT NULL::text, reason text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text',
 'invstock.level', 'volatile'),
('inv_finalize', '{text,bigint,text,text,text}',
 'sku text, qty bigint DEFAULT NULL::bigint, location text DEFAULT NULL::text, reference text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text',
 'invstock.level', 'volatile'),
('inv_adjust', '{text,bigint,text,text,text,text,text}',
 'sku text, delta bigint, reason text, location text DEFAULT NULL::text, reference text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text, actor text DEFAULT NULL::text',
 'invstock.level', 'volatile'),
('inv_count', '{text,bigint,text,text,text,text}',
 'sku text, counted bigint, location text DEFAULT NULL::text, counted_by text DEFAULT NULL::text, notes text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text',
 'invstock.count_result', 'volatile'),
('inv_transfer', '{text,bigint,text,text,text,text}',
 'sku text, qty bigint, from_location text, to_location text, reason text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text',
 'setof invstock.level', 'volatile'),
('inv_reserve_order', '{text,jsonb,interval,text}',
 'reference text, lines jsonb, ttl interval DEFAULT NULL::interval, idempotency_key text DEFAULT NULL::text',
 'setof invstock.level', 'volatile'),
('inv_release_order', '{text,text,text}',
 'reference text, reason text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text',
 'setof invstock.level', 'volatile'),
('inv_finalize_order', '{text,text}',
 'reference text, idempotency_key text DEFAULT NULL::text',
 'setof invstock.level', 'volatile'),
('inv_sync', '{text,text,boolean}',
 'sku text DEFAULT NULL::text, location text DEFAULT NULL::text, repair boolean DEFAULT true',
 'setof invstock.sync_problem', 'volatile'),
('inv_configure', '{text,boolean,boolean,bigint,bigint,bigint,integer}',
 'sku text, track_inventory boolean DEFAULT NULL::boolean, allow_backorder boolean DEFAULT NULL::boolean, low_stock_threshold bigint DEFAULT NULL::bigint, reorder_point bigint DEFAULT NULL::bigint, reorder_quantity bigint DEFAULT NULL::bigint, slots integer DEFAULT NULL::integer',
 'invstock.sku', 'volatile'),
('inv_level', '{text,text}',
 'sku text, location text DEFAULT NULL::text',
 'invstock.level', 'stable'),
('inv_level_at', '{text,text,timestamp with time zone}',
 'sku text, location text, at timestamp with time zone',
 'invstock.level', 'stable');

SELECT set_eq(
    $$SELECT proname::text FROM pg_proc WHERE pronamespace = 'invstock'::regnamespace AND proname LIKE 'inv\_%'$$,
    $$SELECT name FROM expected_fn$$,
    'schema invstock has exactly the inv_* functions of section 3');
SELECT is_empty(
    $$SELECT proname FROM pg_proc WHERE proname LIKE 'inv\_%' AND pronamespace = 'invstock'::regnamespace
       GROUP BY proname HAVING count(*) > 1$$,
    'no inv_* function name is overloaded');

SELECT has_function('invstock', e.name, e.argtypes, e.name || ' exists with the argument types of section 3')
  FROM expected_fn e ORDER BY e.name;

SELECT is(pg_get_function_arguments(p.oid), e.args,
          e.name || ': argument names, types and defaults are those of section 3')
  FROM expected_fn e
  LEFT JOIN pg_proc p ON p.proname = e.name AND p.pronamespace = 'invstock'::regnamespace
 ORDER BY e.name;

SELECT function_returns('invstock', e.name, e.argtypes, e.result, e.name || ' returns ' || e.result)
  FROM expected_fn e ORDER BY e.name;

SELECT volatility_is('invstock', e.name, e.argtypes, e.volatility, e.name || ' is ' || upper(e.volatility))
  FROM expected_fn e ORDER BY e.name;

SELECT is_empty(
    $$SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'invstock'::regnamespace
       AND p.proname LIKE 'inv\_%' AND p.prosecdef$$,
    'no inv_* function is SECURITY DEFINER (the C code switches user itself)');

------------------------------------------------------------------------------
-- Types: level, count_result, sync_problem, in order
------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT attname::text COLLATE "default", format_type(atttypid, atttypmod) FROM pg_attribute
       WHERE attrelid = 'invstock.level'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum$$,
    $$VALUES ('sku', 'text'), ('location', 'text'), ('on_hand', 'bigint'), ('reserved', 'bigint'),
             ('available', 'bigint'), ('status', 'text'), ('is_low_stock', 'boolean'),
             ('updated_at', 'timestamp with time zone')$$,
    'invstock.level has the columns of section 3, in order');
SELECT results_eq(
    $$SELECT attname::text COLLATE "default", format_type(atttypid, atttypmod) FROM pg_attribute
       WHERE attrelid = 'invstock.count_result'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum$$,
    $$VALUES ('sku', 'text'), ('location', 'text'), ('previous', 'bigint'), ('counted', 'bigint'),
             ('discrepancy', 'bigint'), ('on_hand', 'bigint'), ('reserved', 'bigint'),
             ('available', 'bigint'), ('counted_at', 'timestamp with time zone')$$,
    'the result of inv_count has the columns of section 3, in order');
SELECT results_eq(
    $$SELECT attname::text COLLATE "default", format_type(atttypid, atttypmod) FROM pg_attribute
       WHERE attrelid = 'invstock.sync_problem'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum$$,
    $$VALUES ('sku', 'text'), ('location', 'text'), ('problem', 'text'), ('expected', 'bigint'),
             ('actual', 'bigint'), ('repaired', 'boolean')$$,
    'the result of inv_sync has the columns of section 3, in order');

------------------------------------------------------------------------------
-- Relations users may read
------------------------------------------------------------------------------
SELECT has_table('invstock', 'movement', 'table invstock.movement exists');
SELECT has_table('invstock', 'reservation', 'table invstock.reservation exists');
SELECT has_table('invstock', 'stock', 'table invstock.stock exists');

SELECT has_column('invstock', 'movement', c, 'invstock.movement has column ' || c)
  FROM unnest(ARRAY['id', 'at', 'sku', 'location', 'kind', 'on_hand_delta', 'reserved_delta',
                    'on_hand_after', 'reserved_after', 'reference', 'reason', 'actor',
                    'idempotency_key', 'transfer_id', 'txid']::name[]) AS c;
SELECT col_type_is('invstock', 'movement', 'id', 'bigint', 'movement.id is bigint');
SELECT col_type_is('invstock', 'movement', 'txid', 'bigint', 'movement.txid is bigint');
SELECT col_type_is('invstock', 'movement', 'at', 'timestamp with time zone', 'movement.at is timestamptz');

SELECT has_column('invstock', 'reservation', c, 'invstock.reservation has column ' || c)
  FROM unnest(ARRAY['sku', 'location', 'reference', 'qty', 'expires_at', 'created_at',
                    'updated_at']::name[]) AS c;
SELECT has_column('invstock', 'stock', c, 'invstock.stock has column ' || c)
  FROM unnest(ARRAY['sku', 'location', 'on_hand', 'reserved']::name[]) AS c;

SELECT has_view('invstock', v, 'view invstock.' || v || ' exists')
  FROM unnest(ARRAY['levels', 'sku_totals', 'low_stock', 'out_of_stock', 'reorder_report']::name[]) AS v;

SELECT has_trigger('invstock', 'stock', 'stock_guard', 'invstock.stock is guarded by the stock_guard trigger');
SELECT ok((SELECT tgconstraint <> 0 FROM pg_trigger WHERE tgrelid = 'invstock.stock'::regclass
            AND tgname = 'stock_guard'), 'stock_guard is a constraint trigger');
SELECT is((SELECT l.lanname::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
             JOIN pg_language l ON l.oid = p.prolang
            WHERE t.tgrelid = 'invstock.stock'::regclass AND t.tgname = 'stock_guard'),
          'c', 'the stock_guard trigger is written in C');

------------------------------------------------------------------------------
-- Roles and privileges (section 6)
------------------------------------------------------------------------------
SELECT has_role(r, 'role ' || r || ' exists')
  FROM unnest(ARRAY['invstock_reader', 'invstock_writer', 'invstock_admin']::name[]) AS r;
SELECT is_empty(
    $$SELECT rolname FROM pg_roles WHERE rolname IN ('invstock_reader', 'invstock_writer', 'invstock_admin')
       AND rolcanlogin$$,
    'the three invstock roles are NOLOGIN');
SELECT is_member_of('invstock_reader', 'invstock_writer', 'invstock_writer is a reader');
SELECT is_member_of('invstock_writer', 'invstock_admin', 'invstock_admin is a writer');
SELECT is_empty(
    $$SELECT p.proname FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
       WHERE p.pronamespace = 'invstock'::regnamespace AND a.grantee = 0$$,
    'PUBLIC can execute no invstock function');
SELECT is_empty(
    $$SELECT c.relname FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
       WHERE c.relnamespace = 'invstock'::regnamespace AND a.grantee = 0$$,
    'PUBLIC has no privilege on any invstock relation');
SELECT ok(NOT has_schema_privilege('public', 'invstock', 'USAGE'), 'PUBLIC has no USAGE on schema invstock');

SELECT results_eq(
    $$SELECT f, has_function_privilege('invstock_reader', 'invstock.' || f, 'EXECUTE')
        FROM unnest(ARRAY['inv_level(text,text)', 'inv_level_at(text,text,timestamptz)',
                          'inv_reserve(text,bigint,text,text,interval,text,text)',
                          'inv_adjust(text,bigint,text,text,text,text,text)']) f$$,
    $$VALUES ('inv_level(text,text)', true), ('inv_level_at(text,text,timestamptz)', true),
             ('inv_reserve(text,bigint,text,text,interval,text,text)', false),
             ('inv_adjust(text,bigint,text,text,text,text,text)', false)$$,
    'invstock_reader may call the readers only');
SELECT results_eq(
    $$SELECT f, has_function_privilege('invstock_writer', 'invstock.' || f, 'EXECUTE')
        FROM unnest(ARRAY['inv_reserve(text,bigint,text,text,interval,text,text)',
                          'inv_release(text,bigint,text,text,text,text)',
                          'inv_finalize(text,bigint,text,text,text)',
                          'inv_reserve_order(text,jsonb,interval,text)',
                          'inv_release_order(text,text,text)', 'inv_finalize_order(text,text)',
                          'inv_level(text,text)',
                          'inv_adjust(text,bigint,text,text,text,text,text)',
                          'inv_count(text,bigint,text,text,text,text)',
                          'inv_transfer(text,bigint,text,text,text,text)',
                          'inv_sync(text,text,boolean)',
                          'inv_configure(text,boolean,boolean,bigint,bigint,bigint,integer)']) f$$,
    $$VALUES ('inv_reserve(text,bigint,text,text,interval,text,text)', true),
             ('inv_release(text,bigint,text,text,text,text)', true),
             ('inv_finalize(text,bigint,text,text,text)', true),
             ('inv_reserve_order(text,jsonb,interval,text)', true),
             ('inv_release_order(text,text,text)', true), ('inv_finalize_order(text,text)', true),
             ('inv_level(text,text)', true),
             ('inv_adjust(text,bigint,text,text,text,text,text)', false),
             ('inv_count(text,bigint,text,text,text,text)', false),
             ('inv_transfer(text,bigint,text,text,text,text)', false),
             ('inv_sync(text,text,boolean)', false),
             ('inv_configure(text,boolean,boolean,bigint,bigint,bigint,integer)', false)$$,
    'invstock_writer may hold, release and finalize, not adjust, count, transfer, sync or configure');
SELECT ok(has_function_privilege('invstock_admin', 'invstock.inv_adjust(text,bigint,text,text,text,text,text)', 'EXECUTE')
      AND has_function_privilege('invstock_admin', 'invstock.inv_count(text,bigint,text,text,text,text)', 'EXECUTE')
      AND has_function_privilege('invstock_admin', 'invstock.inv_transfer(text,bigint,text,text,text,text)', 'EXECUTE')
      AND has_function_privilege('invstock_admin', 'invstock.inv_sync(text,text,boolean)', 'EXECUTE')
      AND has_function_privilege('invstock_admin', 'invstock.inv_configure(text,boolean,boolean,bigint,bigint,bigint,integer)', 'EXECUTE')
      AND has_function_privilege('invstock_admin', 'invstock.inv_reserve(text,bigint,text,text,interval,text,text)', 'EXECUTE'),
    'invstock_admin may call every mutator');
SELECT ok(has_table_privilege('invstock_admin', 'invstock.stock', 'INSERT')
      AND has_table_privilege('invstock_admin', 'invstock.stock', 'UPDATE')
      AND has_table_privilege('invstock_admin', 'invstock.stock', 'DELETE'),
    'invstock_admin may write invstock.stock directly');
SELECT ok(NOT has_table_privilege('invstock_writer', 'invstock.stock', 'UPDATE'),
    'invstock_writer may not write invstock.stock directly');
SELECT ok(NOT has_table_privilege('invstock_admin', 'invstock.movement', 'UPDATE')
      AND NOT has_table_privilege('invstock_admin', 'invstock.movement', 'DELETE')
      AND NOT has_table_privilege('invstock_admin', 'invstock.movement', 'TRUNCATE'),
    'invstock_admin has no UPDATE, DELETE or TRUNCATE on invstock.movement');
SELECT ok(has_table_privilege('invstock_reader', 'invstock.movement', 'SELECT')
      AND has_table_privilege('invstock_reader', 'invstock.reservation', 'SELECT')
      AND has_table_privilege('invstock_reader', 'invstock.stock', 'SELECT')
      AND has_table_privilege('invstock_reader', 'invstock.levels', 'SELECT')
      AND has_table_privilege('invstock_reader', 'invstock.sku_totals', 'SELECT')
      AND has_table_privilege('invstock_reader', 'invstock.low_stock', 'SELECT')
      AND has_table_privilege('invstock_reader', 'invstock.out_of_stock', 'SELECT')
      AND has_table_privilege('invstock_reader', 'invstock.reorder_report', 'SELECT'),
    'invstock_reader may read the relations and views');

------------------------------------------------------------------------------
-- Settings (section 7)
------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT current_setting('invstock.default_location'), current_setting('invstock.reservation_ttl'),
             current_setting('invstock.low_stock_threshold'), current_setting('invstock.idempotency_retention'),
             current_setting('invstock.http_errors')$$,
    $$VALUES ('main', '', '5', '7 days', 'off')$$,
    'settings have the defaults of section 7');
SELECT is_empty(
    $$SELECT name FROM pg_settings WHERE name IN ('invstock.default_location', 'invstock.reservation_ttl',
        'invstock.low_stock_threshold', 'invstock.idempotency_retention', 'invstock.http_errors',
        'invstock.events')
        AND context <> 'user'$$,
    'every invstock setting is USERSET');
SELECT is((SELECT count(*)::int FROM pg_settings WHERE name LIKE 'invstock.%'), 6,
          'the five settings of the contract and invstock.events are defined');
SELECT throws_ok($$SET invstock.no_such_setting = 1$$, '42602', NULL,
                 'the invstock prefix is reserved');
SELECT throws_ok($$SET invstock.default_location = ''$$, '22023', NULL, 'an empty invstock.default_location is refused');
SELECT throws_ok($$SET invstock.reservation_ttl = '-1 hour'$$, '22023', NULL, 'a negative invstock.reservation_ttl is refused');
SELECT throws_ok($$SET invstock.idempotency_retention = 'soon'$$, '22023', NULL, 'an invalid invstock.idempotency_retention is refused');
SELECT throws_ok($$SET invstock.low_stock_threshold = -1$$, '22023', NULL, 'a negative invstock.low_stock_threshold is refused');

------------------------------------------------------------------------------
-- Data for the error tests
------------------------------------------------------------------------------
DO $$
BEGIN
    PERFORM invstock.inv_adjust('C1', 10, 'received');
    PERFORM invstock.inv_reserve('C1', 2, reference => 'r1');
    PERFORM invstock.inv_configure('BO', allow_backorder => true);
    PERFORM invstock.inv_adjust('BO', 5, 'received');
    PERFORM invstock.inv_reserve('BO', 8, reference => 'bo1');
    PERFORM invstock.inv_adjust('OV', 9223372036854775800, 'received', location => 'x');
    PERFORM invstock.inv_adjust('OV', 10, 'received');
    PERFORM invstock.inv_configure('BOX', allow_backorder => true);
    PERFORM invstock.inv_reserve('BOX', 9223372036854775807);
    PERFORM invstock.inv_adjust('K1', 1, 'received', idempotency_key => 'k1');
END $$;

------------------------------------------------------------------------------
-- 22004: a required argument is NULL
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT invstock.inv_reserve(NULL, 1)$$, '22004', NULL, 'inv_reserve: NULL sku is 22004');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', NULL)$$, '22004', NULL, 'inv_reserve: NULL qty is 22004');
SELECT throws_ok($$SELECT invstock.inv_release(NULL, 1, reference => 'r1')$$, '22004', NULL, 'inv_release: NULL sku is 22004');
SELECT throws_ok($$SELECT invstock.inv_finalize(NULL, 1, reference => 'r1')$$, '22004', NULL, 'inv_finalize: NULL sku is 22004');
SELECT throws_ok($$SELECT invstock.inv_adjust(NULL, 1, 'received')$$, '22004', NULL, 'inv_adjust: NULL sku is 22004');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', NULL, 'received')$$, '22004', NULL, 'inv_adjust: NULL delta is 22004');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', 1, NULL)$$, '22004', NULL, 'inv_adjust: NULL reason is 22004');
SELECT throws_ok($$SELECT invstock.inv_count(NULL, 1)$$, '22004', NULL, 'inv_count: NULL sku is 22004');
SELECT throws_ok($$SELECT invstock.inv_count('C1', NULL)$$, '22004', NULL, 'inv_count: NULL counted is 22004');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer(NULL, 1, 'main', 'b')$$, '22004', NULL, 'inv_transfer: NULL sku is 22004');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('C1', NULL, 'main', 'b')$$, '22004', NULL, 'inv_transfer: NULL qty is 22004');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order(NULL, '[{"sku":"C1","qty":1}]')$$, '22004', NULL, 'inv_reserve_order: NULL reference is 22004');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-null', NULL)$$, '22004', NULL, 'inv_reserve_order: NULL lines is 22004');
SELECT throws_ok($$SELECT * FROM invstock.inv_release_order(NULL)$$, '22004', NULL, 'inv_release_order: NULL reference is 22004');
SELECT throws_ok($$SELECT * FROM invstock.inv_finalize_order(NULL)$$, '22004', NULL, 'inv_finalize_order: NULL reference is 22004');
SELECT throws_ok($$SELECT * FROM invstock.inv_sync(repair => NULL)$$, '22004', NULL, 'inv_sync: NULL repair is 22004');
SELECT throws_ok($$SELECT invstock.inv_configure(NULL)$$, '22004', NULL, 'inv_configure: NULL sku is 22004');
SELECT throws_ok($$SELECT invstock.inv_level(NULL)$$, '22004', NULL, 'inv_level: NULL sku is 22004');
SELECT throws_ok($$SELECT invstock.inv_level_at(NULL, 'main', now())$$, '22004', NULL, 'inv_level_at: NULL sku is 22004');
SELECT throws_ok($$SELECT invstock.inv_level_at('C1', 'main', NULL)$$, '22004', NULL, 'inv_level_at: NULL at is 22004');

------------------------------------------------------------------------------
-- 22023: negative qty, short reason, bad names, bad lines
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', -1)$$, '22023', NULL, 'inv_reserve: negative qty is 22023');
SELECT throws_ok($$SELECT invstock.inv_release('C1', -1, reference => 'r1')$$, '22023', NULL, 'inv_release: negative qty is 22023');
SELECT throws_ok($$SELECT invstock.inv_finalize('C1', -1, reference => 'r1')$$, '22023', NULL, 'inv_finalize: negative qty is 22023');
SELECT throws_ok($$SELECT invstock.inv_count('C1', -1)$$, '22023', NULL, 'inv_count: negative counted is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('C1', -1, 'main', 'b')$$, '22023', NULL, 'inv_transfer: negative qty is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-neg', '[{"sku":"C1","qty":-1}]')$$, '22023', NULL, 'inv_reserve_order: negative line qty is 22023');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', 1, 'ab')$$, '22023', NULL, 'inv_adjust: reason of 2 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', 1, '')$$, '22023', NULL, 'inv_adjust: empty reason is 22023');
SELECT lives_ok($$SELECT invstock.inv_adjust('C1', 0, 'abc')$$, 'inv_adjust: reason of exactly 3 characters is accepted');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', 1, repeat('x', 1001))$$, '22023', NULL, 'inv_adjust: reason over 1000 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_reserve('', 1)$$, '22023', NULL, 'inv_reserve: empty sku is 22023');
SELECT throws_ok($$SELECT invstock.inv_reserve(repeat('s', 256), 1)$$, '22023', NULL, 'inv_reserve: sku of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 1, location => '')$$, '22023', NULL, 'inv_reserve: empty location is 22023');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 1, location => repeat('l', 256))$$, '22023', NULL, 'inv_reserve: location of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 1, reference => repeat('r', 256))$$, '22023', NULL, 'inv_reserve: reference of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 1, idempotency_key => '')$$, '22023', NULL, 'inv_reserve: empty idempotency_key is 22023');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 1, ttl => '-1 hour')$$, '22023', NULL, 'inv_reserve: negative ttl is 22023');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 1, ttl => '0 seconds')$$, '22023', NULL, 'inv_reserve: zero ttl is 22023');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 1, ttl => '101 years')$$, '22023', NULL, 'inv_reserve: ttl over 100 years is 22023');
SELECT throws_ok($$SELECT invstock.inv_release('', 1, reference => 'r1')$$, '22023', NULL, 'inv_release: empty sku is 22023');
SELECT throws_ok($$SELECT invstock.inv_release('C1', 1, location => repeat('l', 256), reference => 'r1')$$, '22023', NULL, 'inv_release: location of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_finalize(repeat('s', 256), 1)$$, '22023', NULL, 'inv_finalize: sku of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_finalize('C1', 1, location => '', reference => 'r1')$$, '22023', NULL, 'inv_finalize: empty location is 22023');
SELECT throws_ok($$SELECT invstock.inv_adjust('', 1, 'received')$$, '22023', NULL, 'inv_adjust: empty sku is 22023');
SELECT throws_ok($$SELECT invstock.inv_adjust(repeat('s', 256), 1, 'received')$$, '22023', NULL, 'inv_adjust: sku of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', 1, 'received', location => '')$$, '22023', NULL, 'inv_adjust: empty location is 22023');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', 1, 'received', actor => '')$$, '22023', NULL, 'inv_adjust: empty actor is 22023');
SELECT throws_ok($$SELECT invstock.inv_count('', 1)$$, '22023', NULL, 'inv_count: empty sku is 22023');
SELECT throws_ok($$SELECT invstock.inv_count('C1', 10, location => repeat('l', 256))$$, '22023', NULL, 'inv_count: location of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_count('C1', 10, counted_by => '')$$, '22023', NULL, 'inv_count: empty counted_by is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('', 1, 'main', 'b')$$, '22023', NULL, 'inv_transfer: empty sku is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('C1', 1, '', 'b')$$, '22023', NULL, 'inv_transfer: empty from_location is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('C1', 1, 'main', repeat('l', 256))$$, '22023', NULL, 'inv_transfer: to_location of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_configure('')$$, '22023', NULL, 'inv_configure: empty sku is 22023');
SELECT throws_ok($$SELECT invstock.inv_configure(repeat('s', 256))$$, '22023', NULL, 'inv_configure: sku of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_configure('C1', low_stock_threshold => -1)$$, '22023', NULL, 'inv_configure: negative low_stock_threshold is 22023');
SELECT throws_ok($$SELECT invstock.inv_configure('C1', reorder_point => -1)$$, '22023', NULL, 'inv_configure: negative reorder_point is 22023');
SELECT throws_ok($$SELECT invstock.inv_configure('C1', reorder_quantity => -1)$$, '22023', NULL, 'inv_configure: negative reorder_quantity is 22023');
SELECT throws_ok($$SELECT invstock.inv_configure('C1', slots => 0)$$, '22023', NULL, 'inv_configure: slots 0 is 22023');
SELECT throws_ok($$SELECT invstock.inv_configure('C1', slots => 65)$$, '22023', NULL, 'inv_configure: slots 65 is 22023');
SELECT throws_ok($$SELECT invstock.inv_level('')$$, '22023', NULL, 'inv_level: empty sku is 22023');
SELECT throws_ok($$SELECT invstock.inv_level('C1', repeat('l', 256))$$, '22023', NULL, 'inv_level: location of 256 characters is 22023');
SELECT throws_ok($$SELECT invstock.inv_level_at('', 'main', now())$$, '22023', NULL, 'inv_level_at: empty sku is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_sync('')$$, '22023', NULL, 'inv_sync: empty sku is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('', '[{"sku":"C1","qty":1}]')$$, '22023', NULL, 'inv_reserve_order: empty reference is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '{"sku":"C1","qty":1}')$$, '22023', NULL, 'inv_reserve_order: lines not an array is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[]')$$, '22023', NULL, 'inv_reserve_order: empty lines is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[1]')$$, '22023', NULL, 'inv_reserve_order: a line that is not an object is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[{"sku":"C1","quantity":1}]')$$, '22023', NULL, 'inv_reserve_order: unknown key "quantity" is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[{"qty":1}]')$$, '22023', NULL, 'inv_reserve_order: a line without sku is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[{"sku":"C1"}]')$$, '22023', NULL, 'inv_reserve_order: a line without qty is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[{"sku":"C1","qty":1.5}]')$$, '22023', NULL, 'inv_reserve_order: fractional qty is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[{"sku":"C1","qty":"1"}]')$$, '22023', NULL, 'inv_reserve_order: qty as a string is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[{"sku":"","qty":1}]')$$, '22023', NULL, 'inv_reserve_order: empty sku in a line is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[{"sku":"C1","qty":1,"location":5}]')$$, '22023', NULL, 'inv_reserve_order: location as a number is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-bad', '[{"sku":"C1","qty":1}]', ttl => '-1 second')$$, '22023', NULL, 'inv_reserve_order: negative ttl is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_release_order(repeat('r', 256))$$, '22023', NULL, 'inv_release_order: reference of 256 characters is 22023');
SELECT throws_ok($$SELECT * FROM invstock.inv_finalize_order('')$$, '22023', NULL, 'inv_finalize_order: empty reference is 22023');

------------------------------------------------------------------------------
-- 22003: arithmetic would overflow bigint
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT invstock.inv_adjust('OV', 9223372036854775807, 'received', location => 'x')$$, '22003', NULL, 'inv_adjust: on_hand overflow is 22003');
SELECT throws_ok($$SELECT invstock.inv_reserve('BOX', 1)$$, '22003', NULL, 'inv_reserve: reserved overflow (backorders) is 22003');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('OV', 10, 'main', 'x')$$, '22003', NULL, 'inv_transfer: destination on_hand overflow is 22003');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-ov', '[{"sku":"C1","qty":9223372036854775808}]')$$, '22003', NULL, 'inv_reserve_order: a line qty beyond bigint is 22003');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-ov', '[{"sku":"BO","qty":9223372036854775807},{"sku":"BO","qty":1}]')$$, '22003', NULL, 'inv_reserve_order: summed lines beyond bigint is 22003');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-ov', '[{"sku":"BOX","qty":1}]')$$, '22003', NULL, 'inv_reserve_order: reserved overflow (backorders) is 22003');

------------------------------------------------------------------------------
-- P0002: unknown SKU, (sku, location) or hold
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT invstock.inv_reserve('NOPE', 1)$$, 'P0002', NULL, 'inv_reserve: unknown SKU is P0002');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 1, location => 'nowhere')$$, 'P0002', NULL, 'inv_reserve: SKU without stock at that location is P0002');
SELECT throws_ok($$SELECT invstock.inv_release('NOPE')$$, 'P0002', NULL, 'inv_release: unknown SKU is P0002');
SELECT throws_ok($$SELECT invstock.inv_release('C1', location => 'nowhere', reference => 'r1')$$, 'P0002', NULL, 'inv_release: unknown (sku, location) is P0002');
SELECT throws_ok($$SELECT invstock.inv_release('C1', 1, reference => 'no-such-ref')$$, 'P0002', NULL, 'inv_release: unknown hold is P0002');
SELECT throws_ok($$SELECT invstock.inv_release('C1')$$, 'P0002', NULL, 'inv_release: no anonymous hold is P0002');
SELECT throws_ok($$SELECT invstock.inv_finalize('NOPE')$$, 'P0002', NULL, 'inv_finalize: unknown SKU is P0002');
SELECT throws_ok($$SELECT invstock.inv_finalize('C1', 1, location => 'nowhere', reference => 'r1')$$, 'P0002', NULL, 'inv_finalize: unknown (sku, location) is P0002');
SELECT throws_ok($$SELECT invstock.inv_finalize('C1', reference => 'no-such-ref')$$, 'P0002', NULL, 'inv_finalize: unknown hold is P0002');
SELECT throws_ok($$SELECT invstock.inv_count('NOPE', 1)$$, 'P0002', NULL, 'inv_count: unknown SKU is P0002');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('NOPE', 1, 'main', 'b')$$, 'P0002', NULL, 'inv_transfer: unknown SKU is P0002');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('C1', 1, 'nowhere', 'main')$$, 'P0002', NULL, 'inv_transfer: unknown source (sku, location) is P0002');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-nf', '[{"sku":"NOPE","qty":1}]')$$, 'P0002', NULL, 'inv_reserve_order: unknown SKU is P0002');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-nf', '[{"sku":"C1","qty":1,"location":"nowhere"}]')$$, 'P0002', NULL, 'inv_reserve_order: unknown (sku, location) is P0002');
SELECT throws_ok($$SELECT * FROM invstock.inv_release_order('no-such-order')$$, 'P0002', NULL, 'inv_release_order: no open hold is P0002');
SELECT throws_ok($$SELECT * FROM invstock.inv_finalize_order('no-such-order')$$, 'P0002', NULL, 'inv_finalize_order: no open hold is P0002');
SELECT throws_ok($$SELECT invstock.inv_level('NOPE')$$, 'P0002', NULL, 'inv_level: unknown SKU is P0002');
SELECT throws_ok($$SELECT invstock.inv_level('C1', 'nowhere')$$, 'P0002', NULL, 'inv_level: unknown (sku, location) is P0002');
SELECT throws_ok($$SELECT invstock.inv_level_at('NOPE', 'main', now())$$, 'P0002', NULL, 'inv_level_at: unknown SKU is P0002');

------------------------------------------------------------------------------
-- 23514: not enough available / held / on hand; I1-I2 (function or direct write)
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 9)$$, '23514', NULL, 'inv_reserve: more than available is 23514');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-ne', '[{"sku":"C1","qty":9}]')$$, '23514', NULL, 'inv_reserve_order: more than available is 23514');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-ne', '[{"sku":"C1","qty":5},{"sku":"C1","qty":4}]')$$, '23514', NULL, 'inv_reserve_order: lines of one SKU are summed before checking (23514)');
SELECT throws_ok($$SELECT invstock.inv_release('C1', 3, reference => 'r1')$$, '23514', NULL, 'inv_release: more than held is 23514');
SELECT throws_ok($$SELECT invstock.inv_finalize('C1', 3, reference => 'r1')$$, '23514', NULL, 'inv_finalize: more than held is 23514');
SELECT throws_ok($$SELECT invstock.inv_finalize('BO', reference => 'bo1')$$, '23514', NULL, 'inv_finalize: more than on hand (backordered hold) is 23514');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', -11, 'damaged')$$, '23514', NULL, 'inv_adjust: on_hand below 0 is 23514');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', -9, 'damaged')$$, '23514', NULL, 'inv_adjust: on_hand below reserved is 23514');
SELECT throws_ok($$SELECT invstock.inv_count('C1', 1)$$, '23514', NULL, 'inv_count: count below reserved is 23514');
SELECT matches(pg_temp.err('SELECT invstock.inv_count(''C1'', 1)', 'hint'), '[Rr]elease',
               'inv_count below reserved: the hint says to release holds first');
SELECT ok(pg_temp.err('SELECT invstock.inv_reserve(''C1'', 9)', 'message') LIKE '%C1%main%',
          'a 23514 message names the SKU and the location');
SELECT matches(pg_temp.err('SELECT invstock.inv_reserve(''C1'', 9)', 'detail'), '8',
               'the numbers are in the DETAIL (available 8)');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('C1', 9, 'main', 'b')$$, '23514', NULL, 'inv_transfer: more than available is 23514');
SELECT throws_ok($$SELECT invstock.inv_configure('BO', allow_backorder => false)$$, '23514', NULL, 'inv_configure: turning backorders off while reserved > on_hand is 23514');
SELECT throws_ok($$UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'C1'$$, '23514', NULL, 'direct UPDATE: negative on_hand is 23514');
SELECT throws_ok($$UPDATE invstock.stock SET reserved = -1 WHERE sku = 'C1'$$, '23514', NULL, 'direct UPDATE: negative reserved is 23514');
SELECT throws_ok($$UPDATE invstock.stock SET reserved = on_hand + 1 WHERE sku = 'C1'$$, '23514', NULL, 'direct UPDATE: reserved > on_hand is 23514');
SELECT throws_ok($$INSERT INTO invstock.stock (sku, location, on_hand, reserved) VALUES ('C1', 'x', -5, 0)$$, '23514', NULL, 'direct INSERT: negative on_hand is 23514');
SELECT throws_ok($$DELETE FROM invstock.stock WHERE sku = 'C1'$$, '23514', NULL, 'direct DELETE of a row with reserved units is 23514');

------------------------------------------------------------------------------
-- 23505: idempotency key reused with a different operation or arguments
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT invstock.inv_adjust('K1', 2, 'received', idempotency_key => 'k1')$$, '23505', NULL, 'key reused with different arguments is 23505');
SELECT throws_ok($$SELECT invstock.inv_reserve('K1', 1, idempotency_key => 'k1')$$, '23505', NULL, 'key reused with a different operation is 23505');
SELECT throws_ok($$SELECT invstock.inv_adjust('K1', 1, 'received', location => 'elsewhere', idempotency_key => 'k1')$$, '23505', NULL, 'key reused at another location is 23505');

------------------------------------------------------------------------------
-- 42501: update or delete of a movement
------------------------------------------------------------------------------
SELECT throws_ok($$UPDATE invstock.movement SET on_hand_delta = 0$$, '42501', NULL, 'UPDATE of a movement is 42501');
SELECT throws_ok($$DELETE FROM invstock.movement$$, '42501', NULL, 'DELETE of a movement is 42501');

------------------------------------------------------------------------------
-- invstock.http_errors = on: PTnnn with the HTTP status of section 4
------------------------------------------------------------------------------
SET invstock.http_errors = on;
SELECT throws_ok($$SELECT invstock.inv_reserve(NULL, 1)$$, 'PT400', NULL, 'http_errors: NULL argument is PT400');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', -1)$$, 'PT400', NULL, 'http_errors: negative qty is PT400');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('o-h', '[{"sku":"C1","quantity":1}]')$$, 'PT400', NULL, 'http_errors: bad lines is PT400');
SELECT throws_ok($$SELECT invstock.inv_adjust('OV', 9223372036854775807, 'received', location => 'x')$$, 'PT400', NULL, 'http_errors: overflow is PT400');
SELECT throws_ok($$SELECT invstock.inv_reserve('NOPE', 1)$$, 'PT404', NULL, 'http_errors: unknown SKU is PT404');
SELECT throws_ok($$SELECT * FROM invstock.inv_release_order('no-such-order')$$, 'PT404', NULL, 'http_errors: unknown hold is PT404');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 9)$$, 'PT409', NULL, 'http_errors: not enough available is PT409');
SELECT throws_ok($$UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'C1'$$, 'PT409', NULL, 'http_errors: direct write breaking I1 is PT409');
SELECT throws_ok($$SELECT invstock.inv_adjust('K1', 5, 'received', idempotency_key => 'k1')$$, 'PT422', NULL, 'http_errors: key reuse is PT422');
SELECT throws_ok($$DELETE FROM invstock.movement$$, 'PT403', NULL, 'http_errors: DELETE of a movement is PT403');
SELECT throws_ok($$SELECT '[1'::jsonb$$, '22P02', NULL, 'http_errors: errors raised by PostgreSQL itself keep their SQLSTATE');
RESET invstock.http_errors;

------------------------------------------------------------------------------
-- The errors changed nothing
------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT sku COLLATE "default", location COLLATE "default", on_hand, reserved FROM invstock.stock ORDER BY sku, location$$,
    $$VALUES ('BO', 'main', 5::bigint, 8::bigint), ('BOX', 'main', 0::bigint, 9223372036854775807::bigint),
             ('C1', 'main', 10::bigint, 2::bigint), ('K1', 'main', 1::bigint, 0::bigint),
             ('OV', 'main', 10::bigint, 0::bigint), ('OV', 'x', 9223372036854775800::bigint, 0::bigint)$$,
    'the refused calls left every stock row as it was');
SELECT is((SELECT count(*)::int FROM invstock.reservation WHERE status = 'open'), 3,
          'the refused calls opened no hold');

------------------------------------------------------------------------------
-- Callers need no privilege on the tables (roles via SET ROLE)
------------------------------------------------------------------------------
SET ROLE invstock_writer;
SELECT is((SELECT reserved FROM invstock.inv_reserve('C1', 1, reference => 'w1')), 3::bigint,
          'invstock_writer can reserve through the function without table privileges');
SELECT throws_ok($$SELECT invstock.inv_adjust('C1', 1, 'received')$$, '42501', NULL,
                 'invstock_writer cannot call inv_adjust');
RESET ROLE;
SET ROLE invstock_reader;
SELECT is((SELECT on_hand FROM invstock.inv_level('C1')), 10::bigint, 'invstock_reader can call inv_level');
SELECT throws_ok($$SELECT invstock.inv_reserve('C1', 1)$$, '42501', NULL, 'invstock_reader cannot call inv_reserve');
RESET ROLE;
SELECT is((SELECT actor FROM invstock.movement WHERE reference = 'w1'), 'invstock_writer',
          'the actor of a movement is the calling role');
SET request.jwt.claims = '{"sub":"user-42","role":"web"}';
SELECT is((SELECT reserved FROM invstock.inv_reserve('C1', 1, reference => 'w2')), 4::bigint, 'reserve with JWT claims set');
RESET request.jwt.claims;
SELECT is((SELECT actor FROM invstock.movement WHERE reference = 'w2'), 'user-42',
          'the actor is the JWT sub claim when PostgREST set one');
DO $$ BEGIN PERFORM invstock.inv_adjust('C1', 1, 'received', actor => 'clerk-7'); END $$;
SELECT is((SELECT actor FROM invstock.movement WHERE kind = 'adjust' ORDER BY id DESC LIMIT 1),
          'clerk-7', 'an explicit actor wins');

------------------------------------------------------------------------------
-- search_path cannot hijack a function
------------------------------------------------------------------------------
CREATE SCHEMA tap_evil;
CREATE FUNCTION tap_evil.evil_eq(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR tap_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = tap_evil.evil_eq);
CREATE FUNCTION tap_evil.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
CREATE TEMP TABLE hijack (what text, on_hand bigint);
SET search_path = tap_evil, pg_catalog, public;
INSERT INTO pg_temp.hijack SELECT 'level', on_hand FROM invstock.inv_level('K1');
INSERT INTO pg_temp.hijack SELECT 'adjust', on_hand FROM invstock.inv_adjust('K1', 1, 'received');
INSERT INTO pg_temp.hijack SELECT 'level_at', on_hand FROM invstock.inv_level_at('K1', 'main', pg_catalog.now());
RESET search_path;
DROP SCHEMA tap_evil CASCADE;
SELECT results_eq($$SELECT what, on_hand FROM pg_temp.hijack$$,
    $$VALUES ('level', 1::bigint), ('adjust', 2::bigint), ('level_at', 2::bigint)$$,
    'inv_level, inv_adjust and inv_level_at are not fooled by an = operator and a now() earlier on the search_path');

------------------------------------------------------------------------------
-- Default location setting, zero quantities
------------------------------------------------------------------------------
SET invstock.default_location = 'wh2';
SELECT is((SELECT location FROM invstock.inv_adjust('C1', 4, 'received')), 'wh2',
          'a NULL location means invstock.default_location');
RESET invstock.default_location;
SELECT is((SELECT on_hand FROM invstock.inv_level('C1', 'wh2')), 4::bigint, 'the stock landed at wh2');
SELECT is((SELECT (reserved, on_hand) FROM invstock.inv_reserve('C1', 0))::text, '(4,11)',
          'a quantity of 0 is accepted and changes nothing');

------------------------------------------------------------------------------
-- Error style (section 4): lower-case primary message, no trailing period
------------------------------------------------------------------------------
SELECT is_empty(
    $$SELECT q, m FROM (SELECT q, pg_temp.err(q, 'message') AS m FROM unnest(ARRAY[
        'SELECT invstock.inv_reserve(NULL, 1)', 'SELECT invstock.inv_reserve(''C1'', -1)',
        'SELECT invstock.inv_adjust(''C1'', 1, ''ab'')', 'SELECT invstock.inv_reserve(''NOPE'', 1)',
        'SELECT invstock.inv_reserve(''C1'', 1, location => ''nowhere'')', 'SELECT invstock.inv_reserve(''C1'', 1000)',
        'SELECT invstock.inv_release(''C1'', 1000, reference => ''r1'')', 'SELECT invstock.inv_count(''C1'', 1)',
        'SELECT invstock.inv_adjust(''K1'', 9, ''received'', idempotency_key => ''k1'')',
        'UPDATE invstock.movement SET reason = reason', 'UPDATE invstock.stock SET on_hand = -1 WHERE sku = ''C1''',
        'SELECT * FROM invstock.inv_reserve_order(''o'', ''[{"sku":"C1","quantity":1}]'')',
        'SELECT invstock.inv_adjust(''OV'', 9223372036854775807, ''received'', location => ''x'')',
        'SELECT * FROM invstock.inv_release_order(''no-such-order'')']) q) x
       WHERE m IS NULL OR m ~ '^[A-Z][a-z]' OR m ~ '\.$'$$,
    'every error message sampled starts lower-case (acronyms such as SKU aside) and has no trailing period');

------------------------------------------------------------------------------
-- Behaviour of section 3 and of decisions.md that the API promises
------------------------------------------------------------------------------
SELECT is((SELECT (previous, counted, discrepancy, on_hand)::text FROM invstock.inv_count('K1', 2, location => 'new-loc')),
          '(0,2,2,2)', 'inv_count of a known SKU at a new location creates the row (discrepancy = counted - previous)');
SELECT is((SELECT (on_hand, reserved, updated_at IS NULL)::text FROM invstock.inv_level_at('K1', 'no-such-loc', now())),
          '(0,0,t)', 'inv_level_at of a (sku, location) without movements: zeros, updated_at NULL');
SELECT is((SELECT (previous, counted, discrepancy)::text FROM invstock.inv_count('K1', 2, location => 'new-loc')),
          '(2,2,0)', 'inv_count with no discrepancy');
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE sku = 'K1' AND location = 'new-loc' AND kind = 'count'), 2,
          'inv_count always writes a count movement, even with a discrepancy of 0');
SELECT results_eq($$SELECT location COLLATE "default", on_hand FROM invstock.inv_transfer('K1', 1, 'new-loc', 'other-loc')$$,
                  $$VALUES ('new-loc', 1::bigint), ('other-loc', 1::bigint)$$,
                  'inv_transfer returns the source level, then the destination level (created)');
SELECT is((SELECT count(DISTINCT transfer_id)::int || '/' || count(*) FROM invstock.movement
            WHERE sku = 'K1' AND kind IN ('transfer_out', 'transfer_in')), '1/2',
          'the transfer_out and transfer_in movements share one transfer_id');
DO $$ BEGIN PERFORM invstock.inv_adjust('a', 5, 'received'); PERFORM invstock.inv_adjust('B', 5, 'received'); END $$;
SELECT results_eq($$SELECT sku COLLATE "default" FROM invstock.inv_reserve_order('bytes', '[{"sku":"a","qty":1},{"sku":"B","qty":1}]')$$,
                  $$VALUES ('B'), ('a')$$, 'inv_reserve_order returns levels in (sku, location) byte order (B before a)');
SELECT throws_ok($$SELECT invstock.inv_level('b')$$, 'P0002', NULL, 'SKU names are case-sensitive: b is not B');
SELECT throws_ok($$SELECT invstock.inv_level(' B')$$, 'P0002', NULL, 'SKU names are not trimmed');
SELECT CASE WHEN getdatabaseencoding() = 'UTF8'
            THEN lives_ok($$SELECT invstock.inv_adjust(repeat(chr(233), 255), 1, 'received')$$, 'a SKU of 255 two-byte characters is accepted (characters, not bytes)')
            ELSE skip('database encoding is not UTF8', 1) END;
SELECT lives_ok($$SELECT invstock.inv_release('K1', 0, reference => 'no-hold')$$, 'inv_release of qty 0 needs no open hold');
SELECT is((SELECT reorder_point FROM invstock.inv_configure('K1', reorder_point => 7)), 7::bigint, 'inv_configure sets a policy field');
SELECT is((SELECT reorder_point FROM invstock.inv_configure('K1', reorder_point => NULL, low_stock_threshold => 3)), 7::bigint,
          'inv_configure with NULL leaves a field as it is');
DO $$ BEGIN PERFORM invstock.inv_configure('UNT', track_inventory => false); END $$;
SELECT is((SELECT (on_hand, reserved, status)::text FROM invstock.inv_reserve('UNT', 1000000)), '(0,0,untracked)',
          'an untracked SKU accepts any reservation and returns status untracked');
SELECT lives_ok($$SELECT invstock.inv_adjust('UNT', -50, 'damaged')$$, 'an untracked SKU enforces nothing (negative adjust)');
SELECT lives_ok($$SELECT invstock.inv_finalize('UNT', 5, reference => 'none')$$, 'an untracked SKU accepts a finalize without a hold');
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE sku = 'UNT') + (SELECT count(*)::int FROM invstock.stock WHERE sku = 'UNT')
          + (SELECT count(*)::int FROM invstock.reservation WHERE sku = 'UNT'), 0,
          'an untracked SKU gets no movement, no stock row and no hold');
SELECT is((SELECT status FROM invstock.inv_level('UNT', 'anywhere')), 'untracked', 'inv_level of an untracked SKU without a row: a zero level, untracked');
DO $$ BEGIN PERFORM invstock.inv_adjust('LAT', 10, 'received'); END $$;
CREATE TEMP TABLE lat AS SELECT max(at) AS t FROM invstock.movement WHERE sku = 'LAT';
DO $$ BEGIN PERFORM invstock.inv_adjust('LAT', 5, 'received'); PERFORM invstock.inv_reserve('LAT', 2); END $$;
SELECT is((SELECT (on_hand, reserved)::text FROM invstock.inv_level_at('LAT', 'main', (SELECT t FROM lat))), '(10,0)',
          'inv_level_at returns on_hand and reserved as they stood at that time');
SELECT is((SELECT (on_hand, reserved)::text FROM invstock.inv_level_at('LAT', NULL, now())), '(15,2)',
          'inv_level_at(now()) with a NULL location is the current level at the default location');
SELECT is((SELECT (on_hand, reserved)::text FROM invstock.inv_level_at('LAT', 'main', (SELECT t FROM lat) - interval '1 second')), '(0,0)',
          'inv_level_at before the first movement is zero');

SELECT * FROM finish();
