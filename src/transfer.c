/*
 * transfer.c
 *		inv_transfer: move available units between two locations atomically.
 *
 * Both rows are locked in (sku, location) byte order, the order every
 * multi-row function uses, so opposite transfers cannot deadlock.
 */
#include "invstock.h"

#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(inv_transfer);

/*
 * inv_transfer(sku, qty, from_location, to_location, reason, idempotency_key)
 */
Datum
inv_transfer(PG_FUNCTION_ARGS)
{
	char	   *sku = inv_arg_name(fcinfo, 0, "sku", true);
	bool		qty_isnull;
	int64		qty = inv_arg_qty(fcinfo, 1, "qty", true, &qty_isnull);
	char	   *from = inv_arg_name(fcinfo, 2, "from_location", true);
	char	   *to = inv_arg_name(fcinfo, 3, "to_location", true);
	char	   *reason = inv_arg_text(fcinfo, 4, "reason", 0, false);
	char	   *key = inv_arg_key(fcinfo, 5);
	ReturnSetInfo *rsinfo;
	IdemRequest req;
	InvCall		call;
	Place		srcp;
	Place		dstp;
	StockRow   *src = &srcp.total;
	StockRow   *dst = &dstp.total;
	HeapTuple	results[2];
	StockMissing dst_missing = qty > 0 ? STOCK_MISSING_CREATE_ROW : STOCK_MISSING_OK;

	if (strcmp(from, to) == 0)
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("from_location and to_location must differ"),
				  errdetail("Both are \"%s\".", from));

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	inv_idem_init(&req, "inv_transfer", key);
	inv_idem_arg_text(&req, sku);
	inv_idem_arg_int64(&req, false, qty);
	inv_idem_arg_text(&req, from);
	inv_idem_arg_text(&req, to);
	inv_idem_arg_text(&req, reason);

	if (inv_begin_call(&call, &req, fcinfo, NULL, NULL))
		return (Datum) 0;

	if (qty > 0)
	{
		const char *locations[1] = {to};

		inv_lock_policy_if_missing(sku, locations, 1);
	}
	if (strcmp(from, to) < 0)
	{
		inv_lock_place(&call, sku, from, STOCK_MISSING_ERROR, &srcp);
		inv_lock_place(&call, sku, to, dst_missing, &dstp);
	}
	else
	{
		inv_lock_place(&call, sku, to, dst_missing, &dstp);
		inv_lock_place(&call, sku, from, STOCK_MISSING_ERROR, &srcp);
	}

	if (src->track_inventory && qty > 0)
	{
		char	   *actor = inv_actor(NULL, call.caller_userid, call.caller_cxt);
		int64		available;
		MovementContext ctx;
		int64		transfer_id;

		inv_place_expire(&call, &srcp, actor);
		inv_place_expire(&call, &dstp, actor);
		available = src->on_hand - src->reserved;
		if (qty > available)
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("not enough stock available for SKU \"%s\" at location \"%s\" to transfer",
							 sku, from),
					  errdetail("Available: " INT64_FORMAT ", requested: " INT64_FORMAT ".",
								available, qty));
		(void) inv_add_checked(dst->on_hand, qty, sku, to, "on_hand");

		inv_execute(PLAN_NEXT_TRANSFER_ID, NULL, NULL, false, 1);
		transfer_id = inv_result_int64(0, 1, NULL);

		inv_movement_context_init(&ctx, src, "transfer_out", actor, key);
		ctx.reason = reason;
		ctx.has_transfer_id = true;
		ctx.transfer_id = transfer_id;
		inv_place_change_on_hand(&call, &srcp, -qty, false, &ctx);

		inv_movement_context_init(&ctx, dst, "transfer_in", actor, key);
		ctx.reason = reason;
		ctx.has_transfer_id = true;
		ctx.transfer_id = transfer_id;
		inv_place_change_on_hand(&call, &dstp, qty, false, &ctx);
	}

	results[0] = inv_level_result(&call, rsinfo->setDesc, src);
	results[1] = inv_level_result(&call, rsinfo->setDesc, dst);
	inv_srf_put(fcinfo, results[0]);
	inv_srf_put(fcinfo, results[1]);
	return inv_end_call(&call, &req, results, 2, rsinfo->setDesc, true);
}
