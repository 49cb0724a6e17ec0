//! What the CLI writes to stdout.

/// Writes one line to stdout. When the reader has closed the pipe there is
/// nobody left to tell: stop quietly, as `head` expects of a writer.
pub fn print_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("dosedesk-cli: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

pub fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("dosedesk-cli: cannot write JSON: {e}"),
    }
}
