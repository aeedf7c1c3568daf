/* test_isolate.c: isolate lifecycle, version, status names, params (struct
 * growth rule, custom allocator), handle scopes, heap statistics,
 * microtasks, interrupts, many isolates (sequential and on parallel threads). */

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "test_util.h"

static void test_version(void) {
  const char *v = sable_version();
  CHECK(v != NULL);
  unsigned major, minor, patch;
  char tail;
  CHECK(sscanf(v, "%u.%u.%u%c", &major, &minor, &patch, &tail) == 3);
  CHECK(sable_version() == v); /* static */
  CHECK(SABLE_ABI_VERSION == 1);
  OK("version");
}

static void test_status_names(void) {
  static const char *names[] = {"SABLE_OK",          "SABLE_EXCEPTION",        "SABLE_TERMINATED",
                                "SABLE_OUT_OF_MEMORY", "SABLE_INVALID_ARGUMENT", "SABLE_INTERNAL_ERROR",
                                "SABLE_ABORTED",     "SABLE_IO_ERROR"};
  for (int i = 0; i < 8; i++) {
    const char *n = sable_status_name((sable_status)i);
    CHECK(n != NULL && strcmp(n, names[i]) == 0);
  }
  CHECK(SABLE_OK == 0 && SABLE_EXCEPTION == 1 && SABLE_TERMINATED == 2 && SABLE_OUT_OF_MEMORY == 3 &&
        SABLE_INVALID_ARGUMENT == 4 && SABLE_INTERNAL_ERROR == 5 && SABLE_ABORTED == 6 && SABLE_IO_ERROR == 7);
  CHECK(strcmp(sable_status_name((sable_status)99), "SABLE_UNKNOWN_STATUS") == 0);
  CHECK(strcmp(sable_status_name((sable_status)-1), "SABLE_UNKNOWN_STATUS") == 0);
  OK("status names");
}

static void test_params(void) {
  sable_isolate_params p;
  memset(&p, 0xAB, sizeof p);
  sable_isolate_params_init(&p);
  CHECK(p.struct_size == sizeof p);
  CHECK(p.heap_limit_bytes == 0 && p.stack_limit_bytes == 0 && p.allocator == NULL);
  sable_isolate_params_init(NULL); /* ignored */

  sable_isolate *iso = NULL;
  CHECK_OK(sable_isolate_new(NULL, &iso)); /* NULL params: defaults */
  sable_isolate_dispose(iso);

  p.heap_limit_bytes = 256u << 20;
  p.stack_limit_bytes = 512u << 10;
  CHECK_OK(sable_isolate_new(&p, &iso));
  sable_context *ctx = new_context(iso);
  CHECK(num_of(ctx, EVAL(ctx, "6 * 7")) == 42);
  sable_isolate_dispose(iso);

  /* A caller built against an older, smaller struct: only struct_size. The
   * bytes after it are garbage and must not be read. */
  struct {
    size_t struct_size;
    size_t garbage[8];
  } old;
  memset(&old, 0xFF, sizeof old);
  old.struct_size = offsetof(sable_isolate_params, heap_limit_bytes);
  iso = NULL;
  CHECK_OK(sable_isolate_new((const sable_isolate_params *)&old, &iso));
  ctx = new_context(iso);
  CHECK(num_of(ctx, EVAL(ctx, "1 + 1")) == 2);
  sable_isolate_dispose(iso);

  /* struct_size too small to hold itself: rejected. */
  sable_isolate_params bad;
  sable_isolate_params_init(&bad);
  bad.struct_size = 0;
  iso = (sable_isolate *)0x1;
  CHECK_STATUS(sable_isolate_new(&bad, &iso), SABLE_INVALID_ARGUMENT);
  CHECK(iso == (sable_isolate *)0x1); /* untouched */

  /* An allocator without functions: rejected. */
  sable_allocator a = {NULL, NULL, NULL};
  sable_isolate_params_init(&bad);
  bad.allocator = &a;
  CHECK_STATUS(sable_isolate_new(&bad, &iso), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_isolate_new(NULL, NULL), SABLE_INVALID_ARGUMENT);
  OK("params");
}

/* A counting allocator. */
typedef struct {
  size_t allocs, frees, live_bytes;
} alloc_stats;

static void *count_alloc(void *user, size_t size, size_t align) {
  alloc_stats *st = (alloc_stats *)user;
  if (align < sizeof(void *)) align = sizeof(void *);
  void *p = NULL;
  if (posix_memalign(&p, align, size) != 0) return NULL;
  st->allocs++;
  st->live_bytes += size;
  return p;
}

static void count_free(void *user, void *ptr, size_t size, size_t align) {
  (void)align;
  alloc_stats *st = (alloc_stats *)user;
  st->frees++;
  st->live_bytes -= size;
  free(ptr);
}

