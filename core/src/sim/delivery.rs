//! Deliveries: notifications and stable tables handed to the driver's callbacks the way NETIO
//! hands them (keys only, on the calling thread, counted in flight), and the `Get*Entry`
//! re-queries answered from the simulated network.

use core::ffi::c_void;
use core::ptr;
use std::alloc::{self, Layout};
use std::format;
use std::vec::Vec;

use crate::boundary::ffi::{AF_UNSPEC, MibUnicastIpAddressRow, MibUnicastIpAddressTable};
use crate::model::notification::Notification;
use crate::model::status::NtStatus;

use super::kernel::{IN_CALLBACK, IrqlRule, Sim};
use super::network::{Object, apply, of_family};
use super::scenario::{Call, Delivery, Event};
use super::state::{Callback, SendPtr};

impl Sim {
    /// Delivers `event` to every live registration of its kind, on this thread; returns how
    /// many callbacks ran (0 once the registration is cancelled).
    pub fn deliver(&self, event: Event) -> usize {
        self.deliver_times(event, 1)
    }

    /// Delivers `event` `times` times in a row to every live registration of its kind, each
    /// registration in flight for the whole burst (a cancel waits for it): how a storm of a
    /// million notifications is played without a lock per event. Returns how many
    /// registrations received them.
    pub fn deliver_times(&self, event: Event, times: u64) -> usize {
        let notification = event.notification();
        let raw_type = event.notification_type();
        self.deliver_to(
            notification,
            event.family(),
            |callback, context, _| {
                // Each callback gets a pointer to a row copy that outlives the call (or NULL), and
                // the context it registered, as NETIO does.
                match (callback, event) {
                    (Callback::Interface(function), Event::Interface(mut row, raw)) => {
                        // SAFETY: see above.
                        unsafe { function(context, optional_pointer(&mut row), raw) };
                    }
                    (Callback::Address(function), Event::Address(mut row, raw)) => {
                        // SAFETY: see above.
                        unsafe { function(context, optional_pointer(&mut row), raw) };
                    }
                    (Callback::Route(function), Event::Route(mut row, raw)) => {
                        // SAFETY: see above.
                        unsafe { function(context, optional_pointer(&mut row), raw) };
                    }
                    _ => panic!("callback kind does not match the event"),
                }
            },
            Some(raw_type),
            times,
        )
    }

    /// A change of the network, as NETIO reports it: `event`'s row is the object's full state,
    /// which the simulated network takes (add, parameter) or drops (delete) before the
    /// callbacks receive the row as `delivery` says. Returns how many callbacks ran.
    pub fn notify(&self, event: Event, delivery: Delivery) -> usize {
        let delivered_event = {
            let mut state = self.state();
            let network = &mut state.network;
            match event {
                Event::Interface(Some(row), raw) => {
                    apply(network, &row, raw);
                    Event::Interface(delivered(&row, delivery), raw)
                }
                Event::Address(Some(row), raw) => {
                    apply(network, &row, raw);
                    Event::Address(delivered(&row, delivery), raw)
                }
                Event::Route(Some(row), raw) => {
                    apply(network, &row, raw);
                    Event::Route(delivered(&row, delivery), raw)
                }
                no_row => no_row,
            }
        };
        self.deliver(delivered_event)
    }

    /// `Get*Entry`: the current state of the object `row`'s keys name.
    pub(super) fn query<R: Object>(&self, row: &mut R, function: &str) -> NtStatus {
        let mut state = self.state();
        state.calls.push(Call::Query(R::NOTIFICATION));
        self.check_irql(&mut state, function, IrqlRule::Passive);
        if let Some(status) = state.query_failures.remove(&R::NOTIFICATION) {
            return status;
        }
        if !row.has_interface() {
            return NtStatus::INVALID_PARAMETER;
        }
        let found = R::table(&mut state.network).get(row);
        found.map_or(NtStatus::NOT_FOUND, |current| {
            *row = current;
            NtStatus::SUCCESS
        })
    }

    /// Completes the pending stable-table request: every live stable registration's callback
    /// receives a new table of `rows` (`None`: a NULL table). Returns how many callbacks ran.
    pub fn complete_stable(&self, rows: Option<&[MibUnicastIpAddressRow]>) -> usize {
        let this = self.clone();
        self.deliver_to(
            Notification::StableTable,
            None,
            move |callback, context, family| {
                let table = rows.map_or(ptr::null_mut(), |rows| {
                    this.allocate_table(&of_family(rows, family))
                });
                let Callback::Stable(function) = callback else {
                    panic!("callback kind does not match the stable table");
                };
                // SAFETY: the table is a fresh allocation the driver now owns, the context is
                // the one it registered.
                unsafe { function(context, table) };
            },
            None,
            1,
        )
    }

