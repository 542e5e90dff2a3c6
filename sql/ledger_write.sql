-- ledger_write: how a movement reaches invstock.movement.  The trigger
-- inserts it directly (no SPI, no plan), so this checks what that insert
-- must still do like an INSERT statement would: every column, ids from the
-- sequence, NOT NULL, a DBA's BEFORE and AFTER row triggers on the ledger,
-- and a ledger table someone altered (an added column with a default, a
-- dropped column), which falls back to the prepared INSERT.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;

\set L 'sku, location, on_hand, reserved, available, status'
\set M 'sku, location, slot, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, reference, reason, actor, idempotency_key, transfer_id IS NOT NULL AS has_transfer_id, txid = txid_current() AS this_tx, at = now() AS at_now'

-- every column of the movements one transaction writes
BEGIN;
SELECT :L FROM invstock.inv_adjust('LW', 10, 'received', actor => 'dock', idempotency_key => 'lw-1');
SELECT :L FROM invstock.inv_reserve('LW', 3, reference => 'order-1');
SELECT :L FROM invstock.inv_finalize('LW', 2, reference => 'order-1');
SELECT :L FROM invstock.inv_transfer('LW', 4, 'main', 'east', reason => 'rebalance');
SELECT :M FROM invstock.movement WHERE sku = 'LW' ORDER BY id;
COMMIT;
-- ids come from the sequence, in the order the movements were written
SELECT count(*) AS movements, count(DISTINCT id) AS distinct_ids,
       max(id) = (SELECT last_value FROM invstock.movement_id_seq) AS last_id_is_sequence
  FROM invstock.movement;
SELECT bool_and(id > prev) AS ids_increase
  FROM (SELECT id, lag(id, 1, 0::bigint) OVER (ORDER BY at, id) AS prev FROM invstock.movement) m;

-- a rolled-back call leaves no movement (the insert is part of the transaction)
BEGIN;
SELECT :L FROM invstock.inv_reserve('LW', 1, reference => 'order-2');
ROLLBACK;
SELECT count(*) AS movements_of_order_2 FROM invstock.movement WHERE reference = 'order-2';
-- nor does a call that fails after its stock row changed (a subtransaction)
CREATE TEMP TABLE lw_log (id bigint, kind text, fired text);
DO $$
BEGIN
    PERFORM invstock.inv_reserve('LW', 1, reference => 'order-3');
    RAISE EXCEPTION 'give up';
EXCEPTION WHEN raise_exception THEN
    NULL;
END $$;
SELECT count(*) AS movements_of_order_3 FROM invstock.movement WHERE reference = 'order-3';

-- a DBA's row triggers on the ledger fire for every movement written
CREATE FUNCTION pg_temp.lw_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lw_log VALUES (NEW.id, NEW.kind, 'before');
    RETURN NEW;
END $$;
CREATE FUNCTION pg_temp.lw_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lw_log VALUES (NEW.id, NEW.kind, 'after');
    RETURN NULL;
END $$;
CREATE TRIGGER lw_before BEFORE INSERT ON invstock.movement
    FOR EACH ROW EXECUTE FUNCTION pg_temp.lw_before();
CREATE TRIGGER lw_after AFTER INSERT ON invstock.movement
    FOR EACH ROW EXECUTE FUNCTION pg_temp.lw_after();
SELECT :L FROM invstock.inv_reserve('LW', 1, reference => 'order-4');
SELECT :L FROM invstock.inv_release('LW', reference => 'order-4');
SELECT l.kind, l.fired, l.id = m.id AS same_id
  FROM lw_log l JOIN invstock.movement m ON m.id = l.id ORDER BY l.id, l.fired DESC;
-- a BEFORE trigger's error aborts the call, with nothing written
CREATE OR REPLACE FUNCTION pg_temp.lw_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger closed for audit' USING ERRCODE = 'P0001';
END $$;
\set VERBOSITY terse
SELECT :L FROM invstock.inv_reserve('LW', 1, reference => 'order-5');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT :L FROM invstock.inv_level('LW');
SELECT count(*) AS movements_of_order_5 FROM invstock.movement WHERE reference = 'order-5';
DROP TRIGGER lw_before ON invstock.movement;
DROP TRIGGER lw_after ON invstock.movement;

-- a statement trigger with a transition table: the ledger is then written
-- by the INSERT statement, so the trigger sees each movement as its own
-- statement's row
CREATE FUNCTION pg_temp.lw_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lw_log SELECT id, kind, 'statement' FROM new_rows;
    RETURN NULL;
