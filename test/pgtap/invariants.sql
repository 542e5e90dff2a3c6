-- invariants.sql: the invariants I1-I7 of SPEC section 2, proven against every writer (each inv_* function, direct INSERT/UPDATE/DELETE of invstock.stock, expiry, inv_sync) and after a long deterministic random sequence of 500 mixed calls.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;

SELECT plan(248);

------------------------------------------------------------------------------
-- Helpers: one temp view per invariant, listing what breaks it
------------------------------------------------------------------------------
-- I1: negative on_hand or reserved (tracked SKUs)
CREATE TEMP VIEW i1_broken AS
SELECT s.sku, s.location, s.slot, s.on_hand, s.reserved
  FROM invstock.stock s JOIN invstock.sku p USING (sku)
 WHERE p.track_inventory AND (s.on_hand < 0 OR s.reserved < 0);

-- I2: reserved > on_hand without backorders
CREATE TEMP VIEW i2_broken AS
SELECT s.sku, s.location, s.on_hand, s.reserved
  FROM (SELECT sku, location, sum(on_hand) on_hand, sum(reserved) reserved
          FROM invstock.stock GROUP BY sku, location) s
  JOIN invstock.sku p USING (sku)
 WHERE p.track_inventory AND NOT p.allow_backorder AND s.reserved > s.on_hand;

-- I3: reserved of a (sku, location) <> sum of its open holds
CREATE TEMP VIEW i3_broken AS
SELECT sku, location, coalesce(s.reserved, 0) AS reserved, coalesce(h.held, 0) AS held
  FROM (SELECT sku, location, sum(reserved) reserved FROM invstock.stock GROUP BY sku, location) s
  FULL JOIN (SELECT sku, location, sum(qty) held FROM invstock.reservation
              WHERE status = 'open' GROUP BY sku, location) h USING (sku, location)
  JOIN invstock.sku p USING (sku)
 WHERE p.track_inventory AND coalesce(s.reserved, 0) <> coalesce(h.held, 0);

-- I4: on_hand/reserved of a (sku, location) <> sums of its movement deltas
CREATE TEMP VIEW i4_broken AS
SELECT sku, location, s.on_hand, s.reserved, m.on_hand_sum, m.reserved_sum
  FROM (SELECT sku, location, sum(on_hand) on_hand, sum(reserved) reserved FROM invstock.stock GROUP BY sku, location) s
  FULL JOIN (SELECT sku, location, sum(on_hand_delta) on_hand_sum, sum(reserved_delta) reserved_sum
               FROM invstock.movement GROUP BY sku, location) m USING (sku, location)
  JOIN invstock.sku p USING (sku)
 WHERE p.track_inventory
   AND (coalesce(s.on_hand, 0) <> coalesce(m.on_hand_sum, 0) OR coalesce(s.reserved, 0) <> coalesce(m.reserved_sum, 0));

-- every movement's *_after equals the running sum of the deltas of its stock row
CREATE TEMP VIEW chain_broken AS
SELECT id, sku, location, on_hand_after, oh, reserved_after, rs
  FROM (SELECT m.*, sum(on_hand_delta) OVER w AS oh, sum(reserved_delta) OVER w AS rs
          FROM invstock.movement m
        WINDOW w AS (PARTITION BY sku, location, slot ORDER BY id)) x
 WHERE on_hand_after <> oh OR reserved_after <> rs;

CREATE TEMP VIEW ledger_md5 AS
SELECT md5(coalesce(string_agg(m::text, '|' ORDER BY id), '')) AS h, count(*) AS n FROM invstock.movement m;

-- err(sql, field): run sql, return the SQLSTATE (or message/hint) of its error, NULL if none
CREATE FUNCTION pg_temp.err(sql text, field text DEFAULT 'sqlstate') RETURNS text LANGUAGE plpgsql AS $f$
DECLARE st text; msg text; hnt text;
BEGIN
    EXECUTE sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hnt = PG_EXCEPTION_HINT;
    RETURN CASE field WHEN 'sqlstate' THEN st WHEN 'message' THEN msg ELSE hnt END;
END $f$;

CREATE FUNCTION pg_temp.lvl(p_sku text, p_location text DEFAULT 'main') RETURNS text LANGUAGE sql AS $f$
    SELECT format('%s/%s', on_hand, reserved) FROM invstock.levels WHERE sku = p_sku AND location = p_location
$f$;

------------------------------------------------------------------------------
-- Data for the I1/I2 section
------------------------------------------------------------------------------
DO $$
BEGIN
    PERFORM invstock.inv_adjust('A', 10, 'received');
    PERFORM invstock.inv_reserve('A', 4, reference => 'a1');
    PERFORM invstock.inv_adjust('A2', 5, 'received');
    PERFORM invstock.inv_adjust('Z', 1, 'received', location => 'b');
    PERFORM invstock.inv_configure('B', allow_backorder => true);
    PERFORM invstock.inv_adjust('B', 3, 'received');
END $$;

------------------------------------------------------------------------------
-- I1 / I2 against every function
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT invstock.inv_reserve('A', 7)$$, '23514', NULL, 'I2 inv_reserve: more than available (6) is refused');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('ao', '[{"sku":"A","qty":1},{"sku":"A2","qty":6}]')$$, '23514', NULL,
                 'I2 inv_reserve_order: one line over available refuses the whole order');
SELECT is(pg_temp.lvl('A') || ' ' || pg_temp.lvl('A2'), '10/4 5/0', 'I2 inv_reserve_order is all-or-nothing: the good line was not held');
SELECT throws_ok($$SELECT invstock.inv_release('A', 5, reference => 'a1')$$, '23514', NULL, 'I1 inv_release: more than held (reserved would go below the hold)');
SELECT throws_ok($$SELECT invstock.inv_finalize('A', 5, reference => 'a1')$$, '23514', NULL, 'I1 inv_finalize: more than held');
SELECT throws_ok($$SELECT invstock.inv_adjust('A', -11, 'damaged')$$, '23514', NULL, 'I1 inv_adjust: on_hand below 0');
SELECT throws_ok($$SELECT invstock.inv_adjust('A', -7, 'damaged')$$, '23514', NULL, 'I2 inv_adjust: on_hand below reserved');
SELECT matches(pg_temp.err($$SELECT invstock.inv_adjust('A', -7, 'damaged')$$, 'hint'), '[Rr]elease',
               'I2 inv_adjust below reserved: the hint says to release holds');
SELECT throws_ok($$SELECT invstock.inv_count('A', 3)$$, '23514', NULL, 'I2 inv_count: a count below reserved');
SELECT throws_ok($$SELECT invstock.inv_count('A', -1)$$, '22023', NULL, 'I1 inv_count: a negative count');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('A', 7, 'main', 'b')$$, '23514', NULL, 'I2 inv_transfer: more than available at the source');
SELECT throws_ok($$SELECT invstock.inv_release('A', -1, reference => 'a1')$$, '22023', NULL, 'I1 inv_release: a negative qty');
SELECT lives_ok($$SELECT invstock.inv_reserve('A', 6, reference => 'a2')$$, 'I2 inv_reserve: exactly the available units is accepted');
SELECT is(pg_temp.lvl('A'), '10/10', 'reserved = on_hand is allowed');
SELECT throws_ok($$SELECT invstock.inv_reserve('A', 1)$$, '23514', NULL, 'I2 inv_reserve: one more unit is refused');
SELECT lives_ok($$SELECT invstock.inv_release('A', reference => 'a2')$$, 'releasing a hold back');
SELECT is(pg_temp.lvl('A'), '10/4', 'I1/I2 function refusals left A at 10/4');

