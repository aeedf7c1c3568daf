/* test_values.c: primitives, typeof and the is_* checks, strings (UTF-8
 * round trips, invalid UTF-8 -> U+FFFD, lone surrogates, embedded NULs,
 * partial copies) and the conversions. */

#include "test_util.h"

static sable_isolate *iso;
static sable_context *ctx;

static void test_primitives(void) {
  sable_value u = sable_undefined(iso), n = sable_null(iso);
  sable_value t = sable_boolean(iso, true), f = sable_boolean(iso, false);
  sable_value d = sable_number(iso, 3.25);
  CHECK(u && n && t && f && d);
  CHECK(sable_typeof(u) == SABLE_TYPE_UNDEFINED);
  CHECK(sable_typeof(n) == SABLE_TYPE_NULL);
  CHECK(sable_typeof(t) == SABLE_TYPE_BOOLEAN && sable_typeof(f) == SABLE_TYPE_BOOLEAN);
  CHECK(sable_typeof(d) == SABLE_TYPE_NUMBER);
  bool b = false;
  CHECK_OK(sable_to_boolean(ctx, t, &b));
  CHECK(b == true);
  CHECK_OK(sable_to_boolean(ctx, f, &b));
  CHECK(b == false);
  CHECK(num_of(ctx, d) == 3.25);

  /* Values cross into JS unchanged. */
  sable_value g = sable_context_global(ctx);
  CHECK_OK(sable_set_named(ctx, g, "u", u));
  CHECK_OK(sable_set_named(ctx, g, "n", n));
  CHECK_OK(sable_set_named(ctx, g, "t", t));
  CHECK_OK(sable_set_named(ctx, g, "d", d));
  CHECK_JS(ctx, "u === undefined && n === null && t === true && d === 3.25");

  /* Special numbers. */
  CHECK_OK(sable_set_named(ctx, g, "nan", sable_number(iso, NAN)));
  CHECK_OK(sable_set_named(ctx, g, "inf", sable_number(iso, INFINITY)));
  CHECK_OK(sable_set_named(ctx, g, "negz", sable_number(iso, -0.0)));
  CHECK_OK(sable_set_named(ctx, g, "big", sable_number(iso, 1e300)));
  CHECK_OK(sable_set_named(ctx, g, "i32", sable_number(iso, 2147483647.0)));
  CHECK_OK(sable_set_named(ctx, g, "over", sable_number(iso, 2147483648.0)));
  CHECK_JS(ctx, "Number.isNaN(nan) && inf === Infinity && Object.is(negz, -0) && big === 1e300");
  CHECK_JS(ctx, "i32 === 2147483647 && over === 2147483648 && over - 1 === i32");
  double x = 0;
  CHECK_OK(sable_to_number(ctx, EVAL(ctx, "-0"), &x));
  CHECK(x == 0 && signbit(x));
  CHECK_OK(sable_to_number(ctx, EVAL(ctx, "0.1 + 0.2"), &x));
  CHECK(x == 0.1 + 0.2);
  OK("primitives");
}

static void test_typeof(void) {
  struct {
    const char *src;
    sable_type t;
  } cases[] = {
      {"undefined", SABLE_TYPE_UNDEFINED},
      {"null", SABLE_TYPE_NULL},
      {"1 < 2", SABLE_TYPE_BOOLEAN},
      {"1.5", SABLE_TYPE_NUMBER},
      {"'s'", SABLE_TYPE_STRING},
      {"Symbol('x')", SABLE_TYPE_SYMBOL},
      {"({})", SABLE_TYPE_OBJECT},
      {"[1, 2]", SABLE_TYPE_OBJECT},
      {"new Error('e')", SABLE_TYPE_OBJECT},
      {"Object.create(null)", SABLE_TYPE_OBJECT},
      {"(function () {})", SABLE_TYPE_FUNCTION},
      {"(() => 1)", SABLE_TYPE_FUNCTION},
      {"(class A {})", SABLE_TYPE_FUNCTION},
      {"Math.max", SABLE_TYPE_FUNCTION},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sable_value v = EVAL(ctx, cases[i].src);
    if (sable_typeof(v) != cases[i].t) {
      fprintf(stderr, "typeof of %s is %d, expected %d\n", cases[i].src, (int)sable_typeof(v), (int)cases[i].t);
      CHECK(0);
    }
  }
  CHECK(sable_is_array(EVAL(ctx, "[]")));
  CHECK(sable_is_array(EVAL(ctx, "new Array(5)")));
  CHECK(!sable_is_array(EVAL(ctx, "({length: 0})")));
  CHECK(!sable_is_array(EVAL(ctx, "'abc'")));
  CHECK(sable_is_promise(EVAL(ctx, "Promise.resolve(1)")));
  CHECK(sable_is_promise(EVAL(ctx, "Promise.resolve(1).then(x => x)")));
  CHECK(!sable_is_promise(EVAL(ctx, "({then() {}})")));
  CHECK(sable_is_error(EVAL(ctx, "new Error('x')")));
  CHECK(sable_is_error(EVAL(ctx, "new TypeError('x')")));
  CHECK(sable_is_error(EVAL(ctx, "new (class E extends RangeError {})()")));
  CHECK(!sable_is_error(EVAL(ctx, "({name: 'Error', message: 'fake'})")));
  CHECK(!sable_is_error(sable_number(iso, 1)));
  OK("typeof and is_*");
}

