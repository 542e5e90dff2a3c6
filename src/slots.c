/*
 * slots.c
 *		Hot-SKU slots: one (sku, location) kept as several stock rows, so that
 *		concurrent reservations of one SKU do not queue on one row lock.
 *
 * inv_configure(sku, slots => N) gives every (sku, location) of the SKU N
 * rows (slots 0 to N-1), each with its own on_hand and reserved and each
 * guarded by stock_guard, so I1/I2 hold per slot and therefore in total.  A
 * hold lives in one slot (a reference may hold units in several).
 *
 *   - A reservation takes, without waiting, the first slot that no other
 *     transaction holds and that can serve it, starting from a different
 *     slot in each backend (inv_pick_slot).  When none can, it locks every
 *     slot in slot order (a place) and moves free units into the slot with
 *     the most (inv_reserve_stock).
 *   - Receipts and counts change on_hand of every slot, spreading units
 *     evenly; removals take from the slots with the most free units first
 *     (inv_place_change_on_hand).
 *   - Release and finalize lock the slots that hold the reference.
 *   - Changing N adds empty slots and spreads the free units over them, or
 *     moves the stock and holds of the removed slots into the remaining ones
 *     (inv_resize_slots).
 *
 * Units moved between two slots are recorded as a transfer_out and a
 * transfer_in movement at the same location, sharing a transfer_id, so each
 * slot's ledger sums to its row (I4 holds per slot, and in total).  Readers
 * and results show the sum of the slots.
 */
#include "invstock.h"

#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#define SLOT_MOVE_REASON "units moved between slots"

/*
 * SKUs this backend has seen with more than one slot.  A reservation of any
 * other SKU first tries the one-statement path of a single-slot row, which
 * for a hot SKU would queue on slot 0.  Only a hint: a stale entry or a
 * missing one costs one query, never correctness.  Names too long for the
 * key, and SKUs past the cap, are simply not remembered.
 */
#define SLOTTED_KEY 128
#define SLOTTED_MAX 1024

typedef struct SlottedSku
{
	char		sku[SLOTTED_KEY];
} SlottedSku;

static HTAB *slotted_skus = NULL;

bool
inv_known_slotted(const char *sku)
{
	if (slotted_skus == NULL || strlen(sku) >= SLOTTED_KEY)
		return false;
	return hash_search(slotted_skus, sku, HASH_FIND, NULL) != NULL;
}

