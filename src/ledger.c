/*
 * ledger.c
 *		Writing and summing movements, the append-only ledger.
 *
 * Movements are written only here: by the stock_guard trigger for every
 * change of a stock row, and by inv_sync when it brings the ledger back in
 * line with the table.  The row is inserted directly, without SPI (see
 * below); no privilege is checked, as the callers are invstock's own
 * trigger and functions.
 */
#include "invstock.h"

#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

/*
 * The movement is inserted directly (ExecSimpleRelationInsert, as logical
 * replication applies a row): one heap insert, its index entries, the
 * table's NOT NULL constraints and any row trigger a DBA added, without the
 * planner, the plan cache or an executor start-up per movement.  That needs
 * the table to have exactly the columns below, with their types, and
 * nothing only a statement does (statement triggers, transition tables,
 * forced row security); a table someone altered gets the prepared INSERT
 * of plans.c instead, which also fills added columns' defaults, so writing
 * the ledger never depends on its shape.  The shape is looked up once and
 * forgotten when the relation changes (a new trigger changes it too).
 */
enum
{
	COL_ID,
	COL_AT,
	COL_SKU,
	COL_LOCATION,
	COL_SLOT,
	COL_KIND,
	COL_ON_HAND_DELTA,
	COL_RESERVED_DELTA,
	COL_ON_HAND_AFTER,
	COL_RESERVED_AFTER,
	COL_REFERENCE,
	COL_REASON,
	COL_ACTOR,
	COL_IDEMPOTENCY_KEY,
	COL_TRANSFER_ID,
	COL_TXID,
	NUM_COLS
};

static const struct
{
	const char *name;
	Oid			type;
}			movement_columns[NUM_COLS] =
{
	[COL_ID] = {"id", INT8OID},
	[COL_AT] = {"at", TIMESTAMPTZOID},
	[COL_SKU] = {"sku", TEXTOID},
	[COL_LOCATION] = {"location", TEXTOID},
	[COL_SLOT] = {"slot", INT2OID},
	[COL_KIND] = {"kind", TEXTOID},
	[COL_ON_HAND_DELTA] = {"on_hand_delta", INT8OID},
	[COL_RESERVED_DELTA] = {"reserved_delta", INT8OID},
	[COL_ON_HAND_AFTER] = {"on_hand_after", INT8OID},
	[COL_RESERVED_AFTER] = {"reserved_after", INT8OID},
	[COL_REFERENCE] = {"reference", TEXTOID},
	[COL_REASON] = {"reason", TEXTOID},
	[COL_ACTOR] = {"actor", TEXTOID},
	[COL_IDEMPOTENCY_KEY] = {"idempotency_key", TEXTOID},
	[COL_TRANSFER_ID] = {"transfer_id", INT8OID},
	[COL_TXID] = {"txid", INT8OID},
};

typedef struct LedgerShape
{
	Oid			relid;			/* InvalidOid: look it up again */
	Oid			seqid;			/* invstock.movement_id_seq */
	bool		direct;			/* the table has exactly these columns */
	int			natts;
	AttrNumber	attno[NUM_COLS];
} LedgerShape;

static LedgerShape shape = {InvalidOid};
static bool shape_callback_registered = false;

static void
shape_invalidate(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == shape.relid || relid == shape.seqid)
		shape.relid = InvalidOid;
}

/*
 * Is the default of the id column still nextval() of movement_id_seq?  The
 * direct insert takes the id from that sequence, so it gives what an INSERT
 * would only while the column's default says so (not after ALTER COLUMN
 * ... SET DEFAULT, DROP DEFAULT or ADD GENERATED ... AS IDENTITY).
 */
