/* test_objects.c: objects and arrays; get/set/has/delete/own_keys by key
 * handle, by name and by index; prototypes, accessors, the global object. */

#include "test_util.h"

static sable_isolate *iso;
static sable_context *ctx;

static sable_value str(const char *s) { return sable_string(iso, s, strlen(s)); }

static void test_named(void) {
  sable_value o = NULL, v = NULL;
  CHECK_OK(sable_object_new(ctx, &o));
  CHECK(sable_typeof(o) == SABLE_TYPE_OBJECT && !sable_is_array(o));
  CHECK_OK(sable_set_named(ctx, o, "a", sable_number(iso, 1)));
  CHECK_OK(sable_set_named(ctx, o, "b", str("two")));
  CHECK_OK(sable_get_named(ctx, o, "a", &v));
  CHECK(num_of(ctx, v) == 1);
  CHECK_OK(sable_get_named(ctx, o, "b", &v));
  CHECK(str_is(iso, v, "two"));
  CHECK_OK(sable_get_named(ctx, o, "missing", &v));
  CHECK(sable_typeof(v) == SABLE_TYPE_UNDEFINED);
  /* Overwrite. */
  CHECK_OK(sable_set_named(ctx, o, "a", sable_number(iso, 10)));
  CHECK_OK(sable_get_named(ctx, o, "a", &v));
  CHECK(num_of(ctx, v) == 10);
  /* UTF-8 names. */
  CHECK_OK(sable_set_named(ctx, o, "\xC3\xA9t\xC3\xA9", sable_boolean(iso, true)));
  sable_value g = sable_context_global(ctx);
  CHECK_OK(sable_set_named(ctx, g, "o", o));
  CHECK_JS(ctx, "o.a === 10 && o.b === 'two' && o['\\u00e9t\\u00e9'] === true");
  /* Objects made in JS. */
  sable_value j = EVAL(ctx, "({x: {y: [1, 2, 3]}})");
  CHECK_OK(sable_get_named(ctx, j, "x", &v));
  CHECK_OK(sable_get_named(ctx, v, "y", &v));
  CHECK(sable_is_array(v));
  CHECK_OK(sable_get_index(ctx, v, 2, &v));
  CHECK(num_of(ctx, v) == 3);
  OK("named properties");
}

static void test_keys(void) {
  sable_value o = NULL, v = NULL;
  bool b = false;
  CHECK_OK(sable_object_new(ctx, &o));
  sable_value k = str("key");
  CHECK_OK(sable_set(ctx, o, k, sable_number(iso, 5)));
  CHECK_OK(sable_get(ctx, o, k, &v));
  CHECK(num_of(ctx, v) == 5);
  CHECK_OK(sable_get_named(ctx, o, "key", &v));
  CHECK(num_of(ctx, v) == 5);
  /* Number keys are canonicalised: o[1] and o["1"] are the same. */
  CHECK_OK(sable_set(ctx, o, sable_number(iso, 1), str("one")));
  CHECK_OK(sable_get_named(ctx, o, "1", &v));
  CHECK(str_is(iso, v, "one"));
  CHECK_OK(sable_get_index(ctx, o, 1, &v));
  CHECK(str_is(iso, v, "one"));
  /* Symbol keys. */
  sable_value sym = EVAL(ctx, "globalThis.sym = Symbol('s'); sym");
  CHECK_OK(sable_set(ctx, o, sym, sable_number(iso, 9)));
  CHECK_OK(sable_get(ctx, o, sym, &v));
  CHECK(num_of(ctx, v) == 9);
  CHECK_OK(sable_has(ctx, o, sym, &b));
  CHECK(b);
  /* has */
  CHECK_OK(sable_has(ctx, o, k, &b));
  CHECK(b);
  CHECK_OK(sable_has(ctx, o, str("nope"), &b));
  CHECK(!b);
  CHECK_OK(sable_has(ctx, o, str("toString"), &b)); /* inherited: `in` semantics */
  CHECK(b);
  /* delete */
  CHECK_OK(sable_delete(ctx, o, k, &b));
  CHECK(b);
  CHECK_OK(sable_has(ctx, o, k, &b));
  CHECK(!b);
  CHECK_OK(sable_delete(ctx, o, str("never-there"), &b));
  CHECK(b); /* deleting a missing property succeeds */
  sable_value frozen = EVAL(ctx, "Object.defineProperty({}, 'fixed', {value: 1, configurable: false})");
  CHECK_OK(sable_delete(ctx, frozen, str("fixed"), &b));
  CHECK(!b);
  CHECK_OK(sable_has(ctx, frozen, str("fixed"), &b));
  CHECK(b);
  OK("keys, has, delete");
}

