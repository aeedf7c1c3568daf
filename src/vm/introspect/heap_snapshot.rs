//! The Chrome DevTools `.heapsnapshot` writer, streaming straight from the
//! heap (DESIGN §4a): mark the live cells (nothing is freed, so it works at any
//! allocation point, inside near-heap-limit callbacks and OOM handlers), then
//! write the sections in DevTools' order in fixed-size chunks through a sink.
//!
//! There is no copy of the object graph. A node's ordinal comes from the mark
//! bits ([`LiveIndex`]); edges come from each cell's one `Trace`; the string
//! table is numbered as names are first needed and written at the end by
//! walking the heap again in the same order (a bounded cache dedups the
//! common names; duplicates in the table are legal). Nothing is allocated on
//! the JS heap and no script code runs.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::vm::bytecode::Code;
use crate::vm::heap::{CellHeader, CellKind, EdgeKind, EdgeName, Gc, LiveIndex, Root, RootVisitor, Visitor};
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey, StrView, Symbol};
use crate::vm::runtime::number::number_to_string;
use crate::vm::runtime::realm::Realm;
use crate::vm::value::Value;

/// What a snapshot shows (Node's `writeHeapSnapshot` options) and how it is cut.
#[derive(Clone, Copy, Debug)]
pub struct SnapshotOptions {
    /// No root -> global-object shortcut edges: retention is explained only
    /// through the GC roots (V8's `kExposeInternals`).
    pub expose_internals: bool,
    /// Number-valued properties, elements and context slots become edges to
    /// `smi number` / `heap number` nodes with their value (`kExposeNumericValues`).
    pub expose_numeric_values: bool,
    /// Bytes per chunk handed to the sink (the last one may be shorter).
    pub chunk_size: usize,
}

/// Node's file and stream writers use 64 KiB chunks.
pub const DEFAULT_CHUNK_SIZE: usize = 64 * 1024;

impl Default for SnapshotOptions {
    fn default() -> Self {
        SnapshotOptions { expose_internals: false, expose_numeric_values: false, chunk_size: DEFAULT_CHUNK_SIZE }
    }
}

/// Why a snapshot was not written to the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// The sink asked to stop; no more chunks were written.
    Aborted,
    /// A snapshot was requested while one is being written (from its sink).
    Busy,
}

/// What a finished snapshot contained and cost.
#[derive(Clone, Copy, Debug, Default)]
pub struct SnapshotReport {
    pub nodes: u64,
    pub edges: u64,
    pub bytes: u64,
    /// Heap memory the writer used besides the cells' own id tables: the live
    /// index, string cache, root list and output buffer (peak, approximate).
    pub writer_bytes: usize,
    /// Time the isolate was stopped for the snapshot.
    pub pause: Duration,
}

const NODE_TYPES: &str = r#"["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape","wasm object"]"#;

/// DevTools node types (indexes into `NODE_TYPES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum NodeType {
    Hidden = 0,
    Array = 1,
    String = 2,
    Object = 3,
    Code = 4,
    Closure = 5,
    RegExp = 6,
    Number = 7,
    Synthetic = 9,
    ConsString = 10,
    Symbol = 12,
    BigInt = 13,
    ObjectShape = 14,
}

/// The root categories in the order `(GC roots)` lists them.
const ROOT_CATEGORIES: [Root; 10] = [
    Root::StrongRoots,
    Root::StackRoots,
    Root::ConservativeStack,
    Root::HandleScope,
    Root::GlobalHandles,
    Root::NativeContexts,
    Root::MicrotaskQueue,
    Root::PendingException,
    Root::Relocatable,
    Root::KeptObjects,
];
/// Synthetic nodes before the first cell: the root, `(GC roots)`, the categories.
const SYNTHETIC_NODES: u32 = 2 + ROOT_CATEGORIES.len() as u32;
const NODE_FIELDS: u64 = 7;
/// Names of heap strings are cut to this many characters (V8's limit).
const MAX_NAME_CHARS: usize = 1024;
/// The string cache keeps names up to this long, up to this many bytes in all.
const CACHED_NAME_BYTES: usize = 256;
const STRING_CACHE_BUDGET: usize = 1 << 20;
const CELL_CACHE_ENTRIES: usize = 1 << 16;
const CTOR_CACHE_ENTRIES: usize = 1 << 16;

/// One root as gathered once per snapshot (the conservative stack scan must
/// not be repeated: the writer's own stack differs between passes).
struct RootEntry {
    category: Root,
    name: RootName,
    value: Value,
}

enum RootName {
    Index(u32),
    Text(String),
    None,
}

/// The output: fixed-size chunks to the sink, stopping for good on abort.
struct Out<'s> {
    buf: Vec<u8>,
    chunk: usize,
    sink: &'s mut dyn FnMut(&[u8]) -> bool,
    aborted: bool,
    total: u64,
    /// False while replaying a pass only to number the strings.
    enabled: bool,
}

