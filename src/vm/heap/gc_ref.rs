//! `Gc<T>`: a copyable pointer to a cell. Cells never move, so it is a raw address.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::ptr::NonNull;

use super::{Cell, CellHeader};
use crate::vm::value::Value;

/// A pointer to a live heap cell of type `T`.
///
/// Liveness: a `Gc` held in a Rust local is kept alive by conservative stack
/// scanning; one stored in Rust heap memory must be reachable from a root some
/// other way (a traced cell field, a handle, a global).
#[repr(transparent)]
pub struct Gc<T>(NonNull<T>);

impl<T> Clone for Gc<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Gc<T> {}
impl<T> PartialEq for Gc<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<T> Eq for Gc<T> {}
impl<T> Hash for Gc<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}
impl<T: Cell> fmt::Debug for Gc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gc<{}>({:p})", T::NAME, self.0)
    }
}

impl<T> Gc<T> {
    /// # Safety
    /// `p` must point to a live, initialised cell of type `T`.
    #[inline]
    pub unsafe fn from_raw(p: NonNull<T>) -> Gc<T> {
        Gc(p)
    }
    #[inline]
    pub fn as_ptr(self) -> *mut T {
        self.0.as_ptr()
    }
    #[inline]
    pub fn header(self) -> *mut CellHeader {
        self.0.as_ptr() as *mut CellHeader
    }
    #[inline]
    pub fn value(self) -> Value {
        Value::from_cell(self.header())
    }
    #[inline]
    pub fn ptr_eq(self, other: Gc<T>) -> bool {
        self.0 == other.0
    }
    /// Mutable access to the cell.
    ///
    /// # Safety
    /// The cell must be live, and while the returned borrow is used no other
    /// reference into the same cell may be used: no second `m()` of it, no
    /// `&T` obtained through `Deref` and held across the borrow, and nothing
    /// called that could reach the cell (JS code, allocation that runs
    /// finalizers, another helper taking `m()`). Keep the borrow to one
    /// statement where possible.
    #[allow(clippy::mut_from_ref)]
    #[inline]
    pub unsafe fn m(&self) -> &mut T {
        // SAFETY: the caller upholds the exclusivity contract above.
        unsafe { &mut *self.0.as_ptr() }
    }
}

impl<T: Cell> Gc<T> {
    /// The cell of a Value the caller knows to be a `T`. The kind is checked
    /// in every build: a wrong one panics (a bug, reported at the API
    /// boundary as an internal error) instead of reinterpreting memory.
    #[inline]
    pub fn from_value(v: Value) -> Gc<T> {
        match Self::try_from_value(v) {
            Some(g) => g,
            None => wrong_kind(T::NAME, v),
        }
    }
    /// # Safety
    /// `v` must be a cell value whose cell is a live `T`.
    #[inline]
    pub unsafe fn from_value_unchecked(v: Value) -> Gc<T> {
        debug_assert!(Self::try_from_value(v).is_some());
        // SAFETY: the caller guarantees v is a live T cell (so non-null).
        unsafe { Gc(NonNull::new_unchecked(v.as_cell() as *mut T)) }
    }
    /// The cell as `T` if its vtable says so.
    #[inline]
    pub fn try_from_value(v: Value) -> Option<Gc<T>> {
        if v.is_cell() {
            // SAFETY: v points at a live cell header.
            let vt = unsafe { (*v.as_cell()).vtable() };
            if std::ptr::eq(vt.trace as *const (), T::VTABLE.trace as *const ()) || vt.name == T::NAME {
                // SAFETY: v is a non-null cell pointer whose vtable is T's.
                return Some(unsafe { Gc(NonNull::new_unchecked(v.as_cell() as *mut T)) });
            }
        }
        None
    }
}

impl<T> Deref for Gc<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the cell is live while this Gc is reachable (see type docs).
        unsafe { self.0.as_ref() }
    }
}

#[cold]
#[inline(never)]
fn wrong_kind(expected: &str, v: Value) -> ! {
    panic!("Gc::<{expected}>::from_value on a value of another kind ({:#x})", v.bits())
}
