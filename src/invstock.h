/*
 * invstock.h
 *		Declarations shared by every source file of the invstock extension.
 *
 * The extension is split by job: module.c (init, settings), errors.c (SQLSTATE
 * mapping), plans.c (SPI plan cache), call.c (running internal SQL as the
 * extension owner), args.c (argument validation), level.c (the level type and
 * stock status), stockrow.c (locking and changing one stock row), holds.c
 * (the reservation table), idempotency.c, ledger.c (writing movements),
 * triggers.c, and one file per family of SQL functions.
 */
#ifndef INVSTOCK_H
#define INVSTOCK_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "utils/timestamp.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/elog.h"

#define INV_SCHEMA "invstock"
#define INV_NAME_MAX 255		/* characters in a sku, location, reference */
#define INV_TEXT_MAX 1000		/* characters in a reason, notes, actor */

/* ---------- settings (module.c) ---------- */
extern char *inv_default_location;
extern char *inv_reservation_ttl;
extern int	inv_low_stock_threshold;
extern char *inv_idempotency_retention;
extern bool inv_http_errors;
extern bool inv_events;

extern bool inv_reservation_ttl_value(Interval *out);
extern void inv_idempotency_retention_value(Interval *out);

/* ---------- errors (errors.c) ---------- */
extern int	inv_errcode(int sqlerrcode);

/*
 * INV_ERROR(code, ...) raises an invstock error whose SQLSTATE is replaced by
 * PTnnn when invstock.http_errors is on.
 */
#define INV_ERROR(code, ...) \
	ereport(ERROR, (errcode(inv_errcode(code)), __VA_ARGS__))

/* ---------- plan cache (plans.c) ---------- */
typedef enum InvPlanId
{
	PLAN_LOCK_STOCK,
	PLAN_POLICY,
	PLAN_POLICY_SHARE,
	PLAN_INSERT_SKU,
	PLAN_INSERT_LOCATION,
	PLAN_INSERT_STOCK,
	PLAN_UPDATE_STOCK,
	PLAN_EXPIRED_HOLDS,
	PLAN_NEXT_EXPIRY,
	PLAN_HOLD_ADD,
	PLAN_HOLD_FIND,
	PLAN_HOLD_FIND_ANON,
	PLAN_HOLD_TAKE,
	PLAN_HOLDS_OF_REFERENCE,
	PLAN_INSERT_MOVEMENT,
	PLAN_LEDGER_SUM,
	PLAN_HOLDS_SUM,
	PLAN_IDEM_CLAIM,
	PLAN_IDEM_GET,
	PLAN_IDEM_STORE,
	PLAN_IDEM_PURGE,
	PLAN_NEXT_TRANSFER_ID,
	PLAN_LEVEL,
	PLAN_LEVEL_AT,
	PLAN_CONFIGURE_SKU,
	PLAN_LOCK_SKU_STOCK,
	PLAN_SET_STOCK_POLICY,
	PLAN_SYNC_SCOPE,
	PLAN_ORPHAN_HOLDS,
	PLAN_LEDGER_ORPHANS,
	PLAN_STOCK_EXISTS,
	PLAN_POLICY_FOR_UPDATE,
	PLAN_SKU_LEVELS,
	PLAN_LOCK_PLACE,
	PLAN_PICK_SLOT,
	PLAN_PLACE_SUM,
	PLAN_HOLD_SLOTS,
	PLAN_HOLD_SLOTS_ANON,
	PLAN_SET_STOCK_SLOTS,
	PLAN_DELETE_STOCK,
	PLAN_HOLDS_OF_SLOT,
	PLAN_HOLD_MOVE,
	PLAN_HOLD_MERGE,
	PLAN_HOLD_DELETE,
	PLAN_SKU_LOCATIONS,
	PLAN_RESERVE_FAST,
	PLAN_UPDATE_STOCK_TAKE,
	PLAN_SET_LAST_MOVEMENT,
	PLAN_ADD_LAST_MOVEMENT,
	PLAN_ROW_LAST_MOVEMENT,
	PLAN_LOCK_PLACE_SKIP,
	PLAN_PLACE_COUNT,
	INV_NUM_PLANS
} InvPlanId;

extern bool inv_stock_has_slots(void);
extern bool inv_stock_has_last_movement(void);
extern void inv_set_last_movement(const char *sku, const char *location, int16 slot,
								  bool isnull, TimestampTz at, bool only_later);
extern int	inv_execute(InvPlanId id, Datum *values, const char *nulls,
						bool read_only, long count);
extern int64 inv_result_int64(int row, int col, bool *isnull);
extern bool inv_result_bool(int row, int col, bool *isnull);
extern TimestampTz inv_result_timestamptz(int row, int col, bool *isnull);
extern char *inv_result_text(int row, int col, MemoryContext cxt);

/* ---------- calls run as the extension owner (call.c) ---------- */
typedef struct InvCall
{
	MemoryContext caller_cxt;	/* where results must live */
	Oid			caller_userid;
	int			caller_sec_context;
	TimestampTz now;			/* transaction timestamp */
	int			guc_nest_level; /* search_path pinned at this level; -1: nested */
} InvCall;

