//! Errors: native error objects with V8-style stack traces, and the throw
//! helpers (type_error, range_error, ...).

use super::realm::Intrinsic;
use crate::vm::Unwind;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey, attrs};
use crate::vm::value::Value;

/// The native error constructors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorType {
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    UriError,
}

impl ErrorType {
    pub fn prototype(self) -> Intrinsic {
        match self {
            ErrorType::Error => Intrinsic::ErrorPrototype,
            ErrorType::TypeError => Intrinsic::TypeErrorPrototype,
            ErrorType::RangeError => Intrinsic::RangeErrorPrototype,
            ErrorType::SyntaxError => Intrinsic::SyntaxErrorPrototype,
            ErrorType::ReferenceError => Intrinsic::ReferenceErrorPrototype,
            ErrorType::EvalError => Intrinsic::EvalErrorPrototype,
            ErrorType::UriError => Intrinsic::UriErrorPrototype,
        }
    }
}

impl Vm {
    // ----- errors -----

    /// Creates an error object of `kind` in the current realm with a stack trace.
    pub fn make_error(&mut self, kind: ErrorType, message: &str) -> Gc<JsObject> {
        let realm = self.realm();
        let proto = realm.intrinsic(kind.prototype());
        let obj = self.new_object_with_proto(proto, ObjectKind::Error);
        let msg = self.string_value(message);
        let key = PropertyKey::Atom(self.names.message);
        obj.put_named(&mut self.heap, key, msg, attrs::HIDDEN);
        self.attach_stack(obj);
        obj
    }

    /// Defines the V8-style `stack` property ("Name: message\n    at f (file:1:2)").
    pub fn attach_stack(&mut self, obj: Gc<JsObject>) {
        let header = match self.error_header(obj.value()) {
            Some(h) => h,
            None => return,
        };
        let mut text = header;
        for line in self.stack_trace_lines(10) {
            text.push_str("\n    at ");
            text.push_str(&line);
        }
        let v = self.string_value(&text);
        let key = PropertyKey::Atom(self.names.stack);
        obj.put_named(&mut self.heap, key, v, attrs::HIDDEN);
    }

    fn error_header(&mut self, v: Value) -> Option<String> {
        let obj = JsObject::from_value(v)?;
        let name = self.get_data_chain(obj, PropertyKey::Atom(self.names.name));
        let msg = self.get_data_chain(obj, PropertyKey::Atom(self.names.message));
        let name = name.and_then(Gc::<JsString>::try_from_value).map(|s| s.to_rust_string());
        let msg = msg.and_then(Gc::<JsString>::try_from_value).map(|s| s.to_rust_string());
        let name = name.unwrap_or_else(|| "Error".into());
        Some(match msg {
            Some(m) if !m.is_empty() => format!("{name}: {m}"),
            _ => name,
        })
    }

    /// A data property's value along the prototype chain without running getters.
    pub fn get_data_chain(&self, obj: Gc<JsObject>, key: PropertyKey) -> Option<Value> {
        let mut o = obj;
        loop {
            if let Some(p) = o.get_own_named(key) {
                return if p.is_accessor() { None } else { Some(p.value) };
            }
            o = JsObject::from_value(o.proto())?;
        }
    }

    /// "fn (file:line:col)" for the innermost `limit` JS frames.
    pub fn stack_trace_lines(&self, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        for f in self.frames.iter().rev().take(limit) {
            let pos = f.code.position_of(f.pc.saturating_sub(1));
            let (line, col) = f.code.source.line_col(pos);
            let file = &f.code.source.name;
            let name = f.code.name_string();
            if name.is_empty() || f.code.flags.is_script {
                out.push(format!("{file}:{line}:{col}"));
            } else {
                out.push(format!("{name} ({file}:{line}:{col})"));
            }
        }
        out
    }

    pub fn throw_error(&mut self, kind: ErrorType, message: &str) -> Unwind {
        Unwind::Throw(self.make_error(kind, message).value())
    }
    pub fn type_error(&mut self, message: &str) -> Unwind {
        self.throw_error(ErrorType::TypeError, message)
    }
    pub fn range_error(&mut self, message: &str) -> Unwind {
        self.throw_error(ErrorType::RangeError, message)
    }
    pub fn reference_error(&mut self, message: &str) -> Unwind {
        self.throw_error(ErrorType::ReferenceError, message)
    }
    pub fn syntax_error(&mut self, message: &str) -> Unwind {
        self.throw_error(ErrorType::SyntaxError, message)
    }
}
