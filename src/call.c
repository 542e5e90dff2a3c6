/*
 * call.c
 *		Running invstock's internal SQL as the extension owner.
 *
 * Like PostgreSQL's referential-integrity triggers, every function connects to
 * SPI and switches the current user to the owner of the invstock schema (with
 * SECURITY_LOCAL_USERID_CHANGE) for its internal queries, so callers need no
 * privilege on the tables.  It also pins search_path to "pg_catalog, pg_temp"
 * for those queries (as a function's SET clause would), a second guard
 * behind the fully qualified SQL.  Both are undone by inv_call_end, or by
 * (sub)transaction abort if an error escapes.  The caller's identity is kept
 * to name the actor of the movements.
 *
 * The owner must be the owner of the extension: the install script refuses a
 * pre-existing invstock schema owned by another role, and inv_owner checks
 * that the schema is still owned by the extension's owner.
 */
#include "invstock.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "access/genam.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/syscache.h"

static Oid	owner_oid = InvalidOid;
static bool owner_callback_registered = false;

static void
owner_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	owner_oid = InvalidOid;
}

/* Owner of extension invstock (InvalidOid if it is not installed) */
static Oid
extension_owner(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			owner = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("invstock"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return owner;
}

/*
 * Owner of the invstock schema, which must be the extension's owner; cached
 * until pg_namespace changes.
 */
static Oid
inv_owner(void)
{
	if (!OidIsValid(owner_oid))
	{
		Oid			nsp = get_namespace_oid(INV_SCHEMA, true);
		HeapTuple	tup;

		if (!OidIsValid(nsp))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_SCHEMA),
					 errmsg("schema \"%s\" does not exist", INV_SCHEMA),
					 errhint("Run CREATE EXTENSION invstock.")));
		tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
		if (!HeapTupleIsValid(tup))
			elog(ERROR, "cache lookup failed for namespace %u", nsp);
		owner_oid = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
		ReleaseSysCache(tup);
		if (owner_oid != extension_owner())
		{
			owner_oid = InvalidOid;
			INV_ERROR(ERRCODE_INSUFFICIENT_PRIVILEGE,
					  errmsg("schema \"%s\" is not owned by the owner of extension invstock",
							 INV_SCHEMA),
					  errhint("Give the schema back to the extension's owner with ALTER SCHEMA ... OWNER TO."));
		}
		if (!owner_callback_registered)
		{
			CacheRegisterSyscacheCallback(NAMESPACEOID, owner_invalidate, (Datum) 0);
			owner_callback_registered = true;
		}
	}
	return owner_oid;
}

void
inv_call_begin(InvCall *call)
{
	Oid			owner = inv_owner();

	call->caller_cxt = CurrentMemoryContext;
	call->now = GetCurrentTransactionStartTimestamp();
	GetUserIdAndSecContext(&call->caller_userid, &call->caller_sec_context);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	SetUserIdAndSecContext(owner,
						   call->caller_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	call->guc_nest_level = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
}

/*
 * For a trigger fired by the statement of an invstock function: that
 * function already runs as the owner with search_path pinned, so only SPI
 * is needed (one set_config_option less per stock row written).
 */
void
inv_call_begin_nested(InvCall *call)
{
	call->caller_cxt = CurrentMemoryContext;
	call->now = GetCurrentTransactionStartTimestamp();
	GetUserIdAndSecContext(&call->caller_userid, &call->caller_sec_context);
	if (call->caller_userid != inv_owner())
		elog(ERROR, "invstock: nested call not running as the extension owner");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	call->guc_nest_level = -1;
}

void
inv_call_end(InvCall *call)
{
	if (call->guc_nest_level >= 0)
	{
		AtEOXact_GUC(true, call->guc_nest_level);
		SetUserIdAndSecContext(call->caller_userid, call->caller_sec_context);
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/* The "sub" claim of PostgREST's request.jwt.claims, or NULL */
static char *
jwt_sub(MemoryContext cxt)
{
	const char *claims = GetConfigOption("request.jwt.claims", true, false);
	char	   *volatile result = NULL;
	MemoryContext old;

	if (claims == NULL || claims[0] == '\0')
		return NULL;

	old = MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		Jsonb	   *jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
															CStringGetDatum(claims)));

		if (JB_ROOT_IS_OBJECT(jb))
		{
			JsonbValue *v = getKeyJsonValueFromContainer(&jb->root, "sub", 3, NULL);

			if (v != NULL && v->type == jbvString)
				result = pnstrdup(v->val.string.val, v->val.string.len);
			else if (v != NULL && v->type == jbvNumeric)
				result = DatumGetCString(DirectFunctionCall1(numeric_out,
															 NumericGetDatum(v->val.numeric)));
		}
	}
	PG_CATCH();
	{
		/* malformed claims: PostgREST never sets them; fall back to the role */
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		result = NULL;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	return result;
}

/*
 * The actor of a movement: the explicit argument if given, else the JWT sub
 * claim if PostgREST set one, else the name of the calling role.
 */
char *
inv_actor(const char *explicit_actor, Oid userid, MemoryContext cxt)
{
	char	   *sub;

	if (explicit_actor != NULL)
		return MemoryContextStrdup(cxt, explicit_actor);
	sub = jwt_sub(cxt);
	if (sub != NULL)
		return sub;
	return MemoryContextStrdup(cxt, GetUserNameFromId(userid, false));
}
