/* test_functions.c: C functions called from JS (arguments, this,
 * new.target, return values, data pointers, name/length), sable_call and
 * sable_construct of JS functions, exceptions thrown from C and caught in JS,
 * exceptions crossing native frames, and nested JS <-> C re-entry. */

#include "test_util.h"

static sable_isolate *iso;
static sable_context *ctx;

static sable_value make_fn(const char *name, sable_native_fn fn, void *data, uint32_t length) {
  sable_value f = NULL;
  CHECK_OK(sable_function_new(ctx, fn, data, name, length, &f));
  CHECK(sable_typeof(f) == SABLE_TYPE_FUNCTION);
  return f;
}

static void set_global_fn(const char *name, sable_native_fn fn, void *data, uint32_t length) {
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), name, make_fn(name, fn, data, length)));
}

/* add(a, b): ToNumber on both arguments. */
static sable_status native_add(sable_context *c, const sable_call_info *info, void *data) {
  (void)data;
  double a = 0, b = 0;
  sable_status s = sable_to_number(c, sable_call_arg(info, 0), &a);
  if (s != SABLE_OK) return s;
  s = sable_to_number(c, sable_call_arg(info, 1), &b);
  if (s != SABLE_OK) return s;
  sable_call_return(info, sable_number(sable_context_isolate(c), a + b));
  return SABLE_OK;
}

/* argc(): the number of arguments. */
static sable_status native_argc(sable_context *c, const sable_call_info *info, void *data) {
  (void)data;
  sable_call_return(info, sable_number(sable_context_isolate(c), (double)sable_call_argc(info)));
  return SABLE_OK;
}

/* argTypes(...): "t0,t1,..." of typeof for argc + 1 arguments (the last is past argc). */
static sable_status native_arg_types(sable_context *c, const sable_call_info *info, void *data) {
  (void)data;
  char buf[256] = "";
  size_t n = sable_call_argc(info);
  for (size_t i = 0; i <= n && i < 20; i++) {
    char part[16];
    snprintf(part, sizeof part, "%s%d", i ? "," : "", (int)sable_typeof(sable_call_arg(info, i)));
    strcat(buf, part);
  }
  sable_call_return(info, sable_string(sable_context_isolate(c), buf, strlen(buf)));
  return SABLE_OK;
}

static sable_status native_this(sable_context *c, const sable_call_info *info, void *data) {
  (void)c, (void)data;
  sable_call_return(info, sable_call_this(info));
  return SABLE_OK;
}

static sable_status native_new_target(sable_context *c, const sable_call_info *info, void *data) {
  (void)c, (void)data;
  sable_call_return(info, sable_call_new_target(info));
  return SABLE_OK;
}

/* A constructor: sets this.made = true (with new) and returns nothing. */
static sable_status native_ctor(sable_context *c, const sable_call_info *info, void *data) {
  (void)data;
  sable_value nt = sable_call_new_target(info);
  if (sable_typeof(nt) == SABLE_TYPE_UNDEFINED) return sable_throw_error(c, SABLE_TYPE_ERROR, "use new");
  return sable_set_named(c, sable_call_this(info), "made", sable_boolean(sable_context_isolate(c), true));
}

static sable_status native_noreturn(sable_context *c, const sable_call_info *info, void *data) {
  (void)c, (void)info;
  (*(int *)data)++;
  return SABLE_OK;
}

/* Builds and returns a fresh object (handles made in the callback survive as the result). */
static sable_status native_make(sable_context *c, const sable_call_info *info, void *data) {
  (void)data;
  sable_isolate *i = sable_context_isolate(c);
  sable_value o = NULL, arr = NULL;
  sable_status s = sable_object_new(c, &o);
  if (s != SABLE_OK) return s;
  if ((s = sable_array_new(c, 0, &arr)) != SABLE_OK) return s;
  for (uint32_t k = 0; k < 100; k++) {
    char t[16];
    snprintf(t, sizeof t, "item%u", k);
    if ((s = sable_set_index(c, arr, k, sable_string(i, t, strlen(t)))) != SABLE_OK) return s;
  }
  if ((s = sable_set_named(c, o, "items", arr)) != SABLE_OK) return s;
  sable_call_return(info, o);
  return SABLE_OK;
}

static sable_status native_throw_type_error(sable_context *c, const sable_call_info *info, void *data) {
  (void)info, (void)data;
  return sable_throw_error(c, SABLE_TYPE_ERROR, "bad");
}

static sable_status native_throw_value(sable_context *c, const sable_call_info *info, void *data) {
  (void)data;
  return sable_throw(c, sable_call_arg(info, 0));
}

