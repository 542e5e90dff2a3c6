-- inv_finalize_order of a reference from the pool
\set ref random(1, 8)
\set kid (case when random(1, 100) <= 25 then random(1, 12) else 0 end)
\set kbad (case when random(1, 100) <= 6 then random(1, 2) else 0 end)
SELECT stress.try_finalize_order(:ref, :kid, :kbad);
