/*
 * triggers.c
 *		The triggers that hold every writer to the invariants.
 *
 * stock_guard (AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW, a constraint
 * trigger on invstock.stock) enforces I1 (on_hand >= 0, reserved >= 0) and I2
 * (reserved <= on_hand unless the SKU allows backorders), refuses changes of
 * a row's key and of its policy copy outside inv_configure, and writes the
 * movement of every change.  The movement's kind, reference, reason, actor
 * and idempotency key come from the MovementContext the calling function
 * published; a change with no context (a DBA's direct write) is recorded as
 * kind 'direct'.  A direct INSERT records only what its ledger does not
 * already account for, so restoring a dump (which re-inserts rows whose
 * movements are restored too) adds nothing to the ledger.
 *
 * movement_append_only refuses UPDATE, DELETE and TRUNCATE of the ledger;
 * stock_no_truncate refuses TRUNCATE of the stock table (it fires no row
 * trigger, so it would remove stock and holds' units without a movement).
 */
#include "invstock.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(inv_stock_guard);
PG_FUNCTION_INFO_V1(inv_movement_append_only);
PG_FUNCTION_INFO_V1(inv_stock_no_truncate);

/* Column numbers of invstock.stock, looked up once per relation */
typedef struct StockAttnums
{
	Oid			relid;
	int			natts;
	int			sku,
				location,
				slot,
				on_hand,
				reserved,
				track_inventory,
				allow_backorder,
				low_stock_threshold,
				slots,
				last_movement_at;
} StockAttnums;

static StockAttnums attnums = {InvalidOid};

typedef struct StockValues
{
	char	   *sku;
	char	   *location;
	int16		slot;
	int64		on_hand;
	int64		reserved;
	bool		track_inventory;
	bool		allow_backorder;
	bool		threshold_isnull;
	int64		threshold;
	int16		slots;
	bool		last_movement_isnull;
	TimestampTz last_movement_at;
} StockValues;

static int
attnum_of(TupleDesc td, const char *name)
{
	int			n = SPI_fnumber(td, name);

	if (n <= 0)
		elog(ERROR, "invstock.stock has no column \"%s\"", name);
	return n;
}

static void
load_attnums(Relation rel)
{
	TupleDesc	td = RelationGetDescr(rel);

	if (attnums.relid == RelationGetRelid(rel) && attnums.natts == td->natts)
		return;
	attnums.sku = attnum_of(td, "sku");
	attnums.location = attnum_of(td, "location");
	attnums.slot = attnum_of(td, "slot");
	attnums.on_hand = attnum_of(td, "on_hand");
	attnums.reserved = attnum_of(td, "reserved");
	attnums.track_inventory = attnum_of(td, "track_inventory");
	attnums.allow_backorder = attnum_of(td, "allow_backorder");
	attnums.low_stock_threshold = attnum_of(td, "low_stock_threshold");
	attnums.slots = SPI_fnumber(td, "slots");	/* none before version 1.2 */
	attnums.last_movement_at = SPI_fnumber(td, "last_movement_at");	/* 1.3 */
	if (attnums.last_movement_at > 0 &&
		TupleDescAttr(td, attnums.last_movement_at - 1)->atttypid != TIMESTAMPTZOID)
		elog(ERROR, "invstock.stock column \"last_movement_at\" is not of type timestamptz");
	attnums.natts = td->natts;
	attnums.relid = RelationGetRelid(rel);
}

static Datum
get_col(HeapTuple tuple, TupleDesc td, int attnum)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, attnum, td, &isnull);

	if (isnull)
		elog(ERROR, "invstock.stock column %d is null", attnum);
	return d;
}

