//! Heap cells of the object model: objects (shape + slots, elements, dictionary
//! mode), property keys, accessor pairs, environments (heap contexts).

pub mod bigint;
pub mod buffer;
pub mod collection;
pub mod function;
pub mod shape;
pub mod string;
pub mod weak;

use std::collections::{BTreeMap, HashMap};

pub use bigint::JsBigInt;
pub use collection::{CollectionKind, Removed, TableData, TableEntry};
pub use function::{CallArgs, FunctionData, FunctionKind, HostFn, NativeFn};
pub use shape::{Shape, attrs};
pub use string::{JsString, StrView, Symbol};
pub use weak::{RegistryCell, RegistryData, WeakTable};

use crate::impl_cell;
use crate::vm::heap::{CellHeader, CellKind, EdgeKind, EdgeName, Gc, Heap, Space, Trace, Visitor, WeakSweep, header_for};
use crate::vm::value::Value;

/// A property key: array index, interned string (atom) or symbol.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PropertyKey {
    Index(u32),
    Atom(Gc<JsString>),
    Symbol(Gc<Symbol>),
}

impl PropertyKey {
    /// The key as a JS value (indices become undefined: use `to_value` in runtime).
    pub fn to_value_or_undefined(self) -> Value {
        match self {
            PropertyKey::Index(_) => Value::UNDEFINED,
            PropertyKey::Atom(s) => s.value(),
            PropertyKey::Symbol(s) => s.value(),
        }
    }
    pub fn is_symbol(self) -> bool {
        matches!(self, PropertyKey::Symbol(_))
    }
}

/// A getter/setter pair stored in an accessor property's slot.
#[repr(C)]
pub struct AccessorPair {
    header: CellHeader,
    pub getter: Value,
    pub setter: Value,
}
impl_cell!(AccessorPair, CellKind::Accessor, "AccessorPair");

impl Trace for AccessorPair {
    fn trace(&self, v: &mut dyn Visitor) {
        v.edge(EdgeKind::Internal, EdgeName::Str("getter"), self.getter);
        v.edge(EdgeKind::Internal, EdgeName::Str("setter"), self.setter);
    }
}

impl AccessorPair {
    pub fn new(heap: &mut Heap, getter: Value, setter: Value) -> Gc<AccessorPair> {
        heap.alloc(Space::Old, AccessorPair { header: header_for::<AccessorPair>(), getter, setter })
    }
}

/// Array-indexed storage, separate from named properties.
pub enum Elements {
    /// All elements writable/enumerable/configurable; `Value::HOLE` marks holes.
    Dense(Vec<Value>),
    /// Index -> (value or AccessorPair, attrs).
    Sparse(BTreeMap<u32, (Value, u8)>),
}

/// Named properties of an object in dictionary mode, in insertion order.
#[derive(Default)]
pub struct Dictionary {
    entries: Vec<Option<(PropertyKey, Value, u8)>>,
    index: HashMap<PropertyKey, usize>,
    live: usize,
}

impl Dictionary {
    pub fn get(&self, key: PropertyKey) -> Option<(Value, u8)> {
        self.index.get(&key).map(|&i| {
            let (_, v, a) = self.entries[i].unwrap();
            (v, a)
        })
    }
    pub fn insert(&mut self, key: PropertyKey, value: Value, attrs: u8) {
        if let Some(&i) = self.index.get(&key) {
            self.entries[i] = Some((key, value, attrs));
        } else {
            self.index.insert(key, self.entries.len());
            self.entries.push(Some((key, value, attrs)));
            self.live += 1;
        }
    }
    pub fn remove(&mut self, key: PropertyKey) -> bool {
        match self.index.remove(&key) {
            Some(i) => {
                self.entries[i] = None;
                self.live -= 1;
                if self.entries.len() > 16 && self.live < self.entries.len() / 2 {
                    self.compact();
                }
                true
            }
            None => false,
        }
    }
    fn compact(&mut self) {
        self.entries.retain(Option::is_some);
        self.index.clear();
        for (i, e) in self.entries.iter().enumerate() {
            self.index.insert(e.unwrap().0, i);
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = (PropertyKey, Value, u8)> + '_ {
        self.entries.iter().flatten().copied()
    }
    pub fn len(&self) -> usize {
        self.live
    }
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }
}

