-- settings: the invstock.* settings, their defaults, valid and invalid values, their effect, and the reserved prefix
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- the settings exist once the library is loaded
LOAD 'invstock';

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'

------------------------------------------------------------------------------
-- Defaults, and every setting is USERSET
------------------------------------------------------------------------------

SHOW invstock.default_location;
SHOW invstock.reservation_ttl;
SHOW invstock.low_stock_threshold;
SHOW invstock.idempotency_retention;
SHOW invstock.http_errors;
SELECT name, setting, boot_val, context, vartype, min_val, max_val
  FROM pg_settings WHERE name LIKE 'invstock.%' ORDER BY name;

------------------------------------------------------------------------------
-- invstock.default_location ('main'): where a NULL location goes
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('S1', 5, 'receipt');
SET invstock.default_location = 'backroom';
SHOW invstock.default_location;
SELECT :L FROM invstock.inv_adjust('S1', 3, 'receipt');
SELECT :L FROM invstock.inv_level('S1');
SELECT :L FROM invstock.inv_level('S1', 'main');
-- SET LOCAL lasts until the end of the transaction
BEGIN;
SET LOCAL invstock.default_location = 'annex';
SELECT :L FROM invstock.inv_adjust('S1', 1, 'receipt');
COMMIT;
SHOW invstock.default_location;
RESET invstock.default_location;
SHOW invstock.default_location;
SELECT :L FROM invstock.inv_level('S1');
SELECT :L FROM invstock.levels WHERE sku = 'S1' ORDER BY location;
-- 255 characters are allowed
SELECT length(set_config('invstock.default_location', repeat('x', 255), false)) AS len;
SELECT length(location) AS len, on_hand FROM invstock.inv_adjust('S1', 1, 'receipt');
-- empty and longer than 255 characters are rejected (22023); the value is unchanged
SET invstock.default_location = '';
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('invstock.default_location', repeat('x', 256), false);
\echo :LAST_ERROR_SQLSTATE
SELECT length(current_setting('invstock.default_location')) AS len;
RESET invstock.default_location;