-- backorders: I2 does not apply, I1 still does
SELECT lives_ok($$SELECT invstock.inv_reserve('B', 5, reference => 'b1')$$, 'I2 backorders: reserving beyond on_hand is accepted');
SELECT is(pg_temp.lvl('B'), '3/5', 'backordered: reserved 5 > on_hand 3');
SELECT lives_ok($$SELECT invstock.inv_adjust('B', -2, 'damaged')$$, 'I2 backorders: adjusting below reserved is accepted');
SELECT throws_ok($$SELECT invstock.inv_adjust('B', -2, 'damaged')$$, '23514', NULL, 'I1 backorders: on_hand below 0 is still refused');
SELECT throws_ok($$SELECT invstock.inv_finalize('B', 2, reference => 'b1')$$, '23514', NULL, 'I1 backorders: finalizing more than on hand is refused');
SELECT lives_ok($$SELECT invstock.inv_count('B', 0)$$, 'I2 backorders: a count below reserved is accepted');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('B', 1, 'main', 'b')$$, '23514', NULL, 'I2 backorders: nothing available to transfer');
SELECT throws_ok($$SELECT invstock.inv_configure('B', allow_backorder => false)$$, '23514', NULL, 'I2 inv_configure: backorders cannot be turned off while reserved > on_hand');
SELECT is((SELECT allow_backorder FROM invstock.sku WHERE sku = 'B'), true, 'the refused inv_configure left the policy unchanged');
SELECT lives_ok($$SELECT invstock.inv_adjust('B', 5, 'received')$$, 'receiving the backordered units');
SELECT lives_ok($$SELECT invstock.inv_configure('B', allow_backorder => false)$$, 'now backorders can be turned off');

-- direct writes (the constraint trigger)
SELECT throws_ok($$UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'A'$$, '23514', NULL, 'I1 direct UPDATE: negative on_hand');
SELECT throws_ok($$UPDATE invstock.stock SET reserved = -1 WHERE sku = 'A'$$, '23514', NULL, 'I1 direct UPDATE: negative reserved');
SELECT throws_ok($$UPDATE invstock.stock SET reserved = 11 WHERE sku = 'A'$$, '23514', NULL, 'I2 direct UPDATE: reserved > on_hand');
SELECT throws_ok($$UPDATE invstock.stock SET on_hand = 3 WHERE sku = 'A'$$, '23514', NULL, 'I2 direct UPDATE: on_hand below reserved');
SELECT throws_ok($$UPDATE invstock.stock SET on_hand = on_hand - 5 WHERE sku IN ('A', 'Z')$$, '23514', NULL,
                 'I1 direct multi-row UPDATE: one bad row refuses the statement');
SELECT is(pg_temp.lvl('A') || ' ' || pg_temp.lvl('Z', 'b'), '10/4 1/0', 'the refused multi-row UPDATE changed no row');
SELECT throws_ok($$INSERT INTO invstock.stock (sku, location, on_hand, reserved) VALUES ('A', 'b', -1, 0)$$, '23514', NULL, 'I1 direct INSERT: negative on_hand');
SELECT throws_ok($$INSERT INTO invstock.stock (sku, location, on_hand, reserved) VALUES ('A', 'b', 0, -1)$$, '23514', NULL, 'I1 direct INSERT: negative reserved');
SELECT throws_ok($$INSERT INTO invstock.stock (sku, location, on_hand, reserved) VALUES ('A', 'b', 1, 2)$$, '23514', NULL, 'I2 direct INSERT: reserved > on_hand');
SELECT throws_ok($$UPDATE invstock.stock SET sku = 'A2' WHERE sku = 'Z'$$, '23514', NULL, 'direct UPDATE of a row''s sku is refused');
SELECT throws_ok($$UPDATE invstock.stock SET allow_backorder = true WHERE sku = 'A'$$, '23514', NULL, 'direct UPDATE of the policy copy is refused (would dodge I2)');
SELECT throws_ok($$INSERT INTO invstock.stock (sku, location, on_hand, reserved, allow_backorder) VALUES ('A', 'b', 1, 2, true)$$, '23514', NULL,
                 'direct INSERT with a policy copy that differs from the SKU is refused');
SELECT lives_ok($$UPDATE invstock.stock SET on_hand = 12 WHERE sku = 'A'$$, 'a valid direct UPDATE is accepted');
SELECT is((SELECT (kind, on_hand_delta, reserved_delta, on_hand_after, actor)::text FROM invstock.movement
            WHERE sku = 'A' ORDER BY id DESC LIMIT 1), '(direct,2,0,12,postgres)',
          'a direct UPDATE writes a movement of kind direct with the change');
SELECT throws_ok($$DO $d$ BEGIN UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'Z'; UPDATE invstock.stock SET on_hand = 1 WHERE sku = 'Z'; END $d$ $$, '23514', NULL,
                 'I1 is checked per statement: a later statement of the transaction cannot excuse it');
SET ROLE invstock_admin;
SELECT throws_ok($$UPDATE invstock.stock SET reserved = on_hand + 1 WHERE sku = 'A'$$, '23514', NULL, 'I2 direct UPDATE by invstock_admin is refused');
SELECT lives_ok($$UPDATE invstock.stock SET on_hand = 10 WHERE sku = 'A'$$, 'invstock_admin can write the stock table directly');
RESET ROLE;
SELECT is((SELECT (kind, on_hand_delta, actor)::text FROM invstock.movement WHERE sku = 'A' ORDER BY id DESC LIMIT 1),
          '(direct,-2,invstock_admin)', 'the direct movement names invstock_admin as actor');
-- the order functions and inv_sync are writers too
DO $$
BEGIN
    PERFORM invstock.inv_configure('BOO', allow_backorder => true);
    PERFORM invstock.inv_adjust('BOO', 1, 'received');
    PERFORM invstock.inv_reserve_order('boo-ord', '[{"sku":"BOO","qty":3}]');
    PERFORM invstock.inv_adjust('S2', 10, 'received');
    PERFORM invstock.inv_reserve('S2', 8, reference => 's2');
END $$;
SELECT throws_ok($$SELECT * FROM invstock.inv_finalize_order('boo-ord')$$, '23514', NULL,
                 'I1 inv_finalize_order: finalizing more than on hand (backordered order) is refused');
SELECT is(pg_temp.lvl('BOO'), '1/3', 'the refused inv_finalize_order changed nothing');
SELECT lives_ok($$SELECT * FROM invstock.inv_release_order('boo-ord')$$, 'inv_release_order of the backordered order');
UPDATE invstock.stock SET on_hand = 5, reserved = 2 WHERE sku = 'S2';
SELECT results_eq($$SELECT problem, expected, actual, repaired FROM invstock.inv_sync('S2')$$,
                  $$VALUES ('holds_reserved', 8::bigint, 2::bigint, false)$$,
                  'I2 inv_sync: reserved is not set to the holds (8) when that would exceed on_hand (5)');
SELECT is(pg_temp.lvl('S2'), '5/2', 'inv_sync left the row within I2');
SELECT throws_ok($$SELECT invstock.inv_release('S2', 6, reference => 's2')$$, '23514', NULL,
                 'I1 inv_release: releasing 6 of a hold of 8 while the row''s reserved is 2 is refused (reserved would be -4)');
UPDATE invstock.stock SET on_hand = 10, reserved = 8 WHERE sku = 'S2';
SELECT is_empty($$SELECT * FROM invstock.inv_sync('S2')$$, 'S2 consistent again after the DBA''s correction');

SELECT is_empty($$SELECT * FROM i1_broken$$, 'I1 holds after every refused and accepted write above');
SELECT is_empty($$SELECT * FROM i2_broken$$, 'I2 holds after every refused and accepted write above');

------------------------------------------------------------------------------
-- I3: reserved = sum of open holds, after every kind of call
------------------------------------------------------------------------------
DO $$
BEGIN
    PERFORM invstock.inv_adjust('H', 100, 'received');
    PERFORM invstock.inv_adjust('H2', 20, 'received');
    PERFORM invstock.inv_adjust('H3', 5, 'received');
    PERFORM invstock.inv_adjust('H4', 5, 'received');
END $$;
SELECT is((SELECT reserved FROM invstock.inv_reserve('H', 5, reference => 'h1')), 5::bigint, 'reserve 5 for h1');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after inv_reserve');
SELECT is((SELECT reserved FROM invstock.inv_reserve('H', 3, reference => 'h1')), 8::bigint, 'reserve 3 more for h1');
SELECT results_eq($$SELECT qty, status FROM invstock.reservation WHERE sku = 'H' AND reference = 'h1'$$,
                  $$VALUES (8::bigint, 'open')$$, 'reserving again for the same reference adds to its one hold');
SELECT is((SELECT reserved FROM invstock.inv_reserve('H', 2)), 10::bigint, 'anonymous hold of 2');
SELECT is((SELECT reserved FROM invstock.inv_reserve('H', 4)), 14::bigint, 'anonymous hold of 4 more');
SELECT results_eq($$SELECT qty FROM invstock.reservation WHERE sku = 'H' AND reference IS NULL AND status = 'open'$$,
                  $$VALUES (6::bigint)$$, 'the anonymous hold is one hold');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after adding to holds');
