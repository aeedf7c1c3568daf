//! Realms: a global object, global lexical bindings and the intrinsics
//! (prototypes and constructors) of one context.

use std::collections::HashMap;

use crate::impl_cell;
use crate::vm::heap::{CellHeader, CellKind, EdgeKind, EdgeName, Gc, Space, Trace, Visitor, header_for};
use crate::vm::isolate::Vm;
use crate::vm::object::buffer::ElementKind;
use crate::vm::object::{FunctionKind, JsObject, JsString, ObjectKind};
use crate::vm::value::Value;

macro_rules! intrinsics {
    ($($name:ident),* $(,)?) => {
        /// Well-known intrinsic objects of a realm.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Intrinsic { $($name,)* }
        pub const INTRINSIC_COUNT: usize = [$(Intrinsic::$name,)*].len();
        pub const INTRINSIC_NAMES: [&str; INTRINSIC_COUNT] = [$(stringify!($name),)*];
    };
}

intrinsics! {
    ObjectPrototype, FunctionPrototype, ArrayPrototype, StringPrototype, NumberPrototype,
    BooleanPrototype, SymbolPrototype, BigIntPrototype, ErrorPrototype, TypeErrorPrototype,
    RangeErrorPrototype, SyntaxErrorPrototype, ReferenceErrorPrototype, EvalErrorPrototype,
    UriErrorPrototype, AggregateErrorPrototype, IteratorPrototype, ArrayIteratorPrototype,
    StringIteratorPrototype, RegExpStringIteratorPrototype, MapIteratorPrototype, SetIteratorPrototype, DatePrototype,
    RegExpPrototype, PromisePrototype, MapPrototype, SetPrototype, WeakMapPrototype,
    WeakSetPrototype, ArrayBufferPrototype, SharedArrayBufferPrototype, DataViewPrototype,
    TypedArrayPrototype, Int8ArrayPrototype, Uint8ArrayPrototype, Uint8ClampedArrayPrototype,
    Int16ArrayPrototype, Uint16ArrayPrototype, Int32ArrayPrototype, Uint32ArrayPrototype,
    Float16ArrayPrototype, Float32ArrayPrototype, Float64ArrayPrototype, BigInt64ArrayPrototype,
    BigUint64ArrayPrototype, ArrayBuffer, SharedArrayBuffer, DataView, TypedArray, Int8Array,
    Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float16Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array, GeneratorPrototype, GeneratorFunctionPrototype,
    AsyncFunctionPrototype, AsyncIteratorPrototype, AsyncGeneratorPrototype,
    AsyncGeneratorFunctionPrototype, AsyncFromSyncIteratorPrototype,
    Object, Function, Array, String, Number, Boolean, Symbol, BigInt, Error, TypeError, RangeError,
    SyntaxError, ReferenceError, EvalError, UriError, AggregateError, Promise, RegExp, Date,
    Map, Set, ThrowTypeError, ArrayProtoValues, RegExpProtoExec, ObjectProtoToString, Eval, GeneratorFunction, AsyncFunction, AsyncGeneratorFunction,
}

#[repr(C)]
pub struct Realm {
    header: CellHeader,
    pub id: u64,
    pub global: Gc<JsObject>,
    pub intrinsics: Vec<Value>,
    /// Global let/const/class bindings of scripts: name -> (value, is_const).
    pub global_lex: HashMap<Gc<JsString>, (Value, bool)>,
    /// Per-realm host data (e.g. the test262 `$262` object), traced.
    pub host_data: Value,
    /// The legacy RegExp statics of this realm's %RegExp% (`RegExp.$1`,
    /// `lastMatch`...).
    pub regexp_statics: RegExpStatics,
}

/// What the legacy RegExp statics read (Annex B proposal "RegExp legacy
/// features"): [[RegExpInput]], and the last match of a legacy-enabled
/// RegExp of the realm, kept as its subject and capture slots so that an
/// exec records it without building any string.
pub struct RegExpStatics {
    /// [[RegExpInput]] (`RegExp.input`, `RegExp.$_`; settable): a string.
    pub input: Value,
    /// The subject of the last match (a string).
    pub subject: Value,
    /// Its capture slots, two per group, group 0 first (`usize::MAX`
    /// where a group took no part); empty before any match.
    pub slots: Vec<usize>,
    /// False once a RegExp without legacy features matched in this realm
    /// (a subclass instance): the statics then throw.
    pub valid: bool,
}
impl_cell!(Realm, CellKind::Realm, "system / NativeContext");

