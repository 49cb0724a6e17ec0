//! What the CLI writes to stdout and stderr.

use dosedesk_core::locale::Lang;
use std::borrow::Cow;
use std::fmt::Write as _;

/// What is known of a planner's answer, in a manager's words: proven best
/// (`optimal` says what that means for this planner), at most its gap
/// short of the best possible `what`, or not known; and why the search
/// stopped short (its time limit, or the person's Ctrl-C). `method` is how
/// the answer was found.
pub fn plan_quality(
    gap: Option<f64>,
    cancelled: bool,
    method: &str,
    optimal: &str,
    what: &str,
) -> String {
    let stopped = if cancelled {
        "stopped at your request"
    } else {
        "the solver stopped at its time limit"
    };
    match gap {
        Some(gap) if gap <= 0.0 => format!("optimal: {optimal} ({method})"),
        Some(gap) => format!(
            "at most {} short of the best possible {what} ({method}; {stopped})",
            Lang::En.percent2_up(gap)
        ),
        None if cancelled => {
            format!("how far from the best possible is not known ({method}; {stopped})")
        }
        None => format!("how far from the best possible is not known ({method})"),
    }
}

/// Text as a terminal shows it, never as it obeys it. Names and notes may
/// come from another laptop through the central copy (no importer checked
/// them here): an escape sequence in a site's name could clear the screen,
/// retitle the window or hide a line, and Unicode's direction overrides
/// could show a line reordered. Each such character prints as `\uXXXX`
/// (also JSON's escape, so `--json` output stays valid JSON; serde_json has
/// escaped the control characters already); newlines and tabs stay.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let obeyed = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(obeyed) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if obeyed(c) {
            let _ = write!(safe, "\\u{:04x}", c as u32);
        } else {
            safe.push(c);
        }
    }
    Cow::Owned(safe)
}

/// Writes one line to stdout. When the reader has closed the pipe there is
/// nobody left to tell: stop quietly, as `head` expects of a writer.
pub fn print_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let text = match args.as_str() {
        Some(fixed) => Cow::Borrowed(fixed),
        None => Cow::Owned(args.to_string()),
    };
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(terminal_safe(&text).as_bytes())
        .and_then(|()| out.write_all(b"\n"));
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("dosedesk-cli: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Writes one line to stderr (messages name sites and files too).
pub fn eprint_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let text = args.to_string();
    let _ = writeln!(std::io::stderr().lock(), "{}", terminal_safe(&text));
}

pub fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("dosedesk-cli: cannot write JSON: {e}"),
    }
}
