/*
 * holds.c
 *		The reservation table: adding to a hold, finding the open hold of a
 *		reference, and taking units out of it (finalize, release, expire).
 *
 * A hold is unique per (sku, location, slot, reference) while open, the NULL
 * reference being the anonymous hold.  When its last unit is taken its status
 * becomes the action that took it (finalized, released or expired).
 */
#include "invstock.h"

#include "utils/builtins.h"

void
inv_hold_add(InvCall *call, const StockRow *row, const char *reference,
			 int64 qty, bool has_expiry, TimestampTz expires_at, const char *notes)
{
	Datum		values[8];
	char		nulls[8] = "        ";

	values[0] = CStringGetTextDatum(row->sku);
	values[1] = CStringGetTextDatum(row->location);
	values[2] = Int16GetDatum(row->slot);
	if (reference)
		values[3] = CStringGetTextDatum(reference);
	else
		nulls[3] = 'n';
	values[4] = Int64GetDatum(qty);
	if (has_expiry)
		values[5] = TimestampTzGetDatum(expires_at);
	else
		nulls[5] = 'n';
	if (notes)
		values[6] = CStringGetTextDatum(notes);
	else
		nulls[6] = 'n';
	values[7] = TimestampTzGetDatum(call->now);
	inv_execute(PLAN_HOLD_ADD, values, nulls, false, 0);
}

Hold
inv_hold_find(const StockRow *row, const char *reference)
{
	Datum		values[4];
	Hold		hold = {0, 0, false};

	values[0] = CStringGetTextDatum(row->sku);
	values[1] = CStringGetTextDatum(row->location);
	values[2] = Int16GetDatum(row->slot);
	if (reference)
	{
		values[3] = CStringGetTextDatum(reference);
		if (inv_execute(PLAN_HOLD_FIND, values, NULL, false, 1) == 0)
			return hold;
	}
	else if (inv_execute(PLAN_HOLD_FIND_ANON, values, NULL, false, 1) == 0)
		return hold;
	hold.id = inv_result_int64(0, 1, NULL);
	hold.qty = inv_result_int64(0, 2, NULL);
	hold.found = true;
	return hold;
}

void
inv_hold_take(InvCall *call, int64 hold_id, int64 qty, const char *action)
{
	Datum		values[4];

	values[0] = Int64GetDatum(hold_id);
	values[1] = Int64GetDatum(qty);
	values[2] = CStringGetTextDatum(action);
	values[3] = TimestampTzGetDatum(call->now);
	inv_execute(PLAN_HOLD_TAKE, values, NULL, false, 0);
}

/* Units still held by an open hold; -1 if it is closed */
int64
inv_hold_open_qty(int64 hold_id)
{
	Datum		values[1];

	values[0] = Int64GetDatum(hold_id);
	if (inv_execute(PLAN_HOLD_GET, values, NULL, false, 1) == 0)
		return -1;
	return inv_result_int64(0, 1, NULL);
}

/*
 * Reserve qty of a locked, tracked row for the hold of reference: releases
 * the row's overdue holds first (an expired hold never makes a reservation
 * fail), refuses more than is available unless the SKU allows backorders,
 * adds to the hold and writes the row.  for_order only changes the detail
 * of the refusal.
 */
void
inv_reserve_row(InvCall *call, StockRow *row, const char *reference, int64 qty,
				bool has_expiry, TimestampTz expires_at, const char *notes,
				const char *actor, const char *idempotency_key, bool for_order)
{
	int64		available;
	int64		new_reserved;
	MovementContext ctx;

	inv_expire_holds(call, row, actor);
	available = row->on_hand - row->reserved;
	if (!row->allow_backorder && qty > available)
	{
		if (for_order)
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("not enough stock available for SKU \"%s\" at location \"%s\"",
							 row->sku, row->location),
					  errdetail("Available: " INT64_FORMAT ", requested: " INT64_FORMAT
								" for order \"%s\".", available, qty, reference));
		else
			INV_ERROR(ERRCODE_CHECK_VIOLATION,
					  errmsg("not enough stock available for SKU \"%s\" at location \"%s\"",
							 row->sku, row->location),
					  errdetail("Available: " INT64_FORMAT ", requested: " INT64_FORMAT ".",
								available, qty));
	}
	new_reserved = inv_add_checked(row->reserved, qty, row->sku, row->location,
								   "reserved");

	inv_hold_add(call, row, reference, qty, has_expiry, expires_at, notes);
	if (has_expiry && (row->next_expiry_isnull || expires_at < row->next_expiry))
	{
		row->next_expiry = expires_at;
		row->next_expiry_isnull = false;
	}
	inv_movement_context_init(&ctx, row, "reserve", actor, idempotency_key);
	ctx.reference = reference;
	ctx.reason = notes;
	inv_apply_stock(call, row, row->on_hand, new_reserved, false, &ctx);
}

static const char *
reference_label(const char *reference)
{
	return reference ? reference : "(anonymous)";
}

/*
 * Finalize or release qty (all if qty_isnull) of an open hold of a locked
 * row: checks the hold has enough (and, to finalize, that the units are on
 * hand), takes the units from the hold and writes the stock row.
 */
void
inv_settle_hold(InvCall *call, StockRow *row, const char *reference, Hold hold,
				bool qty_isnull, int64 qty, bool finalize, const char *reason,
				const char *actor, const char *idempotency_key)
{
	int64		take = qty_isnull ? hold.qty : qty;
	MovementContext ctx;

	if (take > hold.qty)
		INV_ERROR(ERRCODE_CHECK_VIOLATION,
				  errmsg("not enough units held for reference \"%s\" of SKU \"%s\" at location \"%s\"",
						 reference_label(reference), row->sku, row->location),
				  errdetail("Held: " INT64_FORMAT ", requested: " INT64_FORMAT ".",
							hold.qty, take));
	if (finalize && take > row->on_hand)
		INV_ERROR(ERRCODE_CHECK_VIOLATION,
				  errmsg("not enough stock on hand to finalize reference \"%s\" of SKU \"%s\" at location \"%s\"",
						 reference_label(reference), row->sku, row->location),
				  errdetail("On hand: " INT64_FORMAT ", requested: " INT64_FORMAT ".",
							row->on_hand, take),
				  errhint("The hold is backordered: receive stock with inv_adjust first."));
	if (take == 0)
		return;

	inv_hold_take(call, hold.id, take, finalize ? "finalized" : "released");
	inv_movement_context_init(&ctx, row, finalize ? "finalize" : "release",
							  actor, idempotency_key);
	ctx.reference = reference;
	ctx.reason = reason;
	inv_apply_stock(call, row, finalize ? row->on_hand - take : row->on_hand,
					row->reserved - take, false, &ctx);
}
