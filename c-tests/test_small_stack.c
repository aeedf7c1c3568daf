/* test_small_stack.c: scripts on host threads with small stacks (256 KiB and
 * 1 MiB pthreads, as game engines and servers give script workers). The
 * native stack guard takes the thread's real stack bounds, so deep JS
 * recursion and deeply nested arrays given to JSON.stringify, String() and
 * Array.prototype.join throw a catchable RangeError instead of crashing the
 * process, and the isolate keeps working. */

#include "test_util.h"

#include <pthread.h>

static int scaled(int n) {
  const char *stress = getenv("SABLE_GC_STRESS");
  return stress && strcmp(stress, "1") == 0 ? n / 100 : n;
}

static void *run_scripts(void *arg) {
  (void)arg;
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  CHECK_JS(ctx, "function f() { return f() + 1; } (() => { try { f(); return false; } catch (e) { return e instanceof RangeError; } })()");
  char src[512];
  snprintf(src, sizeof src,
           "var a = []; for (var i = 0; i < %d; i++) a = [a]; var caught = 0;\n"
           "try { JSON.stringify(a); } catch (e) { if (e instanceof RangeError) caught++; }\n"
           "try { String(a); } catch (e) { if (e instanceof RangeError) caught++; }\n"
           "try { a.join(); } catch (e) { if (e instanceof RangeError) caught++; }\n"
           "caught === 3",
           scaled(100000) < 20000 ? 20000 : scaled(100000));
  CHECK_JS(ctx, src);
  /* The isolate works afterwards. */
  CHECK_JS(ctx, "[1, [2, [3]]].join() === '1,2,3' && JSON.stringify({ a: [1] }) === '{\"a\":[1]}'");
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  return NULL;
}

static void on_thread_with_stack(size_t stack_bytes, const char *name) {
  pthread_attr_t attr;
  CHECK(pthread_attr_init(&attr) == 0);
  CHECK(pthread_attr_setstacksize(&attr, stack_bytes) == 0);
  pthread_t t;
  CHECK(pthread_create(&t, &attr, run_scripts, NULL) == 0);
  CHECK(pthread_join(t, NULL) == 0);
  pthread_attr_destroy(&attr);
  OK(name);
}

int main(void) {
  on_thread_with_stack(256u << 10, "deep recursion and nesting throw on a 256 KiB thread");
  on_thread_with_stack(1u << 20, "deep recursion and nesting throw on a 1 MiB thread");
  return 0;
}
