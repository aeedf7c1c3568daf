/* test_exceptions.c: pending/take, message and `stack` (with the script
 * name), syntax/reference errors, sable_throw_error of every kind ->
 * instanceof the right constructor, sable_throw of any value. */

#include "test_util.h"

static sable_isolate *iso;
static sable_context *ctx;

static sable_value take(void) {
  CHECK(sable_exception_pending(iso));
  sable_value e = NULL;
  CHECK_OK(sable_exception_take(iso, &e));
  CHECK(e != NULL);
  CHECK(!sable_exception_pending(iso));
  return e;
}

static char *prop_str(sable_value obj, const char *name) {
  sable_value v = NULL;
  CHECK_OK(sable_get_named(ctx, obj, name, &v));
  return utf8_dup(iso, v);
}

static void test_pending_and_take(void) {
  CHECK(!sable_exception_pending(iso));
  sable_value sentinel = (sable_value)0x1, out = sentinel;
  CHECK_STATUS(sable_exception_take(iso, &out), SABLE_INVALID_ARGUMENT); /* nothing pending */
  CHECK(out == sentinel);

  const char *src = "function thrower() { throw new Error('boom'); }\nthrower();";
  sable_value r = sentinel;
  CHECK_STATUS(sable_eval(ctx, src, strlen(src), "my_script.js", &r), SABLE_EXCEPTION);
  CHECK(r == sentinel); /* untouched */
  sable_value e = take();
  CHECK(sable_is_error(e));
  char *msg = prop_str(e, "message");
  CHECK(msg && strcmp(msg, "boom") == 0);
  free(msg);
  char *stack = prop_str(e, "stack");
  CHECK(stack != NULL);
  CHECK(strncmp(stack, "Error: boom", 11) == 0);
  if (!strstr(stack, "my_script.js")) fprintf(stderr, "stack: %s\n", stack);
  CHECK(strstr(stack, "my_script.js") != NULL); /* the resource name is in the trace */
  CHECK(strstr(stack, "thrower") != NULL);
  free(stack);
  CHECK_STATUS(sable_exception_take(iso, &out), SABLE_INVALID_ARGUMENT); /* cleared */

  /* After taking it, the isolate runs normally. */
  CHECK(num_of(ctx, EVAL(ctx, "2 + 2")) == 4);
  OK("pending and take");
}

static void test_js_errors(void) {
  sable_value r = NULL, e = NULL;
  CHECK_STATUS(eval_status(ctx, "let let = ;", &r), SABLE_EXCEPTION);
  e = take();
  CHECK(sable_is_error(e));
  char *name = prop_str(e, "name");
  CHECK(name && strcmp(name, "SyntaxError") == 0);
  free(name);

  CHECK_STATUS(eval_status(ctx, "notDefinedAnywhere + 1", &r), SABLE_EXCEPTION);
  e = take();
  name = prop_str(e, "name");
  CHECK(name && strcmp(name, "ReferenceError") == 0);
  free(name);
  char *msg = prop_str(e, "message");
  CHECK(msg && strstr(msg, "notDefinedAnywhere") != NULL);
  free(msg);

  CHECK_STATUS(eval_status(ctx, "null.x", &r), SABLE_EXCEPTION);
  e = take();
  name = prop_str(e, "name");
  CHECK(name && strcmp(name, "TypeError") == 0);
  free(name);

  /* Non-error values can be thrown. */
  CHECK_STATUS(eval_status(ctx, "throw 'just a string'", &r), SABLE_EXCEPTION);
  e = take();
  CHECK(str_is(iso, e, "just a string"));
  CHECK_STATUS(eval_status(ctx, "throw undefined", &r), SABLE_EXCEPTION);
  e = take();
  CHECK(sable_typeof(e) == SABLE_TYPE_UNDEFINED);
  CHECK_STATUS(eval_status(ctx, "throw {code: 7}", &r), SABLE_EXCEPTION);
  e = take();
  sable_value code = NULL;
  CHECK_OK(sable_get_named(ctx, e, "code", &code));
  CHECK(num_of(ctx, code) == 7);

  /* Caught in JS: nothing reaches the host. */
  CHECK(num_of(ctx, EVAL(ctx, "try { throw 1 } catch (x) { x + 1 }")) == 2);
  CHECK(!sable_exception_pending(iso));
  /* A rejected promise is not a pending exception. */
  EVAL(ctx, "Promise.reject(new Error('later')).catch(() => {});");
  CHECK(!sable_exception_pending(iso));
  CHECK_OK(sable_run_microtasks(iso));
  OK("js errors");
}