    /// Runs `invoke` (callback, context, the registration's family) for every live
    /// registration of `notification` that asked for `family` (`None`: a row without one, a
    /// NULL row or a stable table, goes to every registration).
    fn deliver_to(
        &self,
        notification: Notification,
        family: Option<u16>,
        invoke: impl Fn(Callback, *mut c_void, u16),
        raw_type: Option<i32>,
        times: u64,
    ) -> usize {
        let targets: Vec<(u64, Callback, SendPtr, u16)> = {
            let mut state = self.state();
            let mut targets = Vec::new();
            let mut orphaned = Vec::new();
            for (id, registration) in &mut state.registrations {
                if registration.notification != notification || registration.cancelling {
                    continue;
                }
                // NETIO reports to a registration only the family it asked for.
                if family.is_some_and(|family| {
                    registration.family != AF_UNSPEC && registration.family != family
                }) {
                    continue;
                }
                if registration.orphaned {
                    orphaned.push(*id);
                    continue;
                }
                registration.in_flight += 1;
                targets.push((
                    *id,
                    registration.callback,
                    registration.context,
                    registration.family,
                ));
            }
            for id in orphaned {
                state.violations.push(format!(
                    "a {} notification (registration {id}) would run after its device was \
                     deleted: use after free",
                    notification.name()
                ));
            }
            targets
        };
        for (id, callback, context, registered_family) in &targets {
            let outer = IN_CALLBACK.with(|current| current.replace(Some(*id)));
            for _ in 0..times {
                invoke(*callback, context.0, *registered_family);
            }
            IN_CALLBACK.with(|current| current.set(outer));
            let mut state = self.state();
            if let Some(registration) = state.registrations.get_mut(id) {
                registration.in_flight -= 1;
            }
            match raw_type {
                Some(raw) => *state.delivered.entry((notification, raw)).or_default() += times,
                None => state.stable_deliveries += times,
            }
            drop(state);
            self.0.idle.notify_all();
        }
        targets.len()
    }

    pub(super) fn allocate_table(
        &self,
        rows: &[MibUnicastIpAddressRow],
    ) -> *mut MibUnicastIpAddressTable {
        self.allocate_rows(rows).cast()
    }

    /// A `MIB_*_TABLE` of `rows` as NETIO allocates one: `NumEntries`, padding to the rows'
    /// alignment (8), then the rows with their C stride; at least one row's room, as the C
    /// type declares. Recorded as handed out, with the IRQL it was handed out at, until
    /// `FreeMibTable`.
    pub(super) fn allocate_rows<R: Copy>(&self, rows: &[R]) -> *mut u8 {
        // Every table's rows start at 8 (`ffi`'s assertions): `NumEntries` padded to the
        // rows' alignment.
        let header = size_of::<u64>();
        assert_eq!(align_of::<R>(), header, "a MIB row is 8-aligned");
        let stride = size_of::<R>();
        let size = header + size_of_val(rows).max(stride);
        let layout = Layout::from_size_align(size, header).unwrap();
        // SAFETY: `layout` has a non-zero size.
        let memory = unsafe { alloc::alloc_zeroed(layout) };
        assert!(!memory.is_null(), "out of memory");
        #[allow(clippy::cast_ptr_alignment, reason = "allocated 8-aligned")]
        let entries = memory.cast::<u32>();
        // SAFETY: the allocation holds the header, 8-aligned.
        unsafe {
            entries.write(u32::try_from(rows.len()).unwrap());
        };
        for (index, row) in rows.iter().enumerate() {
            #[allow(
                clippy::cast_ptr_alignment,
                reason = "the allocation and every row's offset are 8-aligned"
            )]
            let slot = memory.wrapping_add(header + stride * index).cast::<R>();
            // SAFETY: row `index` lies inside the allocation, 8-aligned like the row.
            unsafe { slot.write(*row) };
        }
        let irql = self.irql();
        self.state()
            .tables
            .insert(memory.addr(), (SendPtr(memory.cast()), layout, irql));
        memory
    }
}

/// A pointer to the row, or NULL.
fn optional_pointer<T>(row: &mut Option<T>) -> *mut T {
    row.as_mut().map_or(ptr::null_mut(), ptr::from_mut)
}

/// The row as `delivery` hands it out.
fn delivered<R: Object>(row: &R, delivery: Delivery) -> Option<R> {
    match delivery {
        Delivery::Keys => Some(row.keys_only()),
        Delivery::Full => Some(*row),
        Delivery::Null => None,
    }
}
