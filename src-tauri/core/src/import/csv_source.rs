//! Streaming reader for the CSV files of FORMATS.md: header matched by name
//! (case-insensitive, any order), RFC 4180 quoting, BOM, LF or CRLF. Every
//! problem becomes an error naming file, line and column.

use super::Progress;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// A column an importer reads.
pub struct Column {
    pub name: &'static str,
    pub required: bool,
}

/// The longest text a cell may hold (a site's name or address); some
/// columns (identifiers, phones) have tighter limits where they are read.
pub const MAX_CELL_CHARS: usize = 500;

pub const fn req(name: &'static str) -> Column {
    Column {
        name,
        required: true,
    }
}

pub const fn opt(name: &'static str) -> Column {
    Column {
        name,
        required: false,
    }
}

/// Counts the bytes as the CSV parser pulls them, and hands them to a
/// thread that hashes them (SHA-256 would otherwise cost the parser ~10%).
struct Tap<R> {
    inner: R,
    hasher: Option<(SyncSender<Vec<u8>>, JoinHandle<String>)>,
    digest: Option<String>,
    bytes: u64,
}

impl<R> Tap<R> {
    fn new(inner: R) -> Self {
        let (sender, chunks) = sync_channel::<Vec<u8>>(8);
        let worker = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            for chunk in chunks {
                hasher.update(&chunk);
            }
            hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        });
        Tap {
            inner,
            hasher: Some((sender, worker)),
            digest: None,
            bytes: 0,
        }
    }

    /// Hex SHA-256 of every byte read; stops hashing, so call it at the end.
    fn digest(&mut self) -> String {
        if let Some((sender, worker)) = self.hasher.take() {
            drop(sender);
            self.digest = Some(worker.join().unwrap_or_default());
        }
        self.digest.clone().unwrap_or_default()
    }
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some((sender, _)) = &self.hasher {
            // The worker only stops when the sender is dropped, so this send
            // cannot fail; if it somehow did, the digest would be empty.
            let _ = sender.send(buf[..n].to_vec());
        }
        self.bytes += n as u64;
        Ok(n)
    }
}

pub struct CsvSource {
    file: String,
    reader: csv::Reader<Tap<BufReader<File>>>,
    /// For each wanted column, its index in the file's records.
    positions: Vec<Option<usize>>,
    columns: &'static [Column],
    header_len: usize,
    /// Header names as written (lower case), for errors in any column.
    names: Vec<String>,
    total_bytes: u64,
    pub warnings: Vec<String>,
    record: csv::ByteRecord,
    rows: u64,
}