static void test_own_keys(void) {
  sable_value o = EVAL(ctx,
                       "var ko = {b: 1, a: 2, 10: 'x', 2: 'y'};"
                       "ko[Symbol('hidden')] = 3;"
                       "Object.defineProperty(ko, 'nonenum', {value: 4, enumerable: false});"
                       "Object.setPrototypeOf(ko, {inherited: 5});"
                       "ko");
  sable_value keys = NULL, v = NULL;
  CHECK_OK(sable_own_keys(ctx, o, &keys));
  CHECK(sable_is_array(keys));
  CHECK_OK(sable_get_named(ctx, keys, "length", &v));
  CHECK(num_of(ctx, v) == 4);
  const char *expect[] = {"2", "10", "b", "a"}; /* integer keys ascending, then insertion order */
  for (uint32_t i = 0; i < 4; i++) {
    CHECK_OK(sable_get_index(ctx, keys, i, &v));
    CHECK(str_is(iso, v, expect[i]));
  }
  sable_value empty = NULL;
  CHECK_OK(sable_object_new(ctx, &empty));
  CHECK_OK(sable_own_keys(ctx, empty, &keys));
  CHECK_OK(sable_get_named(ctx, keys, "length", &v));
  CHECK(num_of(ctx, v) == 0);
  /* Arrays list their indices. */
  CHECK_OK(sable_own_keys(ctx, EVAL(ctx, "['p', 'q']"), &keys));
  CHECK_OK(sable_get_index(ctx, keys, 1, &v));
  CHECK(str_is(iso, v, "1"));
  OK("own_keys");
}

static void test_arrays(void) {
  sable_value a = NULL, v = NULL;
  CHECK_OK(sable_array_new(ctx, 3, &a));
  CHECK(sable_is_array(a));
  CHECK_OK(sable_get_named(ctx, a, "length", &v));
  CHECK(num_of(ctx, v) == 3);
  CHECK_OK(sable_get_index(ctx, a, 0, &v));
  CHECK(sable_typeof(v) == SABLE_TYPE_UNDEFINED); /* holes read as undefined */
  for (uint32_t i = 0; i < 3; i++) CHECK_OK(sable_set_index(ctx, a, i, sable_number(iso, i * 10)));
  CHECK_OK(sable_set_index(ctx, a, 9, str("end"))); /* grows the array */
  CHECK_OK(sable_get_named(ctx, a, "length", &v));
  CHECK(num_of(ctx, v) == 10);
  CHECK_OK(sable_get_index(ctx, a, 2, &v));
  CHECK(num_of(ctx, v) == 20);
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "arr", a));
  CHECK_JS(ctx, "arr.length === 10 && arr[9] === 'end' && !(5 in arr) && Array.isArray(arr)");
  CHECK_JS(ctx, "arr.slice(0, 3).join() === '0,10,20'");
  /* Large index (sparse). */
  CHECK_OK(sable_set_index(ctx, a, 4000000000u, sable_number(iso, 1)));
  CHECK_OK(sable_get_index(ctx, a, 4000000000u, &v));
  CHECK(num_of(ctx, v) == 1);
  CHECK_JS(ctx, "arr.length === 4000000001");
  /* Empty array; index access on plain objects. */
  CHECK_OK(sable_array_new(ctx, 0, &a));
  CHECK_OK(sable_get_named(ctx, a, "length", &v));
  CHECK(num_of(ctx, v) == 0);
  sable_value o = NULL;
  CHECK_OK(sable_object_new(ctx, &o));
  CHECK_OK(sable_set_index(ctx, o, 7, str("seven")));
  CHECK_OK(sable_get_named(ctx, o, "7", &v));
  CHECK(str_is(iso, v, "seven"));
  /* Array-likes made in JS go through the same paths. */
  sable_value al = EVAL(ctx, "(function () { return arguments; })(5, 6, 7)");
  CHECK_OK(sable_get_index(ctx, al, 1, &v));
  CHECK(num_of(ctx, v) == 6);
  OK("arrays");
}

