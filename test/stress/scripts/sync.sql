-- inv_sync, scoped (a SKU, a location, both) or unscoped (0 = all), with or
-- without repair
\set sku (case when random(1, 2) = 1 then 0 else random(1, 4) end)
\set loc (case when random(1, 2) = 1 then 0 else random(1, 3) end)
\set repair random(0, 1)
SELECT stress.try_sync(:sku, :loc, :repair);
