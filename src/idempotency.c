/*
 * idempotency.c
 *		At-most-once mutations (contract section 5).
 *
 * A call with an idempotency_key first claims the key by inserting its row
 * (operation, SHA-256 of the canonical arguments) with ON CONFLICT DO
 * NOTHING.  If another transaction holds an uncommitted claim, the insert
 * waits for it: when that transaction commits, the key is taken and this call
 * replays the stored result (or fails with 23505 if the operation or the
 * arguments differ); when it rolls back, this call claims the key and
 * applies.  The result is stored (as text of the composite values) in the
 * same transaction as the change, so both commit or neither does.
 */
#include "invstock.h"

#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

void
inv_idem_init(IdemRequest *req, const char *operation, const char *key)
{
	req->key = key;
	req->operation = operation;
	initStringInfo(&req->args);
}

/* Arguments are length-prefixed, so no two argument lists encode alike */
void
inv_idem_arg_text(IdemRequest *req, const char *value)
{
	if (value == NULL)
		appendStringInfoString(&req->args, "N;");
	else
		appendStringInfo(&req->args, "T%zu:%s;", strlen(value), value);
}

/* An interval by its fields, so IntervalStyle cannot change the request */
void
inv_idem_arg_interval(IdemRequest *req, FunctionCallInfo fcinfo, int argno)
{
	Interval   *iv;

	if (PG_ARGISNULL(argno))
	{
		appendStringInfoString(&req->args, "N;");
		return;
	}
	iv = PG_GETARG_INTERVAL_P(argno);
	appendStringInfo(&req->args, "V%d,%d," INT64_FORMAT ";",
					 iv->month, iv->day, iv->time);
}

void
inv_idem_arg_int64(IdemRequest *req, bool isnull, int64 value)
{
	if (isnull)
		appendStringInfoString(&req->args, "N;");
	else
		appendStringInfo(&req->args, "I" INT64_FORMAT ";", value);
}

static bytea *
request_hash(IdemRequest *req)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	bytea	   *out = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) req->operation,
							 strlen(req->operation) + 1) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) req->args.data,
							 req->args.len) < 0 ||
		pg_cryptohash_final(ctx, (uint8 *) VARDATA(out),
							PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	SET_VARSIZE(out, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	return out;
}

/*
 * Claim the key.  Returns false if the call must apply (no key, or the key
 * is now ours), true if it must replay *replay (copied into the caller's
 * memory context).
 */
static bool
inv_idem_claim(InvCall *call, IdemRequest *req, ArrayType **replay)
{
	Datum		values[4];
	bytea	   *hash;
	bool		isnull;
	char	   *operation;
	bytea	   *stored_hash;
	Datum		result;

	if (req->key == NULL)
		return false;

	hash = request_hash(req);
	values[0] = CStringGetTextDatum(req->key);
	values[1] = CStringGetTextDatum(req->operation);
	values[2] = PointerGetDatum(hash);
	values[3] = TimestampTzGetDatum(call->now);
	if (inv_execute(PLAN_IDEM_CLAIM, values, NULL, false, 0) == 1)
		return false;

	if (inv_execute(PLAN_IDEM_GET, values, NULL, false, 1) == 0)
		elog(ERROR, "idempotency key \"%s\" vanished", req->key);

	operation = inv_result_text(0, 1, CurrentMemoryContext);
	stored_hash = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 2, &isnull));
	if (strcmp(operation, req->operation) != 0 ||
		VARSIZE_ANY_EXHDR(stored_hash) != PG_SHA256_DIGEST_LENGTH ||
		memcmp(VARDATA_ANY(stored_hash), VARDATA(hash), PG_SHA256_DIGEST_LENGTH) != 0)
		INV_ERROR(ERRCODE_UNIQUE_VIOLATION,
				  errmsg("idempotency key \"%s\" was already used with a different operation or arguments",
						 req->key),
				  errdetail("The key was first used by %s.", operation),
				  errhint("Use a new idempotency key for a different request."));

	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	if (isnull)
		elog(ERROR, "idempotency key \"%s\" has no stored result", req->key);
	{
		MemoryContext old = MemoryContextSwitchTo(call->caller_cxt);

		*replay = DatumGetArrayTypePCopy(result);
		MemoryContextSwitchTo(old);
	}
	return true;
}

