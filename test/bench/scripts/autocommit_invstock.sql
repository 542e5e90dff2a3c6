-- autocommit / invstock_autocommit: invstock.inv_reserve on a random SKU of
-- 10,000 alone, one autocommit statement per transaction (no order line),
-- a new unique reference per call.
\set n random(1, 10000)
\set r random(1, 1000000000000)
SELECT * FROM invstock.inv_reserve('SKU-' || lpad(:n::text, 5, '0'), 1, reference => 'o-' || :run::text || '-' || :client_id::text || '-' || :r::text);