static void test_strings(void) {
  /* ASCII round trip. */
  sable_value s = sable_string(iso, "hello", 5);
  CHECK(sable_typeof(s) == SABLE_TYPE_STRING);
  CHECK(str_is(iso, s, "hello"));

  /* Multi-byte UTF-8 round trip (2-, 3- and 4-byte sequences). */
  const char *u = "h\xC3\xA9llo w\xC3\xB6rld \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80";
  sable_value us = sable_string(iso, u, strlen(u));
  CHECK(str_is(iso, us, u));
  sable_value g = sable_context_global(ctx);
  CHECK_OK(sable_set_named(ctx, g, "us", us));
  /* UTF-16 length: 'héllo wörld — 日本 ' is 17 units, the emoji 2. */
  CHECK_JS(ctx, "us.length === 19 && us.charCodeAt(17) === 0xD83D && us.charCodeAt(18) === 0xDE00");
  CHECK_JS(ctx, "us[1] === '\\u00e9' && us[14] === '\\u65e5'");
  /* A JS-made string comes back as the same UTF-8. */
  CHECK(str_is(iso, EVAL(ctx, "'\\u00e9\\u2014\\u{1F600}'"), "\xC3\xA9\xE2\x80\x94\xF0\x9F\x98\x80"));

  /* Embedded NUL. */
  sable_value z = sable_string(iso, "a\0b", 3);
  size_t len = 0;
  char buf[16];
  CHECK_OK(sable_string_utf8(iso, z, buf, sizeof buf, &len));
  CHECK(len == 3 && memcmp(buf, "a\0b", 3) == 0);
  CHECK_OK(sable_set_named(ctx, g, "z", z));
  CHECK_JS(ctx, "z.length === 3 && z.charCodeAt(1) === 0");

  /* Empty strings: NULL with length 0 is allowed. */
  sable_value e1 = sable_string(iso, NULL, 0), e2 = sable_string(iso, "", 0);
  CHECK(e1 && e2);
  CHECK_OK(sable_string_utf8(iso, e1, NULL, 0, &len));
  CHECK(len == 0);
  CHECK(str_is(iso, e2, ""));
  CHECK(sable_string(iso, NULL, 5) == NULL);

  /* Length only, and truncated copies. */
  CHECK_OK(sable_string_utf8(iso, us, NULL, 0, &len));
  CHECK(len == strlen(u));
  CHECK_OK(sable_string_utf8(iso, us, NULL, 100, &len)); /* NULL buf ignores cap */
  CHECK(len == strlen(u));
  memset(buf, '#', sizeof buf);
  CHECK_OK(sable_string_utf8(iso, s, buf, 3, &len));
  CHECK(len == 5 && memcmp(buf, "hel", 3) == 0 && buf[3] == '#');
  memset(buf, '#', sizeof buf);
  CHECK_OK(sable_string_utf8(iso, s, buf, 0, &len));
  CHECK(len == 5 && buf[0] == '#');
  OK("strings");
}

