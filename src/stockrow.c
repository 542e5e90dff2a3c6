/*
 * stockrow.c
 *		Locking and changing one stock row of a (sku, location).
 *
 * A function locks the row (SELECT ... FOR UPDATE; the row carries a copy of
 * the SKU's policy, so the lock always comes with the newest policy),
 * creating the SKU, location and row first when its rules allow; releases the
 * row's overdue holds; then writes the new on_hand/reserved with one UPDATE.
 * A hot SKU keeps each (sku, location) as several rows, its slots: a place
 * is all of them, locked in slot order (see slots.c).
 * Before that UPDATE it publishes a MovementContext (kind, reference, reason,
 * actor, idempotency key) that the stock_guard trigger reads to write the
 * movement; an UPDATE with no context is a direct write (kind 'direct').
 */
#include "invstock.h"

#include "miscadmin.h"
#include "storage/backendid.h"
#include "utils/builtins.h"

MovementContext *inv_pending_movement = NULL;

void
inv_reset_pending_movement(void)
{
	inv_pending_movement = NULL;
}

static void
row_key_values(const StockRow *row, Datum *values)
{
	values[0] = CStringGetTextDatum(row->sku);
	values[1] = CStringGetTextDatum(row->location);
	values[2] = Int16GetDatum(row->slot);
}

void
inv_init_stock_row(InvCall *call, StockRow *row, const char *sku, const char *location)
{
	memset(row, 0, sizeof(StockRow));
	row->sku = MemoryContextStrdup(call->caller_cxt, sku);
	row->location = MemoryContextStrdup(call->caller_cxt, location);
	row->slots = 1;
	row->next_expiry_isnull = true;
	row->last_counted_isnull = true;
	row->threshold_isnull = true;
	row->track_inventory = true;
}

/* Row i of a query that selected STOCK_COLS (see plans.c) */
void
inv_read_stock_row(int i, StockRow *row)
{
	row->exists = true;
	row->on_hand = inv_result_int64(i, 1, NULL);
	row->reserved = inv_result_int64(i, 2, NULL);
	row->track_inventory = inv_result_bool(i, 3, NULL);
	row->allow_backorder = inv_result_bool(i, 4, NULL);
	row->threshold = inv_result_int64(i, 5, &row->threshold_isnull);
	row->next_expiry = inv_result_timestamptz(i, 6, &row->next_expiry_isnull);
	row->last_counted_at = inv_result_timestamptz(i, 7, &row->last_counted_isnull);
	row->updated_at = inv_result_timestamptz(i, 8, NULL);
	row->slots = (int16) inv_result_int64(i, 9, NULL);
	row->slot = (int16) inv_result_int64(i, 10, NULL);
}

/*
 * Read the SKU policy into row; false if the SKU is unknown.  share takes a
 * FOR SHARE lock on the SKU so inv_configure cannot change the policy before
 * a new stock row carrying a copy of it commits.
 */
static bool
read_policy(StockRow *row, bool share)
{
	Datum		values[1];

	values[0] = CStringGetTextDatum(row->sku);
	if (inv_execute(share ? PLAN_POLICY_SHARE : PLAN_POLICY, values, NULL,
					false, 1) == 0)
		return false;
	row->track_inventory = inv_result_bool(0, 1, NULL);
	row->allow_backorder = inv_result_bool(0, 2, NULL);
	row->threshold = inv_result_int64(0, 3, &row->threshold_isnull);
	row->slots = (int16) inv_result_int64(0, 4, NULL);
	return true;
}

/* The n rows of the last query (STOCK_COLS, slot order) as the place's rows */
static void
read_place_rows(InvCall *call, Place *place, int n)
{
	place->nrows = n;
	place->rows = MemoryContextAlloc(call->caller_cxt, sizeof(StockRow) * n);
	for (int i = 0; i < n; i++)
	{
		place->rows[i] = place->total;
		inv_read_stock_row(i, &place->rows[i]);
	}
	inv_place_sum(place);
}

