-- test/stress/setup.sql: the starting state of the invstock stress test
--
-- A fresh extension with 4 SKUs at 3 locations (one SKU allows backorders),
-- stock received with inv_adjust, and schema "stress": one wrapper function
-- per mutating call (stress.try_*) that the pgbench scripts call.
--
-- Each wrapper makes exactly one invstock call and catches exactly the
-- refusals the contract expects from a random mix of calls:
--   23514  not enough stock available / held / on hand (raised by invstock,
--          not by a table CHECK constraint),
--   P0002  no open hold (of a reference, or anonymous), or no stock row yet
--          at the annex location (a location created during the run),
--   23505  idempotency key already used with another operation or arguments.
-- Anything else (40P01 deadlock, XX000, a constraint of invstock's own
-- tables, a P0002 "unknown SKU" ...) is re-raised unchanged, so pgbench
-- reports a failed transaction (deadlock) or aborts the client.
--
-- Every call appends its outcome to the unlogged table stress.calls:
--   ok           applied
--   replay       a call with an idempotency key that applied nothing because
--                the key was already committed (the stored result came back)
--   refused      23514 from the function's own checks (or, for a direct
--                UPDATE, from the stock_guard trigger)
--   refused_by_trigger  23514 raised by stock_guard during a function call
--                (the function missed its own check; allowed by the contract,
--                reported separately)
--   no_hold      P0002 no open hold
--   no_row       P0002 no stock row yet at the current annex location
--   key_conflict 23505 idempotency key reused with other arguments
-- inv_sync rows seen during the run are kept in stress.sync_problem.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS stress CASCADE;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
CREATE SCHEMA stress;

------------------------------------------------------------------------------
-- The pools: SKUs, locations, references
------------------------------------------------------------------------------

-- 1..4; 'preorder' allows backorders.  Byte order (the lock order) differs
-- from the numbering on purpose.
CREATE FUNCTION stress.sku(i int) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
RETURN (ARRAY['widget', 'gadget', 'preorder', 'gizmo'])[i];

-- 1..3; 0 = NULL, the default location ('main'); 4 = an annex that changes
-- every 5 seconds, so stock rows (and locations) keep being created on first
-- use by concurrent calls during the whole run.  'annex-*' sorts before the
-- other locations: a call creating it takes that row first in lock order.
CREATE FUNCTION stress.loc(i int) RETURNS text
LANGUAGE sql VOLATILE STRICT
RETURN CASE WHEN i = 4
            THEN 'annex-' || floor(extract(epoch FROM clock_timestamp()) / 5)::bigint
            ELSE (ARRAY['west', 'main', 'east'])[NULLIF(i, 0)] END;

-- 1..8; 0 = NULL, the anonymous hold
CREATE FUNCTION stress.ref(i int) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
RETURN CASE WHEN i > 0 THEN 'order-' || i END;

-- ttl in milliseconds; 0 = none
CREATE FUNCTION stress.ttl(ms int) RETURNS interval
LANGUAGE sql IMMUTABLE STRICT
RETURN CASE WHEN ms > 0 THEN make_interval(secs => ms / 1000.0) END;

-- An idempotency key from a small pool that changes every second, so that
-- replays and concurrent same-key calls keep happening during the whole run.
-- kbad = 2 takes the key from a pool shared by every operation (different
-- operation: 23505).
CREATE FUNCTION stress.key(op text, kid int, kbad int) RETURNS text
LANGUAGE sql VOLATILE STRICT
RETURN CASE WHEN kid > 0 THEN
    format('%s/%s/%s', CASE WHEN kbad = 2 THEN 'any' ELSE op END, kid,
           floor(extract(epoch FROM clock_timestamp()))::bigint)
END;

------------------------------------------------------------------------------
-- Outcomes
------------------------------------------------------------------------------

CREATE UNLOGGED TABLE stress.calls (
    op      text NOT NULL,
    outcome text NOT NULL
);

CREATE UNLOGGED TABLE stress.sync_problem (
    at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    scope    text,
    sku      text,
    location text,
    problem  text,
    expected bigint,
    actual   bigint,
    repaired boolean
);

