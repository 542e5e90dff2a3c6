-- postgrest: every function called exactly as PostgREST v12 calls it, through its LOGIN role `authenticator` (invstock.http_errors = on set on that role): JSON in, JSON out, the HTTP status of each error, the JWT sub as actor, readers READ ONLY, no overloaded inv_* name
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS invstock CASCADE;
CREATE EXTENSION invstock;
RESET client_min_messages;
-- PostgREST sends message, detail and hint, never the CONTEXT (which names
-- invstock's internal statements)
\set SHOW_CONTEXT never

------------------------------------------------------------------------------
-- Roles, as in docs/postgrest.md (roles are global: created if absent)
--   authenticator  LOGIN NOINHERIT, the role PostgREST connects as (db-uri)
--   web_anon       requests without a JWT (db-anon-role): invstock_reader
--   web_user       JWTs with "role": "web_user": invstock_writer
--   web_admin      JWTs with "role": "web_admin": invstock_admin
------------------------------------------------------------------------------

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator LOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_anon') THEN
        CREATE ROLE web_anon NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_user') THEN
        CREATE ROLE web_user NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_admin') THEN
        CREATE ROLE web_admin NOLOGIN;
    END IF;
END
$$;
ALTER ROLE authenticator WITH LOGIN NOINHERIT PASSWORD 'invstock-postgrest-test';
GRANT invstock_reader TO web_anon;
GRANT invstock_writer TO web_user;
GRANT invstock_admin TO web_admin;
GRANT web_anon, web_user, web_admin TO authenticator;
ALTER ROLE authenticator SET invstock.http_errors = on;
SELECT r.rolname, r.rolcanlogin, r.rolinherit,
       pg_has_role(r.oid, 'invstock_reader', 'USAGE') AS reader,
       pg_has_role(r.oid, 'invstock_writer', 'USAGE') AS writer,
       pg_has_role(r.oid, 'invstock_admin', 'USAGE') AS admin,
       pg_has_role('authenticator', r.oid, 'MEMBER') AS authenticator_may_switch
  FROM pg_roles r
 WHERE r.rolname IN ('authenticator', 'web_anon', 'web_user', 'web_admin')
 ORDER BY r.rolname;
SELECT unnest(s.setconfig) AS authenticator_settings
  FROM pg_db_role_setting s
 WHERE s.setrole = 'authenticator'::regrole AND s.setdatabase = 0;

------------------------------------------------------------------------------
-- No inv_* name is overloaded (PostgREST picks a function by name and JSON
-- keys and answers 300 PGRST203 when two candidates match), and every
-- argument has a name (PostgREST passes arguments by name only)
------------------------------------------------------------------------------

SELECT p.proname, count(*) AS functions,
       bool_and(p.pronargs = 0 OR (p.proargnames IS NOT NULL AND '' <> ALL (p.proargnames))) AS all_args_named,
       min(p.provolatile) AS volatility
  FROM pg_proc p
 WHERE p.pronamespace = 'invstock'::regnamespace AND p.proname LIKE 'inv\_%'
 GROUP BY p.proname
 ORDER BY p.proname;
SELECT p.proname AS overloaded
  FROM pg_proc p
 WHERE p.pronamespace = 'invstock'::regnamespace
 GROUP BY p.proname
HAVING count(*) > 1;

-- who we are now, before logging in as authenticator
SELECT current_user AS superuser \gset

------------------------------------------------------------------------------
-- Log in as authenticator, for real (password, over TCP), as PostgREST does
------------------------------------------------------------------------------

\c -reuse-previous=on 'user=authenticator password=invstock-postgrest-test'
SELECT session_user, current_user;
-- the setting of the login role is in force from the start of the session
SHOW invstock.http_errors;
-- authenticator itself holds nothing (NOINHERIT): it must switch to a role
SELECT has_function_privilege(p.oid, 'EXECUTE') AS authenticator_can_execute
  FROM pg_proc p WHERE p.pronamespace = 'invstock'::regnamespace AND p.proname = 'inv_level';

------------------------------------------------------------------------------
-- The PostgREST v12 request, rebuilt from its source (Query.hs,
-- Query/QueryBuilder.hs, Query/SqlFragment.hs, Query/Statements.hs):
--   BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE      (READ ONLY for GET,
--         and for POST to a STABLE or IMMUTABLE function)
--   select set_config('search_path', ...), set_config('role', <JWT role>),
--          set_config('request.jwt.claims', <claims>), set_config('request.method', ...),
--          set_config('request.path', ...), set_config('request.headers', ...),
--          set_config('request.cookies', ...)
--   WITH pgrst_source AS (... json_to_record($1) ... LATERAL "invstock"."fn"("arg" := pgrst_body."arg", ...))
--   SELECT ..., json_agg(_postgrest_t) ... AS body, ... FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t
--   COMMIT (ROLLBACK on error)
-- Only the keys of the JSON body (or of the query string, for GET) are
-- passed, by name, in the function's parameter order; the others take
-- their DEFAULT. pgrst_request() builds the statement from the catalog as
-- PostgREST's schema cache does; the :post and :get macros run the request.
------------------------------------------------------------------------------

CREATE FUNCTION pg_temp.pgrst_request(method text, fn text, req text, jwt text,
    OUT label text, OUT mode text, OUT role text, OUT claims text, OUT authed boolean,
    OUT path text, OUT payload text, OUT query text)
LANGUAGE plpgsql AS $$
DECLARE
    p record;
    n integer;
    keys text[];
    cols text;
    typed text;
    args text;
    callq text;
BEGIN
    authed := coalesce(jwt, '') <> '';
    -- PostgREST adds "role" to the claims; no JWT: the anonymous role
    claims := CASE WHEN authed THEN jwt ELSE '{"role":"web_anon"}' END;
    role := claims::json->>'role';
    path := '/rpc/' || fn;
    IF method = 'GET' THEN
        -- the query string becomes a JSON object of strings
        SELECT coalesce(json_object_agg(split_part(kv, '=', 1), substr(kv, strpos(kv, '=') + 1)), '{}')::text
          INTO payload
          FROM regexp_split_to_table(req, '&') AS kv
         WHERE kv <> '';
    ELSE
        payload := req;
    END IF;
    SELECT array_agg(k) INTO keys FROM json_object_keys(payload::json) AS k;

    SELECT count(*) INTO n FROM pg_proc WHERE pronamespace = 'invstock'::regnamespace AND proname = fn;
    IF n <> 1 THEN
        RAISE EXCEPTION '% functions invstock.%: PostgREST cannot choose (PGRST203)', n, fn;
    END IF;
    SELECT pr.proargnames, pr.proargtypes, pr.pronargs, pr.pronargdefaults, pr.proretset, pr.provolatile
      INTO p
      FROM pg_proc pr
     WHERE pr.pronamespace = 'invstock'::regnamespace AND pr.proname = fn;
    -- PostgREST finds the function by name and keys: every key a parameter,
    -- every parameter without a DEFAULT present; else 404 PGRST202
    IF EXISTS (SELECT FROM unnest(keys) k WHERE k <> ALL (p.proargnames))
       OR EXISTS (SELECT FROM unnest(p.proargnames) WITH ORDINALITY AS a(name, idx)
                   WHERE a.idx <= p.pronargs - p.pronargdefaults AND a.name <> ALL (coalesce(keys, '{}')))
    THEN
        RAISE EXCEPTION 'PostgREST: could not find the function invstock.%(%) (PGRST202)',
            fn, array_to_string(keys, ', ');
    END IF;

    mode := CASE WHEN method = 'GET' OR p.provolatile <> 'v' THEN 'READ ONLY' ELSE 'READ WRITE' END;

    SELECT string_agg(format('"%s"', a.name), ', ' ORDER BY a.idx),
           string_agg(format('"%s" %s', a.name, a.type::regtype::text), ', ' ORDER BY a.idx),
           string_agg(format('"%s" := pgrst_body."%s"', a.name, a.name), ', ' ORDER BY a.idx)
      INTO cols, typed, args
      FROM unnest(p.proargnames, p.proargtypes) WITH ORDINALITY AS a(name, type, idx)
     WHERE a.name = ANY (keys);

    IF args IS NULL THEN
        callq := format('SELECT "pgrst_call".* FROM "invstock"."%s"() pgrst_call', fn);
    ELSE
        callq := format('SELECT "pgrst_call".* FROM (SELECT $1 AS json_data) pgrst_payload, '
                        'LATERAL (SELECT %s FROM json_to_record(pgrst_payload.json_data) AS _(%s) LIMIT 1) pgrst_body , '
                        'LATERAL "invstock"."%s"(%s) pgrst_call', cols, typed, fn, args);
    END IF;
    query := format('WITH pgrst_source AS (%s) '
                    'SELECT null::bigint AS total_result_set, %s AS page_total, %s AS body, '
                    'nullif(current_setting(''response.headers'', true), '''') AS response_headers, '
                    'nullif(current_setting(''response.status'', true), '''') AS response_status, '
                    ''''' AS response_inserted '
                    'FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t',
                    callq,
                    CASE WHEN p.proretset THEN 'pg_catalog.count(_postgrest_t)' ELSE '1' END,
                    CASE WHEN p.proretset THEN 'coalesce(json_agg(_postgrest_t), ''[]'')'
                         ELSE 'coalesce(json_agg(_postgrest_t)->0, ''null'')' END);

    label := method || ' ' || path
             || CASE WHEN method <> 'GET' THEN ' ' || req WHEN req <> '' THEN '?' || req ELSE '' END
             || '   [' || CASE WHEN authed THEN 'JWT role ' || role || coalesce(', sub ' || (claims::json->>'sub'), '')
                               ELSE 'no JWT: ' || role END
             || ', ' || mode || ']';
END
$$;

-- The HTTP status PostgREST v12 answers for a SQLSTATE (Error.hs,
-- pgErrorStatus; the cases that can occur here)
CREATE FUNCTION pg_temp.pgrst_status(sqlstate text, authed boolean) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN sqlstate ~ '^PT[0-9]{3}$' THEN substr(sqlstate, 3)::integer  -- PTnnn: HTTP nnn
        WHEN sqlstate IN ('23503', '23505') THEN 409
        WHEN sqlstate = '25006' THEN 405                                  -- read-only transaction
        WHEN sqlstate LIKE '25%' THEN 500
        WHEN sqlstate = '42501' THEN CASE WHEN authed THEN 403 ELSE 401 END
        WHEN sqlstate IN ('42883', '42P01') THEN 404
        WHEN sqlstate = 'P0001' THEN 400
        WHEN sqlstate LIKE 'P0%' OR sqlstate LIKE 'XX%' THEN 500
        ELSE 400
    END
$$;

-- What is printed for a response: the SQLSTATE and its HTTP status, or
-- HTTP 200 and the JSON body without its timestamps
CREATE FUNCTION pg_temp.pgrst_response(failed boolean, sqlstate text, authed boolean, body text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN failed THEN sqlstate || ' -> HTTP ' || pg_temp.pgrst_status(sqlstate, authed)
        ELSE 'HTTP 200 ' || regexp_replace(
                 regexp_replace(body, ',"(updated_at|created_at|counted_at)":("[^"]*"|null)', '', 'g'),
                 E', \n ', E',\n ', 'g')
    END
$$;

-- the statement PostgREST sends for POST /rpc/inv_reserve {"sku": "LAPTOP-001", "qty": 2, "reference": "ORD-1"}
-- ($1 is the body, sent as a json parameter)
SELECT query FROM pg_temp.pgrst_request('POST', 'inv_reserve', '{"sku": "LAPTOP-001", "qty": 2, "reference": "ORD-1"}', '{"role":"web_user","sub":"alice"}') \gset
\echo :query
-- a SETOF function aggregates all its rows; a body without keys passes no argument
SELECT query FROM pg_temp.pgrst_request('POST', 'inv_sync', '{}', '{"role":"web_admin","sub":"bob"}') \gset
\echo :query

-- One request: :fn, :req (JSON body, or query string for GET), :jwt (the
-- JWT claims; empty: no JWT). Prints the request, then the psql error
-- (message, DETAIL, HINT: PostgREST's "message", "details", "hint") and
-- "SQLSTATE -> HTTP status", or "HTTP 200" and the body.
SELECT $macro$
SELECT * FROM pg_temp.pgrst_request(:'pgrst_method', :'fn', :'req', :'jwt') \gset pgrst_
\echo :pgrst_label \\
BEGIN ISOLATION LEVEL READ COMMITTED :pgrst_mode;
select set_config('search_path', '"invstock", "public"', true), set_config('role', :'pgrst_role', true),
       set_config('request.jwt.claims', :'pgrst_claims', true), set_config('request.method', :'pgrst_method', true),
       set_config('request.path', :'pgrst_path', true), set_config('request.headers', '{"accept":"*/*"}', true),
       set_config('request.cookies', '{}', true) \gset pgrst_set_ \\
PREPARE pgrst(json) AS :pgrst_query;
EXECUTE pgrst(:'pgrst_payload') \gset pgrst_
\set pgrst_failed :ERROR \\
COMMIT;
DEALLOCATE pgrst;
SELECT pg_temp.pgrst_response(:'pgrst_failed', :'LAST_ERROR_SQLSTATE', :'pgrst_authed', :'pgrst_body') AS pgrst_out \gset
\echo :pgrst_out
$macro$ AS pgrst_call \gset
\set post '\\set pgrst_method POST \\\\ :pgrst_call'
\set get '\\set pgrst_method GET \\\\ :pgrst_call'
\set pgrst_body ''

\set anon ''
\set alice '{"role":"web_user","sub":"alice"}'
\set bob '{"role":"web_admin","sub":"bob"}'

------------------------------------------------------------------------------
-- inv_configure (admin)
------------------------------------------------------------------------------

\set fn inv_configure
\set jwt :bob
-- 200: creates the SKUs and sets their policy
\set req '{"sku": "LAPTOP-001", "low_stock_threshold": 3, "reorder_point": 5, "reorder_quantity": 20}'
:post
\set req '{"sku": "MOUSE-01"}'
:post
\set req '{"sku": "BACK-1", "allow_backorder": true}'
:post
-- 400: bad value, NULL sku
\set req '{"sku": "LAPTOP-001", "slots": 0}'
:post
\set req '{"sku": "LAPTOP-001", "low_stock_threshold": -1}'
:post
\set req '{"sku": null, "track_inventory": false}'
:post
-- 403: a writer may not configure (PostgreSQL's own 42501)
\set jwt :alice
\set req '{"sku": "LAPTOP-001", "allow_backorder": true}'
:post
-- 401: nor may a request without a JWT
\set jwt :anon
:post

------------------------------------------------------------------------------
-- inv_adjust (admin)
------------------------------------------------------------------------------

\set fn inv_adjust
\set jwt :bob
-- 200
\set req '{"sku": "LAPTOP-001", "delta": 50, "reason": "received PO-1"}'
:post
\set req '{"sku": "MOUSE-01", "delta": 10, "reason": "received PO-1", "idempotency_key": "po-1-mouse"}'
:post
-- 200: a replay of the same key and body changes nothing, same answer
:post
-- 422: the same key with another body
\set req '{"sku": "MOUSE-01", "delta": 11, "reason": "received PO-1", "idempotency_key": "po-1-mouse"}'
:post
-- 200: an explicit actor wins over the JWT sub
\set req '{"sku": "LAPTOP-001", "delta": -1, "reason": "damaged in store", "actor": "carol"}'
:post
-- 400: reason too short, NULL delta, bigint overflow
\set req '{"sku": "LAPTOP-001", "delta": 1, "reason": "ab"}'
:post
\set req '{"sku": "LAPTOP-001", "delta": null, "reason": "receipt"}'
:post
\set req '{"sku": "LAPTOP-001", "delta": 9223372036854775807, "reason": "overflow"}'
:post
-- 400: a value json_to_record cannot convert (PostgreSQL's own 22P02)
\set req '{"sku": "LAPTOP-001", "delta": "ten", "reason": "receipt"}'
:post
-- 409: more than on hand
\set req '{"sku": "LAPTOP-001", "delta": -1000, "reason": "write-off"}'
:post
-- 403 / 401: writer, no JWT
\set req '{"sku": "LAPTOP-001", "delta": 5, "reason": "receipt"}'
\set jwt :alice
:post
\set jwt :anon
:post

------------------------------------------------------------------------------
-- inv_reserve (writer)
------------------------------------------------------------------------------

\set fn inv_reserve
\set jwt :alice
-- 200
\set req '{"sku": "LAPTOP-001", "qty": 2, "reference": "ORD-1", "ttl": "15 minutes", "notes": "web checkout"}'
:post
\set req '{"sku": "LAPTOP-001", "qty": 1, "reference": "ORD-1", "idempotency_key": "ord-1-add"}'
:post
-- 422: the same key with another body
\set req '{"sku": "LAPTOP-001", "qty": 2, "reference": "ORD-1", "idempotency_key": "ord-1-add"}'
:post
-- 400: negative qty, negative ttl, NULL qty
\set req '{"sku": "LAPTOP-001", "qty": -1}'
:post
\set req '{"sku": "LAPTOP-001", "qty": 1, "ttl": "-1 hour"}'
:post
\set req '{"sku": "LAPTOP-001", "qty": null}'
:post
-- 404: unknown SKU, unknown (sku, location)
\set req '{"sku": "NOPE", "qty": 1}'
:post
\set req '{"sku": "LAPTOP-001", "qty": 1, "location": "nowhere"}'
:post
-- 409: more than available
\set req '{"sku": "LAPTOP-001", "qty": 1000, "reference": "ORD-1"}'
:post
-- 401: no JWT (the anonymous role reads only)
\set jwt :anon
\set req '{"sku": "LAPTOP-001", "qty": 1}'
:post
-- 405: a mutator called with GET runs READ ONLY and fails with 25006
\set jwt :alice
\set req 'sku=LAPTOP-001&qty=1'
:get

------------------------------------------------------------------------------
-- inv_release (writer)
------------------------------------------------------------------------------

\set fn inv_release
-- 200
\set req '{"sku": "LAPTOP-001", "qty": 1, "reference": "ORD-1", "reason": "customer removed one"}'
:post
-- 400: negative qty
\set req '{"sku": "LAPTOP-001", "qty": -1, "reference": "ORD-1"}'
:post
-- 404: no such hold
\set req '{"sku": "LAPTOP-001", "reference": "ORD-404"}'
:post
-- 409: more than held
\set req '{"sku": "LAPTOP-001", "qty": 99, "reference": "ORD-1"}'
:post
-- 422: a key already used by inv_reserve
\set req '{"sku": "LAPTOP-001", "qty": 1, "reference": "ORD-1", "idempotency_key": "ord-1-add"}'
:post

-- 401: no JWT
\set jwt :anon
\set req '{"sku": "LAPTOP-001", "qty": 1, "reference": "ORD-1"}'
:post
\set jwt :alice

------------------------------------------------------------------------------
-- inv_finalize (writer)
------------------------------------------------------------------------------

\set fn inv_finalize
-- 200: all that ORD-1 holds (2)
\set req '{"sku": "LAPTOP-001", "reference": "ORD-1", "idempotency_key": "ord-1-ship"}'
:post
-- 400: empty sku
\set req '{"sku": "", "reference": "ORD-1"}'
:post
-- 404: the hold of ORD-1 is closed
\set req '{"sku": "LAPTOP-001", "reference": "ORD-1"}'
:post
-- 409: more than held (ORD-3 holds 1)
\set fn inv_reserve
\set req '{"sku": "LAPTOP-001", "qty": 1, "reference": "ORD-3"}'
:post
\set fn inv_finalize
\set req '{"sku": "LAPTOP-001", "qty": 5, "reference": "ORD-3"}'
:post
-- 422: the same key with another body
\set req '{"sku": "LAPTOP-001", "qty": 1, "reference": "ORD-3", "idempotency_key": "ord-1-ship"}'
:post

-- 401: no JWT
\set jwt :anon
\set req '{"sku": "LAPTOP-001", "reference": "ORD-3"}'
:post
\set jwt :alice

------------------------------------------------------------------------------
-- inv_count (admin)
------------------------------------------------------------------------------

\set fn inv_count
\set jwt :bob
-- 200: counted_by is the actor; without it, the JWT sub
\set req '{"sku": "LAPTOP-001", "counted": 45, "counted_by": "dave", "notes": "cycle count"}'
:post
\set req '{"sku": "MOUSE-01", "counted": 10, "idempotency_key": "count-mouse"}'
:post
-- 400: negative count
\set req '{"sku": "MOUSE-01", "counted": -1}'
:post
-- 404: unknown SKU
\set req '{"sku": "NOPE", "counted": 1}'
:post
-- 409: below what is held (ORD-3 holds 1)
\set req '{"sku": "LAPTOP-001", "counted": 0}'
:post
-- 422: the same key with another body
\set req '{"sku": "MOUSE-01", "counted": 9, "idempotency_key": "count-mouse"}'
:post
-- 403: a writer may not count
\set jwt :alice
\set req '{"sku": "MOUSE-01", "counted": 10}'
:post

-- 401: no JWT
\set jwt :anon
:post

------------------------------------------------------------------------------
-- inv_transfer (admin; SETOF: a JSON array, source then destination)
------------------------------------------------------------------------------

\set fn inv_transfer
\set jwt :bob
-- 200
\set req '{"sku": "LAPTOP-001", "qty": 5, "from_location": "main", "to_location": "store-1", "reason": "restock store", "idempotency_key": "tr-1"}'
:post
-- 400: negative qty, NULL destination
\set req '{"sku": "LAPTOP-001", "qty": -5, "from_location": "main", "to_location": "store-1"}'
:post
\set req '{"sku": "LAPTOP-001", "qty": 5, "from_location": "main", "to_location": null}'
:post
-- 404: unknown source
\set req '{"sku": "LAPTOP-001", "qty": 5, "from_location": "nowhere", "to_location": "store-1"}'
:post
-- 409: more than available
\set req '{"sku": "LAPTOP-001", "qty": 1000, "from_location": "main", "to_location": "store-1"}'
:post
-- 422: the same key with another body
\set req '{"sku": "LAPTOP-001", "qty": 6, "from_location": "main", "to_location": "store-1", "idempotency_key": "tr-1"}'
:post
-- 403: a writer may not transfer
\set jwt :alice
\set req '{"sku": "LAPTOP-001", "qty": 1, "from_location": "main", "to_location": "store-1"}'
:post

-- 401: no JWT
\set jwt :anon
:post

------------------------------------------------------------------------------
-- inv_reserve_order (writer; lines is a JSON array, passed as jsonb)
------------------------------------------------------------------------------

\set fn inv_reserve_order
\set jwt :alice
-- 200: one level per (sku, location), in (sku, location) order
\set req '{"reference": "ORD-2", "lines": [{"sku": "MOUSE-01", "qty": 2}, {"sku": "LAPTOP-001", "qty": 1, "location": "store-1"}], "ttl": "30 minutes", "idempotency_key": "ord-2"}'
:post
-- 200: replay
:post
-- 422: the same key with other lines
\set req '{"reference": "ORD-2", "lines": [{"sku": "MOUSE-01", "qty": 3}], "idempotency_key": "ord-2"}'
:post
-- 400: a bad line, NULL lines, a qty beyond bigint
\set req '{"reference": "ORD-5", "lines": [{"sku": "MOUSE-01", "quantity": 1}]}'
:post
\set req '{"reference": "ORD-5", "lines": null}'
:post
\set req '{"reference": "ORD-5", "lines": [{"sku": "MOUSE-01", "qty": 99999999999999999999}]}'
:post
-- 404: unknown SKU in a line
\set req '{"reference": "ORD-5", "lines": [{"sku": "MOUSE-01", "qty": 1}, {"sku": "NOPE", "qty": 1}]}'
:post
-- 409: not enough of one line: nothing is held
\set req '{"reference": "ORD-5", "lines": [{"sku": "MOUSE-01", "qty": 1}, {"sku": "LAPTOP-001", "qty": 1000}]}'
:post
-- 200: a backorder SKU may be held with nothing on hand
\set req '{"reference": "ORD-B", "lines": [{"sku": "BACK-1", "qty": 3}]}'
:post

-- 401: no JWT
\set jwt :anon
\set req '{"reference": "ORD-5", "lines": [{"sku": "MOUSE-01", "qty": 1}]}'
:post
\set jwt :alice

------------------------------------------------------------------------------
-- inv_release_order (writer)
------------------------------------------------------------------------------

\set fn inv_release_order
-- 422: a key already used by inv_reserve_order
\set req '{"reference": "ORD-2", "idempotency_key": "ord-2"}'
:post
-- 200
\set req '{"reference": "ORD-2", "reason": "payment failed"}'
:post
-- 400: NULL reference
\set req '{"reference": null}'
:post
-- 404: ORD-2 holds nothing any more
\set req '{"reference": "ORD-2"}'
:post

-- 401: no JWT
\set jwt :anon
\set req '{"reference": "ORD-B"}'
:post
\set jwt :alice

------------------------------------------------------------------------------
-- inv_finalize_order (writer)
------------------------------------------------------------------------------

\set fn inv_reserve_order
\set req '{"reference": "ORD-4", "lines": [{"sku": "MOUSE-01", "qty": 1}, {"sku": "LAPTOP-001", "qty": 2}]}'
:post
\set fn inv_finalize_order
-- 200
\set req '{"reference": "ORD-4", "idempotency_key": "ord-4-ship"}'
:post
-- 400: empty reference
\set req '{"reference": ""}'
:post
-- 404: nothing held for ORD-404
\set req '{"reference": "ORD-404"}'
:post
-- 409: BACK-1 has nothing on hand to ship
\set req '{"reference": "ORD-B"}'
:post
-- 422: the same key for another order
\set req '{"reference": "ORD-3", "idempotency_key": "ord-4-ship"}'
:post

-- 401: no JWT
\set jwt :anon
\set req '{"reference": "ORD-B"}'
:post
\set jwt :alice

-- inv_configure 409: backorders cannot be turned off while BACK-1 holds more than it has
\set fn inv_configure
\set jwt :bob
\set req '{"sku": "BACK-1", "allow_backorder": false}'
:post
-- once the goods arrive, ORD-B ships
\set fn inv_adjust
\set req '{"sku": "BACK-1", "delta": 3, "reason": "received PO-2"}'
:post
\set fn inv_finalize_order
\set jwt :alice
\set req '{"reference": "ORD-B"}'
:post

-- the actor without a sub claim is the role PostgREST switched to (not
-- authenticator); a numeric sub is recorded as text
\set fn inv_adjust
\set req '{"sku": "MOUSE-01", "delta": 1, "reason": "found behind a shelf"}'
\set jwt '{"role":"web_admin"}'
:post
\set jwt '{"role":"web_admin","sub":42}'
:post

------------------------------------------------------------------------------
-- inv_sync (admin; SETOF: an empty array means consistent)
------------------------------------------------------------------------------

\set fn inv_sync
\set jwt :bob
-- 200
\set req '{}'
:post
\set req '{"sku": "LAPTOP-001", "repair": false}'
:post
-- 400: NULL repair
\set req '{"repair": null}'
:post
-- 403: a writer may not sync
\set jwt :alice
\set req '{}'
:post
-- 401: no JWT
\set jwt :anon
:post
-- 405: VOLATILE, so not with GET (READ ONLY)
\set jwt :bob
\set req ''
:get

------------------------------------------------------------------------------
-- inv_level (reader, STABLE: GET, or POST, both READ ONLY)
------------------------------------------------------------------------------

\set fn inv_level
\set jwt :anon
-- 200
\set req 'sku=LAPTOP-001'
:get
\set req 'sku=LAPTOP-001&location=store-1'
:get
\set req '{"sku": "MOUSE-01"}'
:post
-- 200: writers and admins read too
\set jwt :alice
\set req 'sku=BACK-1'
:get
-- 400: empty sku, NULL sku
\set jwt :anon
\set req 'sku='
:get
\set req '{"sku": null}'
:post
-- 404: unknown SKU, unknown (sku, location)
\set req 'sku=NOPE'
:get
\set req 'sku=LAPTOP-001&location=nowhere'
:get

------------------------------------------------------------------------------
-- inv_level_at (reader, STABLE)
------------------------------------------------------------------------------

\set fn inv_level_at
-- 200: now (infinity: after every movement), and before anything happened
\set req 'sku=LAPTOP-001&location=main&at=infinity'
:get
\set req '{"sku": "LAPTOP-001", "location": "main", "at": "2000-01-01T00:00:00Z"}'
:post
-- 200: a NULL location is the default location
\set req '{"sku": "LAPTOP-001", "location": null, "at": "infinity"}'
:post
-- 200: a location without movements: zeros
\set req 'sku=LAPTOP-001&location=nowhere&at=infinity'
:get
-- 400: NULL at; a time PostgreSQL cannot read (its own 22007)
\set req '{"sku": "LAPTOP-001", "location": "main", "at": null}'
:post
\set req 'sku=LAPTOP-001&location=main&at=someday'
:get
-- 404: unknown SKU
\set req 'sku=NOPE&location=main&at=infinity'
:get

------------------------------------------------------------------------------
-- The ledger: the JWT sub is the actor (unless actor/counted_by was given),
-- read as web_anon in a READ ONLY transaction; no failed request left a
-- movement, and the replays left none
------------------------------------------------------------------------------

BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'web_anon', true) AS role;
SELECT row_number() OVER (ORDER BY id) AS n, kind, sku, location, on_hand_delta AS oh, reserved_delta AS res,
       reference, actor, idempotency_key
  FROM invstock.movement
 ORDER BY id;
SELECT actor, count(*) AS movements FROM invstock.movement GROUP BY actor ORDER BY actor;
SELECT sku, location, on_hand, reserved, available, status FROM invstock.levels ORDER BY sku, location;
COMMIT;
SELECT current_user AS after_commit;

------------------------------------------------------------------------------
-- Clean up: the roles are global, the test must run twice
------------------------------------------------------------------------------

DISCARD TEMP;
\c - :superuser
SELECT * FROM invstock.inv_sync(repair => false);
REVOKE web_anon, web_user, web_admin FROM authenticator;
REVOKE invstock_reader FROM web_anon;
REVOKE invstock_writer FROM web_user;
REVOKE invstock_admin FROM web_admin;
DROP OWNED BY authenticator, web_anon, web_user, web_admin;
DROP ROLE authenticator, web_anon, web_user, web_admin;
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname IN ('authenticator', 'web_anon', 'web_user', 'web_admin');
SELECT count(*) AS settings_left FROM pg_db_role_setting s
 WHERE NOT EXISTS (SELECT FROM pg_roles r WHERE r.oid = s.setrole) AND s.setrole <> 0;
