/*
 * call.c
 *		Running invstock's internal SQL as the extension owner.
 *
 * Like PostgreSQL's referential-integrity triggers, every function connects to
 * SPI and switches the current user to the owner of the invstock schema (with
 * SECURITY_LOCAL_USERID_CHANGE) for its internal queries, so callers need no
 * privilege on the tables.  The switch is undone by inv_call_end, or by
 * transaction abort if an error escapes.  The caller's identity is kept to
 * name the actor of the movements.
 */
#include "invstock.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/builtins.h"
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

/* Owner of the invstock schema, cached until pg_namespace changes */
Oid
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
}

void
inv_call_end(InvCall *call)
{
	SetUserIdAndSecContext(call->caller_userid, call->caller_sec_context);
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