/* Index in place->rows of the row of slot, or -1 */
int
inv_place_row_of_slot(const Place *place, int16 slot)
{
	for (int i = 0; i < place->nrows; i++)
		if (place->rows[i].slot == slot)
			return i;
	return -1;
}

/*
 * Lock every slot of the place, in slot order; false if it has no row.  A
 * call that waited here behind inv_configure adding slots finds rows that
 * already count more slots than its snapshot showed: it locks again, with a
 * new snapshot (READ COMMITTED), until it holds them all.  The new slots
 * have higher numbers than those held, so the slot order is kept.  (A
 * missing slot that never appears, a row a DBA deleted, ends the retries.)
 */
static bool
lock_rows(InvCall *call, Place *place)
{
	Datum		values[2];
	int			n;
	int			before = 0;

	values[0] = CStringGetTextDatum(place->total.sku);
	values[1] = CStringGetTextDatum(place->total.location);
	for (;;)
	{
		n = inv_execute(PLAN_LOCK_PLACE, values, NULL, false, 0);
		if (n == 0)
			return false;
		if (n <= before || n >= inv_result_int64(0, 9, NULL))
			break;
		before = n;				/* slots were added while it waited */
	}
	read_place_rows(call, place, n);
	return true;
}

/* total := the sum of the rows, with the policy of the first */
void
inv_place_sum(Place *place)
{
	StockRow   *t = &place->total;

	if (place->nrows == 0)
		return;
	t->exists = true;
	t->slot = 0;
	t->slots = place->rows[0].slots;
	t->track_inventory = place->rows[0].track_inventory;
	t->allow_backorder = place->rows[0].allow_backorder;
	t->threshold_isnull = place->rows[0].threshold_isnull;
	t->threshold = place->rows[0].threshold;
	t->on_hand = 0;
	t->reserved = 0;
	t->last_counted_isnull = true;
	t->next_expiry_isnull = true;
	t->updated_at = place->rows[0].updated_at;
	for (int i = 0; i < place->nrows; i++)
	{
		const StockRow *r = &place->rows[i];

		t->on_hand = inv_add_checked(t->on_hand, r->on_hand, t->sku, t->location, "on_hand");
		t->reserved = inv_add_checked(t->reserved, r->reserved, t->sku, t->location, "reserved");
		if (r->updated_at > t->updated_at)
			t->updated_at = r->updated_at;
		if (!r->last_counted_isnull &&
			(t->last_counted_isnull || r->last_counted_at > t->last_counted_at))
		{
			t->last_counted_at = r->last_counted_at;
			t->last_counted_isnull = false;
		}
	}
}

/*
 * Lock every slot of a (sku, location), creating the SKU, the location and
 * the rows (one per slot of the SKU) first when missing allows it.
 */
