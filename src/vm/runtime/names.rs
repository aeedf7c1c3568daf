//! Pre-interned atoms the VM uses by name, and the well-known symbols.

use crate::vm::heap::{EdgeName, Gc, Heap, Root, RootVisitor};
use crate::vm::object::string::AtomTable;
use crate::vm::object::{JsString, PropertyKey, Symbol};

macro_rules! names {
    ($($field:ident = $text:expr),* $(,)?) => {
        /// Atoms for property names the VM looks up itself.
        pub struct Names { $(pub $field: Gc<JsString>,)* }
        impl Names {
            pub fn new(heap: &mut Heap, atoms: &mut AtomTable) -> Names {
                Names { $($field: atoms.intern_str(heap, $text),)* }
            }
            pub fn visit_roots(&self, v: &mut dyn RootVisitor) {
                $(v.root(Root::StrongRoots, EdgeName::Str(stringify!($field)), self.$field.value());)*
            }
        }
    };
}

names! {
    length = "length", prototype = "prototype", constructor = "constructor", name = "name",
    message = "message", stack = "stack", cause = "cause", to_string = "toString", value_of = "valueOf",
    value = "value", done = "done", next = "next", return_ = "return", throw_ = "throw",
    get = "get", set = "set", writable = "writable", enumerable = "enumerable",
    configurable = "configurable", callee = "callee", caller = "caller", arguments = "arguments",
    empty = "", default_ = "default", raw = "raw", then = "then", undefined = "undefined",
    null = "null", true_ = "true", false_ = "false", object = "object", function = "function",
    number = "number", string = "string", boolean = "boolean", symbol = "symbol", bigint = "bigint",
    last_index = "lastIndex", join = "join", index = "index", input = "input", groups = "groups",
    exec = "exec", indices = "indices", source = "source", flags = "flags",
    errors = "errors", proto = "__proto__", nan = "NaN", infinity = "Infinity",
}

impl Names {
    pub fn key(&self, atom: Gc<JsString>) -> PropertyKey {
        PropertyKey::Atom(atom)
    }
}

macro_rules! symbols {
    ($($field:ident = $desc:expr),* $(,)?) => {
        /// The well-known symbols (shared by every realm of the isolate).
        pub struct WellKnownSymbols { $(pub $field: Gc<Symbol>,)* }
        impl WellKnownSymbols {
            pub fn new(heap: &mut Heap, atoms: &mut AtomTable) -> WellKnownSymbols {
                WellKnownSymbols { $($field: { let d = atoms.intern_str(heap, $desc); Symbol::new(heap, d.value()) },)* }
            }
            pub fn visit_roots(&self, v: &mut dyn RootVisitor) {
                $(v.root(Root::StrongRoots, EdgeName::Str($desc), self.$field.value());)*
            }
            pub fn all(&self) -> Vec<(&'static str, Gc<Symbol>)> {
                vec![$((stringify!($field), self.$field),)*]
            }
        }
    };
}

symbols! {
    async_iterator = "Symbol.asyncIterator", has_instance = "Symbol.hasInstance",
    is_concat_spreadable = "Symbol.isConcatSpreadable", iterator = "Symbol.iterator",
    match_ = "Symbol.match", match_all = "Symbol.matchAll", replace = "Symbol.replace",
    search = "Symbol.search", species = "Symbol.species", split = "Symbol.split",
    to_primitive = "Symbol.toPrimitive", to_string_tag = "Symbol.toStringTag",
    unscopables = "Symbol.unscopables",
}
