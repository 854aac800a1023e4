use super::*;

fn call(name: &str, arguments: &str, result: &str) -> Call {
    Call {
        path: "pkg/mod.py".into(),
        name: name.into(),
        arguments: arguments.into(),
        result: result.into(),
    }
}

const ETA: &str =
    "ETA sometimes reads \"1m 60s\"\n\n    >>> render(500, 1000, elapsed=119.7)\n    \
    '[#####.....]  50%  ETA 1m 60s'\n\nI expected `ETA 2m 00s`. Just under a minute looks odd \
    too: with 59.6 seconds left it shows `ETA 60s` rather than `ETA 1m 00s`.\n";

#[test]
fn a_prose_case_is_put_to_the_function_whose_result_was_part_of_the_wrong_output() {
    let calls = [
        call(
            "render",
            "done=500, total=1000, elapsed=119.7",
            "'[#####.....]  50%  ETA 1m 60s'",
        ),
        call("remaining", "rate=4.17", "119.7"),
        call("format_duration", "seconds=119.7", "'1m 60s'"),
    ];
    let probes = probes(ETA, &["ETA 1m 00s".to_string()], &calls);
    let first = probes.first().expect("a probe");
    assert_eq!(first.case.call, "format_duration(59.6)");
    assert_eq!(first.case.expect, Expect::Equals("\"1m 00s\"".into()));
    assert_eq!(first.wrong(), "'60s'");
    assert_eq!(first.covers, "ETA 1m 00s");
    // A function given a number that gives one back is a guess of its own, tried after, and
    // only where the parts are numbers: not here.
    assert!(probes.iter().all(|p| !p.case.call.starts_with("remaining")));
    // render takes three arguments: no call of it from one value.
    assert!(probes.iter().all(|p| !p.case.call.starts_with("render")));
}

#[test]
fn values_the_stated_cases_already_check_are_not_probed() {
    let calls = [call("format_duration", "seconds=119.7", "'1m 60s'")];
    assert!(probes(ETA, &["ETA 2m 00s".to_string()], &calls).is_empty());
    assert!(probes(ETA, &[], &calls).is_empty());
}

#[test]
fn a_number_case_checks_numbers_and_a_string_argument_takes_quoted_input() {
    let issue = "Converting 100 degrees Celsius to Fahrenheit gives 132 instead of 212.\n";
    let calls = [
        call("to_fahrenheit", "celsius=37", "98.6"),
        call("label", "unit='C'", "'Celsius'"),
    ];
    // Numbers outside quotes are read as the sentence's inputs; here the values are bare too,
    // so the sentence states no quoted wrong and right value and gives no probe.
    assert!(probes(issue, &["212".to_string()], &calls).is_empty());
    let quoted = "Converting 100 degrees Celsius to Fahrenheit gives `132` instead of `212`.\n";
    let found = probes(quoted, &["212".to_string()], &calls);
    let calls_made: Vec<&str> = found.iter().map(|p| p.case.call.as_str()).collect();
    assert_eq!(calls_made, ["to_fahrenheit(100)"]);
    assert_eq!(found[0].case.expect, Expect::Equals("212".into()));
    assert_eq!(found[0].wrong(), "132");

    let env = "Paths break: `DATA_DIR='/srv/data'` gives `'/srv/data'` instead of `/srv/data`.\n";
    let calls = [call("unquote", "value='\"x\"'", "'\"x\"'")];
    let found = probes(env, &["/srv/data".to_string()], &calls);
    let calls_made: Vec<&str> = found.iter().map(|p| p.case.call.as_str()).collect();
    assert_eq!(calls_made, ["unquote(\"DATA_DIR='/srv/data'\")"]);
    assert_eq!(found[0].wrong(), "\"'/srv/data'\"");
}

