//! The real server, over HTTPS (or plain HTTP on the loopback interface):
//! one blocking client, so the CLI and the app's background task call it
//! from a worker thread. Errors from the server arrive as `{code, message}`.

use super::enrolment::Enrolment;
use super::wire::{
    Conflict, EnrolReply, EnrolRequest, Keep, PullPage, PushBatch, PushReply, ResolveRequest,
    Table, WireError,
};
use super::Transport;
use crate::error::{Error, Result};
use std::sync::Arc;
use std::time::Duration;

pub struct Client {
    agent: ureq::Agent,
    base: String,
    bearer: String,
}

/// How long a sync may wait on one request (a first push of a province's
/// bookings sends batches of several megabytes).
const SYNC_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a booking waits for the central capacity guard: the local
/// store's write lock is held meanwhile, and an unanswered server is
/// treated as unreachable (the booking is kept here, checked at the next
/// sync).
const BOOKING_TIMEOUT: Duration = Duration::from_secs(8);

impl Client {
    pub fn new(e: &Enrolment) -> Result<Client> {
        Client::with_timeout(e, SYNC_TIMEOUT)
    }

    /// A client for the capacity guard of one booking.
    pub fn for_booking(e: &Enrolment) -> Result<Client> {
        Client::with_timeout(e, BOOKING_TIMEOUT)
    }

    fn with_timeout(e: &Enrolment, timeout: Duration) -> Result<Client> {
        Ok(Client {
            agent: agent(e.ca_pem.as_deref(), timeout)?,
            base: e.server.trim_end_matches('/').to_string(),
            bearer: format!("Bearer {}", e.secret),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<T> {
        let reply = self
            .agent
            .post(&self.url(path))
            .set("Authorization", &self.bearer)
            .send_json(body);
        read(&self.base, reply)
    }
}

/// Exchanges a one-time enrolment token for this laptop's credential.
pub fn enrol(server: &str, token: &str, ca_pem: Option<&str>) -> Result<Enrolment> {
    let base = server_address(server)?;
    let reply: EnrolReply = read(
        &base,
        agent(ca_pem, SYNC_TIMEOUT)?
            .post(&format!("{base}/v1/enrol"))
            .send_json(EnrolRequest {
                token: token.trim().to_string(),
            }),
    )?;
    Ok(Enrolment {
        server: base,
        device: reply.device,
        role: reply.role,
        sites: reply.sites,
        secret: reply.secret,
        ca_pem: ca_pem.map(str::to_string),
    })
}

/// `server` as the base of the sync API's addresses: http:// or https://,
/// a host, and no trailing slash. A typo is refused here, in words, rather
/// than reported as "offline" (which tells the person to try again later).
pub(crate) fn server_address(server: &str) -> Result<String> {
    let trimmed = server.trim().trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(trimmed.to_string())
        }
        _ => Err(Error::InvalidInput(format!(
            "server \"{server}\" is not an address like https://dosedesk.example.org:8443"
        ))),
    }
}

impl Transport for Client {
    fn push(&mut self, batch: &PushBatch) -> Result<PushReply> {
        self.post("/v1/push", batch)
    }

    fn book(&mut self, batch: &PushBatch) -> Result<PushReply> {
        self.post("/v1/book", batch)
    }

    fn forward(&mut self, device: &str, body: &str, signature: &str) -> Result<PushReply> {
        let reply = self
            .agent
            .post(&self.url("/v1/forward"))
            .set("Authorization", &self.bearer)
            .set("X-DoseDesk-Device", device)
            .set("X-DoseDesk-Signature", signature)
            .set("Content-Type", "application/json")
            .send_string(body);
        read(&self.base, reply)
    }

    fn pull(&mut self, cursor: i64, limit: usize, only: Option<Table>) -> Result<PullPage> {
        let mut request = self
            .agent
            .get(&self.url("/v1/pull"))
            .set("Authorization", &self.bearer)
            .query("cursor", &cursor.to_string())
            .query("limit", &limit.to_string());
        if let Some(table) = only {
            request = request.query("table", table.name());
        }
        let reply = request.call();
        read(&self.base, reply)
    }

    fn conflicts(&mut self) -> Result<Vec<Conflict>> {
        let reply = self
            .agent
            .get(&self.url("/v1/conflicts"))
            .set("Authorization", &self.bearer)
            .call();
        read(&self.base, reply)
    }

    fn resolve(
        &mut self,
        conflict_id: i64,
        keep: Keep,
        value: Option<serde_json::Value>,
    ) -> Result<()> {
        let _: serde_json::Value = self.post(
            &format!("/v1/conflicts/{conflict_id}/resolve"),
            &ResolveRequest { keep, value },
        )?;
        Ok(())
    }
}

fn read<T: serde::de::DeserializeOwned>(
    server: &str,
    reply: std::result::Result<ureq::Response, ureq::Error>,
) -> Result<T> {
    match reply {
        Ok(response) => {
            // Read whole, then parse: serde_json reading from the response
            // itself pulls it a byte at a time.
            let mut body = Vec::new();
            std::io::Read::read_to_end(&mut response.into_reader(), &mut body)
                .map_err(|e| Error::Offline(format!("{server}: reply cut short: {e}")))?;
            serde_json::from_slice(&body)
                .map_err(|e| Error::Sync(format!("{server}: unreadable reply: {e}")))
        }
        Err(ureq::Error::Status(status, response)) => {
            let text = response.into_string().unwrap_or_default();
            let (code, message) = serde_json::from_str::<WireError>(&text)
                .map(|e| (e.code, e.message))
                .unwrap_or((String::new(), text));
            Err(match status {
                401 | 403 => Error::InvalidInput(format!("{server} refused: {message}")),
                409 if code == "slot_full" => Error::SlotFull(message),
                409 => Error::Conflict(message),
                _ => Error::Sync(format!("{server} answered {status}: {message}")),
            })
        }
        // A certificate this laptop cannot trust is not "offline": syncing
        // again will not help until it is given the unit's authority.
        Err(ureq::Error::Transport(t)) if t.to_string().contains("certificate") => Err(Error::Sync(
            format!("{server}: the server's certificate is not trusted ({t}); enrol with the unit's certificate authority (sync enrol --ca-cert FILE)"),
        )),
        Err(ureq::Error::Transport(t)) => Err(Error::Offline(format!("{server}: {t}"))),
    }
}

fn agent(ca_pem: Option<&str>, timeout: Duration) -> Result<ureq::Agent> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = ca_pem {
        let mut reader = std::io::BufReader::new(pem.as_bytes());
        for cert in rustls_pemfile::certs(&mut reader) {
            let cert = cert.map_err(|e| Error::InvalidInput(format!("CA certificate: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| Error::InvalidInput(format!("CA certificate: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(ureq::AgentBuilder::new()
        .tls_config(Arc::new(tls))
        .timeout_connect(Duration::from_secs(5).min(timeout))
        .timeout(timeout)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_address_needs_a_scheme_and_a_host() {
        assert_eq!(
            server_address("https://unit.example:8443/").expect("ok"),
            "https://unit.example:8443"
        );
        assert_eq!(
            server_address(" http://127.0.0.1:9000 ").expect("ok"),
            "http://127.0.0.1:9000"
        );
        for bad in [
            "notaurl",
            "unit.example:8443",
            "https://",
            "ftp://unit.example",
            "https:///v1",
            "http://a b",
        ] {
            let e = server_address(bad).expect_err(bad);
            assert_eq!(e.code(), "invalid_input", "{bad}");
            assert!(e.to_string().contains(&format!("\"{bad}\"")), "{e}");
        }
    }
}
