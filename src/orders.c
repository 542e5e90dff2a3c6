/*
 * orders.c
 *		inv_reserve_order, inv_release_order and inv_finalize_order: all the
 *		lines of one order reference, all or nothing.
 *
 * Lines are parsed and validated before anything is locked, lines naming the
 * same (sku, location) are summed, and rows are locked in (sku, location)
 * byte order, so two orders naming the same SKUs in any order never deadlock.
 */
#include "invstock.h"

#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(inv_reserve_order);
PG_FUNCTION_INFO_V1(inv_release_order);
PG_FUNCTION_INFO_V1(inv_finalize_order);

typedef struct OrderLine
{
	char	   *sku;
	char	   *location;
	int64		qty;
	int64		hold_id;		/* release/finalize: the hold to settle */
} OrderLine;

pg_attribute_noreturn() static void bad_line(int lineno, const char *fmt, const char *arg);

static void
bad_line(int lineno, const char *fmt, const char *arg)
{
	INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
			  errmsg("invalid lines: line %d %s", lineno, psprintf(fmt, arg)),
			  errhint("lines must be a JSON array of objects {\"sku\": text, \"qty\": integer >= 0, \"location\": text or null}."));
	pg_unreachable();
}

/* A JSON number that is a whole, non-negative bigint */
static int64
line_qty(JsonbValue *v, int lineno)
{
	char	   *s;
	char	   *dot;
	char	   *end;
	long long	q;

	if (v == NULL || v->type != jbvNumeric)
	{
		bad_line(lineno, "%s", "needs \"qty\" as a number");
		return 0;
	}
	s = DatumGetCString(DirectFunctionCall1(numeric_out,
											NumericGetDatum(v->val.numeric)));
	dot = strchr(s, '.');
	if (dot)
	{
		for (char *p = dot + 1; *p; p++)
			if (*p != '0')
				bad_line(lineno, "has a fractional \"qty\" %s", s);
		*dot = '\0';
	}
	if (s[0] == '-' && strcmp(s, "-0") != 0)
		bad_line(lineno, "has a negative \"qty\" %s", s);
	errno = 0;
	q = strtoll(s, &end, 10);
	if (errno == ERANGE || *end != '\0')
		INV_ERROR(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
				  errmsg("invalid lines: line %d has a \"qty\" out of range for bigint",
						 lineno));
	return (int64) q;
}

static char *
line_name(JsonbValue *v, int lineno, const char *key, bool required)
{
	char	   *s;

	if (v == NULL || v->type == jbvNull)
	{
		if (required)
			bad_line(lineno, "needs \"%s\" as a string", key);
		return NULL;
	}
	if (v->type != jbvString)
		bad_line(lineno, "needs \"%s\" as a string", key);
	s = pnstrdup(v->val.string.val, v->val.string.len);
	if (s[0] == '\0' || pg_mbstrlen(s) > INV_NAME_MAX)
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("invalid lines: line %d has an empty or longer than %d characters \"%s\"",
						 lineno, INV_NAME_MAX, key));
	return s;
}

static int
line_cmp(const void *a, const void *b)
{
	const OrderLine *x = a;
	const OrderLine *y = b;
	int			c = strcmp(x->sku, y->sku);

	return c != 0 ? c : strcmp(x->location, y->location);
}

