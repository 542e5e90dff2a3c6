-- privileges: the reader/writer/admin roles, nothing for PUBLIC, what each role can call and write, the actor of the movements
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

-- columns of invstock.level that do not vary between runs
\set L 'sku, location, on_hand, reserved, available, status, is_low_stock'

------------------------------------------------------------------------------
-- The three roles: NOLOGIN, reader < writer < admin
------------------------------------------------------------------------------

SELECT rolname, rolcanlogin, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolbypassrls
  FROM pg_roles WHERE rolname IN ('invstock_reader', 'invstock_writer', 'invstock_admin')
 ORDER BY rolname;
SELECT r.rolname AS granted_role, m.rolname AS member
  FROM pg_auth_members a
  JOIN pg_roles r ON r.oid = a.roleid
  JOIN pg_roles m ON m.oid = a.member
 WHERE r.rolname IN ('invstock_reader', 'invstock_writer', 'invstock_admin')
   AND m.rolname IN ('invstock_reader', 'invstock_writer', 'invstock_admin')
 ORDER BY 1, 2;
SELECT pg_has_role('invstock_writer', 'invstock_reader', 'USAGE') AS writer_is_reader,
       pg_has_role('invstock_admin', 'invstock_writer', 'USAGE') AS admin_is_writer,
       pg_has_role('invstock_admin', 'invstock_reader', 'USAGE') AS admin_is_reader,
       pg_has_role('invstock_reader', 'invstock_writer', 'USAGE') AS reader_is_writer,
       pg_has_role('invstock_writer', 'invstock_admin', 'USAGE') AS writer_is_admin;

------------------------------------------------------------------------------
-- PUBLIC gets nothing
------------------------------------------------------------------------------

SELECT has_schema_privilege('public', 'invstock', 'USAGE') AS public_usage,
       has_schema_privilege('public', 'invstock', 'CREATE') AS public_create,
       has_schema_privilege('invstock_reader', 'invstock', 'USAGE') AS reader_usage,
       has_schema_privilege('invstock_admin', 'invstock', 'CREATE') AS admin_create;
-- no function of the schema is executable by PUBLIC
SELECT count(*) > 0 AS has_functions FROM pg_proc WHERE pronamespace = 'invstock'::regnamespace;
SELECT p.oid::regprocedure AS public_can_execute
  FROM pg_proc p
 WHERE p.pronamespace = 'invstock'::regnamespace
   AND has_function_privilege('public', p.oid, 'EXECUTE');
-- no privilege on any table, view or sequence
SELECT count(*) > 0 AS has_sequences FROM pg_class
 WHERE relnamespace = 'invstock'::regnamespace AND relkind = 'S';