static void test_allocator(void) {
  alloc_stats st = {0, 0, 0};
  sable_allocator a = {count_alloc, count_free, &st};
  sable_isolate_params p;
  sable_isolate_params_init(&p);
  p.allocator = &a;
  sable_isolate *iso = NULL;
  CHECK_OK(sable_isolate_new(&p, &iso));
  sable_context *ctx = new_context(iso);
  /* Enough objects to take several heap pages; under GC stress (a collection
   * per loop iteration over a growing array) fewer, or it runs for minutes. */
  EVAL(ctx, under_instrumentation() ? "var big = []; for (let i = 0; i < 5000; i++) big.push({i}); big.length"
                                    : "var big = []; for (let i = 0; i < 100000; i++) big.push({i}); big.length");
  CHECK(st.allocs > 0); /* heap pages come from the host allocator */
  sable_isolate_dispose(iso);
  CHECK(st.frees == st.allocs);
  CHECK(st.live_bytes == 0);
  OK("custom allocator");
}

static void test_lifecycle(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  CHECK(sable_context_isolate(ctx) == iso);
  sable_value g = sable_context_global(ctx);
  CHECK(sable_typeof(g) == SABLE_TYPE_OBJECT);
  sable_context *ctx2 = new_context(iso);
  CHECK(sable_context_isolate(ctx2) == iso);
  /* Contexts are separate realms. */
  EVAL(ctx, "globalThis.only_in_first = 1");
  CHECK_JS(ctx2, "typeof only_in_first === 'undefined'");
  CHECK_JS(ctx, "only_in_first === 1");
  sable_context_dispose(ctx2);
  /* ctx still works; the isolate disposes the remaining context. */
  CHECK(num_of(ctx, EVAL(ctx, "40 + 2")) == 42);
  sable_isolate_dispose(iso);
  OK("lifecycle");
}

static void test_scopes(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  size_t outer = sable_scope_open(iso);
  sable_value kept = sable_number(iso, 1);
  size_t inner = sable_scope_open(iso);
  sable_value a = sable_number(iso, 2);
  sable_value b = sable_string(iso, "escapee", 7);
  CHECK(sable_typeof(a) == SABLE_TYPE_NUMBER);
  sable_value esc = sable_scope_escape(iso, inner, b);
  CHECK(esc != NULL);
  CHECK(str_is(iso, esc, "escapee"));
  CHECK(sable_typeof(kept) == SABLE_TYPE_NUMBER);

  /* Closing a scope invalidates its handles (and no new ones were made). */
  size_t s2 = sable_scope_open(iso);
  sable_value gone = sable_number(iso, 3);
  sable_scope_close(iso, s2);
  CHECK(sable_typeof(gone) == SABLE_TYPE_UNDEFINED);
  double d = 0;
  CHECK_STATUS(sable_to_number(ctx, gone, &d), SABLE_INVALID_ARGUMENT);

  /* Many handles in a loop with a scope per iteration. */
  for (int i = 0; i < 10000; i++) {
    size_t t = sable_scope_open(iso);
    sable_value s = sable_string(iso, "x", 1);
    CHECK(s != NULL);
    sable_scope_close(iso, t);
  }
  sable_scope_close(iso, outer);
  sable_isolate_dispose(iso);
  OK("handle scopes");
}

static void test_heap_statistics(void) {
  sable_isolate_params p;
  sable_isolate_params_init(&p);
  p.heap_limit_bytes = 512u << 20;
  sable_isolate *iso = NULL;
  CHECK_OK(sable_isolate_new(&p, &iso));
  sable_context *ctx = new_context(iso);
  EVAL(ctx, "var keep = []; for (let i = 0; i < 10000; i++) keep.push({i});");

  sable_heap_statistics st;
  memset(&st, 0, sizeof st);
  st.struct_size = sizeof st;
  CHECK_OK(sable_heap_statistics_get(iso, &st));
  CHECK(st.struct_size == sizeof st);
  CHECK(st.used_heap_size > 0);
  CHECK(st.total_heap_size >= st.used_heap_size);
  CHECK(st.heap_size_limit >= (512u << 20) && st.heap_size_limit <= (1024u << 20));
  CHECK(st.number_of_native_contexts == 1); /* the one context made above */
  /* Freed memory is zapped exactly under SABLE_GC_STRESS=1. */
  const char *stress = getenv("SABLE_GC_STRESS");
  CHECK(st.does_zap_garbage == ((stress && strcmp(stress, "1") == 0) ? 1u : 0u));

  /* ABI growth: an older caller's struct ends after used_heap_size. */
  sable_heap_statistics small;
  memset(&small, 0x5A, sizeof small);
  small.struct_size = offsetof(sable_heap_statistics, used_heap_size) + sizeof(size_t);
  CHECK_OK(sable_heap_statistics_get(iso, &small));
  CHECK(small.used_heap_size > 0);
  size_t sentinel;
  memset(&sentinel, 0x5A, sizeof sentinel);
  CHECK(small.heap_size_limit == sentinel); /* beyond struct_size: untouched */
  CHECK(small.external_memory == sentinel);

  /* Only struct_size: valid, nothing written. */
  sable_heap_statistics none;
  memset(&none, 0x5A, sizeof none);
  none.struct_size = sizeof(size_t);
  CHECK_OK(sable_heap_statistics_get(iso, &none));
  CHECK(none.total_heap_size == sentinel);

  none.struct_size = 0;
  CHECK_STATUS(sable_heap_statistics_get(iso, &none), SABLE_INVALID_ARGUMENT);

  /* GC frees garbage: used size drops after dropping the array. */
  EVAL(ctx, "keep = null;");
  sable_isolate_collect_garbage(iso);
  sable_heap_statistics after;
  after.struct_size = sizeof after;
  CHECK_OK(sable_heap_statistics_get(iso, &after));
  CHECK(after.used_heap_size < st.used_heap_size);
  sable_isolate_dispose(iso);
  OK("heap statistics");
}

