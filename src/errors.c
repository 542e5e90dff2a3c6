/*
 * errors.c
 *		SQLSTATE mapping for invstock errors.
 *
 * Every error a user can cause is raised through INV_ERROR with a standard
 * SQLSTATE from the contract.  With invstock.http_errors = on (meant for
 * PostgREST's login role) the SQLSTATE is replaced by PTnnn, nnn being the
 * HTTP status PostgREST should answer with.
 */
#include "invstock.h"

#include "utils/errcodes.h"

typedef struct HttpMapping
{
	int			sqlstate;
	int			http;
} HttpMapping;

static const HttpMapping http_map[] = {
	{ERRCODE_NULL_VALUE_NOT_ALLOWED, 400},
	{ERRCODE_INVALID_PARAMETER_VALUE, 400},
	{ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, 400},
	{ERRCODE_NO_DATA_FOUND, 404},
	{ERRCODE_CHECK_VIOLATION, 409},
	{ERRCODE_UNIQUE_VIOLATION, 422},
	{ERRCODE_INSUFFICIENT_PRIVILEGE, 403},
};

int
inv_errcode(int sqlerrcode)
{
	if (!inv_http_errors)
		return sqlerrcode;

	for (size_t i = 0; i < lengthof(http_map); i++)
	{
		if (http_map[i].sqlstate == sqlerrcode)
		{
			int			h = http_map[i].http;

			return MAKE_SQLSTATE('P', 'T',
								 '0' + (h / 100) % 10,
								 '0' + (h / 10) % 10,
								 '0' + h % 10);
		}
	}
	return sqlerrcode;
}
