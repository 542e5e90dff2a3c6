/*
 * level.c
 *		The invstock.level type: stock status, low-stock test, building level
 *		tuples, and the SQL helpers level_status/level_is_low used by the views
 *		(one implementation of the status rules for C and SQL alike).
 */
#include "invstock.h"

#include "common/int.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(inv_level_status_sql);
PG_FUNCTION_INFO_V1(inv_level_is_low_sql);

int64
inv_effective_threshold(bool threshold_isnull, int64 threshold)
{
	return threshold_isnull ? (int64) inv_low_stock_threshold : threshold;
}

static bool
inv_is_low(int64 available, bool threshold_isnull, int64 threshold)
{
	return available <= inv_effective_threshold(threshold_isnull, threshold);
}

/* Status, in the contract's order of precedence */
const char *
inv_status(int64 available, bool track_inventory, bool allow_backorder,
		   bool threshold_isnull, int64 threshold)
{
	if (!track_inventory)
		return "untracked";
	if (available <= 0)
		return allow_backorder ? "on_backorder" : "out_of_stock";
	if (inv_is_low(available, threshold_isnull, threshold))
		return "low_stock";
	return "in_stock";
}

/* available = on_hand - reserved; stock rows never make this overflow */
static int64
row_available(const StockRow *row)
{
	int64		a;

	if (pg_sub_s64_overflow(row->on_hand, row->reserved, &a))
		INV_ERROR(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
				  errmsg("available of SKU \"%s\" at location \"%s\" is out of range",
						 row->sku, row->location));
	return a;
}

HeapTuple
inv_level_tuple(TupleDesc tupdesc, const StockRow *row)
{
	Datum		values[8];
	bool		nulls[8] = {0};
	int64		available = row_available(row);

	values[0] = CStringGetTextDatum(row->sku);
	values[1] = CStringGetTextDatum(row->location);
	values[2] = Int64GetDatum(row->on_hand);
	values[3] = Int64GetDatum(row->reserved);
	values[4] = Int64GetDatum(available);
	values[5] = CStringGetTextDatum(inv_status(available, row->track_inventory,
											   row->allow_backorder,
											   row->threshold_isnull,
											   row->threshold));
	values[6] = BoolGetDatum(inv_is_low(available, row->threshold_isnull,
										row->threshold));
	if (row->exists)
		values[7] = TimestampTzGetDatum(row->updated_at);
	else
		nulls[7] = true;
	return heap_form_tuple(tupdesc, values, nulls);
}

/* A level tuple built where the caller's result must live (not in SPI memory) */
HeapTuple
inv_level_result(InvCall *call, TupleDesc tupdesc, const StockRow *row)
{
	MemoryContext old = MemoryContextSwitchTo(call->caller_cxt);
	HeapTuple	tuple = inv_level_tuple(tupdesc, row);

	MemoryContextSwitchTo(old);
	return tuple;
}

/* The composite result type of the called function, blessed */
TupleDesc
inv_result_tupdesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	return BlessTupleDesc(tupdesc);
}

/* Append one tuple to a materialized set-returning function's result */
void
inv_srf_put(FunctionCallInfo fcinfo, HeapTuple tuple)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	tuplestore_puttuple(rsinfo->setResult, tuple);
}

Datum
inv_level_status_sql(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(inv_status(PG_GETARG_INT64(0),
												PG_GETARG_BOOL(1),
												PG_GETARG_BOOL(2),
												PG_ARGISNULL(3),
												PG_ARGISNULL(3) ? 0 : PG_GETARG_INT64(3))));
}

Datum
inv_level_is_low_sql(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(inv_is_low(PG_GETARG_INT64(0), PG_ARGISNULL(1),
							  PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1)));
}
