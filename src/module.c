/*
 * module.c
 *		Module initialisation: the invstock.* settings and the transaction
 *		callbacks that forget a pending movement context when a (sub)transaction
 *		aborts.
 */
#include "invstock.h"

#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

PG_MODULE_MAGIC;

char	   *inv_default_location = NULL;
char	   *inv_reservation_ttl = NULL;
int			inv_low_stock_threshold = 5;
char	   *inv_idempotency_retention = NULL;
bool		inv_http_errors = false;
bool		inv_events = true;

void		_PG_init(void);

/*
 * Parse an interval setting without throwing: check hooks must report a bad
 * value through GUC_check_errdetail, not ereport.
 */
static bool
parse_interval_setting(const char *value, Interval *out)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile bool ok = true;

	PG_TRY();
	{
		Interval   *iv;

		iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
												   CStringGetDatum(value),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
		*out = *iv;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		FlushErrorState();
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

static bool
check_lifetime(char **newval, void **extra, GucSource source,
						bool empty_ok)
{
	Interval	iv;

	if (*newval == NULL || (*newval)[0] == '\0')
	{
		if (empty_ok)
			return true;
		GUC_check_errdetail("An interval is required.");
		return false;
	}
	if (!parse_interval_setting(*newval, &iv))
	{
		GUC_check_errdetail("\"%s\" is not a valid interval.", *newval);
		return false;
	}
	if (inv_lifetime_problem(&iv) != NULL)
	{
		GUC_check_errdetail("The interval %s.", inv_lifetime_problem(&iv));
		return false;
	}
	return true;
}

static bool
check_reservation_ttl(char **newval, void **extra, GucSource source)
{
	return check_lifetime(newval, extra, source, true);
}

static bool
check_retention(char **newval, void **extra, GucSource source)
{
	return check_lifetime(newval, extra, source, false);
}

static bool
check_default_location(char **newval, void **extra, GucSource source)
{
	int			len;

	if (*newval == NULL || (*newval)[0] == '\0')
	{
		GUC_check_errdetail("The default location must not be empty.");
		return false;
	}
	len = pg_mbstrlen(*newval);
	if (len > INV_NAME_MAX)
	{
		GUC_check_errdetail("The default location must be at most %d characters.",
							INV_NAME_MAX);
		return false;
	}
	return true;
}

/* The hold lifetime from invstock.reservation_ttl; false when none is set */
bool
inv_reservation_ttl_value(Interval *out)
{
	if (inv_reservation_ttl == NULL || inv_reservation_ttl[0] == '\0')
		return false;
	if (!parse_interval_setting(inv_reservation_ttl, out))
		elog(ERROR, "invalid invstock.reservation_ttl \"%s\"", inv_reservation_ttl);
	return true;
}

void
inv_idempotency_retention_value(Interval *out)
{
	if (!parse_interval_setting(inv_idempotency_retention, out))
		elog(ERROR, "invalid invstock.idempotency_retention \"%s\"",
			 inv_idempotency_retention);
}

static void
inv_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_COMMIT || event == XACT_EVENT_PREPARE)
		inv_reset_pending_movement();
}

static void
inv_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		inv_reset_pending_movement();
}

void
_PG_init(void)
{
	DefineCustomStringVariable("invstock.default_location",
							   "Location used when a function is called with a NULL location.",
							   NULL,
							   &inv_default_location,
							   "main",
							   PGC_USERSET, 0,
							   check_default_location, NULL, NULL);

	DefineCustomStringVariable("invstock.reservation_ttl",
							   "Lifetime of a hold when inv_reserve is called without ttl; empty means holds never expire.",
							   NULL,
							   &inv_reservation_ttl,
							   "",
							   PGC_USERSET, 0,
							   check_reservation_ttl, NULL, NULL);

	DefineCustomIntVariable("invstock.low_stock_threshold",
							"Available quantity at or under which a SKU without its own threshold is low on stock.",
							NULL,
							&inv_low_stock_threshold,
							5, 0, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("invstock.idempotency_retention",
							   "How long inv_sync keeps idempotency records.",
							   NULL,
							   &inv_idempotency_retention,
							   "7 days",
							   PGC_USERSET, 0,
							   check_retention, NULL, NULL);

	DefineCustomBoolVariable("invstock.http_errors",
							 "Raise invstock errors with SQLSTATE PTnnn, nnn being the HTTP status (for PostgREST).",
							 NULL,
							 &inv_http_errors,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("invstock.events",
							 "Send NOTIFY invstock_events when a (sku, location) moves into or out of low_stock, out_of_stock or on_backorder.",
							 "Turn off in sessions that use two-phase commit: PREPARE TRANSACTION refuses a transaction that sent NOTIFY.",
							 &inv_events,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("invstock");

	RegisterXactCallback(inv_xact_callback, NULL);
	RegisterSubXactCallback(inv_subxact_callback, NULL);
}