impl Out<'_> {
    #[inline]
    fn bytes(&mut self, b: &[u8]) {
        if !self.enabled || self.aborted {
            return;
        }
        self.buf.extend_from_slice(b);
        if self.buf.len() >= self.chunk {
            self.flush_full();
        }
    }
    #[cold]
    fn flush_full(&mut self) {
        let mut start = 0;
        while self.buf.len() - start >= self.chunk && !self.aborted {
            let piece = &self.buf[start..start + self.chunk];
            self.total += piece.len() as u64;
            if !(self.sink)(piece) {
                self.aborted = true;
            }
            start += self.chunk;
        }
        self.buf.drain(..start);
    }
    fn finish(&mut self) {
        if !self.aborted && !self.buf.is_empty() {
            self.total += self.buf.len() as u64;
            if !(self.sink)(&self.buf) {
                self.aborted = true;
            }
            self.buf.clear();
        }
    }
    /// Writes even while the passes' own output is off (the string replay).
    fn always(&mut self, b: &[u8]) {
        let enabled = std::mem::replace(&mut self.enabled, true);
        self.bytes(b);
        self.enabled = enabled;
    }
    #[inline]
    fn num(&mut self, n: u64) {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        let mut n = n;
        loop {
            i -= 1;
            tmp[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.bytes(&tmp[i..]);
    }
}

/// Appends `units` to `out` as the inside of a JSON string, pure ASCII:
/// short escapes, `\u00XX` for other controls, `\uXXXX` for non-ASCII.
fn escape_units(out: &mut Vec<u8>, units: impl Iterator<Item = u16>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for u in units {
        match u {
            0x22 => out.extend_from_slice(b"\\\""),
            0x5C => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            0x0A => out.extend_from_slice(b"\\n"),
            0x0D => out.extend_from_slice(b"\\r"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x20..=0x7E => out.push(u as u8),
            _ => {
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((u >> shift) & 0xF) as usize]);
                }
            }
        }
    }
}

fn escape_str(out: &mut Vec<u8>, s: &str) {
    escape_units(out, s.encode_utf16());
}

fn escape_view(out: &mut Vec<u8>, view: StrView<'_>, max: usize) {
    match view {
        StrView::OneByte(b) => escape_units(out, b.iter().take(max).map(|&c| c as u16)),
        StrView::TwoByte(w) => escape_units(out, w.iter().take(max).copied()),
    }
}

/// The string table: indexes handed out in order of first need; with
/// `writing` set (the replay), each new string is written as it is numbered.
struct Strings {
    next: u32,
    by_text: HashMap<Box<[u8]>, u32>,
    by_cell: HashMap<usize, u32>,
    cached_bytes: usize,
    writing: bool,
    scratch: Vec<u8>,
}

impl Strings {
    fn new() -> Strings {
        Strings { next: 1, by_text: HashMap::new(), by_cell: HashMap::new(), cached_bytes: 0, writing: false, scratch: Vec::new() }
    }
    fn reset(&mut self, writing: bool) {
        self.next = 1;
        self.by_text.clear();
        self.by_cell.clear();
        self.cached_bytes = 0;
        self.writing = writing;
    }
    fn bytes(&self) -> usize {
        // Each cached text is its own allocation (about 32 bytes of overhead).
        self.cached_bytes + self.by_text.capacity() * 56 + self.by_cell.capacity() * 16 + self.scratch.capacity()
    }
    /// A new index for the escaped text in `self.scratch` (written when replaying).
    fn fresh_scratch(&mut self, out: &mut Out<'_>) -> u32 {
        let i = self.next;
        self.next += 1;
        if self.writing {
            out.always(b",\n\"");
            out.always(&self.scratch);
            out.always(b"\"");
        }
        i
    }
    /// The index of the escaped text in `self.scratch`.
    fn intern_scratch(&mut self, out: &mut Out<'_>) -> u32 {
        if let Some(&i) = self.by_text.get(self.scratch.as_slice()) {
            return i;
        }
        let i = self.fresh_scratch(out);
        let len = self.scratch.len();
        if len <= CACHED_NAME_BYTES && self.cached_bytes + len <= STRING_CACHE_BUDGET {
            self.cached_bytes += len;
            self.by_text.insert(self.scratch.clone().into_boxed_slice(), i);
        }
        i
    }
    fn text(&mut self, out: &mut Out<'_>, s: &str) -> u32 {
        self.scratch.clear();
        escape_str(&mut self.scratch, s);
        self.intern_scratch(out)
    }
    fn number(&mut self, out: &mut Out<'_>, n: u32) -> u32 {
        self.scratch.clear();
        self.scratch.extend_from_slice(n.to_string().as_bytes());
        self.intern_scratch(out)
    }
    /// The index of a heap string's contents (cut to 1024 characters).
    fn js_string(&mut self, out: &mut Out<'_>, s: Gc<JsString>) -> u32 {
        let key = s.value().as_cell() as usize;
        if let Some(&i) = self.by_cell.get(&key) {
            return i;
        }
        self.scratch.clear();
        match s.view() {
            Some(view) => escape_view(&mut self.scratch, view, MAX_NAME_CHARS),
            // An unflattened rope: walk its parts without allocating cells.
            None => escape_units(&mut self.scratch, s.to_units().into_iter().take(MAX_NAME_CHARS)),
        }
        if !s.is_atom() {
            // Contents of ordinary strings are mostly unique: no dedup, no cache.
            return self.fresh_scratch(out);
        }
        let i = self.intern_scratch(out);
        if self.by_cell.len() < CELL_CACHE_ENTRIES {
            self.by_cell.insert(key, i);
        }
        i
    }
}

