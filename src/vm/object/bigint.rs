//! The BigInt primitive: an immutable heap cell holding the digits.

use num_bigint::BigInt;

use crate::impl_cell;
use crate::vm::heap::{CellHeader, CellKind, Gc, Heap, Space, Trace, Visitor, header_for};

/// A BigInt value. Immutable once made; equal values may be distinct cells
/// (equality compares the digits).
#[repr(C)]
pub struct JsBigInt {
    header: CellHeader,
    pub value: BigInt,
}
impl_cell!(JsBigInt, CellKind::BigInt, "BigInt");

impl Trace for JsBigInt {
    fn trace(&self, _v: &mut dyn Visitor) {}
    fn malloc_size(&self) -> usize {
        // The magnitude's digit vector (u64 words).
        self.value.magnitude().iter_u64_digits().len() * 8
    }
}

impl JsBigInt {
    pub fn new(heap: &mut Heap, value: BigInt) -> Gc<JsBigInt> {
        heap.alloc(Space::Old, JsBigInt { header: header_for::<JsBigInt>(), value })
    }
}
