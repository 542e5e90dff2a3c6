/*
 * args.c
 *		Validation of the arguments of invstock's SQL functions.
 *
 * Every argument is hostile until checked: NULL where one is required is
 * 22004, a bad value is 22023, an overflow is 22003.  All checks run before
 * anything is locked or written.
 */
#include "invstock.h"

#include "common/int.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

void
inv_require_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		INV_ERROR(ERRCODE_NULL_VALUE_NOT_ALLOWED,
				  errmsg("%s must not be null", what));
}

/* sku, location and reference: non-empty, at most 255 characters */
static void
inv_check_name(const char *value, const char *what)
{
	if (value[0] == '\0')
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("%s must not be empty", what));
	if (pg_mbstrlen(value) > INV_NAME_MAX)
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("%s must be at most %d characters", what, INV_NAME_MAX),
				  errdetail("The value has %d characters.", pg_mbstrlen(value)));
}

char *
inv_arg_name(FunctionCallInfo fcinfo, int argno, const char *what, bool required)
{
	char	   *value;

	if (PG_ARGISNULL(argno))
	{
		if (required)
			inv_require_arg(fcinfo, argno, what);
		return NULL;
	}
	value = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	inv_check_name(value, what);
	return value;
}

/* A location argument: NULL means invstock.default_location */
char *
inv_arg_location(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		return pstrdup(inv_default_location);
	return inv_arg_name(fcinfo, argno, what, true);
}

/* A quantity: >= 0 */
int64
inv_arg_qty(FunctionCallInfo fcinfo, int argno, const char *what, bool required,
			bool *isnull)
{
	int64		qty;

	*isnull = PG_ARGISNULL(argno);
	if (*isnull)
	{
		if (required)
			inv_require_arg(fcinfo, argno, what);
		return 0;
	}
	qty = PG_GETARG_INT64(argno);
	if (qty < 0)
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("%s must not be negative", what),
				  errdetail("The value is " INT64_FORMAT ".", qty));
	return qty;
}

/* Free text (reason, notes, actor): min_chars..INV_TEXT_MAX characters */
char *
inv_arg_text(FunctionCallInfo fcinfo, int argno, const char *what, int min_chars,
			 bool required)
{
	char	   *value;
	int			len;

	if (PG_ARGISNULL(argno))
	{
		if (required)
			inv_require_arg(fcinfo, argno, what);
		return NULL;
	}
	value = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	len = pg_mbstrlen(value);
	if (len < min_chars)
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("%s must be at least %d characters", what, min_chars),
				  errdetail("The value has %d characters.", len));
	if (len > INV_TEXT_MAX)
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("%s must be at most %d characters", what, INV_TEXT_MAX),
				  errdetail("The value has %d characters.", len));
	return value;
}

/* idempotency_key: NULL or 1..255 characters */
char *
inv_arg_key(FunctionCallInfo fcinfo, int argno)
{
	return inv_arg_name(fcinfo, argno, "idempotency_key", false);
}

/*
 * What is wrong with an interval used as a lifetime (a hold's ttl,
 * invstock.reservation_ttl, invstock.idempotency_retention), or NULL: it must
 * be positive and at most interval '100 years', compared as PostgreSQL
 * compares intervals (months of 30 days), so now() +/- it is always a valid
 * timestamp.
 */
const char *
inv_lifetime_problem(const Interval *iv)
{
	double		span;

	span = (double) iv->month * DAYS_PER_MONTH * USECS_PER_DAY
		+ (double) iv->day * USECS_PER_DAY + (double) iv->time;
	if (span <= 0)
		return "must be positive";
	if (span > 1200.0 * DAYS_PER_MONTH * USECS_PER_DAY ||
		iv->month > 1200 || iv->day > 36000 || iv->month < -1200 || iv->day < -36000)
		return "must be at most 100 years";
	return NULL;
}

/*
 * ttl: the hold's expiry now()+ttl, from the argument or, if NULL, from
 * invstock.reservation_ttl.  Returns false when the hold does not expire.
 */
bool
inv_arg_ttl(FunctionCallInfo fcinfo, int argno, TimestampTz now,
			TimestampTz *expires_at)
{
	Interval	iv;
	const char *problem;

	if (!PG_ARGISNULL(argno))
		iv = *PG_GETARG_INTERVAL_P(argno);
	else if (!inv_reservation_ttl_value(&iv))
		return false;

	problem = inv_lifetime_problem(&iv);
	if (problem)
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("ttl %s", problem));

	*expires_at = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
														  TimestampTzGetDatum(now),
														  IntervalPGetDatum(&iv)));
	return true;
}

/* a + b, or 22003 naming the stock row */
int64
inv_add_checked(int64 a, int64 b, const char *sku, const char *location,
				const char *what)
{
	int64		r;

	if (pg_add_s64_overflow(a, b, &r))
		INV_ERROR(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
				  errmsg("%s of SKU \"%s\" at location \"%s\" would overflow bigint",
						 what, sku, location),
				  errdetail("Current value " INT64_FORMAT ", change " INT64_FORMAT ".",
							a, b));
	return r;
}

/* a - b, or 22003 naming the stock row */
int64
inv_sub_checked(int64 a, int64 b, const char *sku, const char *location,
				const char *what)
{
	int64		r;

	if (pg_sub_s64_overflow(a, b, &r))
		INV_ERROR(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
				  errmsg("%s of SKU \"%s\" at location \"%s\" would overflow bigint",
						 what, sku, location),
				  errdetail("Values " INT64_FORMAT " and " INT64_FORMAT ".", a, b));
	return r;
}
