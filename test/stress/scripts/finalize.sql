-- inv_finalize: qty 0 means NULL (the whole hold)
\set sku random(1, 4)
\set loc (case when random(1, 10) = 1 then 4 else random(0, 3) end)
\set ref random(0, 8)
\set qty random(0, 3)
\set kid (case when random(1, 100) <= 25 then random(1, 12) else 0 end)
\set kbad (case when random(1, 100) <= 6 then random(1, 2) else 0 end)
SELECT stress.try_finalize(:sku, :loc, :ref, :qty, :kid, :kbad);