/// What kind of object this is (exotic behaviour and internal slots).
pub enum ObjectKind {
    Ordinary,
    Array {
        length: u32,
        length_writable: bool,
    },
    Function(Box<FunctionData>),
    Error,
    Boolean(bool),
    Number(f64),
    String(Gc<JsString>),
    Symbol(Gc<Symbol>),
    /// A BigInt wrapper object ([[BigIntData]]).
    BigInt(Gc<JsBigInt>),
    /// An ArrayBuffer or SharedArrayBuffer.
    ArrayBuffer(Box<buffer::ArrayBufferData>),
    /// A typed array: an integer-indexed exotic object over a buffer.
    TypedArray {
        kind: buffer::ElementKind,
        view: buffer::ViewData,
    },
    /// A DataView (its view's length counts bytes).
    DataView(buffer::ViewData),
    /// A Proxy exotic object.
    Proxy(Box<crate::vm::runtime::proxy::ProxyData>),
    Arguments,
    Date(f64),
    /// State of a `for-in` loop: the keys to visit and the next position.
    ForInIterator {
        keys: Vec<Value>,
        next: usize,
    },
    /// Internal growable list of values (a GC-visible `Vec<Value>`).
    List(Vec<Value>),
    Promise(Box<PromiseData>),
    RegExp(Box<RegExpData>),
    /// A generator object with its suspended frame.
    Generator(Box<GeneratorData>),
    /// [[WeakMapData]]: entries are ephemerons.
    WeakMap(Box<WeakTable>),
    /// [[WeakSetData]] (values are unused).
    WeakSet(Box<WeakTable>),
    /// [[WeakRefTarget]]: a weak edge; undefined once the target died.
    WeakRef {
        target: Value,
    },
    /// [[CleanupCallback]] and [[Cells]].
    FinalizationRegistry(Box<RegistryData>),
    /// A Map or Set: [[MapData]] / [[SetData]] is the current table cell.
    Collection {
        collection: CollectionKind,
        table: Value,
    },
    /// The ordered hash table behind a Map or Set (internal, never exposed).
    OrderedTable(Box<TableData>),
    /// %MapIteratorPrototype% / %SetIteratorPrototype% objects: the table
    /// being iterated (undefined once exhausted), the next entry index and
    /// what to yield.
    CollectionIterator {
        collection: CollectionKind,
        table: Value,
        index: usize,
        kind: IterationKind,
    },
    /// %StringIteratorPrototype% objects: [[IteratedString]] (undefined once
    /// exhausted) and the next code-unit position.
    StringIterator {
        string: Value,
        position: usize,
    },
    /// %RegExpStringIteratorPrototype% objects (matchAll):
    /// [[IteratingRegExp]], [[IteratedString]], [[Global]], [[Unicode]] and
    /// [[Done]].
    RegExpStringIterator {
        regexp: Value,
        string: Value,
        global: bool,
        full_unicode: bool,
        done: bool,
    },
    /// A PromiseReaction record (internal, never exposed): the derived
    /// promise's capability (undefined for await and internal thens), the
    /// [[Type]] and the [[Handler]] (undefined for the default handlers).
    PromiseReaction {
        promise: Value,
        resolve: Value,
        reject: Value,
        reaction_type: ReactionType,
        handler: Value,
    },
    /// The internal slots of a closure the Promise machinery made (the data
    /// of its native function; internal, never exposed).
    PromiseRecord(Box<PromiseRecord>),
    /// A JSON Parse Record (JSON.parse with a reviver): the value, its source
    /// text (primitives) and the child records (internal, never exposed).
    JsonParseRecord {
        value: Value,
        source: Value,
        children: Value,
    },
    /// An object made by JSON.rawJSON ([[IsRawJSON]]).
    RawJson,
    /// A `v8.GCProfiler` instance: the id of its running profile (0 = stopped).
    GcProfiler(u64),
    /// A `v8.getHeapSnapshot()` stream: the snapshot in an unlinked temporary
    /// file, read chunk by chunk (None once read to the end).
    HeapSnapshotStream(Option<Box<std::fs::File>>),
    /// %ArrayIteratorPrototype% objects: [[IteratedArrayLike]] (undefined once
    /// exhausted), [[ArrayLikeNextIndex]] and [[ArrayLikeIterationKind]].
    ArrayIterator {
        target: Value,
        next_index: u64,
        kind: IterationKind,
    },
    /// [[SyncIteratorRecord]] of an %AsyncFromSyncIteratorPrototype% object.
    AsyncFromSyncIterator {
        iterator: Value,
        next: Value,
    },
}