SELECT is((SELECT reserved FROM invstock.inv_release('H', 3, reference => 'h1')), 11::bigint, 'release 3 of h1');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after a partial release');
SELECT is((SELECT (on_hand, reserved)::text FROM invstock.inv_finalize('H', 2, reference => 'h1')), '(98,9)', 'finalize 2 of h1');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after a partial finalize');
SELECT is((SELECT reserved FROM invstock.inv_release('H', reference => 'h1')), 6::bigint, 'release the rest of h1 (qty NULL)');
SELECT results_eq($$SELECT qty, status, qty_released, qty_finalized, closed_at IS NOT NULL FROM invstock.reservation WHERE sku = 'H' AND reference = 'h1'$$,
                  $$VALUES (0::bigint, 'released', 6::bigint, 2::bigint, true)$$, 'h1 is closed as released, with how many units went each way');
SELECT is((SELECT (on_hand, reserved)::text FROM invstock.inv_finalize('H')), '(92,0)', 'finalize the whole anonymous hold');
SELECT results_eq($$SELECT status, qty_finalized FROM invstock.reservation WHERE sku = 'H' AND reference IS NULL$$,
                  $$VALUES ('finalized', 6::bigint)$$, 'the anonymous hold is closed as finalized');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after closing holds');
SELECT results_eq($$SELECT sku COLLATE "default", reserved FROM invstock.inv_reserve_order('ord1', '[{"sku":"H2","qty":3},{"sku":"H","qty":4},{"sku":"H","qty":1,"location":null}]')$$,
                  $$VALUES ('H', 5::bigint), ('H2', 3::bigint)$$, 'inv_reserve_order sums lines of one (sku, location) and returns levels in lock order');
SELECT results_eq($$SELECT sku COLLATE "default", qty FROM invstock.reservation WHERE reference = 'ord1' AND status = 'open' ORDER BY sku$$,
                  $$VALUES ('H', 5::bigint), ('H2', 3::bigint)$$, 'one hold per (sku, location) of the order');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after inv_reserve_order');
SELECT results_eq($$SELECT sku COLLATE "default", reserved FROM invstock.inv_release_order('ord1')$$,
                  $$VALUES ('H', 0::bigint), ('H2', 0::bigint)$$, 'inv_release_order releases every hold of the order');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after inv_release_order');
SELECT is((SELECT count(*)::int FROM invstock.inv_reserve_order('ord2', '[{"sku":"H","qty":2},{"sku":"H2","qty":2}]')), 2, 'order ord2 held');
SELECT results_eq($$SELECT sku COLLATE "default", on_hand, reserved FROM invstock.inv_finalize_order('ord2')$$,
                  $$VALUES ('H', 90::bigint, 0::bigint), ('H2', 18::bigint, 0::bigint)$$, 'inv_finalize_order takes the goods off on_hand');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after inv_finalize_order');
SELECT lives_ok($$SELECT * FROM invstock.inv_transfer('H', 10, 'main', 'b')$$, 'transfer H main -> b');
SELECT lives_ok($$SELECT invstock.inv_count('H', 80)$$, 'count H');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after inv_transfer and inv_count');

-- expiry
DO $$
BEGIN
    PERFORM invstock.inv_reserve('H', 7, reference => 'e1', ttl => '0.2 seconds');
    PERFORM invstock.inv_reserve('H', 1, reference => 'keep');
    PERFORM invstock.inv_reserve('H2', 18, reference => 'e4', ttl => '0.2 seconds');
    PERFORM invstock.inv_reserve('H', 2, reference => 'e3', ttl => '0.2 seconds');
    PERFORM invstock.inv_reserve_order('ord3', '[{"sku":"H3","qty":1}]', ttl => '0.2 seconds');
    PERFORM invstock.inv_reserve_order('ord4', '[{"sku":"H4","qty":1}]', ttl => '0.2 seconds');
END $$;
SET invstock.reservation_ttl = '0.2 seconds';
SELECT is((SELECT reserved FROM invstock.inv_reserve('H', 3, reference => 'e2')), 13::bigint, 'a hold under invstock.reservation_ttl');
RESET invstock.reservation_ttl;
SELECT ok((SELECT expires_at IS NOT NULL FROM invstock.reservation WHERE reference = 'e2'),
          'invstock.reservation_ttl gives a hold reserved without ttl an expiry');
DO $$ BEGIN PERFORM pg_sleep(0.4); END $$;
SELECT is(pg_temp.lvl('H'), '80/13', 'readers still show the expired holds as reserved');
SELECT throws_ok($$SELECT invstock.inv_release('H', reference => 'e3')$$, 'P0002', NULL, 'releasing an expired hold is P0002 (the hold is gone)');
SELECT throws_ok($$SELECT * FROM invstock.inv_finalize_order('ord3')$$, 'P0002', NULL,
                 'I3: finalize_order of an order whose holds all expired is P0002');
SELECT throws_ok($$SELECT * FROM invstock.inv_release_order('ord4')$$, 'P0002', NULL,
                 'I3: release_order of an order whose holds all expired is P0002');
SELECT is((SELECT reserved FROM invstock.inv_reserve('H2', 18, reference => 'new')), 18::bigint,
          'an expired hold never makes a reservation fail (H2: 18 of 18 were held by an expired hold)');
SELECT results_eq($$SELECT status, qty_expired FROM invstock.reservation WHERE reference = 'e4'$$,
                  $$VALUES ('expired', 18::bigint)$$, 'the expired hold was closed as expired');
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE kind = 'expire' AND reference = 'e4' AND reserved_delta = -18), 1,
          'the expiry wrote one movement of kind expire');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after expiry by the next operation');
SELECT is((SELECT reserved FROM invstock.inv_adjust('H', 1, 'received')), 1::bigint,
          'the next operation on H expires its overdue holds (only "keep" is left)');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after expiry of several holds');
SELECT is_empty($$SELECT status FROM invstock.reservation WHERE reference IN ('e1', 'e2', 'e3') AND status <> 'expired'$$,
                'e1, e2 and e3 are closed as expired');
-- (H2: 18 on hand, all held by 'new': make room for a hold that expires)
DO $$ BEGIN PERFORM invstock.inv_release('H2', 5, reference => 'new'); PERFORM invstock.inv_reserve('H2', 2, reference => 'e6', ttl => '0.2 seconds'); END $$;
DO $$ BEGIN PERFORM pg_sleep(0.4); END $$;
SELECT is_empty($$SELECT * FROM invstock.inv_sync()$$, 'inv_sync reports nothing when expiring holds (housekeeping)');
SELECT results_eq($$SELECT status FROM invstock.reservation WHERE reference = 'e6'$$, $$VALUES ('expired')$$, 'inv_sync expired the overdue hold');
SELECT is(pg_temp.lvl('H2'), '18/13', 'H2 reserved is back to the open hold of "new"');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after expiry by inv_sync');

-- reserving again with a ttl moves the expiry; without one keeps it
DO $$
BEGIN
    PERFORM invstock.inv_adjust('TT', 10, 'received');
    PERFORM invstock.inv_reserve('TT', 1, reference => 'moved', ttl => '0.2 seconds');
    PERFORM invstock.inv_reserve('TT', 1, reference => 'moved', ttl => '1 hour');
    PERFORM invstock.inv_reserve('TT', 1, reference => 'kept', ttl => '0.2 seconds');
    PERFORM invstock.inv_reserve('TT', 1, reference => 'kept');
    PERFORM invstock.inv_adjust('P1', 10, 'received');
    PERFORM invstock.inv_adjust('P2', 10, 'received');
    PERFORM invstock.inv_reserve_order('po', '[{"sku":"P1","qty":2}]', ttl => '0.2 seconds');
    PERFORM invstock.inv_reserve_order('po', '[{"sku":"P2","qty":3}]');
END $$;
DO $$ BEGIN PERFORM pg_sleep(0.4); END $$;
SELECT is((SELECT reserved FROM invstock.inv_adjust('TT', 1, 'received')), 2::bigint,
          'a hold reserved again with a longer ttl did not expire; one reserved again without ttl kept its expiry and expired');