extern void inv_call_begin(InvCall *call);
extern void inv_call_begin_nested(InvCall *call);
extern void inv_call_end(InvCall *call);
extern char *inv_actor(const char *explicit_actor, Oid userid, MemoryContext cxt);

/* ---------- argument validation (args.c) ---------- */
extern char *inv_arg_name(FunctionCallInfo fcinfo, int argno, const char *what,
						  bool required);
extern char *inv_arg_location(FunctionCallInfo fcinfo, int argno, const char *what);
extern int64 inv_arg_qty(FunctionCallInfo fcinfo, int argno, const char *what,
						 bool required, bool *isnull);
extern char *inv_arg_text(FunctionCallInfo fcinfo, int argno, const char *what,
						  int min_chars, bool required);
extern char *inv_arg_key(FunctionCallInfo fcinfo, int argno);
extern const char *inv_lifetime_problem(const Interval *iv);
extern bool inv_arg_ttl(FunctionCallInfo fcinfo, int argno, TimestampTz now,
						TimestampTz *expires_at);
extern void inv_require_arg(FunctionCallInfo fcinfo, int argno, const char *what);
extern int64 inv_add_checked(int64 a, int64 b, const char *sku,
							 const char *location, const char *what);
extern int64 inv_sub_checked(int64 a, int64 b, const char *sku,
							 const char *location, const char *what);

/* ---------- one stock row of a (sku, location) (stockrow.c) ---------- */
typedef struct StockRow
{
	char	   *sku;
	char	   *location;
	int16		slot;
	int16		slots;			/* slots of the (sku, location): hot-SKU mode if > 1 */
	bool		exists;
	int64		on_hand;
	int64		reserved;
	bool		track_inventory;
	bool		allow_backorder;
	bool		threshold_isnull;
	int64		threshold;
	bool		next_expiry_isnull;
	TimestampTz next_expiry;
	bool		last_counted_isnull;
	TimestampTz last_counted_at;
	TimestampTz updated_at;
} StockRow;

/* What a function tells the trigger about the movement it is about to cause */
typedef struct MovementContext
{
	const char *sku;
	const char *location;
	int16		slot;
	const char *kind;
	const char *reference;
	const char *reason;
	const char *actor;
	const char *idempotency_key;
	bool		has_transfer_id;
	int64		transfer_id;
	bool		record_zero;	/* write a movement even if nothing changed */
	bool		policy_change;	/* inv_configure may change the policy copy */
	bool		quiet;			/* stock moved between slots: no event */
} MovementContext;

extern MovementContext *inv_pending_movement;

typedef enum StockMissing
{
	STOCK_MISSING_ERROR,		/* unknown SKU or (sku, location) -> P0002 */
	STOCK_MISSING_CREATE,		/* create the SKU, location and row */
	STOCK_MISSING_CREATE_ROW,	/* SKU must exist; create location and row */
	STOCK_MISSING_CREATE_BACKORDER, /* create row only for backorder SKUs */
	STOCK_MISSING_OK			/* return exists = false */
} StockMissing;

/*
 * A place: every slot of one (sku, location), locked in slot order.  Most
 * (sku, location)s have one slot; a hot SKU configured with slots => N has N.
 * total sums the slots (what levels and results show); nrows is 0 if the row
 * does not exist (unknown, untracked or not created), total then carries the
 * SKU's policy.
 */
typedef struct Place
{
	int			nrows;
	StockRow   *rows;
	StockRow	total;
} Place;

extern void inv_lock_place(InvCall *call, const char *sku, const char *location,
						   StockMissing missing, Place *place);
extern void inv_init_stock_row(InvCall *call, StockRow *row, const char *sku,
							   const char *location);
extern void inv_read_stock_row(int i, StockRow *row);
extern void inv_insert_slot_row(InvCall *call, const StockRow *like, int16 slot);
extern bool inv_lock_place_nowait(InvCall *call, const char *sku,
								  const char *location, Place *place);
extern bool inv_lock_slot(InvCall *call, const char *sku, const char *location,
						  int16 slot, StockRow *row);
extern bool inv_pick_slot(InvCall *call, const char *sku, const char *location,
						  int64 qty, StockRow *row);
extern void inv_place_sum(Place *place);
extern int	inv_place_row_of_slot(const Place *place, int16 slot);
extern void inv_row_total(InvCall *call, const StockRow *row, StockRow *total);
extern void inv_expire_holds(InvCall *call, StockRow *row, const char *actor);
extern void inv_lock_policy_if_missing(const char *sku, const char **locations,
									   int nlocations);
extern void inv_apply_stock(InvCall *call, StockRow *row, int64 new_on_hand,
							int64 new_reserved, bool counted,
							MovementContext *ctx);
extern void inv_apply_stock_taking(InvCall *call, StockRow *row, int64 new_on_hand,
								   int64 new_reserved, MovementContext *ctx,
								   int64 hold_id, int64 take, const char *action);
extern void inv_movement_context_init(MovementContext *ctx, const StockRow *row,
									  const char *kind, const char *actor,
									  const char *idempotency_key);