static void
read_values(HeapTuple tuple, TupleDesc td, StockValues *v)
{
	v->sku = TextDatumGetCString(get_col(tuple, td, attnums.sku));
	v->location = TextDatumGetCString(get_col(tuple, td, attnums.location));
	v->slot = DatumGetInt16(get_col(tuple, td, attnums.slot));
	v->on_hand = DatumGetInt64(get_col(tuple, td, attnums.on_hand));
	v->reserved = DatumGetInt64(get_col(tuple, td, attnums.reserved));
	v->track_inventory = DatumGetBool(get_col(tuple, td, attnums.track_inventory));
	v->allow_backorder = DatumGetBool(get_col(tuple, td, attnums.allow_backorder));
	v->threshold = DatumGetInt64(heap_getattr(tuple, attnums.low_stock_threshold, td,
											  &v->threshold_isnull));
	if (v->threshold_isnull)
		v->threshold = 0;
	v->slots = attnums.slots > 0 ? DatumGetInt16(get_col(tuple, td, attnums.slots)) : 1;
	v->last_movement_isnull = true;
	v->last_movement_at = 0;
	if (attnums.last_movement_at > 0)
		v->last_movement_at = DatumGetTimestampTz(heap_getattr(tuple, attnums.last_movement_at,
															   td, &v->last_movement_isnull));
}

/* Do two rows carry different copies of the SKU policy? */
static bool
policy_differs(const StockValues *a, const StockValues *b)
{
	return a->track_inventory != b->track_inventory ||
		a->allow_backorder != b->allow_backorder ||
		a->threshold_isnull != b->threshold_isnull ||
		a->threshold != b->threshold ||
		a->slots != b->slots;
}

/* The pending context if it was published for this row */
static MovementContext *
context_for(const StockValues *v)
{
	MovementContext *ctx = inv_pending_movement;

	if (ctx == NULL || strcmp(ctx->sku, v->sku) != 0)
		return NULL;
	if (ctx->location != NULL &&
		(strcmp(ctx->location, v->location) != 0 || ctx->slot != v->slot))
		return NULL;
	return ctx;
}

/* I1 and I2 on the new values of a row */
static void
check_invariants(const StockValues *v)
{
	if (v->on_hand < 0)
		INV_ERROR(ERRCODE_CHECK_VIOLATION,
				  errmsg("on_hand of SKU \"%s\" at location \"%s\" cannot be negative",
						 v->sku, v->location),
				  errdetail("on_hand would be " INT64_FORMAT ".", v->on_hand));
	if (v->reserved < 0)
		INV_ERROR(ERRCODE_CHECK_VIOLATION,
				  errmsg("reserved of SKU \"%s\" at location \"%s\" cannot be negative",
						 v->sku, v->location),
				  errdetail("reserved would be " INT64_FORMAT ".", v->reserved));
	if (v->reserved > v->on_hand && !v->allow_backorder)
		INV_ERROR(ERRCODE_CHECK_VIOLATION,
				  errmsg("reserved of SKU \"%s\" at location \"%s\" cannot exceed on_hand",
						 v->sku, v->location),
				  errdetail("on_hand would be " INT64_FORMAT ", reserved " INT64_FORMAT ".",
							v->on_hand, v->reserved),
				  errhint("Release or finalize holds first, or allow backorders for this SKU."));
}

/* A direct INSERT must carry the SKU's policy */
static void
check_policy_copy(const StockValues *v)
{
	Datum		values[1];
	StockValues policy = *v;

	/* FOR SHARE: inv_configure cannot change the policy until we commit */
	values[0] = CStringGetTextDatum(v->sku);
	if (inv_execute(PLAN_POLICY_SHARE, values, NULL, false, 1) == 0)
		return;					/* the foreign key reports the unknown SKU */
	policy.track_inventory = inv_result_bool(0, 1, NULL);
	policy.allow_backorder = inv_result_bool(0, 2, NULL);
	policy.threshold = inv_result_int64(0, 3, &policy.threshold_isnull);
	if (policy.threshold_isnull)
		policy.threshold = 0;
	policy.slots = attnums.slots > 0 ? (int16) inv_result_int64(0, 4, NULL) : 1;
	if (policy_differs(&policy, v))
		INV_ERROR(ERRCODE_CHECK_VIOLATION,
				  errmsg("track_inventory, allow_backorder, low_stock_threshold and slots of a stock row must match the policy of SKU \"%s\"",
						 v->sku),
				  errhint("Set them as in invstock.sku, and change the policy with inv_configure."));
}