/// Where a node's name comes from.
enum NodeName {
    Static(&'static str),
    Js(Gc<JsString>),
    Text(String),
}

/// The snapshot being written.
struct Writer<'v, 's> {
    vm: &'v Vm,
    index: LiveIndex,
    out: Out<'s>,
    strings: Strings,
    opts: SnapshotOptions,
    roots: Vec<RootEntry>,
    globals: Vec<Value>,
    /// Constructor found for objects whose own properties do not name one,
    /// by prototype (None: "Object").
    ctor_cache: HashMap<u64, Option<Gc<JsObject>>>,
    /// Numeric edges met so far in the current walk (exposeNumericValues).
    numeric_seen: u32,
    numeric_total: u32,
    numeric_id_base: u32,
}

/// Converts an edge kind to its DevTools index.
fn edge_type(kind: EdgeKind) -> u8 {
    match kind {
        EdgeKind::Context => 0,
        EdgeKind::Element => 1,
        EdgeKind::Property => 2,
        EdgeKind::Internal => 3,
        EdgeKind::Hidden => 4,
        EdgeKind::Shortcut => 5,
        EdgeKind::Weak => 6,
    }
}

/// Whether a number-valued edge of this kind becomes a numeric node.
fn numeric_edge(kind: EdgeKind) -> bool {
    matches!(kind, EdgeKind::Property | EdgeKind::Element | EdgeKind::Context)
}

impl Writer<'_, '_> {
    #[inline]
    fn is_node(&self, v: Value) -> bool {
        v.is_cell() && self.vm.heap.is_marked(v.as_cell())
    }

