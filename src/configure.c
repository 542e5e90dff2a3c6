/*
 * configure.c
 *		inv_configure: create a SKU and set its policy.
 *
 * track_inventory, allow_backorder and low_stock_threshold are copied onto
 * the SKU's stock rows
 * (the triggers read them there, and a function that locks a stock row sees
 * the newest policy).  inv_configure locks the SKU's policy row first
 * (FOR NO KEY UPDATE), and only if track_inventory, allow_backorder or
 * low_stock_threshold really changes, then every stock row of the SKU in
 * location order, then updates the copies.  The policy row comes before the SKU's stock rows in the lock
 * order of every function (see inv_lock_policy_if_missing in stockrow.c).
 * Turning backorders off while a row holds more than it has on hand fails
 * with 23514 (I2).
 */
#include "invstock.h"

#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(inv_configure);

static void
check_nonnegative(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (!PG_ARGISNULL(argno) && PG_GETARG_INT64(argno) < 0)
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("%s must not be negative", what),
				  errdetail("The value is " INT64_FORMAT ".", PG_GETARG_INT64(argno)));
}

/*
 * Events of a policy change: each (sku, location) whose status differs under
 * the old and the new policy (tracking, backorders, threshold) is notified.
 */
static void
notify_policy_change(const char *sku, bool old_track, bool old_backorder,
					 bool old_threshold_isnull, int64 old_threshold,
					 bool new_track, bool new_backorder,
					 bool new_threshold_isnull, int64 new_threshold)
{
	Datum		values[1];
	int			n;

	if (old_track == new_track && old_backorder == new_backorder &&
		old_threshold_isnull == new_threshold_isnull &&
		old_threshold == new_threshold)
		return;

	values[0] = CStringGetTextDatum(sku);
	n = inv_execute(PLAN_SKU_LEVELS, values, NULL, false, 0);
	for (int i = 0; i < n; i++)
	{
		char	   *location = inv_result_text(i, 1, CurrentMemoryContext);
		int64		available = inv_result_int64(i, 2, NULL) - inv_result_int64(i, 3, NULL);

		inv_notify_status_change(sku, location,
								 inv_status(available, old_track, old_backorder,
											old_threshold_isnull, old_threshold),
								 inv_status(available, new_track, new_backorder,
											new_threshold_isnull, new_threshold),
								 available);
	}
}

/*
 * inv_configure(sku, track_inventory, allow_backorder, low_stock_threshold,
 *				 reorder_point, reorder_quantity, slots)
 */