/*
 * Connect to SPI for the trigger's own queries, once.  Fired by an invstock
 * function's statement, it already runs as the owner with search_path
 * pinned; a direct write needs the full switch.
 */
static void
trigger_connect(InvCall *call, bool *connected, bool in_function)
{
	if (*connected)
		return;
	if (in_function)
		inv_call_begin_nested(call);
	else
		inv_call_begin(call);
	*connected = true;
}

static const char *
available_status(int64 available, const StockValues *policy)
{
	return inv_status(available, policy->track_inventory, policy->allow_backorder,
					  policy->threshold_isnull, policy->threshold);
}

/*
 * Tell listeners if the change of one row moved its (sku, location) into or
 * out of a watched status.  oldv is NULL for an INSERT, newv for a DELETE (a
 * missing row counts as nothing available).  For a hot SKU the status is
 * that of the sum of the slots: the others as last committed.
 */
static void
notify_change(const StockValues *oldv, const StockValues *newv,
			  const StockValues *row, InvCall *call, bool *connected,
			  bool in_function)
{
	int64		old_available = oldv ? oldv->on_hand - oldv->reserved : 0;
	int64		new_available = newv ? newv->on_hand - newv->reserved : 0;

	/*
	 * Without backorders no slot has negative availability, so a slot above
	 * the low-stock threshold before and after its change puts the total
	 * above it too: in_stock both times, nothing to tell, no query.
	 */
	if (row->slots > 1 && row->track_inventory && !row->allow_backorder &&
		old_available > inv_effective_threshold(row->threshold_isnull, row->threshold) &&
		new_available > inv_effective_threshold(row->threshold_isnull, row->threshold))
		return;
	if (row->slots > 1)
	{
		Datum		values[2];
		int64		total;

		trigger_connect(call, connected, in_function);
		values[0] = CStringGetTextDatum(row->sku);
		values[1] = CStringGetTextDatum(row->location);
		inv_execute(PLAN_PLACE_SUM, values, NULL, false, 1);
		total = inv_sub_checked(inv_result_int64(0, 1, NULL), inv_result_int64(0, 2, NULL),
								row->sku, row->location, "available");
		old_available = inv_sub_checked(total,
										inv_sub_checked(new_available, old_available,
														row->sku, row->location, "available"),
										row->sku, row->location, "available");
		new_available = total;
	}
	inv_notify_status_change(row->sku, row->location,
							 available_status(old_available, row),
							 available_status(new_available, row),
							 new_available);
}

/*
 * The row whose last_movement_at inv_set_last_movement is writing: the
 * trigger's firing for that one UPDATE is skipped, as it changes nothing else.
 */
static struct
{
	const char *sku;
	const char *location;
	int16		slot;
} correcting;

/*
 * Set last_movement_at of a stock row (version 1.3 tables; a no-op before)
 * to at, or with only_later to at if that is later, without the checks of a
 * direct write: for the trigger below, and for inv_sync when it writes a
 * movement of a row that it does not change.  The caller is connected to
 * SPI, runs as the owner and holds the row's lock.
 */
void
inv_set_last_movement(const char *sku, const char *location, int16 slot,
					  bool isnull, TimestampTz at, bool only_later)
{
	Datum		values[4];
	char		nulls[4] = "    ";

	if (!inv_stock_has_last_movement())
		return;
	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	values[2] = Int16GetDatum(slot);
	values[3] = TimestampTzGetDatum(at);
	if (isnull)
		nulls[3] = 'n';
	correcting.sku = sku;
	correcting.location = location;
	correcting.slot = slot;
	PG_TRY();
	{
		inv_execute(only_later ? PLAN_ADD_LAST_MOVEMENT : PLAN_SET_LAST_MOVEMENT,
					values, nulls, false, 0);
	}
	PG_FINALLY();
	{
		correcting.sku = NULL;
	}
	PG_END_TRY();
}