    /// Counts the edges a cell gets (the same filter [`Writer::write_edges`] applies).
    fn count_edges(&mut self, cell: *const CellHeader) -> (u32, u32) {
        struct Count<'a> {
            heap: &'a crate::vm::heap::Heap,
            numeric: bool,
            edges: u32,
            numbers: u32,
        }
        impl Visitor for Count<'_> {
            #[inline]
            fn edge(&mut self, kind: EdgeKind, _name: EdgeName<'_>, target: Value) {
                if target.is_cell() {
                    if self.heap.is_marked(target.as_cell()) {
                        self.edges += 1;
                    }
                } else if self.numeric && target.is_number() && numeric_edge(kind) {
                    self.edges += 1;
                    self.numbers += 1;
                }
            }
        }
        let mut c = Count { heap: &self.vm.heap, numeric: self.opts.expose_numeric_values, edges: 0, numbers: 0 };
        // SAFETY: marked cells are allocated and initialised.
        unsafe { ((*cell).vtable().trace)(cell, &mut c) };
        (c.edges, c.numbers)
    }

    fn ordinal(&self, cell: *const CellHeader) -> u64 {
        (SYNTHETIC_NODES + self.index.ordinal(cell)) as u64
    }

    // ----- names and types -----

    fn own_data(&self, obj: &JsObject, key: Gc<JsString>) -> Option<Value> {
        obj.get_own_named(PropertyKey::Atom(key)).filter(|p| !p.is_accessor()).map(|p| p.value)
    }

    /// A function's name as its definition gave it (own `name` for natives).
    fn function_name(&self, f: &JsObject) -> Option<Gc<JsString>> {
        if let Some(ObjectKind::Function(data)) = Some(&f.kind)
            && let crate::vm::object::function::FunctionKind::Bytecode { code, .. } = &data.kind
            && let Some(s) = Gc::<JsString>::try_from_value(code.name)
        {
            return Some(s);
        }
        self.own_data(f, self.vm.names.name).and_then(Gc::<JsString>::try_from_value)
    }

    /// Node's getConstructorName: the first object on the chain (starting
    /// with `obj`) whose own `constructor` is a named function `obj` is an
    /// instance of. Cached by prototype for objects without an own `constructor`.
    fn constructor_of(&mut self, obj: Gc<JsObject>) -> Option<Gc<JsObject>> {
        let names = &self.vm.names;
        let own_ctor = self.own_data(&obj, names.constructor).is_some();
        let proto = obj.proto();
        if !own_ctor && let Some(&c) = self.ctor_cache.get(&proto.bits()) {
            return c;
        }
        let mut cur = Some(obj);
        let mut found = None;
        let mut steps = 0;
        while let Some(o) = cur {
            if let Some(ctor) = self.own_data(&o, names.constructor).and_then(JsObject::from_value)
                && ctor.is_callable()
                && self.function_name(&ctor).is_some_and(|n| !n.is_empty())
                && self.own_data(&ctor, names.prototype).is_some_and(|p| super::prototype_chain_contains(&obj, p))
            {
                found = Some(ctor);
                break;
            }
            steps += 1;
            if steps > 10_000 {
                break;
            }
            cur = JsObject::from_value(o.proto());
        }
        if !own_ctor && self.ctor_cache.len() < CTOR_CACHE_ENTRIES {
            self.ctor_cache.insert(proto.bits(), found);
        }
        found
    }

    fn describe(&mut self, cell: *const CellHeader) -> (NodeType, NodeName) {
        // SAFETY: marked cells are allocated and initialised; the kind says
        // which Rust type the cell is.
        unsafe {
            match (*cell).kind() {
                CellKind::String => {
                    let s: Gc<JsString> = Gc::from_value(Value::from_cell(cell as *mut CellHeader));
                    if s.is_rope() { (NodeType::ConsString, NodeName::Static("(concatenated string)")) } else { (NodeType::String, NodeName::Js(s)) }
                }
                CellKind::Symbol => (NodeType::Symbol, NodeName::Static("symbol")),
                CellKind::BigInt => (NodeType::BigInt, NodeName::Static("bigint")),
                CellKind::Shape => (NodeType::ObjectShape, NodeName::Static("system / Map")),
                CellKind::Env => (NodeType::Object, NodeName::Static("system / Context")),
                CellKind::Code => {
                    let code = &*(cell as *const Code);
                    match Gc::<JsString>::try_from_value(code.name) {
                        Some(s) => (NodeType::Code, NodeName::Js(s)),
                        None => (NodeType::Code, NodeName::Static("")),
                    }
                }
                CellKind::Accessor => (NodeType::Hidden, NodeName::Static("system / AccessorPair")),
                CellKind::Realm => (NodeType::Hidden, NodeName::Static("system / NativeContext")),
                CellKind::Object => self.describe_object(Gc::from_value(Value::from_cell(cell as *mut CellHeader))),
                CellKind::Internal | CellKind::Free => (NodeType::Hidden, NodeName::Text(format!("system / {}", (*cell).vtable().name))),
            }
        }
    }

    fn describe_object(&mut self, obj: Gc<JsObject>) -> (NodeType, NodeName) {
        let name = match &obj.kind {
            ObjectKind::Function(f) => {
                if matches!(f.kind, crate::vm::object::function::FunctionKind::Bound { .. }) {
                    return (NodeType::Closure, NodeName::Static("native_bind"));
                }
                return match self.function_name(&obj) {
                    Some(n) => (NodeType::Closure, NodeName::Js(n)),
                    None => (NodeType::Closure, NodeName::Static("")),
                };
            }
            ObjectKind::RegExp(r) => return (NodeType::RegExp, NodeName::Js(r.source)),
            ObjectKind::List(_) | ObjectKind::ForInIterator { .. } => return (NodeType::Array, NodeName::Static("")),
            ObjectKind::OrderedTable(_) => return (NodeType::Array, NodeName::Static("system / OrderedHashTable")),
            ObjectKind::PromiseReaction { .. } => return (NodeType::Hidden, NodeName::Static("system / PromiseReaction")),
            ObjectKind::PromiseRecord(_) => return (NodeType::Hidden, NodeName::Static("system / PromiseRecord")),
            ObjectKind::JsonParseRecord { .. } => return (NodeType::Hidden, NodeName::Static("system / JsonParseRecord")),
            _ if self.globals.contains(&obj.value()) => return (NodeType::Object, NodeName::Static("global")),
            _ => self.constructor_of(obj),
        };
        match name.and_then(|c| self.function_name(&c)) {
            Some(n) => (NodeType::Object, NodeName::Js(n)),
            None => (NodeType::Object, NodeName::Static("Object")),
        }
    }

    fn name_index(&mut self, name: NodeName) -> u32 {
        match name {
            NodeName::Static(s) => self.strings.text(&mut self.out, s),
            NodeName::Js(s) => self.strings.js_string(&mut self.out, s),
            NodeName::Text(t) => self.strings.text(&mut self.out, &t),
        }
    }

    /// The script location of a closure, or of an object made by a script
    /// constructor: (script id, 0-based line, 0-based column).
    fn location(&mut self, cell: *const CellHeader) -> Option<(u32, u32, u32)> {
        // SAFETY: marked cells are allocated and initialised.
        if unsafe { (*cell).kind() } != CellKind::Object {
            return None;
        }
        let obj: Gc<JsObject> = Gc::from_value(Value::from_cell(cell as *mut CellHeader));
        let func = match &obj.kind {
            ObjectKind::Function(_) => obj,
            ObjectKind::Ordinary | ObjectKind::Array { .. } | ObjectKind::Error if !self.globals.contains(&obj.value()) => self.constructor_of(obj)?,
            _ => return None,
        };
        let data = func.function()?;
        let crate::vm::object::function::FunctionKind::Bytecode { code, .. } = &data.kind else { return None };
        if code.flags.is_script {
            return None;
        }
        let (line, col) = code.source.line_col(code.span.0);
        Some((code.source.id, line - 1, col - 1))
    }

    // ----- sections -----

    fn header(&mut self, node_count: u64, edge_count: u64) {
        self.out.bytes(br#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":["#);
        self.out.bytes(NODE_TYPES.as_bytes());
        self.out.bytes(br#","string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],"trace_node_fields":["id","function_info_index","count","size","children"],"sample_fields":["timestamp_us","last_assigned_id"],"location_fields":["object_index","script_id","line","column"]},"node_count":"#);
        self.out.num(node_count);
        self.out.bytes(b",\"edge_count\":");
        self.out.num(edge_count);
        self.out.bytes(b",\"trace_function_count\":0},\n\"nodes\":[");
    }

    fn node(&mut self, first: &mut bool, ty: NodeType, name: u32, id: u32, self_size: u64, edges: u32) {
        if !std::mem::take(first) {
            self.out.bytes(b",");
        }
        self.out.num(ty as u64);
        self.out.bytes(b",");
        self.out.num(name as u64);
        self.out.bytes(b",");
        self.out.num(id as u64);
        self.out.bytes(b",");
        self.out.num(self_size);
        self.out.bytes(b",");
        self.out.num(edges as u64);
        self.out.bytes(b",0,0\n");
    }

    fn edge(&mut self, first: &mut bool, ty: u8, name_or_index: u64, to_ordinal: u64) {
        if !std::mem::take(first) {
            self.out.bytes(b",");
        }
        self.out.num(ty as u64);
        self.out.bytes(b",");
        self.out.num(name_or_index);
        self.out.bytes(b",");
        self.out.num(to_ordinal * NODE_FIELDS);
        self.out.bytes(b"\n");
    }

    /// Roots of one category that are nodes.
    fn category_len(&self, c: Root) -> u32 {
        self.roots.iter().filter(|r| r.category == c).count() as u32
    }

    fn root_shortcuts(&self) -> &[Value] {
        if self.opts.expose_internals { &[] } else { &self.globals }
    }

    /// The nodes section (numbering node names as it goes).
    fn write_nodes(&mut self) {
        let mut first = true;
        let shortcut_count = self.root_shortcuts().len() as u32;
        let root_name = self.strings.text(&mut self.out, "");
        self.node(&mut first, NodeType::Synthetic, root_name, 1, 0, 1 + shortcut_count);
        let gc_roots = self.strings.text(&mut self.out, "(GC roots)");
        self.node(&mut first, NodeType::Synthetic, gc_roots, 3, 0, ROOT_CATEGORIES.len() as u32);
        for (i, c) in ROOT_CATEGORIES.iter().enumerate() {
            let name = self.strings.text(&mut self.out, c.name());
            let count = self.category_len(*c);
            self.node(&mut first, NodeType::Synthetic, name, 5 + 2 * i as u32, 0, count);
        }
        let heap: *const crate::vm::heap::Heap = &self.vm.heap;
        // SAFETY: the heap is not changed while the snapshot is written (the
        // writer allocates nothing in it; ids live in the pages' side tables).
        unsafe { &*heap }.for_each_marked_cell(|cell, cell_size| {
            if self.out.aborted {
                return;
            }
            let (ty, name) = self.describe(cell);
            let name = self.name_index(name);
            let id = self.vm.heap.cell_id(cell);
            // SAFETY: marked cells are allocated and initialised.
            let extra = unsafe { ((*cell).vtable().malloc_size)(cell) };
            let (edges, _) = self.count_edges(cell);
            self.node(&mut first, ty, name, id, (cell_size + extra) as u64, edges);
        });
        if self.opts.expose_numeric_values {
            self.numeric_seen = 0;
            let smi = self.strings.text(&mut self.out, "smi number");
            let heap_number = self.strings.text(&mut self.out, "heap number");
            self.for_each_numeric(|w, value| {
                let k = w.numeric_seen;
                w.numeric_seen += 1;
                let text = number_to_string(value.as_number());
                let value_name = w.strings.text(&mut w.out, &text);
                let (name, size) = if value.is_int() { (smi, 0) } else { (heap_number, 16) };
                w.node(&mut first, NodeType::Number, name, w.numeric_id_base + 4 * k, size, 1);
                w.node(&mut first, NodeType::String, value_name, w.numeric_id_base + 4 * k + 2, 0, 0);
            });
        }
    }

    /// Calls `f` with every numeric edge target, in walk order.
    fn for_each_numeric(&mut self, mut f: impl FnMut(&mut Self, Value)) {
        struct Numbers<'a> {
            found: &'a mut Vec<Value>,
        }
        impl Visitor for Numbers<'_> {
            fn edge(&mut self, kind: EdgeKind, _name: EdgeName<'_>, target: Value) {
                if !target.is_cell() && target.is_number() && numeric_edge(kind) {
                    self.found.push(target);
                }
            }
        }
        let heap: *const crate::vm::heap::Heap = &self.vm.heap;
        let mut found = Vec::new();
        // SAFETY: the heap is not changed while the snapshot is written.
        unsafe { &*heap }.for_each_marked_cell(|cell, _| {
            if self.out.aborted {
                return;
            }
            found.clear();
            // SAFETY: marked cells are allocated and initialised.
            unsafe { ((*cell).vtable().trace)(cell, &mut Numbers { found: &mut found }) };
            for &v in &found {
                f(self, v);
            }
        });
    }

    /// The edges section (numbering edge names as it goes).
    fn write_edges(&mut self) {
        let mut first = true;
        // Root: (GC roots), then the global objects as user roots.
        self.edge(&mut first, 1, 1, 1);
        for i in 0..self.root_shortcuts().len() {
            let target = self.root_shortcuts()[i];
            let name = self.strings.number(&mut self.out, i as u32 + 2);
            let to = self.ordinal(target.as_cell());
            self.edge(&mut first, 5, name as u64, to);
        }
        for i in 0..ROOT_CATEGORIES.len() {
            self.edge(&mut first, 1, i as u64 + 1, 2 + i as u64);
        }
        for c in ROOT_CATEGORIES {
            let mut auto = 0;
            for r in 0..self.roots.len() {
                if self.roots[r].category != c {
                    continue;
                }
                auto += 1;
                let name = match &self.roots[r].name {
                    RootName::Index(i) => self.strings.number(&mut self.out, *i),
                    RootName::Text(t) => {
                        let t = t.clone();
                        self.strings.text(&mut self.out, &t)
                    }
                    RootName::None => self.strings.number(&mut self.out, auto),
                };
                let to = self.ordinal(self.roots[r].value.as_cell());
                self.edge(&mut first, 3, name as u64, to);
            }
        }
        let heap: *const crate::vm::heap::Heap = &self.vm.heap;
        self.numeric_seen = 0;
        let numeric_base = SYNTHETIC_NODES as u64 + self.index.count as u64;
        // SAFETY: the heap is not changed while the snapshot is written.
        unsafe { &*heap }.for_each_marked_cell(|cell, _| {
            if self.out.aborted {
                return;
            }
            let mut v = EdgeWriter { w: self, first: &mut first, position: 0, numeric_base };
            // SAFETY: marked cells are allocated and initialised.
            unsafe { ((*cell).vtable().trace)(cell, &mut v) };
        });
        if self.opts.expose_numeric_values {
            let value = self.strings.text(&mut self.out, "value");
            for k in 0..self.numeric_total as u64 {
                self.edge(&mut first, 3, value as u64, numeric_base + 2 * k + 1);
            }
        }
    }

    fn write_locations(&mut self) {
        let mut first = true;
        let heap: *const crate::vm::heap::Heap = &self.vm.heap;
        // SAFETY: the heap is not changed while the snapshot is written.
        unsafe { &*heap }.for_each_marked_cell(|cell, _| {
            if self.out.aborted {
                return;
            }
            if let Some((script, line, col)) = self.location(cell) {
                if !std::mem::take(&mut first) {
                    self.out.bytes(b",");
                }
                let offset = self.ordinal(cell) * NODE_FIELDS;
                self.out.num(offset);
                self.out.bytes(b",");
                self.out.num(script as u64);
                self.out.bytes(b",");
                self.out.num(line as u64);
                self.out.bytes(b",");
                self.out.num(col as u64);
                self.out.bytes(b"\n");
            }
        });
    }
}

