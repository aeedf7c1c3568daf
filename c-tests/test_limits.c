/* test_limits.c: the isolate survives its limits.
 *  1. heap limit: an endless allocation loop in a 64 MiB isolate returns
 *     SABLE_OUT_OF_MEMORY (no abort); the isolate is disposed and a new one
 *     works.
 *  2. stack: unbounded JS recursion, and unbounded JS <-> C re-entry, end in a
 *     catchable RangeError "Maximum call stack size exceeded", no crash.
 *  3. termination: another thread terminates `for(;;){}` after 100 ms
 *     (SABLE_TERMINATED, uncatchable by JS); after cancelling, the same
 *     isolate runs `1+1`. */

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <time.h>

#include <stdlib.h>
#include <string.h>
#include "test_util.h"

static void test_heap_limit(void) {
  sable_isolate_params p;
  sable_isolate_params_init(&p);
  /* Under SABLE_GC_STRESS every safepoint collects, so filling the heap with
   * small objects is quadratic; a smaller limit keeps the same check fast. */
  const char *stress = getenv("SABLE_GC_STRESS");
  p.heap_limit_bytes = (stress && strcmp(stress, "1") == 0) ? (8u << 20) : (64u << 20);
  sable_isolate *iso = NULL;
  CHECK_OK(sable_isolate_new(&p, &iso));
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  sable_value r = NULL;
  CHECK_STATUS(eval_status(ctx, "let a = []; for (;;) a.push({x: a.length})", &r), SABLE_OUT_OF_MEMORY);
  /* The isolate stays out of memory: every further call says so (and leaves
   * its out-parameters untouched), and dispose is safe. */
  r = (sable_value)0x1;
  CHECK_STATUS(sable_eval(ctx, "1 + 1", 5, "again.js", &r), SABLE_OUT_OF_MEMORY);
  CHECK(r == (sable_value)0x1);
  sable_value o = (sable_value)0x1;
  CHECK_STATUS(sable_object_new(ctx, &o), SABLE_OUT_OF_MEMORY);
  CHECK(o == (sable_value)0x1);
  CHECK_STATUS(sable_run_microtasks(iso), SABLE_OUT_OF_MEMORY);
  g_ctx = NULL;
  sable_isolate_dispose(iso);
  OK("heap limit -> SABLE_OUT_OF_MEMORY");

  /* A new isolate works. */
  sable_isolate *iso2 = new_isolate();
  sable_context *ctx2 = new_context(iso2);
  g_ctx = ctx2;
  CHECK(num_of(ctx2, EVAL(ctx2, "1 + 1")) == 2);
  g_ctx = NULL;
  sable_isolate_dispose(iso2);

  /* Strings hit the limit the same way. */
  iso = NULL;
  p.heap_limit_bytes = (stress && strcmp(stress, "1") == 0) ? (8u << 20) : (64u << 20);
  CHECK_OK(sable_isolate_new(&p, &iso));
  ctx = new_context(iso);
  g_ctx = ctx;
  CHECK_STATUS(eval_status(ctx, "const keep = []; for (let i = 0;; i++) keep.push(('value ' + i).repeat(1000))", &r),
               SABLE_OUT_OF_MEMORY);
  g_ctx = NULL;
  sable_isolate_dispose(iso);
  OK("new isolate after OOM");
}

static sable_status native_reenter(sable_context *ctx, const sable_call_info *info, void *data) {
  (void)info;
  (*(long *)data)++;
  sable_isolate *iso = sable_context_isolate(ctx);
  sable_value cb = NULL, r = NULL;
  sable_status s = sable_get_named(ctx, sable_context_global(ctx), "jsSide", &cb);
  if (s != SABLE_OK) return s;
  s = sable_call(ctx, cb, sable_undefined(iso), 0, NULL, &r);
  if (s != SABLE_OK) return s; /* propagate the RangeError */
  sable_call_return(info, r);
  return SABLE_OK;
}

static void check_range_error(sable_isolate *iso, sable_context *ctx) {
  sable_value e = NULL, msg = NULL;
  CHECK_OK(sable_exception_take(iso, &e));
  CHECK(sable_is_error(e));
  CHECK_OK(sable_get_named(ctx, e, "message", &msg));
  CHECK(str_is(iso, msg, "Maximum call stack size exceeded"));
  sable_value name = NULL;
  CHECK_OK(sable_get_named(ctx, e, "name", &name));
  CHECK(str_is(iso, name, "RangeError"));
}

