/*
 * stockrow.c
 *		Locking and changing one stock row of a (sku, location).
 *
 * A function locks the row (SELECT ... FOR UPDATE; the row carries a copy of
 * the SKU's policy, so the lock always comes with the newest policy),
 * creating the SKU, location and row first when its rules allow; releases the
 * row's overdue holds; then writes the new on_hand/reserved with one UPDATE.
 * Before that UPDATE it publishes a MovementContext (kind, reference, reason,
 * actor, idempotency key) that the stock_guard trigger reads to write the
 * movement; an UPDATE with no context is a direct write (kind 'direct').
 */
#include "invstock.h"

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

/* Lock the row if it exists and read it with its policy; false if missing */
static bool
lock_existing(StockRow *row)
{
	Datum		values[3];

	row_key_values(row, values);
	if (inv_execute(PLAN_LOCK_STOCK, values, NULL, false, 1) == 0)
		return false;
	row->exists = true;
	row->on_hand = inv_result_int64(0, 1, NULL);
	row->reserved = inv_result_int64(0, 2, NULL);
	row->track_inventory = inv_result_bool(0, 3, NULL);
	row->allow_backorder = inv_result_bool(0, 4, NULL);
	row->threshold = inv_result_int64(0, 5, &row->threshold_isnull);
	row->next_expiry = inv_result_timestamptz(0, 6, &row->next_expiry_isnull);
	row->last_counted_at = inv_result_timestamptz(0, 7, &row->last_counted_isnull);
	row->updated_at = inv_result_timestamptz(0, 8, NULL);
	return true;
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
	return true;
}

void
inv_lock_stock(InvCall *call, const char *sku, const char *location,
			   StockMissing missing, StockRow *row)
{
	Datum		values[7];
	char		nulls[7] = "       ";
	bool		create;
	MovementContext ctx;

	memset(row, 0, sizeof(StockRow));
	row->sku = MemoryContextStrdup(call->caller_cxt, sku);
	row->location = MemoryContextStrdup(call->caller_cxt, location);
	row->slot = 0;
	row->next_expiry_isnull = true;
	row->last_counted_isnull = true;
	row->threshold_isnull = true;
	row->track_inventory = true;

	if (lock_existing(row))
		return;

	if (missing == STOCK_MISSING_CREATE)
	{
		values[0] = CStringGetTextDatum(sku);
		inv_execute(PLAN_INSERT_SKU, values, NULL, false, 0);
	}
	if (!read_policy(row, false))
	{
		if (missing == STOCK_MISSING_OK)
			return;
		INV_ERROR(ERRCODE_NO_DATA_FOUND,
				  errmsg("unknown SKU \"%s\"", sku),
				  errhint("Create it with inv_adjust or inv_configure.")); 
	}

	/* an untracked SKU accepts every call and keeps nothing */
	if (!row->track_inventory)
		return;

	create = missing == STOCK_MISSING_CREATE ||
		missing == STOCK_MISSING_CREATE_ROW ||
		(missing == STOCK_MISSING_CREATE_BACKORDER && row->allow_backorder);
	if (!create)
	{
		if (missing == STOCK_MISSING_OK)
			return;
		INV_ERROR(ERRCODE_NO_DATA_FOUND,
				  errmsg("SKU \"%s\" has no stock at location \"%s\"", sku, location),
				  errhint("Receive stock there with inv_adjust first."));
	}

	/*
	 * Share-lock the policy, then re-read it, before the new row copies it.
	 * Multi-row callers took this lock before any stock row of the SKU (see
	 * inv_lock_policy_if_missing), so it never comes after one.
	 */
	if (!read_policy(row, true))
		elog(ERROR, "SKU \"%s\" vanished", sku);
	if (!row->track_inventory)
		return;

	values[0] = CStringGetTextDatum(location);
	inv_execute(PLAN_INSERT_LOCATION, values, NULL, false, 0);

	row_key_values(row, values);
	values[3] = BoolGetDatum(row->track_inventory);
	values[4] = BoolGetDatum(row->allow_backorder);
	values[5] = TimestampTzGetDatum(call->now);
	values[6] = Int64GetDatum(row->threshold);
	if (row->threshold_isnull)
		nulls[6] = 'n';
	inv_movement_context_init(&ctx, row, NULL, NULL, NULL);
	inv_pending_movement = &ctx;
	inv_execute(PLAN_INSERT_STOCK, values, nulls, false, 0);
	inv_pending_movement = NULL;

	if (!lock_existing(row))
		elog(ERROR, "stock row of SKU \"%s\" at location \"%s\" vanished", sku, location);
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
	Datum		values[3];

	values[0] = CStringGetTextDatum(sku);
	values[2] = Int16GetDatum(0);
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
void
inv_apply_stock(InvCall *call, StockRow *row, int64 new_on_hand,
				int64 new_reserved, bool counted, MovementContext *ctx)
{
	Datum		values[8];
	char		nulls[8] = "        ";

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

	inv_pending_movement = ctx;
	inv_execute(PLAN_UPDATE_STOCK, values, nulls, false, 0);
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
