//! Bundles: a laptop with no network writes its pending changes to a file
//! (the same batches a push sends, each signed with its credential); a
//! laptop that syncs imports the file and forwards the batches on its next
//! sync. The server checks each signature and applies each batch once, so
//! a bundle imported twice, or carried twice, changes nothing. The file
//! ends with a SHA-256 of everything before it: an altered or truncated
//! file is refused whole.

use super::enrolment;
use super::push::Outbox;
use crate::error::{Error, Result};
use crate::store::sync_log;
use hmac::{Hmac, Mac};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

const FORMAT: &str = "dosedesk-sync-bundle";
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    device: String,
    created_at: String,
    batches: usize,
}

#[derive(Serialize, Deserialize)]
struct Signed {
    batch_id: String,
    signature: String,
    /// The batch's JSON exactly as signed.
    body: String,
}

#[derive(Serialize, Deserialize)]
struct Trailer {
    sha256: String,
}

/// What an export wrote.
#[derive(Debug, Serialize)]
pub struct Exported {
    pub batches: usize,
    pub rows: usize,
}

/// HMAC-SHA256 of a batch body under a device credential. The key is the
/// SHA-256 of the credential, which is what the server keeps of it.
pub fn sign(secret: &str, body: &str) -> String {
    let key = Sha256::digest(secret.as_bytes());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
    mac.update(body.as_bytes());
    hex(&mac.finalize().into_bytes())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes every change not yet pushed to `out` (through `export::write`:
/// a full disk never leaves half a bundle).
/// Changes stay recorded: each bundle holds all of them since the last
/// push, so a lost stick loses nothing.
pub fn export(conn: &Connection, out: &Path) -> Result<Exported> {
    let me = enrolment::require(conn)?;
    let watermark = sync_log::watermark(conn)?;
    let mut outbox = Outbox::new(conn, watermark)?;
    let mut lines = Vec::new();
    let mut rows = 0;
    while let Some(batch) = outbox.next_batch(conn)? {
        rows += batch.rows.len();
        let body = json(&batch)?;
        lines.push(Signed {
            batch_id: batch.batch_id.clone(),
            signature: sign(&me.secret, &body),
            body,
        });
    }
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        device: me.device,
        created_at: crate::store::now_timestamp(),
        batches: lines.len(),
    };
    let mut text = String::new();
    text.push_str(&json(&header)?);
    text.push('\n');
    for line in &lines {
        text.push_str(&json(line)?);
        text.push('\n');
    }
    let trailer = Trailer {
        sha256: hex(&Sha256::digest(text.as_bytes())),
    };
    text.push_str(&json(&trailer)?);
    text.push('\n');
    // It carries people's details: written as every export is (never onto
    // the store, whole or not at all, its owner's only).
    crate::export::write(conn, out, |w| {
        w.write_all(text.as_bytes()).map_err(|e| Error::io(out, &e))
    })?;
    Ok(Exported {
        batches: lines.len(),
        rows,
    })
}

fn json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct Imported {
    pub device: String,
    pub batches: usize,
    /// Batches already here (from an earlier import of the same bundle).
    pub already_here: usize,
}

/// Checks a bundle whole, then keeps its batches for the next sync, in
/// one transaction.
pub fn import(conn: &mut Connection, file: &Path) -> Result<Imported> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, &e))?;
    let text =
        String::from_utf8(bytes).map_err(|_| bad(&name, 1, "not UTF-8 text: not a bundle"))?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.len() < 2 || !text.ends_with('\n') {
        return Err(bad(
            &name,
            lines.len() as u64,
            "the file ends early: the bundle was cut short; nothing was imported",
        ));
    }
    let body_len: usize = lines[..lines.len() - 1].iter().map(|l| l.len()).sum();
    let trailer: Trailer = serde_json::from_str(lines[lines.len() - 1])
        .map_err(|_| bad(&name, lines.len() as u64, "the last line is not the bundle's checksum: the bundle was cut short or altered; nothing was imported"))?;
    if hex(&Sha256::digest(&text.as_bytes()[..body_len])) != trailer.sha256 {
        return Err(bad(&name, lines.len() as u64, "the checksum does not match the contents: the bundle was altered or damaged; nothing was imported"));
    }
    let header: Header = serde_json::from_str(lines[0])
        .map_err(|e| bad(&name, 1, &format!("not a DoseDesk bundle header: {e}")))?;
    if header.format != FORMAT || header.version != VERSION {
        return Err(bad(
            &name,
            1,
            &format!(
                "format {} version {}: this DoseDesk reads {FORMAT} version {VERSION}",
                header.format, header.version
            ),
        ));
    }
    let batch_lines = &lines[1..lines.len() - 1];
    if batch_lines.len() != header.batches {
        return Err(bad(
            &name,
            1,
            &format!(
                "the header names {} batches but the file holds {}",
                header.batches,
                batch_lines.len()
            ),
        ));
    }
    let now = crate::store::now_timestamp();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut already_here = 0;
    for (k, line) in batch_lines.iter().enumerate() {
        let line_no = k as u64 + 2;
        let signed: Signed = serde_json::from_str(line)
            .map_err(|e| bad(&name, line_no, &format!("not a signed batch: {e}")))?;
        let batch: super::wire::PushBatch = serde_json::from_str(&signed.body)
            .map_err(|e| bad(&name, line_no, &format!("batch: {e}")))?;
        if batch.batch_id != signed.batch_id {
            return Err(bad(
                &name,
                line_no,
                "the batch's id does not match its envelope",
            ));
        }
        let inserted = tx
            .prepare_cached(
                "INSERT INTO sync_outbox (batch_id, device, body, signature, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (batch_id) DO NOTHING",
            )?
            .execute(params![
                signed.batch_id,
                header.device,
                signed.body,
                signed.signature,
                now
            ])?;
        already_here += usize::from(inserted == 0);
    }
    tx.commit()?;
    Ok(Imported {
        device: header.device,
        batches: batch_lines.len(),
        already_here,
    })
}

fn bad(file: &str, line: u64, message: &str) -> Error {
    Error::Import {
        file: file.to_string(),
        line,
        column: None,
        message: message.to_string(),
    }
}

pub(crate) struct Waiting {
    pub batch_id: String,
    pub device: String,
    pub body: String,
    pub signature: String,
}

pub(crate) fn outbox(conn: &Connection) -> Result<Vec<Waiting>> {
    let mut stmt =
        conn.prepare("SELECT batch_id, device, body, signature FROM sync_outbox ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok(Waiting {
            batch_id: r.get(0)?,
            device: r.get(1)?,
            body: r.get(2)?,
            signature: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn forwarded(conn: &Connection, batch_id: &str) -> Result<()> {
    conn.execute("DELETE FROM sync_outbox WHERE batch_id = ?1", [batch_id])?;
    Ok(())
}

pub(crate) fn waiting(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM sync_outbox", [], |r| r.get(0))?)
}