static void test_prototypes_and_accessors(void) {
  sable_value v = NULL;
  bool b = false;
  sable_value child = EVAL(ctx, "Object.create({inherited: 7})");
  CHECK_OK(sable_get_named(ctx, child, "inherited", &v));
  CHECK(num_of(ctx, v) == 7);
  CHECK_OK(sable_has(ctx, child, str("inherited"), &b));
  CHECK(b);
  sable_value keys = NULL;
  CHECK_OK(sable_own_keys(ctx, child, &keys));
  CHECK_OK(sable_get_named(ctx, keys, "length", &v));
  CHECK(num_of(ctx, v) == 0);

  /* Getters and setters run. */
  sable_value acc = EVAL(ctx,
                         "globalThis.setLog = [];"
                         "({ get g() { return 'got'; }, set s(x) { setLog.push(x); },"
                         "   get boom() { throw new RangeError('getter'); } })");
  CHECK_OK(sable_get_named(ctx, acc, "g", &v));
  CHECK(str_is(iso, v, "got"));
  CHECK_OK(sable_set_named(ctx, acc, "s", sable_number(iso, 3)));
  CHECK_JS(ctx, "setLog.length === 1 && setLog[0] === 3");
  v = (sable_value)0x1;
  CHECK_STATUS(sable_get_named(ctx, acc, "boom", &v), SABLE_EXCEPTION);
  CHECK(v == (sable_value)0x1); /* untouched on error */
  sable_value exc = NULL;
  CHECK_OK(sable_exception_take(iso, &exc));
  sable_value msg = NULL;
  CHECK_OK(sable_get_named(ctx, exc, "message", &msg));
  CHECK(str_is(iso, msg, "getter"));

  /* A set that fails (here: a frozen object) throws a TypeError, as strict
   * mode code does, instead of failing silently. */
  sable_value fz = EVAL(ctx, "Object.freeze({k: 1})");
  CHECK_STATUS(sable_set_named(ctx, fz, "k", sable_number(iso, 2)), SABLE_EXCEPTION);
  CHECK_OK(sable_exception_take(iso, &exc));
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "frozenSetError", exc));
  CHECK_JS(ctx, "frozenSetError instanceof TypeError");
  CHECK_OK(sable_get_named(ctx, fz, "k", &v));
  CHECK(num_of(ctx, v) == 1);
  OK("prototypes and accessors");
}

/* The object API runs a proxy's traps: get, set, has, delete and ownKeys,
 * and a throwing trap surfaces as SABLE_EXCEPTION. */