static void test_invalid_utf8(void) {
  struct {
    const char *in;
    size_t len;
    const char *out;
    int units; /* UTF-16 length in JS */
  } cases[] = {
      {"\xFF", 1, "\xEF\xBF\xBD", 1},                          /* invalid byte */
      {"a\xC3", 2, "a\xEF\xBF\xBD", 2},                        /* truncated sequence */
      {"\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 2},          /* overlong encoding */
      {"\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3}, /* encoded surrogate */
      {"x\x80y", 3, "x\xEF\xBF\xBDy", 3},                      /* stray continuation */
  };
  sable_value g = sable_context_global(ctx);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sable_value v = sable_string(iso, cases[i].in, cases[i].len);
    CHECK(v != NULL);
    CHECK(str_is(iso, v, cases[i].out));
    CHECK_OK(sable_set_named(ctx, g, "bad", v));
    char src[96];
    snprintf(src, sizeof src, "bad.length === %d && bad.includes('\\uFFFD')", cases[i].units);
    CHECK_JS(ctx, src);
  }
  /* Script source is decoded the same way. */
  const char script[] = "'\xFF' === '\\uFFFD'";
  sable_value r = NULL;
  CHECK_OK(sable_eval(ctx, script, sizeof script - 1, NULL, &r));
  bool b = false;
  CHECK_OK(sable_to_boolean(ctx, r, &b));
  CHECK(b);
  /* Lone surrogates made in JS come out as U+FFFD. */
  CHECK(str_is(iso, EVAL(ctx, "'a\\uD800b'"), "a\xEF\xBF\xBD" "b"));
  CHECK(str_is(iso, EVAL(ctx, "'\\uDC00'"), "\xEF\xBF\xBD"));
  OK("invalid utf-8");
}

static void test_conversions(void) {
  double d = 0;
  CHECK_OK(sable_to_number(ctx, sable_string(iso, "42", 2), &d));
  CHECK(d == 42);
  CHECK_OK(sable_to_number(ctx, sable_string(iso, " 0x10 ", 6), &d));
  CHECK(d == 16);
  CHECK_OK(sable_to_number(ctx, sable_string(iso, "abc", 3), &d));
  CHECK(isnan(d));
  CHECK_OK(sable_to_number(ctx, sable_boolean(iso, true), &d));
  CHECK(d == 1);
  CHECK_OK(sable_to_number(ctx, sable_null(iso), &d));
  CHECK(d == 0);
  CHECK_OK(sable_to_number(ctx, sable_undefined(iso), &d));
  CHECK(isnan(d));
  /* Runs JS: valueOf. */
  CHECK_OK(sable_to_number(ctx, EVAL(ctx, "({ valueOf() { return 7; } })"), &d));
  CHECK(d == 7);
  /* A throwing valueOf gives SABLE_EXCEPTION; out untouched. */
  d = 123;
  CHECK_STATUS(sable_to_number(ctx, EVAL(ctx, "({ valueOf() { throw new Error('no'); } })"), &d),
               SABLE_EXCEPTION);
  CHECK(d == 123);
  CHECK(sable_exception_pending(iso));
  sable_value exc = NULL;
  CHECK_OK(sable_exception_take(iso, &exc));
  CHECK(sable_is_error(exc));
  /* Symbols and BigInts do not convert to Number. */
  CHECK_STATUS(sable_to_number(ctx, EVAL(ctx, "Symbol()"), &d), SABLE_EXCEPTION);
  CHECK_OK(sable_exception_take(iso, &exc));

  bool b = true;
  CHECK_OK(sable_to_boolean(ctx, sable_string(iso, "", 0), &b));
  CHECK(!b);
  CHECK_OK(sable_to_boolean(ctx, sable_string(iso, "0", 1), &b));
  CHECK(b);
  CHECK_OK(sable_to_boolean(ctx, sable_number(iso, 0), &b));
  CHECK(!b);
  CHECK_OK(sable_to_boolean(ctx, sable_number(iso, NAN), &b));
  CHECK(!b);
  CHECK_OK(sable_to_boolean(ctx, EVAL(ctx, "({})"), &b));
  CHECK(b);

  sable_value s = NULL;
  CHECK_OK(sable_to_string(ctx, sable_number(iso, 12.5), &s));
  CHECK(str_is(iso, s, "12.5"));
  CHECK_OK(sable_to_string(ctx, sable_number(iso, 1e21), &s));
  CHECK(str_is(iso, s, "1e+21"));
  CHECK_OK(sable_to_string(ctx, sable_number(iso, -0.0), &s));
  CHECK(str_is(iso, s, "0"));
  CHECK_OK(sable_to_string(ctx, sable_null(iso), &s));
  CHECK(str_is(iso, s, "null"));
  CHECK_OK(sable_to_string(ctx, sable_undefined(iso), &s));
  CHECK(str_is(iso, s, "undefined"));
  CHECK_OK(sable_to_string(ctx, EVAL(ctx, "[1, [2, 3], 'x']"), &s));
  CHECK(str_is(iso, s, "1,2,3,x"));
  CHECK_OK(sable_to_string(ctx, EVAL(ctx, "({ toString() { return 'custom'; } })"), &s));
  CHECK(str_is(iso, s, "custom"));
  sable_value before = s;
  CHECK_STATUS(sable_to_string(ctx, EVAL(ctx, "Symbol('s')"), &s), SABLE_EXCEPTION);
  CHECK(s == before);
  CHECK_OK(sable_exception_take(iso, &exc));
  CHECK_JS(ctx, "true"); /* the isolate is fine after the exception */
  OK("conversions");
}

static void test_eval_results(void) {
  CHECK(num_of(ctx, EVAL(ctx, "1 + 1")) == 2);
  CHECK(str_is(iso, EVAL(ctx, "'a' + 'b'"), "ab"));
  CHECK(sable_typeof(EVAL(ctx, "var x = 1;")) == SABLE_TYPE_UNDEFINED);
  CHECK(num_of(ctx, EVAL(ctx, "x")) == 1); /* var at top level lands on the global */
  CHECK(num_of(ctx, EVAL(ctx, "let y = 2; y")) == 2);
  CHECK(num_of(ctx, EVAL(ctx, "y + x")) == 3); /* script-scope let persists */
  CHECK(sable_typeof(EVAL(ctx, "")) == SABLE_TYPE_UNDEFINED);
  sable_value r = NULL;
  CHECK_OK(sable_eval(ctx, NULL, 0, NULL, &r)); /* empty source, no name */
  CHECK(sable_typeof(r) == SABLE_TYPE_UNDEFINED);
  CHECK(num_of(ctx, EVAL(ctx, "if (true) { 5 } else { 6 }")) == 5);
  OK("eval results");
}

/* BigInts: typeof, the conversions, and the from/to functions. */
static void test_bigint(void) {
  sable_value big = EVAL(ctx, "10n ** 30n");
  CHECK(sable_typeof(big) == SABLE_TYPE_BIGINT);
  double d = 5;
  CHECK_STATUS(sable_to_number(ctx, big, &d), SABLE_EXCEPTION); /* ToNumber(BigInt) throws */
  sable_value exc = NULL, name = NULL;
  CHECK_OK(sable_exception_take(iso, &exc));
  CHECK_OK(sable_get_named(ctx, exc, "name", &name));
  CHECK(str_is(iso, name, "TypeError") && d == 5);
  bool b = true;
  CHECK_OK(sable_to_boolean(ctx, EVAL(ctx, "0n"), &b));
  CHECK(!b);
  sable_value s = NULL;
  CHECK_OK(sable_to_string(ctx, EVAL(ctx, "12345678901234567890n"), &s));
  CHECK(str_is(iso, s, "12345678901234567890"));

  /* 64-bit integers in and out, with the lossless flag. */
  int64_t i = 0;
  uint64_t u = 0;
  bool lossless = false;
  sable_value g = sable_context_global(ctx);
  CHECK_OK(sable_set_named(ctx, g, "bmin", sable_bigint_from_int64(iso, INT64_MIN)));
  CHECK_OK(sable_set_named(ctx, g, "bmax", sable_bigint_from_uint64(iso, UINT64_MAX)));
  CHECK_JS(ctx, "bmin === -(2n ** 63n) && bmax === 2n ** 64n - 1n && typeof bmin === 'bigint'");
  CHECK_OK(sable_bigint_to_int64(iso, EVAL(ctx, "-42n"), &i, &lossless));
  CHECK(i == -42 && lossless);
  CHECK_OK(sable_bigint_to_int64(iso, EVAL(ctx, "2n ** 64n + 5n"), &i, &lossless));
  CHECK(i == 5 && !lossless); /* modulo 2^64 */
  CHECK_OK(sable_bigint_to_uint64(iso, EVAL(ctx, "-1n"), &u, &lossless));
  CHECK(u == UINT64_MAX && !lossless);
  CHECK_OK(sable_bigint_to_uint64(iso, EVAL(ctx, "2n ** 64n - 1n"), &u, NULL));
  CHECK(u == UINT64_MAX);

  /* Words: little-endian magnitude plus a sign, with capacity negotiation. */
  uint64_t words[3] = {1, 2, 3};
  sable_value w = NULL;
  CHECK_OK(sable_bigint_from_words(iso, 1, 3, words, &w));
  CHECK_OK(sable_set_named(ctx, g, "w", w));
  CHECK_JS(ctx, "w === -(1n + (2n << 64n) + (3n << 128n))");
  size_t n = 0;
  int sign = 0;
  CHECK_OK(sable_bigint_to_words(iso, w, &sign, &n, NULL));
  CHECK(n == 3 && sign == 1);
  uint64_t back[4] = {0, 0, 0, 99};
  n = 2; /* too small: two words written, three needed */
  CHECK_OK(sable_bigint_to_words(iso, w, &sign, &n, back));
  CHECK(n == 3 && back[0] == 1 && back[1] == 2 && back[2] == 0);
  n = 4;
  CHECK_OK(sable_bigint_to_words(iso, w, &sign, &n, back));
  CHECK(n == 3 && back[2] == 3 && back[3] == 99);
  CHECK_OK(sable_bigint_from_words(iso, 1, 0, NULL, &w)); /* no words: 0n, never -0n */
  CHECK_OK(sable_set_named(ctx, g, "w", w));
  CHECK_JS(ctx, "w === 0n");
  OK("bigint");
}

int main(void) {
  iso = new_isolate();
  ctx = new_context(iso);
  g_ctx = ctx;
  test_primitives();
  test_typeof();
  test_strings();
  test_invalid_utf8();
  test_conversions();
  test_eval_results();
  test_bigint();
  sable_isolate_dispose(iso);
  printf("test_values: all ok\n");
  return 0;
}