/// Writes one cell's edges.
struct EdgeWriter<'a, 'v, 's> {
    w: &'a mut Writer<'v, 's>,
    first: &'a mut bool,
    /// Edges written for this cell so far (auto names count from 1).
    position: u32,
    numeric_base: u64,
}

impl Visitor for EdgeWriter<'_, '_, '_> {
    fn edge(&mut self, kind: EdgeKind, name: EdgeName<'_>, target: Value) {
        let to = if target.is_cell() {
            if !self.w.is_node(target) {
                return;
            }
            self.w.ordinal(target.as_cell())
        } else if self.w.opts.expose_numeric_values && target.is_number() && numeric_edge(kind) {
            let k = self.w.numeric_seen as u64;
            self.w.numeric_seen += 1;
            self.numeric_base + 2 * k
        } else {
            return;
        };
        self.position += 1;
        let ty = edge_type(kind);
        let name_or_index = match (kind, name) {
            (EdgeKind::Element | EdgeKind::Hidden, EdgeName::Index(i)) => i as u64,
            (EdgeKind::Element | EdgeKind::Hidden, _) => self.position as u64,
            (_, EdgeName::Str(s)) => self.w.strings.text(&mut self.w.out, s) as u64,
            (_, EdgeName::Index(i)) => self.w.strings.number(&mut self.w.out, i) as u64,
            (_, EdgeName::Value(v)) => {
                if let Some(s) = Gc::<JsString>::try_from_value(v) {
                    self.w.strings.js_string(&mut self.w.out, s) as u64
                } else if let Some(sym) = Gc::<Symbol>::try_from_value(v) {
                    let desc = Gc::<JsString>::try_from_value(sym.description).map(|d| d.to_rust_string()).unwrap_or_default();
                    self.w.strings.text(&mut self.w.out, &format!("<symbol {desc}>")) as u64
                } else {
                    self.w.strings.number(&mut self.w.out, self.position) as u64
                }
            }
            (_, EdgeName::None) => self.w.strings.number(&mut self.w.out, self.position) as u64,
        };
        self.w.edge(self.first, ty, name_or_index, to);
    }
}

