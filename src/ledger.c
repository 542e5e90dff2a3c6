/*
 * ledger.c
 *		Writing and summing movements, the append-only ledger.
 *
 * Movements are written only here: by the stock_guard trigger for every
 * change of a stock row, and by inv_sync when it brings the ledger back in
 * line with the table.  The caller runs as the extension owner.
 */
#include "invstock.h"

#include "access/transam.h"
#include "access/xact.h"
#include "utils/builtins.h"

static void
set_text(Datum *values, char *nulls, int i, const char *s)
{
	if (s)
		values[i] = CStringGetTextDatum(s);
	else
		nulls[i] = 'n';
}

void
inv_write_movement(const char *sku, const char *location, int16 slot,
				   const char *kind, int64 on_hand_delta, int64 reserved_delta,
				   int64 on_hand_after, int64 reserved_after,
				   const MovementContext *ctx)
{
	Datum		values[15];
	char		nulls[16] = "               ";

	values[0] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	values[1] = CStringGetTextDatum(sku);
	values[2] = CStringGetTextDatum(location);
	values[3] = Int16GetDatum(slot);
	values[4] = CStringGetTextDatum(kind);
	values[5] = Int64GetDatum(on_hand_delta);
	values[6] = Int64GetDatum(reserved_delta);
	values[7] = Int64GetDatum(on_hand_after);
	values[8] = Int64GetDatum(reserved_after);
	set_text(values, nulls, 9, ctx->reference);
	set_text(values, nulls, 10, ctx->reason);
	set_text(values, nulls, 11, ctx->actor);
	set_text(values, nulls, 12, ctx->idempotency_key);
	if (ctx->has_transfer_id)
		values[13] = Int64GetDatum(ctx->transfer_id);
	else
		nulls[13] = 'n';
	values[14] = Int64GetDatum((int64) U64FromFullTransactionId(GetTopFullTransactionId()));
	inv_execute(PLAN_INSERT_MOVEMENT, values, nulls, false, 0);
}

/* Sums of the deltas of the movements of one stock row (slot) */
void
inv_ledger_sum(const char *sku, const char *location, int16 slot,
			   int64 *on_hand, int64 *reserved)
{
	Datum		values[3];

	values[0] = CStringGetTextDatum(sku);
	values[1] = CStringGetTextDatum(location);
	values[2] = Int16GetDatum(slot);
	inv_execute(PLAN_LEDGER_SUM, values, NULL, false, 1);
	*on_hand = inv_result_int64(0, 1, NULL);
	*reserved = inv_result_int64(0, 2, NULL);
}
