-- test/bench/ledger.sql: storage per ledger row after the benchmark runs.
-- For invstock.movement (and bench.ledger, the PL/pgSQL baseline's ledger,
-- for comparison): the total size (heap, indexes, TOAST, free space and
-- visibility maps), the heap's main fork, its fsm + vm forks, TOAST and each
-- index, each also divided by the number of rows.
-- Output (psql -At -F ,): table,part,bytes,rows,bytes_per_row
WITH t(tord, rel, n) AS (
    VALUES (1, 'invstock.movement'::regclass, (SELECT count(*) FROM invstock.movement)),
           (2, 'bench.ledger'::regclass, (SELECT count(*) FROM bench.ledger))
), parts AS (
    SELECT rel, 0 AS pord, 'total' AS part, pg_total_relation_size(rel) AS bytes FROM t
    UNION ALL
    SELECT rel, 1, 'heap', pg_relation_size(rel) FROM t
    UNION ALL
    SELECT rel, 2, 'heap fsm+vm', pg_relation_size(rel, 'fsm') + pg_relation_size(rel, 'vm') FROM t
    UNION ALL
    SELECT t.rel, 3, 'toast', COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0)
      FROM t JOIN pg_class c ON c.oid = t.rel
    UNION ALL
    SELECT t.rel, 4, 'index ' || i.indexrelid::regclass::text, pg_relation_size(i.indexrelid)
      FROM t JOIN pg_index i ON i.indrelid = t.rel
)
SELECT t.rel::text, p.part, p.bytes, t.n, round(p.bytes::numeric / NULLIF(t.n, 0), 1)
  FROM parts p JOIN t USING (rel)
 ORDER BY t.tord, p.pord, p.part;
