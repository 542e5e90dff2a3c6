-- test/demo.sql: the seed scenarios of invstock, played in order, then the
-- levels and the ledger.  Run by test/demo.sh in a throwaway cluster.
\set ON_ERROR_STOP 1
\pset pager off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS invstock;
RESET client_min_messages;

\echo '== 1. receive 50 laptops at the main warehouse'
SELECT sku, location, on_hand, reserved, available, status
  FROM invstock.inv_adjust('LAPTOP-001', 50, 'received PO-2025-001', reference => 'PO-2025-001');

\echo '== 2. happy path: order ORD-1 reserves 2, payment succeeds, finalize'
SELECT sku, on_hand, reserved, available, status
  FROM invstock.inv_reserve('LAPTOP-001', 2, reference => 'ORD-1', ttl => '30 minutes',
                            idempotency_key => 'stock.reserve:ORD-1:LAPTOP-001');
SELECT sku, on_hand, reserved, available, status
  FROM invstock.inv_finalize('LAPTOP-001', reference => 'ORD-1',
                             idempotency_key => 'stock.finalize:ORD-1:LAPTOP-001');

\echo '== 3. cancelled order: ORD-2 reserves 5, then is cancelled and released'
SELECT sku, on_hand, reserved, available, status
  FROM invstock.inv_reserve('LAPTOP-001', 5, reference => 'ORD-2');
SELECT sku, on_hand, reserved, available, status
  FROM invstock.inv_release('LAPTOP-001', reference => 'ORD-2', reason => 'customer cancelled');

\echo '== 4. restock: 20 more arrive'
SELECT sku, on_hand, reserved, available, status
  FROM invstock.inv_adjust('LAPTOP-001', 20, 'received PO-2025-002', reference => 'PO-2025-002');

\echo '== 5. physical count: 66 found on the shelf'
SELECT sku, location, previous, counted, discrepancy, on_hand, available
  FROM invstock.inv_count('LAPTOP-001', 66, counted_by => 'John Doe', notes => 'monthly count');

\echo '== 6. transfer 10 to the east coast warehouse'
SELECT sku, location, on_hand, reserved, available, status
  FROM invstock.inv_transfer('LAPTOP-001', 10, 'main', 'east', reason => 'rebalancing');

\echo '== 7. a multi-line order, all or nothing'
SELECT sku, location, on_hand, reserved, available, status
  FROM invstock.inv_reserve_order('ORD-3', '[{"sku": "LAPTOP-001", "qty": 1},
                                             {"sku": "LAPTOP-001", "qty": 2, "location": "east"}]');

\echo '== 8. an oversell is refused (SQLSTATE 23514) and changes nothing'
\set ON_ERROR_STOP 0
SELECT * FROM invstock.inv_reserve('LAPTOP-001', 1000, reference => 'ORD-4');
\echo 'SQLSTATE' :LAST_ERROR_SQLSTATE
\set ON_ERROR_STOP 1

\echo '== levels'
SELECT sku, location, on_hand, reserved, available, status, is_low_stock
  FROM invstock.levels ORDER BY sku, location;

\echo '== ledger'
SELECT id, sku, location, kind, on_hand_delta AS d_on_hand, reserved_delta AS d_reserved,
       on_hand_after, reserved_after, reference, reason, transfer_id
  FROM invstock.movement ORDER BY id;

\echo '== reconciliation (inv_sync): no rows means consistent'
SELECT * FROM invstock.inv_sync(repair => false);
