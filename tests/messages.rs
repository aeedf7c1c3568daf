//! Error messages: a call of a non-callable names the callee as written in
//! the source (as V8 does), and building a message never runs user code
//! (no ToPrimitive, so no valueOf/toString of the user's, and a pending
//! termination is never swallowed).

mod common;

use common::*;

/// Runs `body` (which should throw) after defining `o` with a throwing
/// valueOf/toString that logs; returns "Name: message|log".
fn message_of(body: &str) -> String {
    eval(&format!(
        "var log = [];
         var o = {{ valueOf() {{ log.push('valueOf'); throw 1 }}, toString() {{ log.push('toString'); throw 2 }} }};
         var r;
         try {{ {body}; r = 'no exception'; }} catch (e) {{ r = e.constructor.name + ': ' + e.message; }}
         r + '|' + log.join()"
    ))
}

#[test]
fn not_a_function_names_the_callee_from_the_source() {
    assert_eq!(message_of("o()"), "TypeError: o is not a function|");
    assert_eq!(message_of("new o()"), "TypeError: o is not a constructor|");
    assert_eq!(message_of("o.foo()"), "TypeError: o.foo is not a function|");
    assert_eq!(message_of("o['foo']()"), "TypeError: o['foo'] is not a function|");
    assert_eq!(message_of("[1, 2][0]()"), "TypeError: [1, 2][0] is not a function|");
    assert_eq!(message_of("o.a = { b: 5 }; o.a.b(1, 2)"), "TypeError: o.a.b is not a function|");
    assert_eq!(message_of("o.spread(...[1])"), "TypeError: o.spread is not a function|");
    assert_eq!(message_of("o.tag`x`"), "TypeError: o.tag is not a function|");
    assert_eq!(message_of("new o.Ctor"), "TypeError: o.Ctor is not a constructor|");
    assert_eq!(message_of("new Math.max()"), "TypeError: Math.max is not a constructor|");
}

#[test]
fn messages_never_run_user_code() {
    // Calls from native code have no source text: the value is described
    // without converting it.
    assert_eq!(message_of("[1].map(o)"), "TypeError: #<Object> is not a function|");
    assert_eq!(message_of("null[o]"), "TypeError: Cannot read properties of null (reading '#<Object>')|");
    assert_eq!(message_of("undefined[o] = 1"), "TypeError: Cannot set properties of undefined (setting '#<Object>')|");
    assert_eq!(message_of("o in 5"), "TypeError: Cannot use 'in' operator to search for '#<Object>' in 5|");
    assert_eq!(message_of("Reflect.apply(o)"), "TypeError: Reflect.apply target #<Object> is not a function|");
}
