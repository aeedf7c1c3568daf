/* test_allocator.c: a host page allocator that runs dry. Each isolate gets a
 * budget of pages; when the allocator returns NULL, the running call returns
 * SABLE_OUT_OF_MEMORY, later calls fail the same way, dispose gives every page
 * back, and the process goes on: a new isolate evaluates normally. */

#define _POSIX_C_SOURCE 200112L /* posix_memalign */

#include "test_util.h"

typedef struct {
  long pages_left; /* pages this allocator will still hand out */
  long live;       /* pages handed out and not yet freed */
} budget;

static void *budget_alloc(void *user, size_t size, size_t align) {
  budget *b = user;
  if (b->pages_left <= 0) return NULL;
  void *p = NULL;
  if (posix_memalign(&p, align, size) != 0) return NULL;
  b->pages_left--;
  b->live++;
  return p;
}

static void budget_free(void *user, void *ptr, size_t size, size_t align) {
  (void)size;
  (void)align;
  budget *b = user;
  b->live--;
  free(ptr);
}

/* Runs `src` in an isolate limited to `pages` pages; expects OOM. */
static void runs_dry(long pages, const char *src, const char *name) {
  budget b = {pages, 0};
  sable_allocator a = {budget_alloc, budget_free, &b};
  sable_isolate_params p;
  sable_isolate_params_init(&p);
  p.allocator = &a;
  sable_isolate *iso = NULL;
  sable_context *ctx = NULL;
  CHECK_OK(sable_isolate_new(&p, &iso));
  CHECK_OK(sable_context_new(iso, &ctx));
  g_ctx = NULL;
  sable_value r = (sable_value)0x1;
  CHECK_STATUS(sable_eval(ctx, src, strlen(src), "grow.js", &r), SABLE_OUT_OF_MEMORY);
  CHECK(r == (sable_value)0x1); /* out-parameter untouched */
  CHECK_STATUS(sable_eval(ctx, "1 + 1", 5, "after.js", &r), SABLE_OUT_OF_MEMORY);
  sable_isolate_dispose(iso);
  CHECK(b.live == 0); /* every page was given back */
  OK(name);
}

int main(void) {
  /* Under GC stress every loop back-edge collects a growing heap: only the
   * builtin case (no safepoints inside JSON.parse) runs there. */
  const char *stress = getenv("SABLE_GC_STRESS");
  if (!(stress && strcmp(stress, "1") == 0)) {
    runs_dry(40, "var a = []; for (;;) a.push({ x: a.length, s: 'k' + a.length });", "js loop runs out of pages");
    runs_dry(120, "var a = []; for (;;) a.push({ x: a.length, s: 'k' + a.length });", "js loop runs out of more pages");
  }
  runs_dry(40, "JSON.parse('[' + '{},'.repeat(300000) + '{}]').length", "a builtin runs out of pages mid-call");

  /* Not even the isolate fits: creation itself reports OOM, nothing leaks. */
  {
    budget b = {1, 0};
    sable_allocator a = {budget_alloc, budget_free, &b};
    sable_isolate_params p;
    sable_isolate_params_init(&p);
    p.allocator = &a;
    sable_isolate *iso = (sable_isolate *)0x1;
    CHECK_STATUS(sable_isolate_new(&p, &iso), SABLE_OUT_OF_MEMORY);
    CHECK(iso == (sable_isolate *)0x1);
    CHECK(b.live == 0);
    OK("isolate creation without pages");
  }

  /* The process is healthy: a new isolate with the system allocator works. */
  {
    sable_isolate *iso = NULL;
    sable_context *ctx = NULL;
    CHECK_OK(sable_isolate_new(NULL, &iso));
    CHECK_OK(sable_context_new(iso, &ctx));
    g_ctx = ctx;
    sable_value r = NULL;
    double d = 0;
    const char *src = "[1, 2, 3].map(x => x * 2).reduce((a, b) => a + b)";
    CHECK_OK(sable_eval(ctx, src, strlen(src), "ok.js", &r));
    CHECK_OK(sable_to_number(ctx, r, &d));
    CHECK(d == 12);
    sable_isolate_dispose(iso);
    OK("a new isolate works afterwards");
  }
  return 0;
}