static bool
id_default_is_sequence(Relation rel, AttrNumber attno)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attno - 1);
	Node	   *expr;
	FuncExpr   *call;
	Const	   *seq;

	if (att->attidentity != '\0' || !att->atthasdef)
		return false;
	expr = build_column_default(rel, attno);
	if (expr == NULL || !IsA(expr, FuncExpr))
		return false;
	call = (FuncExpr *) expr;
	if (call->funcid != F_NEXTVAL || list_length(call->args) != 1 ||
		!IsA(linitial(call->args), Const))
		return false;
	seq = (Const *) linitial(call->args);
	return !seq->constisnull && seq->consttype == REGCLASSOID &&
		DatumGetObjectId(seq->constvalue) == shape.seqid;
}

/*
 * Map the columns of the movement table; false if the direct insert would
 * not do what an INSERT statement does (the table is not as created)
 */
static bool
map_columns(Relation rel)
{
	TupleDesc	td = RelationGetDescr(rel);
	TriggerDesc *trig = rel->trigdesc;
	int			found = 0;

	if (rel->rd_rel->relkind != RELKIND_RELATION)
		return false;
	/*
	 * What only an INSERT statement does: forced row security, statement
	 * triggers, transition tables, and the rules of the rewriter (a DBA's
	 * ON INSERT rule).  CREATE RULE and the others invalidate the relcache,
	 * so the shape is mapped again when they change.
	 */
	if (rel->rd_rel->relrowsecurity && rel->rd_rel->relforcerowsecurity)
		return false;
	if (rel->rd_rel->relhasrules)
		return false;
	if (trig != NULL && (trig->trig_insert_before_statement ||
						 trig->trig_insert_after_statement ||
						 trig->trig_insert_new_table))
		return false;
	for (int i = 0; i < td->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(td, i);
		int			k;

		if (att->attisdropped)
			continue;
		for (k = 0; k < NUM_COLS; k++)
			if (strcmp(NameStr(att->attname), movement_columns[k].name) == 0)
				break;
		if (k == NUM_COLS || att->atttypid != movement_columns[k].type ||
			att->attgenerated != '\0')
			return false;
		shape.attno[k] = att->attnum;
		found++;
	}
	return found == NUM_COLS && id_default_is_sequence(rel, shape.attno[COL_ID]);
}

/*
 * Open the ledger for a write and know its shape.  The lock is taken before
 * the shape is trusted: it processes pending invalidations, and no ALTER
 * TABLE can change the columns while it is held.
 */
static Relation
open_ledger(void)
{
	Relation	rel;
	Oid			relid = shape.relid;

	if (!shape_callback_registered)
	{
		CacheRegisterRelcacheCallback(shape_invalidate, (Datum) 0);
		shape_callback_registered = true;
	}
	if (OidIsValid(relid))
		rel = table_open(relid, RowExclusiveLock);
	else
	{
		/* the name is looked up again once the lock is held */
		relid = RangeVarGetRelid(makeRangeVar(INV_SCHEMA, "movement", -1),
								 RowExclusiveLock, false);
		rel = table_open(relid, NoLock);
	}
	if (shape.relid != relid || RelationGetDescr(rel)->natts != shape.natts)
	{
		shape.relid = InvalidOid;	/* half-built: look it up again */
		shape.seqid = get_relname_relid("movement_id_seq",
										RelationGetNamespace(rel));
		shape.natts = RelationGetDescr(rel)->natts;
		shape.direct = OidIsValid(shape.seqid) && map_columns(rel);
		shape.relid = relid;
	}
	return rel;
}

static void
put_text(Datum *values, bool *isnull, int col, const char *s)
{
	if (s)
		values[col] = CStringGetTextDatum(s);
	else
		isnull[col] = true;
}

