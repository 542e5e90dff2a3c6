-- http_errors: with invstock.http_errors = on every invstock error (functions and triggers) is raised as PTnnn; off, the standard SQLSTATEs
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'

-- H: 11 on hand, 2 held for o1; HB: a backorder SKU with 1 held and nothing on hand
SELECT :L FROM invstock.inv_adjust('H', 10, 'receipt');
SELECT :L FROM invstock.inv_reserve('H', 2, reference => 'o1');
SELECT :L FROM invstock.inv_adjust('H', 1, 'receipt', idempotency_key => 'hk');
SELECT sku, allow_backorder FROM invstock.inv_configure('HB', allow_backorder => true);
SELECT :L FROM invstock.inv_reserve('HB', 1);
SELECT count(*) AS movements FROM invstock.movement \gset

------------------------------------------------------------------------------
-- invstock.http_errors = on
------------------------------------------------------------------------------

SET invstock.http_errors = on;

-- PT400: a required argument is NULL (22004)
SELECT :L FROM invstock.inv_reserve(NULL, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('H', 'main', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync(repair => NULL);
\echo :LAST_ERROR_SQLSTATE
-- PT400: a bad value (22023)
SELECT :L FROM invstock.inv_reserve('H', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('H', 1, 'ab');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('H', 1, ttl => '-1 hour');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('o2', '[{"sku": "H", "quantity": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('H', slots => 0);
\echo :LAST_ERROR_SQLSTATE
-- PT400: bigint overflow (22003)
SELECT :L FROM invstock.inv_adjust('H', 9223372036854775807, 'overflow');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('o2', '[{"sku": "H", "qty": 99999999999999999999}]');
\echo :LAST_ERROR_SQLSTATE
-- PT404: unknown SKU, (sku, location) or hold (P0002)
SELECT :L FROM invstock.inv_level('NOPE');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('NOPE', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('H', 'nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('H', reference => 'none');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('none');
\echo :LAST_ERROR_SQLSTATE
-- PT409: not enough available, held or on hand (23514)
SELECT :L FROM invstock.inv_reserve('H', 100);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('H', 5, reference => 'o1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('H', -100, 'loss');
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_count('H', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('H', 100, 'main', 'store');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('HB');
\echo :LAST_ERROR_SQLSTATE
-- PT409: from the stock trigger, a direct write breaking I1/I2 or the row's key or policy (23514)
UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET reserved = 100 WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.stock WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET slot = 1 WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET allow_backorder = true WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
-- (the trigger also refuses inv_configure turning backorders off while HB has reserved > on_hand)
SELECT sku FROM invstock.inv_configure('HB', allow_backorder => false);
\echo :LAST_ERROR_SQLSTATE
-- PT422: an idempotency key reused with other arguments or another operation (23505)
SELECT :L FROM invstock.inv_adjust('H', 2, 'receipt', idempotency_key => 'hk');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('H', 1, idempotency_key => 'hk');
\echo :LAST_ERROR_SQLSTATE
-- PT403: update, delete or truncate of a movement (42501)
UPDATE invstock.movement SET reason = 'rewritten';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.movement;
\echo :LAST_ERROR_SQLSTATE
-- errors raised by PostgreSQL itself keep their SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('o2', '[');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.stock (sku, location) VALUES ('NOPE', 'main');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('H', 'one');
\echo :LAST_ERROR_SQLSTATE
-- (a role without privileges is refused by PostgreSQL: 42501, not PT403)
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_http') THEN
        CREATE ROLE regress_invstock_http NOLOGIN;
    END IF;
END
$$;
SET ROLE regress_invstock_http;
SELECT :L FROM invstock.inv_level('H');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_invstock_http;
-- a replay and a success are unaffected
SELECT :L FROM invstock.inv_adjust('H', 1, 'receipt', idempotency_key => 'hk');
SELECT :L FROM invstock.inv_level('H');

------------------------------------------------------------------------------
-- invstock.http_errors = off: the standard SQLSTATEs come back
------------------------------------------------------------------------------

SET invstock.http_errors = off;

-- 22004
SELECT :L FROM invstock.inv_reserve(NULL, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('H', 'main', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync(repair => NULL);
\echo :LAST_ERROR_SQLSTATE
-- 22023
SELECT :L FROM invstock.inv_reserve('H', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('H', 1, 'ab');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('H', 1, ttl => '-1 hour');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('o2', '[{"sku": "H", "quantity": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('H', slots => 0);
\echo :LAST_ERROR_SQLSTATE
-- 22003
SELECT :L FROM invstock.inv_adjust('H', 9223372036854775807, 'overflow');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('o2', '[{"sku": "H", "qty": 99999999999999999999}]');
\echo :LAST_ERROR_SQLSTATE
-- P0002
SELECT :L FROM invstock.inv_level('NOPE');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('NOPE', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level('H', 'nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('H', reference => 'none');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('none');
\echo :LAST_ERROR_SQLSTATE
-- 23514
SELECT :L FROM invstock.inv_reserve('H', 100);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('H', 5, reference => 'o1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('H', -100, 'loss');
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_count('H', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('H', 100, 'main', 'store');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('HB');
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET reserved = 100 WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.stock WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET slot = 1 WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET allow_backorder = true WHERE sku = 'H';
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('HB', allow_backorder => false);
\echo :LAST_ERROR_SQLSTATE
-- 23505
SELECT :L FROM invstock.inv_adjust('H', 2, 'receipt', idempotency_key => 'hk');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('H', 1, idempotency_key => 'hk');
\echo :LAST_ERROR_SQLSTATE
-- 42501
UPDATE invstock.movement SET reason = 'rewritten';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.movement;
\echo :LAST_ERROR_SQLSTATE
-- PostgreSQL's own errors, as with http_errors on
SELECT :L FROM invstock.inv_reserve_order('o2', '[');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.stock (sku, location) VALUES ('NOPE', 'main');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('H', 'one');
\echo :LAST_ERROR_SQLSTATE

-- nothing failed half-way: no movement was written, no row or location created
SELECT count(*) = :movements AS no_new_movement FROM invstock.movement;
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT location FROM invstock.location ORDER BY location;
SELECT * FROM invstock.inv_sync(repair => false);
