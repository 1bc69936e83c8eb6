//! Registrations: what each `Notify*` call finds scripted, the context it must name, the
//! common part of the three change registrations (initial notifications inside the call),
//! and the bookkeeping of a new registration (its handle).

use core::ffi::c_void;
use core::ptr;
use std::collections::VecDeque;
use std::format;

use crate::boundary::ffi::{AF_UNSPEC, Handle, notification_type};
use crate::model::notification::Notification;
use crate::model::status::NtStatus;

use super::kernel::{IrqlRule, Sim};
use super::scenario::{Call, Event, Outcome};
use super::state::{Callback, External, Registration, SendPtr, State};

/// Fake handles are distinct, non-NULL and never dereferenced.
const HANDLE_BASE: usize = 0x5100_0000;

impl Sim {
    pub(super) fn next_outcome(state: &mut State, notification: Notification) -> Option<Outcome> {
        state
            .scripts
            .get_mut(&notification)
            .and_then(VecDeque::pop_front)
    }

    pub(super) fn check_context(
        state: &mut State,
        notification: Notification,
        context: *mut c_void,
    ) {
        if let Some(adopted) = &mut state.external {
            let same = match *adopted {
                External::Unseen if !context.is_null() => {
                    *adopted = External::Context(context.addr());
                    true
                }
                External::Unseen => false,
                External::Context(first) => first == context.addr(),
            };
            if !same {
                state.violations.push(format!(
                    "{} registered with context {context:p}, not the device extension the \
                     first registration named",
                    notification.function()
                ));
            }
            return;
        }
        let inside = state
            .device
            .as_ref()
            .is_some_and(|device| device.extension.as_ptr().cast::<c_void>() == context);
        if !inside {
            state.violations.push(format!(
                "{} registered with a context that is not the device extension",
                notification.function()
            ));
        }
    }

    /// The common part of the three change registrations.
    ///
    /// # Safety
    /// As the `NetIo` methods: `context` must stay valid for the callback.
    pub(super) unsafe fn register_change(
        &self,
        notification: Notification,
        family: u16,
        callback: Option<Callback>,
        context: *mut c_void,
        initial_notification: u8,
        handle: &mut Handle,
    ) -> NtStatus {
        *handle = ptr::null_mut();
        let (id, status, concurrent) = {
            let mut state = self.state();
            state.calls.push(Call::Register {
                notification,
                family,
                initial: initial_notification != 0,
            });
            self.check_irql(&mut state, notification.function(), IrqlRule::Passive);
            let Some(callback) = callback else {
                state.violations.push(format!(
                    "{} called with a NULL callback",
                    notification.function()
                ));
                return NtStatus::INVALID_PARAMETER;
            };
            Self::check_context(&mut state, notification, context);
            let (status, null_handle) = match Self::next_outcome(&mut state, notification) {
                Some(Outcome::Fail(status)) => return status,
                Some(Outcome::NullHandle) => (NtStatus::SUCCESS, true),
                Some(Outcome::Status(status)) => (status, false),
                None => (NtStatus::SUCCESS, false),
            };
            let id = Self::insert(
                &mut state,
                notification,
                family,
                callback,
                context,
                null_handle,
            );
            let concurrent = state
                .during_registration
                .remove(&notification)
                .unwrap_or_default();
            (id, status, concurrent)
        };
        let initial_count = match (initial_notification, family) {
            (0, _) => 0,
            (_, AF_UNSPEC) => 2,
            _ => 1,
        };
        std::thread::scope(|scope| {
            let this = self.clone();
            if !concurrent.is_empty() {
                scope.spawn(move || {
                    for event in concurrent {
                        this.deliver(event);
                    }
                });
            }
            for _ in 0..initial_count {
                let initial = match notification {
                    Notification::Interface => Event::Interface(None, notification_type::INITIAL),
                    Notification::Address => Event::Address(None, notification_type::INITIAL),
                    _ => Event::Route(None, notification_type::INITIAL),
                };
                self.deliver(initial);
            }
        });
        let state = self.state();
        if let Some(registration) = state.registrations.get(&id) {
            *handle = ptr::without_provenance_mut(registration.handle);
        }
        status
    }

    pub(super) fn insert(
        state: &mut State,
        notification: Notification,
        family: u16,
        callback: Callback,
        context: *mut c_void,
        null_handle: bool,
    ) -> u64 {
        let id = state.next_id;
        state.next_id += 1;
        let handle = if null_handle {
            0
        } else {
            HANDLE_BASE + usize::try_from(id).unwrap() * 0x10
        };
        state.registrations.insert(
            id,
            Registration {
                notification,
                family,
                callback,
                context: SendPtr(context),
                handle,
                in_flight: 0,
                cancelling: false,
                orphaned: false,
            },
        );
        id
    }
}