void
inv_note_slots(const char *sku, int16 slots)
{
	if (strlen(sku) >= SLOTTED_KEY)
		return;
	if (slots <= 1)
	{
		if (slotted_skus != NULL)
			hash_search(slotted_skus, sku, HASH_REMOVE, NULL);
		return;
	}
	if (slotted_skus == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = SLOTTED_KEY;
		ctl.entrysize = sizeof(SlottedSku);
		ctl.hcxt = TopMemoryContext;
		slotted_skus = hash_create("invstock slotted SKUs", 64, &ctl,
								   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	if (hash_get_num_entries(slotted_skus) < SLOTTED_MAX)
		hash_search(slotted_skus, sku, HASH_ENTER, NULL);
}

/*
 * Reserve qty of a single-slot row and add it to the hold, in one statement,
 * when nothing else has to happen first (see PLAN_RESERVE_FAST).  false if
 * the row did not qualify: nothing was changed.
 */
static bool
reserve_fast(InvCall *call, const char *sku, const char *location, int64 qty,
			 const char *reference, bool has_expiry, TimestampTz expires_at,
			 const char *notes, const char *actor, const char *idempotency_key,
			 StockRow *row)
{
	Datum		values[7];
	char		nulls[7] = "       ";
	MovementContext ctx;
	int			n;

	inv_init_stock_row(call, row, sku, location);
	inv_movement_context_init(&ctx, row, "reserve", actor, idempotency_key);
	ctx.reference = reference;
	ctx.reason = notes;
	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	values[2] = Int64GetDatum(qty);
	values[3] = TimestampTzGetDatum(expires_at);
	if (!has_expiry)
		nulls[3] = 'n';
	values[4] = TimestampTzGetDatum(call->now);
	values[5] = reference ? CStringGetTextDatum(reference) : (Datum) 0;
	if (!reference)
		nulls[5] = 'n';
	values[6] = notes ? CStringGetTextDatum(notes) : (Datum) 0;
	if (!notes)
		nulls[6] = 'n';
	inv_pending_movement = &ctx;
	n = inv_execute(PLAN_RESERVE_FAST, values, nulls, false, 1);
	inv_pending_movement = NULL;
	if (n == 0)
		return false;
	inv_read_stock_row(0, row);
	return true;
}

static int64
free_units(const StockRow *row)
{
	return row->on_hand - row->reserved;
}

/*
 * Move on_hand (and reserved) units from rows[from] to rows[to] of a locked
 * place.  The destination also takes the source's earliest expiry and
 * latest count, which matter when its holds move along (inv_resize_slots).
 */
static void
move_stock(InvCall *call, Place *place, int from, int to, int64 on_hand,
		   int64 reserved, const char *actor)
{
	StockRow   *a = &place->rows[from];
	StockRow   *b = &place->rows[to];
	MovementContext ctx;
	int64		transfer_id;

	if ((on_hand == 0 && reserved == 0) || from == to)
		return;
	inv_execute(PLAN_NEXT_TRANSFER_ID, NULL, NULL, false, 1);
	transfer_id = inv_result_int64(0, 1, NULL);

	inv_movement_context_init(&ctx, a, "transfer_out", actor, NULL);
	ctx.reason = SLOT_MOVE_REASON;
	ctx.has_transfer_id = true;
	ctx.transfer_id = transfer_id;
	ctx.quiet = true;
	inv_apply_stock(call, a, a->on_hand - on_hand, a->reserved - reserved, false, &ctx);

	if (reserved != 0 && !a->next_expiry_isnull &&
		(b->next_expiry_isnull || a->next_expiry < b->next_expiry))
	{
		b->next_expiry = a->next_expiry;
		b->next_expiry_isnull = false;
	}
	inv_movement_context_init(&ctx, b, "transfer_in", actor, NULL);
	ctx.reason = SLOT_MOVE_REASON;
	ctx.has_transfer_id = true;
	ctx.transfer_id = transfer_id;
	ctx.quiet = true;
	inv_apply_stock(call, b,
					inv_add_checked(b->on_hand, on_hand, b->sku, b->location, "on_hand"),
					inv_add_checked(b->reserved, reserved, b->sku, b->location, "reserved"),
					false, &ctx);
}

/* Index of the row other than skip with the most free (or on_hand) units */
static int
richest_row(const Place *place, int skip, bool by_on_hand, const int64 *taken)
{
	int			best = -1;
	int64		best_units = 0;

	for (int i = 0; i < place->nrows; i++)
	{
		const StockRow *r = &place->rows[i];
		int64		units = (by_on_hand ? r->on_hand : free_units(r)) -
			(taken ? taken[i] : 0);

		if (i != skip && units > best_units)
		{
			best = i;
			best_units = units;
		}
	}
	return best;
}

/*
 * Give rows[into] need more units on hand, moved from the other rows of a
 * locked place: free units first, from the row with the most; then, if
 * beyond_free (a backorder SKU, where I2 does not hold), units on hand that
 * other rows have reserved.  The caller has checked the totals.
 */
void
inv_place_make_on_hand(InvCall *call, Place *place, int into, int64 need,
					   bool beyond_free, const char *actor)
{
	for (int pass = 0; pass < 2 && need > 0; pass++)
	{
		bool		by_on_hand = pass == 1;

		if (by_on_hand && !beyond_free)
			break;
		while (need > 0)
		{
			int			j = richest_row(place, into, by_on_hand, NULL);
			int64		units;

			if (j < 0)
				break;
			units = Min(need, by_on_hand ? place->rows[j].on_hand :
						free_units(&place->rows[j]));
			move_stock(call, place, j, into, units, 0, actor);
			need -= units;
		}
	}
	if (need > 0)
		elog(ERROR, "slots of SKU \"%s\" at location \"%s\" lack " INT64_FORMAT " units",
			 place->total.sku, place->total.location, need);
	inv_place_sum(place);
}

/* Release the overdue holds of every row of a locked place */
void
inv_place_expire(InvCall *call, Place *place, const char *actor)
{
	for (int i = 0; i < place->nrows; i++)
		inv_expire_holds(call, &place->rows[i], actor);
	inv_place_sum(place);
}

static const Place *sort_place;

static int
by_free_ascending(const void *a, const void *b)
{
	int64		x = free_units(&sort_place->rows[*(const int *) a]);
	int64		y = free_units(&sort_place->rows[*(const int *) b]);

	if (x != y)
		return x < y ? -1 : 1;
	return *(const int *) a - *(const int *) b;
}

/*
 * on_hand += delta over the rows of a locked place, one movement per row
 * that changes, each a copy of tmpl.  A receipt is shared evenly, the odd
 * units going to the rows with the fewest free units; a removal takes from
 * the rows with the most free units (then, for a backorder SKU, the most on
 * hand).  counted stamps last_counted_at on every row (inv_count); a count
 * that changes nothing still records one movement (tmpl->record_zero).
 * The caller has checked delta against the totals.
 */
void
inv_place_change_on_hand(InvCall *call, Place *place, int64 delta, bool counted,
						 const MovementContext *tmpl)
{
	int			n = place->nrows;
	int64	   *share = palloc0(sizeof(int64) * n);

	if (n == 1)
		share[0] = delta;
	else if (delta > 0)
	{
		int		   *order = palloc(sizeof(int) * n);

		for (int i = 0; i < n; i++)
			order[i] = i;
		sort_place = place;
		qsort(order, n, sizeof(int), by_free_ascending);
		for (int i = 0; i < n; i++)
			share[order[i]] = delta / n + (i < delta % n ? 1 : 0);
	}
	else if (delta < 0)
	{
		int64	   *taken = palloc0(sizeof(int64) * n);
		int64		need;

		if (delta == PG_INT64_MIN)
			elog(ERROR, "on_hand change out of range");
		need = -delta;

		for (int pass = 0; pass < 2 && need > 0; pass++)
		{
			bool		by_on_hand = pass == 1;

			if (by_on_hand && !place->total.allow_backorder)
				break;
			while (need > 0)
			{
				int			j = richest_row(place, -1, by_on_hand, taken);
				int64		units;

				if (j < 0)
					break;
				units = Min(need, (by_on_hand ? place->rows[j].on_hand :
								   free_units(&place->rows[j])) - taken[j]);
				taken[j] += units;
				need -= units;
			}
		}
		if (need > 0)
			elog(ERROR, "SKU \"%s\" at location \"%s\" lacks " INT64_FORMAT " units",
				 place->total.sku, place->total.location, need);
		for (int i = 0; i < n; i++)
			share[i] = -taken[i];
	}

	for (int i = 0; i < n; i++)
	{
		StockRow   *r = &place->rows[i];
		MovementContext ctx = *tmpl;

		if (share[i] == 0 && !counted)
			continue;
		ctx.sku = r->sku;
		ctx.location = r->location;
		ctx.slot = r->slot;
		ctx.record_zero = tmpl->record_zero && delta == 0 && i == 0;
		inv_apply_stock(call, r,
						inv_add_checked(r->on_hand, share[i], r->sku, r->location, "on_hand"),
						r->reserved, counted, &ctx);
	}
	inv_place_sum(place);
}

/*
 * Even out the free units of a locked place over its rows, moving units
 * from the rows above their share to the rows below it.
 */
static void
inv_place_spread(InvCall *call, Place *place, const char *actor)
{
	int			n = place->nrows;
	int64		total = 0;
	int64	   *want = palloc(sizeof(int64) * n);
	int			give = 0;
	int			get = 0;

	for (int i = 0; i < n; i++)
		total = inv_add_checked(total, Max(free_units(&place->rows[i]), 0),
								place->total.sku, place->total.location, "available");
	for (int i = 0; i < n; i++)
		want[i] = total / n + (i < total % n ? 1 : 0) -
			Max(free_units(&place->rows[i]), 0);

	/* want < 0: the row gives; want > 0: it gets */
	while (give < n && get < n)
	{
		int64		units;

		if (want[give] >= 0)
		{
			give++;
			continue;
		}
		if (want[get] <= 0)
		{
			get++;
			continue;
		}
		units = Min(-want[give], want[get]);
		move_stock(call, place, give, get, units, 0, actor);
		want[give] += units;
		want[get] -= units;
	}
	inv_place_sum(place);
}

/*
 * Reserve qty for reference at (sku, location): in a slot taken without
 * waiting if one can serve it, else with every slot locked, after moving
 * free units into the slot with the most.  total receives the level of the
 * whole (sku, location) afterwards.  missing says whether the row may be
 * created (a backorder SKU) or is an error.
 */
void
inv_reserve_stock(InvCall *call, const char *sku, const char *location,
				  StockMissing missing, int64 qty, const char *reference,
				  bool has_expiry, TimestampTz expires_at, const char *notes,
				  const char *actor, const char *idempotency_key, bool for_order,
				  StockRow *total)
{
	StockRow	row;
	Place		place;

	if (qty > 0 && !inv_known_slotted(sku) &&
		reserve_fast(call, sku, location, qty, reference, has_expiry, expires_at,
					 notes, actor, idempotency_key, &row))
	{
		*total = row;
		return;
	}

	if (inv_pick_slot(call, sku, location, qty, &row))
	{
		inv_note_slots(sku, row.slots);
		if (row.track_inventory && qty > 0)
			inv_reserve_row(call, &row, reference, qty, has_expiry, expires_at,
							notes, actor, idempotency_key, for_order);
		inv_row_total(call, &row, total);
		return;
	}

	inv_lock_place(call, sku, location, missing, &place);
	if (place.nrows > 0)
		inv_note_slots(sku, place.total.slots);
	if (place.nrows > 0 && place.total.track_inventory && qty > 0)
	{
		int			best = 0;

		inv_place_expire(call, &place, actor);
		if (place.nrows > 1)
		{
			inv_check_available(&place.total, qty, reference, for_order);
			for (int i = 1; i < place.nrows; i++)
				if (free_units(&place.rows[i]) > free_units(&place.rows[best]))
					best = i;
			if (!place.total.allow_backorder && free_units(&place.rows[best]) < qty)
				inv_place_make_on_hand(call, &place, best,
									   qty - free_units(&place.rows[best]), false, actor);
		}
		inv_reserve_row(call, &place.rows[best], reference, qty, has_expiry,
						expires_at, notes, actor, idempotency_key, for_order);
		inv_place_sum(&place);
	}
	*total = place.total;
}

/*
 * Move the open holds of rows[from] into rows[to]: re-numbered, or merged
 * into the hold the reference already has there.
 */
/*
 * A slot about to be folded into another: the remaining slot takes its
 * last_movement_at if that is later (version 1.3), so levels still shows the
 * newest movement of the (sku, location) once the slot's row is gone.
 */
static void
carry_last_movement(const char *sku, const char *location, int16 from, int16 to)
{
	Datum		key[3];
	bool		isnull;
	TimestampTz at;

	if (!inv_stock_has_last_movement())
		return;
	key[0] = CStringGetTextDatum(sku);
	key[1] = CStringGetTextDatum(location);
	key[2] = Int16GetDatum(from);
	if (inv_execute(PLAN_ROW_LAST_MOVEMENT, key, NULL, false, 1) != 1)
		return;
	at = inv_result_timestamptz(0, 1, &isnull);
	if (!isnull)
		inv_set_last_movement(sku, location, to, false, at, true);
}

static void
move_holds(InvCall *call, const Place *place, int from, int to)
{
	const StockRow *a = &place->rows[from];
	const StockRow *b = &place->rows[to];
	Datum		values[3];
	int			n;
	int64	   *ids;
	char	  **refs;

	values[0] = CStringGetTextDatum(a->sku);
	values[1] = CStringGetTextDatum(a->location);
	values[2] = Int16GetDatum(a->slot);
	n = inv_execute(PLAN_HOLDS_OF_SLOT, values, NULL, false, 0);
	ids = palloc(sizeof(int64) * (n + 1));
	refs = palloc(sizeof(char *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		ids[i] = inv_result_int64(i, 1, NULL);
		refs[i] = inv_result_text(i, 2, CurrentMemoryContext);
	}
	for (int i = 0; i < n; i++)
	{
		Hold		there = inv_hold_find(b, refs[i]);

		if (there.found)
		{
			values[0] = Int64GetDatum(there.id);
			values[1] = Int64GetDatum(ids[i]);
			values[2] = TimestampTzGetDatum(call->now);
			inv_execute(PLAN_HOLD_MERGE, values, NULL, false, 0);
			values[0] = Int64GetDatum(ids[i]);
			inv_execute(PLAN_HOLD_DELETE, values, NULL, false, 0);
		}
		else
		{
			values[0] = Int64GetDatum(ids[i]);
			values[1] = Int16GetDatum(b->slot);
			values[2] = TimestampTzGetDatum(call->now);
			inv_execute(PLAN_HOLD_MOVE, values, NULL, false, 0);
		}
	}
}

/* Set the slots copy of every stock row of the SKU (inv_configure's lock held) */
static void
set_slots_copy(const char *sku, int16 slots, const char *actor)
{
	MovementContext ctx;
	Datum		values[2];

	memset(&ctx, 0, sizeof(ctx));
	ctx.sku = sku;
	ctx.location = NULL;		/* every row of the SKU */
	ctx.actor = actor;
	ctx.policy_change = true;
	values[0] = CStringGetTextDatum(sku);
	values[1] = Int16GetDatum(slots);
	inv_pending_movement = &ctx;
	inv_execute(PLAN_SET_STOCK_SLOTS, values, NULL, false, 0);
	inv_pending_movement = NULL;
}

/*
 * Change the number of slots of every (sku, location) of a SKU from
 * old_slots to new_slots.  inv_configure holds the SKU's policy row and
 * every stock row of it.  Growing adds empty slots and spreads the free
 * units; shrinking moves each removed slot's stock and holds into slot
 * (slot mod new_slots), then deletes it.
 */
void
inv_resize_slots(InvCall *call, const char *sku, int16 old_slots, int16 new_slots,
				 const char *actor)
{
	Datum		values[1];
	int			nlocations;
	char	  **locations;

	values[0] = CStringGetTextDatum(sku);
	nlocations = inv_execute(PLAN_SKU_LOCATIONS, values, NULL, false, 0);
	locations = palloc(sizeof(char *) * (nlocations + 1));
	for (int i = 0; i < nlocations; i++)
		locations[i] = inv_result_text(i, 1, CurrentMemoryContext);

	if (new_slots > old_slots)
		set_slots_copy(sku, new_slots, actor);

	for (int l = 0; l < nlocations; l++)
	{
		Place		place;

		inv_lock_place(call, sku, locations[l], STOCK_MISSING_OK, &place);
		if (place.nrows == 0)
			continue;

		/* slots 0 .. new_slots-1 all exist first (rows[i] is slot i) */
		for (int16 slot = 0; slot < new_slots; slot++)
			if (inv_place_row_of_slot(&place, slot) < 0)
				inv_insert_slot_row(call, &place.rows[0], slot);
		inv_lock_place(call, sku, locations[l], STOCK_MISSING_OK, &place);

		if (new_slots > old_slots)
		{
			if (place.total.track_inventory)
				inv_place_spread(call, &place, actor);
			continue;
		}

		for (int i = place.nrows - 1; i >= new_slots; i--)
		{
			int			to = place.rows[i].slot % new_slots;
			MovementContext ctx;
			Datum		key[3];

			move_holds(call, &place, i, to);
			move_stock(call, &place, i, to, place.rows[i].on_hand,
					   place.rows[i].reserved, actor);
			if (!place.rows[i].last_counted_isnull &&
				(place.rows[to].last_counted_isnull ||
				 place.rows[i].last_counted_at > place.rows[to].last_counted_at))
			{
				/* the remaining slot keeps the latest count and earliest expiry */
				place.rows[to].last_counted_at = place.rows[i].last_counted_at;
				place.rows[to].last_counted_isnull = false;
			}
			if (!place.rows[i].next_expiry_isnull &&
				(place.rows[to].next_expiry_isnull ||
				 place.rows[i].next_expiry < place.rows[to].next_expiry))
			{
				place.rows[to].next_expiry = place.rows[i].next_expiry;
				place.rows[to].next_expiry_isnull = false;
			}
			inv_movement_context_init(&ctx, &place.rows[to], NULL, actor, NULL);
			ctx.quiet = true;
			inv_apply_stock(call, &place.rows[to], place.rows[to].on_hand,
							place.rows[to].reserved, false, &ctx);

			carry_last_movement(sku, locations[l], place.rows[i].slot, place.rows[to].slot);

			inv_movement_context_init(&ctx, &place.rows[i], NULL, actor, NULL);
			ctx.quiet = true;
			key[0] = CStringGetTextDatum(sku);
			key[1] = CStringGetTextDatum(locations[l]);
			key[2] = Int16GetDatum(place.rows[i].slot);
			inv_pending_movement = &ctx;
			inv_execute(PLAN_DELETE_STOCK, key, NULL, false, 0);
			inv_pending_movement = NULL;
		}
	}

	if (new_slots < old_slots)
		set_slots_copy(sku, new_slots, actor);
}