static void test_throw_error_kinds(void) {
  static const struct {
    sable_error_kind kind;
    const char *ctor;
  } kinds[] = {
      {SABLE_ERROR, "Error"},
      {SABLE_TYPE_ERROR, "TypeError"},
      {SABLE_RANGE_ERROR, "RangeError"},
      {SABLE_SYNTAX_ERROR, "SyntaxError"},
      {SABLE_REFERENCE_ERROR, "ReferenceError"},
      {SABLE_EVAL_ERROR, "EvalError"},
      {SABLE_URI_ERROR, "URIError"},
  };
  sable_value check = EVAL(ctx,
                           "(function (e, name, msg) {"
                           "  return e instanceof globalThis[name] && e instanceof Error &&"
                           "         e.name === name && e.message === msg &&"
                           "         Object.getPrototypeOf(e) === globalThis[name].prototype &&"
                           "         typeof e.stack === 'string';"
                           "})");
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    char msg[64];
    snprintf(msg, sizeof msg, "message %d \xE2\x9C\x93", (int)i); /* with a UTF-8 check mark */
    CHECK_STATUS(sable_throw_error(ctx, kinds[i].kind, msg), SABLE_EXCEPTION);
    sable_value e = take();
    CHECK(sable_is_error(e));
    sable_value args[3] = {e, sable_string(iso, kinds[i].ctor, strlen(kinds[i].ctor)),
                           sable_string(iso, msg, strlen(msg))};
    sable_value r = NULL;
    CHECK_OK(sable_call(ctx, check, sable_undefined(iso), 3, args, &r));
    bool ok = false;
    CHECK_OK(sable_to_boolean(ctx, r, &ok));
    if (!ok) fprintf(stderr, "sable_throw_error(%s) made the wrong error\n", kinds[i].ctor);
    CHECK(ok);
  }
  /* NULL message: empty. */
  CHECK_STATUS(sable_throw_error(ctx, SABLE_RANGE_ERROR, NULL), SABLE_EXCEPTION);
  sable_value e = take();
  char *m = prop_str(e, "message");
  CHECK(m && m[0] == 0);
  free(m);
  /* A kind outside the enum: rejected, nothing thrown. */
  CHECK_STATUS(sable_throw_error(ctx, (sable_error_kind)42, "x"), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_throw_error(ctx, (sable_error_kind)-1, "x"), SABLE_INVALID_ARGUMENT);
  CHECK(!sable_exception_pending(iso));
  OK("throw_error kinds");
}

static void test_throw_values(void) {
  CHECK_STATUS(sable_throw(ctx, sable_number(iso, 13)), SABLE_EXCEPTION);
  sable_value e = take();
  CHECK(num_of(ctx, e) == 13);
  sable_value obj = EVAL(ctx, "({tag: 'mine'})");
  CHECK_STATUS(sable_throw(ctx, obj), SABLE_EXCEPTION);
  e = take();
  char *tag = prop_str(e, "tag");
  CHECK(tag && strcmp(tag, "mine") == 0);
  free(tag);
  /* Throwing twice: the last exception wins. */
  CHECK_STATUS(sable_throw(ctx, sable_number(iso, 1)), SABLE_EXCEPTION);
  CHECK_STATUS(sable_throw(ctx, sable_number(iso, 2)), SABLE_EXCEPTION);
  e = take();
  CHECK(num_of(ctx, e) == 2);
  /* Error objects made in JS keep their stack when thrown from C. */
  sable_value made = EVAL(ctx, "function makeErr() { return new TypeError('made'); } makeErr()");
  CHECK_STATUS(sable_throw(ctx, made), SABLE_EXCEPTION);
  e = take();
  char *st = prop_str(e, "stack");
  CHECK(st && strstr(st, "makeErr") != NULL);
  free(st);
  OK("throw values");
}

static void test_error_in_other_context(void) {
  /* Errors thrown into a second context use that context's constructors. */
  sable_context *ctx2 = new_context(iso);
  CHECK_STATUS(sable_throw_error(ctx2, SABLE_TYPE_ERROR, "second"), SABLE_EXCEPTION);
  sable_value e = take();
  sable_value g2 = sable_context_global(ctx2);
  CHECK_OK(sable_set_named(ctx2, g2, "e2", e));
  CHECK_JS(ctx2, "e2 instanceof TypeError");
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "e2", e));
  CHECK_JS(ctx, "!(e2 instanceof TypeError) && e2.message === 'second'");
  sable_context_dispose(ctx2);
  OK("errors per context");
}

int main(void) {
  iso = new_isolate();
  ctx = new_context(iso);
  g_ctx = ctx;
  test_pending_and_take();
  test_js_errors();
  test_throw_error_kinds();
  test_throw_values();
  test_error_in_other_context();
  sable_isolate_dispose(iso);
  printf("test_exceptions: all ok\n");
  return 0;
}