SELECT results_eq($$SELECT reference COLLATE "default", status, qty FROM invstock.reservation WHERE sku = 'TT' ORDER BY reference$$,
                  $$VALUES ('kept', 'expired', 0::bigint), ('moved', 'open', 2::bigint)$$, 'the holds of TT');
SELECT results_eq($$SELECT sku COLLATE "default", on_hand, reserved FROM invstock.inv_finalize_order('po')$$,
                  $$VALUES ('P1', 10::bigint, 0::bigint), ('P2', 7::bigint, 0::bigint)$$,
                  'inv_finalize_order of a partly expired order settles the open holds only');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after a partly expired order');

-- a direct change of reserved may break I3; inv_sync reports and repairs it
UPDATE invstock.stock SET reserved = reserved + 2 WHERE sku = 'H2';
SELECT isnt_empty($$SELECT * FROM i3_broken$$, 'a direct UPDATE of reserved can break I3 (the check sees it)');
SELECT results_eq($$SELECT problem, expected, actual, repaired FROM invstock.inv_sync('H2', repair => false)$$,
                  $$VALUES ('holds_reserved', 13::bigint, 15::bigint, false)$$, 'inv_sync(repair => false) reports holds_reserved');
SELECT results_eq($$SELECT problem, expected, actual, repaired FROM invstock.inv_sync('H2')$$,
                  $$VALUES ('holds_reserved', 13::bigint, 15::bigint, true)$$, 'inv_sync repairs it');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after the repair');
SELECT is_empty($$SELECT * FROM invstock.inv_sync()$$, 'inv_sync finds nothing more');

------------------------------------------------------------------------------
-- I4: direct INSERT, DELETE, restore, bypass + inv_sync
------------------------------------------------------------------------------
DO $$ BEGIN PERFORM invstock.inv_adjust('D', 10, 'received'); PERFORM invstock.inv_adjust('D', 0, 'received', location => 'b'); END $$;
DELETE FROM invstock.stock WHERE sku = 'D' AND location = 'main';
SELECT is((SELECT (kind, on_hand_delta, on_hand_after)::text FROM invstock.movement WHERE sku = 'D' ORDER BY id DESC LIMIT 1),
          '(direct,-10,0)', 'a direct DELETE writes a direct movement taking the row to zero');
SELECT is_empty($$SELECT * FROM i4_broken WHERE sku = 'D'$$, 'I4 after a direct DELETE');
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('D', 'main', 4);
SELECT is((SELECT (kind, on_hand_delta)::text FROM invstock.movement WHERE sku = 'D' ORDER BY id DESC LIMIT 1),
          '(direct,4)', 'a direct INSERT writes a direct movement');
SELECT is_empty($$SELECT * FROM i4_broken WHERE sku = 'D'$$, 'I4 after a direct INSERT');
-- a restore: the row comes back while its movements are already there
SET session_replication_role = replica;
DELETE FROM invstock.stock WHERE sku = 'D' AND location = 'main';
SET session_replication_role = origin;
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE sku = 'D'), 3, 'setup: the row vanished without a movement');
INSERT INTO invstock.stock (sku, location, on_hand) VALUES ('D', 'main', 4);
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE sku = 'D'), 3, 'a restoring INSERT adds nothing to the ledger');
SELECT is_empty($$SELECT * FROM i4_broken WHERE sku = 'D'$$, 'I4 after a restore');
-- bypassing the triggers breaks I4; inv_sync repairs with a sync movement
SET session_replication_role = replica;
UPDATE invstock.stock SET on_hand = 7 WHERE sku = 'D' AND location = 'main';
SET session_replication_role = origin;
SELECT isnt_empty($$SELECT * FROM i4_broken WHERE sku = 'D'$$, 'a write bypassing the triggers breaks I4 (the check sees it)');
SELECT results_eq($$SELECT location COLLATE "default", problem, expected, actual, repaired FROM invstock.inv_sync('D')$$,
                  $$VALUES ('main', 'ledger_on_hand', 4::bigint, 7::bigint, true)$$, 'inv_sync reports ledger_on_hand and repairs it');
SELECT is((SELECT (kind, on_hand_delta, on_hand_after)::text FROM invstock.movement WHERE sku = 'D' ORDER BY id DESC LIMIT 1),
          '(sync,3,7)', 'the repair is a sync movement');
SELECT is_empty($$SELECT * FROM i4_broken WHERE sku = 'D'$$, 'I4 after the repair');

-- a row vanishing behind the triggers' back: orphan hold and orphan ledger, repaired by inv_sync
DO $$ BEGIN PERFORM invstock.inv_adjust('O', 10, 'received'); PERFORM invstock.inv_reserve('O', 4, reference => 'oh'); END $$;
SET session_replication_role = replica;
DELETE FROM invstock.stock WHERE sku = 'O';
SET session_replication_role = origin;
SELECT results_eq($$SELECT problem, expected, actual, repaired FROM invstock.inv_sync('O', repair => false) ORDER BY problem$$,
                  $$VALUES ('ledger_on_hand', 10::bigint, 0::bigint, false), ('ledger_reserved', 4::bigint, 0::bigint, false),
                           ('orphan_hold', 0::bigint, 4::bigint, false)$$,
                  'inv_sync reports the orphan hold and the ledger of the vanished row');
SELECT is((SELECT count(*)::int FROM invstock.inv_sync('O') WHERE repaired), 3, 'inv_sync repairs all three');
SELECT is_empty($$SELECT * FROM invstock.inv_sync('O', repair => false)$$, 'nothing left to repair');
SELECT results_eq($$SELECT status, qty_released FROM invstock.reservation WHERE sku = 'O'$$, $$VALUES ('released', 4::bigint)$$,
                  'the orphan hold was closed as released');
SELECT is_empty($$SELECT * FROM i4_broken WHERE sku = 'O'$$, 'I4 after the orphan repair');
-- TRUNCATE of the stock table (tried in a subtransaction that is rolled back)
CREATE FUNCTION pg_temp.truncate_probe() RETURNS text LANGUAGE plpgsql AS $f$
DECLARE res text;
BEGIN
    BEGIN
        TRUNCATE invstock.stock;
        SELECT CASE WHEN EXISTS (SELECT FROM i3_broken) OR EXISTS (SELECT FROM i4_broken) THEN 'broken' ELSE 'kept' END INTO res;
        RAISE EXCEPTION 'probe:%', res;
    EXCEPTION WHEN OTHERS THEN
        IF SQLERRM LIKE 'probe:%' THEN RETURN substr(SQLERRM, 7); END IF;
        RETURN 'refused ' || SQLSTATE;
    END;
END $f$;
SELECT isnt(pg_temp.truncate_probe(), 'broken', 'TRUNCATE of invstock.stock is refused or recorded: I3 and I4 still hold');
SELECT is((SELECT count(*)::int FROM invstock.stock WHERE sku = 'H'), 2, 'the TRUNCATE probe was rolled back');

------------------------------------------------------------------------------
-- I4: 500 mixed calls (deterministic), refusals caught
------------------------------------------------------------------------------
CREATE TEMP TABLE chaos_log (n serial, op text, outcome text);
CREATE FUNCTION pg_temp.chaos(p_calls int, p_seed float8) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    skus text[] := ARRAY['L1', 'L2', 'L3', 'L4', 'L5', 'L6'];
    locs text[] := ARRAY['main', 'w1', 'w2'];
    refs text[] := ARRAY[NULL, 'c1', 'c2', 'c3', 'c4', 'c5'];
    r float8; op text; s text; l text; l2 text; ref text; q bigint; k int; lines jsonb; n int;