/* Claims an exception without throwing one: Sable throws a generic Error. */
static sable_status native_lying(sable_context *c, const sable_call_info *info, void *data) {
  (void)c, (void)info, (void)data;
  return SABLE_EXCEPTION;
}

/* callWith(f, x): calls the JS function f(x) and propagates its exception. */
static sable_status native_call_with(sable_context *c, const sable_call_info *info, void *data) {
  (void)data;
  sable_value r = NULL;
  sable_value arg = sable_call_arg(info, 1);
  sable_status s = sable_call(c, sable_call_arg(info, 0), sable_undefined(sable_context_isolate(c)), 1, &arg, &r);
  if (s != SABLE_OK) return s;
  sable_call_return(info, r);
  return SABLE_OK;
}

/* callAndSwallow(f): calls f, takes any exception and returns "caught:" + String(e). */
static sable_status native_call_and_swallow(sable_context *c, const sable_call_info *info, void *data) {
  (void)data;
  sable_isolate *i = sable_context_isolate(c);
  sable_value r = NULL;
  sable_status s = sable_call(c, sable_call_arg(info, 0), sable_undefined(i), 0, NULL, &r);
  if (s == SABLE_EXCEPTION) {
    sable_value e = NULL, str = NULL;
    if (sable_exception_take(i, &e) != SABLE_OK) return SABLE_INTERNAL_ERROR;
    if (sable_exception_pending(i)) return SABLE_INTERNAL_ERROR;
    if ((s = sable_to_string(c, e, &str)) != SABLE_OK) return s;
    char *txt = utf8_dup(i, str);
    char out[256];
    snprintf(out, sizeof out, "caught:%s", txt ? txt : "?");
    free(txt);
    sable_call_return(info, sable_string(i, out, strlen(out)));
    return SABLE_OK;
  }
  if (s != SABLE_OK) return s;
  sable_call_return(info, r);
  return SABLE_OK;
}

/* depth(n): n == 0 ? 0 : 1 + jsDepth(n - 1), where jsDepth calls depth again. */
static sable_status native_depth(sable_context *c, const sable_call_info *info, void *data) {
  (void)data;
  sable_isolate *i = sable_context_isolate(c);
  double n = 0;
  sable_status s = sable_to_number(c, sable_call_arg(info, 0), &n);
  if (s != SABLE_OK) return s;
  if (n <= 0) {
    sable_call_return(info, sable_number(i, 0));
    return SABLE_OK;
  }
  sable_value js = NULL, r = NULL;
  if ((s = sable_get_named(c, sable_context_global(c), "jsDepth", &js)) != SABLE_OK) return s;
  sable_value arg = sable_number(i, n - 1);
  if ((s = sable_call(c, js, sable_undefined(i), 1, &arg, &r)) != SABLE_OK) return s;
  double sub = 0;
  if ((s = sable_to_number(c, r, &sub)) != SABLE_OK) return s;
  sable_call_return(info, sable_number(i, sub + 1));
  return SABLE_OK;
}

static void test_native_calls(void) {
  set_global_fn("add", native_add, NULL, 2);
  set_global_fn("argc", native_argc, NULL, 0);
  set_global_fn("argTypes", native_arg_types, NULL, 0);
  CHECK(num_of(ctx, EVAL(ctx, "add(2, 3)")) == 5);
  CHECK(num_of(ctx, EVAL(ctx, "add('4', {valueOf() { return 6; }})")) == 10);
  CHECK_JS(ctx, "Number.isNaN(add())");
  CHECK(num_of(ctx, EVAL(ctx, "argc()")) == 0);
  CHECK(num_of(ctx, EVAL(ctx, "argc(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)")) == 10);
  CHECK(num_of(ctx, EVAL(ctx, "argc(...new Array(100))")) == 100);
  CHECK(num_of(ctx, EVAL(ctx, "argc.apply(null, [1, 2])")) == 2);
  /* The argument past argc reads as undefined (type 0). */
  char expect[64];
  snprintf(expect, sizeof expect, "%d,%d,%d,%d", SABLE_TYPE_NUMBER, SABLE_TYPE_STRING, SABLE_TYPE_OBJECT,
           SABLE_TYPE_UNDEFINED);
  CHECK(str_is(iso, EVAL(ctx, "argTypes(1, 's', {})"), expect));
  CHECK_JS(ctx, "add.name === 'add' && add.length === 2 && typeof add === 'function'");
  CHECK_JS(ctx, "[1, 2, 3].map(x => add(x, x)).join() === '2,4,6'");
  CHECK_JS(ctx, "add.call(null, 1, 1) === 2 && add.bind(null, 5)(5) === 10");
  /* A NULL name gives "". */
  sable_value anon = make_fn(NULL, native_argc, NULL, 0);
  sable_value nm = NULL;
  CHECK_OK(sable_get_named(ctx, anon, "name", &nm));
  CHECK(str_is(iso, nm, ""));
  OK("native calls");
}

