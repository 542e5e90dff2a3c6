-- inv_reserve_order: 2 or 3 lines in random order (lock ordering), the same
-- (sku, location) sometimes twice, sometimes a short ttl or a key
\set ref random(1, 8)
\set n random(2, 3)
\set s1 random(1, 4)
\set l1 (case when random(1, 10) = 1 then 4 else random(0, 3) end)
\set q1 random(1, 2)
\set s2 random(1, 4)
\set l2 (case when random(1, 10) = 1 then 4 else random(0, 3) end)
\set q2 random(1, 2)
\set s3 random(1, 4)
\set l3 (case when random(1, 10) = 1 then 4 else random(0, 3) end)
\set q3 random(1, 2)
\set t random(1, 10)
\set ttl_ms (case when :t <= 3 then random(100, 900) else 0 end)
\set kid (case when random(1, 100) <= 25 then random(1, 12) else 0 end)
\set kbad (case when random(1, 100) <= 6 then random(1, 2) else 0 end)
SELECT stress.try_reserve_order(:ref, :n, :s1, :l1, :q1, :s2, :l2, :q2, :s3, :l3, :q3, :ttl_ms, :kid, :kbad);