/* Parse, validate, sort and merge the lines of inv_reserve_order */
static OrderLine *
parse_lines(Jsonb *jb, int *nlines)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = 0;
	int			cap;
	OrderLine  *lines;
	int			merged;

	if (!JB_ROOT_IS_ARRAY(jb) || JB_ROOT_IS_SCALAR(jb))
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("invalid lines: not a JSON array"),
				  errhint("lines must be a JSON array of objects {\"sku\": text, \"qty\": integer >= 0, \"location\": text or null}."));
	cap = JB_ROOT_COUNT(jb);
	if (cap == 0)
		INV_ERROR(ERRCODE_INVALID_PARAMETER_VALUE,
				  errmsg("invalid lines: the order has no lines"));
	lines = palloc(sizeof(OrderLine) * cap);

	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbContainer *obj;
		JsonbIterator *oit;
		JsonbValue	k;
		JsonbIteratorToken otok;
		int			lineno;

		if (tok != WJB_ELEM)
			continue;
		lineno = n + 1;
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			bad_line(lineno, "%s", "is not a JSON object");
		obj = v.val.binary.data;

		/* refuse unknown keys: a misspelt "quantity" must not be ignored */
		oit = JsonbIteratorInit(obj);
		while ((otok = JsonbIteratorNext(&oit, &k, true)) != WJB_DONE)
		{
			if (otok != WJB_KEY)
				continue;
			if (!((k.val.string.len == 3 && memcmp(k.val.string.val, "sku", 3) == 0) ||
				  (k.val.string.len == 3 && memcmp(k.val.string.val, "qty", 3) == 0) ||
				  (k.val.string.len == 8 && memcmp(k.val.string.val, "location", 8) == 0)))
				bad_line(lineno, "has unknown key \"%s\"",
						 pnstrdup(k.val.string.val,
								  pg_mbcliplen(k.val.string.val, k.val.string.len, 64)));
		}

		lines[n].sku = line_name(getKeyJsonValueFromContainer(obj, "sku", 3, NULL),
								 lineno, "sku", true);
		lines[n].location = line_name(getKeyJsonValueFromContainer(obj, "location", 8, NULL),
									  lineno, "location", false);
		if (lines[n].location == NULL)
			lines[n].location = pstrdup(inv_default_location);
		lines[n].qty = line_qty(getKeyJsonValueFromContainer(obj, "qty", 3, NULL), lineno);
		lines[n].hold_id = 0;
		n++;
	}

	qsort(lines, n, sizeof(OrderLine), line_cmp);
	merged = 0;
	for (int i = 0; i < n; i++)
	{
		if (merged > 0 && line_cmp(&lines[merged - 1], &lines[i]) == 0)
			lines[merged - 1].qty = inv_add_checked(lines[merged - 1].qty, lines[i].qty,
													lines[i].sku, lines[i].location,
													"qty of the order lines");
		else
			lines[merged++] = lines[i];
	}
	*nlines = merged;
	return lines;
}

static void
put_level(FunctionCallInfo fcinfo, InvCall *call, const StockRow *row,
		  HeapTuple *results, int *nresults)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	results[*nresults] = inv_level_result(call, rsinfo->setDesc, row);
	inv_srf_put(fcinfo, results[*nresults]);
	(*nresults)++;
}

/*
 * inv_reserve_order(reference, lines, ttl, idempotency_key)
 */
Datum
inv_reserve_order(PG_FUNCTION_ARGS)
{
	char	   *reference = inv_arg_name(fcinfo, 0, "reference", true);
	Jsonb	   *jb;
	char	   *key = inv_arg_key(fcinfo, 3);
	TimestampTz expires_at = 0;
	bool		has_expiry;
	OrderLine  *lines;
	int			nlines;
	IdemRequest req;
	InvCall		call;
	HeapTuple  *results;
	int			nresults = 0;
	char	   *actor;

	inv_require_arg(fcinfo, 1, "lines");
	jb = PG_GETARG_JSONB_P(1);
	has_expiry = inv_arg_ttl(fcinfo, 2, GetCurrentTransactionStartTimestamp(),
							 &expires_at);
	lines = parse_lines(jb, &nlines);

	InitMaterializedSRF(fcinfo, 0);

	inv_idem_init(&req, "inv_reserve_order", key);
	inv_idem_arg_text(&req, reference);
	for (int i = 0; i < nlines; i++)
	{
		inv_idem_arg_text(&req, lines[i].sku);
		inv_idem_arg_text(&req, lines[i].location);
		inv_idem_arg_int64(&req, false, lines[i].qty);
	}
	inv_idem_arg_interval(&req, fcinfo, 2);

	if (inv_begin_call(&call, &req, fcinfo, NULL, NULL))
		return (Datum) 0;

	results = MemoryContextAlloc(call.caller_cxt, sizeof(HeapTuple) * nlines);
	actor = inv_actor(NULL, call.caller_userid, call.caller_cxt);
	for (int i = 0; i < nlines; i++)
	{
		StockRow	total;

		/* first line of a SKU with several lines: see inv_lock_policy_if_missing */
		if (i == 0 || strcmp(lines[i - 1].sku, lines[i].sku) != 0)
		{
			int			n = 0;
			const char **locations = palloc(sizeof(char *) * (nlines - i));

			while (i + n < nlines && strcmp(lines[i + n].sku, lines[i].sku) == 0)
			{
				locations[n] = lines[i + n].location;
				n++;
			}
			if (n > 1)
				inv_lock_policy_if_missing(lines[i].sku, locations, n);
		}

		inv_reserve_stock(&call, lines[i].sku, lines[i].location,
						  STOCK_MISSING_CREATE_BACKORDER, lines[i].qty, reference,
						  has_expiry, expires_at, NULL, actor, key, true, &total);
		put_level(fcinfo, &call, &total, results, &nresults);
	}

	return inv_end_call(&call, &req, results, nresults,
						((ReturnSetInfo *) fcinfo->resultinfo)->setDesc, true);
}