/// Internal slots of the native closures of the Promise machinery.
pub enum PromiseRecord {
    /// [[Promise]] and [[AlreadyResolved]], shared by a resolve and a reject function.
    Resolving { promise: Value, already_resolved: bool },
    /// NewPromiseResolveThenableJob: the promise to resolve, the thenable and its `then`.
    ThenableJob { promise: Value, thenable: Value, then: Value },
    /// GetCapabilitiesExecutor: the [[Resolve]] and [[Reject]] being filled in.
    CapabilitySlots { resolve: Value, reject: Value },
    /// thenFinally / catchFinally: [[Constructor]] and [[OnFinally]].
    Finally { constructor: Value, on_finally: Value },
    /// The value a finally thunk returns (or throws).
    FinallyValue { value: Value },
    /// Promise.all / allSettled / any: [[RemainingElements]], shared by the element functions.
    Remaining { count: i32 },
    /// [[AlreadyCalled]], shared by the two element functions of allSettled.
    AlreadyCalled { called: bool },
    /// One element function: [[Index]], [[Values]], the shared remaining
    /// count and already-called flag, the capability function to call at
    /// the end, and which element function it is (0 all, 1 allSettled
    /// fulfilled, 2 allSettled rejected, 3 any).
    Element { index: u32, values: Value, remaining: Value, already_called: Value, capability_fn: Value, kind: u8 },
}

impl PromiseRecord {
    fn trace(&self, v: &mut dyn Visitor) {
        let mut e = |name: &'static str, value: Value| v.edge(EdgeKind::Internal, EdgeName::Str(name), value);
        match self {
            PromiseRecord::Resolving { promise, .. } => e("promise", *promise),
            PromiseRecord::ThenableJob { promise, thenable, then } => {
                e("promise", *promise);
                e("thenable", *thenable);
                e("then", *then);
            }
            PromiseRecord::CapabilitySlots { resolve, reject } => {
                e("resolve", *resolve);
                e("reject", *reject);
            }
            PromiseRecord::Finally { constructor, on_finally } => {
                e("constructor", *constructor);
                e("on_finally", *on_finally);
            }
            PromiseRecord::FinallyValue { value } => e("value", *value),
            PromiseRecord::Remaining { .. } | PromiseRecord::AlreadyCalled { .. } => {}
            PromiseRecord::Element { values, remaining, already_called, capability_fn, .. } => {
                e("values", *values);
                e("remaining_elements", *remaining);
                e("already_called", *already_called);
                e("capability", *capability_fn);
            }
        }
    }
}

/// [[Type]] of a PromiseReaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReactionType {
    Fulfill,
    Reject,
}

/// What an array, Map or Set iterator yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IterationKind {
    Keys,
    Values,
    Entries,
}

/// [[GeneratorState]] of a generator object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratorState {
    SuspendedStart,
    SuspendedYield,
    Executing,
    /// Suspended at an `await` (async functions and async generators); to the
    /// outside this is still "executing".
    Awaiting,
    /// Async generators: waiting for a return() value to settle.
    AwaitingReturn,
    Completed,
}

/// Which kind of function owns a GeneratorData.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratorKind {
    Sync,
    AsyncFunction,
    AsyncGenerator,
}

/// An async generator request: (resume mode 0 next / 1 throw / 2 return, value, promise).
pub type AsyncGeneratorRequest = (i32, Value, Value);

/// A generator's state and, while suspended, its saved frame: the function,
/// environment, `this`, the pc to resume at, and a copy of the frame's
/// registers followed by its arguments (they are copied back onto the VM
/// stack on resumption, so nothing points into the stack while suspended).
pub struct GeneratorData {
    pub state: GeneratorState,
    pub kind: GeneratorKind,
    /// Async generators: the pending next/throw/return requests, oldest first.
    pub queue: std::collections::VecDeque<AsyncGeneratorRequest>,
    pub func: Value,
    pub env: Value,
    pub this: Value,
    pub pc: usize,
    pub argc: u32,
    /// The register that receives the resume mode (0 next, 1 throw, 2 return).
    pub mode_reg: u16,
    pub regs: Vec<Value>,
}