#[test]
fn the_parts_are_whole_words_and_never_all_alike() {
    let part = |w, r| parts(w, r).map(|p| (p.wrong, p.right, p.head, p.tail));
    assert_eq!(
        part("ETA 60s", "ETA 1m 00s"),
        Some(("60s", "1m 00s", "ETA", ""))
    );
    assert_eq!(
        part("total: 190.00 EUR", "total: 180.00 EUR"),
        Some(("190.00", "180.00", "total:", "EUR"))
    );
    assert_eq!(part("a  b", "a  c"), Some(("b", "c", "a", "")));
    assert_eq!(part("same", "same"), None);
    assert_eq!(part("ETA 60s", "ETA"), None);
}

#[test]
fn the_input_takes_the_one_argument_of_its_kind_and_the_others_stay_as_the_test_passed_them() {
    let calls = [
        call(
            "format_duration",
            "seconds=119.7, compact=False",
            "'1m 60s'",
        ),
        call("label", "unit='s', width=3", "'ETA'"),
    ];
    let found = probes(ETA, &["ETA 1m 00s".to_string()], &calls);
    let calls_made: Vec<&str> = found.iter().map(|p| p.case.call.as_str()).collect();
    assert_eq!(
        calls_made,
        [
            "format_duration(seconds=59.6, compact=False)",
            "label(unit='s', width=59.6)"
        ]
    );
    assert_eq!(found[0].case.expect, Expect::Equals("\"1m 00s\"".into()));
}

#[test]
fn a_method_an_object_a_value_cut_short_or_two_arguments_of_the_inputs_kind_are_never_probed() {
    let calls = [
        call("eta", "self=<Meter>, seconds=59.6", "'60s'"),
        call("pad", "text='60s', width=3, height=1", "'60s'"),
        call("fit", "text='60s...', width=3", "'60s'"),
        call("fill", "items=[1, 2], seconds=3", "'60s'"),
    ];
    assert!(probes(ETA, &["ETA 1m 00s".to_string()], &calls).is_empty());
}

#[test]
fn a_function_that_gave_all_of_a_wrong_value_is_asserted_to_give_all_of_the_right_one() {
    let calls = [call("render", "remaining=119.7", "'ETA 1m 60s'")];
    let issue = ETA.replace("'[#####.....]  50%  ETA 1m 60s'", "'ETA 1m 60s'");
    let found = probes(&issue, &["ETA 1m 00s".to_string()], &calls);
    let first = found.first().expect("a probe");
    assert_eq!(first.case.call, "render(59.6)");
    assert_eq!(first.case.expect, Expect::Equals("\"ETA 1m 00s\"".into()));
    assert_eq!(first.wrong(), "'ETA 60s'");
}

#[test]
fn a_sentence_of_two_cases_pairs_each_with_the_input_before_it_first() {
    let issue = "du listing shows \"1024 B\" for a 1 KiB file\n\nA file of exactly 1024 bytes is \
                 listed as `1024 B` rather than `1.0 KiB`, and a 1 MiB file (1048576 bytes) \
                 shows up as `1024.0 KiB` instead of `1.0 MiB`.\n";
    let calls = [call("human_size", "n=512", "'512 B'")];
    let left = ["1.0 KiB".to_string(), "1.0 MiB".to_string()];
    let found: Vec<(String, String)> = probes(issue, &left, &calls)
        .into_iter()
        .map(|p| (p.case.call.clone(), p.wrong().to_string()))
        .collect();
    let first_of = |value: &str| found.iter().find(|(_, wrong)| wrong == value).cloned();
    assert_eq!(
        first_of("'1024 B'"),
        Some(("human_size(1024)".to_string(), "'1024 B'".to_string()))
    );
    assert_eq!(
        first_of("'1024.0 KiB'"),
        Some(("human_size(1)".to_string(), "'1024.0 KiB'".to_string()))
    );
    // Every input of the sentence is still tried for each value, the pair's own first.
    assert!(found.contains(&("human_size(1048576)".into(), "'1024.0 KiB'".into())));
    assert!(found.len() <= 2 * MOST);
}
