//! Address, protocol and port parsing shared by the parsers and the files.

use crate::space::{Family, IntervalSet};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An IP address as a number of its family.
pub fn parse_ip(s: &str) -> Option<(Family, u128)> {
    if let Ok(a) = s.parse::<Ipv4Addr>() {
        return Some((Family::Ipv4, u128::from(u32::from(a))));
    }
    if let Ok(a) = s.parse::<Ipv6Addr>() {
        return Some((Family::Ipv6, u128::from(a)));
    }
    None
}

fn prefix_range(f: Family, addr: u128, len: u32) -> Option<(u128, u128)> {
    let bits = match f {
        Family::Ipv4 => 32,
        Family::Ipv6 => 128,
    };
    if len > bits {
        return None;
    }
    let host_bits = bits - len;
    let host_mask: u128 = if host_bits == 0 {
        0
    } else if host_bits >= 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    let lo = addr & !host_mask & f.addr_max();
    Some((lo, lo | host_mask))
}

/// Converts a dotted mask to a prefix length (None when not contiguous).
pub fn mask_len(mask: u128, f: Family) -> Option<u32> {
    let bits = match f {
        Family::Ipv4 => 32,
        Family::Ipv6 => 128,
    };
    let ones = mask.count_ones();
    let expect = prefix_range(f, f.addr_max(), ones).map(|(lo, _)| lo)?;
    if mask == expect && ones <= bits {
        Some(ones)
    } else {
        None
    }
}

/// Parses `a.b.c.d`, `a.b.c.d/len`, `a.b.c.d/m.m.m.m`, `x::/len` and
/// `first-last` into an address set of one family.
pub fn parse_net(s: &str) -> Result<(Family, IntervalSet), String> {
    parse_net_flagged(s).map(|(f, set, _)| (f, set))
}

/// [`parse_net`], also saying whether a prefix had host bits set under it
/// (`10.10.128.0/15`: the set is then the whole network, `10.10.0.0/15`).
pub fn parse_net_flagged(s: &str) -> Result<(Family, IntervalSet, bool), String> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once('-') {
        let (fa, lo) = parse_ip(a.trim()).ok_or_else(|| format!("bad address {a:?}"))?;
        let (fb, hi) = parse_ip(b.trim()).ok_or_else(|| format!("bad address {b:?}"))?;
        if fa != fb || lo > hi {
            return Err(format!("bad address range {s:?}"));
        }
        return Ok((fa, IntervalSet::range(lo, hi), false));
    }
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let (f, v) = parse_ip(addr).ok_or_else(|| format!("bad address {addr:?}"))?;
    let len = match len {
        None => match f {
            Family::Ipv4 => 32,
            Family::Ipv6 => 128,
        },
        Some(l) => match l.parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                let (mf, m) = parse_ip(l).ok_or_else(|| format!("bad prefix length {l:?}"))?;
                if mf != f {
                    return Err(format!("bad mask {l:?}"));
                }
                mask_len(m, f)
                    .ok_or_else(|| format!("non-contiguous mask {l:?} is not supported"))?
            }
        },
    };
    let (lo, hi) = prefix_range(f, v, len).ok_or_else(|| format!("bad prefix length in {s:?}"))?;
    Ok((f, IntervalSet::range(lo, hi), lo != v))
}

/// For `a.b.c.d/len` (or `/m.m.m.m`, or IPv6) with bits set under the
/// prefix: the network the device will use instead (`10.10.128.0/15` ->
/// `10.10.0.0/15`). None for a plain address, a range, or a clean prefix.
pub fn host_bits_set(s: &str) -> Option<String> {
    let (addr, l) = s.trim().split_once('/')?;
    let (f, v) = parse_ip(addr.trim())?;
    let len = match l.trim().parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            let (mf, m) = parse_ip(l.trim())?;
            if mf != f {
                return None;
            }
            mask_len(m, f)?
        }
    };
    let (lo, _) = prefix_range(f, v, len)?;
    (lo != v).then(|| format!("{}/{len}", fmt_ip(f, lo)))
}

/// Formats an address of a family.
pub fn fmt_ip(f: Family, v: u128) -> String {
    ip(f, v).to_string()
}

/// An address of a family, for formatting in place.
fn ip(f: Family, v: u128) -> std::net::IpAddr {
    match f {
        Family::Ipv4 => Ipv4Addr::from(u32::try_from(v).unwrap_or(u32::MAX)).into(),
        Family::Ipv6 => Ipv6Addr::from(v).into(),
    }
}

fn block_last(lo: u128, size_bits: u32) -> u128 {
    if size_bits >= 128 {
        u128::MAX
    } else {
        lo | ((1u128 << size_bits) - 1)
    }
}

/// Splits `[lo, hi]` into CIDR blocks `(first, prefix length)`, giving up
/// (None) past `limit` blocks.
fn cidrs(f: Family, mut lo: u128, hi: u128, limit: usize) -> Option<Vec<(u128, u32)>> {
    let mut out = Vec::new();
    let bits: u32 = match f {
        Family::Ipv4 => 32,
        Family::Ipv6 => 128,
    };
    loop {
        let mut sb = if lo == 0 {
            bits
        } else {
            lo.trailing_zeros().min(bits)
        };
        while sb > 0 && block_last(lo, sb) > hi {
            sb -= 1;
        }
        if out.len() == limit {
            return None;
        }
        out.push((lo, bits - sb));
        let last = block_last(lo, sb);
        if last >= hi {
            return Some(out);
        }
        lo = last + 1;
    }
}

