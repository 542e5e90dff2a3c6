/*
 * sync.c
 *		inv_sync: reconciliation for DBAs.
 *
 * Expires overdue holds, purges idempotency records older than
 * invstock.idempotency_retention, then checks I1-I4 for every tracked stock
 * row in scope (locked in (sku, location) order, like every multi-row
 * function) and, with repair, fixes what can be fixed:
 *   - I4 drift (the table disagrees with its ledger, possible only when the
 *     triggers were bypassed): a 'sync' movement brings the ledger in line
 *     with the table, which holds the physical truth;
 *   - I3 drift (reserved is not the sum of open holds, e.g. after a direct
 *     UPDATE of reserved): reserved is set to the sum of the holds, through
 *     the trigger, which writes a 'sync' movement;
 *   - open holds of a row that no longer exists are closed as released;
 *   - ledger sums of a row that no longer exists are brought to zero.
 * I1/I2 breaks cannot be repaired without knowing the truth; they are only
 * reported.
 */
#include "invstock.h"

#include "common/int.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(inv_sync);

typedef struct SyncState
{
	FunctionCallInfo fcinfo;
	InvCall    *call;
	bool		repair;
	char	   *actor;
} SyncState;

static void
report(SyncState *st, const char *sku, const char *location, const char *problem,
	   int64 expected, int64 actual, bool repaired)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) st->fcinfo->resultinfo;
	Datum		values[6];
	bool		nulls[6] = {0};
	MemoryContext old = MemoryContextSwitchTo(st->call->caller_cxt);

	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	values[2] = CStringGetTextDatum(problem);
	values[3] = Int64GetDatum(expected);
	values[4] = Int64GetDatum(actual);
	values[5] = BoolGetDatum(repaired);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	MemoryContextSwitchTo(old);
}

static void
write_sync_movement(SyncState *st, const char *sku, const char *location,
					int16 slot, int64 on_hand_delta, int64 reserved_delta,
					int64 on_hand_after, int64 reserved_after, const char *reason)
{
	MovementContext ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.actor = st->actor;
	ctx.reason = reason;
	inv_write_movement(sku, location, slot, "sync", on_hand_delta, reserved_delta,
					   on_hand_after, reserved_after, &ctx);
}

static void
check_row(SyncState *st, const char *sku, const char *location, int16 slot)
{
	StockRow	row;
	int64		ledger_on_hand;
	int64		ledger_reserved;
	int64		holds;
	int64		d_on_hand;
	int64		d_reserved;
	Datum		values[3];

	if (!inv_lock_slot(st->call, sku, location, slot, &row) || !row.track_inventory)
		return;

	/* I1, I2 on the row as found: reported only */
	if (row.on_hand < 0)
		report(st, sku, location, "negative_on_hand", 0, row.on_hand, false);
	if (row.reserved < 0)
		report(st, sku, location, "negative_reserved", 0, row.reserved, false);
	if (row.reserved > row.on_hand && !row.allow_backorder)
		report(st, sku, location, "reserved_exceeds_on_hand", row.on_hand,
			   row.reserved, false);

	/*
	 * I4 on the row as found: the table against the sums of its ledger.  The
	 * repair is one sync movement of the difference, unless the difference
	 * itself overflows bigint (I7: never a wrap-around); then it is only
	 * reported.
	 */
	inv_ledger_sum(sku, location, row.slot, &ledger_on_hand, &ledger_reserved);
	if (ledger_on_hand != row.on_hand || ledger_reserved != row.reserved)
	{
		bool		fix = st->repair &&
			!pg_sub_s64_overflow(row.on_hand, ledger_on_hand, &d_on_hand) &&
			!pg_sub_s64_overflow(row.reserved, ledger_reserved, &d_reserved);

		if (ledger_on_hand != row.on_hand)
			report(st, sku, location, "ledger_on_hand", ledger_on_hand,
				   row.on_hand, fix);
		if (ledger_reserved != row.reserved)
			report(st, sku, location, "ledger_reserved", ledger_reserved,
				   row.reserved, fix);
		if (fix)
		{
			write_sync_movement(st, sku, location, row.slot, d_on_hand, d_reserved,
								row.on_hand, row.reserved,
								"ledger brought in line with the stock table");
			/* the row did not change, but it has a new movement */
			inv_set_last_movement(sku, location, row.slot, false, st->call->now, true);
		}
	}

	/*
	 * I3, while the overdue holds still count: drift is reported (and
	 * repaired, through the trigger, which keeps I4) before expiry closes
	 * those holds.
	 */
	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	values[2] = Int16GetDatum(row.slot);
	inv_execute(PLAN_HOLDS_SUM, values, NULL, false, 1);
	holds = inv_result_int64(0, 1, NULL);
	if (holds != row.reserved)
	{
		bool		fix = st->repair && row.on_hand >= 0 &&
			(holds <= row.on_hand || row.allow_backorder);

		report(st, sku, location, "holds_reserved", holds, row.reserved, fix);
		if (fix)
		{
			MovementContext ctx;

			inv_movement_context_init(&ctx, &row, "sync", st->actor, NULL);
			ctx.reason = "reserved brought in line with the open holds";
			inv_apply_stock(st->call, &row, row.on_hand, holds, false, &ctx);
		}
	}

	/*
	 * Expire every overdue hold, whatever next_expiry says, unless the row
	 * breaks I1/I2 (reported above): any write to it would be refused, and
	 * only a count can tell its truth.
	 */
	if (row.on_hand >= 0 && row.reserved >= 0 &&
		(row.reserved <= row.on_hand || row.allow_backorder))
	{
		row.next_expiry_isnull = false;
		row.next_expiry = st->call->now;
		inv_expire_holds(st->call, &row, st->actor);
	}
}

