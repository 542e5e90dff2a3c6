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

/*
 * Refuse to reserve qty more of row (one slot, or the total of a place) if
 * it has fewer available, unless the SKU allows backorders.  for_order only
 * changes the detail of the refusal.
 */
void
inv_check_available(const StockRow *row, int64 qty, const char *reference,
					bool for_order)
{
	int64		available = row->on_hand - row->reserved;

	if (row->allow_backorder || qty <= available)
		return;
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

/*
 * Reserve qty of a locked, tracked row for the hold of reference: releases
 * the row's overdue holds first (an expired hold never makes a reservation
 * fail), refuses more than is available unless the SKU allows backorders,
 * adds to the hold and writes the row.
 */
void
inv_reserve_row(InvCall *call, StockRow *row, const char *reference, int64 qty,
				bool has_expiry, TimestampTz expires_at, const char *notes,
				const char *actor, const char *idempotency_key, bool for_order)
{
	int64		new_reserved;
	MovementContext ctx;

	inv_expire_holds(call, row, actor);
	inv_check_available(row, qty, reference, for_order);
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

/* 23514: more units asked for than the hold(s) of reference hold */
static void
refuse_held(const StockRow *row, const char *reference, int64 held, int64 take)
{
	INV_ERROR(ERRCODE_CHECK_VIOLATION,
			  errmsg("not enough units held for reference \"%s\" of SKU \"%s\" at location \"%s\"",
					 reference_label(reference), row->sku, row->location),
			  errdetail("Held: " INT64_FORMAT ", requested: " INT64_FORMAT ".",
						held, take));
}

/* 23514: finalizing more units than are on hand (a backordered hold) */
static void
refuse_on_hand(const StockRow *row, const char *reference, int64 take)
{
	INV_ERROR(ERRCODE_CHECK_VIOLATION,
			  errmsg("not enough stock on hand to finalize reference \"%s\" of SKU \"%s\" at location \"%s\"",
					 reference_label(reference), row->sku, row->location),
			  errdetail("On hand: " INT64_FORMAT ", requested: " INT64_FORMAT ".",
						row->on_hand, take),
			  errhint("The hold is backordered: receive stock with inv_adjust first."));
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
		refuse_held(row, reference, hold.qty, take);
	if (finalize && take > row->on_hand)
		refuse_on_hand(row, reference, take);
	if (take == 0)
		return;

	inv_movement_context_init(&ctx, row, finalize ? "finalize" : "release",
							  actor, idempotency_key);
	ctx.reference = reference;
	ctx.reason = reason;
	inv_apply_stock_taking(call, row, finalize ? row->on_hand - take : row->on_hand,
						   row->reserved - take, &ctx, hold.id, take,
						   finalize ? "finalized" : "released");
}

/*
 * The open holds of reference (NULL: the anonymous hold) at (sku, location),
 * in slot order, with their units (qtys, if not NULL) as this statement
 * sees them.
 */
void
inv_find_holds(const char *sku, const char *location, const char *reference,
			   HoldSet *set)
{
	Datum		values[3];
	int			n;

	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	if (reference)
	{
		values[2] = CStringGetTextDatum(reference);
		n = inv_execute(PLAN_HOLD_SLOTS, values, NULL, false, 0);
	}
	else
		n = inv_execute(PLAN_HOLD_SLOTS_ANON, values, NULL, false, 0);
	set->n = n;
	set->ids = palloc(sizeof(int64) * (n + 1));
	set->slots = palloc(sizeof(int16) * (n + 1));
	set->qtys = palloc(sizeof(int64) * (n + 1));
	set->backorder_slotted = false;
	for (int i = 0; i < n; i++)
	{
		set->ids[i] = inv_result_int64(i, 1, NULL);
		set->slots[i] = (int16) inv_result_int64(i, 2, NULL);
		if (inv_result_bool(i, 3, NULL))
			set->backorder_slotted = true;
		set->qtys[i] = inv_result_int64(i, 4, NULL);
	}
}

/*
 * Lock the rows that hold found (the slots of its holds, in slot order), or
 * every slot of the (sku, location) when whole.  false if a slot vanished
 * (inv_configure removed it meanwhile).
 */
static bool
lock_hold_rows(InvCall *call, const char *sku, const char *location,
			   const HoldSet *found, bool whole, Place *place)
{
	if (whole)
	{
		inv_lock_place(call, sku, location, STOCK_MISSING_ERROR, place);
		return true;
	}
	memset(place, 0, sizeof(Place));
	place->rows = palloc(sizeof(StockRow) * found->n);
	for (int i = 0; i < found->n; i++)
	{
		if (i > 0 && found->slots[i] == found->slots[i - 1])
			continue;
		if (!inv_lock_slot(call, sku, location, found->slots[i],
						   &place->rows[place->nrows]))
			return false;
		place->nrows++;
	}
	place->total = place->rows[0];
	inv_place_sum(place);
	return true;
}

/* The level of the (sku, location) of rows locked by lock_hold_rows */
static void
place_level(InvCall *call, Place *place, bool whole, StockRow *total)
{
	if (whole || place->nrows == 0 || place->total.slots <= 1)
		*total = place->total;
	else
		inv_row_total(call, &place->rows[0], total);
}

/*
 * Finalize or release qty (NULL: all) of the holds of reference at (sku,
 * location), found a moment ago by inv_find_holds: locks their slots (or the
 * whole place when there are none, so the row's errors come first, and for
 * a backorder SKU with slots, whose units on hand may sit in other slots),
 * re-reads the holds, and takes the units from them in slot order.  total
 * receives the level of the (sku, location).  false if reference holds
 * nothing there (any more); true also for an untracked SKU, which accepts
 * every call, and for qty 0.
 */
bool
inv_settle_reference(InvCall *call, const char *sku, const char *location,
					 const char *reference, const HoldSet *found, bool qty_isnull,
					 int64 qty, bool finalize, const char *reason,
					 const char *actor, const char *idempotency_key,
					 StockRow *total)
{
	Place		place;
	HoldSet		holds;
	bool		whole = found->n == 0 || (finalize && found->backorder_slotted);
	int64		held = 0;
	int64		take;

	if (!lock_hold_rows(call, sku, location, found, whole, &place) ||
		(!whole && finalize && place.total.allow_backorder && place.total.slots > 1))
	{
		/*
		 * inv_configure changed the slots (or the policy) between the look
		 * at the holds and the locks: every slot is needed now.  Holding
		 * none or only slot 0, waiting for the others keeps the slot order;
		 * holding a higher one, waiting could close a cycle with a call
		 * locking in order, so take them only if no one else holds them.
		 */
		bool		prefix = place.nrows == 0 ||
			(place.nrows == 1 && place.rows[0].slot == 0);

		whole = true;
		if (prefix)
			lock_hold_rows(call, sku, location, found, true, &place);
		else if (!inv_lock_place_nowait(call, sku, location, &place))
			INV_ERROR(ERRCODE_T_R_SERIALIZATION_FAILURE,
					  errmsg("could not settle the holds of reference \"%s\" of SKU \"%s\" at location \"%s\"",
							 reference_label(reference), sku, location),
					  errdetail("The slots of the SKU changed while this call waited for them."),
					  errhint("Retry the transaction."));
	}

	if (place.nrows == 0 || !place.total.track_inventory || (!qty_isnull && qty == 0))
	{
		place_level(call, &place, whole, total);
		return true;
	}

	inv_place_expire(call, &place, actor);
	inv_find_holds(sku, location, reference, &holds);
	for (int i = 0; i < holds.n; i++)
	{
		int			r = inv_place_row_of_slot(&place, holds.slots[i]);

		if (r < 0)
		{
			holds.qtys[i] = 0;	/* a hold in a slot this call did not lock */
			continue;
		}
		held = inv_add_checked(held, holds.qtys[i], sku, location, "held");
	}
	if (held == 0)
	{
		place_level(call, &place, whole, total);
		return false;
	}

	take = qty_isnull ? held : qty;
	if (take > held)
		refuse_held(&place.total, reference, held, take);
	if (finalize && take > place.total.on_hand)
		refuse_on_hand(&place.total, reference, take);

	for (int i = 0; i < holds.n && take > 0; i++)
	{
		int			r = inv_place_row_of_slot(&place, holds.slots[i]);
		int64		part = Min(take, holds.qtys[i]);
		Hold		hold = {holds.ids[i], holds.qtys[i], true};

		if (part == 0)
			continue;
		/* a backorder SKU's units on hand may sit in another slot */
		if (finalize && part > place.rows[r].on_hand && whole)
			inv_place_make_on_hand(call, &place, r, part - place.rows[r].on_hand,
								   true, actor);
		inv_settle_hold(call, &place.rows[r], reference, hold, false, part,
						finalize, reason, actor, idempotency_key);
		take -= part;
	}

	inv_place_sum(&place);
	place_level(call, &place, whole, total);
	return true;
}
