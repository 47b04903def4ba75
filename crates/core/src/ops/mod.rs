//! Operations (第8(4)): information security incidents with their reporting
//! line and the reports the city owes, and exceptions to the standards
//! (例外措置). Pure types and rules; the registers live in the store.

pub mod deadline;
pub mod exception;
pub mod incident;
// --- ops2 ---
pub mod outsourcing;
pub mod permission;

#[cfg(test)]
mod tests;

/// Declares a closed set of codes with Japanese and English names.
macro_rules! coded {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => ($code:literal, $ja:literal, $en:literal),)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)* }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            /// The value of a stored code.
            pub fn parse(code: &str) -> Option<$name> {
                match code.trim() { $($code => Some($name::$variant),)* _ => None }
            }

            /// The Japanese name.
            pub fn name_ja(self) -> &'static str {
                match self { $($name::$variant => $ja,)* }
            }

            /// The English name.
            pub fn name_en(self) -> &'static str {
                match self { $($name::$variant => $en,)* }
            }

            /// Every code, for a pattern or a list of choices.
            pub fn codes() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.code()).collect()
            }
        }
    };
}
pub(crate) use coded;