/* One row into the ledger, through the executor's single-row insert */
static void
insert_direct(Relation rel, const Datum *cols, const bool *colnull)
{
	TupleDesc	td = RelationGetDescr(rel);
	EState	   *estate;
	RangeTblEntry *rte;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	bool		after_triggers;

	estate = CreateExecutorState();
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	estate->es_output_cid = GetCurrentCommandId(true);
	if (ActiveSnapshotSet())
		estate->es_snapshot = GetActiveSnapshot();

	/* opened as the executor does, so trigger firing finds this one */
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	estate->es_opened_result_relations = list_make1(rri);
	ExecOpenIndices(rri, false);

	slot = ExecInitExtraTupleSlot(estate, td, &TTSOpsVirtual);
	ExecClearTuple(slot);
	for (int i = 0; i < td->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	for (int k = 0; k < NUM_COLS; k++)
	{
		slot->tts_values[shape.attno[k] - 1] = cols[k];
		slot->tts_isnull[shape.attno[k] - 1] = colnull[k];
	}
	ExecStoreVirtualTuple(slot);

	/* a DBA's AFTER trigger on the ledger fires when the row is written */
	after_triggers = rri->ri_TrigDesc != NULL &&
		rri->ri_TrigDesc->trig_insert_after_row;
	if (after_triggers)
		AfterTriggerBeginQuery();
	ExecSimpleRelationInsert(rri, estate, slot);
	if (after_triggers)
		AfterTriggerEndQuery(estate);

	ExecCloseResultRelations(estate);	/* indexes, trigger target rels */
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
}

/*
 * Write one movement.  The caller runs as the extension owner (an invstock
 * function, or the trigger switched for a direct write); SPI is connected
 * here only for the prepared INSERT, so callers need not be connected.
 */
void
inv_write_movement(const char *sku, const char *location, int16 slot,
				   const char *kind, int64 on_hand_delta, int64 reserved_delta,
				   int64 on_hand_after, int64 reserved_after,
				   const MovementContext *ctx)
{
	Datum		cols[NUM_COLS];
	bool		colnull[NUM_COLS] = {false};
	Relation	rel = open_ledger();

	cols[COL_AT] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	cols[COL_SKU] = CStringGetTextDatum(sku);
	cols[COL_LOCATION] = CStringGetTextDatum(location);
	cols[COL_SLOT] = Int16GetDatum(slot);
	cols[COL_KIND] = CStringGetTextDatum(kind);
	cols[COL_ON_HAND_DELTA] = Int64GetDatum(on_hand_delta);
	cols[COL_RESERVED_DELTA] = Int64GetDatum(reserved_delta);
	cols[COL_ON_HAND_AFTER] = Int64GetDatum(on_hand_after);
	cols[COL_RESERVED_AFTER] = Int64GetDatum(reserved_after);
	put_text(cols, colnull, COL_REFERENCE, ctx->reference);
	put_text(cols, colnull, COL_REASON, ctx->reason);
	put_text(cols, colnull, COL_ACTOR, ctx->actor);
	put_text(cols, colnull, COL_IDEMPOTENCY_KEY, ctx->idempotency_key);
	if (ctx->has_transfer_id)
		cols[COL_TRANSFER_ID] = Int64GetDatum(ctx->transfer_id);
	else
		colnull[COL_TRANSFER_ID] = true;
	cols[COL_TXID] = Int64GetDatum((int64) U64FromFullTransactionId(GetTopFullTransactionId()));

	if (shape.direct)
	{
		cols[COL_ID] = Int64GetDatum(nextval_internal(shape.seqid, false));
		insert_direct(rel, cols, colnull);
	}
	else
	{
		Datum		values[NUM_COLS - COL_AT];
		char		nulls[NUM_COLS - COL_AT];

		/* the prepared INSERT takes every column but id, in enum order */
		for (int k = COL_AT; k < NUM_COLS; k++)
		{
			values[k - COL_AT] = cols[k];
			nulls[k - COL_AT] = colnull[k] ? 'n' : ' ';
		}
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		inv_execute(PLAN_INSERT_MOVEMENT, values, nulls, false, 0);
		if (SPI_finish() != SPI_OK_FINISH)
			elog(ERROR, "SPI_finish failed");
	}
	table_close(rel, NoLock);
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