static void test_microtasks(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  EVAL(ctx, "globalThis.log = []; Promise.resolve(1).then(v => log.push(v)).then(() => log.push(2));");
  CHECK_OK(sable_run_microtasks(iso));
  CHECK_JS(ctx, "log.join() === '1,2'");
  CHECK_OK(sable_run_microtasks(iso)); /* empty queue */
  sable_isolate_dispose(iso);
  OK("microtasks");
}

typedef struct {
  int calls;
  sable_isolate *seen;
} interrupt_state;

static void on_interrupt(sable_isolate *iso, void *data) {
  interrupt_state *st = (interrupt_state *)data;
  st->calls++;
  st->seen = iso;
  /* Interrupt callbacks may call into the isolate. */
  CHECK(sable_typeof(sable_number(iso, 1)) == SABLE_TYPE_NUMBER);
  sable_isolate_terminate_execution(iso);
}

static void test_interrupt(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  interrupt_state st = {0, NULL};
  sable_isolate_request_interrupt(iso, on_interrupt, &st);
  sable_isolate_request_interrupt(iso, NULL, NULL); /* ignored */
  sable_value r = NULL;
  CHECK_STATUS(eval_status(ctx, "for (;;) {}", &r), SABLE_TERMINATED);
  CHECK(st.calls == 1);
  CHECK(st.seen == iso);
  sable_isolate_cancel_terminate_execution(iso);
  CHECK(num_of(ctx, EVAL(ctx, "1 + 1")) == 2);
  sable_isolate_dispose(iso);
  OK("interrupt");
}

/* An interrupt requested from another thread while JS runs. */
typedef struct {
  sable_context *ctx;
  pthread_t js_thread;   /* the thread running the isolate */
  int terminate;         /* the callback terminates (1) or sets `stop` (0) */
  atomic_int js_running; /* set by JS through started() once in the loop */
  atomic_int calls;
  atomic_int off_thread_calls; /* callback runs not on js_thread */
  atomic_int waited_too_long;
} xthread_state;

static sable_status native_started(sable_context *c, const sable_call_info *info, void *data) {
  (void)c, (void)info;
  atomic_store(&((xthread_state *)data)->js_running, 1);
  return SABLE_OK;
}

static void on_cross_interrupt(sable_isolate *iso, void *data) {
  xthread_state *st = (xthread_state *)data;
  atomic_fetch_add(&st->calls, 1);
  if (!pthread_equal(pthread_self(), st->js_thread)) atomic_fetch_add(&st->off_thread_calls, 1);
  if (st->terminate) {
    sable_isolate_terminate_execution(iso);
  } else {
    CHECK_OK(sable_set_named(st->ctx, sable_context_global(st->ctx), "stop", sable_boolean(iso, true)));
  }
}

static void *interrupt_requester(void *arg) {
  xthread_state *st = (xthread_state *)arg;
  /* Wait (up to 60 s) until the JS loop runs, then interrupt it. */
  struct timespec ms = {0, 1000000};
  for (int i = 0; i < 60000 && !atomic_load(&st->js_running); i++) nanosleep(&ms, NULL);
  if (!atomic_load(&st->js_running)) atomic_store(&st->waited_too_long, 1);
  sable_isolate_request_interrupt(sable_context_isolate(st->ctx), on_cross_interrupt, st);
  return NULL;
}