static void test_stack_limit(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  sable_value r = NULL;
  CHECK_STATUS(eval_status(ctx, "function f() { return f(); } f()", &r), SABLE_EXCEPTION);
  check_range_error(iso, ctx);
  CHECK_JS(ctx, "(() => { try { f(); return false; } catch (e) { return e instanceof RangeError; } })()");
  /* Deep but bounded recursion still works afterwards. */
  CHECK(num_of(ctx, EVAL(ctx, "function g(n) { return n === 0 ? 0 : 1 + g(n - 1); } g(5000)")) == 5000);
  /* Recursion through a getter and through toString. */
  CHECK_STATUS(eval_status(ctx, "const o = { get x() { return this.x; } }; o.x", &r), SABLE_EXCEPTION);
  check_range_error(iso, ctx);
  CHECK_STATUS(eval_status(ctx, "const t = { toString() { return String(this); } }; String(t)", &r),
               SABLE_EXCEPTION);
  check_range_error(iso, ctx);
  OK("js recursion -> RangeError");

  /* C -> JS -> C -> JS ... */
  long calls = 0;
  sable_value fn = NULL;
  CHECK_OK(sable_function_new(ctx, native_reenter, &calls, "reenter", 0, &fn));
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "reenter", fn));
  EVAL(ctx, "function jsSide() { return reenter(); }");
  CHECK_STATUS(eval_status(ctx, "reenter()", &r), SABLE_EXCEPTION);
  CHECK(calls > 10);
  check_range_error(iso, ctx);
  /* JS can catch it too, and the isolate keeps working. */
  calls = 0;
  CHECK_JS(ctx, "(() => { try { reenter(); return false; } catch (e) { return e instanceof RangeError; } })()");
  CHECK(num_of(ctx, EVAL(ctx, "1 + 1")) == 2);
  g_ctx = NULL;
  sable_isolate_dispose(iso);
  OK("native re-entry -> RangeError");
}

typedef struct {
  sable_isolate *iso;
  int delay_ms;
} killer_args;

static void *killer(void *arg) {
  killer_args *k = (killer_args *)arg;
  struct timespec ts = {k->delay_ms / 1000, (long)(k->delay_ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  sable_isolate_terminate_execution(k->iso);
  return NULL;
}

static void run_terminated(sable_isolate *iso, sable_context *ctx, const char *src) {
  killer_args k = {iso, 100};
  pthread_t th;
  CHECK(pthread_create(&th, NULL, killer, &k) == 0);
  double t0 = now_ms();
  sable_value r = NULL;
  CHECK_STATUS(eval_status(ctx, src, &r), SABLE_TERMINATED);
  double elapsed = now_ms() - t0;
  CHECK(pthread_join(th, NULL) == 0);
  CHECK(elapsed >= 50);
  CHECK(!sable_exception_pending(iso));
}

static void test_terminate(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  run_terminated(iso, ctx, "for (;;) {}");
  /* Until cancelled, calls keep returning SABLE_TERMINATED. */
  sable_value r = NULL;
  CHECK_STATUS(eval_status(ctx, "1 + 1", &r), SABLE_TERMINATED);
  sable_isolate_cancel_terminate_execution(iso);
  CHECK(num_of(ctx, EVAL(ctx, "1 + 1")) == 2);
  OK("terminate from another thread");

  /* Termination cannot be caught by JS. */
  EVAL(ctx, "globalThis.caught = false;");
  run_terminated(iso, ctx, "for (;;) { try { for (;;) {} } catch (e) { caught = true; } }");
  sable_isolate_cancel_terminate_execution(iso);
  CHECK_JS(ctx, "caught === false");

  /* Termination inside a native -> JS call chain and inside a promise job. */
  run_terminated(iso, ctx, "[1].map(() => { for (;;) {} })");
  sable_isolate_cancel_terminate_execution(iso);
  EVAL(ctx, "Promise.resolve().then(() => { for (;;) {} });");
  killer_args k = {iso, 100};
  pthread_t th;
  CHECK(pthread_create(&th, NULL, killer, &k) == 0);
  CHECK_STATUS(sable_run_microtasks(iso), SABLE_TERMINATED);
  CHECK(pthread_join(th, NULL) == 0);
  sable_isolate_cancel_terminate_execution(iso);
  CHECK(num_of(ctx, EVAL(ctx, "2 + 3")) == 5);

  /* Terminating an idle isolate: the next call is terminated. */
  sable_isolate_terminate_execution(iso);
  CHECK_STATUS(eval_status(ctx, "1", &r), SABLE_TERMINATED);
  sable_isolate_cancel_terminate_execution(iso);
  CHECK(num_of(ctx, EVAL(ctx, "3")) == 3);
  g_ctx = NULL;
  sable_isolate_dispose(iso);
  OK("termination is uncatchable");
}

int main(void) {
  test_heap_limit();
  test_stack_limit();
  test_terminate();
  printf("test_limits: all ok\n");
  return 0;
}
