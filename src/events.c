/*
 * events.c
 *		NOTIFY invstock_events when a (sku, location) moves into or out of
 *		one of the statuses an application wants to hear about: low_stock,
 *		out_of_stock and on_backorder.
 *
 * Called by the stock_guard trigger for every change of a stock row, and by
 * inv_configure for a policy change (threshold, tracking, backorders).
 * PostgreSQL delivers notifications at commit and drops them on rollback, so
 * listeners only hear of changes that happened.  The payload is JSON:
 * {"sku", "location", "old_status", "new_status", "available"}: no more than
 * that, because PostgreSQL checks no privilege on LISTEN (any role that can
 * connect can listen; see docs/security.md).  invstock.events = off turns
 * them off for a session (PREPARE TRANSACTION refuses a transaction that
 * sent NOTIFY, so two-phase commit users need it).
 */
#include "invstock.h"

#include "commands/async.h"
#include "utils/json.h"

#define INV_EVENT_CHANNEL "invstock_events"

static bool
watched(const char *status)
{
	return strcmp(status, "low_stock") == 0 ||
		strcmp(status, "out_of_stock") == 0 ||
		strcmp(status, "on_backorder") == 0;
}

void
inv_notify_status_change(const char *sku, const char *location,
						 const char *old_status, const char *new_status,
						 int64 available)
{
	StringInfoData buf;

	if (!inv_events || strcmp(old_status, new_status) == 0 ||
		(!watched(old_status) && !watched(new_status)))
		return;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"sku\": ");
	escape_json(&buf, sku);
	appendStringInfoString(&buf, ", \"location\": ");
	escape_json(&buf, location);
	appendStringInfoString(&buf, ", \"old_status\": ");
	escape_json(&buf, old_status);
	appendStringInfoString(&buf, ", \"new_status\": ");
	escape_json(&buf, new_status);
	appendStringInfo(&buf, ", \"available\": " INT64_FORMAT "}", available);
	Async_Notify(INV_EVENT_CHANNEL, buf.data);
	pfree(buf.data);
}
