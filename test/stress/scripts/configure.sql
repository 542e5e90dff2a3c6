-- inv_configure: backorders of 'preorder' turned off (1) and on (2), or left
-- alone (0); thresholds and reorder rules of any SKU
\set sku random(1, 4)
\set bo (case when :sku = 3 then random(0, 2) else 0 end)
\set threshold random(0, 12)
SELECT stress.try_configure(:sku, :bo, :threshold);