extern void inv_reset_pending_movement(void);

/* ---------- hot-SKU slots: stock spread over a place's rows (slots.c) ---------- */
extern bool inv_known_slotted(const char *sku);
extern void inv_note_slots(const char *sku, int16 slots);
extern void inv_place_expire(InvCall *call, Place *place, const char *actor);
extern void inv_place_change_on_hand(InvCall *call, Place *place, int64 delta,
									 bool counted, const MovementContext *tmpl);
extern void inv_place_make_on_hand(InvCall *call, Place *place, int into,
								   int64 need, bool beyond_free, const char *actor);
extern void inv_reserve_stock(InvCall *call, const char *sku, const char *location,
							  StockMissing missing, int64 qty, const char *reference,
							  bool has_expiry, TimestampTz expires_at,
							  const char *notes, const char *actor,
							  const char *idempotency_key, bool for_order,
							  StockRow *total);
extern void inv_resize_slots(InvCall *call, const char *sku, int16 old_slots,
							 int16 new_slots, const char *actor);

/* ---------- holds (holds.c) ---------- */
typedef struct Hold
{
	int64		id;
	int64		qty;
	bool		found;
} Hold;

extern void inv_hold_add(InvCall *call, const StockRow *row, const char *reference,
						 int64 qty, bool has_expiry, TimestampTz expires_at,
						 const char *notes);
extern Hold inv_hold_find(const StockRow *row, const char *reference);
extern void inv_hold_take(InvCall *call, int64 hold_id, int64 qty, const char *action);
extern void inv_check_available(const StockRow *row, int64 qty,
								const char *reference, bool for_order);
extern void inv_reserve_row(InvCall *call, StockRow *row, const char *reference,
							int64 qty, bool has_expiry, TimestampTz expires_at,
							const char *notes, const char *actor,
							const char *idempotency_key, bool for_order);
extern void inv_settle_hold(InvCall *call, StockRow *row, const char *reference,
							Hold hold, bool qty_isnull, int64 qty, bool finalize,
							const char *reason, const char *actor,
							const char *idempotency_key);

/* The open holds of one reference at one (sku, location), in slot order */
typedef struct HoldSet
{
	int			n;
	int64	   *ids;
	int16	   *slots;
	int64	   *qtys;
	bool		backorder_slotted;	/* allow_backorder and slots > 1, as last read */
} HoldSet;

extern void inv_find_holds(const char *sku, const char *location,
						   const char *reference, HoldSet *set);
extern bool inv_settle_reference(InvCall *call, const char *sku,
								 const char *location, const char *reference,
								 const HoldSet *found, bool qty_isnull, int64 qty,
								 bool finalize, const char *reason,
								 const char *actor, const char *idempotency_key,
								 StockRow *total);

/* ---------- level type and status (level.c) ---------- */
extern int64 inv_effective_threshold(bool threshold_isnull, int64 threshold);
extern const char *inv_status(int64 available, bool track_inventory,
							  bool allow_backorder, bool threshold_isnull,
							  int64 threshold);
extern HeapTuple inv_level_tuple(TupleDesc tupdesc, const StockRow *row);
extern HeapTuple inv_level_result(InvCall *call, TupleDesc tupdesc, const StockRow *row);
extern TupleDesc inv_result_tupdesc(FunctionCallInfo fcinfo);

/* ---------- idempotency (idempotency.c) ---------- */
typedef struct IdemRequest
{
	const char *key;			/* NULL: no idempotency */
	const char *operation;
	StringInfoData args;		/* canonical arguments */
} IdemRequest;

extern void inv_idem_init(IdemRequest *req, const char *operation, const char *key);
extern void inv_idem_arg_text(IdemRequest *req, const char *value);
extern void inv_idem_arg_int64(IdemRequest *req, bool isnull, int64 value);
extern void inv_idem_arg_interval(IdemRequest *req, FunctionCallInfo fcinfo, int argno);
extern bool inv_begin_call(InvCall *call, IdemRequest *req, FunctionCallInfo fcinfo,
						   TupleDesc tupdesc, Datum *result);
extern Datum inv_end_call(InvCall *call, IdemRequest *req, HeapTuple *tuples,
						  int ntuples, TupleDesc tupdesc, bool set);

/* ---------- ledger (ledger.c) ---------- */
extern void inv_write_movement(const char *sku, const char *location, int16 slot,
							   const char *kind, int64 on_hand_delta,
							   int64 reserved_delta, int64 on_hand_after,
							   int64 reserved_after, const MovementContext *ctx);
extern void inv_ledger_sum(const char *sku, const char *location, int16 slot,
						   int64 *on_hand, int64 *reserved);

/* ---------- events (events.c) ---------- */
extern void inv_notify_status_change(const char *sku, const char *location,
									 const char *old_status, const char *new_status,
									 int64 available);

/* ---------- set-returning helpers (level.c) ---------- */
extern void inv_srf_put(FunctionCallInfo fcinfo, HeapTuple tuple);

#endif							/* INVSTOCK_H */