BEGIN
    PERFORM setseed(p_seed);
    FOR i IN 1 .. p_calls LOOP
        r := random();
        s := skus[1 + floor(random() * 6)::int];
        l := locs[1 + floor(random() * 3)::int];
        ref := refs[1 + floor(random() * 6)::int];
        q := floor(random() * 7)::bigint;
        BEGIN
            IF r < 0.15 THEN
                op := 'adjust';
                PERFORM invstock.inv_adjust(s, q * 2 - 5, 'chaos adjust', location => l);
            ELSIF r < 0.30 THEN
                op := 'reserve';
                PERFORM invstock.inv_reserve(s, q, location => l, reference => ref,
                                             ttl => CASE WHEN random() < 0.3 THEN interval '0.1 seconds' END);
            ELSIF r < 0.48 AND random() < 0.7 AND EXISTS (SELECT FROM invstock.reservation WHERE status = 'open' AND sku LIKE 'L%') THEN
                -- settle a hold that exists (part, all, or more than held)
                SELECT h.sku, h.location, h.reference INTO s, l, ref FROM invstock.reservation h
                 WHERE h.status = 'open' AND h.sku LIKE 'L%' ORDER BY h.id
                OFFSET floor(random() * (SELECT count(*) FROM invstock.reservation WHERE status = 'open' AND sku LIKE 'L%'))::int LIMIT 1;
                IF r < 0.39 THEN
                    op := 'release';
                    PERFORM invstock.inv_release(s, CASE WHEN random() < 0.3 THEN NULL ELSE q END, location => l, reference => ref);
                ELSE
                    op := 'finalize';
                    PERFORM invstock.inv_finalize(s, CASE WHEN random() < 0.3 THEN NULL ELSE q END, location => l, reference => ref);
                END IF;
            ELSIF r < 0.39 THEN
                op := 'release';
                PERFORM invstock.inv_release(s, CASE WHEN random() < 0.3 THEN NULL ELSE q END, location => l, reference => ref);
            ELSIF r < 0.48 THEN
                op := 'finalize';
                PERFORM invstock.inv_finalize(s, CASE WHEN random() < 0.3 THEN NULL ELSE q END, location => l, reference => ref);
            ELSIF r < 0.53 THEN
                op := 'count';
                SELECT on_hand INTO q FROM invstock.levels WHERE sku = s AND location = l;
                PERFORM invstock.inv_count(s, greatest(coalesce(q, 0) + floor(random() * 7)::bigint - 3, 0), location => l);
            ELSIF r < 0.62 THEN
                op := 'transfer';
                l2 := locs[1 + floor(random() * 3)::int];
                IF l2 = l THEN l2 := CASE l WHEN 'main' THEN 'w1' ELSE 'main' END; END IF;
                PERFORM invstock.inv_transfer(s, q + 1, l, l2);
            ELSIF r < 0.70 THEN
                op := 'reserve_order';
                n := 1 + floor(random() * 3)::int;
                SELECT jsonb_agg(jsonb_build_object('sku', skus[1 + floor(random() * 6)::int],
                                                    'qty', floor(random() * 4)::int,
                                                    'location', locs[1 + floor(random() * 3)::int]))
                  INTO lines FROM generate_series(1, n);
                PERFORM invstock.inv_reserve_order('co' || (1 + floor(random() * 6)::int), lines,
                                                   ttl => CASE WHEN random() < 0.3 THEN interval '0.1 seconds' END);
            ELSIF r < 0.75 THEN
                op := 'release_order';
                PERFORM invstock.inv_release_order('co' || (1 + floor(random() * 6)::int));
            ELSIF r < 0.80 THEN
                op := 'finalize_order';
                PERFORM invstock.inv_finalize_order('co' || (1 + floor(random() * 6)::int));
            ELSIF r < 0.87 THEN
                op := 'direct_update';
                UPDATE invstock.stock SET on_hand = on_hand + q - 3 WHERE sku = s AND location = l;
            ELSIF r < 0.93 THEN
                op := 'keyed_adjust';
                k := 1 + floor(random() * 8)::int;
                PERFORM invstock.inv_adjust('L1', k, 'chaos keyed', location => l, idempotency_key => 'ck' || k);
            ELSIF r < 0.96 THEN
                op := 'keyed_reserve';
                k := 1 + floor(random() * 4)::int;
                PERFORM invstock.inv_reserve('L2', 1, reference => 'kr' || k, idempotency_key => 'kr' || k);
            ELSE
                op := 'sync';
                IF EXISTS (SELECT FROM invstock.inv_sync(s)) THEN
                    INSERT INTO chaos_log (op, outcome) VALUES ('sync', 'problem');
                    CONTINUE;
                END IF;
            END IF;
            INSERT INTO chaos_log (op, outcome) VALUES (op, 'ok');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO chaos_log (op, outcome) VALUES (op, SQLSTATE);
        END;
    END LOOP;
END $f$;

DO $$
BEGIN
    PERFORM invstock.inv_configure('L5', allow_backorder => true);
    PERFORM invstock.inv_configure('L6', low_stock_threshold => 2);
    FOR i IN 1 .. 6 LOOP
        PERFORM invstock.inv_adjust('L' || i, 40, 'chaos stock');
        PERFORM invstock.inv_adjust('L' || i, 15, 'chaos stock', location => 'w1');
    END LOOP;
END $$;
SELECT pg_temp.chaos(100, 0.11) \g /dev/null
DO $$ BEGIN PERFORM pg_sleep(0.15); END $$;
SELECT pg_temp.chaos(100, 0.22) \g /dev/null
DO $$ BEGIN PERFORM pg_sleep(0.15); END $$;
SELECT pg_temp.chaos(100, 0.33) \g /dev/null
DO $$ BEGIN PERFORM pg_sleep(0.15); END $$;
SELECT pg_temp.chaos(100, 0.44) \g /dev/null
DO $$ BEGIN PERFORM pg_sleep(0.15); END $$;
SELECT pg_temp.chaos(100, 0.55) \g /dev/null

SELECT is((SELECT count(*)::int FROM chaos_log), 500, 'the random sequence made 500 calls');
SELECT is_empty($$SELECT outcome, count(*) FROM chaos_log WHERE outcome NOT IN ('ok', '23514', 'P0002', '23505') GROUP BY outcome$$,
                'every refusal of the random sequence was an expected one (23514, P0002, 23505): no crash, no internal error');
SELECT ok((SELECT count(*) FROM chaos_log WHERE outcome = 'ok') >= 250, 'most calls of the random sequence applied');
SELECT ok((SELECT count(*) FROM chaos_log WHERE outcome = '23514') >= 10, 'the random sequence hit the I1/I2 refusals');
SELECT is_empty($$SELECT op FROM (VALUES ('adjust'), ('reserve'), ('release'), ('finalize'), ('count'), ('transfer'), ('reserve_order'),
                                          ('release_order'), ('finalize_order'), ('direct_update'), ('keyed_adjust'), ('keyed_reserve')) v(op)
                   EXCEPT SELECT op FROM chaos_log WHERE outcome = 'ok'$$,
                'every kind of call applied at least once');
SELECT is_empty($$SELECT kind FROM (VALUES ('adjust'), ('reserve'), ('release'), ('finalize'), ('expire'), ('count'),
                                            ('transfer_out'), ('transfer_in'), ('direct'), ('sync')) v(kind)
                   EXCEPT SELECT kind FROM invstock.movement$$,
                'the ledger holds every kind of movement');
SELECT is_empty($$SELECT * FROM i4_broken$$, 'I4: on_hand and reserved of every (sku, location) equal the sums of their movements');
SELECT is_empty($$SELECT * FROM chain_broken$$, 'I4: every movement''s on_hand_after/reserved_after is the running sum of its row''s deltas');
SELECT is_empty($$SELECT * FROM i1_broken$$, 'I1 after the random sequence');
SELECT is_empty($$SELECT * FROM i2_broken$$, 'I2 after the random sequence');
SELECT is_empty($$SELECT * FROM i3_broken$$, 'I3 after the random sequence');
SELECT is_empty($$SELECT * FROM chaos_log WHERE outcome = 'problem'$$, 'inv_sync found nothing during the random sequence');
SELECT is_empty($$SELECT * FROM invstock.inv_sync(repair => false)$$, 'inv_sync finds nothing after the random sequence');
SELECT is_empty($$SELECT l.sku, l.location FROM invstock.levels l
                   WHERE (invstock.inv_level_at(l.sku, l.location, now())).on_hand IS DISTINCT FROM l.on_hand
                      OR (invstock.inv_level_at(l.sku, l.location, now())).reserved IS DISTINCT FROM l.reserved$$,
                'I4: inv_level_at(now()) from the ledger equals every current level');
SELECT is_empty($$SELECT transfer_id FROM invstock.movement WHERE transfer_id IS NOT NULL GROUP BY transfer_id
                   HAVING count(*) <> 2 OR sum(on_hand_delta) <> 0 OR count(DISTINCT kind) <> 2 OR count(DISTINCT location) <> 2$$,
                'every transfer is one transfer_out and one transfer_in of the same qty sharing a transfer_id');
