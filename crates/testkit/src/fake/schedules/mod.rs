//! Schedules on the fake's virtual clock: spec evaluation (`spec`), the engine that
//! fires, buffers and starts (`engine`), the schedule RPCs (`rpc`, `describe`), and
//! the queries of list and count (`visibility`).
//!
//! A schedule lives in the fake's state next to the workflows it starts; a virtual-time
//! timer wakes it at its next action time, and a closing run wakes the schedules that
//! started it (for the buffer and pause on failure).

mod describe;
mod engine;
mod rpc;
mod spec;
mod visibility;

use std::collections::BTreeMap;

pub(crate) use engine::Schedule;
pub(crate) use spec::zone_named;

/// Every schedule, by namespace and id, and the ones a closed run woke.
#[derive(Debug, Default)]
pub(crate) struct Schedules {
    by_namespace: BTreeMap<String, BTreeMap<String, Schedule>>,
    woken: Vec<(String, String)>,
    /// The fake's seed, for repeatable jitter.
    pub(crate) seed: u64,
}

impl Schedules {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    pub(crate) fn get(&self, ns: &str, id: &str) -> Option<&Schedule> {
        self.by_namespace.get(ns)?.get(id)
    }

    pub(crate) fn get_mut(&mut self, ns: &str, id: &str) -> Option<&mut Schedule> {
        self.by_namespace.get_mut(ns)?.get_mut(id)
    }

    pub(crate) fn insert(&mut self, ns: &str, id: &str, s: Schedule) {
        self.by_namespace
            .entry(ns.to_owned())
            .or_default()
            .insert(id.to_owned(), s);
    }

    pub(crate) fn remove(&mut self, ns: &str, id: &str) -> Option<Schedule> {
        self.by_namespace.get_mut(ns)?.remove(id)
    }

    /// The schedules of a namespace in id order.
    pub(crate) fn in_namespace(&self, ns: &str) -> impl Iterator<Item = (&String, &Schedule)> {
        self.by_namespace.get(ns).into_iter().flatten()
    }

    pub(crate) fn wake(&mut self, ns: &str, id: &str) {
        let key = (ns.to_owned(), id.to_owned());
        if !self.woken.contains(&key) {
            self.woken.push(key);
        }
    }

    pub(crate) fn take_woken(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.woken)
    }
}
