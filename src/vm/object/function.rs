//! Function objects' internal data: bytecode closures, native builtins, host
//! callbacks and bound functions.

use super::Env;
use crate::vm::JsResult;
use crate::vm::bytecode::Code;
use crate::vm::heap::{EdgeKind, EdgeName, Gc, Visitor};
use crate::vm::isolate::Vm;
use crate::vm::runtime::realm::Realm;
use crate::vm::value::Value;

/// Arguments of a call as seen by native functions.
pub struct CallArgs<'a> {
    pub this: Value,
    pub args: &'a [Value],
    /// undefined for [[Call]], the new.target for [[Construct]].
    pub new_target: Value,
    pub callee: Gc<super::JsObject>,
}

impl CallArgs<'_> {
    #[inline]
    pub fn arg(&self, i: usize) -> Value {
        self.args.get(i).copied().unwrap_or(Value::UNDEFINED)
    }
    pub fn is_construct(&self) -> bool {
        !self.new_target.is_undefined()
    }
}

/// A builtin implemented in Rust.
pub type NativeFn = fn(&mut Vm, &CallArgs<'_>) -> JsResult<Value>;

/// A host (embedder) function body, owned by its function object: it is
/// dropped (and the host's closure state with it) when the function object
/// is collected. `Rc` so a call in progress keeps it alive.
pub type HostFn = std::rc::Rc<dyn Fn(&mut Vm, &CallArgs<'_>) -> JsResult<Value>>;

pub enum FunctionKind {
    /// A closure over bytecode: template + captured environment chain.
    Bytecode {
        code: Gc<Code>,
        env: Option<Gc<Env>>,
    },
    /// A Rust builtin; `data` is per-function state (e.g. a promise capability).
    Native {
        f: NativeFn,
        data: Value,
    },
    /// A host (embedder) callback.
    Host {
        func: HostFn,
    },
    Bound {
        target: Value,
        this: Value,
        args: Vec<Value>,
    },
}

/// Class constructor flavour (affects [[Call]] and `this` binding).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ClassKind {
    NotClass,
    Base,
    Derived,
}

pub struct FunctionData {
    pub kind: FunctionKind,
    pub realm: Gc<Realm>,
    /// [[HomeObject]] for `super` lookups (methods), or undefined.
    pub home_object: Value,
    /// Arrow functions: the lexical `this` and `new.target` captured at creation.
    pub this_value: Value,
    pub new_target: Value,
    pub is_constructor: bool,
    pub class_kind: ClassKind,
    /// Class constructors: the function that initialises instance fields, or undefined.
    pub fields: Value,
}

impl FunctionData {
    pub fn trace(&self, v: &mut dyn Visitor) {
        v.edge(EdgeKind::Internal, EdgeName::Str("native_context"), self.realm.value());
        v.edge(EdgeKind::Internal, EdgeName::Str("home_object"), self.home_object);
        v.edge(EdgeKind::Internal, EdgeName::Str("this"), self.this_value);
        v.edge(EdgeKind::Internal, EdgeName::Str("new_target"), self.new_target);
        v.edge(EdgeKind::Internal, EdgeName::Str("fields"), self.fields);
        match &self.kind {
            FunctionKind::Bytecode { code, env } => {
                v.edge(EdgeKind::Internal, EdgeName::Str("shared"), code.value());
                if let Some(e) = env {
                    v.edge(EdgeKind::Internal, EdgeName::Str("context"), e.value());
                }
            }
            FunctionKind::Native { data, .. } => v.edge(EdgeKind::Internal, EdgeName::Str("data"), *data),
            FunctionKind::Host { .. } => {}
            FunctionKind::Bound { target, this, args } => {
                v.edge(EdgeKind::Internal, EdgeName::Str("bound_target_function"), *target);
                v.edge(EdgeKind::Internal, EdgeName::Str("bound_this"), *this);
                for (i, &a) in args.iter().enumerate() {
                    v.edge(EdgeKind::Internal, EdgeName::Index(i as u32), a);
                }
            }
        }
    }
}
