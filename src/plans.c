/*
 * plans.c
 *		The SPI plan cache: every internal query of invstock, prepared once per
 *		backend with SPI_prepare + SPI_keepplan and re-prepared if it becomes
 *		invalid.  Plans are kept in an array indexed by InvPlanId (a perfect
 *		hash: the key is the query's number).
 *
 * Every name is schema-qualified and every operator is written as
 * OPERATOR(pg_catalog.x) (no IS DISTINCT FROM, NULLIF, IN or BETWEEN, which
 * look "=" up through search_path), so the text cannot mean anything else;
 * and inv_call_begin pins search_path to pg_catalog, pg_temp while they run,
 * which also keeps the plan cache from re-planning for each caller's path.
 * Values are always $n parameters.
 */
#include "invstock.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#define EQ " OPERATOR(pg_catalog.=) "
#define ROWKEY(s) s "sku" EQ "$1 AND " s "location" EQ "$2 AND " s "slot" EQ "$3"
#define OPEN "status" EQ "'open'"
/* the columns read into a StockRow (stockrow.c, read_row) */
#define STOCK_COLS "on_hand, reserved, track_inventory, allow_backorder," \
	" low_stock_threshold, next_expiry, last_counted_at, updated_at, slots, slot"
/* Take units qty out of hold id; action names the settle: finalized, released, expired */
#define HOLD_TAKE(id, qty, action, now) \
	"UPDATE invstock.reservation SET" \
	" qty = qty OPERATOR(pg_catalog.-) " qty "," \
	" qty_finalized = qty_finalized OPERATOR(pg_catalog.+)" \
	"   CASE WHEN " action EQ "'finalized' THEN " qty " ELSE 0 END," \
	" qty_released = qty_released OPERATOR(pg_catalog.+)" \
	"   CASE WHEN " action EQ "'released' THEN " qty " ELSE 0 END," \
	" qty_expired = qty_expired OPERATOR(pg_catalog.+)" \
	"   CASE WHEN " action EQ "'expired' THEN " qty " ELSE 0 END," \
	" status = CASE WHEN qty" EQ qty " THEN " action " ELSE status END," \
	" closed_at = CASE WHEN qty" EQ qty " THEN " now " ELSE closed_at END," \
	" updated_at = " now \
	" WHERE id" EQ id

#define NE " OPERATOR(pg_catalog.<>) "
/*
 * Version 1.3 keeps on the row the latest at of its movements (at is the
 * transaction's start, so a transaction that waited for the row lock may
 * write an earlier at after a later one: hence GREATEST).  The statements
 * that cause a movement set it, and the trigger puts it right where they
 * could not know (see triggers.c, keep_last_movement_at).
 */
#define LAST_MOVEMENT_IF(cond, at) \
	", last_movement_at = CASE WHEN " cond \
	" THEN GREATEST(last_movement_at, " at ") ELSE last_movement_at END"
/* PLAN_UPDATE_STOCK: the new values of a locked row */
#define UPDATE_STOCK(stamp) \
	" UPDATE invstock.stock SET on_hand = $4, reserved = $5, next_expiry = $6," \
	" updated_at = $7, last_counted_at = $8" stamp " WHERE " ROWKEY("")

/* PLAN_RESERVE_FAST: the guarded UPDATE of slot 0, and the hold upsert */
#define RESERVE_FAST_UPDATE(stamp, more) \
	"UPDATE invstock.stock SET reserved = reserved OPERATOR(pg_catalog.+) $3," \
	" next_expiry = LEAST(next_expiry, $4), updated_at = $5" stamp \
	" WHERE sku" EQ "$1 AND location" EQ "$2 AND slot" EQ "0" more \
	" AND track_inventory" \
	" AND (allow_backorder" \
	" OR (on_hand OPERATOR(pg_catalog.-) reserved) OPERATOR(pg_catalog.>=) $3)" \
	" AND reserved OPERATOR(pg_catalog.<=)" \
	" (9223372036854775807::pg_catalog.int8 OPERATOR(pg_catalog.-) $3)" \
	" AND (next_expiry IS NULL OR next_expiry OPERATOR(pg_catalog.>) $5)"
