//! netnotify placeholder