Datum
inv_configure(PG_FUNCTION_ARGS)
{
	char	   *sku = inv_arg_name(fcinfo, 0, "sku", true);
	TupleDesc	tupdesc = inv_result_tupdesc(fcinfo);
	bool		policy_change;
	int16		old_slots;
	int16		new_slots;
	char	   *actor;
	bool		old_track;
	bool		old_backorder;
	bool		old_threshold_isnull;
	int64		old_threshold;
	bool		new_track;
	bool		new_backorder;
	bool		new_threshold_isnull;
	int64		new_threshold;
	InvCall		call;
	Datum		values[8];
	char		nulls[8] = "        ";
	Datum	   *cols;
	bool	   *colnulls;
	HeapTuple	result;
	MemoryContext old;

	check_nonnegative(fcinfo, 3, "low_stock_threshold");
	check_nonnegative(fcinfo, 4, "reorder_point");
	check_nonnegative(fcinfo, 5, "reorder_quantity");
	if (!PG_ARGISNULL(6) && (PG_GETARG_INT32(6) < 1 || PG_GETARG_INT32(6) > 64))
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("slots must be between 1 and 64"),
				  errdetail("The value is %d.", PG_GETARG_INT32(6)));

	inv_call_begin(&call);

	values[0] = CStringGetTextDatum(sku);
	inv_execute(PLAN_INSERT_SKU, values, NULL, false, 0);

	/* the policy row first, then the stock rows: see inv_lock_policy_if_missing */
	if (inv_execute(PLAN_POLICY_FOR_UPDATE, values, NULL, false, 1) != 1)
		elog(ERROR, "SKU \"%s\" vanished", sku);
	old_track = inv_result_bool(0, 1, NULL);
	old_backorder = inv_result_bool(0, 2, NULL);
	old_threshold = inv_result_int64(0, 3, &old_threshold_isnull);
	old_slots = (int16) inv_result_int64(0, 4, NULL);
	policy_change =
		(!PG_ARGISNULL(1) && PG_GETARG_BOOL(1) != old_track) ||
		(!PG_ARGISNULL(2) && PG_GETARG_BOOL(2) != old_backorder) ||
		(!PG_ARGISNULL(3) && (old_threshold_isnull ||
							  PG_GETARG_INT64(3) != old_threshold));

	for (int i = 1; i <= 6; i++)
	{
		if (PG_ARGISNULL(i))
			nulls[i] = 'n';
		else
			values[i] = PG_GETARG_DATUM(i);
	}
	values[7] = TimestampTzGetDatum(call.now);
	if (inv_execute(PLAN_CONFIGURE_SKU, values, nulls, false, 0) != 1)
		elog(ERROR, "SKU \"%s\" vanished", sku);

	/*
	 * Build the result by column name, not position: the row type of
	 * invstock.sku may have dropped columns that RETURNING * leaves out.
	 */
	old = MemoryContextSwitchTo(call.caller_cxt);
	cols = palloc0(sizeof(Datum) * tupdesc->natts);
	colnulls = palloc(sizeof(bool) * tupdesc->natts);
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);
		int			col;

		colnulls[i] = true;
		if (attr->attisdropped)
			continue;
		col = SPI_fnumber(SPI_tuptable->tupdesc, NameStr(attr->attname));
		if (col <= 0)
			elog(ERROR, "invstock.sku has no column \"%s\"", NameStr(attr->attname));
		cols[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col,
								&colnulls[i]);
	}
	result = heap_form_tuple(tupdesc, cols, colnulls);
	MemoryContextSwitchTo(old);
	new_track = inv_result_bool(0, SPI_fnumber(SPI_tuptable->tupdesc, "track_inventory"), NULL);
	new_backorder = inv_result_bool(0, SPI_fnumber(SPI_tuptable->tupdesc, "allow_backorder"), NULL);
	new_threshold = inv_result_int64(0, SPI_fnumber(SPI_tuptable->tupdesc, "low_stock_threshold"),
									 &new_threshold_isnull);
	new_slots = (int16) inv_result_int64(0, SPI_fnumber(SPI_tuptable->tupdesc, "slots"), NULL);
	actor = inv_actor(NULL, call.caller_userid, call.caller_cxt);

	/* every stock row of the SKU, in (location, slot) order */
	if (policy_change || (new_slots != old_slots && inv_stock_has_slots()))
	{
		values[0] = CStringGetTextDatum(sku);
		inv_execute(PLAN_LOCK_SKU_STOCK, values, NULL, false, 0);
	}

	if (policy_change)
	{
		MovementContext ctx;
		StockRow	key;

		memset(&key, 0, sizeof(key));
		key.sku = sku;
		inv_movement_context_init(&ctx, &key, NULL, NULL, NULL);
		ctx.location = NULL;	/* every row of the SKU */
		ctx.actor = actor;
		ctx.policy_change = true;
		values[1] = BoolGetDatum(new_track);
		values[2] = BoolGetDatum(new_backorder);
		values[3] = Int64GetDatum(new_threshold);
		nulls[1] = nulls[2] = ' ';
		nulls[3] = new_threshold_isnull ? 'n' : ' ';
		inv_pending_movement = &ctx;
		inv_execute(PLAN_SET_STOCK_POLICY, values, nulls, false, 0);
		inv_pending_movement = NULL;
	}

	/* before 1.2 the count was only stored: ALTER EXTENSION UPDATE acts on it */
	if (new_slots != old_slots && inv_stock_has_slots())
		inv_resize_slots(&call, sku, old_slots, new_slots, actor);
	notify_policy_change(sku, old_track, old_backorder, old_threshold_isnull,
						 old_threshold, new_track, new_backorder,
						 new_threshold_isnull, new_threshold);

	inv_call_end(&call);
	return HeapTupleGetDatum(result);
}