impl CsvSource {
    pub fn open(path: &Path, columns: &'static [Column]) -> Result<Self> {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let handle = File::open(path).map_err(|e| Error::io(path, &e))?;
        let total_bytes = handle.metadata().map(|m| m.len()).unwrap_or(0);
        let tap = Tap::new(BufReader::with_capacity(1 << 20, handle));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(tap);
        let mut header = csv::ByteRecord::new();
        let err_at = |line: u64, message: String| Error::Import {
            file: file.clone(),
            line,
            column: None,
            message,
        };
        let has_header = reader
            .read_byte_record(&mut header)
            .map_err(|e| err_at(1, csv_problem(&e)))?;
        if !has_header {
            return Err(err_at(
                1,
                "the file is empty: expected a header line".into(),
            ));
        }
        let mut names = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let raw = if i == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
            } else {
                raw
            };
            let name = std::str::from_utf8(raw).map_err(|_| {
                err_at(
                    1,
                    format!(
                        "header field {} is not UTF-8 text (is this a CSV file?)",
                        i + 1
                    ),
                )
            })?;
            names.push(name.trim().to_ascii_lowercase());
        }
        let mut positions = Vec::with_capacity(columns.len());
        for col in columns {
            let found: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| *n == col.name)
                .map(|(i, _)| i)
                .collect();
            if found.len() > 1 {
                return Err(Error::Import {
                    file: file.clone(),
                    line: 1,
                    column: Some(col.name.into()),
                    message: "appears more than once in the header".into(),
                });
            }
            if found.is_empty() && col.required {
                return Err(Error::Import {
                    file: file.clone(),
                    line: 1,
                    column: Some(col.name.into()),
                    message: format!(
                        "required column is missing (header has: {})",
                        names.join(", ")
                    ),
                });
            }
            positions.push(found.first().copied());
        }
        let unknown: Vec<String> = names
            .iter()
            .filter(|n| !n.is_empty() && !columns.iter().any(|c| c.name == n.as_str()))
            .cloned()
            .collect();
        let mut warnings = Vec::new();
        if !unknown.is_empty() {
            warnings.push(format!(
                "{file}:1: ignored unknown column(s): {}",
                unknown.join(", ")
            ));
        }
        Ok(CsvSource {
            file,
            reader,
            positions,
            columns,
            header_len: header.len(),
            names,
            total_bytes,
            warnings,
            record: csv::ByteRecord::new(),
            rows: 0,
        })
    }

    pub fn file_name(&self) -> &str {
        &self.file
    }

    /// True when the file's header has the `Column` at index `col`.
    pub fn has(&self, col: usize) -> bool {
        self.positions[col].is_some()
    }

    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().bytes
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The next data row, skipping blank lines. Reports progress and honours
    /// cancellation every few thousand rows.
    pub fn next_row(&mut self, progress: &dyn Progress) -> Result<Option<Row<'_>>> {
        loop {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    Error::Import {
                        file: self.file.clone(),
                        line,
                        column: None,
                        message: csv_problem(&e),
                    }
                })?;
            if !more {
                if self.rows == 0 {
                    return Err(Error::Import {
                        file: self.file.clone(),
                        line: 2,
                        column: None,
                        message: "no data rows after the header".into(),
                    });
                }
                progress.update(self.total_bytes, self.total_bytes);
                return Ok(None);
            }
            if self.record.len() == 1 && self.record[0].is_empty() {
                continue; // a blank line
            }
            let line = self.record.position().map(|p| p.line()).unwrap_or(0);
            if self.record.len() != self.header_len {
                return Err(Error::Import {
                    file: self.file.clone(),
                    line,
                    column: None,
                    message: format!(
                        "has {} fields but the header has {}",
                        self.record.len(),
                        self.header_len
                    ),
                });
            }
            // The whole file must be UTF-8, ignored columns included: a
            // stray Windows-1252 byte means the export used another encoding.
            if let Some(bad) = self
                .record
                .iter()
                .position(|f| std::str::from_utf8(f).is_err())
            {
                return Err(Error::Import {
                    file: self.file.clone(),
                    line,
                    column: Some(self.names[bad].clone()),
                    message: "is not UTF-8 text (save the file as UTF-8)".into(),
                });
            }
            self.rows += 1;
            if self.rows.is_multiple_of(8192) {
                if progress.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                progress.update(self.bytes_read(), self.total_bytes);
            }
            return Ok(Some(Row { source: self, line }));
        }
    }

    /// Hex SHA-256 of the whole file; call after the last row (again at
    /// `finish` gives the same digest).
    pub fn sha256(&mut self) -> String {
        self.reader.get_mut().digest()
    }

    /// Hex SHA-256 of the whole file; call after the last row.
    pub fn finish(mut self) -> String {
        self.sha256()
    }
}

fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("cannot read: {io}"),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("field {} is not UTF-8 text", err.field() + 1)
        }
        other => format!("malformed CSV: {other:?}"),
    }
}

/// One data row; fields are read by the index of their `Column`.
pub struct Row<'a> {
    source: &'a CsvSource,
    pub line: u64,
}

impl<'a> Row<'a> {
    pub fn error(&self, col: usize, message: impl Into<String>) -> Error {
        Error::Import {
            file: self.source.file.clone(),
            line: self.line,
            column: Some(self.source.columns[col].name.into()),
            message: message.into(),
        }
    }