/// Human-readable address set: `any`, CIDR blocks, or `first-last` ranges.
pub fn fmt_addrs(f: Family, s: &IntervalSet) -> Vec<String> {
    if s.is_full(f.addr_max()) {
        return vec!["any".into()];
    }
    let mut out = Vec::new();
    for &(lo, hi) in s.intervals() {
        match cidrs(f, lo, hi, 2) {
            Some(blocks) => out.extend(
                blocks
                    .into_iter()
                    .map(|(a, len)| format!("{}/{len}", ip(f, a))),
            ),
            None => out.push(format!("{}-{}", ip(f, lo), ip(f, hi))),
        }
    }
    out
}

/// Protocol numbers by name.
pub fn proto_number(name: &str) -> Option<u8> {
    // Names are lower case as a rule: no copy for those.
    let lower;
    let n = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = name.to_ascii_lowercase();
        lower.as_str()
    } else {
        name
    };
    Some(match n {
        "icmp" => 1,
        "igmp" => 2,
        "tcp" => 6,
        "udp" => 17,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "icmpv6" | "ipv6-icmp" | "icmp6" => 58,
        "ospf" => 89,
        "sctp" => 132,
        "udplite" => 136,
        "dccp" => 33,
        _ => return n.parse::<u8>().ok(),
    })
}

pub fn proto_name(p: u128) -> String {
    match p {
        1 => "icmp".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        58 => "ipv6-icmp".into(),
        132 => "sctp".into(),
        47 => "gre".into(),
        50 => "esp".into(),
        _ => p.to_string(),
    }
}

/// True for protocols whose packets carry ports.
pub fn has_ports(p: u128) -> bool {
    matches!(p, 6 | 17 | 33 | 132 | 136)
}

/// Protocols that carry ports, as a set.
pub fn port_protocols() -> IntervalSet {
    IntervalSet::from_intervals([6, 17, 33, 132, 136].map(|p| (p, p)))
}

/// Parses a port list: `443`, `80,443`, `1000-2000`, `1000:2000`, `any`.
pub fn parse_ports(s: &str) -> Result<IntervalSet, String> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("any") {
        return Ok(IntervalSet::range(0, 65535));
    }
    let mut ivs = Vec::new();
    for part in s.split([',', ' ']).filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once([':', '-']) {
            Some((a, b)) => (a, b),
            None => (part, part),
        };
        let a = if a.is_empty() { "0" } else { a };
        let b = if b.is_empty() { "65535" } else { b };
        let lo: u16 = a.parse().map_err(|_| format!("bad port {part:?}"))?;
        let hi: u16 = b.parse().map_err(|_| format!("bad port {part:?}"))?;
        if lo > hi {
            return Err(format!("bad port range {part:?}"));
        }
        ivs.push((u128::from(lo), u128::from(hi)));
    }
    Ok(IntervalSet::from_intervals(ivs))
}

/// `any`, or a comma-separated list of ports and ranges.
pub fn fmt_ports(s: &IntervalSet) -> String {
    if s.is_full(65535) {
        return "any".into();
    }
    let mut out = String::new();
    for (i, &(a, b)) in s.intervals().iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let _ = if a == b {
            write!(out, "{sep}{a}")
        } else {
            write!(out, "{sep}{a}-{b}")
        };
    }
    out
}

pub fn fmt_protos(s: &IntervalSet) -> String {
    if s.is_full(255) {
        return "any".into();
    }
    s.intervals()
        .iter()
        .map(|&(a, b)| {
            if a == b {
                proto_name(a)
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nets() {
        let (f, s) = parse_net("10.0.0.0/8").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f, Family::Ipv4);
        assert_eq!(s.intervals(), &[(0x0a00_0000, 0x0aff_ffff)]);
        let (_, m) = parse_net("10.0.0.0/255.0.0.0").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m, s);
        assert!(parse_net("10.0.0.0/255.0.255.0").is_err());
        let (f6, all6) = parse_net("::/0").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f6, Family::Ipv6);
        assert!(all6.is_full(u128::MAX));
        assert_eq!(fmt_addrs(Family::Ipv4, &s), vec!["10.0.0.0/8"]);
        let (_, r) = parse_net("10.0.0.1-10.0.0.6").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fmt_addrs(Family::Ipv4, &r), vec!["10.0.0.1-10.0.0.6"]);
        assert_eq!(fmt_addrs(Family::Ipv6, &all6), vec!["any"]);
        let (_, h) = parse_net("2001:db8::/32").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fmt_addrs(Family::Ipv6, &h), vec!["2001:db8::/32"]);
        let (_, z) = parse_net("0.0.0.0/1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fmt_addrs(Family::Ipv4, &z), vec!["0.0.0.0/1"]);
    }

    #[test]
    fn ports() {
        let p = parse_ports("80,443,1000:2000").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fmt_ports(&p), "80,443,1000-2000");
        assert!(parse_ports("70000").is_err());
    }
}