------------------------------------------------------------------------------
-- invstock.reservation_ttl (empty: holds never expire)
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('S1', 1, reference => 'no-ttl');
SET invstock.reservation_ttl = '1 hour';
SHOW invstock.reservation_ttl;
SELECT :L FROM invstock.inv_reserve('S1', 1, reference => 'setting-ttl');
-- an explicit ttl wins over the setting
SELECT :L FROM invstock.inv_reserve('S1', 1, reference => 'explicit-ttl', ttl => '2 days');
SET invstock.reservation_ttl = '1 mon';
SELECT :L FROM invstock.inv_reserve('S1', 1, reference => 'month-ttl');
SET invstock.reservation_ttl = '';
SHOW invstock.reservation_ttl;
SELECT :L FROM invstock.inv_reserve('S1', 1, reference => 'empty-ttl');
-- (expiry = the hold's creation time + the ttl in force)
SELECT r.reference, e.ttl, r.expires_at IS NULL AS never_expires,
       r.expires_at = r.created_at + e.ttl AS expires_after_ttl
  FROM invstock.reservation r
  JOIN (VALUES ('no-ttl', NULL::interval), ('setting-ttl', '1 hour'), ('explicit-ttl', '2 days'),
               ('month-ttl', '1 mon'), ('empty-ttl', NULL)) AS e(reference, ttl)
    ON e.reference = r.reference
 ORDER BY r.id;
-- invalid or non-positive intervals are rejected (22023); the value is unchanged
SET invstock.reservation_ttl = '30 minutes';
SET invstock.reservation_ttl = 'soon';
\echo :LAST_ERROR_SQLSTATE
SET invstock.reservation_ttl = '0';
\echo :LAST_ERROR_SQLSTATE
SET invstock.reservation_ttl = '0 seconds';
\echo :LAST_ERROR_SQLSTATE
SET invstock.reservation_ttl = '-1 hour';
\echo :LAST_ERROR_SQLSTATE
SET invstock.reservation_ttl = '1 day -25 hours';
\echo :LAST_ERROR_SQLSTATE
SHOW invstock.reservation_ttl;
RESET invstock.reservation_ttl;
SHOW invstock.reservation_ttl;
-- a ttl over 100 years is refused for the argument (22023), so the setting cannot hold one:
-- after trying to set it, a reservation without ttl still works
DO $$
BEGIN
    BEGIN
        PERFORM set_config('invstock.reservation_ttl', '200 years', false);
    EXCEPTION WHEN invalid_parameter_value THEN
        NULL;
    END;
    PERFORM invstock.inv_reserve('S1', 0);
    RAISE NOTICE 'inv_reserve works';
END
$$;
RESET invstock.reservation_ttl;

------------------------------------------------------------------------------
-- invstock.low_stock_threshold (5)
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_adjust('S2', 8, 'receipt');
SET invstock.low_stock_threshold = 8;
SHOW invstock.low_stock_threshold;
SELECT :L FROM invstock.inv_level('S2');
SELECT :L FROM invstock.levels WHERE sku = 'S2';
SET invstock.low_stock_threshold = 0;
SELECT :L FROM invstock.inv_level('S2');
-- a SKU's own threshold wins over the setting
SELECT sku, low_stock_threshold FROM invstock.inv_configure('S2', low_stock_threshold => 10);
SELECT :L FROM invstock.inv_level('S2');
-- negative and non-numeric values are rejected (22023); the value is unchanged
SET invstock.low_stock_threshold = -1;
\echo :LAST_ERROR_SQLSTATE
SET invstock.low_stock_threshold = 'many';
\echo :LAST_ERROR_SQLSTATE
SHOW invstock.low_stock_threshold;
RESET invstock.low_stock_threshold;
SHOW invstock.low_stock_threshold;

------------------------------------------------------------------------------
-- invstock.idempotency_retention ('7 days')
------------------------------------------------------------------------------

SET invstock.idempotency_retention = '1 hour';
SHOW invstock.idempotency_retention;
SELECT :L FROM invstock.inv_adjust('S3', 1, 'receipt', idempotency_key => 'ret-key');
-- two hours old: kept with the default retention, purged with 1 hour
UPDATE invstock.idempotency SET created_at = created_at - interval '2 hours';
RESET invstock.idempotency_retention;
SELECT * FROM invstock.inv_sync();
SELECT idempotency_key FROM invstock.idempotency ORDER BY 1;
SET invstock.idempotency_retention = '1 hour';
SELECT * FROM invstock.inv_sync();
SELECT idempotency_key FROM invstock.idempotency ORDER BY 1;
-- an empty, invalid or non-positive interval is rejected (22023)
SET invstock.idempotency_retention = '';
\echo :LAST_ERROR_SQLSTATE
SET invstock.idempotency_retention = 'forever';
\echo :LAST_ERROR_SQLSTATE
SET invstock.idempotency_retention = '0';
\echo :LAST_ERROR_SQLSTATE
SET invstock.idempotency_retention = '-7 days';
\echo :LAST_ERROR_SQLSTATE
SHOW invstock.idempotency_retention;
RESET invstock.idempotency_retention;
SHOW invstock.idempotency_retention;
-- a retention beyond the timestamp range: refused, or inv_sync still runs (and purges nothing)
DO $$
BEGIN
    BEGIN
        PERFORM set_config('invstock.idempotency_retention', '1000000 years', false);
    EXCEPTION WHEN invalid_parameter_value THEN
        NULL;
    END;
    PERFORM count(*) FROM invstock.inv_sync();
    RAISE NOTICE 'inv_sync works';
END
$$;
RESET invstock.idempotency_retention;

------------------------------------------------------------------------------
-- invstock.http_errors (off)
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_level('NOPE');
\echo :LAST_ERROR_SQLSTATE
SET invstock.http_errors = on;
SHOW invstock.http_errors;
SELECT :L FROM invstock.inv_level('NOPE');
\echo :LAST_ERROR_SQLSTATE
SET invstock.http_errors = off;
SELECT :L FROM invstock.inv_level('NOPE');
\echo :LAST_ERROR_SQLSTATE
SET invstock.http_errors = 'sometimes';
\echo :LAST_ERROR_SQLSTATE
SHOW invstock.http_errors;
-- meant to be set on PostgREST's login role: ALTER ROLE checks the value too
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_settings') THEN
        CREATE ROLE regress_invstock_settings NOLOGIN;
    END IF;
END
$$;
ALTER ROLE regress_invstock_settings SET invstock.http_errors = on;
ALTER ROLE regress_invstock_settings SET invstock.low_stock_threshold = -1;
\echo :LAST_ERROR_SQLSTATE
SELECT unnest(s.setconfig) AS setting
  FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
 WHERE r.rolname = 'regress_invstock_settings';
DROP ROLE regress_invstock_settings;

------------------------------------------------------------------------------
-- The invstock prefix is reserved: unknown invstock.* settings are rejected
------------------------------------------------------------------------------

SET invstock.no_such_setting = 1;
\echo :LAST_ERROR_SQLSTATE
SET invstock.default_locaton = 'typo';
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('invstock.http_error', 'on', false);
\echo :LAST_ERROR_SQLSTATE
SHOW invstock.no_such_setting;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS invstock_settings FROM pg_settings WHERE name LIKE 'invstock.%';
-- RESET ALL brings every setting back to its default
SET invstock.default_location = 'elsewhere';
SET invstock.low_stock_threshold = 1;
SET invstock.http_errors = on;
RESET ALL;
SELECT name, setting FROM pg_settings WHERE name LIKE 'invstock.%' ORDER BY name;
