# invstock: product stock kept inside PostgreSQL (PGXS build)

EXTENSION = invstock
EXTVERSION = 1.0

MODULE_big = invstock
OBJS = \
	src/module.o \
	src/errors.o \
	src/plans.o \
	src/call.o \
	src/args.o \
	src/level.o \
	src/stockrow.o \
	src/slots.o \
	src/holds.o \
	src/ledger.o \
	src/idempotency.o \
	src/reserve.o \
	src/adjust.o \
	src/transfer.o \
	src/orders.o \
	src/sync.o \
	src/configure.o \
	src/readers.o \
	src/triggers.o \
	src/events.o

HEADERS = src/invstock.h

DATA = $(wildcard sql/invstock--*.sql)

# pg_regress suites: sql/<name>.sql against expected/<name>.out
REGRESS = lifecycle errors count transfer orders idempotency expiry \
	policy ledger ledger_write sync settings http_errors privileges search_path postgrest \
	upgrade install robustness hostile slots last_movement
REGRESS_OPTS = --dbname=invstock_regression

# isolation specs: specs/<name>.spec against expected/<name>.out
ISOLATION = last_unit hold_race orders_opposite transfer_opposite \
	idempotency_race expiry_race count_race sync_race direct_race \
	repeatable_read configure_race events threshold_race \
	slot_no_wait slot_last_units slot_configure_race slot_configure_grow \
	slot_settle_race slot_fold_last_movement
ISOLATION_OPTS = --dbname=invstock_isolation

# Perl TAP tests under t/ (dump/restore, crash recovery, streaming replica).
# Debian's PGXS has TAP disabled, so test/tap.sh runs them with prove.
TAP_TESTS = 1

PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on the shared header (PGXS does not track headers)
$(OBJS): src/invstock.h

# pgTAP suites under test/pgtap, run with pg_prove against a running server
.PHONY: print-isolation print-regress
print-isolation:
	@echo $(ISOLATION)
print-regress:
	@echo $(REGRESS)

.PHONY: prove
prove:
	pg_prove --ext .sql test/pgtap/

# memory safety: every pg_regress suite against a server under valgrind
# (about 15 minutes here: not part of CI)
.PHONY: memcheck
memcheck:
	bash test/memcheck.sh

# concurrency stress test (test/stress/run.sh DURATION CLIENTS) in a throwaway
# cluster; CI runs it for 15 s
# benchmark against plain SQL baselines (test/bench/run.sh): 3 rounds of
# 10 s per variant in a throwaway cluster; results into docs/bench/
.PHONY: bench
bench:
	bash test/bench/run.sh

.PHONY: stress
stress:
	bash test/stress/run.sh 300 8
