use super::*;

#[test]
fn answers_read_codes_and_japanese_words() {
    assert_eq!(Answer::parse_loose("一部実施"), Some(Answer::Partial));
    assert_eq!(Answer::parse_loose(" not_done "), Some(Answer::NotDone));
    assert_eq!(Answer::parse_loose("はい"), None);
    assert!("done".parse::<Answer>().is_ok());
    assert!("実施".parse::<Answer>().is_err());
    assert_eq!(Method::parse_loose("現地確認"), Some(Method::OnSite));
}

#[test]
fn scores_leave_out_not_applicable() {
    let t = Tally::of([
        Answer::Done,
        Answer::Partial,
        Answer::NotDone,
        Answer::NotApplicable,
    ]);
    assert_eq!(t.answered, 4);
    assert_eq!(t.applicable, 3);
    assert_eq!(t.points, 3);
    assert_eq!(t.percent(), Some(50.0));
    assert_eq!(Tally::of([Answer::NotApplicable]).percent(), None);
}

#[test]
fn allowed_answers_round_trip() {
    let text = answers_text(&[Answer::Done, Answer::NotDone]);
    assert_eq!(text, "done not_done");
    assert_eq!(parse_answers(&text), vec![Answer::Done, Answer::NotDone]);
    assert_eq!(parse_answers(""), default_answers());
}

#[test]
fn scores_and_deltas_are_written_alike_everywhere() {
    assert_eq!(score_text(3, 3), "50.0%");
    assert_eq!(score_text(0, 0), "—");
    assert_eq!(
        delta_text(Some(60.0), Some(50.0)).as_deref(),
        Some("＋10.0pt")
    );
    assert_eq!(
        delta_text(Some(40.0), Some(50.5)).as_deref(),
        Some("−10.5pt")
    );
    assert_eq!(
        delta_text(Some(40.0), Some(40.0)).as_deref(),
        Some("±0.0pt")
    );
    assert_eq!(delta_text(None, Some(40.0)), None);
    assert_eq!(share_text(1, 3), "33.3%");
    assert_eq!(share_text(0, 0), "—");
}
