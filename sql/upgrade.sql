-- upgrade: every older version of invstock, filled with data, updated with
-- ALTER EXTENSION invstock UPDATE, keeps its data, works, and ends with the
-- same objects as a fresh install of the newest version.  New versions are
-- picked up from pg_available_extension_versions: nothing to edit here.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
RESET client_min_messages;

-- What an installed invstock consists of, as comparable text: every member
-- object, every column, function signature and property, view definition,
-- index, trigger (and whether it is enabled ALWAYS) and privilege.
CREATE FUNCTION pg_temp.describe_invstock() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
     WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'invstock' AND d.deptype = 'e'
    UNION ALL
    SELECT format('column %s.%s %s %s default %s', c.relname, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(ad.adbin, ad.adrelid))
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
     WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'invstock') AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('function %s(%s) returns %s %s strict=%s secdef=%s acl=%s',
                  p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                  p.provolatile, p.proisstrict, p.prosecdef, p.proacl)
      FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'invstock')
    UNION ALL
    SELECT format('relation %s kind %s acl %s view %s', c.relname, c.relkind, c.relacl,
                  CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END)
      FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'invstock')
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
     WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'invstock')
    UNION ALL
    SELECT format('constraint %s %s', conname, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'invstock')
    UNION ALL
    SELECT format('trigger %s enabled %s', pg_get_triggerdef(t.oid), t.tgenabled)
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'invstock') AND NOT t.tgisinternal
    UNION ALL
    SELECT format('schema acl %s', nspacl) FROM pg_namespace WHERE nspname = 'invstock'
$$;

-- The columns of every table of the installed version, as {table: [column, ...]}
CREATE FUNCTION pg_temp.table_columns() RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_object_agg(c.relname, (SELECT jsonb_agg(a.attname ORDER BY a.attnum)
                                           FROM pg_attribute a
                                          WHERE a.attrelid = c.oid AND a.attnum > 0
                                            AND NOT a.attisdropped))
      FROM pg_class c
     WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'invstock')
       AND c.relkind = 'r'
$$;

-- The contents of every table, as one hash per table, over the columns
-- named in cols (those of the version before an update: a column added by
-- the update is not a change of the rows)
CREATE FUNCTION pg_temp.table_hashes(cols jsonb) RETURNS TABLE (tbl text, rows bigint, hash text)
LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sku', 'location', 'stock', 'reservation', 'movement', 'idempotency'] LOOP
        tbl := t;
        EXECUTE format('SELECT count(*), md5(coalesce(string_agg(j::text, %L ORDER BY j::text), %L))
                          FROM (SELECT (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(to_jsonb(x)) e
                                         WHERE %L::jsonb ? e.key) AS j
                                  FROM invstock.%I x) s',
                       E'\n', '', cols -> t, t) INTO rows, hash;
        RETURN NEXT;
    END LOOP;
END $$;

-- Fill an installed invstock through the 1.0 API (every later version keeps it)
CREATE FUNCTION pg_temp.fill() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM invstock.inv_adjust('UP-1', 50, 'received', reference => 'PO-1');
    PERFORM invstock.inv_adjust('UP-1', 20, 'received', location => 'east');
    PERFORM invstock.inv_configure('UP-2', allow_backorder => true, reorder_point => 10, reorder_quantity => 30);
    PERFORM invstock.inv_reserve('UP-1', 3, reference => 'ORD-1', idempotency_key => 'up-k1');
    PERFORM invstock.inv_finalize('UP-1', reference => 'ORD-1');
    PERFORM invstock.inv_reserve('UP-1', 4, reference => 'ORD-2', ttl => '1 hour');
    PERFORM invstock.inv_reserve('UP-1', 2, reference => 'ORD-3');
    PERFORM invstock.inv_release('UP-1', 1, reference => 'ORD-3', reason => 'partial cancel');
    PERFORM invstock.inv_reserve('UP-2', 5, reference => 'ORD-4');
    PERFORM invstock.inv_count('UP-1', 41, location => 'main', counted_by => 'ann');
    PERFORM invstock.inv_transfer('UP-1', 5, 'east', 'west', idempotency_key => 'up-k2');
    PERFORM invstock.inv_reserve_order('ORD-5', '[{"sku": "UP-1", "qty": 1}, {"sku": "UP-1", "qty": 1, "location": "west"}]');
