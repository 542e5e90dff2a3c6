/*
 * adjust.c
 *		inv_adjust (receipts, damage, corrections) and inv_count (physical
 *		counts): the functions that change on_hand directly.
 */
#include "invstock.h"

#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(inv_adjust);
PG_FUNCTION_INFO_V1(inv_count);

/*
 * inv_adjust(sku, delta, reason, location, reference, idempotency_key, actor)
 */
Datum
inv_adjust(PG_FUNCTION_ARGS)
{
	char	   *sku = inv_arg_name(fcinfo, 0, "sku", true);
	int64		delta;
	char	   *reason = inv_arg_text(fcinfo, 2, "reason", 3, true);
	char	   *location = inv_arg_location(fcinfo, 3, "location");
	char	   *reference = inv_arg_name(fcinfo, 4, "reference", false);
	char	   *key = inv_arg_key(fcinfo, 5);
	char	   *explicit_actor = inv_arg_name(fcinfo, 6, "actor", false);
	TupleDesc	tupdesc = inv_result_tupdesc(fcinfo);
	IdemRequest req;
	InvCall		call;
	Datum		replayed;
	Place		place;
	StockRow   *row = &place.total;
	HeapTuple	result;

	inv_require_arg(fcinfo, 1, "delta");
	delta = PG_GETARG_INT64(1);

	inv_idem_init(&req, "inv_adjust", key);
	inv_idem_arg_text(&req, sku);
	inv_idem_arg_int64(&req, false, delta);
	inv_idem_arg_text(&req, reason);
	inv_idem_arg_text(&req, location);
	inv_idem_arg_text(&req, reference);
	inv_idem_arg_text(&req, explicit_actor);

	if (inv_begin_call(&call, &req, fcinfo, tupdesc, &replayed))
		return replayed;

	inv_lock_place(&call, sku, location, STOCK_MISSING_CREATE, &place);
	if (row->track_inventory && delta != 0)
	{
		char	   *actor = inv_actor(explicit_actor, call.caller_userid, call.caller_cxt);
		int64		new_on_hand;
		MovementContext ctx;

		inv_place_expire(&call, &place, actor);
		new_on_hand = inv_add_checked(row->on_hand, delta, sku, location, "on_hand");
		if (new_on_hand < 0)
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("not enough stock on hand for SKU \"%s\" at location \"%s\"",
							 sku, location),
					  errdetail("On hand: " INT64_FORMAT ", change: " INT64_FORMAT ".",
								row->on_hand, delta));
		if (new_on_hand < row->reserved && !row->allow_backorder)
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("adjustment would leave fewer units on hand than reserved for SKU \"%s\" at location \"%s\"",
							 sku, location),
					  errdetail("On hand after: " INT64_FORMAT ", reserved: " INT64_FORMAT ".",
								new_on_hand, row->reserved),
					  errhint("Release or finalize holds first."));

		inv_movement_context_init(&ctx, row, "adjust", actor, key);
		ctx.reference = reference;
		ctx.reason = reason;
		inv_place_change_on_hand(&call, &place, delta, false, &ctx);
	}

	result = inv_level_result(&call, tupdesc, row);
	return inv_end_call(&call, &req, &result, 1, tupdesc, false);
}

/*
 * inv_count(sku, counted, location, counted_by, notes, idempotency_key)
 */
Datum
inv_count(PG_FUNCTION_ARGS)
{
	char	   *sku = inv_arg_name(fcinfo, 0, "sku", true);
	bool		counted_isnull;
	int64		counted = inv_arg_qty(fcinfo, 1, "counted", true, &counted_isnull);
	char	   *location = inv_arg_location(fcinfo, 2, "location");
	char	   *counted_by = inv_arg_name(fcinfo, 3, "counted_by", false);
	char	   *notes = inv_arg_text(fcinfo, 4, "notes", 0, false);
	char	   *key = inv_arg_key(fcinfo, 5);
	TupleDesc	tupdesc = inv_result_tupdesc(fcinfo);
	IdemRequest req;
	InvCall		call;
	Datum		replayed;
	Place		place;
	StockRow   *row = &place.total;
	HeapTuple	result;
	MemoryContext old;
	int64		previous;
	Datum		values[9];
	bool		nulls[9] = {0};

	inv_idem_init(&req, "inv_count", key);
	inv_idem_arg_text(&req, sku);
	inv_idem_arg_int64(&req, false, counted);
	inv_idem_arg_text(&req, location);
	inv_idem_arg_text(&req, counted_by);
	inv_idem_arg_text(&req, notes);

	if (inv_begin_call(&call, &req, fcinfo, tupdesc, &replayed))
		return replayed;

	inv_lock_place(&call, sku, location, STOCK_MISSING_CREATE_ROW, &place);
	previous = row->on_hand;
	if (row->track_inventory)
	{
		char	   *actor = inv_actor(counted_by, call.caller_userid, call.caller_cxt);
		MovementContext ctx;

		inv_place_expire(&call, &place, actor);
		if (counted < row->reserved && !row->allow_backorder)
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("count of SKU \"%s\" at location \"%s\" is below its reserved units",
							 sku, location),
					  errdetail("Counted: " INT64_FORMAT ", reserved: " INT64_FORMAT ".",
								counted, row->reserved),
					  errhint("Release holds first, or allow backorders for this SKU."));

		previous = row->on_hand;
		inv_movement_context_init(&ctx, row, "count", actor, key);
		ctx.reason = notes;
		ctx.record_zero = true;
		inv_place_change_on_hand(&call, &place, inv_sub_checked(counted, previous, sku, location, "discrepancy"),
								 true, &ctx);
	}

	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	values[2] = Int64GetDatum(previous);
	values[3] = Int64GetDatum(counted);
	values[4] = Int64GetDatum(inv_sub_checked(counted, previous, sku, location,
											  "discrepancy"));
	values[5] = Int64GetDatum(row->on_hand);
	values[6] = Int64GetDatum(row->reserved);
	values[7] = Int64GetDatum(inv_sub_checked(row->on_hand, row->reserved, sku, location,
											  "available"));
	values[8] = TimestampTzGetDatum(call.now);

	old = MemoryContextSwitchTo(call.caller_cxt);
	result = heap_form_tuple(tupdesc, values, nulls);
	MemoryContextSwitchTo(old);
	return inv_end_call(&call, &req, &result, 1, tupdesc, false);
}
