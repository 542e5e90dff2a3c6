-- a DBA's direct UPDATE of invstock.stock: on_hand + 1, now and then - 1
\set sku random(1, 4)
\set loc random(1, 3)
\set delta (case when random(1, 3) = 1 then -1 else 1 end)
SELECT stress.try_direct(:sku, :loc, :delta);