static void test_this_and_new_target(void) {
  set_global_fn("getThis", native_this, NULL, 0);
  set_global_fn("getNewTarget", native_new_target, NULL, 0);
  set_global_fn("Ctor", native_ctor, NULL, 0);
  CHECK_JS(ctx, "const o = {m: getThis}; o.m() === o");
  CHECK_JS(ctx, "getThis.call(7) == 7");
  CHECK_JS(ctx, "getNewTarget() === undefined");
  /* With `new`, new.target is the function itself (returned, an object, it
   * becomes the result of `new`); Reflect.construct passes another one. */
  CHECK_JS(ctx, "new getNewTarget() === getNewTarget");
  CHECK_JS(ctx, "(() => { function Other() {} return Reflect.construct(getNewTarget, [], Other) === Other; })()");
  CHECK_JS(ctx, "new Ctor().made === true");
  CHECK_JS(ctx, "new Ctor() instanceof Ctor");
  CHECK_JS(ctx, "(() => { try { Ctor(); return false; } catch (e) { return e instanceof TypeError && e.message === 'use new'; } })()");
  CHECK_JS(ctx, "class Sub extends Ctor {}; const s = new Sub(); s.made === true && s instanceof Sub");
  /* sable_construct of a native function from C. */
  sable_value ctor = make_fn("Ctor2", native_ctor, NULL, 0), r = NULL, made = NULL;
  CHECK_OK(sable_construct(ctx, ctor, 0, NULL, &r));
  CHECK_OK(sable_get_named(ctx, r, "made", &made));
  CHECK(sable_typeof(made) == SABLE_TYPE_BOOLEAN);
  bool made_b = false;
  CHECK_OK(sable_to_boolean(ctx, made, &made_b));
  CHECK(made_b);
  /* The result is a new object whose prototype is Ctor2.prototype. */
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "made2", r));
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "Ctor2", ctor));
  CHECK_JS(ctx, "Object.getPrototypeOf(made2) === Ctor2.prototype && made2 instanceof Ctor2");
  OK("this and new.target");
}

static void test_return_values_and_data(void) {
  int counter = 0;
  set_global_fn("bump", native_noreturn, &counter, 0);
  set_global_fn("make", native_make, NULL, 0);
  CHECK_JS(ctx, "bump() === undefined");
  EVAL(ctx, "for (let i = 0; i < 99; i++) bump();");
  CHECK(counter == 100);
  CHECK_JS(ctx, "const m = make(); m.items.length === 100 && m.items[99] === 'item99'");
  /* Many calls, each making handles: nothing accumulates or breaks. */
  CHECK_JS(ctx, "let t = 0; for (let i = 0; i < 2000; i++) t += make().items.length; t === 200000");
  OK("return values and data");
}

static void test_call_and_construct(void) {
  sable_value f = EVAL(ctx, "(function (a, b) { return this.k + a * b; })");
  sable_value self = EVAL(ctx, "({k: 1})");
  sable_value args[2] = {sable_number(iso, 2), sable_number(iso, 3)};
  sable_value r = NULL;
  CHECK_OK(sable_call(ctx, f, self, 2, args, &r));
  CHECK(num_of(ctx, r) == 7);
  /* Fewer arguments than parameters. */
  CHECK_OK(sable_call(ctx, EVAL(ctx, "(a => a === undefined)"), sable_undefined(iso), 0, NULL, &r));
  CHECK(sable_typeof(r) == SABLE_TYPE_BOOLEAN);
  bool b = false;
  CHECK_OK(sable_to_boolean(ctx, r, &b));
  CHECK(b);
  /* Builtins and bound functions. */
  sable_value mx = EVAL(ctx, "Math.max");
  CHECK_OK(sable_call(ctx, mx, sable_undefined(iso), 2, args, &r));
  CHECK(num_of(ctx, r) == 3);
  /* Calling a native function from C. */
  sable_value add = make_fn("add2", native_add, NULL, 2);
  CHECK_OK(sable_call(ctx, add, sable_null(iso), 2, args, &r));
  CHECK(num_of(ctx, r) == 5);

  sable_value cls = EVAL(ctx, "(class P { constructor(x) { this.x = x; } get twice() { return this.x * 2; } })");
  sable_value one = sable_number(iso, 21);
  CHECK_OK(sable_construct(ctx, cls, 1, &one, &r));
  sable_value tw = NULL;
  CHECK_OK(sable_get_named(ctx, r, "twice", &tw));
  CHECK(num_of(ctx, tw) == 42);
  CHECK_OK(sable_construct(ctx, EVAL(ctx, "Error"), 1, &one, &r));
  CHECK(sable_is_error(r));
  CHECK_OK(sable_construct(ctx, EVAL(ctx, "Array"), 1, &one, &r));
  CHECK(sable_is_array(r));
  /* A class constructor called without new throws a TypeError. */
  sable_value exc = NULL;
  CHECK_STATUS(sable_call(ctx, cls, sable_undefined(iso), 0, NULL, &r), SABLE_EXCEPTION);
  CHECK_OK(sable_exception_take(iso, &exc));
  CHECK(sable_is_error(exc));
  /* A JS function that throws. */
  sable_value thrower = EVAL(ctx, "(function () { throw new SyntaxError('from js'); })");
  sable_value before = r;
  CHECK_STATUS(sable_call(ctx, thrower, sable_undefined(iso), 0, NULL, &r), SABLE_EXCEPTION);
  CHECK(r == before);
  CHECK_OK(sable_exception_take(iso, &exc));
  sable_value msg = NULL;
  CHECK_OK(sable_get_named(ctx, exc, "message", &msg));
  CHECK(str_is(iso, msg, "from js"));
  OK("call and construct");
}

