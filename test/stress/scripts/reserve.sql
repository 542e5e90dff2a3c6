-- inv_reserve: a reference from a small pool (0 = anonymous hold), sometimes
-- a ttl of a fraction of a second, sometimes an idempotency key (kid > 0)
\set sku random(1, 4)
\set loc (case when random(1, 10) = 1 then 4 else random(0, 3) end)
\set ref random(0, 8)
\set qty random(1, 3)
\set t random(1, 10)
\set ttl_ms (case when :t <= 4 then random(50, 700) when :t = 5 then 3600000 else 0 end)
\set kid (case when random(1, 100) <= 30 then random(1, 12) else 0 end)
\set kbad (case when random(1, 100) <= 6 then random(1, 2) else 0 end)
SELECT stress.try_reserve(:sku, :loc, :ref, :qty, :ttl_ms, :kid, :kbad);