/// Gathers the roots once, with their category and name.
struct GatherRoots(Vec<RootEntry>);

impl RootVisitor for GatherRoots {
    fn root(&mut self, category: Root, name: EdgeName<'_>, value: Value) {
        if !value.is_cell() {
            return;
        }
        let name = match name {
            EdgeName::Index(i) => RootName::Index(i),
            EdgeName::Str(s) => RootName::Text(s.to_string()),
            EdgeName::Value(_) | EdgeName::None => RootName::None,
        };
        self.0.push(RootEntry { category, name, value });
    }
}

/// Writes a heap snapshot of `vm` through `sink` (which returns false to
/// stop). The heap is marked for the duration and left unchanged.
pub fn write_heap_snapshot(vm: &mut Vm, opts: SnapshotOptions, sink: &mut dyn FnMut(&[u8]) -> bool) -> Result<SnapshotReport, SnapshotError> {
    if vm.writing_heap_snapshot || vm.in_gc() {
        return Err(SnapshotError::Busy);
    }
    let started = Instant::now();
    vm.writing_heap_snapshot = true;
    let mut gather = GatherRoots(Vec::new());
    vm.visit_roots(&mut gather);
    let roots = gather.0;
    vm.heap.mark_for_snapshot(roots.iter().map(|r| r.value));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write_marked(vm, opts, roots, sink)));
    vm.heap.clear_marks();
    vm.writing_heap_snapshot = false;
    match result {
        Ok(Ok(mut report)) => {
            report.pause = started.elapsed();
            Ok(report)
        }
        Ok(Err(e)) => Err(e),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

fn write_marked(vm: &mut Vm, opts: SnapshotOptions, roots: Vec<RootEntry>, sink: &mut dyn FnMut(&[u8]) -> bool) -> Result<SnapshotReport, SnapshotError> {
    let index = vm.heap.live_index();
    let mut realms: Vec<Gc<Realm>> = vm.realms.values().copied().collect();
    realms.sort_by_key(|r| r.id);
    let globals: Vec<Value> = realms.iter().map(|r| r.global.value()).filter(|g| vm.heap.is_marked(g.as_cell())).collect();
    let chunk = opts.chunk_size.max(1);
    let out = Out { buf: Vec::with_capacity(chunk.min(1 << 24) + 256), chunk, sink, aborted: false, total: 0, enabled: true };
    let mut w = Writer {
        vm,
        index,
        out,
        strings: Strings::new(),
        opts,
        roots,
        globals,
        ctor_cache: HashMap::new(),
        numeric_seen: 0,
        numeric_total: 0,
        numeric_id_base: 0,
    };
    // Counting pass: node and edge totals for the header.
    let mut cell_edges = 0u64;
    let mut numbers = 0u64;
    let heap: *const crate::vm::heap::Heap = &w.vm.heap;
    // SAFETY: the heap is not changed while the snapshot is written.
    unsafe { &*heap }.for_each_marked_cell(|cell, _| {
        let (e, n) = w.count_edges(cell);
        cell_edges += e as u64;
        numbers += n as u64;
    });
    w.numeric_total = numbers as u32;
    if numbers > 0 {
        w.numeric_id_base = w.vm.heap.fresh_node_id();
        for _ in 1..2 * numbers {
            w.vm.heap.fresh_node_id();
        }
    }
    let node_count = SYNTHETIC_NODES as u64 + w.index.count as u64 + 2 * numbers;
    let shortcut_edges = w.root_shortcuts().len() as u64;
    let edge_count = 1 + shortcut_edges + ROOT_CATEGORIES.len() as u64 + w.roots.len() as u64 + cell_edges + numbers;
    w.header(node_count, edge_count);
    w.write_nodes();
    w.out.bytes(b"],\n\"edges\":[");
    w.write_edges();
    w.out.bytes(b"],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":[");
    w.write_locations();
    w.out.bytes(b"],\n\"strings\":[\"<dummy>\"");
    let writer_bytes_before_replay = w.index.bytes() + w.strings.bytes() + w.out.buf.capacity() + w.roots.capacity() * std::mem::size_of::<RootEntry>();
    // Replay the node and edge passes with output off, writing each string
    // as it is numbered again.
    w.strings.reset(true);
    w.out.enabled = false;
    w.write_nodes();
    w.write_edges();
    w.out.enabled = true;
    w.strings.writing = false;
    w.out.bytes(b"]}");
    w.out.finish();
    if w.out.aborted {
        return Err(SnapshotError::Aborted);
    }
    let writer_bytes = writer_bytes_before_replay.max(w.index.bytes() + w.strings.bytes() + w.out.buf.capacity());
    Ok(SnapshotReport { nodes: node_count, edges: edge_count, bytes: w.out.total, writer_bytes, pause: Duration::ZERO })
}

/// Why a snapshot file was not written.
#[derive(Debug)]
pub enum SnapshotFileError {
    Io(std::io::Error),
    Snapshot(SnapshotError),
}

impl std::fmt::Display for SnapshotFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotFileError::Io(e) => write!(f, "{e}"),
            SnapshotFileError::Snapshot(SnapshotError::Aborted) => write!(f, "the heap snapshot was aborted"),
            SnapshotFileError::Snapshot(SnapshotError::Busy) => write!(f, "a heap snapshot is already being written"),
        }
    }
}

