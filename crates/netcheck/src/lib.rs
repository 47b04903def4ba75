//! Firewall checker.
