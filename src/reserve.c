/*
 * reserve.c
 *		inv_reserve, inv_release and inv_finalize: the life of one hold.
 */
#include "invstock.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(inv_reserve);
PG_FUNCTION_INFO_V1(inv_release);
PG_FUNCTION_INFO_V1(inv_finalize);

pg_attribute_noreturn() static void no_hold(const char *sku, const char *location,
											const char *reference);

/*
 * inv_reserve(sku, qty, location, reference, ttl, idempotency_key, notes)
 */
Datum
inv_reserve(PG_FUNCTION_ARGS)
{
	char	   *sku = inv_arg_name(fcinfo, 0, "sku", true);
	bool		qty_isnull;
	int64		qty = inv_arg_qty(fcinfo, 1, "qty", true, &qty_isnull);
	char	   *location = inv_arg_location(fcinfo, 2, "location");
	char	   *reference = inv_arg_name(fcinfo, 3, "reference", false);
	char	   *key = inv_arg_key(fcinfo, 5);
	char	   *notes = inv_arg_text(fcinfo, 6, "notes", 0, false);
	TimestampTz expires_at = 0;
	bool		has_expiry;
	TupleDesc	tupdesc = inv_result_tupdesc(fcinfo);
	IdemRequest req;
	InvCall		call;
	Datum		replayed;
	StockRow	total;
	HeapTuple	result;

	has_expiry = inv_arg_ttl(fcinfo, 4, GetCurrentTransactionStartTimestamp(),
							 &expires_at);

	inv_idem_init(&req, "inv_reserve", key);
	inv_idem_arg_text(&req, sku);
	inv_idem_arg_int64(&req, false, qty);
	inv_idem_arg_text(&req, location);
	inv_idem_arg_text(&req, reference);
	inv_idem_arg_interval(&req, fcinfo, 4);
	inv_idem_arg_text(&req, notes);

	if (inv_begin_call(&call, &req, fcinfo, tupdesc, &replayed))
		return replayed;

	inv_reserve_stock(&call, sku, location, STOCK_MISSING_CREATE_BACKORDER, qty,
					  reference, has_expiry, expires_at, notes,
					  inv_actor(NULL, call.caller_userid, call.caller_cxt), key,
					  false, &total);

	result = inv_level_result(&call, tupdesc, &total);
	return inv_end_call(&call, &req, &result, 1, tupdesc, false);
}

/*
 * Shared body of inv_release and inv_finalize: both take units out of the
 * hold of reference; finalize also takes them off on_hand.
 */
static Datum
settle(FunctionCallInfo fcinfo, bool finalize, const char *reason, int key_argno)
{
	char	   *sku = inv_arg_name(fcinfo, 0, "sku", true);
	bool		qty_isnull;
	int64		qty = inv_arg_qty(fcinfo, 1, "qty", false, &qty_isnull);
	char	   *location = inv_arg_location(fcinfo, 2, "location");
	char	   *reference = inv_arg_name(fcinfo, 3, "reference", false);
	char	   *key = inv_arg_key(fcinfo, key_argno);
	TupleDesc	tupdesc = inv_result_tupdesc(fcinfo);
	IdemRequest req;
	InvCall		call;
	Datum		replayed;
	StockRow	total;
	HoldSet		found;
	HeapTuple	result;

	inv_idem_init(&req, finalize ? "inv_finalize" : "inv_release", key);
	inv_idem_arg_text(&req, sku);
	inv_idem_arg_int64(&req, qty_isnull, qty);
	inv_idem_arg_text(&req, location);
	inv_idem_arg_text(&req, reference);
	inv_idem_arg_text(&req, reason);

	if (inv_begin_call(&call, &req, fcinfo, tupdesc, &replayed))
		return replayed;

	/*
	 * A single-slot row (any SKU this backend has not seen with slots): lock
	 * slot 0, find the hold, settle it.  Slot 0 comes first in every lock
	 * order of the slots, so a row that turns out to have several continues
	 * on the general path below with slot 0 already held.
	 */
	if (!inv_known_slotted(sku) &&
		inv_lock_slot(&call, sku, location, 0, &total))
	{
		if (total.slots <= 1)
		{
			if (total.track_inventory && (qty_isnull || qty > 0))
			{
				char	   *actor = inv_actor(NULL, call.caller_userid, call.caller_cxt);
				Hold		hold;

				inv_expire_holds(&call, &total, actor);
				hold = inv_hold_find(&total, reference);
				if (!hold.found)
					no_hold(sku, location, reference);
				inv_settle_hold(&call, &total, reference, hold, qty_isnull, qty,
								finalize, reason, actor, key);
			}
			result = inv_level_result(&call, tupdesc, &total);
			return inv_end_call(&call, &req, &result, 1, tupdesc, false);
		}
		inv_note_slots(sku, total.slots);
	}

	inv_find_holds(sku, location, reference, &found);
	if (!inv_settle_reference(&call, sku, location, reference, &found, qty_isnull,
							  qty, finalize, reason,
							  inv_actor(NULL, call.caller_userid, call.caller_cxt),
							  key, &total))
		no_hold(sku, location, reference);

	result = inv_level_result(&call, tupdesc, &total);
	return inv_end_call(&call, &req, &result, 1, tupdesc, false);
}

/* No open hold of reference at (sku, location): P0002 */
static void
no_hold(const char *sku, const char *location, const char *reference)
{
	if (reference)
		INV_ERROR(ERRCODE_NO_DATA_FOUND,
				  errmsg("no open hold for reference \"%s\" of SKU \"%s\" at location \"%s\"",
						 reference, sku, location));
	else
		INV_ERROR(ERRCODE_NO_DATA_FOUND,
				  errmsg("no open anonymous hold of SKU \"%s\" at location \"%s\"",
						 sku, location));
	pg_unreachable();
}

/*
 * inv_release(sku, qty, location, reference, reason, idempotency_key)
 */
Datum
inv_release(PG_FUNCTION_ARGS)
{
	char	   *reason = inv_arg_text(fcinfo, 4, "reason", 0, false);

	return settle(fcinfo, false, reason, 5);
}

/*
 * inv_finalize(sku, qty, location, reference, idempotency_key)
 */
Datum
inv_finalize(PG_FUNCTION_ARGS)
{
	return settle(fcinfo, true, NULL, 4);
}