SELECT is_empty($$SELECT id FROM invstock.movement WHERE on_hand_delta = 0 AND reserved_delta = 0 AND kind <> 'count'$$,
                'no movement without a change, except counts');

------------------------------------------------------------------------------
-- I5: the ledger is append-only, for every role
------------------------------------------------------------------------------
CREATE TEMP TABLE ledger_before AS SELECT * FROM ledger_md5;
SELECT throws_ok($$UPDATE invstock.movement SET on_hand_delta = on_hand_delta + 1 WHERE id = (SELECT max(id) FROM invstock.movement)$$, '42501', NULL,
                 'I5 superuser: UPDATE of a movement is 42501');
SELECT throws_ok($$DELETE FROM invstock.movement WHERE id = (SELECT max(id) FROM invstock.movement)$$, '42501', NULL,
                 'I5 superuser: DELETE of a movement is 42501');
SELECT throws_ok($$TRUNCATE invstock.movement$$, '42501', NULL, 'I5 superuser: TRUNCATE of the ledger is 42501');
SELECT throws_ok($$WITH d AS (DELETE FROM invstock.movement RETURNING 1) SELECT count(*) FROM d$$, '42501', NULL,
                 'I5 superuser: DELETE through a writable CTE is 42501');
SELECT throws_ok($$INSERT INTO invstock.movement SELECT * FROM invstock.movement WHERE id = 1 ON CONFLICT (id) DO UPDATE SET reason = 'x'$$, '42501', NULL,
                 'I5 superuser: INSERT ... ON CONFLICT DO UPDATE of a movement is 42501');
SET ROLE invstock_admin;
SELECT throws_ok($$UPDATE invstock.movement SET reason = 'x'$$, '42501', NULL, 'I5 invstock_admin: UPDATE is 42501');
SELECT throws_ok($$DELETE FROM invstock.movement$$, '42501', NULL, 'I5 invstock_admin: DELETE is 42501');
SELECT throws_ok($$TRUNCATE invstock.movement$$, '42501', NULL, 'I5 invstock_admin: TRUNCATE is 42501');
RESET ROLE;
SET ROLE invstock_writer;
SELECT throws_ok($$DELETE FROM invstock.movement$$, '42501', NULL, 'I5 invstock_writer: DELETE is 42501');
RESET ROLE;
GRANT UPDATE, DELETE, TRUNCATE ON invstock.movement TO invstock_admin;
SET ROLE invstock_admin;
SELECT throws_ok($$UPDATE invstock.movement SET reason = 'x'$$, '42501', NULL, 'I5 invstock_admin granted UPDATE: still 42501');
SELECT throws_ok($$DELETE FROM invstock.movement$$, '42501', NULL, 'I5 invstock_admin granted DELETE: still 42501');
SELECT throws_ok($$TRUNCATE invstock.movement$$, '42501', NULL, 'I5 invstock_admin granted TRUNCATE: still 42501');
RESET ROLE;
REVOKE UPDATE, DELETE, TRUNCATE ON invstock.movement FROM invstock_admin;
SELECT is((SELECT h FROM ledger_md5), (SELECT h FROM ledger_before), 'I5: the ledger is byte for byte what it was');
SELECT is((SELECT n FROM ledger_md5), (SELECT n FROM ledger_before), 'I5: no movement was removed');
SELECT lives_ok($$SELECT invstock.inv_adjust('A', 1, 'received')$$, 'appending still works');
SELECT is((SELECT n FROM ledger_md5), (SELECT n + 1 FROM ledger_before), 'I5: a new change appends one movement');

------------------------------------------------------------------------------
-- I6: a call with an idempotency_key is applied at most once
------------------------------------------------------------------------------
DO $$ BEGIN PERFORM invstock.inv_adjust('I', 100, 'received'); PERFORM invstock.inv_adjust('I', 0, 'received', location => 'w'); END $$;
CREATE TEMP TABLE r_adj AS SELECT * FROM invstock.inv_adjust('I', 5, 'received', idempotency_key => 'i6-adj');
SELECT results_eq($$SELECT * FROM invstock.inv_adjust('I', 5, 'received', idempotency_key => 'i6-adj')$$, $$SELECT * FROM r_adj$$,
                  'I6 inv_adjust: a replay returns the result of the first call');
SELECT results_eq($$SELECT * FROM invstock.inv_adjust('I', 5, 'received', location => 'main', idempotency_key => 'i6-adj')$$, $$SELECT * FROM r_adj$$,
                  'I6 inv_adjust: location NULL and the default location are the same request');
DO $$ BEGIN PERFORM invstock.inv_adjust('I', 1, 'received'); END $$;
SELECT results_eq($$SELECT on_hand FROM invstock.inv_adjust('I', 5, 'received', idempotency_key => 'i6-adj')$$, $$VALUES (105::bigint)$$,
                  'I6 inv_adjust: a replay after other changes still returns the first result');
SELECT is(pg_temp.lvl('I'), '106/0', 'I6 inv_adjust: applied once (100 + 5 + 1)');
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE idempotency_key = 'i6-adj'), 1, 'I6 inv_adjust: one movement carries the key');

CREATE TEMP TABLE r_res AS SELECT * FROM invstock.inv_reserve('I', 10, reference => 'x', idempotency_key => 'i6-res');
SELECT results_eq($$SELECT * FROM invstock.inv_reserve('I', 10, reference => 'x', idempotency_key => 'i6-res')$$, $$SELECT * FROM r_res$$,
                  'I6 inv_reserve: replay returns the first result');
SELECT is((SELECT qty FROM invstock.reservation WHERE reference = 'x' AND status = 'open'), 10::bigint, 'I6 inv_reserve: the hold was added once');
SELECT lives_ok($$SELECT invstock.inv_release('I', 2, reference => 'x', idempotency_key => 'i6-rel')$$, 'release with a key');
SELECT lives_ok($$SELECT invstock.inv_release('I', 2, reference => 'x', idempotency_key => 'i6-rel')$$, 'release replay');
SELECT lives_ok($$SELECT invstock.inv_finalize('I', 3, reference => 'x', idempotency_key => 'i6-fin')$$, 'finalize with a key');
SELECT lives_ok($$SELECT invstock.inv_finalize('I', 3, reference => 'x', idempotency_key => 'i6-fin')$$, 'finalize replay');
SELECT is(pg_temp.lvl('I'), '103/5', 'I6 inv_release/inv_finalize: each applied once (hold 10 - 2 - 3)');
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE idempotency_key IN ('i6-res', 'i6-rel', 'i6-fin')), 3,
          'I6: one movement per keyed reserve, release and finalize');

CREATE TEMP TABLE r_cnt AS SELECT * FROM invstock.inv_count('I', 90, idempotency_key => 'i6-cnt');
DO $$ BEGIN PERFORM invstock.inv_adjust('I', 1, 'received'); END $$;
SELECT results_eq($$SELECT * FROM invstock.inv_count('I', 90, idempotency_key => 'i6-cnt')$$, $$SELECT * FROM r_cnt$$,
                  'I6 inv_count: replay returns the first count result');
SELECT is(pg_temp.lvl('I'), '91/5', 'I6 inv_count: the replay did not set on_hand back to 90');

CREATE TEMP TABLE r_tr AS SELECT * FROM invstock.inv_transfer('I', 4, 'main', 'w', idempotency_key => 'i6-tr');
SELECT results_eq($$SELECT * FROM invstock.inv_transfer('I', 4, 'main', 'w', idempotency_key => 'i6-tr')$$, $$SELECT * FROM r_tr$$,
                  'I6 inv_transfer: replay returns both levels of the first call');
SELECT is(pg_temp.lvl('I') || ' ' || pg_temp.lvl('I', 'w'), '87/5 4/0', 'I6 inv_transfer: moved once');
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE idempotency_key = 'i6-tr'), 2, 'I6 inv_transfer: two movements carry the key');