impl GeneratorData {
    /// The slots of a new generator (or async function activation) whose
    /// frame has not been saved yet.
    pub fn new(kind: GeneratorKind, state: GeneratorState, func: Value, mode_reg: u16) -> GeneratorData {
        GeneratorData {
            state,
            kind,
            queue: Default::default(),
            func,
            env: Value::UNDEFINED,
            this: Value::UNDEFINED,
            pc: 0,
            argc: 0,
            mode_reg,
            regs: Vec::new(),
        }
    }
}

/// A RegExp object's [[OriginalSource]], [[OriginalFlags]] and compiled matcher.
pub struct RegExpData {
    pub source: Gc<JsString>,
    pub flags: Gc<JsString>,
    /// Shared with the isolate's compile cache and other RegExps of the
    /// same source and flags.
    pub(crate) matcher: std::sync::Arc<crate::vm::regexp::Regex>,
    /// [[Realm]] (its id) and [[LegacyFeaturesEnabled]]: made by that
    /// realm's %RegExp% itself, not a subclass, so its matches update the
    /// realm's `RegExp.$1`... and `compile` works on it.
    pub realm_id: u64,
    pub legacy: bool,
}

/// A promise's internal slots. Reactions are `ObjectKind::PromiseReaction`
/// objects (see runtime/promise.rs).
pub struct PromiseData {
    pub state: PromiseState,
    /// The fulfillment value or rejection reason once settled.
    pub result: Value,
    pub fulfill_reactions: Vec<Value>,
    pub reject_reactions: Vec<Value>,
    pub handled: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromiseState {
    Pending,
    Fulfilled,
    Rejected,
}

#[repr(C)]
pub struct JsObject {
    header: CellHeader,
    pub shape: Gc<Shape>,
    pub slots: Vec<Value>,
    pub dict: Option<Box<Dictionary>>,
    pub elements: Elements,
    pub kind: ObjectKind,
    pub extensible: bool,
    /// Root shape for objects whose prototype is this object.
    pub child_root_shape: Option<Gc<Shape>>,
}
impl_cell!(JsObject, CellKind::Object, "Object");

impl Trace for JsObject {
    fn malloc_size(&self) -> usize {
        self.buffer_bytes()
    }
    fn external_size(&self) -> usize {
        match &self.kind {
            ObjectKind::ArrayBuffer(d) => d.external_size(),
            _ => 0,
        }
    }
    fn trace(&self, v: &mut dyn Visitor) {
        v.edge(EdgeKind::Internal, EdgeName::Str("map"), self.shape.value());
        v.edge(EdgeKind::Property, EdgeName::Str("__proto__"), self.shape.proto);
        if let Some(d) = &self.dict {
            for (k, val, _) in d.iter() {
                trace_property(v, k, val);
            }
        } else if !self.slots.is_empty() {
            for (k, slot, _) in self.shape.entries() {
                trace_property(v, k, self.slots[slot as usize]);
            }
        }
        match &self.elements {
            Elements::Dense(e) => {
                for (i, &val) in e.iter().enumerate() {
                    if val.is_cell() {
                        v.edge(EdgeKind::Element, EdgeName::Index(i as u32), val);
                    }
                }
            }
            Elements::Sparse(m) => {
                for (&i, &(val, _)) in m {
                    v.edge(EdgeKind::Element, EdgeName::Index(i), val);
                }
            }
        }
        if let Some(s) = self.child_root_shape {
            v.edge(EdgeKind::Internal, EdgeName::Str("child_map"), s.value());
        }
        match &self.kind {
            ObjectKind::Function(f) => f.trace(v),
            ObjectKind::String(s) => v.edge(EdgeKind::Internal, EdgeName::Str("value"), s.value()),
            ObjectKind::Symbol(s) => v.edge(EdgeKind::Internal, EdgeName::Str("value"), s.value()),
            ObjectKind::BigInt(b) => v.edge(EdgeKind::Internal, EdgeName::Str("value"), b.value()),
            ObjectKind::Proxy(p) => {
                v.edge(EdgeKind::Internal, EdgeName::Str("target"), p.target);
                v.edge(EdgeKind::Internal, EdgeName::Str("handler"), p.handler);
            }
            ObjectKind::TypedArray { view, .. } | ObjectKind::DataView(view) => {
                v.edge(EdgeKind::Internal, EdgeName::Str("buffer"), view.buffer.value());
            }
            ObjectKind::ForInIterator { keys, .. } | ObjectKind::List(keys) => {
                for (i, &k) in keys.iter().enumerate() {
                    v.edge(EdgeKind::Internal, EdgeName::Index(i as u32), k);
                }
            }
            ObjectKind::RegExp(r) => {
                v.edge(EdgeKind::Internal, EdgeName::Str("source"), r.source.value());
                v.edge(EdgeKind::Internal, EdgeName::Str("flags"), r.flags.value());
            }
            ObjectKind::Generator(g) => {
                v.edge(EdgeKind::Internal, EdgeName::Str("function"), g.func);
                v.edge(EdgeKind::Internal, EdgeName::Str("context"), g.env);
                v.edge(EdgeKind::Internal, EdgeName::Str("receiver"), g.this);
                for (i, &r) in g.regs.iter().enumerate() {
                    v.edge(EdgeKind::Internal, EdgeName::Index(i as u32), r);
                }
                for &(_, value, promise) in &g.queue {
                    v.edge(EdgeKind::Internal, EdgeName::Str("request_value"), value);
                    v.edge(EdgeKind::Internal, EdgeName::Str("request_promise"), promise);
                }
            }
            ObjectKind::Promise(p) => {
                v.edge(EdgeKind::Internal, EdgeName::Str("result"), p.result);
                for &r in p.fulfill_reactions.iter() {
                    v.edge(EdgeKind::Internal, EdgeName::Str("fulfill_reactions"), r);
                }
                for &r in p.reject_reactions.iter() {
                    v.edge(EdgeKind::Internal, EdgeName::Str("reject_reactions"), r);
                }
            }
            ObjectKind::WeakMap(t) | ObjectKind::WeakSet(t) => t.trace(v),
            ObjectKind::WeakRef { target } => v.edge(EdgeKind::Weak, EdgeName::Str("target"), *target),
            ObjectKind::FinalizationRegistry(r) => r.trace(v),
            ObjectKind::ArrayIterator { target, .. } => v.edge(EdgeKind::Internal, EdgeName::Str("iterated_object"), *target),
            ObjectKind::Collection { table, .. } => v.edge(EdgeKind::Internal, EdgeName::Str("table"), *table),
            ObjectKind::OrderedTable(t) => t.trace(v),
            ObjectKind::CollectionIterator { table, .. } => v.edge(EdgeKind::Internal, EdgeName::Str("table"), *table),
            ObjectKind::StringIterator { string, .. } => v.edge(EdgeKind::Internal, EdgeName::Str("iterated_string"), *string),
            ObjectKind::RegExpStringIterator { regexp, string, .. } => {
                v.edge(EdgeKind::Internal, EdgeName::Str("iterating_regexp"), *regexp);
                v.edge(EdgeKind::Internal, EdgeName::Str("iterated_string"), *string);
            }
            ObjectKind::PromiseRecord(r) => r.trace(v),
            ObjectKind::JsonParseRecord { value, source, children } => {
                v.edge(EdgeKind::Internal, EdgeName::Str("value"), *value);
                v.edge(EdgeKind::Internal, EdgeName::Str("source"), *source);
                v.edge(EdgeKind::Internal, EdgeName::Str("children"), *children);
            }
            ObjectKind::PromiseReaction { promise, resolve, reject, handler, .. } => {
                v.edge(EdgeKind::Internal, EdgeName::Str("promise"), *promise);
                v.edge(EdgeKind::Internal, EdgeName::Str("resolve"), *resolve);
                v.edge(EdgeKind::Internal, EdgeName::Str("reject"), *reject);
                v.edge(EdgeKind::Internal, EdgeName::Str("handler"), *handler);
            }
            ObjectKind::AsyncFromSyncIterator { iterator, next } => {
                v.edge(EdgeKind::Internal, EdgeName::Str("sync_iterator"), *iterator);
                v.edge(EdgeKind::Internal, EdgeName::Str("next_method"), *next);
            }
            _ => {}
        }
    }