END $$;

-- levels whose last_movement_at is not the time of the newest movement of
-- their (sku, location), as the ledger has it (kept on the stock rows since 1.3)
CREATE FUNCTION pg_temp.last_movement_drift() RETURNS TABLE (sku text, location text)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    SELECT l.sku, l.location FROM invstock.levels l
     WHERE l.last_movement_at IS DISTINCT FROM
           (SELECT max(m.at) FROM invstock.movement m WHERE m.sku = l.sku AND m.location = l.location);
END $$;

CREATE TEMP TABLE upgrade_result (from_version text, check_name text, ok boolean, detail text);

DO $$
DECLARE
    newest text := (SELECT default_version FROM pg_available_extensions WHERE name = 'invstock');
    v text;
    before_hashes text;
    after_hashes text;
    before_columns jsonb;
    replayed bigint;
BEGIN
    -- the objects of a fresh install of the newest version
    CREATE EXTENSION invstock;
    CREATE TEMP TABLE fresh_catalog AS SELECT * FROM pg_temp.describe_invstock() AS d(line);
    DROP EXTENSION invstock CASCADE;

    FOR v IN SELECT version FROM pg_available_extension_versions
              WHERE name = 'invstock' AND version <> newest ORDER BY version LOOP
        EXECUTE format('CREATE EXTENSION invstock VERSION %L', v);
        PERFORM pg_temp.fill();
        before_columns := pg_temp.table_columns();
        SELECT string_agg(format('%s %s %s', tbl, rows, hash), ', ' ORDER BY tbl)
          INTO before_hashes FROM pg_temp.table_hashes(before_columns);

        ALTER EXTENSION invstock UPDATE;

        INSERT INTO upgrade_result VALUES
            (v, 'updated to the newest version',
             (SELECT extversion FROM pg_extension WHERE extname = 'invstock') = newest, NULL);
        SELECT string_agg(format('%s %s %s', tbl, rows, hash), ', ' ORDER BY tbl)
          INTO after_hashes FROM pg_temp.table_hashes(before_columns);
        INSERT INTO upgrade_result VALUES (v, 'every row unchanged', before_hashes = after_hashes, NULL);
        INSERT INTO upgrade_result VALUES
            (v, 'same objects as a fresh install',
             NOT EXISTS (SELECT line FROM fresh_catalog EXCEPT SELECT * FROM pg_temp.describe_invstock())
             AND NOT EXISTS (SELECT * FROM pg_temp.describe_invstock() EXCEPT SELECT line FROM fresh_catalog),
             (SELECT string_agg(line, E'\n') FROM (
                 (SELECT '- ' || line AS line FROM fresh_catalog EXCEPT SELECT '- ' || d FROM pg_temp.describe_invstock() d)
                 UNION ALL
                 (SELECT '+ ' || d FROM pg_temp.describe_invstock() d EXCEPT SELECT '+ ' || line FROM fresh_catalog)) x));
        INSERT INTO upgrade_result VALUES
            (v, 'inv_sync finds nothing', NOT EXISTS (SELECT FROM invstock.inv_sync(repair => false)), NULL);
        INSERT INTO upgrade_result VALUES
            (v, 'last_movement_at as the ledger says', NOT EXISTS (SELECT FROM pg_temp.last_movement_drift()), NULL);

        -- behaviour after the update: the API works and keys replay
        SELECT count(*) INTO replayed FROM invstock.movement;
        PERFORM invstock.inv_reserve('UP-1', 3, reference => 'ORD-1', idempotency_key => 'up-k1');
        INSERT INTO upgrade_result VALUES
            (v, 'an old idempotency key replays', replayed = (SELECT count(*) FROM invstock.movement), NULL);
        PERFORM invstock.inv_reserve('UP-1', 1, reference => 'ORD-6');
        PERFORM invstock.inv_finalize_order('ORD-5');
        PERFORM invstock.inv_adjust('UP-3', 5, 'received after the update');
        INSERT INTO upgrade_result VALUES
            (v, 'new calls continue the ledger',
             (SELECT count(*) FROM invstock.movement) = replayed + 4
             AND (SELECT max(id) FROM invstock.movement) = replayed + 4, NULL);
        INSERT INTO upgrade_result VALUES
            (v, 'inv_sync still finds nothing', NOT EXISTS (SELECT FROM invstock.inv_sync(repair => false)), NULL);
        INSERT INTO upgrade_result VALUES
            (v, 'last_movement_at still as the ledger says', NOT EXISTS (SELECT FROM pg_temp.last_movement_drift()), NULL);

        DROP EXTENSION invstock CASCADE;
    END LOOP;