CREATE TEMP TABLE r_ro AS SELECT * FROM invstock.inv_reserve_order('io1', '[{"sku":"I","qty":2},{"sku":"I","qty":1,"location":"w"}]', idempotency_key => 'i6-ro');
SELECT results_eq($$SELECT * FROM invstock.inv_reserve_order('io1', '[{"sku":"I","qty":2},{"sku":"I","qty":1,"location":"w"}]', idempotency_key => 'i6-ro')$$,
                  $$SELECT * FROM r_ro$$, 'I6 inv_reserve_order: replay returns the first result');
SELECT is((SELECT sum(qty)::int FROM invstock.reservation WHERE reference = 'io1' AND status = 'open'), 3, 'I6 inv_reserve_order: held once');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('io1', '[{"sku":"I","qty":3}]', idempotency_key => 'i6-ro')$$, '23505', NULL,
                 'I6 inv_reserve_order: same key, other lines is 23505');
SELECT lives_ok($$SELECT * FROM invstock.inv_release_order('io1', idempotency_key => 'i6-rlo')$$, 'release_order with a key');
SELECT lives_ok($$SELECT * FROM invstock.inv_release_order('io1', idempotency_key => 'i6-rlo')$$,
                'I6 inv_release_order: a replay succeeds although the order has no open hold any more');
DO $$ BEGIN PERFORM invstock.inv_reserve_order('io2', '[{"sku":"I","qty":2}]'); END $$;
SELECT lives_ok($$SELECT * FROM invstock.inv_finalize_order('io2', idempotency_key => 'i6-fo')$$, 'finalize_order with a key');
SELECT lives_ok($$SELECT * FROM invstock.inv_finalize_order('io2', idempotency_key => 'i6-fo')$$, 'I6 inv_finalize_order: replay succeeds');
SELECT is(pg_temp.lvl('I') || ' ' || pg_temp.lvl('I', 'w'), '85/5 4/0', 'I6 orders: released once, finalized once');
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE idempotency_key IN ('i6-ro', 'i6-rlo', 'i6-fo')), 5,
          'I6 orders: one movement per line per keyed call');

-- a rolled back call does not consume its key; a refused call neither
BEGIN;
DO $$ BEGIN PERFORM invstock.inv_adjust('I', 7, 'received', idempotency_key => 'i6-rb'); END $$;
ROLLBACK;
SELECT is((SELECT on_hand FROM invstock.inv_adjust('I', 7, 'received', idempotency_key => 'i6-rb')), 92::bigint,
          'I6: after a rollback the key applies');
SELECT is((SELECT count(*)::int FROM invstock.movement WHERE idempotency_key = 'i6-rb'), 1, 'I6: once');
SELECT throws_ok($$SELECT invstock.inv_reserve('I', 1000, idempotency_key => 'i6-fail')$$, '23514', NULL, 'a refused call with a key');
DO $$ BEGIN PERFORM invstock.inv_adjust('I', 1000, 'received'); END $$;
SELECT is((SELECT reserved FROM invstock.inv_reserve('I', 1000, idempotency_key => 'i6-fail')), 1005::bigint,
          'I6: the key of a refused call can be used once the call can succeed');
SELECT is((SELECT reserved FROM invstock.inv_reserve('I', 1000, idempotency_key => 'i6-fail')), 1005::bigint,
          'I6: and then it replays');

-- purge after invstock.idempotency_retention: the key can be applied again
SET invstock.idempotency_retention = '0.2 seconds';
DO $$ BEGIN PERFORM pg_sleep(0.3); END $$;
DO $$ BEGIN PERFORM invstock.inv_sync(); END $$;
RESET invstock.idempotency_retention;
SELECT is((SELECT count(*)::int FROM invstock.idempotency WHERE idempotency_key = 'i6-adj'), 0, 'inv_sync purged the old key');
SELECT is((SELECT on_hand FROM invstock.inv_adjust('I', 5, 'received', idempotency_key => 'i6-adj')), 1097::bigint,
          'I6: after the purge the key applies again');

-- two sessions, one key (dblink): exactly one applies, the other waits and replays
CREATE FUNCTION pg_temp.concurrent_key_tests() RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE
    conn text := format('dbname=%s port=%s host=%s', current_database(), current_setting('port'),
                        split_part(current_setting('unix_socket_directories'), ',', 1));
    busy int; got bigint;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS dblink;
        PERFORM dblink_connect('tap_a', conn);
        PERFORM dblink_connect('tap_b', conn);
    EXCEPTION WHEN OTHERS THEN
        RETURN NEXT skip('dblink is not available: ' || SQLERRM, 6);
        RETURN;
    END;
    -- commit case
    PERFORM dblink_exec('tap_a', 'BEGIN');
    PERFORM * FROM dblink('tap_a', $q$SELECT on_hand FROM invstock.inv_adjust('CC', 5, 'received', idempotency_key => 'cc-1')$q$) AS t(x bigint);
    PERFORM dblink_send_query('tap_b', $q$SELECT on_hand FROM invstock.inv_adjust('CC', 5, 'received', idempotency_key => 'cc-1')$q$);
    PERFORM pg_sleep(0.3);
    busy := dblink_is_busy('tap_b');
    PERFORM dblink_exec('tap_a', 'COMMIT');
    SELECT x INTO got FROM dblink_get_result('tap_b') AS t(x bigint);
    PERFORM * FROM dblink_get_result('tap_b') AS t(x bigint);
    RETURN NEXT is(busy, 1, 'I6 concurrent: the second call with the key waits for the first');
    RETURN NEXT is(got, 15::bigint, 'I6 concurrent: after the first commits, the second replays its result');
    RETURN NEXT is((SELECT count(*)::int FROM invstock.movement WHERE idempotency_key = 'cc-1'), 1, 'I6 concurrent: exactly one applied');
    -- rollback case
    PERFORM dblink_exec('tap_a', 'BEGIN');
    PERFORM * FROM dblink('tap_a', $q$SELECT on_hand FROM invstock.inv_adjust('CC', 3, 'received', idempotency_key => 'cc-2')$q$) AS t(x bigint);
    PERFORM dblink_send_query('tap_b', $q$SELECT on_hand FROM invstock.inv_adjust('CC', 3, 'received', idempotency_key => 'cc-2')$q$);
    PERFORM pg_sleep(0.3);
    busy := dblink_is_busy('tap_b');
    PERFORM dblink_exec('tap_a', 'ROLLBACK');
    SELECT x INTO got FROM dblink_get_result('tap_b') AS t(x bigint);
    PERFORM * FROM dblink_get_result('tap_b') AS t(x bigint);
    RETURN NEXT is(busy, 1, 'I6 concurrent: the second call waits for an uncommitted claim');
    RETURN NEXT is(got, 18::bigint, 'I6 concurrent: after the first rolls back, the second applies');
    RETURN NEXT is((SELECT count(*)::int FROM invstock.movement WHERE idempotency_key = 'cc-2'), 1, 'I6 concurrent: exactly one applied after the rollback');
    PERFORM dblink_disconnect('tap_a');
    PERFORM dblink_disconnect('tap_b');
END $f$;
DO $$ BEGIN PERFORM invstock.inv_adjust('CC', 10, 'received'); END $$;
SELECT * FROM pg_temp.concurrent_key_tests();

------------------------------------------------------------------------------
-- I7: every quantity is a bigint; overflow is an error, never a wrap-around
------------------------------------------------------------------------------
SELECT col_type_is('invstock', 'stock', c, 'bigint', 'I7 stock.' || c || ' is bigint')
  FROM unnest(ARRAY['on_hand', 'reserved']::name[]) c;
SELECT col_type_is('invstock', 'movement', c, 'bigint', 'I7 movement.' || c || ' is bigint')
  FROM unnest(ARRAY['on_hand_delta', 'reserved_delta', 'on_hand_after', 'reserved_after']::name[]) c;
SELECT col_type_is('invstock', 'reservation', c, 'bigint', 'I7 reservation.' || c || ' is bigint')
  FROM unnest(ARRAY['qty', 'qty_finalized', 'qty_released', 'qty_expired']::name[]) c;
SELECT col_type_is('invstock', 'level', c, 'bigint', 'I7 level.' || c || ' is bigint')
  FROM unnest(ARRAY['on_hand', 'reserved', 'available']::name[]) c;
SELECT col_type_is('invstock', 'count_result', c, 'bigint', 'I7 count_result.' || c || ' is bigint')
  FROM unnest(ARRAY['previous', 'counted', 'discrepancy', 'on_hand', 'reserved', 'available']::name[]) c;
