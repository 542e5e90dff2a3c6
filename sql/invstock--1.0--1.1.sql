/* invstock--1.0--1.1.sql: upgrade invstock 1.0 to 1.1 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION invstock UPDATE TO '1.1'" to load this file. \quit

-- 1.1: invstock.open_holds, the open holds with whether they are overdue
-- (expired but not yet released by an operation on their row or inv_sync).

CREATE VIEW invstock.open_holds AS
SELECT r.id,
       r.sku,
       r.location,
       r.reference,
       r.qty,
       r.expires_at,
       (r.expires_at IS NOT NULL AND r.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()) AS overdue,
       r.notes,
       r.created_at,
       r.updated_at
  FROM invstock.reservation r
 WHERE r.status OPERATOR(pg_catalog.=) 'open';
COMMENT ON VIEW invstock.open_holds IS
    'Open holds, with overdue = expired but not yet released (the next operation on the row, or inv_sync, releases it).';

REVOKE ALL ON invstock.open_holds FROM PUBLIC;
GRANT SELECT ON invstock.open_holds TO invstock_reader;
