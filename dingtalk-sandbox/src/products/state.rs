//! Product state (groups, events, todos, approvals, DINGs, reports, AI tables) behind its own lock, seeded
//! deterministically from the demo org. Never held across an `.await`.

use std::sync::{Mutex, MutexGuard};

use crate::org::Org;

/// The product stores; one field on `Shared`.
pub(crate) struct Products {
    inner: Mutex<ProductState>,
}

/// Every product's mutable store.
pub(crate) struct ProductState {
    pub(crate) im: super::im::Groups,
    pub(crate) calendar: super::calendar::Events,
    pub(crate) todo: super::todo::Todos,
    pub(crate) workflow: super::workflow::Approvals,
    pub(crate) ding: super::ding::Dings,
    pub(crate) report: super::report::Reports,
    pub(crate) notable: super::notable::Bases,
    pub(crate) media: super::media::Uploads,
    counter: u64,
}

impl ProductState {
    /// The deterministic product seeds of the demo org.
    fn seeded() -> Self {
        let org = Org::demo();
        Self {
            im: super::im::Groups::seed(&org),
            calendar: super::calendar::Events::seed(&org),
            todo: super::todo::Todos::seed(&org),
            workflow: super::workflow::Approvals::seed(&org),
            ding: super::ding::Dings::seed(),
            report: super::report::Reports::seed(&org),
            notable: super::notable::Bases::seed(&org),
            media: super::media::Uploads::default(),
            counter: 1000,
        }
    }

    /// A fresh, deterministic id: `prefix` + a zero-padded counter.
    pub(crate) fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{:06}", self.counter)
    }

    /// A fresh number (approval task ids and the like).
    pub(crate) fn next_number(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }
}

impl Products {
    /// The seeded stores of the demo org.
    pub(crate) fn demo() -> Self {
        Self {
            inner: Mutex::new(ProductState::seeded()),
        }
    }

    /// Back to the seeded stores: everything created, changed or deleted since start is undone.
    pub(crate) fn reset(&self) {
        *self.lock() = ProductState::seeded();
    }

    /// Locks the stores; a poisoned lock is recovered (no handler panics while holding it).
    pub(crate) fn lock(&self) -> MutexGuard<'_, ProductState> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