impl Trace for Realm {
    fn malloc_size(&self) -> usize {
        self.intrinsics.capacity() * 8
            + self.regexp_statics.slots.capacity() * 8
            + self.global_lex.capacity() * (std::mem::size_of::<(Gc<JsString>, (Value, bool))>() + 1)
    }
    fn trace(&self, v: &mut dyn Visitor) {
        v.edge(EdgeKind::Internal, EdgeName::Str("global_object"), self.global.value());
        for (i, &x) in self.intrinsics.iter().enumerate() {
            v.edge(EdgeKind::Internal, EdgeName::Str(INTRINSIC_NAMES[i]), x);
        }
        for (&name, &(val, _)) in &self.global_lex {
            v.edge(EdgeKind::Context, EdgeName::Value(name.value()), val);
            // The name is a key of `global_lex`: it must stay alive (edge names are not traced).
            v.edge(EdgeKind::Hidden, EdgeName::None, name.value());
        }
        v.edge(EdgeKind::Internal, EdgeName::Str("host_data"), self.host_data);
        v.edge(EdgeKind::Internal, EdgeName::Str("regexp_input"), self.regexp_statics.input);
        v.edge(EdgeKind::Internal, EdgeName::Str("regexp_last_subject"), self.regexp_statics.subject);
    }
}

impl Realm {
    #[inline]
    pub fn intrinsic(&self, i: Intrinsic) -> Value {
        self.intrinsics[i as usize]
    }
    #[inline]
    pub fn proto(&self, i: Intrinsic) -> Gc<JsObject> {
        Gc::from_value(self.intrinsics[i as usize])
    }
    /// The prototype of a typed array kind (%Int8Array.prototype% ...).
    pub fn typed_array_proto(&self, k: ElementKind) -> Value {
        self.intrinsics[Intrinsic::Int8ArrayPrototype as usize + k as usize]
    }
    /// The constructor of a typed array kind.
    pub fn typed_array_ctor(&self, k: ElementKind) -> Value {
        self.intrinsics[Intrinsic::Int8Array as usize + k as usize]
    }

    /// Allocates a realm with its global object and %Object.prototype% and
    /// registers it as live; `vm::bootstrap::create_realm` installs the rest.
    pub fn create_bare(vm: &mut Vm) -> Gc<Realm> {
        let id = vm.next_realm_id;
        vm.next_realm_id += 1;
        let object_proto = JsObject::new(&mut vm.heap, vm.null_root_shape, ObjectKind::Ordinary);
        let global_shape = JsObject::root_shape_for(&mut vm.heap, object_proto.value(), vm.null_root_shape);
        let global = JsObject::new(&mut vm.heap, global_shape, ObjectKind::Ordinary);
        let mut intrinsics = vec![Value::UNDEFINED; INTRINSIC_COUNT];
        intrinsics[Intrinsic::ObjectPrototype as usize] = object_proto.value();
        let empty = vm.names.empty.value();
        let regexp_statics = RegExpStatics { input: empty, subject: empty, slots: Vec::new(), valid: true };
        let realm = vm.heap.alloc(
            Space::Old,
            Realm { header: header_for::<Realm>(), id, global, intrinsics, global_lex: HashMap::new(), host_data: Value::UNDEFINED, regexp_statics },
        );
        vm.realms.insert(id, realm);
        realm
    }
}

/// GetFunctionRealm: the realm of a function, following bound functions to
/// their target (iteratively: bind chains can be arbitrarily long). None for
/// a non-function.
pub fn function_realm(mut v: Value) -> Option<Gc<Realm>> {
    loop {
        let o = JsObject::from_value(v)?;
        match &o.kind {
            ObjectKind::Function(f) => match &f.kind {
                FunctionKind::Bound { target, .. } => v = *target,
                _ => return Some(f.realm),
            },
            ObjectKind::Proxy(p) => v = p.target,
            _ => return None,
        }
    }
}
