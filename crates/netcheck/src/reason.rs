//! Japanese wording of the reasons a rule could not be modelled exactly.
//!
//! The parsers name what they could not read in short English phrases
//! ("unknown protocol \"foo\"", "time-range \"work\"", several joined by
//! "; ") while they read a rule; the report carries those phrases
//! unchanged as `reason` and, beside them, the Japanese wording made here
//! as `reason_ja`. Quoted values are kept as they are. A phrase without a
//! wording of its own is still said in Japanese, with the English phrase
//! quoted.

/// Phrases that start with a fixed English head: the Japanese head and tail
/// put around the rest (the named value, kept as written).
const HEADS: &[(&str, &str, &str)] = &[
    ("unknown protocol ", "未対応のプロトコル ", " です"),
    ("unknown ICMP type ", "未対応の ICMP タイプ ", " です"),
    ("bad ICMP code ", "ICMP コード ", " を解釈できません"),
    ("unknown port ", "未対応のポート名 ", " です"),
    ("bad port range ", "ポート範囲 ", " を解釈できません"),
    ("bad port ", "ポート ", " を解釈できません"),
    ("no port operator in ", "ポートの演算子がありません: ", ""),
    (
        "ports on protocol ",
        "プロトコル ",
        " にポートは指定できません",
    ),
    ("unknown interface ", "未定義のインターフェイス ", " です"),
    (
        "identity match ",
        "ユーザー・グループによる条件 ",
        " は扱えません",
    ),
    (
        "time-range ",
        "時間帯による条件 (time-range ",
        ") は扱えません",
    ),
    (
        "schedule ",
        "スケジュールによる条件 (schedule ",
        ") は扱えません",
    ),
    (
        "unknown network object ",
        "未定義のネットワークオブジェクト ",
        " です",
    ),
    (
        "unknown service object ",
        "未定義のサービスオブジェクト ",
        " です",
    ),
    ("unknown address ", "未定義のアドレス ", " です"),
    ("unknown service ", "未定義のサービス ", " です"),
    ("unknown zone ", "未定義のゾーン ", " です"),
    ("unknown set ", "未定義のセット ", " です"),
    ("unknown chain ", "未定義のチェイン ", " です"),
    (
        "jump to unknown chain ",
        "未定義のチェイン ",
        " へのジャンプです",
    ),
    ("jump loop: ", "チェインのジャンプが循環しています: ", ""),
    (
        "chains nested deeper than ",
        "チェインの入れ子が ",
        " 段を超えています",
    ),
    (
        "default ports of application ",
        "アプリケーション ",
        " の既定ポートが分かりません",
    ),
    (
        "deny of applications ",
        "アプリケーション指定の拒否 (",
        ") は扱えません",
    ),
    ("action ", "未対応のアクション ", " です"),
    ("match module ", "未対応のマッチモジュール ", " です"),
    ("conntrack state ", "未対応の接続状態 ", " です"),
    ("ct state ", "未対応の接続状態 (ct state ", ") です"),
    ("target ", "未対応のターゲット ", " です"),
    ("option ", "未対応のオプション ", " です"),
    ("rule not understood: ", "このルールを解釈できません: ", ""),
    ("bad address range ", "アドレス範囲 ", " を解釈できません"),
    ("bad address ", "アドレス ", " を解釈できません"),
    (
        "bad prefix length in ",
        "プレフィックス長を解釈できません: ",
        "",
    ),
    (
        "bad prefix length ",
        "プレフィックス長 ",
        " を解釈できません",
    ),
    ("bad mask ", "マスク ", " を解釈できません"),
    (
        "non-contiguous mask ",
        "連続していないマスク ",
        " は扱えません",
    ),
    ("bad number ", "数値 ", " を解釈できません"),
    (
        "port name ",
        "ポート名 ",
        " は扱えません (番号で指定してください)",
    ),
    ("unexpected address value ", "想定外のアドレス値です: ", ""),
    ("unexpected value ", "想定外の値です: ", ""),
    ("unexpected expression ", "想定外の式です: ", ""),
    ("expression ", "未対応の式 ", " です"),
    ("match operator ", "未対応の比較演算子 ", " です"),
    ("match on ", "未対応の条件です: ", ""),
    ("meta ", "未対応の meta 条件 ", " です"),
    ("ct ", "未対応の ct 条件 ", " です"),
    ("ports of ", "", " のポート指定は扱えません"),
    (
        "object groups nested too deep (or in a loop) at ",
        "オブジェクトグループの入れ子が深すぎるか循環しています: ",
        "",
    ),
    (
        "address groups nested too deep (or in a loop) at ",
        "アドレスグループの入れ子が深すぎるか循環しています: ",
        "",
    ),
    (
        "service groups nested too deep (or in a loop) at ",
        "サービスグループの入れ子が深すぎるか循環しています: ",
        "",
    ),
    ("chain policy ", "未対応のチェインポリシー ", " です"),
    ("unknown command ", "未対応のコマンド ", " です"),
];

