-- inv_transfer between two of the three locations, in both directions
\set sku random(1, 4)
\set src (case when random(1, 8) = 1 then 4 else random(1, 3) end)
\set dst (case when random(1, 8) = 1 then 4 else random(1, 3) end)
\set qty random(1, 4)
\set kid (case when random(1, 100) <= 25 then random(1, 12) else 0 end)
\set kbad (case when random(1, 100) <= 6 then random(1, 2) else 0 end)
SELECT stress.try_transfer(:sku, :src, :dst, :qty, :kid, :kbad);