END $$;

-- one line per older version and check; every ok must be true
SELECT from_version, check_name, ok, detail FROM upgrade_result ORDER BY from_version, check_name;
SELECT count(*) > 0 AS some_version_was_upgraded, bool_and(ok) AS all_ok FROM upgrade_result;

-- The objects of the newest version, line by line: an upgrade script (or an
-- install script) that changes any of them changes this output.  (While the
-- newest version is installed as 1.0 + upgrade scripts, "same objects as a
-- fresh install" compares the upgrade path with itself; this list is what
-- pins the result.)
SELECT line FROM fresh_catalog ORDER BY line COLLATE "C";

-- 1.1's improvement: invstock.open_holds
CREATE EXTENSION invstock;
SELECT extversion FROM pg_extension WHERE extname = 'invstock';
SELECT 1 FROM invstock.inv_adjust('OH', 10, 'received');
SELECT 1 FROM invstock.inv_reserve('OH', 2, reference => 'A', ttl => '1 hour');
SELECT 1 FROM invstock.inv_reserve('OH', 3, reference => 'B');
SELECT 1 FROM invstock.inv_reserve('OH', 1, reference => 'C', ttl => '1 hour');
UPDATE invstock.reservation SET expires_at = now() - interval '1 minute' WHERE reference = 'C';
SELECT 1 FROM invstock.inv_finalize('OH', reference => 'A');
SELECT sku, location, reference, qty, expires_at IS NOT NULL AS expires, overdue
  FROM invstock.open_holds ORDER BY reference;
SELECT has_table_privilege('invstock_reader', 'invstock.open_holds', 'SELECT') AS reader_can_read,
       has_table_privilege('public', 'invstock.open_holds', 'SELECT') AS public_can_read;
DROP EXTENSION invstock CASCADE;

-- 1.2's improvement: hot-SKU slots.  A slot count stored under 1.1 (which
-- kept one row regardless) is put in place by the update; until then the
-- new library reads every (sku, location) as one slot.
CREATE EXTENSION invstock VERSION '1.1';
SELECT 1 FROM invstock.inv_adjust('UPS', 20, 'received');
SELECT 1 FROM invstock.inv_adjust('UPS', 8, 'received', location => 'east');
SELECT 1 FROM invstock.inv_reserve('UPS', 3, reference => 'u1', ttl => '1 hour');
SELECT sku, slots FROM invstock.inv_configure('UPS', slots => 4);
SELECT location, count(*) AS stock_rows FROM invstock.stock WHERE sku = 'UPS' GROUP BY location ORDER BY location;
ALTER EXTENSION invstock UPDATE TO '1.2';
SELECT location, count(*) AS stock_rows, min(slots) AS slots, sum(on_hand) AS on_hand, sum(reserved) AS reserved,
       bool_and(on_hand >= reserved) AS each_slot_covered
  FROM invstock.stock WHERE sku = 'UPS' GROUP BY location ORDER BY location;
SELECT * FROM invstock.inv_sync(repair => false);
SELECT sku, location, on_hand, reserved, available FROM invstock.inv_reserve('UPS', 2, reference => 'u2');
SELECT sku, location, on_hand, reserved, available FROM invstock.inv_finalize('UPS', reference => 'u1');
SELECT * FROM invstock.inv_sync(repair => false);