    fn clear_dead_weak(&mut self, sweep: &mut WeakSweep<'_>) {
        match &mut self.kind {
            ObjectKind::WeakMap(t) | ObjectKind::WeakSet(t) => t.clear_dead(sweep),
            ObjectKind::WeakRef { target } if !sweep.is_live(*target) => *target = Value::UNDEFINED,
            ObjectKind::FinalizationRegistry(r) => r.clear_dead(sweep),
            _ => {}
        }
    }
}

fn trace_property(v: &mut dyn Visitor, key: PropertyKey, val: Value) {
    match key {
        PropertyKey::Atom(s) => {
            v.edge(EdgeKind::Property, EdgeName::Value(s.value()), val);
            // Edge names are not traced: keep the key atom itself alive (dictionary
            // mode has no shape holding it).
            v.edge(EdgeKind::Hidden, EdgeName::None, s.value());
        }
        PropertyKey::Symbol(s) => {
            v.edge(EdgeKind::Property, EdgeName::Value(s.value()), val);
            v.edge(EdgeKind::Hidden, EdgeName::None, s.value());
        }
        PropertyKey::Index(i) => v.edge(EdgeKind::Element, EdgeName::Index(i), val),
    }
}

/// An own property as stored: a value, or an `AccessorPair` when `attrs` has ACCESSOR.
#[derive(Clone, Copy, Debug)]
pub struct OwnProperty {
    pub value: Value,
    pub attrs: u8,
}

impl OwnProperty {
    pub fn is_accessor(&self) -> bool {
        self.attrs & attrs::ACCESSOR != 0
    }
    pub fn accessor(&self) -> Gc<AccessorPair> {
        Gc::from_value(self.value)
    }
}

impl JsObject {
    pub fn new(heap: &mut Heap, shape: Gc<Shape>, kind: ObjectKind) -> Gc<JsObject> {
        heap.alloc(
            Space::Old,
            JsObject {
                header: header_for::<JsObject>(),
                shape,
                slots: Vec::new(),
                dict: None,
                elements: Elements::Dense(Vec::new()),
                kind,
                extensible: true,
                child_root_shape: None,
            },
        )
    }

