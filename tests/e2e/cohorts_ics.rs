//! Reading iCalendar text the way calendar programs do: with Python's
//! `icalendar` (PyPI), which `scripts/test` installs.

use agora_tests::test_python;
use serde_json::Value;

/// The events of an iCalendar text as Python's `icalendar` decodes them.
pub fn parse_ics(text: &str) -> Vec<Value> {
    let script = r#"
import json, sys, datetime
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.read())
out = []
for e in cal.walk("VEVENT"):
    start = e.decoded("DTSTART")
    out.append({
        "uid": str(e["UID"]),
        "summary": str(e["SUMMARY"]),
        "start": start.isoformat(),
        "aware": isinstance(start, datetime.datetime) and start.tzinfo is not None
                 and start.utcoffset() == datetime.timedelta(0),
        "sequence": int(e.decoded("SEQUENCE")),
        "status": str(e.get("STATUS", "")),
    })
print(json.dumps(out))
"#;
    use std::io::Write;
    let mut child = std::process::Command::new(test_python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python with icalendar (scripts/test installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar could not parse:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}