SELECT c.relname AS public_has_privilege
  FROM pg_class c
 WHERE c.relnamespace = 'invstock'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
   AND has_table_privilege('public', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER');
SELECT c.relname AS public_has_privilege
  FROM pg_class c
 WHERE c.relnamespace = 'invstock'::regnamespace AND c.relkind = 'S'
   AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege('public', c.oid, 'USAGE, SELECT, UPDATE') END;
-- and no ACL entry names PUBLIC (grantee 0)
SELECT c.relname, a.privilege_type
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relnamespace = 'invstock'::regnamespace AND a.grantee = 0;
SELECT p.oid::regprocedure, a.privilege_type
  FROM pg_proc p, aclexplode(p.proacl) a
 WHERE p.pronamespace = 'invstock'::regnamespace AND a.grantee = 0;

------------------------------------------------------------------------------
-- What each role holds
------------------------------------------------------------------------------

-- EXECUTE on the functions
SELECT p.proname,
       has_function_privilege('invstock_reader', p.oid, 'EXECUTE') AS reader,
       has_function_privilege('invstock_writer', p.oid, 'EXECUTE') AS writer,
       has_function_privilege('invstock_admin', p.oid, 'EXECUTE') AS admin
  FROM pg_proc p
 WHERE p.pronamespace = 'invstock'::regnamespace
 ORDER BY p.proname;
-- privileges on the relations (S = SELECT, I = INSERT, U = UPDATE, D = DELETE, T = TRUNCATE)
CREATE FUNCTION pg_temp.privs(role name, rel oid) RETURNS text LANGUAGE sql AS $$
    SELECT concat(CASE WHEN has_table_privilege(role, rel, 'SELECT') THEN 'S' END,
                  CASE WHEN has_table_privilege(role, rel, 'INSERT') THEN 'I' END,
                  CASE WHEN has_table_privilege(role, rel, 'UPDATE') THEN 'U' END,
                  CASE WHEN has_table_privilege(role, rel, 'DELETE') THEN 'D' END,
                  CASE WHEN has_table_privilege(role, rel, 'TRUNCATE') THEN 'T' END)
$$;
SELECT c.relname, c.relkind,
       pg_temp.privs('invstock_reader', c.oid) AS reader,
       pg_temp.privs('invstock_writer', c.oid) AS writer,
       pg_temp.privs('invstock_admin', c.oid) AS admin
  FROM pg_class c
 WHERE c.relnamespace = 'invstock'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY c.relname;

------------------------------------------------------------------------------
-- Test roles, one per extension role, and some stock
------------------------------------------------------------------------------

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_r') THEN
        CREATE ROLE regress_invstock_r NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_w') THEN
        CREATE ROLE regress_invstock_w NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_a') THEN
        CREATE ROLE regress_invstock_a NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_invstock_none') THEN
        CREATE ROLE regress_invstock_none NOLOGIN;
    END IF;
END
$$;
GRANT invstock_reader TO regress_invstock_r;
GRANT invstock_writer TO regress_invstock_w;
GRANT invstock_admin TO regress_invstock_a;

SELECT :L FROM invstock.inv_adjust('P', 20, 'receipt');
SELECT :L FROM invstock.inv_adjust('P', 5, 'receipt', location => 'store');
SELECT sku, reorder_point FROM invstock.inv_configure('P', reorder_point => 30);
SELECT max(id) AS setup_movements FROM invstock.movement \gset

------------------------------------------------------------------------------
-- A role with no invstock role can do nothing
------------------------------------------------------------------------------

SET ROLE regress_invstock_none;
SELECT :L FROM invstock.inv_level('P');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM invstock.levels;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM invstock.movement;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------
-- invstock_reader: reads the relations and views, calls inv_level*
------------------------------------------------------------------------------

SET ROLE regress_invstock_r;
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT sku, locations, on_hand, reserved, available, status FROM invstock.sku_totals ORDER BY sku;
SELECT sku, location, available, status FROM invstock.low_stock ORDER BY sku, location;
SELECT sku, location, available, status FROM invstock.out_of_stock ORDER BY sku, location;
SELECT sku, available, reorder_point, suggested_qty FROM invstock.reorder_report ORDER BY sku;
SELECT count(*) AS movements FROM invstock.movement;
SELECT count(*) AS holds FROM invstock.reservation;
SELECT sku, location, on_hand, reserved FROM invstock.stock ORDER BY sku, location;
SELECT sku, track_inventory FROM invstock.sku ORDER BY sku;
SELECT location FROM invstock.location ORDER BY location;
SELECT :L FROM invstock.inv_level('P');
SELECT :L FROM invstock.inv_level_at('P', 'store', now());
-- but not change anything (42501)
SELECT :L FROM invstock.inv_reserve('P', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_release('P');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_reserve_order('R-1', '[{"sku": "P", "qty": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_adjust('P', 1, 'receipt');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync();
\echo :LAST_ERROR_SQLSTATE
UPDATE invstock.stock SET on_hand = on_hand + 1 WHERE sku = 'P';
\echo :LAST_ERROR_SQLSTATE
-- nor read the idempotency records
SELECT count(*) FROM invstock.idempotency;
\echo :LAST_ERROR_SQLSTATE
SELECT current_user;
RESET ROLE;

------------------------------------------------------------------------------
-- invstock_writer: reserve, release, finalize and the _order forms, with no write privilege on any table
------------------------------------------------------------------------------

SET ROLE regress_invstock_w;
SELECT c.relname, has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') AS can_write
  FROM pg_class c
 WHERE c.relnamespace = 'invstock'::regnamespace AND c.relkind = 'r'
 ORDER BY c.relname;
SELECT :L FROM invstock.inv_reserve('P', 3, reference => 'W-1', idempotency_key => 'w-key');
SELECT :L FROM invstock.inv_reserve('P', 3, reference => 'W-1', idempotency_key => 'w-key');
SELECT :L FROM invstock.inv_release('P', 1, reference => 'W-1');
SELECT :L FROM invstock.inv_finalize('P', 1, reference => 'W-1');
SELECT :L FROM invstock.inv_reserve_order('W-2', '[{"sku": "P", "qty": 2}, {"sku": "P", "qty": 1, "location": "store"}]');
SELECT :L FROM invstock.inv_release_order('W-2', reason => 'cancelled');
SELECT :L FROM invstock.inv_reserve_order('W-3', '[{"sku": "P", "qty": 1, "location": "store"}]');
SELECT :L FROM invstock.inv_finalize_order('W-3');
SELECT :L FROM invstock.inv_level('P');
-- the functions give the caller nothing: it is still itself afterwards
SELECT current_user;
-- also after an error inside a function, with a savepoint or an exception block
BEGIN;
SAVEPOINT s;
SELECT :L FROM invstock.inv_reserve('P', 1000);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
SELECT current_user;
COMMIT;
DO $$
BEGIN
    PERFORM invstock.inv_finalize('P', 1000, reference => 'W-1');
EXCEPTION WHEN check_violation THEN
    RAISE NOTICE 'caught %, current_user is %', SQLSTATE, current_user;
END
$$;
SELECT current_user;
-- but not adjust, count, transfer, sync or configure (42501)
SELECT :L FROM invstock.inv_adjust('P', 1, 'receipt');
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_count('P', 20);
\echo :LAST_ERROR_SQLSTATE
SELECT :L FROM invstock.inv_transfer('P', 1, 'main', 'store');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM invstock.inv_sync();
\echo :LAST_ERROR_SQLSTATE
SELECT sku FROM invstock.inv_configure('P', low_stock_threshold => 1);
\echo :LAST_ERROR_SQLSTATE
-- nor write the tables directly
UPDATE invstock.stock SET on_hand = on_hand + 1 WHERE sku = 'P';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.reservation (sku, location, reference, qty) VALUES ('P', 'main', 'forged', 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.movement (sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after)
VALUES ('P', 'main', 'adjust', 100, 0, 100, 0);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------
-- invstock_admin: everything, and direct writes to invstock.stock
------------------------------------------------------------------------------

SET ROLE regress_invstock_a;
SELECT :L FROM invstock.inv_adjust('P', 10, 'receipt');
SELECT sku, location, previous, counted, discrepancy FROM invstock.inv_count('P', 30);
SELECT :L FROM invstock.inv_transfer('P', 4, 'main', 'store');
SELECT sku, reorder_point, reorder_quantity FROM invstock.inv_configure('P', reorder_quantity => 10);
SELECT :L FROM invstock.inv_reserve('P', 2, reference => 'A-1');
SELECT :L FROM invstock.inv_release('P', reference => 'A-1');
SELECT * FROM invstock.inv_sync();
SELECT count(*) AS idempotency_records FROM invstock.idempotency;
-- direct writes to invstock.stock, held to the invariants and recorded
UPDATE invstock.stock SET on_hand = on_hand + 1 WHERE sku = 'P' AND location = 'store';
DELETE FROM invstock.stock WHERE sku = 'P' AND location = 'store';
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('P', 'store', 2);
UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'P' AND location = 'store';
\echo :LAST_ERROR_SQLSTATE
-- but never update or delete a movement, nor write one directly (42501)
UPDATE invstock.movement SET on_hand_delta = 0;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.movement;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE invstock.movement;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO invstock.movement (sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after)
VALUES ('P', 'main', 'adjust', 100, 0, 100, 0);
\echo :LAST_ERROR_SQLSTATE
-- nor write the other tables directly
UPDATE invstock.reservation SET qty = 0;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invstock.idempotency;
\echo :LAST_ERROR_SQLSTATE
SELECT current_user;
RESET ROLE;

------------------------------------------------------------------------------
-- The actor of every movement is the role that caused it
------------------------------------------------------------------------------

SELECT id, location, kind, on_hand_delta, reserved_delta, reference, actor
  FROM invstock.movement WHERE id > :setup_movements ORDER BY id;
SELECT :L FROM invstock.levels ORDER BY sku, location;
SELECT * FROM invstock.inv_sync(repair => false);

-- clean up the test roles
DROP OWNED BY regress_invstock_r, regress_invstock_w, regress_invstock_a, regress_invstock_none;
DROP ROLE regress_invstock_r, regress_invstock_w, regress_invstock_a, regress_invstock_none;