-- The outcome of an expected refusal, NULL for any other error
CREATE FUNCTION stress.refusal(state text, msg text, cons text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE
    WHEN state = '23514' AND coalesce(cons, '') = ''
         AND msg ~ '^(not enough (stock available|units held|stock on hand) |adjustment would leave fewer units on hand than reserved |count of SKU ".*" at location ".*" is below its reserved units$)'
        THEN 'refused'
    WHEN state = '23514' AND coalesce(cons, '') = ''
         AND msg ~ '^(on_hand|reserved) of SKU ".*" at location ".*" cannot (be negative|exceed on_hand)$'
        THEN 'refused_by_trigger'
    WHEN state = 'P0002'
         AND msg ~ '^no open (hold for reference ".*" of SKU|anonymous hold of SKU|holds for reference ")'
        THEN 'no_hold'
    WHEN state = 'P0002'
         AND msg ~ '^SKU ".*" has no stock at location "annex-[0-9]+"$'
        THEN 'no_row'
    WHEN state = '23505' AND coalesce(cons, '') = ''
         AND msg ~ '^idempotency key ".*" was already used with a different operation or arguments$'
        THEN 'key_conflict'
    -- inv_configure changed the slots of a hot SKU while a settle waited
    WHEN state = '40001'
         AND msg ~ '^could not settle the holds of reference ".*" of SKU ".*" at location ".*"$'
        THEN 'retry'
END;

-- Record a successful call: 'replay' if it carried a key that this
-- transaction did not claim (the claim's created_at is the claimer's now())
CREATE FUNCTION stress.done(p_op text, p_key text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_outcome text := 'ok';
BEGIN
    IF p_key IS NOT NULL AND NOT EXISTS (
            SELECT FROM invstock.idempotency
             WHERE idempotency_key = p_key AND created_at = now()) THEN
        v_outcome := 'replay';
    END IF;
    INSERT INTO stress.calls VALUES (p_op, v_outcome);
    RETURN v_outcome;
END
$$;

-- Record an error: an expected refusal, or re-raise (see the callers)
CREATE FUNCTION stress.refused(p_op text, p_state text, p_msg text, p_cons text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_outcome text := stress.refusal(p_state, p_msg, p_cons);
BEGIN
    IF v_outcome IS NOT NULL THEN
        IF p_op IN ('direct_update', 'configure') AND v_outcome = 'refused_by_trigger' THEN
            -- the trigger is the check of a direct write, and of turning
            -- backorders off while a row holds more than it has on hand
            v_outcome := 'refused';
        END IF;
        INSERT INTO stress.calls VALUES (p_op, v_outcome);
    END IF;
    RETURN v_outcome;
END
$$;

------------------------------------------------------------------------------
-- One wrapper per mutating call.  Integer arguments come from pgbench \set;
-- kid > 0 makes a keyed call whose arguments follow from kid (so that two
-- calls with one key are the same request), kbad = 1 changes one argument
-- (same key, other arguments), kbad = 2 takes a key shared by all operations.
------------------------------------------------------------------------------

CREATE FUNCTION stress.try_reserve(p_sku int, p_loc int, p_ref int, p_qty int,
                                   p_ttl_ms int, p_kid int, p_kbad int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_key text := stress.key('reserve', p_kid, p_kbad);
    st text; msg text; cons text; v_outcome text;
BEGIN
    IF v_key IS NOT NULL THEN
        p_sku := 1 + p_kid % 4;
        p_loc := p_kid % 4;                     -- 0: default location
        p_ref := p_kid % 9;                     -- 0: anonymous hold
        p_qty := 1 + p_kid % 2 + (p_kbad = 1)::int;
        p_ttl_ms := CASE WHEN p_kid % 3 = 0 THEN 400 ELSE 0 END;
    END IF;
    BEGIN
        PERFORM invstock.inv_reserve(stress.sku(p_sku), p_qty, stress.loc(p_loc),
                                     stress.ref(p_ref), stress.ttl(p_ttl_ms), v_key,
                                     CASE WHEN p_qty = 3 THEN 'stress' END);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('reserve', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('reserve', v_key);
END
$$;

-- p_qty 0 = NULL (all of the hold)
CREATE FUNCTION stress.try_release(p_sku int, p_loc int, p_ref int, p_qty int,
                                   p_kid int, p_kbad int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_key text := stress.key('release', p_kid, p_kbad);
    st text; msg text; cons text; v_outcome text;
BEGIN
    IF v_key IS NOT NULL THEN
        p_sku := 1 + p_kid % 4;
        p_loc := p_kid % 4;
        p_ref := p_kid % 9;
        p_qty := 1 + (p_kbad = 1)::int;
    END IF;
    BEGIN
        PERFORM invstock.inv_release(stress.sku(p_sku), NULLIF(p_qty, 0)::bigint,
                                     stress.loc(p_loc), stress.ref(p_ref),
                                     CASE WHEN p_qty = 1 THEN 'customer cancelled' END, v_key);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('release', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('release', v_key);
END
$$;

-- p_qty 0 = NULL (all of the hold)
CREATE FUNCTION stress.try_finalize(p_sku int, p_loc int, p_ref int, p_qty int,
                                    p_kid int, p_kbad int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_key text := stress.key('finalize', p_kid, p_kbad);
    st text; msg text; cons text; v_outcome text;
BEGIN
    IF v_key IS NOT NULL THEN
        p_sku := 1 + p_kid % 4;
        p_loc := p_kid % 4;
        p_ref := p_kid % 9;
        p_qty := 1 + (p_kbad = 1)::int;
    END IF;
    BEGIN
        PERFORM invstock.inv_finalize(stress.sku(p_sku), NULLIF(p_qty, 0)::bigint,
                                      stress.loc(p_loc), stress.ref(p_ref), v_key);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('finalize', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('finalize', v_key);
END
$$;

CREATE FUNCTION stress.try_adjust(p_sku int, p_loc int, p_delta int,
                                  p_kid int, p_kbad int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_key text := stress.key('adjust', p_kid, p_kbad);
    st text; msg text; cons text; v_outcome text;
BEGIN
    IF v_key IS NOT NULL THEN
        p_sku := 1 + p_kid % 4;
        p_loc := p_kid % 4;
        p_delta := CASE WHEN p_kid % 2 = 0 THEN 3 ELSE -1 END + (p_kbad = 1)::int;
    END IF;
    BEGIN
        PERFORM invstock.inv_adjust(stress.sku(p_sku), p_delta,
                                    CASE WHEN p_delta >= 0 THEN 'stress receipt' ELSE 'stress damage' END,
                                    stress.loc(p_loc),
                                    CASE WHEN p_delta > 3 THEN 'po-' || p_delta END, v_key,
                                    CASE WHEN p_delta < -2 THEN 'auditor' END);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('adjust', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('adjust', v_key);
END
$$;

CREATE FUNCTION stress.try_count(p_sku int, p_loc int, p_counted int,
                                 p_kid int, p_kbad int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_key text := stress.key('count', p_kid, p_kbad);
    st text; msg text; cons text; v_outcome text;
BEGIN
    IF v_key IS NOT NULL THEN
        p_sku := 1 + p_kid % 4;
        p_loc := p_kid % 4;
        p_counted := 30 + p_kid + (p_kbad = 1)::int;
    END IF;
    BEGIN
        PERFORM invstock.inv_count(stress.sku(p_sku), p_counted, stress.loc(p_loc),
                                   CASE WHEN p_counted % 2 = 0 THEN 'counter' END,
                                   CASE WHEN p_counted % 3 = 0 THEN 'cycle count' END, v_key);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('count', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('count', v_key);
END
$$;

-- p_from, p_to: 1..3; equal locations are made different
CREATE FUNCTION stress.try_transfer(p_sku int, p_from int, p_to int, p_qty int,
                                    p_kid int, p_kbad int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_key text := stress.key('transfer', p_kid, p_kbad);
    st text; msg text; cons text; v_outcome text;
BEGIN
    IF v_key IS NOT NULL THEN
        p_sku := 1 + p_kid % 4;
        p_from := 1 + p_kid % 3;
        p_to := 1 + (p_kid / 3) % 3;
        p_qty := 1 + (p_kbad = 1)::int;
    END IF;
    IF p_from = p_to THEN
        p_to := 1 + p_from % 3;
    END IF;
    BEGIN
        PERFORM invstock.inv_transfer(stress.sku(p_sku), p_qty, stress.loc(p_from),
                                      stress.loc(p_to),
                                      CASE WHEN p_qty > 2 THEN 'rebalance' END, v_key);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('transfer', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('transfer', v_key);
END
$$;

-- Up to 3 lines (p_n = 2 or 3) in the order given: random, so the lines
-- rarely come in lock order; the same (sku, location) may appear twice.
-- A line location 0 is JSON null (the default location).
CREATE FUNCTION stress.try_reserve_order(p_ref int, p_n int,
                                         s1 int, l1 int, q1 int,
                                         s2 int, l2 int, q2 int,
                                         s3 int, l3 int, q3 int,
                                         p_ttl_ms int, p_kid int, p_kbad int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_key text := stress.key('reserve_order', p_kid, p_kbad);
    v_lines jsonb;
    st text; msg text; cons text; v_outcome text;
BEGIN
    IF v_key IS NOT NULL THEN
        p_ref := 1 + p_kid % 8;
        p_n := 2 + p_kid % 2;
        s1 := 1 + p_kid % 4;        l1 := p_kid % 4;        q1 := 1;
        s2 := 1 + (p_kid + 3) % 4;  l2 := (p_kid + 1) % 4;  q2 := 1 + (p_kbad = 1)::int;
        s3 := 1 + (p_kid + 1) % 4;  l3 := 1 + p_kid % 3;    q3 := 2;
        p_ttl_ms := CASE WHEN p_kid % 3 = 1 THEN 300 ELSE 0 END;
    END IF;
    v_lines := jsonb_build_array(
        jsonb_build_object('sku', stress.sku(s1), 'qty', q1, 'location', stress.loc(l1)),
        jsonb_build_object('sku', stress.sku(s2), 'qty', q2, 'location', stress.loc(l2)));
    IF p_n >= 3 THEN
        v_lines := v_lines || jsonb_build_array(
            jsonb_build_object('sku', stress.sku(s3), 'qty', q3, 'location', stress.loc(l3)));
    END IF;
    BEGIN
        PERFORM invstock.inv_reserve_order(stress.ref(p_ref), v_lines,
                                           stress.ttl(p_ttl_ms), v_key);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('reserve_order', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('reserve_order', v_key);
END
$$;

-- p_ref 1..8 (an order reference is required)
CREATE FUNCTION stress.try_release_order(p_ref int, p_kid int, p_kbad int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_key text := stress.key('release_order', p_kid, p_kbad);
    v_reason text := CASE WHEN p_ref % 2 = 0 THEN 'order cancelled' END;
    st text; msg text; cons text; v_outcome text;
BEGIN
    IF v_key IS NOT NULL THEN
        p_ref := 1 + p_kid % 8;
        v_reason := CASE WHEN p_kbad = 1 THEN 'other reason' END;
    END IF;
    BEGIN
        PERFORM invstock.inv_release_order(stress.ref(p_ref), v_reason, v_key);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('release_order', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('release_order', v_key);
END
$$;

CREATE FUNCTION stress.try_finalize_order(p_ref int, p_kid int, p_kbad int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_key text := stress.key('finalize_order', p_kid, p_kbad);
    st text; msg text; cons text; v_outcome text;
BEGIN
    IF v_key IS NOT NULL THEN
        p_ref := 1 + p_kid % 8;
        IF p_kbad = 1 THEN
            v_key := stress.key('finalize_order', p_kid, 0);
            p_ref := 1 + (p_kid + 1) % 8;       -- same key, other reference
        END IF;
    END IF;
    BEGIN
        PERFORM invstock.inv_finalize_order(stress.ref(p_ref), v_key);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('finalize_order', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('finalize_order', v_key);
END
$$;

-- p_sku / p_loc 0 = NULL (all); p_repair 0/1.  Any row returned while the
-- other clients run is an inconsistency seen under the row locks: it is kept
-- in stress.sync_problem (check.sql counts it) and the call still counts.
CREATE FUNCTION stress.try_sync(p_sku int, p_loc int, p_repair int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_sku text := CASE WHEN p_sku > 0 THEN stress.sku(p_sku) END;
    v_loc text := CASE WHEN p_loc > 0 THEN stress.loc(p_loc) END;
    v_n bigint;
BEGIN
    INSERT INTO stress.sync_problem (scope, sku, location, problem, expected, actual, repaired)
    SELECT format('sku=%s location=%s repair=%s', coalesce(v_sku, 'all'),
                  coalesce(v_loc, 'all'), p_repair = 1),
           p.sku, p.location, p.problem, p.expected, p.actual, p.repaired
      FROM invstock.inv_sync(v_sku, v_loc, repair => p_repair = 1) p;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    INSERT INTO stress.calls VALUES ('sync', CASE WHEN v_n = 0 THEN 'ok' ELSE 'problems' END);
    RETURN CASE WHEN v_n = 0 THEN 'ok' ELSE 'problems' END;
END
$$;

-- A DBA's direct write: on_hand +1 (a unit found) or -1 (a unit lost; the
-- stock_guard trigger refuses it with 23514 when it would break I1/I2)
CREATE FUNCTION stress.try_direct(p_sku int, p_loc int, p_delta int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; cons text; v_outcome text;
BEGIN
    BEGIN
        UPDATE invstock.stock SET on_hand = on_hand + p_delta
         WHERE sku = stress.sku(p_sku) AND location = coalesce(stress.loc(p_loc), 'main')
           AND slot = 0;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('direct_update', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('direct_update', NULL);
END
$$;

-- inv_configure: p_bo 0 leaves allow_backorder alone; for 'preorder' (3),
-- 1 turns backorders off (refused with 23514 while a row holds more than it
-- has on hand) and 2 turns them back on.  The other SKUs keep theirs (off)
-- and get a new threshold / reorder rule.  'preorder' and 'gizmo' are hot
-- SKUs whose number of slots changes (1 to 4) while everything else runs.
CREATE FUNCTION stress.try_configure(p_sku int, p_bo int, p_threshold int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; cons text; v_outcome text;
BEGIN
    BEGIN
        PERFORM invstock.inv_configure(stress.sku(p_sku),
                                       allow_backorder => CASE WHEN p_sku = 3 AND p_bo > 0 THEN p_bo = 2 END,
                                       low_stock_threshold => p_threshold,
                                       reorder_point => CASE WHEN p_threshold % 2 = 0 THEN p_threshold END,
                                       reorder_quantity => CASE WHEN p_threshold % 4 = 0 THEN 20 END,
                                       slots => CASE WHEN p_sku >= 3 THEN 1 + p_threshold % 4 END);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME;
        v_outcome := stress.refused('configure', st, msg, cons);
        IF v_outcome IS NULL THEN RAISE; END IF;
        RETURN v_outcome;
    END;
    RETURN stress.done('configure', NULL);
END
$$;

------------------------------------------------------------------------------
-- Starting stock
------------------------------------------------------------------------------

SELECT invstock.inv_configure('preorder', allow_backorder => true, slots => 2) IS NOT NULL AS configured;
SELECT invstock.inv_configure('gizmo', slots => 3) IS NOT NULL AS configured;

SELECT count(*) AS rows_received
  FROM generate_series(1, 4) s, generate_series(1, 3) l,
       LATERAL invstock.inv_adjust(stress.sku(s), CASE WHEN s = 3 THEN 5 ELSE 40 END,
                                   'initial receipt', stress.loc(l)) a;

SELECT sku, location, on_hand, reserved, status FROM invstock.levels ORDER BY 1, 2;