/*
 * Version 1.3 keeps on each stock row the latest at of its movements
 * (last_movement_at, shown by the levels view, so that no reader has to
 * search the ledger for it; at is the transaction's start, so a transaction
 * that waited for the row may write an earlier at than the one before it).
 * The functions' own statements set it when they cause a movement (plans.c,
 * LAST_MOVEMENT_IF); here it is put right for any other change: the later
 * of what the row had and the movement's at if the change wrote one, else
 * what the row had (a direct write cannot set it by hand; a direct INSERT
 * that writes no movement, as in a restore, keeps what it was given).
 * Putting it right is one more UPDATE of the row, for a DBA's direct write
 * or a row created with a ledger catch-up, not on the functions' hot paths.
 */
static void
keep_last_movement_at(const StockValues *oldv, const StockValues *newv, bool moved,
					  InvCall *call, bool *connected, bool in_function)
{
	bool		want_null;
	TimestampTz want;

	if (attnums.last_movement_at <= 0)
		return;					/* tables of version 1.2 or older */
	if (moved)
	{
		want_null = false;
		want = GetCurrentTransactionStartTimestamp();
		if (oldv != NULL && !oldv->last_movement_isnull && oldv->last_movement_at > want)
			want = oldv->last_movement_at;
	}
	else if (oldv != NULL)
	{
		want_null = oldv->last_movement_isnull;
		want = oldv->last_movement_at;
	}
	else
		return;
	if (newv->last_movement_isnull == want_null &&
		(want_null || newv->last_movement_at == want))
		return;

	trigger_connect(call, connected, in_function);
	inv_set_last_movement(newv->sku, newv->location, newv->slot, want_null, want, false);
}

/* Is this the firing of keep_last_movement_at's own UPDATE? */
static bool
is_correction(const StockValues *oldv, const StockValues *newv)
{
	return correcting.sku != NULL &&
		strcmp(correcting.sku, newv->sku) == 0 &&
		strcmp(correcting.location, newv->location) == 0 &&
		correcting.slot == newv->slot &&
		oldv->on_hand == newv->on_hand && oldv->reserved == newv->reserved &&
		!policy_differs(oldv, newv);
}

