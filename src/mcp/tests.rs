use super::*;

fn server(toml_text: &str) -> ServerConfig {
    toml::from_str(toml_text).unwrap()
}

#[test]
fn names_split_at_the_first_separator() {
    assert_eq!(qualified("docs", "search"), "docs__search");
    assert_eq!(split("docs__search"), Some(("docs", "search")));
    assert_eq!(split("docs__get__page"), Some(("docs", "get__page")));
    assert_eq!(split("read_file"), None);
    assert_eq!(split("__x"), None);
    assert_eq!(split("x__"), None);
}

#[test]
fn enabled_and_disabled_tools_decide_what_is_listed() {
    let all = server("command = 'srv'");
    assert!(all.enabled && all.lists("a") && all.lists("b"));
    let some = server("command = 'srv'\nenabled_tools = ['a', 'b']\ndisabled_tools = ['b']");
    assert!(some.lists("a"));
    assert!(!some.lists("b"), "disabled wins over enabled");
    assert!(!some.lists("c"), "not in enabled_tools");
}

#[test]
fn timeouts_have_defaults_and_a_floor() {
    let s = server("command = 'srv'\ntool_timeout_sec = 0");
    assert_eq!(s.startup_timeout().as_secs(), 10);
    assert_eq!(s.tool_timeout().as_secs(), 1);
}

#[test]
fn a_server_needs_one_transport_and_a_name_tools_can_carry() {
    let ok: Servers = [("docs-1".to_string(), server("command = 'srv'"))].into();
    assert!(validate(&ok).is_ok());
    for bad in ["a__b", "", "a b", "a.b"] {
        let servers: Servers = [(bad.to_string(), server("command = 'srv'"))].into();
        assert!(validate(&servers).is_err(), "{bad:?} accepted");
    }
    let both: Servers = [("x".into(), server("command = 'srv'\nurl = 'http://h'"))].into();
    assert!(validate(&both).unwrap_err().contains("not both"));
    let none: Servers = [("x".into(), server("args = ['a']"))].into();
    assert!(validate(&none).unwrap_err().contains("needs `command`"));
    let headers: Servers = [("x".into(), server("command = 'srv'\nheaders = { A = 'b' }"))].into();
    assert!(validate(&headers)
        .unwrap_err()
        .contains("for `url` servers"));
}

#[test]
fn unknown_keys_are_refused() {
    assert!(toml::from_str::<ServerConfig>("command = 'srv'\ncomand = 'x'").is_err());
}

#[test]
fn a_server_that_cannot_start_is_a_problem_not_an_error() {
    let servers: Servers = [
        (
            "gone".to_string(),
            server("command = '/nonexistent/mcp-server'"),
        ),
        ("off".to_string(), server("command = 'x'\nenabled = false")),
        ("web".to_string(), server("url = 'http://127.0.0.1:1/mcp'")),
    ]
    .into();
    let hub = Hub::start(&servers, std::path::Path::new(".")).unwrap();
    let problems = hub.problems();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("`gone`") && problems[0].contains("could not be started"));
    // Nothing listens on port 1: the handshake fails (the message says how).
    assert!(
        problems[1].contains("`web`") && problems[1].contains("handshake"),
        "{problems:?}"
    );
    assert!(hub.specs().is_empty());
    let states = hub.states();
    assert_eq!(states[1].2, ServerState::Off);
    let err = hub
        .call("gone__x", &serde_json::json!({}), &Default::default())
        .unwrap_err();
    assert!(matches!(err, CallError::NotRunning { .. }), "{err:?}");
    assert!(matches!(
        hub.call("nobody__x", &serde_json::json!({}), &Default::default()),
        Err(CallError::Unknown(_))
    ));
}