void
inv_lock_place(InvCall *call, const char *sku, const char *location,
			   StockMissing missing, Place *place)
{
	Datum		values[1];
	bool		create;
	StockRow   *t = &place->total;

	memset(place, 0, sizeof(Place));
	inv_init_stock_row(call, t, sku, location);

	if (lock_rows(call, place))
		return;

	if (missing == STOCK_MISSING_CREATE)
	{
		values[0] = CStringGetTextDatum(sku);
		inv_execute(PLAN_INSERT_SKU, values, NULL, false, 0);
	}
	if (!read_policy(t, false))
	{
		if (missing == STOCK_MISSING_OK)
			return;
		INV_ERROR(ERRCODE_NO_DATA_FOUND,
				  errmsg("unknown SKU \"%s\"", sku),
				  errhint("Create it with inv_adjust or inv_configure."));
	}

	/* an untracked SKU accepts every call and keeps nothing */
	if (!t->track_inventory)
		return;

	create = missing == STOCK_MISSING_CREATE ||
		missing == STOCK_MISSING_CREATE_ROW ||
		(missing == STOCK_MISSING_CREATE_BACKORDER && t->allow_backorder);
	if (!create)
	{
		if (missing == STOCK_MISSING_OK)
			return;
		INV_ERROR(ERRCODE_NO_DATA_FOUND,
				  errmsg("SKU \"%s\" has no stock at location \"%s\"", sku, location),
				  errhint("Receive stock there with inv_adjust first."));
	}

	/*
	 * Share-lock the policy, then re-read it, before the new rows copy it.
	 * Multi-row callers took this lock before any stock row of the SKU (see
	 * inv_lock_policy_if_missing), so it never comes after one.
	 */
	if (!read_policy(t, true))
		elog(ERROR, "SKU \"%s\" vanished", sku);
	if (!t->track_inventory)
		return;

	values[0] = CStringGetTextDatum(location);
	inv_execute(PLAN_INSERT_LOCATION, values, NULL, false, 0);

	/* one row per slot, all empty */
	for (int16 slot = 0; slot < t->slots; slot++)
		inv_insert_slot_row(call, t, slot);
	if (!lock_rows(call, place))
		elog(ERROR, "stock row of SKU \"%s\" at location \"%s\" vanished", sku, location);
}

/*
 * Insert the empty row of one slot of a (sku, location), carrying the policy
 * (and slot count) of like, if it does not exist.  The trigger brings the
 * ledger in line if the slot had a history.
 */
void
inv_insert_slot_row(InvCall *call, const StockRow *like, int16 slot)
{
	Datum		values[8];
	char		nulls[8] = "        ";
	MovementContext ctx;
	StockRow	row = *like;

	row.slot = slot;
	row_key_values(&row, values);
	values[3] = BoolGetDatum(row.track_inventory);
	values[4] = BoolGetDatum(row.allow_backorder);
	values[5] = TimestampTzGetDatum(call->now);
	values[6] = Int64GetDatum(row.threshold);
	if (row.threshold_isnull)
		nulls[6] = 'n';
	values[7] = Int16GetDatum(row.slots);
	inv_movement_context_init(&ctx, &row, NULL, NULL, NULL);
	inv_pending_movement = &ctx;
	inv_execute(PLAN_INSERT_STOCK, values, nulls, false, 0);
	inv_pending_movement = NULL;
}

/*
 * Lock every slot of an existing (sku, location) without waiting (slots this
 * transaction holds already count as taken); false if another transaction
 * holds one of them.
 */
bool
inv_lock_place_nowait(InvCall *call, const char *sku, const char *location,
					  Place *place)
{
	Datum		values[2];
	int			n;
	int64		all;

	memset(place, 0, sizeof(Place));
	inv_init_stock_row(call, &place->total, sku, location);
	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	inv_execute(PLAN_PLACE_COUNT, values, NULL, false, 1);
	all = inv_result_int64(0, 1, NULL);
	n = inv_execute(PLAN_LOCK_PLACE_SKIP, values, NULL, false, 0);
	if (n == 0 || n != all)
		return false;
	read_place_rows(call, place, n);
	return true;
}

/* Lock one existing slot of a (sku, location); false if it does not exist */
bool
inv_lock_slot(InvCall *call, const char *sku, const char *location, int16 slot,
			  StockRow *row)
{
	Datum		values[3];

	inv_init_stock_row(call, row, sku, location);
	row->slot = slot;
	row_key_values(row, values);
	if (inv_execute(PLAN_LOCK_STOCK, values, NULL, false, 1) == 0)
		return false;
	inv_read_stock_row(0, row);
	return true;
}

/*
 * Lock, without waiting, a slot that can serve qty more reserved units (any
 * slot for an untracked or backorder SKU), trying the slots from a
 * different starting point in each backend.  false if every slot that could
 * is locked by another transaction, none can, or the row does not exist:
 * the caller then locks the whole place (inv_lock_place).  With one slot,
 * this is the plain row lock of every function, taken only if it is free.
 */
