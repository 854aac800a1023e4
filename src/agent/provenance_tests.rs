//! Unit tests for `provenance`.

use super::*;

fn call(path: &str, name: &str, arguments: &str, result: &str) -> Call {
    Call {
        path: path.into(),
        name: name.into(),
        arguments: arguments.into(),
        result: result.into(),
    }
}

const STATS: &str = "def weighted_mean(values, weights):\n    total = sum(v * w for v, w in zip(values, weights))\n    return total / len(weights)\n\ndef round_half_up(value, places=1):\n    return math.floor(value * 10 + 0.5) / 10\n";
const COURSE: &str = "    def final(self, student):\n        values = [marks.get(p, 0.0) for p in self.parts]\n        return round_half_up(weighted_mean(values, weights))\n";
const REPORT: &str = "def report_lines(course):\n    for s in course.students():\n        lines.append(f\"  {s}: {course.final(s):.1f} ({letter(mark)})\")\n";

fn code(_path: &str, name: &str) -> Option<String> {
    let source = match name {
        "final" => COURSE,
        "report_lines" => REPORT,
        _ => STATS,
    };
    let start = source.find(&format!("def {name}("))?;
    Some(source.get(start..)?.to_string())
}

/// The calls a failing test of the report made, as the tracer writes them: the helper two calls
/// below made the wrong mark; the rounding, the final mark, the letter and the report passed it on.
fn course_calls() -> Vec<Call> {
    vec![
        call(
            "grades/report.py",
            "report_lines",
            "course=<grades.course.Course object>",
            "['Physics', '  ada: 43.0 (Fail)', '  median: 43.0']",
        ),
        call(
            "grades/course.py",
            "final",
            "self=<grades.course.Course object>, student='ada'",
            "43.0",
        ),
        call(
            "grades/stats.py",
            "weighted_mean",
            "values=[90, 80], weights=[0.6, 0.4]",
            "43.00000000000001",
        ),
        call(
            "grades/stats.py",
            "round_half_up",
            "value=43.00000000000001, places=1",
            "43.0",
        ),
        call("grades/course.py", "letter", "mark=43.0", "'Fail'"),
        call("grades/stats.py", "median", "values=[43.0]", "43.0"),
    ]
}

#[test]
fn the_helper_that_made_a_wrong_mark_is_found_below_those_passing_it_on() {
    let unittest = "FAIL: test_report (tests.test_grades.CourseTests.test_report)\n\
        Traceback (most recent call last):\n  File \"tests/test_grades.py\", line 40, in test_report\n\
        AssertionError: Lists differ: ['Physics', '  ada: 43.0 (Fail)', '  median: 43.0'] != ['Physics', '  ada: 86.0 (Pass)', '  median: 86.0']\n";
    assert_eq!(wrong_values(unittest), ["43.0", "Fail"]);
    let calls = course_calls();
    let found = origin(unittest, &calls, code).expect("an origin");
    assert_eq!(
        (found.call.name.as_str(), found.value.as_str()),
        ("weighted_mean", "43.0")
    );
    // pytest's report of the same failure.
    let pytest = "E       AssertionError: assert ['Physics', '  ada: 43.0 (Fail)'] == ['Physics', '  ada: 86.0 (Pass)']\n";
    assert_eq!(
        origin(pytest, &calls, code).map(|o| o.call.name.as_str()),
        Some("weighted_mean")
    );
}

#[test]
fn no_origin_without_a_compared_value_or_a_single_maker() {
    let calls = course_calls();
    // A crash compares nothing.
    assert_eq!(origin("E   KeyError: 's'\n", &calls, code), None);
    // Two unrelated functions each made a wrong value: neither is singled out.
    let two = vec![
        call("a.py", "scale", "x=2", "5"),
        call("a.py", "label", "n=3", "'odd'"),
    ];
    assert_eq!(
        origin("E   assert (5, 'odd') == (4, 'even')\n", &two, |_, _| None),
        None
    );
    // Part of a text made from what went in, another way: `10` of `'10:30'` is 630 minutes.
    let clock = vec![
        call("busy/clock.py", "to_hhmm", "minutes=630", "'10:30'"),
        call(
            "busy/merge.py",
            "merge",
            "spans=[(540, 600), (570, 630)]",
            "[(540, 630)]",
        ),
    ];
    assert_eq!(
        origin(
            "E   assert '09:00-10:30' == '09:00-11:30'\n",
            &clock,
            |_, _| None
        ),
        None
    );
    // The wrong value went in with the arguments: passed on, not made.
    let passed = vec![call("a.py", "show", "total=5", "'5 items'")];
    assert_eq!(
        origin("E   assert '5 items' == '4 items'\n", &passed, |_, _| None),
        None
    );
}

#[test]
fn wrong_values_are_read_from_each_runners_comparison() {
    let rust = "assertion `left == right` failed\n  left: [(Info, 1), (Error, 2)]\n right: [(Info, 1), (Warn, 1), (Error, 1)]\n";
    assert_eq!(wrong_values(rust), ["2"]);
    let node = "  expected: 'from 9.50 to 100.00'\n  actual: 'from 100.00 to 9.50'\n";
    assert!(
        wrong_values(node).is_empty(),
        "the same numbers, in another order"
    );
    let numbers = "AssertionError: 29.2 != 87.7 within 7 places (58.5 difference)\n";
    assert_eq!(wrong_values(numbers), ["29.2"]);
    // `None` is what any function without a return gives.
    assert!(wrong_values("E   assert None == 3\n").is_empty());
    // A number is the same at the precision the failure shows it.
    assert!(same("43.0", "43.00000000000001") && same("43", "43") && !same("2", "2.4"));
}