    /// Is `v` an object (any JsObject cell)?
    #[inline]
    pub fn is_object(v: Value) -> bool {
        v.cell_kind() == Some(CellKind::Object)
    }
    #[inline]
    pub fn from_value(v: Value) -> Option<Gc<JsObject>> {
        // SAFETY: JsObject is the only cell type of kind Object.
        if Self::is_object(v) { Some(unsafe { Gc::from_value_unchecked(v) }) } else { None }
    }

    pub fn proto(&self) -> Value {
        self.shape.proto
    }

    /// The root shape for children of `proto` (cached on the prototype object).
    pub fn root_shape_for(heap: &mut Heap, proto: Value, null_root: Gc<Shape>) -> Gc<Shape> {
        match JsObject::from_value(proto) {
            None => null_root,
            Some(p) => {
                if let Some(s) = p.child_root_shape {
                    return s;
                }
                let s = Shape::new_root(heap, proto);
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { p.m() }).child_root_shape = Some(s);
                s
            }
        }
    }

    pub fn is_callable(&self) -> bool {
        match &self.kind {
            ObjectKind::Function(_) => true,
            ObjectKind::Proxy(p) => p.callable,
            _ => false,
        }
    }
    pub fn function(&self) -> Option<&FunctionData> {
        match &self.kind {
            ObjectKind::Function(f) => Some(f),
            _ => None,
        }
    }
    pub fn is_array(&self) -> bool {
        matches!(self.kind, ObjectKind::Array { .. })
    }

    // ----- named properties -----

    pub fn get_own_named(&self, key: PropertyKey) -> Option<OwnProperty> {
        if let Some(d) = &self.dict {
            return d.get(key).map(|(value, attrs)| OwnProperty { value, attrs });
        }
        self.shape.lookup(key).map(|(slot, attrs)| OwnProperty { value: self.slots[slot as usize], attrs })
    }
}

impl Gc<JsObject> {
    /// Adds or replaces a named property (no checks: the caller validated it).
    pub fn put_named(self, heap: &mut Heap, key: PropertyKey, value: Value, attrs: u8) {
        // SAFETY: the borrow lasts for this call, which only allocates shapes
        // (allocation never collects) and reaches no other reference to this cell.
        let this = unsafe { self.m() };
        if let Some(d) = &mut this.dict {
            d.insert(key, value, attrs);
            return;
        }
        if let Some((slot, old_attrs)) = this.shape.lookup(key) {
            if old_attrs == attrs {
                this.slots[slot as usize] = value;
                return;
            }
            this.make_dictionary();
            this.dict.as_mut().unwrap().insert(key, value, attrs);
            return;
        }
        if this.shape.count >= shape::MAX_FAST_PROPERTIES {
            this.make_dictionary();
            this.dict.as_mut().unwrap().insert(key, value, attrs);
            return;
        }
        this.shape = this.shape.add(heap, key, attrs);
        if this.slots.len() == this.slots.capacity() {
            heap.malloced_bytes += 8 * this.slots.capacity().max(4);
        }
        this.slots.push(value);
    }