bool
inv_pick_slot(InvCall *call, const char *sku, const char *location, int64 qty,
			  StockRow *row)
{
	Datum		values[4];

	inv_init_stock_row(call, row, sku, location);
	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	values[2] = Int64GetDatum(qty);
	values[3] = Int16GetDatum((int16) (MyBackendId % 64));
	if (inv_execute(PLAN_PICK_SLOT, values, NULL, false, 1) == 0)
		return false;
	inv_read_stock_row(0, row);
	return true;
}

/*
 * The level of the whole (sku, location) of a locked slot: the row itself if
 * it is the only slot, else the sum of all slots (the others as last
 * committed: they may be locked by transactions still running).
 */
void
inv_row_total(InvCall *call, const StockRow *row, StockRow *total)
{
	Datum		values[2];

	*total = *row;
	if (!row->exists || row->slots <= 1)
		return;
	values[0] = CStringGetTextDatum(row->sku);
	values[1] = CStringGetTextDatum(row->location);
	if (inv_execute(PLAN_PLACE_SUM, values, NULL, false, 1) != 1)
		elog(ERROR, "stock of SKU \"%s\" at location \"%s\" vanished",
			 row->sku, row->location);
	total->slot = 0;
	total->on_hand = inv_result_int64(0, 1, NULL);
	total->reserved = inv_result_int64(0, 2, NULL);
	total->updated_at = inv_result_timestamptz(0, 3, NULL);
	total->last_counted_at = inv_result_timestamptz(0, 4, &total->last_counted_isnull);
}

/*
 * Lock order rule for the SKU's policy row: it comes before every stock row
 * of that SKU.  inv_configure locks it, then the SKU's stock rows; a call
 * that will create a stock row share-locks it.  A call about to lock several
 * rows of one SKU (a transfer, an order with several lines of the SKU) calls
 * this first: if any of those rows is missing, so that creating it will need
 * the share lock, the lock is taken now, before the first stock row.
 */
void
inv_lock_policy_if_missing(const char *sku, const char **locations, int nlocations)
{
	Datum		values[2];

	values[0] = CStringGetTextDatum(sku);
	for (int i = 0; i < nlocations; i++)
	{
		values[1] = CStringGetTextDatum(locations[i]);
		if (inv_execute(PLAN_STOCK_EXISTS, values, NULL, false, 1) == 0)
		{
			inv_execute(PLAN_POLICY_SHARE, values, NULL, false, 1);
			return;
		}
	}
}

void
inv_movement_context_init(MovementContext *ctx, const StockRow *row,
						  const char *kind, const char *actor,
						  const char *idempotency_key)
{
	memset(ctx, 0, sizeof(MovementContext));
	ctx->sku = row->sku;
	ctx->location = row->location;
	ctx->slot = row->slot;
	ctx->kind = kind;
	ctx->actor = actor;
	ctx->idempotency_key = idempotency_key;
}

/*
 * Write the new values of a locked row.  The stock_guard trigger checks the
 * invariants and writes the movement described by ctx.
 */
