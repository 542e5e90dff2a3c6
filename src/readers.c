/*
 * readers.c
 *		inv_level and inv_level_at: the STABLE readers (callable read-only,
 *		through PostgREST's GET, and on a hot standby).
 */
#include "invstock.h"

#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(inv_level);
PG_FUNCTION_INFO_V1(inv_level_at);

/* Read the SKU policy into row, or raise 22... P0002 for an unknown SKU */
static void
require_policy(StockRow *row)
{
	Datum		values[1];

	values[0] = CStringGetTextDatum(row->sku);
	if (inv_execute(PLAN_POLICY, values, NULL, true, 1) == 0)
		INV_ERROR(ERRCODE_NO_DATA_FOUND,
				  errmsg("unknown SKU \"%s\"", row->sku));
	row->track_inventory = inv_result_bool(0, 1, NULL);
	row->allow_backorder = inv_result_bool(0, 2, NULL);
	row->threshold = inv_result_int64(0, 3, &row->threshold_isnull);
}

static void
init_row(StockRow *row, char *sku, char *location)
{
	memset(row, 0, sizeof(StockRow));
	row->sku = sku;
	row->location = location;
	row->threshold_isnull = true;
	row->next_expiry_isnull = true;
	row->last_counted_isnull = true;
}

/*
 * inv_level(sku, location)
 */
Datum
inv_level(PG_FUNCTION_ARGS)
{
	char	   *sku = inv_arg_name(fcinfo, 0, "sku", true);
	char	   *location = inv_arg_location(fcinfo, 1, "location");
	TupleDesc	tupdesc = inv_result_tupdesc(fcinfo);
	InvCall		call;
	StockRow	row;
	Datum		values[2];
	HeapTuple	result;
	MemoryContext old;

	init_row(&row, sku, location);
	inv_call_begin(&call);
	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	if (inv_execute(PLAN_LEVEL, values, NULL, true, 1) == 1)
	{
		row.exists = true;
		row.on_hand = inv_result_int64(0, 1, NULL);
		row.reserved = inv_result_int64(0, 2, NULL);
		row.track_inventory = inv_result_bool(0, 3, NULL);
		row.allow_backorder = inv_result_bool(0, 4, NULL);
		row.threshold = inv_result_int64(0, 5, &row.threshold_isnull);
		row.updated_at = inv_result_timestamptz(0, 6, NULL);
	}
	else
	{
		require_policy(&row);
		if (row.track_inventory)
			INV_ERROR(ERRCODE_NO_DATA_FOUND,
					  errmsg("SKU \"%s\" has no stock at location \"%s\"", sku, location));
	}

	old = MemoryContextSwitchTo(call.caller_cxt);
	result = inv_level_tuple(tupdesc, &row);
	MemoryContextSwitchTo(old);
	inv_call_end(&call);
	return HeapTupleGetDatum(result);
}

/*
 * inv_level_at(sku, location, at): sums of the ledger up to and including at.
 * updated_at is the time of the last movement at or before at (NULL if none).
 */
Datum
inv_level_at(PG_FUNCTION_ARGS)
{
	char	   *sku = inv_arg_name(fcinfo, 0, "sku", true);
	char	   *location = inv_arg_location(fcinfo, 1, "location");
	TupleDesc	tupdesc = inv_result_tupdesc(fcinfo);
	InvCall		call;
	StockRow	row;
	Datum		values[3];
	bool		last_isnull;
	HeapTuple	result;
	MemoryContext old;

	inv_require_arg(fcinfo, 2, "at");
	init_row(&row, sku, location);
	inv_call_begin(&call);
	require_policy(&row);
	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	values[2] = PG_GETARG_DATUM(2);
	inv_execute(PLAN_LEVEL_AT, values, NULL, true, 1);
	row.on_hand = inv_result_int64(0, 1, NULL);
	row.reserved = inv_result_int64(0, 2, NULL);
	row.updated_at = inv_result_timestamptz(0, 3, &last_isnull);
	row.exists = !last_isnull;

	old = MemoryContextSwitchTo(call.caller_cxt);
	result = inv_level_tuple(tupdesc, &row);
	MemoryContextSwitchTo(old);
	inv_call_end(&call);
	return HeapTupleGetDatum(result);
}