static void test_interrupt_from_another_thread(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  for (int terminate = 0; terminate <= 1; terminate++) {
    xthread_state st;
    memset(&st, 0, sizeof st);
    st.ctx = ctx;
    st.js_thread = pthread_self();
    st.terminate = terminate;
    atomic_init(&st.js_running, 0);
    atomic_init(&st.calls, 0);
    atomic_init(&st.off_thread_calls, 0);
    atomic_init(&st.waited_too_long, 0);
    sable_value fn = NULL;
    CHECK_OK(sable_function_new(ctx, native_started, &st, "started", 0, &fn));
    CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "started", fn));
    EVAL(ctx, "globalThis.stop = false;");
    pthread_t th;
    CHECK(pthread_create(&th, NULL, interrupt_requester, &st) == 0);
    sable_value r = NULL;
    if (!terminate) {
      /* The callback sets stop = true on the isolate's thread: the loop ends
       * normally and the script completes. */
      const char *loop = "(() => { started(); let n = 0; while (!stop) n++; return n; })()";
      CHECK_OK(sable_eval(ctx, loop, strlen(loop), "loop.js", &r));
      CHECK(sable_typeof(r) == SABLE_TYPE_NUMBER);
      CHECK_JS(ctx, "stop === true");
    } else {
      /* The callback terminates the isolate: the loop stops there. */
      CHECK_STATUS(eval_status(ctx, "started(); for (;;) {}", &r), SABLE_TERMINATED);
      sable_isolate_cancel_terminate_execution(iso);
    }
    CHECK(pthread_join(th, NULL) == 0);
    CHECK(atomic_load(&st.waited_too_long) == 0);
    CHECK(atomic_load(&st.calls) == 1);
    CHECK(atomic_load(&st.off_thread_calls) == 0);
    CHECK(num_of(ctx, EVAL(ctx, "1 + 1")) == 2);
  }
  sable_isolate_dispose(iso);
  OK("interrupt from another thread");
}

static void test_many_isolates(void) {
  enum { N = 16 };
  sable_isolate *isos[N];
  sable_context *ctxs[N];
  for (int i = 0; i < N; i++) {
    isos[i] = new_isolate();
    ctxs[i] = new_context(isos[i]);
    char src[64];
    snprintf(src, sizeof src, "var id = %d; id * 2", i);
    CHECK(num_of(ctxs[i], EVAL(ctxs[i], src)) == i * 2);
  }
  /* Each isolate kept its own state. */
  for (int i = 0; i < N; i++) CHECK(num_of(ctxs[i], EVAL(ctxs[i], "id")) == i);
  /* Dispose in an interleaved order. */
  for (int i = 0; i < N; i += 2) sable_isolate_dispose(isos[i]);
  for (int i = 1; i < N; i += 2) CHECK(num_of(ctxs[i], EVAL(ctxs[i], "id + 1")) == i + 1);
  for (int i = 1; i < N; i += 2) sable_isolate_dispose(isos[i]);

  for (int i = 0; i < 100; i++) {
    sable_isolate *iso = new_isolate();
    sable_context *ctx = new_context(iso);
    CHECK(num_of(ctx, EVAL(ctx, "[1,2,3].reduce((a, b) => a + b)")) == 6);
    sable_isolate_dispose(iso);
  }
  OK("many isolates");
}

static void *thread_main(void *arg) {
  long n = (long)(intptr_t)arg;
  for (int round = 0; round < 5; round++) {
    sable_isolate *iso = new_isolate();
    sable_context *ctx = new_context(iso);
    char src[128];
    /* Under GC stress each iteration collects a whole heap: fewer of them. */
    const int iterations = under_instrumentation() ? 500 : 20000;
    snprintf(src, sizeof src, "let s = 0; for (let i = 0; i < %d; i++) s += i %% 7; s + %ld", iterations, n);
    double expect = 0;
    for (int i = 0; i < iterations; i++) expect += i % 7;
    if (num_of(ctx, EVAL(ctx, src)) != expect + (double)n) return (void *)1;
    sable_isolate_dispose(iso);
  }
  return NULL;
}

static void test_parallel_isolates(void) {
  enum { T = 4 };
  pthread_t th[T];
  for (long i = 0; i < T; i++) CHECK(pthread_create(&th[i], NULL, thread_main, (void *)(intptr_t)i) == 0);
  for (int i = 0; i < T; i++) {
    void *ret = NULL;
    CHECK(pthread_join(th[i], &ret) == 0);
    CHECK(ret == NULL);
  }
  OK("parallel isolates");
}

int main(void) {
  test_version();
  test_status_names();
  test_params();
  test_allocator();
  test_lifecycle();
  test_scopes();
  test_heap_statistics();
  test_microtasks();
  test_interrupt();
  test_interrupt_from_another_thread();
  test_many_isolates();
  test_parallel_isolates();
  printf("test_isolate: all ok\n");
  return 0;
}