static void
apply_stock(InvCall *call, StockRow *row, int64 new_on_hand, int64 new_reserved,
			bool counted, MovementContext *ctx, int64 hold_id, int64 take,
			const char *action)
{
	Datum		values[12];
	char		nulls[12] = "            ";

	row_key_values(row, values);
	values[3] = Int64GetDatum(new_on_hand);
	values[4] = Int64GetDatum(new_reserved);
	if (row->next_expiry_isnull)
		nulls[5] = 'n';
	values[5] = TimestampTzGetDatum(row->next_expiry);
	values[6] = TimestampTzGetDatum(call->now);
	if (counted)
		values[7] = TimestampTzGetDatum(call->now);
	else if (row->last_counted_isnull)
		nulls[7] = 'n';
	else
		values[7] = TimestampTzGetDatum(row->last_counted_at);
	/* the trigger writes a movement for this change: its time on the row */
	if (ctx != NULL && ctx->kind != NULL && row->track_inventory &&
		(new_on_hand != row->on_hand || new_reserved != row->reserved || ctx->record_zero))
		values[8] = TimestampTzGetDatum(call->now);
	else
		nulls[8] = 'n';
	values[9] = Int64GetDatum(hold_id);
	values[10] = Int64GetDatum(take);
	values[11] = action ? CStringGetTextDatum(action) : (Datum) 0;

	inv_pending_movement = ctx;
	inv_execute(action ? PLAN_UPDATE_STOCK_TAKE : PLAN_UPDATE_STOCK, values,
				nulls, false, 0);
	inv_pending_movement = NULL;

	row->on_hand = new_on_hand;
	row->reserved = new_reserved;
	row->updated_at = call->now;
	if (counted)
	{
		row->last_counted_at = call->now;
		row->last_counted_isnull = false;
	}
}

void
inv_apply_stock(InvCall *call, StockRow *row, int64 new_on_hand,
				int64 new_reserved, bool counted, MovementContext *ctx)
{
	apply_stock(call, row, new_on_hand, new_reserved, counted, ctx, 0, 0, NULL);
}

/*
 * inv_apply_stock that also takes take units out of hold hold_id (action:
 * finalized, released or expired) in the same statement.
 */
void
inv_apply_stock_taking(InvCall *call, StockRow *row, int64 new_on_hand,
					   int64 new_reserved, MovementContext *ctx, int64 hold_id,
					   int64 take, const char *action)
{
	apply_stock(call, row, new_on_hand, new_reserved, false, ctx, hold_id, take,
				action);
}

/*
 * Release the overdue holds of a locked row (movement kind 'expire', one per
 * hold).  Cheap when nothing is due: the row's next_expiry says when the
 * earliest open hold expires, and it is only ever early, never late.
 */
void
inv_expire_holds(InvCall *call, StockRow *row, const char *actor)
{
	Datum		values[4];
	int			n;
	int64	   *ids;
	int64	   *qtys;
	char	  **refs;
	bool		next_isnull;
	TimestampTz next;

	if (!row->exists || !row->track_inventory ||
		row->next_expiry_isnull || row->next_expiry > call->now)
		return;

	row_key_values(row, values);
	values[3] = TimestampTzGetDatum(call->now);
	n = inv_execute(PLAN_EXPIRED_HOLDS, values, NULL, false, 0);
	ids = palloc(sizeof(int64) * (n + 1));
	qtys = palloc(sizeof(int64) * (n + 1));
	refs = palloc(sizeof(char *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		ids[i] = inv_result_int64(i, 1, NULL);
		refs[i] = inv_result_text(i, 2, CurrentMemoryContext);
		qtys[i] = inv_result_int64(i, 3, NULL);
	}

	inv_execute(PLAN_NEXT_EXPIRY, values, NULL, false, 1);
	next = inv_result_timestamptz(0, 1, &next_isnull);
	row->next_expiry = next;
	row->next_expiry_isnull = next_isnull;

	for (int i = 0; i < n; i++)
	{
		MovementContext ctx;

		/*
		 * The hold closes whole; reserved drops by as much of it as the row
		 * still reserves (less only if a direct write broke I3: an expired
		 * hold must never make an operation fail).
		 */
		int64		drop = Min(qtys[i], Max(row->reserved, 0));

		inv_hold_take(call, ids[i], qtys[i], "expired");
		if (drop == 0)
			continue;
		inv_movement_context_init(&ctx, row, "expire", actor, NULL);
		ctx.reference = refs[i];
		ctx.reason = "hold expired";
		inv_apply_stock(call, row, row->on_hand, row->reserved - drop, false, &ctx);
	}
}
