//! The root categories of the heap and the visitor that receives them: the
//! collector marks from these, and a heap snapshot writer lists them as the
//! `(GC roots)` subtree. `Vm::visit_roots` is the one enumeration of them.

use super::EdgeName;
use crate::vm::value::Value;

/// Where a root comes from, named after V8's `Root` list where one matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Root {
    /// VM register stack slots and the live frames' function, code, context,
    /// receiver and realm (precise).
    StackRoots,
    /// Handle scopes of the embedding API.
    HandleScope,
    /// Strong persistent handles of the embedding API (weak ones are not roots).
    GlobalHandles,
    /// The realms (native contexts) and their intrinsics.
    NativeContexts,
    /// Queued promise and host jobs.
    MicrotaskQueue,
    /// The pending exception.
    PendingException,
    /// Values native code holds in Rust heap memory (`Vm::with_roots`, call
    /// arguments of native calls).
    Relocatable,
    /// WeakRef targets kept alive until the current job ends (KeepDuringJob).
    KeptObjects,
    /// Interned names, well-known symbols, the symbol registry and the root shape.
    StrongRoots,
    /// Words on the native stack or in callee-saved registers that point into
    /// a cell (JavaScriptCore-style conservative scanning).
    ConservativeStack,
}

impl Root {
    /// The name a heap snapshot gives this root category.
    pub fn name(self) -> &'static str {
        match self {
            Root::StackRoots => "(Stack roots)",
            Root::HandleScope => "(Handle scope)",
            Root::GlobalHandles => "(Global handles)",
            Root::NativeContexts => "(Native contexts)",
            Root::MicrotaskQueue => "(Microtask queue)",
            Root::PendingException => "(Pending exception)",
            Root::Relocatable => "(Relocatable)",
            Root::KeptObjects => "(Kept objects)",
            Root::StrongRoots => "(Strong roots)",
            Root::ConservativeStack => "(Conservative stack)",
        }
    }
}

/// Receives every root: its category, a name within it (an index, a field
/// name, or none) and the value. Non-cell values may be reported; visitors
/// ignore them.
pub trait RootVisitor {
    fn root(&mut self, category: Root, name: EdgeName<'_>, value: Value);
}