    /// Overwrites the value of an existing data property's slot.
    pub fn set_named_value(self, key: PropertyKey, value: Value) -> bool {
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        let this = unsafe { self.m() };
        if let Some(d) = &mut this.dict {
            if let Some((_, a)) = d.get(key) {
                d.insert(key, value, a);
                return true;
            }
            return false;
        }
        match this.shape.lookup(key) {
            Some((slot, _)) => {
                this.slots[slot as usize] = value;
                true
            }
            None => false,
        }
    }

    pub fn delete_named(self, heap: &mut Heap, key: PropertyKey) -> bool {
        if self.dict.is_none() {
            if self.shape.lookup(key).is_none() {
                return false;
            }
            self.to_dictionary(heap);
        }
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { self.m() }).dict.as_mut().unwrap().remove(key)
    }
}

impl Gc<JsObject> {
    /// Moves named properties from shape slots into a dictionary.
    pub fn to_dictionary(self, heap: &mut Heap) {
        // SAFETY: the borrow lasts for this call, which reaches no other cell's data.
        unsafe { self.m() }.make_dictionary();
        let _ = heap;
    }
}

impl JsObject {
    /// Moves the named properties into a dictionary; the shape becomes the
    /// root shape of the prototype.
    fn make_dictionary(&mut self) {
        let this = self;
        if this.dict.is_some() {
            return;
        }
        let mut d = Dictionary::default();
        for (k, slot, a) in this.shape.entries() {
            d.insert(k, this.slots[slot as usize], a);
        }
        this.slots = Vec::new();
        this.dict = Some(Box::new(d));
        let proto = this.shape.proto;
        let root = match this.shape.parent {
            None => this.shape,
            Some(_) => {
                let mut s = this.shape;
                while let Some(p) = s.parent {
                    s = p;
                }
                s
            }
        };
        debug_assert!(root.proto == proto);
        this.shape = root;
    }
}

impl Gc<JsObject> {
    /// Changes the prototype (moves the object to dictionary mode).
    pub fn set_proto_raw(self, heap: &mut Heap, proto: Value, null_root: Gc<Shape>) {
        self.to_dictionary(heap);
        let root = JsObject::root_shape_for(heap, proto, null_root);
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { self.m() }).shape = root;
    }
}

impl JsObject {
    /// Own named keys in insertion order (strings and symbols mixed).
    pub fn named_keys(&self) -> Vec<(PropertyKey, u8)> {
        match &self.dict {
            Some(d) => d.iter().map(|(k, _, a)| (k, a)).collect(),
            None => self.shape.entries().into_iter().map(|(k, _, a)| (k, a)).collect(),
        }
    }

    // ----- elements -----

    pub fn get_own_element(&self, index: u32) -> Option<OwnProperty> {
        match &self.elements {
            Elements::Dense(e) => match e.get(index as usize) {
                Some(&v) if !v.is_hole() => Some(OwnProperty { value: v, attrs: attrs::DEFAULT }),
                _ => None,
            },
            Elements::Sparse(m) => m.get(&index).map(|&(value, attrs)| OwnProperty { value, attrs }),
        }
    }
}

impl Gc<JsObject> {
    /// Stores an element (no checks). Dense storage grows for near-dense writes.
    pub fn put_element(self, heap: &mut Heap, index: u32, value: Value, attrs: u8) {
        // SAFETY: the borrow lasts for this call, which touches only this cell's elements.
        let this = unsafe { self.m() };
        if let Elements::Dense(e) = &mut this.elements {
            let i = index as usize;
            if attrs == attrs::DEFAULT {
                if i < e.len() {
                    e[i] = value;
                    return;
                }
                // Stay dense for appends and small gaps; large gaps go sparse
                // (so x[2**31] = 1 does not allocate 16 GiB of holes).
                if i <= e.len() + 1024 {
                    let old_cap = e.capacity();
                    e.resize(i, Value::HOLE);
                    e.push(value);
                    heap.malloced_bytes += 8 * (e.capacity() - old_cap);
                    return;
                }
            }
            let mut m = BTreeMap::new();
            for (j, &v) in e.iter().enumerate() {
                if !v.is_hole() {
                    m.insert(j as u32, (v, attrs::DEFAULT));
                }
            }
            this.elements = Elements::Sparse(m);
        }
        if let Elements::Sparse(m) = &mut this.elements {
            heap.malloced_bytes += 48;
            m.insert(index, (value, attrs));
        }
    }
}