#define RESERVE_FAST_HOLD \
	" h AS (INSERT INTO invstock.reservation AS r (sku, location, slot, reference," \
	" qty, expires_at, notes, created_at, updated_at)" \
	" SELECT $1, $2, 0, $6, $3, $4, $7, $5, $5 FROM s" \
	" ON CONFLICT (sku, location, slot, pg_catalog.md5(reference)) WHERE " OPEN \
	" DO UPDATE SET qty = r.qty OPERATOR(pg_catalog.+) excluded.qty," \
	" expires_at = COALESCE(excluded.expires_at, r.expires_at)," \
	" notes = COALESCE(excluded.notes, r.notes)," \
	" updated_at = excluded.updated_at)"

/*
 * Before 1.2 the stock table has no slots column: a library newer than the
 * installed tables (between a package upgrade and ALTER EXTENSION UPDATE)
 * reads every (sku, location) as one slot.
 */
#define STOCK_COLS_1_1 "on_hand, reserved, track_inventory, allow_backorder," \
	" low_stock_threshold, next_expiry, last_counted_at, updated_at," \
	" 1::pg_catalog.int2 AS slots, slot"

typedef struct InvPlanDef
{
	const char *sql;
	int			nargs;
	Oid			argtypes[16];
	const char *sql_1_1;		/* the query for tables of version 1.0/1.1 */
	const char *sql_1_2;		/* ... of version 1.2 (no last_movement_at) */
} InvPlanDef;

