//! The order of a list: a key from a fixed list (each a constant SQL
//! expression of the store's, never text from a request) and a direction,
//! with the id breaking ties so that pages do not overlap.

/// A list's whitelisted sort keys.
pub trait SortKey: Copy + Default + PartialEq + std::fmt::Debug + 'static {
    /// Every key.
    const ALL: &'static [Self];
    /// The key as a query string carries it.
    fn code(self) -> &'static str;
    /// The SQL expression it orders by.
    fn sql(self) -> &'static str;
}

/// A key and a direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sort<K> {
    pub key: K,
    pub descending: bool,
}

impl<K: SortKey> Sort<K> {
    /// The sort of a query string's `sort` and `dir` (`desc` descends);
    /// `None` for a key that is not in the list.
    pub fn parse(key: &str, dir: &str) -> Option<Sort<K>> {
        let key = K::ALL.iter().copied().find(|k| k.code() == key)?;
        Some(Sort {
            key,
            descending: dir == "desc",
        })
    }

    /// ` ORDER BY <expr> <dir>, <id> <dir>`.
    pub(crate) fn order_by(&self, id: &str) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!(" ORDER BY {} {dir}, {id} {dir}", self.key.sql())
    }
}

/// Declares a list's sort keys: `Name { Variant => ("code", "SQL"), … }`
/// (the first is the default).
macro_rules! sort_keys {
    ($(#[$m:meta])* $name:ident { $first:ident => ($fc:literal, $fs:literal) $(, $v:ident => ($c:literal, $s:literal))* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub enum $name {
            #[default]
            $first,
            $($v,)*
        }

        impl $crate::sorting::SortKey for $name {
            const ALL: &'static [Self] = &[$name::$first, $($name::$v,)*];
            fn code(self) -> &'static str {
                match self {
                    $name::$first => $fc,
                    $($name::$v => $c,)*
                }
            }
            fn sql(self) -> &'static str {
                match self {
                    $name::$first => $fs,
                    $($name::$v => $s,)*
                }
            }
        }
    };
}
pub(crate) use sort_keys;

#[cfg(test)]
mod tests {
    use super::*;

    sort_keys! {
        Demo { Id => ("id", "t.id"), Name => ("name", "t.name") }
    }

    #[test]
    fn only_listed_keys_parse() {
        assert_eq!(
            Sort::<Demo>::parse("name", "desc"),
            Some(Sort {
                key: Demo::Name,
                descending: true
            })
        );
        assert_eq!(Sort::<Demo>::parse("name; DROP TABLE t", ""), None);
        assert_eq!(
            Sort::<Demo>::parse("id", "").map(|s| s.order_by("t.id")),
            Some(" ORDER BY t.id ASC, t.id ASC".to_string())
        );
    }
}
