-- errors: every row of SPEC section 4 for every function it applies to, and that a failure leaves nothing behind
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'
\set C 'sku, location, previous, counted, discrepancy, on_hand, reserved, available'

-- everything a failed call could have left behind, as one value
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $$
SELECT md5(concat_ws('|',
    (SELECT string_agg(concat_ws(',', sku, location, slot, on_hand, reserved, track_inventory,
                                 allow_backorder, next_expiry, last_counted_at, updated_at),
                       ';' ORDER BY sku, location, slot) FROM invstock.stock),
    (SELECT string_agg(concat_ws(',', id, sku, location, reference, qty, status, qty_finalized,
                                 qty_released, qty_expired, expires_at, notes, updated_at),
                       ';' ORDER BY id) FROM invstock.reservation),
    (SELECT count(*) || ',' || coalesce(max(id), 0) FROM invstock.movement),
    (SELECT string_agg(idempotency_key || ',' || coalesce(array_to_string(result, ','), ''),
                       ';' ORDER BY idempotency_key) FROM invstock.idempotency),
    (SELECT string_agg(concat_ws(',', sku, track_inventory, allow_backorder, low_stock_threshold,
                                 reorder_point, reorder_quantity, slots, updated_at),
                       ';' ORDER BY sku) FROM invstock.sku),
    (SELECT string_agg(location, ';' ORDER BY location) FROM invstock.location)))
$$;

------------------------------------------------------------------------------
-- Setup: A has 10 at main (4 held by H1) and 5 at north; BO allows backorders
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('A', 10, 'received');
SELECT :L FROM invstock.inv_adjust('A', 5, 'received', location => 'north');
SELECT :L FROM invstock.inv_reserve('A', 4, reference => 'H1');
SELECT sku, track_inventory, allow_backorder FROM invstock.inv_configure('BO', allow_backorder => true);
SELECT :L FROM invstock.inv_adjust('BO', 2, 'received');
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT count(*) AS movements FROM invstock.movement;

------------------------------------------------------------------------------
-- 22004: a required argument is NULL
------------------------------------------------------------------------------

