//! What a heap-snapshot writer needs from the heap: marking without
//! collecting, each live cell's node ordinal computed from the mark bits (a
//! per-page base plus the cell's rank among the page's marked cells, so no
//! hash map from cell to node), and ids that stay with a cell for the life of
//! the isolate (a per-page table, zeroed when the sweep frees a slot, so a
//! reused slot gets a new id).

use super::{BITMAP_WORDS, CellHeader, Heap, PageHeader, Value};

/// The first id handed to a heap cell; the ids below belong to the synthetic
/// nodes (root 1, `(GC roots)` 3, the root categories from 5).
pub const FIRST_OBJECT_ID: u32 = 101;

/// Node ordinals of the marked cells, in page-list order.
pub struct LiveIndex {
    /// Per page (by `snapshot_slot`): the ordinal of its first marked cell.
    page_base: Vec<u32>,
    /// Per page and bitmap word: marked cells in the page's earlier words.
    word_prefix: Vec<u32>,
    /// Number of marked cells.
    pub count: u32,
}

impl LiveIndex {
    /// The rank of a marked cell among all marked cells (0-based).
    #[inline]
    pub fn ordinal(&self, cell: *const CellHeader) -> u32 {
        let page = Heap::page_of(cell as usize);
        // SAFETY: callers pass marked cells of the heap this index was built
        // from, so `page` is one of its live page headers.
        unsafe {
            let index = (cell as usize - (*page).cell_addr(0)) / (*page).cell_size;
            let slot = (*page).snapshot_slot as usize;
            let (word, bit) = (index / 64, index % 64);
            let below = (*page).mark[word] & ((1u64 << bit) - 1);
            self.page_base[slot] + self.word_prefix[slot * BITMAP_WORDS + word] + below.count_ones()
        }
    }

    /// Bytes this index occupies (for the writer's own memory report).
    pub fn bytes(&self) -> usize {
        (self.page_base.capacity() + self.word_prefix.capacity()) * 4
    }
}

/// Releases a page's id table.
///
/// # Safety
/// `page` must be a live page header that is about to be released.
pub(super) unsafe fn free_ids(page: *mut PageHeader) {
    // SAFETY: per the contract, the header is live; the table (if any) was
    // allocated by `ids_of` with this page's cell_count.
    unsafe {
        if !(*page).ids.is_null() {
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut((*page).ids, (*page).cell_count)));
            (*page).ids = std::ptr::null_mut();
        }
    }
}

impl Heap {
    /// Marks `roots` and everything strongly reachable from them (ephemeron
    /// values once their key is marked) without clearing weak references or
    /// sweeping: nothing is freed, so this is safe at any allocation point.
    /// Undo with [`Heap::clear_marks`].
    pub fn mark_for_snapshot(&mut self, roots: impl Iterator<Item = Value>) {
        for v in roots {
            self.mark_value(v);
        }
        self.finish_marking(None);
        self.weak_holders.clear();
    }

    /// Clears every mark bit (after a snapshot's marking).
    pub fn clear_marks(&mut self) {
        for &page_ptr in &self.all_pages {
            // SAFETY: all_pages holds our live page headers.
            unsafe { (*page_ptr).mark = [0; BITMAP_WORDS] };
        }
    }

    /// Builds the ordinal index of the marked cells.
    pub fn live_index(&mut self) -> LiveIndex {
        let mut page_base = Vec::with_capacity(self.all_pages.len());
        let mut word_prefix = Vec::with_capacity(self.all_pages.len() * BITMAP_WORDS);
        let mut count = 0u32;
        for (slot, &page_ptr) in self.all_pages.iter().enumerate() {
            // SAFETY: all_pages holds our live page headers.
            let page = unsafe { &mut *page_ptr };
            page.snapshot_slot = slot as u32;
            page_base.push(count);
            let mut in_page = 0u32;
            for word in page.mark {
                word_prefix.push(in_page);
                in_page += word.count_ones();
            }
            count += in_page;
        }
        LiveIndex { page_base, word_prefix, count }
    }

    /// Visits the marked cells in ordinal order, with their cell size.
    pub fn for_each_marked_cell(&self, mut f: impl FnMut(*const CellHeader, usize)) {
        for &page_ptr in &self.all_pages {
            // SAFETY: all_pages holds our live page headers.
            let page = unsafe { &*page_ptr };
            for (w, &word) in page.mark.iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let index = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    f(page.cell_addr(index) as *const CellHeader, page.cell_size);
                }
            }
        }
    }

    /// The snapshot id of an allocated cell: assigned the first time a
    /// snapshot sees it and kept until the cell is freed (odd, like V8's).
    pub fn cell_id(&self, cell: *const CellHeader) -> u32 {
        let page = Heap::page_of(cell as usize);
        // SAFETY: `cell` is an allocated cell of this heap, so `page` is one of
        // our live page headers; the id table has cell_count entries.
        unsafe {
            if (*page).ids.is_null() {
                let table = vec![0u32; (*page).cell_count].into_boxed_slice();
                (*page).ids = Box::into_raw(table) as *mut u32;
            }
            let index = (cell as usize - (*page).cell_addr(0)) / (*page).cell_size;
            let slot = (*page).ids.add(index);
            if *slot == 0 {
                *slot = self.fresh_node_id();
            }
            *slot
        }
    }

    /// A fresh id for a node that is not a cell (numeric values).
    pub fn fresh_node_id(&self) -> u32 {
        let id = self.next_object_id.get();
        self.next_object_id.set(id.wrapping_add(2).max(FIRST_OBJECT_ID));
        id
    }

    /// Bytes of the id tables (they live as long as their pages).
    pub fn id_table_bytes(&self) -> usize {
        self.all_pages
            .iter()
            // SAFETY: all_pages holds our live page headers.
            .map(|&p| unsafe { if (*p).ids.is_null() { 0 } else { (*p).cell_count * 4 } })
            .sum()
    }
}