/*
 * Shared body of inv_release_order and inv_finalize_order: settle every open
 * hold of reference, rows locked in (sku, location) order.
 */
static Datum
settle_order(FunctionCallInfo fcinfo, bool finalize, const char *reason, int key_argno)
{
	char	   *reference = inv_arg_name(fcinfo, 0, "reference", true);
	char	   *key = inv_arg_key(fcinfo, key_argno);
	IdemRequest req;
	InvCall		call;
	HeapTuple  *results;
	int			nresults = 0;
	int			n;
	OrderLine  *holds;
	int16	   *slots;
	bool	   *backorder_slotted;
	Datum		values[1];
	char	   *actor;
	int			settled = 0;

	InitMaterializedSRF(fcinfo, 0);

	inv_idem_init(&req, finalize ? "inv_finalize_order" : "inv_release_order", key);
	inv_idem_arg_text(&req, reference);
	inv_idem_arg_text(&req, reason);

	if (inv_begin_call(&call, &req, fcinfo, NULL, NULL))
		return (Datum) 0;

	values[0] = CStringGetTextDatum(reference);
	n = inv_execute(PLAN_HOLDS_OF_REFERENCE, values, NULL, false, 0);
	holds = palloc(sizeof(OrderLine) * (n + 1));
	slots = palloc(sizeof(int16) * (n + 1));
	backorder_slotted = palloc(sizeof(bool) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		holds[i].sku = inv_result_text(i, 1, CurrentMemoryContext);
		holds[i].location = inv_result_text(i, 2, CurrentMemoryContext);
		slots[i] = (int16) inv_result_int64(i, 3, NULL);
		holds[i].hold_id = inv_result_int64(i, 4, NULL);
		backorder_slotted[i] = inv_result_bool(i, 5, NULL);
	}
	if (n == 0)
		INV_ERROR(ERRCODE_NO_DATA_FOUND,
				  errmsg("no open holds for reference \"%s\"", reference));

	actor = inv_actor(NULL, call.caller_userid, call.caller_cxt);
	results = MemoryContextAlloc(call.caller_cxt, sizeof(HeapTuple) * n);

	/* one (sku, location) at a time: its holds are consecutive, in slot order */
	for (int i = 0; i < n;)
	{
		HoldSet		found;
		StockRow	total;
		int			k = 0;

		while (i + k < n && line_cmp(&holds[i], &holds[i + k]) == 0)
			k++;
		found.n = k;
		found.ids = palloc(sizeof(int64) * k);
		found.slots = &slots[i];
		found.qtys = NULL;
		found.backorder_slotted = false;
		for (int j = 0; j < k; j++)
		{
			found.ids[j] = holds[i + j].hold_id;
			found.backorder_slotted |= backorder_slotted[i + j];
		}
		if (inv_settle_reference(&call, holds[i].sku, holds[i].location, reference,
								 &found, true, 0, finalize, reason, actor, key, &total))
			settled++;
		put_level(fcinfo, &call, &total, results, &nresults);
		i += k;
	}
	/* every hold expired (or was closed) before its row could be locked */
	if (settled == 0)
		INV_ERROR(ERRCODE_NO_DATA_FOUND,
				  errmsg("no open holds for reference \"%s\"", reference),
				  errdetail("Its holds expired or were closed."));

	return inv_end_call(&call, &req, results, nresults,
						((ReturnSetInfo *) fcinfo->resultinfo)->setDesc, true);
}

/*
 * inv_release_order(reference, reason, idempotency_key)
 */
Datum
inv_release_order(PG_FUNCTION_ARGS)
{
	char	   *reason = inv_arg_text(fcinfo, 1, "reason", 0, false);

	return settle_order(fcinfo, false, reason, 2);
}

/*
 * inv_finalize_order(reference, idempotency_key)
 */
Datum
inv_finalize_order(PG_FUNCTION_ARGS)
{
	return settle_order(fcinfo, true, NULL, 1);
}