SELECT col_type_is('invstock', 'sync_problem', c, 'bigint', 'I7 sync_problem.' || c || ' is bigint')
  FROM unnest(ARRAY['expected', 'actual']::name[]) c;
SELECT is_empty(
    $$SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = 'invstock'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
         AND c.relkind IN ('r', 'v', 'c')
         AND a.attname IN ('on_hand', 'reserved', 'available', 'qty', 'qty_finalized', 'qty_released', 'qty_expired',
                           'on_hand_delta', 'reserved_delta', 'on_hand_after', 'reserved_after', 'previous', 'counted',
                           'discrepancy', 'expected', 'actual', 'low_stock_threshold', 'reorder_point',
                           'reorder_quantity', 'suggested_qty')
         AND a.atttypid <> 'bigint'::regtype$$,
    'I7: no quantity column of any invstock table, view or type is other than bigint');
SELECT results_eq(
    $$SELECT p.proname::text COLLATE "default", a.n::text COLLATE "default", format_type(a.t, NULL)
        FROM pg_proc p, unnest(p.proargnames, p.proargtypes::oid[]) a(n, t)
       WHERE p.pronamespace = 'invstock'::regnamespace AND p.proname LIKE 'inv\_%'
         AND a.n IN ('qty', 'delta', 'counted', 'low_stock_threshold', 'reorder_point', 'reorder_quantity')
       ORDER BY 1, 2$$,
    $$VALUES ('inv_adjust', 'delta', 'bigint'), ('inv_configure', 'low_stock_threshold', 'bigint'),
             ('inv_configure', 'reorder_point', 'bigint'), ('inv_configure', 'reorder_quantity', 'bigint'),
             ('inv_count', 'counted', 'bigint'), ('inv_finalize', 'qty', 'bigint'), ('inv_release', 'qty', 'bigint'),
             ('inv_reserve', 'qty', 'bigint'), ('inv_transfer', 'qty', 'bigint')$$,
    'I7: every quantity argument of the functions is bigint');

DO $$
BEGIN
    PERFORM invstock.inv_adjust('MAXA', 9223372036854775807, 'received');
    PERFORM invstock.inv_configure('MAXB', allow_backorder => true);
    PERFORM invstock.inv_reserve('MAXB', 9223372036854775807, reference => 'big');
    PERFORM invstock.inv_configure('MAXC', allow_backorder => true);
    PERFORM invstock.inv_adjust('MAXT', 9223372036854775807, 'received');
    PERFORM invstock.inv_adjust('MAXT', 9223372036854775807, 'received', location => 'w9');
    PERFORM invstock.inv_adjust('MAXT', 0, 'received', location => 'w8');
END $$;
SELECT is(pg_temp.lvl('MAXA'), '9223372036854775807/0', 'I7: the largest bigint is a valid on_hand');
SELECT throws_ok($$SELECT invstock.inv_adjust('MAXA', 1, 'received')$$, '22003', NULL, 'I7 inv_adjust: max + 1 is 22003');
SELECT throws_ok($$UPDATE invstock.stock SET on_hand = on_hand + 1 WHERE sku = 'MAXA'$$, '22003', NULL, 'I7 direct UPDATE: max + 1 is 22003');
SELECT is((SELECT discrepancy FROM invstock.inv_count('MAXA', 0)), -9223372036854775807::bigint, 'I7 inv_count: a discrepancy of -max');
SELECT is((SELECT discrepancy FROM invstock.inv_count('MAXA', 9223372036854775807)), 9223372036854775807::bigint, 'I7 inv_count: a discrepancy of +max');
SELECT throws_ok($$SELECT invstock.inv_adjust('MAXA', 9223372036854775807, 'received')$$, '22003', NULL, 'I7 inv_adjust: max + max is 22003');
SELECT is(pg_temp.lvl('MAXA'), '9223372036854775807/0', 'I7: MAXA did not wrap');
SELECT is((SELECT available FROM invstock.inv_level('MAXB')), -9223372036854775807::bigint, 'I7: available of a backordered max hold is -max');
SELECT throws_ok($$SELECT invstock.inv_reserve('MAXB', 1)$$, '22003', NULL, 'I7 inv_reserve: reserved max + 1 is 22003');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('mo1', '[{"sku":"MAXB","qty":1}]')$$, '22003', NULL, 'I7 inv_reserve_order: reserved max + 1 is 22003');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('mo2', '[{"sku":"MAXC","qty":9223372036854775807},{"sku":"MAXC","qty":1}]')$$, '22003', NULL,
                 'I7 inv_reserve_order: lines summing beyond bigint are 22003');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('mo3', '[{"sku":"MAXC","qty":1e30}]')$$, '22003', NULL, 'I7 inv_reserve_order: a qty of 1e30 is 22003');
SELECT throws_ok($$SELECT * FROM invstock.inv_reserve_order('mo3', '[{"sku":"MAXC","qty":9223372036854775808}]')$$, '22003', NULL, 'I7 inv_reserve_order: a qty of max + 1 is 22003');
SELECT throws_ok($$SELECT * FROM invstock.inv_transfer('MAXT', 1, 'w9', 'main')$$, '22003', NULL, 'I7 inv_transfer: destination max + 1 is 22003');
SELECT is(pg_temp.lvl('MAXB') || ' ' || pg_temp.lvl('MAXT') || ' ' || pg_temp.lvl('MAXT', 'w9'),
          '0/9223372036854775807 9223372036854775807/0 9223372036854775807/0', 'I7: the refused calls wrapped nothing');
SELECT is_empty($$SELECT * FROM invstock.levels WHERE sku = 'MAXC'$$, 'I7: the refused orders created nothing for MAXC');
SELECT lives_ok($$SELECT * FROM invstock.inv_transfer('MAXT', 9223372036854775807, 'w9', 'w8')$$, 'I7: transferring max units works');
SELECT throws_ok($$SELECT on_hand FROM invstock.sku_totals WHERE sku = 'MAXT'$$, '22003', NULL,
                 'I7 sku_totals: a SKU total beyond bigint is 22003, not a wrapped number');
SELECT is_empty($$SELECT * FROM i4_broken WHERE sku LIKE 'MAX%'$$, 'I4 holds for the huge quantities');

-- inv_sync: the repair of a huge drift must not wrap
DO $$ BEGIN PERFORM invstock.inv_adjust('W', 5, 'received'); END $$;
SET session_replication_role = replica;
UPDATE invstock.stock SET on_hand = -1 WHERE sku = 'W';
SET session_replication_role = origin;
SELECT results_eq($$SELECT problem, expected, actual, repaired FROM invstock.inv_sync('W') ORDER BY problem$$,
                  $$VALUES ('ledger_on_hand', 5::bigint, -1::bigint, true), ('negative_on_hand', 0::bigint, -1::bigint, false),
                           ('reserved_exceeds_on_hand', -1::bigint, 0::bigint, false)$$,
                  'inv_sync reports a negative on_hand (never repaired) and brings the ledger to the table');
SET session_replication_role = replica;
UPDATE invstock.stock SET on_hand = 9223372036854775807 WHERE sku = 'W';
SET session_replication_role = origin;
SELECT ok(coalesce(pg_temp.err($$SELECT * FROM invstock.inv_sync('W')$$), 'none') IN ('22003', 'none'),
          'I7 inv_sync: a drift of max - (-1) is refused with 22003 or left unrepaired');
SELECT is_empty($$SELECT id, on_hand_delta FROM invstock.movement WHERE sku = 'W' AND kind = 'sync' AND on_hand_delta < -6$$,
                'I7: inv_sync never writes a wrapped delta');

------------------------------------------------------------------------------
-- Finally: I1-I4 over everything this file did (W is broken on purpose above)
------------------------------------------------------------------------------
SELECT is_empty($$SELECT * FROM i1_broken WHERE sku <> 'W'$$, 'I1 at the end');
SELECT is_empty($$SELECT * FROM i2_broken WHERE sku <> 'W'$$, 'I2 at the end');
SELECT is_empty($$SELECT * FROM i3_broken WHERE sku <> 'W'$$, 'I3 at the end');
SELECT is_empty($$SELECT * FROM i4_broken WHERE sku <> 'W'$$, 'I4 at the end');

SELECT * FROM finish();
