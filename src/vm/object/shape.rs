//! Shapes (hidden classes): prototype + ordered property keys with attributes
//! and slot indices, linked by a transition tree. Objects with many or deleted
//! properties leave the tree for dictionary mode (see `object.rs`).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use super::PropertyKey;
use crate::impl_cell;
use crate::vm::heap::{CellHeader, CellKind, EdgeKind, EdgeName, Gc, Heap, Space, Trace, Visitor, header_for};
use crate::vm::value::Value;

/// The hasher of shape tables. Their keys are atom and symbol addresses
/// and small integers, which the process does not let scripts pick, so a
/// multiply-and-mix beats SipHash's flood resistance here: property lookup
/// is one of the engine's hottest paths.
type KeyHash = std::hash::BuildHasherDefault<KeyHasher>;

#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    #[inline]
    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }

    /// Addresses have zero low bits: mix the high ones down (murmur3's
    /// finalizer) so every bit of the key reaches the bucket index.
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 33;
        h
    }
}

/// Property attribute bits.
pub mod attrs {
    pub(crate) const WRITABLE: u8 = 1;
    pub(crate) const ENUMERABLE: u8 = 2;
    pub(crate) const CONFIGURABLE: u8 = 4;
    /// The slot holds an `AccessorPair` instead of a value.
    pub(crate) const ACCESSOR: u8 = 8;
    /// Writable, enumerable, configurable: what assignment creates.
    pub(crate) const DEFAULT: u8 = WRITABLE | ENUMERABLE | CONFIGURABLE;
    /// Writable, configurable, not enumerable: builtin methods.
    pub(crate) const HIDDEN: u8 = WRITABLE | CONFIGURABLE;
}

/// Lookups walk the parent chain below this many properties, else use a table.
const LINEAR_LOOKUP_MAX: u32 = 8;
/// Objects with more named properties than this go to dictionary mode.
pub(crate) const MAX_FAST_PROPERTIES: u32 = 128;

#[repr(C)]
pub struct Shape {
    header: CellHeader,
    pub proto: Value,
    pub parent: Option<Gc<Shape>>,
    /// The property this shape added to its parent (None for a root shape).
    pub key: Option<PropertyKey>,
    pub attrs: u8,
    /// Number of properties (and slots) of objects with this shape.
    pub count: u32,
    transitions: RefCell<HashMap<(PropertyKey, u8), Gc<Shape>, KeyHash>>,
    table: OnceCell<HashMap<PropertyKey, (u32, u8), KeyHash>>,
}
impl_cell!(Shape, CellKind::Shape, "Shape");

impl Trace for Shape {
    fn malloc_size(&self) -> usize {
        // A hash map entry costs its (key, value) plus one control byte.
        let transitions = self.transitions.borrow().capacity() * (std::mem::size_of::<((PropertyKey, u8), Gc<Shape>)>() + 1);
        let table = self.table.get().map_or(0, |t| t.capacity() * (std::mem::size_of::<(PropertyKey, (u32, u8))>() + 1));
        transitions + table
    }
    fn trace(&self, v: &mut dyn Visitor) {
        v.edge(EdgeKind::Internal, EdgeName::Str("prototype"), self.proto);
        if let Some(p) = self.parent {
            v.edge(EdgeKind::Internal, EdgeName::Str("back_pointer"), p.value());
        }
        if let Some(k) = self.key {
            v.edge(EdgeKind::Internal, EdgeName::Str("key"), k.to_value_or_undefined());
        }
        for (i, s) in self.transitions.borrow().values().enumerate() {
            v.edge(EdgeKind::Internal, EdgeName::Index(i as u32), s.value());
        }
    }
}

impl Shape {
    /// A root shape (no properties) for objects with prototype `proto`.
    pub fn new_root(heap: &mut Heap, proto: Value) -> Gc<Shape> {
        heap.alloc(
            Space::Map,
            Shape {
                header: header_for::<Shape>(),
                proto,
                parent: None,
                key: None,
                attrs: 0,
                count: 0,
                transitions: RefCell::new(HashMap::default()),
                table: OnceCell::new(),
            },
        )
    }
}

impl Gc<Shape> {
    /// The shape after adding `key` with `attrs` (shared through the transition tree).
    pub fn add(self, heap: &mut Heap, key: PropertyKey, attrs: u8) -> Gc<Shape> {
        if let Some(&s) = self.transitions.borrow().get(&(key, attrs)) {
            return s;
        }
        let child = heap.alloc(
            Space::Map,
            Shape {
                header: header_for::<Shape>(),
                proto: self.proto,
                parent: Some(self),
                key: Some(key),
                attrs,
                count: self.count + 1,
                transitions: RefCell::new(HashMap::default()),
                table: OnceCell::new(),
            },
        );
        self.transitions.borrow_mut().insert((key, attrs), child);
        child
    }
}

impl Shape {
    /// Slot index and attributes of `key`, if present.
    pub fn lookup(&self, key: PropertyKey) -> Option<(u32, u8)> {
        if self.count <= LINEAR_LOOKUP_MAX {
            let mut s: &Shape = self;
            loop {
                match s.key {
                    Some(k) if k == key => return Some((s.count - 1, s.attrs)),
                    Some(_) => s = s.parent.as_deref().unwrap(),
                    None => return None,
                }
            }
        }
        self.table
            .get_or_init(|| {
                let mut t = HashMap::with_capacity_and_hasher(self.count as usize, KeyHash::default());
                for (k, slot, a) in self.entries() {
                    t.insert(k, (slot, a));
                }
                t
            })
            .get(&key)
            .copied()
    }

    /// (key, slot, attrs) in insertion order.
    pub fn entries(&self) -> Vec<(PropertyKey, u32, u8)> {
        let mut out = Vec::with_capacity(self.count as usize);
        let mut s: &Shape = self;
        while let Some(k) = s.key {
            out.push((k, s.count - 1, s.attrs));
            s = s.parent.as_deref().unwrap();
        }
        out.reverse();
        out
    }
}
