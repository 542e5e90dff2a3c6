-- a DBA's direct UPDATE of invstock.stock: on_hand + 1, now and then - 1
\set sku random(1, 4)
\set loc (case when random(1, 10) = 1 then 4 else random(1, 3) end)
\set delta (case when random(1, 3) = 1 then -1 else 1 end)
SELECT stress.try_direct(:sku, :loc, :delta);