END $$;
CREATE TRIGGER lw_statement AFTER INSERT ON invstock.movement
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.lw_statement();
TRUNCATE lw_log;
SELECT :L FROM invstock.inv_reserve('LW', 1, reference => 'order-8');
SELECT :L FROM invstock.inv_transfer('LW', 1, 'main', 'east', reason => 'shelf');
SELECT l.kind, l.fired, m.reference, m.reason
  FROM lw_log l JOIN invstock.movement m ON m.id = l.id ORDER BY l.id;
DROP TRIGGER lw_statement ON invstock.movement;
SELECT :L FROM invstock.inv_release('LW', reference => 'order-8');
SELECT count(*) AS rows_logged_after_drop FROM lw_log;

-- a column added to the ledger: movements get its default (prepared INSERT)
ALTER TABLE invstock.movement ADD COLUMN site text NOT NULL DEFAULT 'hq';
SELECT :L FROM invstock.inv_reserve('LW', 1, reference => 'order-6');
SELECT kind, reference, site FROM invstock.movement WHERE reference = 'order-6';
-- ... without a default, NOT NULL refuses the movement and so the call
ALTER TABLE invstock.movement ALTER COLUMN site DROP DEFAULT;
\set VERBOSITY terse
SELECT :L FROM invstock.inv_reserve('LW', 1, reference => 'order-7');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT count(*) AS movements_of_order_7 FROM invstock.movement WHERE reference = 'order-7';
-- a dropped column: the direct insert again, skipping it
ALTER TABLE invstock.movement DROP COLUMN site;
SELECT :L FROM invstock.inv_release('LW', reference => 'order-6');
SELECT sku, location, slot, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, reference, actor
  FROM invstock.movement WHERE reference = 'order-6' ORDER BY id;

-- an ON INSERT rule on the ledger: movements are then written by the INSERT
-- statement, which the rewriter applies the rule to
CREATE TABLE lw_rule_log (kind text, reference text);
CREATE RULE lw_audit AS ON INSERT TO invstock.movement
    DO ALSO INSERT INTO lw_rule_log VALUES (NEW.kind, NEW.reference);
SELECT :L FROM invstock.inv_reserve('LW', 1, reference => 'order-10');
SELECT * FROM lw_rule_log;
-- ... and the direct insert again once it is dropped
DROP RULE lw_audit ON invstock.movement;
SELECT :L FROM invstock.inv_release('LW', reference => 'order-10');
SELECT count(*) AS rule_rows FROM lw_rule_log;
SELECT kind, reference FROM invstock.movement WHERE reference = 'order-10' ORDER BY id;

-- a direct write by a DBA is recorded the same way (kind direct)
UPDATE invstock.stock SET on_hand = on_hand + 5 WHERE sku = 'LW' AND location = 'main';
SELECT sku, location, kind, on_hand_delta, reserved_delta, on_hand_after, actor = current_user AS actor_is_me
  FROM invstock.movement WHERE sku = 'LW' ORDER BY id DESC LIMIT 1;

-- the invariants at the end
SELECT * FROM invstock.inv_sync(repair => false);
SELECT s.sku, s.location, s.on_hand, s.reserved,
       (SELECT sum(on_hand_delta) FROM invstock.movement m WHERE m.sku = s.sku AND m.location = s.location) AS ledger_on_hand,
       (SELECT sum(reserved_delta) FROM invstock.movement m WHERE m.sku = s.sku AND m.location = s.location) AS ledger_reserved
  FROM invstock.stock s ORDER BY 1, 2;

-- the id column given another default: movements take their ids from it
CREATE SEQUENCE lw_other_ids START 900000;
ALTER TABLE invstock.movement ALTER COLUMN id SET DEFAULT pg_catalog.nextval('lw_other_ids');
SELECT :L FROM invstock.inv_reserve('LW', 1, reference => 'order-11');
SELECT kind, id >= 900000 AS from_other_ids FROM invstock.movement WHERE reference = 'order-11';
-- ... and from the ledger's own sequence once the default is back
ALTER TABLE invstock.movement ALTER COLUMN id SET DEFAULT pg_catalog.nextval('invstock.movement_id_seq'::regclass);
SELECT :L FROM invstock.inv_release('LW', reference => 'order-11');
SELECT kind, id >= 900000 AS from_other_ids FROM invstock.movement WHERE reference = 'order-11' ORDER BY id;