Datum
inv_stock_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	td;
	StockValues oldv;
	StockValues newv;
	const StockValues *row;
	bool		is_insert,
				is_update,
				is_delete;
	MovementContext *ctx;
	MovementContext direct;
	int64		on_hand_delta;
	int64		reserved_delta;
	bool		moved;
	InvCall		call;
	bool		connected = false;
	Oid			caller = GetUserId();

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "stock_guard: not called by trigger manager");
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "stock_guard: must be fired AFTER ... FOR EACH ROW");

	is_insert = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	is_delete = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	if (!is_insert && !is_update && !is_delete)
		elog(ERROR, "stock_guard: must be fired by INSERT, UPDATE or DELETE");

	load_attnums(trigdata->tg_relation);
	td = RelationGetDescr(trigdata->tg_relation);

	if (is_insert)
		read_values(trigdata->tg_trigtuple, td, &newv);
	else
		read_values(trigdata->tg_trigtuple, td, &oldv);
	if (is_update)
		read_values(trigdata->tg_newtuple, td, &newv);
	row = is_delete ? &oldv : &newv;
	if (is_update && is_correction(&oldv, &newv))
		return PointerGetDatum(NULL);
	ctx = context_for(row);

	if (is_update)
	{
		if (strcmp(oldv.sku, newv.sku) != 0 ||
			strcmp(oldv.location, newv.location) != 0 || oldv.slot != newv.slot)
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("the sku, location and slot of a stock row cannot change"),
					  errdetail("SKU \"%s\" at location \"%s\".", oldv.sku, oldv.location),
					  errhint("Move stock with inv_transfer, or adjust both rows."));
		if (policy_differs(&oldv, &newv) && (ctx == NULL || !ctx->policy_change))
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("track_inventory, allow_backorder, low_stock_threshold and slots of SKU \"%s\" can only be changed with inv_configure",
							 newv.sku));
	}

	if (!is_delete && (row->slot < 0 || row->slot >= row->slots))
		INV_ERROR(ERRCODE_CHECK_VIOLATION,
				  errmsg("slot %d of SKU \"%s\" at location \"%s\" is out of range",
						 row->slot, row->sku, row->location),
				  errdetail("The SKU has %d slots, numbered from 0.", row->slots),
				  errhint("Change the number of slots with inv_configure."));

	if (ctx == NULL)
	{
		memset(&direct, 0, sizeof(direct));
		direct.kind = "direct";
		direct.actor = inv_actor(NULL, caller, CurrentMemoryContext);
		ctx = &direct;
	}

	/* a direct INSERT must carry the policy before its copy can be trusted */
	if (is_insert && ctx == &direct)
	{
		trigger_connect(&call, &connected, false);
		check_policy_copy(&newv);
	}

	/*
	 * Into or out of low_stock, out_of_stock, on_backorder: NOTIFY.  A
	 * policy change (inv_configure) sends its own events, for the whole
	 * (sku, location) with the old and the new policy; units moved between
	 * the slots of a (sku, location) change nothing a listener can see.
	 */
	if (!ctx->policy_change && !ctx->quiet)
		notify_change(is_insert ? NULL : &oldv, is_delete ? NULL : &newv, row,
					  &call, &connected, ctx != &direct);

	/* an untracked SKU: nothing is enforced and nothing is recorded */
	if (!row->track_inventory)
	{
		if (!is_delete)
			keep_last_movement_at(is_update ? &oldv : NULL, &newv, false,
								  &call, &connected, ctx != &direct);
		if (connected)
			inv_call_end(&call);
		return PointerGetDatum(NULL);
	}

	if (is_delete)
	{
		if (oldv.reserved != 0)
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("cannot delete the stock row of SKU \"%s\" at location \"%s\" while units are reserved",
							 oldv.sku, oldv.location),
					  errdetail("reserved is " INT64_FORMAT ".", oldv.reserved),
					  errhint("Release or finalize its holds first."));
	}
	else
		check_invariants(&newv);

	/*
	 * Row creation or policy change by a function: nothing happened to the
	 * stock, but the ledger may have to catch up with the row when a
	 * function creates it (its (sku, location) may have a history) or when
	 * its SKU is tracked again (direct writes while untracked are not
	 * recorded): a 'sync' movement of the difference keeps I4.
	 */
	if (ctx->kind == NULL)
	{
		bool		caught_up = false;

		if (is_insert || (is_update && !oldv.track_inventory))
		{
			int64		ledger_on_hand;
			int64		ledger_reserved;

			trigger_connect(&call, &connected, ctx != &direct);
			inv_ledger_sum(newv.sku, newv.location, newv.slot,
						   &ledger_on_hand, &ledger_reserved);
			on_hand_delta = inv_sub_checked(newv.on_hand, ledger_on_hand,
											newv.sku, newv.location, "on_hand");
			reserved_delta = inv_sub_checked(newv.reserved, ledger_reserved,
											 newv.sku, newv.location, "reserved");
			if (on_hand_delta != 0 || reserved_delta != 0)
			{
				MovementContext catchup;

				memset(&catchup, 0, sizeof(catchup));
				catchup.actor = ctx->actor ? ctx->actor :
					inv_actor(NULL, caller, CurrentMemoryContext);
				catchup.reason = "ledger brought in line with the stock row";
				inv_write_movement(newv.sku, newv.location, newv.slot, "sync",
								   on_hand_delta, reserved_delta,
								   newv.on_hand, newv.reserved, &catchup);
				caught_up = true;
			}
		}
		if (!is_delete)
			keep_last_movement_at(is_update ? &oldv : NULL, &newv, caught_up,
								  &call, &connected, ctx != &direct);
		if (connected)
			inv_call_end(&call);
		return PointerGetDatum(NULL);
	}

	/*
	 * Writing the movement needs no connection here (ledger.c inserts it
	 * directly, or connects itself), so a change made by an invstock
	 * function, which already runs as the owner, does not connect at all.
	 * A DBA's direct write switches to the owner, and may read the ledger.
	 */
	if (ctx == &direct)
		trigger_connect(&call, &connected, false);
	if (is_insert)
	{
		int64		ledger_on_hand = 0;
		int64		ledger_reserved = 0;

		/* record only what the ledger does not already account for */
		if (ctx == &direct)
			inv_ledger_sum(newv.sku, newv.location, newv.slot,
						   &ledger_on_hand, &ledger_reserved);
		on_hand_delta = inv_sub_checked(newv.on_hand, ledger_on_hand,
										newv.sku, newv.location, "on_hand");
		reserved_delta = inv_sub_checked(newv.reserved, ledger_reserved,
										 newv.sku, newv.location, "reserved");
	}
	else if (is_update)
	{
		on_hand_delta = inv_sub_checked(newv.on_hand, oldv.on_hand,
										newv.sku, newv.location, "on_hand");
		reserved_delta = inv_sub_checked(newv.reserved, oldv.reserved,
										 newv.sku, newv.location, "reserved");
	}
	else
	{
		on_hand_delta = inv_sub_checked(0, oldv.on_hand,
										oldv.sku, oldv.location, "on_hand");
		reserved_delta = inv_sub_checked(0, oldv.reserved,
										 oldv.sku, oldv.location, "reserved");
	}

	moved = on_hand_delta != 0 || reserved_delta != 0 || ctx->record_zero;
	if (moved)
		inv_write_movement(row->sku, row->location, row->slot, ctx->kind,
						   on_hand_delta, reserved_delta,
						   is_delete ? 0 : newv.on_hand,
						   is_delete ? 0 : newv.reserved, ctx);
	if (!is_delete)
		keep_last_movement_at(is_update ? &oldv : NULL, &newv, moved,
							  &call, &connected, ctx != &direct);
	if (connected)
		inv_call_end(&call);

	return PointerGetDatum(NULL);
}

Datum
inv_movement_append_only(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *op;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "movement_append_only: not called by trigger manager");
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		elog(ERROR, "movement_append_only: must be fired BEFORE");

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		op = "UPDATE";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		op = "DELETE";
	else if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		op = "TRUNCATE";
	else
		elog(ERROR, "movement_append_only: must be fired by UPDATE, DELETE or TRUNCATE");

	INV_ERROR(ERRCODE_INSUFFICIENT_PRIVILEGE,
			  errmsg("invstock.movement is append-only"),
			  errdetail("%s of a movement is not allowed, for any role.", op),
			  errhint("Correct stock with a new movement, for example with inv_adjust."));
	return PointerGetDatum(NULL);
}

Datum
inv_stock_no_truncate(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "stock_no_truncate: not called by trigger manager");
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		elog(ERROR, "stock_no_truncate: must be fired BEFORE TRUNCATE");

	INV_ERROR(ERRCODE_INSUFFICIENT_PRIVILEGE,
			  errmsg("TRUNCATE of invstock.stock is not allowed"),
			  errdetail("It would remove stock without writing movements."),
			  errhint("Count the stock to zero with inv_count, or DELETE rows one by one (each is recorded)."));
	return PointerGetDatum(NULL);
}