static void test_exceptions_across_native(void) {
  set_global_fn("fail", native_throw_type_error, NULL, 0);
  set_global_fn("throwValue", native_throw_value, NULL, 1);
  set_global_fn("lying", native_lying, NULL, 0);
  set_global_fn("callWith", native_call_with, NULL, 2);
  set_global_fn("callAndSwallow", native_call_and_swallow, NULL, 1);
  CHECK_JS(ctx, "(() => { try { fail(); return false; } catch (e) { return e instanceof TypeError && e.message === 'bad'; } })()");
  CHECK_JS(ctx, "(() => { try { throwValue(42); } catch (e) { return e === 42; } })()");
  CHECK_JS(ctx, "(() => { const o = {}; try { throwValue(o); } catch (e) { return e === o; } })()");
  CHECK_JS(ctx, "(() => { try { lying(); return false; } catch (e) { return e instanceof Error; } })()");
  /* A JS exception crosses a C frame unchanged. */
  CHECK_JS(ctx, "(() => { const err = new Error('inner'); try { callWith(() => { throw err; }, 0); }"
                " catch (e) { return e === err; } })()");
  CHECK_JS(ctx, "callWith(x => x + 1, 41) === 42");
  /* C code can catch and handle a JS exception itself. */
  CHECK_JS(ctx, "callAndSwallow(() => { throw new RangeError('r'); }) === 'caught:RangeError: r'");
  CHECK_JS(ctx, "callAndSwallow(() => 5) === 5");
  /* Uncaught: the host sees SABLE_EXCEPTION. */
  sable_value r = NULL, exc = NULL, msg = NULL;
  CHECK_STATUS(eval_status(ctx, "fail()", &r), SABLE_EXCEPTION);
  CHECK(sable_exception_pending(iso));
  CHECK_OK(sable_exception_take(iso, &exc));
  CHECK(!sable_exception_pending(iso));
  CHECK_OK(sable_get_named(ctx, exc, "message", &msg));
  CHECK(str_is(iso, msg, "bad"));
  /* finally blocks run when a native function throws. */
  CHECK_JS(ctx, "(() => { let f = 0; try { try { fail(); } finally { f = 1; } } catch (e) {} return f === 1; })()");
  OK("exceptions across native frames");
}

static void test_reentry(void) {
  set_global_fn("depth", native_depth, NULL, 1);
  EVAL(ctx, "function jsDepth(n) { return depth(n); }");
  CHECK(num_of(ctx, EVAL(ctx, "depth(50)")) == 50);
  CHECK(num_of(ctx, EVAL(ctx, "[3, 2, 1].map(depth).join('')")) == 321);
  /* Native functions inside sort callbacks, getters, toString, promise jobs. */
  CHECK_JS(ctx, "[3, 1, 2].sort((a, b) => add(a, -b)).join() === '1,2,3'");
  CHECK_JS(ctx, "({ get v() { return add(1, 2); } }).v === 3");
  EVAL(ctx, "globalThis.viaJob = 0; Promise.resolve().then(() => { viaJob = add(20, 22); });");
  CHECK_OK(sable_run_microtasks(iso));
  CHECK_JS(ctx, "viaJob === 42");
  OK("re-entry");
}

int main(void) {
  iso = new_isolate();
  ctx = new_context(iso);
  g_ctx = ctx;
  test_native_calls();
  test_return_values_and_data();
  test_call_and_construct();
  test_exceptions_across_native();
  test_reentry();
  test_this_and_new_target(); /* needs native functions usable with `new` */
  sable_isolate_dispose(iso);
  printf("test_functions: all ok\n");
  return 0;
}