/// Writes a snapshot into `file`; a failed write stops it and is the error.
fn write_heap_snapshot_into(vm: &mut Vm, opts: SnapshotOptions, file: &mut std::fs::File) -> Result<SnapshotReport, SnapshotFileError> {
    use std::io::Write;
    let mut failure = None;
    let mut sink = |bytes: &[u8]| match file.write_all(bytes) {
        Ok(()) => true,
        Err(e) => {
            failure = Some(e);
            false
        }
    };
    let result = write_heap_snapshot(vm, opts, &mut sink);
    if let Some(e) = failure {
        return Err(SnapshotFileError::Io(e));
    }
    result.map_err(SnapshotFileError::Snapshot)
}

/// Writes a heap snapshot to `path` (created or truncated), in 64 KiB writes
/// unless the options say otherwise. A failed write stops the snapshot.
pub fn write_heap_snapshot_file(vm: &mut Vm, opts: SnapshotOptions, path: &std::path::Path) -> Result<SnapshotReport, SnapshotFileError> {
    let mut file = std::fs::File::create(path).map_err(SnapshotFileError::Io)?;
    let report = write_heap_snapshot_into(vm, opts, &mut file)?;
    file.sync_data().or_else(|e| if e.raw_os_error() == Some(libc::EINVAL) { Ok(()) } else { Err(e) }).map_err(SnapshotFileError::Io)?;
    Ok(report)
}

/// Local date and time as (`yyyymmdd`, `hhmmss`).
fn local_stamp() -> (String, String) {
    // SAFETY: time(NULL) and localtime_r with a zeroed out-parameter are
    // plain libc calls without shared state.
    let tm = unsafe {
        let t = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&t, &mut tm);
        tm
    };
    (format!("{:04}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), format!("{:02}{:02}{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec))
}