SELECT pg_temp.state() AS snap \gset
SELECT :L FROM invstock.inv_reserve(NULL, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release(NULL, 1, reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize(NULL, 1, reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust(NULL, 1, 'received');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', NULL, 'received');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count(NULL, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer(NULL, 1, 'main', 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', NULL, 'main', 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, NULL, 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, 'main', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order(NULL, '[{"sku": "A", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('O-1', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync(repair => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at(NULL, 'main', now());
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('A', 'main', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;

------------------------------------------------------------------------------
-- 22023: negative quantities
------------------------------------------------------------------------------

SELECT pg_temp.state() AS snap \gset
SELECT :L FROM invstock.inv_reserve('A', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', -1, reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', -1, reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', -1, 'main', 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('O-1', '[{"sku": "A", "qty": -1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('A', low_stock_threshold => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('A', reorder_point => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('A', reorder_quantity => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('A', slots => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('A', slots => 65);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;

------------------------------------------------------------------------------
-- 22023: reason shorter than 3 characters; free text longer than 1000
------------------------------------------------------------------------------

SELECT pg_temp.state() AS snap \gset
SELECT :L FROM invstock.inv_adjust('A', 1, 'ab');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, '');
\echo :LAST_ERROR_SQLSTATE
-- characters, not bytes: two 2-byte characters are still too short
SELECT :L FROM invstock.inv_adjust('A', 1, 'éé');
\echo :LAST_ERROR_SQLSTATE
-- a delta of 0 still needs a valid reason
SELECT :L FROM invstock.inv_adjust('A', 0, 'ab');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, repeat('r', 1001));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, reference => 'H1', reason => repeat('r', 1001));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, 'main', 'north', reason => repeat('r', 1001));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order('H1', reason => repeat('r', 1001));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, notes => repeat('n', 1001));
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', 10, notes => repeat('n', 1001));
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;
-- the boundaries are accepted: a 3-character reason (2 of them 2-byte), 1000 characters of notes
SELECT :L FROM invstock.inv_adjust('A', 0, 'éé!');
SELECT :L FROM invstock.inv_reserve('A', 0, notes => repeat('n', 1000));

------------------------------------------------------------------------------
-- 22023: empty or 256-character sku, location, reference, idempotency_key
-- (and counted_by, actor, from_location, to_location)
------------------------------------------------------------------------------

SELECT pg_temp.state() AS snap \gset
-- inv_reserve
SELECT :L FROM invstock.inv_reserve('', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve(repeat('s', 256), 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, location => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, location => repeat('l', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, reference => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, reference => repeat('r', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, idempotency_key => repeat('k', 256));
\echo :LAST_ERROR_SQLSTATE
-- inv_release
SELECT :L FROM invstock.inv_release('', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release(repeat('s', 256), 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, location => '', reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, location => repeat('l', 256), reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, reference => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, reference => repeat('r', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, reference => 'H1', idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, reference => 'H1', idempotency_key => repeat('k', 256));
\echo :LAST_ERROR_SQLSTATE
-- inv_finalize
SELECT :L FROM invstock.inv_finalize('', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize(repeat('s', 256), 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 1, location => '', reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 1, location => repeat('l', 256), reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 1, reference => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 1, reference => repeat('r', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 1, reference => 'H1', idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 1, reference => 'H1', idempotency_key => repeat('k', 256));
\echo :LAST_ERROR_SQLSTATE
-- inv_adjust (creates SKUs and locations: a bad name must create nothing)
SELECT :L FROM invstock.inv_adjust('', 1, 'received');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust(repeat('s', 256), 1, 'received');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, 'received', location => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, 'received', location => repeat('l', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, 'received', reference => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, 'received', reference => repeat('r', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, 'received', idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, 'received', idempotency_key => repeat('k', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, 'received', actor => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 1, 'received', actor => repeat('a', 256));
\echo :LAST_ERROR_SQLSTATE
-- inv_count
SELECT :C FROM invstock.inv_count('', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count(repeat('s', 256), 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', 10, location => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', 10, location => repeat('l', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', 10, counted_by => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', 10, counted_by => repeat('c', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', 10, idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', 10, idempotency_key => repeat('k', 256));
\echo :LAST_ERROR_SQLSTATE
-- inv_transfer
SELECT :L FROM invstock.inv_transfer('', 1, 'main', 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer(repeat('s', 256), 1, 'main', 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, '', 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, repeat('l', 256), 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, 'main', '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, 'main', repeat('l', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, 'main', 'north', idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, 'main', 'north', idempotency_key => repeat('k', 256));
\echo :LAST_ERROR_SQLSTATE
-- inv_reserve_order (names inside lines are covered by orders.sql; one of each here)
SELECT :L FROM invstock.inv_reserve_order('', '[{"sku": "A", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order(repeat('r', 256), '[{"sku": "A", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('O-1', '[{"sku": "A", "qty": 1}]', idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('O-1', '[{"sku": "A", "qty": 1}]', idempotency_key => repeat('k', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('O-1', '[{"sku": "", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('O-1', jsonb_build_array(jsonb_build_object('sku', 'A', 'qty', 1, 'location', repeat('l', 256))));
\echo :LAST_ERROR_SQLSTATE
-- inv_release_order
SELECT :L FROM invstock.inv_release_order('');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order(repeat('r', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order('H1', idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order('H1', idempotency_key => repeat('k', 256));
\echo :LAST_ERROR_SQLSTATE
-- inv_finalize_order
SELECT :L FROM invstock.inv_finalize_order('');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order(repeat('r', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('H1', idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('H1', idempotency_key => repeat('k', 256));
\echo :LAST_ERROR_SQLSTATE
-- inv_sync, inv_configure
SELECT * FROM invstock.inv_sync('');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync(repeat('s', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync(location => '');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync(location => repeat('l', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('');
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure(repeat('s', 256));
\echo :LAST_ERROR_SQLSTATE
-- inv_level, inv_level_at
SELECT :L FROM invstock.inv_level('');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level(repeat('s', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('A', '');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('A', repeat('l', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('', 'main', now());
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at(repeat('s', 256), 'main', now());
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('A', '', now());
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('A', repeat('l', 256), now());
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;
SELECT count(*) AS skus FROM invstock.sku;
SELECT count(*) AS locations FROM invstock.location;

-- 255 characters is accepted, counted in characters (255 two-byte characters: 510 bytes)
SELECT length(sku) AS chars, octet_length(sku) AS bytes, length(location) AS location_chars, on_hand
  FROM invstock.inv_adjust(repeat('é', 255), 1, 'received', location => repeat('l', 255));
SELECT length(sku) AS chars, length(location) AS location_chars, reserved
  FROM invstock.inv_reserve(repeat('é', 255), 1, location => repeat('l', 255),
                            reference => repeat('r', 255), idempotency_key => repeat('k', 255));
SELECT length(reference) AS reference_chars, length(idempotency_key) AS key_chars
  FROM invstock.movement WHERE kind = 'reserve' AND sku = repeat('é', 255);

------------------------------------------------------------------------------
-- 22003: arithmetic would overflow bigint
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('MAX', 9223372036854775807, 'received');
SELECT pg_temp.state() AS snap \gset
-- adjust past the largest bigint
SELECT :L FROM invstock.inv_adjust('MAX', 9223372036854775807, 'received');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('MAX', 1, 'received');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;
-- a transfer whose destination would overflow
SELECT :L FROM invstock.inv_adjust('MAX', 1, 'received', location => 'north');
SELECT pg_temp.state() AS snap \gset
SELECT :L FROM invstock.inv_transfer('MAX', 1, 'north', 'main');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;
-- reserving beyond bigint, which only backorders make possible
SELECT sku, allow_backorder FROM invstock.inv_configure('BOMAX', allow_backorder => true);
SELECT :L FROM invstock.inv_reserve('BOMAX', 9223372036854775807, reference => 'R1');
SELECT pg_temp.state() AS snap \gset
SELECT :L FROM invstock.inv_reserve('BOMAX', 1, reference => 'R2');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('BOMAX', 1, reference => 'R1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('R3', '[{"sku": "BOMAX", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
-- order lines: one qty beyond bigint, or lines whose sum is beyond bigint
SELECT :L FROM invstock.inv_reserve_order('R4', '[{"sku": "BO", "qty": 9223372036854775808}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('R4', '[{"sku": "BO", "qty": 9223372036854775807}, {"sku": "BO", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;

------------------------------------------------------------------------------
-- P0002: unknown SKU, (sku, location) or hold
------------------------------------------------------------------------------

SELECT pg_temp.state() AS snap \gset
-- inv_reserve: unknown SKU, unknown location (also with qty 0: the checks still apply)
SELECT :L FROM invstock.inv_reserve('NOPE', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('NOPE', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, location => 'nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 0, location => 'nowhere');
\echo :LAST_ERROR_SQLSTATE
-- inv_release: unknown SKU, location, named hold, anonymous hold
SELECT :L FROM invstock.inv_release('NOPE', reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', location => 'nowhere', reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', reference => 'NOHOLD');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, reference => 'NOHOLD');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A');
\echo :LAST_ERROR_SQLSTATE
-- H1 is held at main, not at north
SELECT :L FROM invstock.inv_release('A', location => 'north', reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
-- inv_finalize: the same
SELECT :L FROM invstock.inv_finalize('NOPE', reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', location => 'nowhere', reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', reference => 'NOHOLD');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 1, reference => 'NOHOLD');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', location => 'north', reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
-- inv_count: unknown SKU (a known SKU at a new location is counted.sql's business)
SELECT :C FROM invstock.inv_count('NOPE', 1);
\echo :LAST_ERROR_SQLSTATE
-- inv_transfer: unknown SKU, unknown source
SELECT :L FROM invstock.inv_transfer('NOPE', 1, 'main', 'north');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, 'nowhere', 'main');
\echo :LAST_ERROR_SQLSTATE
-- inv_reserve_order: unknown SKU, unknown location
SELECT :L FROM invstock.inv_reserve_order('O-1', '[{"sku": "A", "qty": 1}, {"sku": "NOPE", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('O-1', '[{"sku": "A", "qty": 1, "location": "nowhere"}]');
\echo :LAST_ERROR_SQLSTATE
-- inv_release_order, inv_finalize_order: no open hold for the reference
SELECT :L FROM invstock.inv_release_order('NOHOLD');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('NOHOLD');
\echo :LAST_ERROR_SQLSTATE
-- readers
SELECT :L FROM invstock.inv_level('NOPE');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('A', 'nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('NOPE', 'main', now());
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;
SELECT count(*) AS nope_skus FROM invstock.sku WHERE sku = 'NOPE';
SELECT count(*) AS nowhere_locations FROM invstock.location WHERE location = 'nowhere';

------------------------------------------------------------------------------
-- 23514: not enough available / held / on hand; breaking I1-I2
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_level('A');
SELECT pg_temp.state() AS snap \gset
-- available is 6
SELECT :L FROM invstock.inv_reserve('A', 7, reference => 'H2');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 7, reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('O-1', '[{"sku": "A", "qty": 7}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 7, 'main', 'north');
\echo :LAST_ERROR_SQLSTATE
-- H1 holds 4
SELECT :L FROM invstock.inv_release('A', 5, reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 5, reference => 'H1');
\echo :LAST_ERROR_SQLSTATE
-- on_hand is 10, reserved 4
SELECT :L FROM invstock.inv_adjust('A', -11, 'stolen');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', -7, 'stolen');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', -9223372036854775808, 'stolen');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', 3);
\echo :LAST_ERROR_SQLSTATE
-- direct writes are held to I1 and I2 as well
UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'A' AND location = 'north';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET reserved = -1 WHERE sku = 'A' AND location = 'north';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET reserved = 11 WHERE sku = 'A' AND location = 'main';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET on_hand = 3 WHERE sku = 'A' AND location = 'main';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.stock WHERE sku = 'A' AND location = 'main';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.stock (sku, location, on_hand, reserved, allow_backorder) VALUES ('BO', 'north', -1, 0, true);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;

-- with backorders reserved may exceed on_hand, but goods cannot leave before they arrive
SELECT :L FROM invstock.inv_reserve('BO', 5, reference => 'BO-1');
SELECT pg_temp.state() AS snap \gset
SELECT :L FROM invstock.inv_finalize('BO', reference => 'BO-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('BO', 3, reference => 'BO-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('BO-1');
\echo :LAST_ERROR_SQLSTATE
-- transfers move available units only, backorders or not
SELECT :L FROM invstock.inv_transfer('BO', 1, 'main', 'north');
\echo :LAST_ERROR_SQLSTATE
-- turning backorders off while a row is backordered would break I2
SELECT sku, allow_backorder FROM invstock.inv_configure('BO', allow_backorder => false);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;
-- a partial finalize within on_hand is fine
SELECT :L FROM invstock.inv_finalize('BO', 2, reference => 'BO-1');

------------------------------------------------------------------------------
-- 23505: idempotency key reused with a different operation or arguments
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('A', 1, 'received', idempotency_key => 'K-1');
SELECT pg_temp.state() AS snap \gset
SELECT :L FROM invstock.inv_adjust('A', 2, 'received', idempotency_key => 'K-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, idempotency_key => 'K-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, reference => 'H1', idempotency_key => 'K-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 1, reference => 'H1', idempotency_key => 'K-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :C FROM invstock.inv_count('A', 11, idempotency_key => 'K-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, 'main', 'north', idempotency_key => 'K-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('O-1', '[{"sku": "A", "qty": 1}]', idempotency_key => 'K-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order('H1', idempotency_key => 'K-1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('H1', idempotency_key => 'K-1');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.state() = :'snap' AS nothing_changed;

------------------------------------------------------------------------------
-- 42501: the ledger is append-only, for every role
------------------------------------------------------------------------------

SELECT pg_temp.state() AS snap \gset
-- as a superuser (the trigger refuses)
UPDATE invstock.movement SET reason = 'rewritten' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.movement SET on_hand_delta = 0;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.movement;
\echo :LAST_ERROR_SQLSTATE
-- as a member of invstock_admin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_clerk') THEN
        CREATE ROLE regress_invstock_clerk NOLOGIN;
    END IF;
    IF NOT pg_has_role('regress_invstock_clerk', 'invstock_admin', 'MEMBER') THEN
        GRANT invstock_admin TO regress_invstock_clerk;
    END IF;
END
$$;
SET ROLE regress_invstock_clerk;
UPDATE invstock.movement SET reason = 'rewritten' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.movement;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT pg_temp.state() = :'snap' AS nothing_changed;

------------------------------------------------------------------------------
-- After all of the above: the levels and the ledger are consistent
------------------------------------------------------------------------------

SELECT :L FROM invstock.levels WHERE sku IN ('A', 'BO', 'BOMAX', 'MAX') ORDER BY sku, location;
SELECT count(*) AS movements FROM invstock.movement;
SELECT * FROM invstock.inv_sync();