static const InvPlanDef plan_defs[INV_NUM_PLANS] = {
	[PLAN_LOCK_STOCK] = {
		"SELECT " STOCK_COLS " FROM invstock.stock WHERE " ROWKEY("") " FOR UPDATE",
		3, {TEXTOID, TEXTOID, INT2OID},
		"SELECT " STOCK_COLS_1_1 " FROM invstock.stock WHERE " ROWKEY("") " FOR UPDATE"
	},
	[PLAN_LOCK_PLACE] = {
		"SELECT " STOCK_COLS " FROM invstock.stock"
		" WHERE sku" EQ "$1 AND location" EQ "$2 ORDER BY slot FOR UPDATE",
		2, {TEXTOID, TEXTOID},
		"SELECT " STOCK_COLS_1_1 " FROM invstock.stock"
		" WHERE sku" EQ "$1 AND location" EQ "$2 ORDER BY slot FOR UPDATE"
	},
	/*
	 * The first slot, in an order that starts at a different slot for each
	 * backend ($4), that no other transaction has locked and that can serve
	 * $3 units.  LockRows sits under Limit: rows are locked one by one in
	 * the sorted order, locked ones skipped, and the first row taken ends
	 * the scan.  The filter is re-checked on the newest row version.
	 */
	/* every slot that no other transaction holds (see lock_hold_rows) */
	[PLAN_LOCK_PLACE_SKIP] = {
		"SELECT " STOCK_COLS " FROM invstock.stock"
		" WHERE sku" EQ "$1 AND location" EQ "$2 ORDER BY slot FOR UPDATE SKIP LOCKED",
		2, {TEXTOID, TEXTOID},
		"SELECT " STOCK_COLS_1_1 " FROM invstock.stock"
		" WHERE sku" EQ "$1 AND location" EQ "$2 ORDER BY slot FOR UPDATE SKIP LOCKED"
	},
	[PLAN_PLACE_COUNT] = {
		"SELECT pg_catalog.count(*) FROM invstock.stock"
		" WHERE sku" EQ "$1 AND location" EQ "$2",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_PICK_SLOT] = {
		"SELECT " STOCK_COLS " FROM invstock.stock"
		" WHERE sku" EQ "$1 AND location" EQ "$2"
		" AND (NOT track_inventory OR allow_backorder"
		" OR (on_hand OPERATOR(pg_catalog.-) reserved) OPERATOR(pg_catalog.>=) $3)"
		" ORDER BY (slot OPERATOR(pg_catalog.+) $4) OPERATOR(pg_catalog.%) slots"
		" LIMIT 1 FOR UPDATE SKIP LOCKED",
		4, {TEXTOID, TEXTOID, INT8OID, INT2OID},
		"SELECT " STOCK_COLS_1_1 " FROM invstock.stock"
		" WHERE sku" EQ "$1 AND location" EQ "$2"
		" AND (NOT track_inventory OR allow_backorder"
		" OR (on_hand OPERATOR(pg_catalog.-) reserved) OPERATOR(pg_catalog.>=) $3)"
		" AND $4 IS NOT NULL ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED"
	},
	/*
	 * The one-statement reservation of a single-slot row that needs nothing
	 * else first: enough available (or backorders), no overdue hold, no
	 * overflow; the hold is added in the same statement.  No row: nothing
	 * changed, the caller takes the general path.
	 */
	[PLAN_RESERVE_FAST] = {
		"WITH s AS (" RESERVE_FAST_UPDATE(LAST_MOVEMENT_IF("$3" NE "0", "$5"), " AND slots" EQ "1")
		" RETURNING " STOCK_COLS ")," RESERVE_FAST_HOLD " SELECT * FROM s",
		7, {TEXTOID, TEXTOID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID},
		"WITH s AS (" RESERVE_FAST_UPDATE("", "") " RETURNING " STOCK_COLS_1_1 "),"
		RESERVE_FAST_HOLD " SELECT * FROM s",
		"WITH s AS (" RESERVE_FAST_UPDATE("", " AND slots" EQ "1") " RETURNING " STOCK_COLS "),"
		RESERVE_FAST_HOLD " SELECT * FROM s"
	},
	[PLAN_PLACE_SUM] = {
		"SELECT pg_catalog.sum(on_hand)::pg_catalog.int8,"
		" pg_catalog.sum(reserved)::pg_catalog.int8,"
		" pg_catalog.max(updated_at), pg_catalog.max(last_counted_at)"
		" FROM invstock.stock WHERE sku" EQ "$1 AND location" EQ "$2",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_HOLD_SLOTS] = {
		"SELECT r.id, r.slot, s.allow_backorder AND s.slots OPERATOR(pg_catalog.>) 1, r.qty"
		" FROM invstock.reservation r JOIN invstock.stock s"
		" ON s.sku" EQ "r.sku AND s.location" EQ "r.location AND s.slot" EQ "r.slot"
		" WHERE r.sku" EQ "$1 AND r.location" EQ "$2 AND r.reference" EQ "$3"
		" AND r." OPEN " ORDER BY r.slot, r.id",
		3, {TEXTOID, TEXTOID, TEXTOID},
		"SELECT r.id, r.slot, false, r.qty FROM invstock.reservation r"
		" WHERE r.sku" EQ "$1 AND r.location" EQ "$2 AND r.reference" EQ "$3"
		" AND r." OPEN " ORDER BY r.slot, r.id"
	},
	[PLAN_HOLD_SLOTS_ANON] = {
		"SELECT r.id, r.slot, s.allow_backorder AND s.slots OPERATOR(pg_catalog.>) 1, r.qty"
		" FROM invstock.reservation r JOIN invstock.stock s"
		" ON s.sku" EQ "r.sku AND s.location" EQ "r.location AND s.slot" EQ "r.slot"
		" WHERE r.sku" EQ "$1 AND r.location" EQ "$2 AND r.reference IS NULL"
		" AND r." OPEN " ORDER BY r.slot, r.id",
		2, {TEXTOID, TEXTOID},
		"SELECT r.id, r.slot, false, r.qty FROM invstock.reservation r"
		" WHERE r.sku" EQ "$1 AND r.location" EQ "$2 AND r.reference IS NULL"
		" AND r." OPEN " ORDER BY r.slot, r.id"
	},
	[PLAN_SET_STOCK_SLOTS] = {
		"UPDATE invstock.stock SET slots = $2 WHERE sku" EQ "$1",
		2, {TEXTOID, INT2OID}
	},
	[PLAN_DELETE_STOCK] = {
		"DELETE FROM invstock.stock WHERE " ROWKEY(""),
		3, {TEXTOID, TEXTOID, INT2OID}
	},
	[PLAN_HOLDS_OF_SLOT] = {
		"SELECT id, reference FROM invstock.reservation"
		" WHERE " ROWKEY("") " AND " OPEN " ORDER BY id",
		3, {TEXTOID, TEXTOID, INT2OID}
	},
	[PLAN_HOLD_MOVE] = {
		"UPDATE invstock.reservation SET slot = $2, updated_at = $3 WHERE id" EQ "$1",
		3, {INT8OID, INT2OID, TIMESTAMPTZOID}
	},
	/*
	 * Merge hold $2 into hold $1 (same reference, two slots becoming one).
	 * The merged hold expires at the later expiry (NULL: never), so no unit
	 * is released earlier than it was promised.
	 */
	[PLAN_HOLD_MERGE] = {
		"UPDATE invstock.reservation t SET"
		" qty = t.qty OPERATOR(pg_catalog.+) s.qty,"
		" qty_finalized = t.qty_finalized OPERATOR(pg_catalog.+) s.qty_finalized,"
		" qty_released = t.qty_released OPERATOR(pg_catalog.+) s.qty_released,"
		" qty_expired = t.qty_expired OPERATOR(pg_catalog.+) s.qty_expired,"
		" expires_at = CASE WHEN t.expires_at IS NULL OR s.expires_at IS NULL"
		"   THEN NULL ELSE GREATEST(t.expires_at, s.expires_at) END,"
		" notes = COALESCE(t.notes, s.notes),"
		" created_at = LEAST(t.created_at, s.created_at),"
		" updated_at = $3"
		" FROM invstock.reservation s WHERE t.id" EQ "$1 AND s.id" EQ "$2",
		3, {INT8OID, INT8OID, TIMESTAMPTZOID}
	},
	[PLAN_HOLD_DELETE] = {
		"DELETE FROM invstock.reservation WHERE id" EQ "$1",
		1, {INT8OID}
	},
	[PLAN_SKU_LOCATIONS] = {
		"SELECT DISTINCT location FROM invstock.stock WHERE sku" EQ "$1 ORDER BY location",
		1, {TEXTOID}
	},
	[PLAN_POLICY] = {
		"SELECT track_inventory, allow_backorder, low_stock_threshold, slots"
		" FROM invstock.sku WHERE sku" EQ "$1",
		1, {TEXTOID}
	},
	[PLAN_POLICY_SHARE] = {
		"SELECT track_inventory, allow_backorder, low_stock_threshold, slots"
		" FROM invstock.sku WHERE sku" EQ "$1 FOR SHARE",
		1, {TEXTOID}
	},
	[PLAN_INSERT_SKU] = {
		"INSERT INTO invstock.sku (sku) VALUES ($1) ON CONFLICT DO NOTHING",
		1, {TEXTOID}
	},
	[PLAN_INSERT_LOCATION] = {
		"INSERT INTO invstock.location (location) VALUES ($1) ON CONFLICT DO NOTHING",
		1, {TEXTOID}
	},
	[PLAN_INSERT_STOCK] = {
		"INSERT INTO invstock.stock (sku, location, slot, track_inventory,"
		" allow_backorder, low_stock_threshold, created_at, updated_at, slots)"
		" VALUES ($1, $2, $3, $4, $5, $7, $6, $6, $8) ON CONFLICT DO NOTHING",
		8, {TEXTOID, TEXTOID, INT2OID, BOOLOID, BOOLOID, TIMESTAMPTZOID, INT8OID,
		INT2OID},
		"INSERT INTO invstock.stock (sku, location, slot, track_inventory,"
		" allow_backorder, low_stock_threshold, created_at, updated_at)"
		" SELECT $1, $2, $3, $4, $5, $7, $6, $6 WHERE $8 IS NOT NULL"
		" ON CONFLICT DO NOTHING"
	},
	/* $9: the time of the movement this change causes, NULL if none */
	[PLAN_UPDATE_STOCK] = {
		UPDATE_STOCK(LAST_MOVEMENT_IF("$9 IS NOT NULL", "$9")),
		9, {TEXTOID, TEXTOID, INT2OID, INT8OID, INT8OID, TIMESTAMPTZOID,
		TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID},
		NULL,
		UPDATE_STOCK("")
	},
	[PLAN_EXPIRED_HOLDS] = {
		"SELECT id, reference, qty FROM invstock.reservation"
		" WHERE " ROWKEY("") " AND " OPEN
		" AND expires_at OPERATOR(pg_catalog.<=) $4 ORDER BY id",
		4, {TEXTOID, TEXTOID, INT2OID, TIMESTAMPTZOID}
	},
	[PLAN_NEXT_EXPIRY] = {
		"SELECT pg_catalog.min(expires_at) FROM invstock.reservation"
		" WHERE " ROWKEY("") " AND " OPEN
		" AND expires_at OPERATOR(pg_catalog.>) $4",
		4, {TEXTOID, TEXTOID, INT2OID, TIMESTAMPTZOID}
	},
	[PLAN_HOLD_ADD] = {
		"INSERT INTO invstock.reservation AS r (sku, location, slot, reference, qty,"
		" expires_at, notes, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
		" ON CONFLICT (sku, location, slot, pg_catalog.md5(reference)) WHERE " OPEN
		" DO UPDATE SET qty = r.qty OPERATOR(pg_catalog.+) excluded.qty,"
		" expires_at = COALESCE(excluded.expires_at, r.expires_at),"
		" notes = COALESCE(excluded.notes, r.notes),"
		" updated_at = excluded.updated_at",
		8, {TEXTOID, TEXTOID, INT2OID, TEXTOID, INT8OID, TIMESTAMPTZOID,
		TEXTOID, TIMESTAMPTZOID}
	},
	[PLAN_HOLD_FIND] = {
		"SELECT id, qty FROM invstock.reservation WHERE " ROWKEY("")
		" AND reference" EQ "$4 AND " OPEN,
		4, {TEXTOID, TEXTOID, INT2OID, TEXTOID}
	},
	[PLAN_HOLD_FIND_ANON] = {
		"SELECT id, qty FROM invstock.reservation WHERE " ROWKEY("")
		" AND reference IS NULL AND " OPEN,
		3, {TEXTOID, TEXTOID, INT2OID}
	},
	[PLAN_HOLD_TAKE] = {
		HOLD_TAKE("$1", "$2", "$3", "$4"),
		4, {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID}
	},
	/* PLAN_UPDATE_STOCK and the hold it settles, in one statement */
	[PLAN_UPDATE_STOCK_TAKE] = {
		"WITH h AS (" HOLD_TAKE("$10", "$11", "$12", "$7") ")"
		UPDATE_STOCK(LAST_MOVEMENT_IF("$9 IS NOT NULL", "$9")),
		12, {TEXTOID, TEXTOID, INT2OID, INT8OID, INT8OID, TIMESTAMPTZOID,
		TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, INT8OID, TEXTOID},
		NULL,
		"WITH h AS (" HOLD_TAKE("$10", "$11", "$12", "$7") ")"
		UPDATE_STOCK("")
	},
	[PLAN_HOLDS_OF_REFERENCE] = {
		"SELECT r.sku, r.location, r.slot, r.id,"
		" COALESCE(s.allow_backorder AND s.slots OPERATOR(pg_catalog.>) 1, false)"
		" FROM invstock.reservation r LEFT JOIN invstock.stock s"
		" ON s.sku" EQ "r.sku AND s.location" EQ "r.location AND s.slot" EQ "r.slot"
		" WHERE r.reference" EQ "$1 AND r." OPEN
		" ORDER BY r.sku, r.location, r.slot, r.id",
		1, {TEXTOID},
		"SELECT r.sku, r.location, r.slot, r.id, false FROM invstock.reservation r"
		" WHERE r.reference" EQ "$1 AND r." OPEN
		" ORDER BY r.sku, r.location, r.slot, r.id"
	},
	[PLAN_INSERT_MOVEMENT] = {
		"INSERT INTO invstock.movement (at, sku, location, slot, kind,"
		" on_hand_delta, reserved_delta, on_hand_after, reserved_after,"
		" reference, reason, actor, idempotency_key, transfer_id, txid)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
		15, {TIMESTAMPTZOID, TEXTOID, TEXTOID, INT2OID, TEXTOID, INT8OID, INT8OID,
		INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, INT8OID}
	},
	/* the trigger's correction of last_movement_at (triggers.c) */
	[PLAN_SET_LAST_MOVEMENT] = {
		"UPDATE invstock.stock SET last_movement_at = $4 WHERE " ROWKEY(""),
		4, {TEXTOID, TEXTOID, INT2OID, TIMESTAMPTZOID}
	},
	[PLAN_ROW_LAST_MOVEMENT] = {
		"SELECT last_movement_at FROM invstock.stock WHERE " ROWKEY(""),
		3, {TEXTOID, TEXTOID, INT2OID}
	},
	[PLAN_ADD_LAST_MOVEMENT] = {
		"UPDATE invstock.stock SET last_movement_at = GREATEST(last_movement_at, $4)"
		" WHERE " ROWKEY(""),
		4, {TEXTOID, TEXTOID, INT2OID, TIMESTAMPTZOID}
	},
	[PLAN_LEDGER_SUM] = {
		"SELECT COALESCE(pg_catalog.sum(on_hand_delta), 0)::pg_catalog.int8,"
		" COALESCE(pg_catalog.sum(reserved_delta), 0)::pg_catalog.int8"
		" FROM invstock.movement WHERE " ROWKEY(""),
		3, {TEXTOID, TEXTOID, INT2OID}
	},
	[PLAN_HOLDS_SUM] = {
		"SELECT COALESCE(pg_catalog.sum(qty), 0)::pg_catalog.int8"
		" FROM invstock.reservation WHERE " ROWKEY("") " AND " OPEN,
		3, {TEXTOID, TEXTOID, INT2OID}
	},
	[PLAN_IDEM_CLAIM] = {
		"INSERT INTO invstock.idempotency (idempotency_key, operation,"
		" request_hash, created_at) VALUES ($1, $2, $3, $4)"
		" ON CONFLICT DO NOTHING",
		4, {TEXTOID, TEXTOID, BYTEAOID, TIMESTAMPTZOID}
	},
	[PLAN_IDEM_GET] = {
		"SELECT operation, request_hash, result FROM invstock.idempotency"
		" WHERE idempotency_key" EQ "$1",
		1, {TEXTOID}
	},
	[PLAN_IDEM_STORE] = {
		"UPDATE invstock.idempotency SET result = $2 WHERE idempotency_key" EQ "$1",
		2, {TEXTOID, TEXTARRAYOID}
	},
	[PLAN_IDEM_PURGE] = {
		"DELETE FROM invstock.idempotency WHERE created_at OPERATOR(pg_catalog.<) $1",
		1, {TIMESTAMPTZOID}
	},
	[PLAN_NEXT_TRANSFER_ID] = {
		"SELECT pg_catalog.nextval('invstock.transfer_id_seq'::pg_catalog.regclass)",
		0, {InvalidOid}
	},
	[PLAN_LEVEL] = {
		"SELECT pg_catalog.sum(s.on_hand)::pg_catalog.int8,"
		" pg_catalog.sum(s.reserved)::pg_catalog.int8,"
		" p.track_inventory, p.allow_backorder, p.low_stock_threshold,"
		" pg_catalog.max(s.updated_at), pg_catalog.max(s.last_counted_at)"
		" FROM invstock.stock s JOIN invstock.sku p ON p.sku" EQ "s.sku"
		" WHERE s.sku" EQ "$1 AND s.location" EQ "$2"
		" GROUP BY p.sku, p.track_inventory, p.allow_backorder, p.low_stock_threshold",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_LEVEL_AT] = {
		"SELECT COALESCE(pg_catalog.sum(on_hand_delta), 0)::pg_catalog.int8,"
		" COALESCE(pg_catalog.sum(reserved_delta), 0)::pg_catalog.int8,"
		" pg_catalog.max(at)"
		" FROM invstock.movement WHERE sku" EQ "$1 AND location" EQ "$2"
		" AND at OPERATOR(pg_catalog.<=) $3",
		3, {TEXTOID, TEXTOID, TIMESTAMPTZOID}
	},
	[PLAN_CONFIGURE_SKU] = {
		"UPDATE invstock.sku SET"
		" track_inventory = COALESCE($2, track_inventory),"
		" allow_backorder = COALESCE($3, allow_backorder),"
		" low_stock_threshold = COALESCE($4, low_stock_threshold),"
		" reorder_point = COALESCE($5, reorder_point),"
		" reorder_quantity = COALESCE($6, reorder_quantity),"
		" slots = COALESCE($7, slots),"
		" updated_at = $8"
		" WHERE sku" EQ "$1 RETURNING *",
		8, {TEXTOID, BOOLOID, BOOLOID, INT8OID, INT8OID, INT8OID, INT4OID,
		TIMESTAMPTZOID}
	},
	[PLAN_LOCK_SKU_STOCK] = {
		"SELECT location, slot FROM invstock.stock WHERE sku" EQ "$1"
		" ORDER BY location, slot FOR UPDATE",
		1, {TEXTOID}
	},
	[PLAN_SET_STOCK_POLICY] = {
		"UPDATE invstock.stock SET track_inventory = $2, allow_backorder = $3,"
		" low_stock_threshold = $4 WHERE sku" EQ "$1",
		4, {TEXTOID, BOOLOID, BOOLOID, INT8OID}
	},
	[PLAN_SYNC_SCOPE] = {
		"SELECT sku, location, slot FROM invstock.stock"
		" WHERE ($1 IS NULL OR sku" EQ "$1) AND ($2 IS NULL OR location" EQ "$2)"
		" AND track_inventory ORDER BY sku, location, slot",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_ORPHAN_HOLDS] = {
		"SELECT r.id, r.sku, r.location, r.qty FROM invstock.reservation r"
		" WHERE r." OPEN
		" AND ($1 IS NULL OR r.sku" EQ "$1) AND ($2 IS NULL OR r.location" EQ "$2)"
		" AND NOT EXISTS (SELECT FROM invstock.stock s WHERE s.sku" EQ "r.sku"
		" AND s.location" EQ "r.location AND s.slot" EQ "r.slot)"
		" ORDER BY r.id",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_STOCK_EXISTS] = {
		"SELECT 1 FROM invstock.stock WHERE sku" EQ "$1 AND location" EQ "$2 LIMIT 1",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_POLICY_FOR_UPDATE] = {
		"SELECT track_inventory, allow_backorder, low_stock_threshold, slots"
		" FROM invstock.sku WHERE sku" EQ "$1 FOR NO KEY UPDATE",
		1, {TEXTOID}
	},
	[PLAN_SKU_LEVELS] = {
		"SELECT location, pg_catalog.sum(on_hand)::pg_catalog.int8,"
		" pg_catalog.sum(reserved)::pg_catalog.int8"
		" FROM invstock.stock WHERE sku" EQ "$1"
		" GROUP BY location ORDER BY location",
		1, {TEXTOID}
	},
	[PLAN_LEDGER_ORPHANS] = {
		"SELECT m.sku, m.location, m.slot,"
		" pg_catalog.sum(m.on_hand_delta)::pg_catalog.int8,"
		" pg_catalog.sum(m.reserved_delta)::pg_catalog.int8"
		" FROM invstock.movement m"
		" WHERE ($1 IS NULL OR m.sku" EQ "$1) AND ($2 IS NULL OR m.location" EQ "$2)"
		" AND NOT EXISTS (SELECT FROM invstock.stock s WHERE s.sku" EQ "m.sku"
		" AND s.location" EQ "m.location AND s.slot" EQ "m.slot)"
		" AND NOT EXISTS (SELECT FROM invstock.sku p WHERE p.sku" EQ "m.sku"
		" AND NOT p.track_inventory)"
		" GROUP BY m.sku, m.location, m.slot"
		" HAVING pg_catalog.sum(m.on_hand_delta) OPERATOR(pg_catalog.<>) 0"
		" OR pg_catalog.sum(m.reserved_delta) OPERATOR(pg_catalog.<>) 0"
		" ORDER BY m.sku, m.location, m.slot",
		2, {TEXTOID, TEXTOID}
	},
};