/// Node's diagnostic file name, used by `v8.writeHeapSnapshot()` without a
/// name and by signal and near-heap-limit snapshots:
/// `Heap.${yyyymmdd}.${hhmmss}.${pid}.${thread_id}.${seq:03}.heapsnapshot`.
/// (Node's documentation gives `Heap-${yyyymmdd}-${hhmmss}-${pid}-${thread_id}`
/// for writeHeapSnapshot; node 20 really writes this dotted form.)
pub fn diagnostic_snapshot_name(thread_id: u32, seq: u32) -> String {
    let (date, time) = local_stamp();
    format!("Heap.{date}.{time}.{}.{thread_id}.{seq:03}.heapsnapshot", std::process::id())
}

/// The next sequence number of diagnostic files (process-wide, from 1, as Node counts).
pub fn next_diagnostic_seq() -> u32 {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Hears of each near-heap-limit snapshot file: its name and the outcome.
pub type SnapshotWrittenFn = Box<dyn FnMut(&str, &Result<SnapshotReport, SnapshotFileError>)>;

/// Node's `--heapsnapshot-near-heap-limit=count` and
/// `v8.setHeapSnapshotNearHeapLimit(count)`: when the heap reaches its limit
/// (after a full collection), write a snapshot to a diagnostic file in the
/// current directory, at most `count` times. The limit is not raised (the
/// writer needs no JS heap), so out-of-memory follows the snapshot. Returns
/// false, changing nothing, if this was already turned on.
pub fn enable_near_heap_limit_snapshots(vm: &mut Vm, count: u32, on_written: Option<SnapshotWrittenFn>) -> bool {
    if vm.heap_hooks.near_limit_snapshots || count == 0 {
        return false;
    }
    vm.heap_hooks.near_limit_snapshots = true;
    let mut taken = 0u32;
    let mut on_written = on_written;
    vm.add_near_heap_limit_callback(
        (0, 0),
        Box::new(move |vm, current, _initial| {
            if taken < count {
                taken += 1;
                let name = diagnostic_snapshot_name(0, next_diagnostic_seq());
                let r = write_heap_snapshot_file(vm, SnapshotOptions::default(), std::path::Path::new(&name));
                if let Some(f) = on_written.as_mut() {
                    f(&name, &r);
                }
            }
            current
        }),
    );
    true
}

/// Writes a snapshot into an unlinked temporary file and returns it
/// positioned at the start (`v8.getHeapSnapshot()` reads it back in chunks,
/// so the snapshot is never held whole in memory).
pub fn heap_snapshot_to_temp_file(vm: &mut Vm, opts: SnapshotOptions) -> Result<std::fs::File, SnapshotFileError> {
    use std::io::Seek;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::env::temp_dir();
    let (mut file, path) = loop {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!("sable-heap-{}-{n}.heapsnapshot", std::process::id()));
        match std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
            Ok(f) => break (f, path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(SnapshotFileError::Io(e)),
        }
    };
    // Unlinked at once: the space is released when the stream is done or collected.
    let _ = std::fs::remove_file(&path);
    write_heap_snapshot_into(vm, opts, &mut file)?;
    file.rewind().map_err(SnapshotFileError::Io)?;
    Ok(file)
}

/// A snapshot being written by a forked child process.
#[derive(Clone, Copy, Debug)]
pub struct ForkedSnapshot {
    /// The child's process id; the file is complete when it exits with 0.
    pub pid: i32,
    /// How long the isolate was stopped: assigning ids, opening the file, fork.
    pub pause: Duration,
}

/// Linux: writes the snapshot file from a forked child process, which sees a
/// copy-on-write image of the heap, so the isolate pauses only for the fork
/// (and for giving every allocated cell its id first, so that ids stay
/// stable for later snapshots). The caller reaps the child (`waitpid`, or
/// [`wait_forked_snapshot`]); its exit status is 0 when the file is complete.
#[cfg(target_os = "linux")]
pub fn fork_heap_snapshot_file(vm: &mut Vm, opts: SnapshotOptions, path: &std::path::Path) -> Result<ForkedSnapshot, SnapshotFileError> {
    if vm.writing_heap_snapshot || vm.in_gc() {
        return Err(SnapshotFileError::Snapshot(SnapshotError::Busy));
    }
    let started = Instant::now();
    // The child's id assignments would be lost with it: assign them here.
    let heap = &vm.heap;
    heap.for_each_cell(|cell, _, _| {
        heap.cell_id(cell);
    });
    let mut file = std::fs::File::create(path).map_err(SnapshotFileError::Io)?;
    // SAFETY: fork(2). The child only runs the writer on its private copy of
    // this thread's memory and leaves with _exit (no destructors, no atexit
    // handlers, no unwinding into the parent's frames); glibc's malloc is
    // fork-safe, and the writer takes no other locks.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(SnapshotFileError::Io(std::io::Error::last_os_error()));
    }
    if pid == 0 {
        let status =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| if write_heap_snapshot_into(vm, opts, &mut file).is_ok() { 0 } else { 1 })).unwrap_or(2);
        // SAFETY: ends the child at once, as fork's contract asks.
        unsafe { libc::_exit(status) };
    }
    drop(file);
    Ok(ForkedSnapshot { pid, pause: started.elapsed() })
}

/// Waits for a forked snapshot's child; Ok when it wrote the whole file.
#[cfg(target_os = "linux")]
pub fn wait_forked_snapshot(pid: i32) -> Result<(), String> {
    let mut status = 0;
    loop {
        // SAFETY: waitpid on our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            break;
        }
        if r < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("waitpid: {}", std::io::Error::last_os_error()));
        }
    }
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 { Ok(()) } else { Err(format!("the snapshot child ended with status {status:#x}")) }
}