/*
 * The stored result is text (the composite types' output): write and read it
 * with fixed DateStyle, TimeZone and IntervalStyle, so a replay does not
 * depend on the settings of the session that replays.  Returns the GUC nest
 * level to pass to AtEOXact_GUC.
 */
static int
pin_text_format(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("DateStyle", "ISO, YMD", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("TimeZone", "UTC", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("IntervalStyle", "postgres", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("extra_float_digits", "3", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/* Store the result of the call that claimed the key */
static void
inv_idem_store(IdemRequest *req, HeapTuple *tuples, int ntuples, TupleDesc tupdesc)
{
	Datum	   *texts;
	Datum		values[2];
	ArrayType  *arr;
	int			level;

	if (req->key == NULL)
		return;

	texts = palloc(sizeof(Datum) * (ntuples + 1));
	level = pin_text_format();
	for (int i = 0; i < ntuples; i++)
	{
		Datum		d = heap_copy_tuple_as_datum(tuples[i], tupdesc);

		texts[i] = CStringGetTextDatum(OidOutputFunctionCall(F_RECORD_OUT, d));
	}
	AtEOXact_GUC(true, level);
	arr = construct_array(texts, ntuples, TEXTOID, -1, false, TYPALIGN_INT);
	values[0] = CStringGetTextDatum(req->key);
	values[1] = PointerGetDatum(arr);
	inv_execute(PLAN_IDEM_STORE, values, NULL, false, 0);
}

static Datum *
stored_texts(ArrayType *result, int *n)
{
	Datum	   *elems;
	bool	   *nulls;

	deconstruct_array(result, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	return elems;
}

static Datum
parse_record(Datum stored, TupleDesc tupdesc)
{
	int			level = pin_text_format();
	Datum		result;

	result = OidInputFunctionCall(F_RECORD_IN, TextDatumGetCString(stored),
								  tupdesc->tdtypeid, tupdesc->tdtypmod);
	AtEOXact_GUC(true, level);
	return result;
}

static Datum
inv_idem_replay_one(ArrayType *result, TupleDesc tupdesc)
{
	int			n;
	Datum	   *elems = stored_texts(result, &n);

	if (n != 1)
		elog(ERROR, "stored idempotent result has %d rows, expected 1", n);
	return parse_record(elems[0], tupdesc);
}

/* Replay into a set-returning function set up with InitMaterializedSRF */
static void
inv_idem_replay_set(FunctionCallInfo fcinfo, ArrayType *result)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n;
	Datum	   *elems = stored_texts(result, &n);

	for (int i = 0; i < n; i++)
	{
		HeapTupleHeader hdr = DatumGetHeapTupleHeader(parse_record(elems[i],
																   rsinfo->setDesc));
		HeapTupleData tuple;

		tuple.t_len = HeapTupleHeaderGetDatumLength(hdr);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = hdr;
		tuplestore_puttuple(rsinfo->setResult, &tuple);
	}
}

/*
 * The start of every mutating call: run as the owner (inv_call_begin) and
 * claim the idempotency key.  Returns true when the key replays: the call is
 * over, and *result holds the stored result (tupdesc given) or the
 * set-returning function's tuplestore holds its rows (tupdesc NULL).
 */
bool
inv_begin_call(InvCall *call, IdemRequest *req, FunctionCallInfo fcinfo,
			   TupleDesc tupdesc, Datum *result)
{
	ArrayType  *replay;

	inv_call_begin(call);
	if (!inv_idem_claim(call, req, &replay))
		return false;
	inv_call_end(call);
	if (tupdesc)
		*result = inv_idem_replay_one(replay, tupdesc);
	else
		inv_idem_replay_set(fcinfo, replay);
	return true;
}

/*
 * The end of every mutating call: store its result for replays under the
 * key, then end the call.  Returns the datum to return: the single tuple,
 * or (Datum) 0 for a set-returning function (its rows are already in the
 * tuplestore).
 */
Datum
inv_end_call(InvCall *call, IdemRequest *req, HeapTuple *tuples, int ntuples,
			 TupleDesc tupdesc, bool set)
{
	inv_idem_store(req, tuples, ntuples, tupdesc);
	inv_call_end(call);
	return set ? (Datum) 0 : HeapTupleGetDatum(tuples[0]);
}