static SPIPlanPtr plans[INV_NUM_PLANS];

/*
 * Which version are the installed tables?  Asked when a plan is prepared:
 * ALTER EXTENSION UPDATE invalidates the plans on the table it changes.
 */
static bool
stock_has_column(const char *name)
{
	Oid			nsp = get_namespace_oid(INV_SCHEMA, true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid("stock", nsp) : InvalidOid;

	return OidIsValid(rel) && get_attnum(rel, name) != InvalidAttrNumber;
}

/* Has invstock.stock the slots column of version 1.2? */
bool
inv_stock_has_slots(void)
{
	return stock_has_column("slots");
}

/* Has invstock.stock the last_movement_at column of version 1.3? */
bool
inv_stock_has_last_movement(void)
{
	return stock_has_column("last_movement_at");
}

static SPIPlanPtr
inv_plan(InvPlanId id)
{
	SPIPlanPtr	plan = plans[id];

	if (plan != NULL && !SPI_plan_is_valid(plan))
	{
		SPI_freeplan(plan);
		plans[id] = plan = NULL;
	}
	if (plan == NULL)
	{
		const InvPlanDef *def = &plan_defs[id];
		const char *sql = def->sql;

		if (def->sql_1_1 != NULL && !inv_stock_has_slots())
			sql = def->sql_1_1;
		else if (def->sql_1_2 != NULL && !inv_stock_has_last_movement())
			sql = def->sql_1_2;
		plan = SPI_prepare(sql, def->nargs, (Oid *) def->argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for invstock query %d: %s",
				 (int) id, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed for invstock query %d", (int) id);
		plans[id] = plan;
	}
	return plan;
}

/*
 * Run one cached query; returns SPI_processed.  The caller must be connected
 * to SPI and running as the extension owner.  The previous query's result is
 * freed first (callers copy out what they keep), so a call that runs many
 * queries (a long order, inv_sync over many rows) uses bounded memory.
 */
int
inv_execute(InvPlanId id, Datum *values, const char *nulls, bool read_only,
			long count)
{
	int			rc;

	if (SPI_tuptable != NULL)
	{
		SPI_freetuptable(SPI_tuptable);
		SPI_tuptable = NULL;
	}
	rc = SPI_execute_plan(inv_plan(id), values, nulls, read_only, count);
	if (rc < 0)
		elog(ERROR, "invstock query %d failed: %s", (int) id,
			 SPI_result_code_string(rc));
	return (int) SPI_processed;
}

static Datum
result_datum(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 col, isnull);
}

int64
inv_result_int64(int row, int col, bool *isnull)
{
	bool		n;
	Datum		d = result_datum(row, col, &n);

	if (isnull)
		*isnull = n;
	if (n)
		return 0;
	/* slot columns are smallint; everything else is bigint */
	if (SPI_gettypeid(SPI_tuptable->tupdesc, col) == INT2OID)
		return DatumGetInt16(d);
	if (SPI_gettypeid(SPI_tuptable->tupdesc, col) == INT4OID)
		return DatumGetInt32(d);
	return DatumGetInt64(d);
}

bool
inv_result_bool(int row, int col, bool *isnull)
{
	bool		n;
	Datum		d = result_datum(row, col, &n);

	if (isnull)
		*isnull = n;
	return n ? false : DatumGetBool(d);
}

TimestampTz
inv_result_timestamptz(int row, int col, bool *isnull)
{
	bool		n;
	Datum		d = result_datum(row, col, &n);

	if (isnull)
		*isnull = n;
	return n ? 0 : DatumGetTimestampTz(d);
}

/* A text column copied into cxt (so it survives SPI_finish); NULL if null */
char *
inv_result_text(int row, int col, MemoryContext cxt)
{
	bool		n;
	Datum		d = result_datum(row, col, &n);
	MemoryContext old;
	char	   *s;

	if (n)
		return NULL;
	old = MemoryContextSwitchTo(cxt);
	s = TextDatumGetCString(d);
	MemoryContextSwitchTo(old);
	return s;
}
