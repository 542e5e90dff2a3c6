-- install: a schema "invstock" created beforehand by another role is refused by CREATE EXTENSION; the internal SQL runs only while the schema belongs to the extension's owner; ALTER EXTENSION UPDATE at the newest version changes nothing
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
DROP SCHEMA IF EXISTS invstock CASCADE;
RESET client_min_messages;

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'

-- roles are global: remove what an interrupted earlier run may have left
SET client_min_messages = warning;
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['regress_invstock_squat', 'regress_invstock_other'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('DROP OWNED BY %I', r);
            EXECUTE format('DROP ROLE %I', r);
        END IF;
    END LOOP;
END
$$;
RESET client_min_messages;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_squat') THEN
        CREATE ROLE regress_invstock_squat NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_other') THEN
        CREATE ROLE regress_invstock_other NOLOGIN;
    END IF;
END
$$;

------------------------------------------------------------------------------
-- (a) Schema squatting: a role that may only CREATE in the database (not a
-- superuser) creates schema invstock before the extension is installed
------------------------------------------------------------------------------

SELECT format('GRANT CREATE ON DATABASE %I TO regress_invstock_squat', current_database()) \gexec
SET ROLE regress_invstock_squat;
CREATE SCHEMA invstock;
RESET ROLE;
SELECT nspname, nspowner::regrole AS owner FROM pg_namespace WHERE nspname = 'invstock';

-- refused, with a hint; nothing is left behind
CREATE EXTENSION invstock;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'invstock';
SELECT count(*) AS objects_in_schema FROM pg_class WHERE relnamespace = 'invstock'::regnamespace;
SELECT count(*) AS functions_in_schema FROM pg_proc WHERE pronamespace = 'invstock'::regnamespace;
SELECT nspowner::regrole AS owner FROM pg_namespace WHERE nspname = 'invstock';

-- also when the installing role names the schema explicitly
CREATE EXTENSION invstock SCHEMA invstock;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'invstock';

-- an empty schema invstock that the installing role owns itself is accepted
ALTER SCHEMA invstock OWNER TO CURRENT_USER;
CREATE EXTENSION invstock;
SELECT n.nspowner = e.extowner AS schema_owned_by_extension_owner
  FROM pg_namespace n, pg_extension e
 WHERE n.nspname = 'invstock' AND e.extname = 'invstock';
SELECT :L FROM invstock.inv_adjust('A', 10, 'receipt');
SET client_min_messages = warning;
DROP EXTENSION invstock CASCADE;
RESET client_min_messages;

-- given back to the squatting role again: refused again
ALTER SCHEMA invstock OWNER TO regress_invstock_squat;
CREATE EXTENSION invstock;
\echo :LAST_ERROR_SQLSTATE

-- once the squatted schema is dropped, CREATE EXTENSION works: it creates
-- the schema, owned by the installing role, which is the extension's owner
DROP SCHEMA invstock CASCADE;
CREATE EXTENSION invstock;
SELECT n.nspowner = e.extowner AS schema_owned_by_extension_owner,
       e.extowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AS extension_owned_by_installer
  FROM pg_namespace n, pg_extension e
 WHERE n.nspname = 'invstock' AND e.extname = 'invstock';
SELECT :L FROM invstock.inv_adjust('A', 10, 'receipt');

-- a role with CREATE on the database can neither rename invstock's schema,
-- nor replace it, nor create anything in it
SET ROLE regress_invstock_squat;
ALTER SCHEMA invstock RENAME TO invstock_real;
\echo :LAST_ERROR_SQLSTATE
CREATE SCHEMA invstock;
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE invstock.stock2 (sku text);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------
-- (b) The schema given to another role: every function that runs internal
-- SQL refuses to run (42501) until it is given back.  The owner was cached by
-- the calls above: the change of pg_namespace must reset that cache in this
-- same session.
------------------------------------------------------------------------------

SELECT :L FROM invstock.inv_reserve('A', 1, reference => 'R1');
ALTER SCHEMA invstock OWNER TO regress_invstock_other;
SELECT nspowner::regrole AS owner FROM pg_namespace WHERE nspname = 'invstock';

SELECT :L FROM invstock.inv_level('A');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_level_at('A', 'main', now());
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve('A', 1, reference => 'R2');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('A', 1, reference => 'R1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize('A', 1, reference => 'R1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('A', 5, 'receipt');
\echo :LAST_ERROR_SQLSTATE
SELECT sku, location, previous, counted, discrepancy FROM invstock.inv_count('A', 10);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('A', 1, 'main', 'east');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('ORD-1', '[{"sku": "A", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release_order('R1');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_finalize_order('R1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync();
\echo :LAST_ERROR_SQLSTATE
SELECT sku, allow_backorder FROM invstock.inv_configure('A', allow_backorder => true);
\echo :LAST_ERROR_SQLSTATE
-- a direct write: the stock_guard trigger runs internal SQL too
UPDATE invstock.stock SET on_hand = on_hand + 1 WHERE sku = 'A';
\echo :LAST_ERROR_SQLSTATE
-- the new owner of the schema gains nothing either
SET ROLE regress_invstock_other;
SELECT :L FROM invstock.inv_level('A');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- nothing changed meanwhile
SELECT sku, location, slot, on_hand, reserved FROM invstock.stock ORDER BY sku, location, slot;
SELECT sku, location, kind, on_hand_delta, reserved_delta FROM invstock.movement ORDER BY id;

-- given back to the extension's owner: everything works again
ALTER SCHEMA invstock OWNER TO CURRENT_USER;
SELECT n.nspowner = e.extowner AS schema_owned_by_extension_owner
  FROM pg_namespace n, pg_extension e
 WHERE n.nspname = 'invstock' AND e.extname = 'invstock';
SELECT :L FROM invstock.inv_level('A');
SELECT :L FROM invstock.inv_release('A', 1, reference => 'R1');
SELECT :L FROM invstock.inv_adjust('A', 5, 'receipt');
SELECT sku, allow_backorder FROM invstock.inv_configure('A', allow_backorder => true);
SELECT sku, location, kind, on_hand_delta, reserved_delta FROM invstock.movement ORDER BY id;

------------------------------------------------------------------------------
-- (c) ALTER EXTENSION ... UPDATE when the newest version is installed changes
-- nothing (the version is not printed: it changes with each release)
------------------------------------------------------------------------------

SELECT e.extversion = a.default_version AS at_default_version
  FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname
 WHERE e.extname = 'invstock';
SET client_min_messages = warning;
ALTER EXTENSION invstock UPDATE;
RESET client_min_messages;
SELECT e.extversion = a.default_version AS at_default_version
  FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname
 WHERE e.extname = 'invstock';
SELECT n.nspowner = e.extowner AS schema_owned_by_extension_owner
  FROM pg_namespace n, pg_extension e
 WHERE n.nspname = 'invstock' AND e.extname = 'invstock';
SELECT :L FROM invstock.inv_level('A');

------------------------------------------------------------------------------
-- Clean up: the extension installed again normally; roles are global
------------------------------------------------------------------------------

SET client_min_messages = warning;
DROP EXTENSION invstock CASCADE;
DROP SCHEMA invstock CASCADE;
RESET client_min_messages;
CREATE EXTENSION invstock;
SET client_min_messages = warning;
DROP OWNED BY regress_invstock_squat, regress_invstock_other;
DROP ROLE regress_invstock_squat, regress_invstock_other;
RESET client_min_messages;
SELECT count(*) AS leftover_roles FROM pg_roles WHERE rolname IN ('regress_invstock_squat', 'regress_invstock_other');