impl JsObject {
    pub fn delete_element(&mut self, index: u32) -> bool {
        match &mut self.elements {
            Elements::Dense(e) => {
                let i = index as usize;
                if i < e.len() && !e[i].is_hole() {
                    if i + 1 == e.len() {
                        e.pop();
                    } else {
                        e[i] = Value::HOLE;
                    }
                    true
                } else {
                    false
                }
            }
            Elements::Sparse(m) => m.remove(&index).is_some(),
        }
    }

    /// Own element indices in ascending order.
    pub fn element_indices(&self) -> Vec<u32> {
        match &self.elements {
            Elements::Dense(e) => e.iter().enumerate().filter(|(_, v)| !v.is_hole()).map(|(i, _)| i as u32).collect(),
            Elements::Sparse(m) => m.keys().copied().collect(),
        }
    }

    /// Drops elements at or above `len` (array length truncation). Returns false
    /// if a non-configurable element blocked it (elements above it are kept).
    pub fn truncate_elements(&mut self, len: u32) -> Result<(), u32> {
        match &mut self.elements {
            Elements::Dense(e) => {
                if (len as usize) < e.len() {
                    e.truncate(len as usize);
                }
                Ok(())
            }
            Elements::Sparse(m) => {
                let keys: Vec<u32> = m.range(len..).map(|(&k, _)| k).collect();
                for k in keys.into_iter().rev() {
                    if m[&k].1 & attrs::CONFIGURABLE == 0 {
                        return Err(k + 1);
                    }
                    m.remove(&k);
                }
                Ok(())
            }
        }
    }

    pub fn array_length(&self) -> u32 {
        match self.kind {
            ObjectKind::Array { length, .. } => length,
            _ => 0,
        }
    }
    pub fn set_array_length_raw(&mut self, len: u32) {
        if let ObjectKind::Array { length, .. } = &mut self.kind {
            *length = len;
        }
    }

    /// Bytes this object owns outside the heap pages (for limit accounting).
    pub fn buffer_bytes(&self) -> usize {
        let e = match &self.elements {
            Elements::Dense(e) => e.capacity() * 8,
            Elements::Sparse(m) => m.len() * 48,
        };
        let k = match &self.kind {
            ObjectKind::ForInIterator { keys, .. } | ObjectKind::List(keys) => keys.capacity() * 8,
            ObjectKind::WeakMap(t) | ObjectKind::WeakSet(t) => t.external_size(),
            ObjectKind::FinalizationRegistry(r) => r.external_size(),
            ObjectKind::OrderedTable(t) => t.external_size(),
            _ => 0,
        };
        self.slots.capacity() * 8 + e + k + self.dict.as_ref().map_or(0, |d| d.entries.capacity() * 64)
    }
}

/// A heap context: captured variables of one scope, linked to its parent.
#[repr(C)]
pub struct Env {
    header: CellHeader,
    pub parent: Option<Gc<Env>>,
    pub slots: Vec<Value>,
}
impl_cell!(Env, CellKind::Env, "Context");

impl Trace for Env {
    fn malloc_size(&self) -> usize {
        self.slots.capacity() * 8
    }
    fn trace(&self, v: &mut dyn Visitor) {
        if let Some(p) = self.parent {
            v.edge(EdgeKind::Context, EdgeName::Str("previous"), p.value());
        }
        for (i, &s) in self.slots.iter().enumerate() {
            v.edge(EdgeKind::Context, EdgeName::Index(i as u32), s);
        }
    }
}

impl Env {
    pub fn new(heap: &mut Heap, parent: Option<Gc<Env>>, size: usize) -> Gc<Env> {
        heap.malloced_bytes += size * 8;
        heap.alloc(Space::Old, Env { header: header_for::<Env>(), parent, slots: vec![Value::EMPTY; size] })
    }
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn object_cells_stay_small() {
        // Every object pays for these; keep big variants boxed.
        assert!(std::mem::size_of::<super::ObjectKind>() <= 40, "{}", std::mem::size_of::<super::ObjectKind>());
        assert!(std::mem::size_of::<super::JsObject>() <= 160, "{}", std::mem::size_of::<super::JsObject>());
    }
}