/*
 * inv_sync(sku, location, repair): NULL sku or location means all of them.
 */
Datum
inv_sync(PG_FUNCTION_ARGS)
{
	char	   *sku = inv_arg_name(fcinfo, 0, "sku", false);
	char	   *location = inv_arg_name(fcinfo, 1, "location", false);
	SyncState	st;
	InvCall		call;
	Interval	retention;
	Datum		values[2];
	char		nulls[2] = "  ";
	int			n;
	char	  **skus;
	char	  **locations;
	int16	   *scope_slots;

	inv_require_arg(fcinfo, 2, "repair");
	InitMaterializedSRF(fcinfo, 0);

	inv_call_begin(&call);
	st.fcinfo = fcinfo;
	st.call = &call;
	st.repair = PG_GETARG_BOOL(2);
	st.actor = inv_actor(NULL, call.caller_userid, call.caller_cxt);

	/* purge idempotency records past their retention */
	inv_idempotency_retention_value(&retention);
	values[0] = DirectFunctionCall2(timestamptz_mi_interval,
									TimestampTzGetDatum(call.now),
									IntervalPGetDatum(&retention));
	inv_execute(PLAN_IDEM_PURGE, values, NULL, false, 0);

	if (sku)
		values[0] = CStringGetTextDatum(sku);
	else
		nulls[0] = 'n';
	if (location)
		values[1] = CStringGetTextDatum(location);
	else
		nulls[1] = 'n';

	n = inv_execute(PLAN_SYNC_SCOPE, values, nulls, false, 0);
	skus = palloc(sizeof(char *) * (n + 1));
	locations = palloc(sizeof(char *) * (n + 1));
	scope_slots = palloc(sizeof(int16) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		skus[i] = inv_result_text(i, 1, CurrentMemoryContext);
		locations[i] = inv_result_text(i, 2, CurrentMemoryContext);
		scope_slots[i] = (int16) inv_result_int64(i, 3, NULL);
	}
	for (int i = 0; i < n; i++)
		check_row(&st, skus[i], locations[i], scope_slots[i]);

	/* open holds whose stock row is gone */
	n = inv_execute(PLAN_ORPHAN_HOLDS, values, nulls, false, 0);
	{
		int64	   *ids = palloc(sizeof(int64) * (n + 1));
		int64	   *qtys = palloc(sizeof(int64) * (n + 1));
		char	  **hs = palloc(sizeof(char *) * (n + 1));
		char	  **hl = palloc(sizeof(char *) * (n + 1));

		for (int i = 0; i < n; i++)
		{
			ids[i] = inv_result_int64(i, 1, NULL);
			hs[i] = inv_result_text(i, 2, CurrentMemoryContext);
			hl[i] = inv_result_text(i, 3, CurrentMemoryContext);
			qtys[i] = inv_result_int64(i, 4, NULL);
		}
		for (int i = 0; i < n; i++)
		{
			report(&st, hs[i], hl[i], "orphan_hold", 0, qtys[i], st.repair);
			if (st.repair)
				inv_hold_take(&call, ids[i], qtys[i], "released");
		}
	}

	/* ledger sums of stock rows that are gone */
	n = inv_execute(PLAN_LEDGER_ORPHANS, values, nulls, false, 0);
	{
		char	  **ms = palloc(sizeof(char *) * (n + 1));
		char	  **ml = palloc(sizeof(char *) * (n + 1));
		int16	   *slots = palloc(sizeof(int16) * (n + 1));
		int64	   *oh = palloc(sizeof(int64) * (n + 1));
		int64	   *rs = palloc(sizeof(int64) * (n + 1));

		for (int i = 0; i < n; i++)
		{
			ms[i] = inv_result_text(i, 1, CurrentMemoryContext);
			ml[i] = inv_result_text(i, 2, CurrentMemoryContext);
			slots[i] = (int16) inv_result_int64(i, 3, NULL);
			oh[i] = inv_result_int64(i, 4, NULL);
			rs[i] = inv_result_int64(i, 5, NULL);
		}
		for (int i = 0; i < n; i++)
		{
			/* -INT64_MIN does not exist: such a ledger is only reported */
			bool		fix = st.repair && oh[i] != PG_INT64_MIN && rs[i] != PG_INT64_MIN;

			if (oh[i] != 0)
				report(&st, ms[i], ml[i], "ledger_on_hand", oh[i], 0, fix);
			if (rs[i] != 0)
				report(&st, ms[i], ml[i], "ledger_reserved", rs[i], 0, fix);
			if (fix)
				write_sync_movement(&st, ms[i], ml[i], slots[i], -oh[i], -rs[i], 0, 0,
									"ledger of a deleted stock row brought to zero");
		}
	}

	inv_call_end(&call);
	return (Datum) 0;
}