/// Whole phrases said one way only.
const WHOLE: &[(&str, &str)] = &[
    (
        "security-group match",
        "セキュリティグループによる条件は扱えません",
    ),
    (
        "internet service",
        "インターネットサービスによる指定は扱えません",
    ),
    ("empty target", "ターゲットが空です"),
    ("fragment match", "フラグメントによる条件は扱えません"),
    (
        "negated multiport --ports",
        "否定した multiport --ports は扱えません",
    ),
    ("empty service", "サービスが空です"),
    ("bad address", "アドレスを解釈できません"),
    ("bad port", "ポートを解釈できません"),
    ("bad nfproto", "nfproto を解釈できません"),
    ("bad interface", "インターフェイスを解釈できません"),
    ("bad ct state", "接続状態 (ct state) を解釈できません"),
    ("bad protocol", "プロトコルを解釈できません"),
    (
        "application-default with application any",
        "application any での application-default は扱えません",
    ),
    (
        "the segment sits behind several zones: this deny is not taken",
        "セグメントが複数のゾーンの背後にあるため、この拒否は考慮していません",
    ),
    (
        "intrazone deny with a segment behind several zones",
        "セグメントが複数のゾーンの背後にあるため、ゾーン内の拒否は考慮していません",
    ),
    (
        "the segment sits behind several interfaces: this deny is not taken",
        "セグメントが複数のインターフェイスの背後にあるため、この拒否は考慮していません",
    ),
    (
        "pre-8.3 static NAT: the mapped address is taken as also meaning the real one, on any port",
        "8.3 より前の static NAT: 変換後のアドレスは全ポートで実アドレスも指すものとして扱います",
    ),
];

/// Phrases that end with a fixed English tail: the Japanese put after the
/// named value.
const TAILS: &[(&str, &str, &str)] = &[
    (" not understood", "", " を解釈できません"),
    (" is an FQDN", "", " は FQDN のため扱えません"),
    (
        " is a wildcard mask",
        "",
        " はワイルドカードマスクのため扱えません",
    ),
    (" of an unknown type", "", " は未対応の種類です"),
    (
        " is not a network group",
        "",
        " はネットワークグループではありません",
    ),
    (" is dynamic", "", " は動的なため扱えません"),
    (
        " restricted to addresses",
        "",
        " はアドレスが限定されているため扱えません",
    ),
    (" is not supported", "", " は扱えません"),
    (
        " lists no interfaces, so an interface match cannot be resolved",
        "",
        " に interfaces の指定がないため、インターフェイスによる条件を解決できません",
    ),
];

/// The Japanese wording of one English reason (phrases joined by "; ").
pub fn ja(en: &str) -> String {
    en.split("; ").map(phrase).collect::<Vec<_>>().join("；")
}

fn phrase(p: &str) -> String {
    if let Some((_, ja)) = WHOLE.iter().find(|(e, _)| *e == p) {
        return (*ja).to_string();
    }
    if let Some((_, rest)) = p.split_once("object-group ").filter(|(a, _)| a.is_empty())
        && let Some((name, inner)) = rest.split_once(": ")
    {
        return format!("オブジェクトグループ {name}: {}", phrase(inner));
    }
    if let Some((name, kind)) = p
        .strip_prefix("address ")
        .and_then(|r| r.split_once(" of type "))
    {
        return format!("アドレス {name} は種類 {kind} のため扱えません");
    }
    if let Some((name, proto)) = p
        .strip_prefix("service ")
        .and_then(|r| r.split_once(" with protocol "))
    {
        return format!("サービス {name} のプロトコル {proto} は扱えません");
    }
    for (head, ja_head, ja_tail) in HEADS {
        if let Some(rest) = p.strip_prefix(head) {
            return format!("{ja_head}{rest}{ja_tail}");
        }
    }
    for (tail, ja_head, ja_tail) in TAILS {
        if let Some(rest) = p.strip_suffix(tail) {
            let rest = rest
                .replacen("object-group ", "オブジェクトグループ ", 1)
                .replacen("address group ", "アドレスグループ ", 1)
                .replacen("segment ", "セグメント ", 1)
                .replacen("address ", "アドレス ", 1)
                .replacen("object ", "オブジェクト ", 1)
                .replacen("service ", "サービス ", 1);
            return format!("{ja_head}{rest}{ja_tail}");
        }
    }
    // "source obj: unknown ..." (a named object and what is wrong with it).
    if let Some((what, inner)) = p.split_once(": ") {
        let inner_ja = phrase(inner);
        if inner_ja != fallback(inner) {
            return format!("{what}: {inner_ja}");
        }
    }
    fallback(p)
}

fn fallback(p: &str) -> String {
    format!("正確に扱えない指定があります ({p})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_phrases_are_worded_in_japanese() {
        assert_eq!(
            ja("unknown protocol \"foo\""),
            "未対応のプロトコル \"foo\" です"
        );
        assert_eq!(
            ja("time-range \"work\"; security-group match"),
            "時間帯による条件 (time-range \"work\") は扱えません；セキュリティグループによる条件は扱えません"
        );
        assert_eq!(
            ja("object-group \"G\": unknown network object \"x\""),
            "オブジェクトグループ \"G\": 未定義のネットワークオブジェクト \"x\" です"
        );
        assert_eq!(
            ja("address \"web\" is an FQDN"),
            "アドレス \"web\" は FQDN のため扱えません"
        );
        assert_eq!(
            ja("jump to unknown chain \"X\""),
            "未定義のチェイン \"X\" へのジャンプです"
        );
        assert_eq!(
            ja("schedule \"w\"; address \"cloud\" of type fqdn"),
            "スケジュールによる条件 (schedule \"w\") は扱えません；アドレス \"cloud\" は種類 fqdn のため扱えません"
        );
    }

    #[test]
    fn unknown_phrases_are_still_japanese_and_keep_the_english() {
        let j = ja("something new");
        assert!(j.contains("正確に扱えない"));
        assert!(j.contains("something new"));
    }
}