static void test_proxies(void) {
  EVAL(ctx, "var trapLog = [];"
            "var proxyHandler = {"
            "  get(t, k) { trapLog.push('get ' + String(k)); return k === 'virtual' ? 7 : t[k]; },"
            "  set(t, k, v) { trapLog.push('set ' + k); t[k] = v * 2; return true; },"
            "  has(t, k) { trapLog.push('has ' + k); return k === 'ghost' || k in t; },"
            "  deleteProperty(t, k) { trapLog.push('delete ' + k); return k !== 'pinned'; },"
            "  ownKeys(t) { trapLog.push('ownKeys'); return ['a', 'b']; },"
            "  getOwnPropertyDescriptor(t, k) {"
            "    return { value: 0, enumerable: k === 'a', configurable: true, writable: true }; }"
            "};"
            "var proxyTarget = {a: 1, b: 2};");
  sable_value target = EVAL(ctx, "proxyTarget"), handler = EVAL(ctx, "proxyHandler");
  sable_value p = NULL, v = NULL;
  CHECK_OK(sable_proxy_new(ctx, target, handler, &p));
  CHECK_OK(sable_get_named(ctx, p, "virtual", &v));
  CHECK(num_of(ctx, v) == 7);
  CHECK_OK(sable_set_named(ctx, p, "c", sable_number(iso, 5)));
  CHECK_JS(ctx, "proxyTarget.c === 10");
  bool b = false;
  CHECK_OK(sable_has(ctx, p, str("ghost"), &b));
  CHECK(b);
  CHECK_OK(sable_has(ctx, p, str("nothing"), &b));
  CHECK(!b);
  CHECK_OK(sable_delete(ctx, p, str("pinned"), &b));
  CHECK(!b);
  CHECK_OK(sable_own_keys(ctx, p, &v));
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "proxyKeys", v));
  CHECK_JS(ctx, "proxyKeys.length === 1 && proxyKeys[0] === 'a'");
  CHECK_JS(ctx, "trapLog.join() === 'get virtual,set c,has ghost,has nothing,delete pinned,ownKeys'");
  /* A trap that throws, and a revoked proxy, both report an exception. */
  sable_value exc = NULL;
  sable_value thrower = EVAL(ctx, "({ get() { throw new RangeError('from trap'); } })");
  CHECK_OK(sable_proxy_new(ctx, target, thrower, &p));
  CHECK_STATUS(sable_get_named(ctx, p, "x", &v), SABLE_EXCEPTION);
  CHECK_OK(sable_exception_take(iso, &exc));
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "trapError", exc));
  CHECK_JS(ctx, "trapError instanceof RangeError && trapError.message === 'from trap'");
  sable_value revoked = EVAL(ctx, "(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })()");
  CHECK(sable_is_proxy(revoked));
  CHECK_STATUS(sable_get_named(ctx, revoked, "x", &v), SABLE_EXCEPTION);
  CHECK_OK(sable_exception_take(iso, &exc));
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "revokedError", exc));
  CHECK_JS(ctx, "revokedError instanceof TypeError");
  OK("proxies run their traps through the object API");
}

static void test_global_object(void) {
  sable_value g = sable_context_global(ctx), v = NULL;
  CHECK(sable_typeof(g) == SABLE_TYPE_OBJECT);
  CHECK_OK(sable_set_named(ctx, g, "answer", sable_number(iso, 42)));
  CHECK(num_of(ctx, EVAL(ctx, "answer")) == 42);
  EVAL(ctx, "var fromJs = 'hi';");
  CHECK_OK(sable_get_named(ctx, g, "fromJs", &v));
  CHECK(str_is(iso, v, "hi"));
  CHECK_OK(sable_get_named(ctx, g, "globalThis", &v));
  CHECK_OK(sable_set_named(ctx, v, "viaGlobalThis", sable_boolean(iso, true)));
  CHECK_JS(ctx, "viaGlobalThis === true");
  CHECK_OK(sable_get_named(ctx, g, "Math", &v));
  CHECK_OK(sable_get_named(ctx, v, "PI", &v));
  CHECK(num_of(ctx, v) == 3.141592653589793);
  OK("global object");
}

int main(void) {
  iso = new_isolate();
  ctx = new_context(iso);
  g_ctx = ctx;
  size_t scope = sable_scope_open(iso);
  test_named();
  test_keys();
  test_own_keys();
  test_arrays();
  test_prototypes_and_accessors();
  test_global_object();
  test_proxies();
  sable_scope_close(iso, scope);
  sable_isolate_dispose(iso);
  printf("test_objects: all ok\n");
  return 0;
}
