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
				allow_backorder;
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

/*
 * Read the SKU's policy for a direct write: its low-stock threshold into
 * *ctx, and, for a direct INSERT (check_copy), a check that the row carries
 * the policy's track_inventory and allow_backorder.
 */
static void
read_policy(const StockValues *v, bool check_copy, MovementContext *ctx)
{
	Datum		values[1];

	values[0] = CStringGetTextDatum(v->sku);
	if (inv_execute(PLAN_POLICY, values, NULL, false, 1) == 0)
		return;					/* the foreign key reports the unknown SKU */
	ctx->threshold = inv_result_int64(0, 3, &ctx->threshold_isnull);
	ctx->threshold_known = true;
	if (check_copy &&
		(inv_result_bool(0, 1, NULL) != v->track_inventory ||
		 inv_result_bool(0, 2, NULL) != v->allow_backorder))
		INV_ERROR(ERRCODE_CHECK_VIOLATION,
				  errmsg("track_inventory and allow_backorder of a stock row must match the policy of SKU \"%s\"",
						 v->sku),
				  errhint("Set them as in invstock.sku, and change the policy with inv_configure."));
}

static const char *
values_status(const StockValues *v, bool zero, const MovementContext *ctx)
{
	int64		available = zero ? 0 : v->on_hand - v->reserved;

	return inv_status(available, v->track_inventory, v->allow_backorder,
					  ctx->threshold_isnull, ctx->threshold);
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
	ctx = context_for(row);

	if (is_update)
	{
		if (strcmp(oldv.sku, newv.sku) != 0 ||
			strcmp(oldv.location, newv.location) != 0 || oldv.slot != newv.slot)
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("the sku, location and slot of a stock row cannot change"),
					  errdetail("SKU \"%s\" at location \"%s\".", oldv.sku, oldv.location),
					  errhint("Move stock with inv_transfer, or adjust both rows."));
		if ((oldv.track_inventory != newv.track_inventory ||
			 oldv.allow_backorder != newv.allow_backorder) &&
			(ctx == NULL || !ctx->policy_change))
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("track_inventory and allow_backorder of SKU \"%s\" can only be changed with inv_configure",
							 newv.sku));
	}

	if (ctx == NULL)
	{
		memset(&direct, 0, sizeof(direct));
		direct.kind = "direct";
		direct.actor = inv_actor(NULL, caller, CurrentMemoryContext);
		direct.threshold_isnull = true;
		ctx = &direct;
	}

	/*
	 * A direct write reads the SKU's policy (its threshold, for the events);
	 * a direct INSERT must also carry the policy before its copy of
	 * track_inventory/allow_backorder can be trusted.
	 */
	if (!ctx->threshold_known)
	{
		inv_call_begin(&call);
		connected = true;
		read_policy(row, is_insert && ctx == &direct, ctx);
	}

	/*
	 * Into or out of low_stock, out_of_stock, on_backorder: NOTIFY.  A
	 * policy change (inv_configure) sends its own events, for the whole
	 * (sku, location) with the old and the new policy.
	 */
	if (!ctx->policy_change)
		inv_notify_status_change(row->sku, row->location,
								 is_insert ? values_status(&newv, true, ctx) :
								 values_status(&oldv, false, ctx),
								 is_delete ? values_status(&oldv, true, ctx) :
								 values_status(&newv, false, ctx),
								 is_delete ? 0 : newv.on_hand - newv.reserved);

	/* an untracked SKU: nothing is enforced and nothing is recorded */
	if (!row->track_inventory)
	{
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

	/* row creation or policy change by a function: checked, nothing to record */
	if (ctx->kind == NULL)
	{
		if (connected)
			inv_call_end(&call);
		return PointerGetDatum(NULL);
	}

	if (!connected)
		inv_call_begin(&call);
	if (is_insert)
	{
		int64		ledger_on_hand = 0;
		int64		ledger_reserved = 0;

		/* record only what the ledger does not already account for */
		if (ctx == &direct)
			inv_ledger_sum(newv.sku, newv.location, newv.slot,
						   &ledger_on_hand, &ledger_reserved);
		on_hand_delta = newv.on_hand - ledger_on_hand;
		reserved_delta = newv.reserved - ledger_reserved;
	}
	else if (is_update)
	{
		on_hand_delta = newv.on_hand - oldv.on_hand;
		reserved_delta = newv.reserved - oldv.reserved;
	}
	else
	{
		on_hand_delta = -oldv.on_hand;
		reserved_delta = -oldv.reserved;
	}

	if (on_hand_delta != 0 || reserved_delta != 0 || ctx->record_zero)
		inv_write_movement(row->sku, row->location, row->slot, ctx->kind,
						   on_hand_delta, reserved_delta,
						   is_delete ? 0 : newv.on_hand,
						   is_delete ? 0 : newv.reserved, ctx);
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
