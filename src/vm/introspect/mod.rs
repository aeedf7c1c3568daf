//! Introspection over the heap: code statistics, queryObjects, the
//! depth-0 object summaries queryObjects prints, and GC profile documents.
//! Nothing here runs script code: objects are read through their shapes
//! and own data properties only.

pub mod gc_profile;
pub mod heap_snapshot;
pub mod summary;

use std::collections::HashSet;

use crate::vm::bytecode::Code;
use crate::vm::heap::{CellKind, Gc};
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, ObjectKind};
use crate::vm::value::Value;

/// Node's `v8.getHeapCodeStatistics()` numbers, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodeStatistics {
    /// Machine code and its metadata: 0, Sable has no JIT yet.
    pub code_and_metadata_size: usize,
    /// Bytecode cells plus their buffers (instructions, constants, handler,
    /// position and feedback tables).
    pub bytecode_and_metadata_size: usize,
    /// Script source texts held outside the heap (each script once).
    pub external_script_source_size: usize,
    /// CPU profiler code map: 0, there is no CPU profiler yet.
    pub cpu_profiler_metadata_size: usize,
}

/// Walks the code cells of the heap.
pub fn code_statistics(vm: &Vm) -> CodeStatistics {
    let mut stats = CodeStatistics::default();
    let mut sources = HashSet::new();
    vm.heap.for_each_cell(|cell, _, size| {
        // SAFETY: for_each_cell yields allocated, initialised cells; a cell of
        // kind Code is a `Code`.
        unsafe {
            if (*cell).kind() != CellKind::Code {
                return;
            }
            let code = &*(cell as *const Code);
            stats.bytecode_and_metadata_size += size + ((*cell).vtable().malloc_size)(cell);
            let source = &code.source;
            if sources.insert(std::rc::Rc::as_ptr(source) as usize) {
                stats.external_script_source_size += source.text.len() + source.line_starts.capacity() * 4;
            }
        }
    });
    stats
}

/// Whether an object kind is one scripts can hold (internal records such as
/// lists and promise reactions are not reported).
fn is_script_visible(kind: &ObjectKind) -> bool {
    !matches!(
        kind,
        ObjectKind::ForInIterator { .. }
            | ObjectKind::List(_)
            | ObjectKind::OrderedTable(_)
            | ObjectKind::PromiseReaction { .. }
            | ObjectKind::PromiseRecord(_)
            | ObjectKind::JsonParseRecord { .. }
    )
}

/// Whether `target` is on `obj`'s prototype chain (not counting `obj`),
/// read from the shapes only. A chain longer than any real one (the
/// prototype setters refuse cycles) stops the walk.
pub(crate) fn prototype_chain_contains(obj: &JsObject, target: Value) -> bool {
    let mut p = obj.proto();
    let mut steps = 0;
    while let Some(o) = JsObject::from_value(p) {
        if p == target {
            return true;
        }
        steps += 1;
        if steps > 100_000 {
            return false;
        }
        p = o.proto();
    }
    false
}

/// Every object whose prototype chain (not counting itself) contains
/// `prototype`, newest first as far as the heap can tell (pages in reverse
/// order of creation, cells in reverse address order). Call after a full
/// collection so that only live objects are found.
pub fn query_objects(vm: &Vm, prototype: Value) -> Vec<Gc<JsObject>> {
    let mut found = Vec::new();
    if !prototype.is_cell() {
        return found;
    }
    vm.heap.for_each_cell(|cell, _, _| {
        // SAFETY: for_each_cell yields allocated, initialised cells; a cell of
        // kind Object is a `JsObject`.
        unsafe {
            if (*cell).kind() != CellKind::Object {
                return;
            }
            let obj = &*(cell as *const JsObject);
            if !is_script_visible(&obj.kind) {
                return;
            }
            if prototype_chain_contains(obj, prototype) {
                found.extend(JsObject::from_value(Value::from_cell(cell)));
            }
        }
    });
    found.reverse();
    found
}