    /// A column's bytes exactly as the file gave them (empty when the
    /// header lacks it), for a digest of the row: nothing is checked.
    pub fn raw(&self, col: usize) -> &'a [u8] {
        let source: &'a CsvSource = self.source;
        match source.positions[col] {
            Some(pos) => &source.record[pos],
            None => &[],
        }
    }

    /// The trimmed text of a column, `None` when absent or empty. Text a
    /// person could not have typed into a cell is refused here, for every
    /// importer: control characters (NUL, a terminal's escape sequences)
    /// and cells longer than [`MAX_CELL_CHARS`].
    pub fn opt(&self, col: usize) -> Result<Option<&'a str>> {
        let Some(pos) = self.source.positions[col] else {
            return Ok(None);
        };
        let source: &'a CsvSource = self.source;
        let raw = &source.record[pos];
        let text = std::str::from_utf8(raw).map_err(|_| self.error(col, "is not UTF-8 text"))?;
        let text = text.trim();
        // Bytes first: the characters are decoded only when a byte hints
        // at a control (C0, DEL, or the lead byte of C1). Line breaks and
        // tabs are text (FORMATS.md: quoted fields may hold line breaks).
        let layout = |c: char| matches!(c, '\n' | '\r' | '\t');
        if text
            .bytes()
            .any(|b| (b < 0x20 && !layout(char::from(b))) || b == 0x7f || b == 0xc2)
        {
            if let Some(c) = text.chars().find(|&c| c.is_control() && !layout(c)) {
                return Err(self.error(
                    col,
                    format!(
                        "contains a control character (U+{:04X}); only printable text is accepted",
                        u32::from(c)
                    ),
                ));
            }
        }
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            return Err(self.error(
                col,
                format!(
                    "is {} characters long; at most {MAX_CELL_CHARS} expected",
                    text.chars().count()
                ),
            ));
        }
        Ok((!text.is_empty()).then_some(text))
    }

    /// Refuses an event (shift, tally, shipment, booking) dated outside
    /// `time::EVENT_YEARS`.
    pub fn event_year(&self, col: usize, date: chrono::NaiveDate) -> Result<()> {
        match crate::time::event_year_problem(date) {
            Some(problem) => Err(self.error(col, problem)),
            None => Ok(()),
        }
    }

    pub fn req(&self, col: usize) -> Result<&'a str> {
        self.opt(col)?
            .ok_or_else(|| self.error(col, "is required but empty"))
    }

    pub fn opt_parse<T>(
        &self,
        col: usize,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        match self.opt(col)? {
            None => Ok(None),
            Some(text) => parse(text)
                .map(Some)
                .ok_or_else(|| self.error(col, format!("{text:?} is not {what}"))),
        }
    }

    pub fn req_parse<T>(
        &self,
        col: usize,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T> {
        let text = self.req(col)?;
        parse(text).ok_or_else(|| self.error(col, format!("{text:?} is not {what}")))
    }

    /// The date of a clinic event, within `time::EVENT_YEARS`.
    pub fn req_date(&self, col: usize) -> Result<chrono::NaiveDate> {
        let date = self.req_parse(col, "a date (YYYY-MM-DD)", crate::time::parse_date)?;
        self.event_year(col, date)?;
        Ok(date)
    }

    /// A birth date: from 1900 to today.
    pub fn opt_birth_date(&self, col: usize) -> Result<Option<chrono::NaiveDate>> {
        let Some(date) = self.opt_parse(col, "a date (YYYY-MM-DD)", crate::time::parse_date)?
        else {
            return Ok(None);
        };
        if !crate::time::is_birth_date(date) {
            return Err(self.error(
                col,
                format!("{date} is not a birth date DoseDesk accepts (1900-01-01 to today)"),
            ));
        }
        Ok(Some(date))
    }

    pub fn req_time(&self, col: usize) -> Result<u32> {
        self.req_parse(col, "a time (HH:MM)", crate::time::parse_hhmm)
    }

    pub fn opt_time(&self, col: usize) -> Result<Option<u32>> {
        self.opt_parse(col, "a time (HH:MM)", crate::time::parse_hhmm)
    }

    /// An integer in `min..=max`.
    pub fn opt_int(&self, col: usize, min: i64, max: i64) -> Result<Option<i64>> {
        let value = self.opt_parse(col, "a whole number", |s| s.parse::<i64>().ok())?;
        match value {
            Some(v) if v < min || v > max => Err(self.error(col, range_message(v, min, max))),
            other => Ok(other),
        }
    }

    pub fn req_int(&self, col: usize, min: i64, max: i64) -> Result<i64> {
        self.opt_int(col, min, max)?
            .ok_or_else(|| self.error(col, "is required but empty"))
    }

    pub fn opt_f64(&self, col: usize, min: f64, max: f64) -> Result<Option<f64>> {
        let value = self.opt_parse(col, "a number", |s| {
            s.parse::<f64>().ok().filter(|v| v.is_finite())
        })?;
        match value {
            Some(v) if v < min || v > max => {
                Err(self.error(col, format!("{v} is out of range {min} to {max}")))
            }
            other => Ok(other),
        }
    }

    pub fn req_f64(&self, col: usize, min: f64, max: f64) -> Result<f64> {
        self.opt_f64(col, min, max)?
            .ok_or_else(|| self.error(col, "is required but empty"))
    }

    /// One of `allowed`, matched case-insensitively; returns the canonical word.
    pub fn opt_word(&self, col: usize, allowed: &[&'static str]) -> Result<Option<&'static str>> {
        let Some(text) = self.opt(col)? else {
            return Ok(None);
        };
        allowed
            .iter()
            .find(|w| w.eq_ignore_ascii_case(text))
            .copied()
            .map(Some)
            .ok_or_else(|| {
                self.error(
                    col,
                    format!("{text:?} is not one of: {}", allowed.join(", ")),
                )
            })
    }

    pub fn req_word(&self, col: usize, allowed: &[&'static str]) -> Result<&'static str> {
        self.opt_word(col, allowed)?
            .ok_or_else(|| self.error(col, "is required but empty"))
    }
}

fn range_message(v: i64, min: i64, max: i64) -> String {
    if v < min && min == 0 {
        format!("{v} is negative; must be 0 or more")
    } else if max >= 1_000_000 && v < min {
        format!("{v} is too small; must be at least {min}")
    } else if max >= 1_000_000 {
        format!("{v} is too large; must be at most {max}")
    } else {
        format!("{v} is out of range {min} to {max}")
    }
}
