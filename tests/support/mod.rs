//! Drives the real DoseDesk binary in its real WebKit webview: tauri-driver
//! (which starts WebKitWebDriver) on a free port, the app launched by the
//! driver with `--db PATH`, a fantoccini client speaking WebDriver.
//!
//! Needs a display (run under `xvfb-run`), `tauri-driver` (on PATH, or
//! `TAURI_DRIVER=PATH`) and the app
//! built (`cargo build -p dosedesk`); `make test` provides all three.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// The views a manager's menu offers, in its order.
pub const MENU: [&str; 13] = [
    "schedule",
    "dashboard",
    "bookings",
    "book",
    "checks",
    "rebook",
    "tallies",
    "planner",
    "siting",
    "sync",
    "audit",
    "users",
    "settings",
];

/// The first manager the tests name when the app asks for one (a store
/// made new through the app, or a plain one encrypted there).
pub const E2E_USER: &str = "manager";
pub const E2E_PASSPHRASE: &str = "an end-to-end passphrase";

/// A slot's places and its active bookings (booked or attended), counted
/// in the store: `(capacity, booked)`.
pub fn slot_use(db: &Path, site: &str, slot: &str) -> TestResult<(i64, i64)> {
    let conn = dosedesk_core::store::open(db)?;
    let site = dosedesk_core::store::site::id(&conn, site)?;
    let minute = dosedesk_core::time::minute_of(
        dosedesk_core::time::parse_local_datetime(slot).ok_or("slot")?,
    );
    let capacity = dosedesk_core::capacity::slot_capacity_at(&conn, site, minute)?.unwrap_or(0);
    let booked: i64 = conn.query_row(
        "SELECT count(*) FROM appointment WHERE site_id = ?1 AND slot_minute = ?2
         AND status IN ('booked', 'attended')",
        rusqlite::params![site, minute],
        |r| r.get(0),
    )?;
    Ok((capacity, booked))
}

/// One app session at a time: WebKitWebDriver and two cores do not like more.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The built desktop app: `DOSEDESK_APP`, else the workspace's debug build.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("DOSEDESK_APP") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("debug").join("dosedesk")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(4444)
}

/// tauri-driver in its own process group, with WebKitWebDriver and the app
/// under it: dropping this (also when a test panics) ends all three.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct App {
    pub client: Client,
    driver: Driver,
    _guard: tokio::sync::MutexGuard<'static, ()>,
    _home: tempfile::TempDir,
    /// The file the app's file dialogs read their answer from (debug
    /// builds, `DOSEDESK_E2E_PICKS`): WebDriver cannot drive a native dialog.
    picks: PathBuf,
    /// What the app and its drivers have written to stderr so far.
    log: Log,
}

/// Lines of stderr, kept as they come.
type Log = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

impl App {
    /// Starts the app on the database at `db`.
    pub async fn launch(db: &Path) -> TestResult<App> {
        App::launch_with(db, &[], &[]).await
    }

    /// Starts the app on `db` with more command-line `args`, and `env` set
    /// for the app (e.g. its `TZ`).
    pub async fn launch_with(db: &Path, args: &[&str], env: &[(&str, &str)]) -> TestResult<App> {
        let app = App::launch_at_the_door(db, args, env).await?;
        app.through_the_door(db).await?;
        Ok(app)
    }

    /// Starts the app as [`App::launch_with`] does, and leaves it on the
    /// store's first screen, whatever that is (a sign-in, a set-up).
    pub async fn launch_at_the_door(
        db: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> TestResult<App> {
        let guard = ONE_AT_A_TIME.lock().await;
        let app = app_binary();
        if !app.exists() {
            return Err(format!(
                "{} not found: build it first (cargo build -p dosedesk)",
                app.display()
            )
            .into());
        }
        if std::env::var_os("DISPLAY").is_none() {
            return Err(
                "no DISPLAY: run the end-to-end tests under xvfb-run (make test does)".into(),
            );
        }
        // A window that cannot open (GTK failing to reach the X server, seen
        // once in CI after hundreds of launches) leaves WebDriver waiting for
        // the app for ever: give the start a deadline, and one more try.
        let started = match App::start_session(&app, db, args, env).await {
            Ok(started) => started,
            Err(first) => {
                eprintln!("the app did not start ({first}); starting it once more");
                App::start_session(&app, db, args, env).await?
            }
        };
        let (client, driver, home, picks, log) = started;
        let app = App {
            client,
            driver,
            _guard: guard,
            _home: home,
            picks,
            log,
        };
        // The UI attaches its handlers when its module has run: wait for it.
        app.find("body[data-ready]").await?;
        Ok(app)
    }

    /// tauri-driver on free ports and a WebDriver session with the app on
    /// `db`: the client, the driver (stopped when dropped), the app's own
    /// home and its file-dialog answer file.
    async fn start_session(
        app: &Path,
        db: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> TestResult<(Client, Driver, tempfile::TempDir, PathBuf, Log)> {
        let port = free_port();
        let native_port = loop {
            let p = free_port();
            if p != port {
                break p;
            }
        };
        use std::os::unix::process::CommandExt;
        let tauri_driver =
            std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        // Each app gets its own WebKit storage, so a setting one test
        // changes (the UI language) cannot leak into the next.
        let home = tempfile::tempdir()?;
        let picks = home.path().join("next-file-dialog-answer");
        let mut child = Command::new(tauri_driver)
            .env("DOSEDESK_E2E_PICKS", &picks)
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .envs(env.iter().copied())
            .process_group(0)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver ({e}); install it: cargo install tauri-driver --locked"))?;
        let log = keep_and_show(&mut child);
        let driver = Driver(child);
        // tauri-driver forwards to WebKitWebDriver, which it starts: a session
        // requested before both listen fails with a dropped connection.
        wait_for_port(port, Duration::from_secs(20)).await?;
        wait_for_port(native_port, Duration::from_secs(20)).await?;

        let mut app_args = vec![serde_json::json!("--db"), serde_json::json!(db)];
        app_args.extend(args.iter().map(|arg| serde_json::json!(arg)));
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({
                "application": app,
                "args": app_args,
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut builder = ClientBuilder::new(connector);
        let url = format!("http://127.0.0.1:{port}");
        let session = builder.capabilities(caps).connect(&url);
        let client = tokio::time::timeout(Duration::from_secs(90), session)
            .await
            .map_err(|_| "no WebDriver session within 90 s: the app's window did not open")??;
        Ok((client, driver, home, picks, log))
    }

    /// Past the store's first screen as its user would go: a demo store is
    /// signed in with the account its sign-in screen shows; a store not
    /// made yet, or a plain one, is set up (encrypted) with [`E2E_USER`] as
    /// its first manager, and this process then holds its key too, so the
    /// test can read the store. Any other encrypted store stays at its
    /// sign-in, for the test to sign in.
    pub async fn through_the_door(&self, db: &Path) -> TestResult {
        use dosedesk_core::store::encryption;
        if self.is_shown("#setup-view").await? {
            self.type_into("#setup-user", E2E_USER).await?;
            self.type_into("#setup-passphrase", E2E_PASSPHRASE).await?;
            self.type_into("#setup-repeat", E2E_PASSPHRASE).await?;
            self.click("#setup-submit").await?;
            self.find("#signed-in:not([hidden])").await?;
            encryption::unlock(db, E2E_USER, E2E_PASSPHRASE)?;
        } else if let Some((user, passphrase)) = encryption::demo_account(db) {
            if self.is_shown("#signin-view").await? {
                self.set_value("#signin-user", user).await?;
                self.type_into("#signin-passphrase", passphrase).await?;
                self.click("#signin-submit").await?;
                self.find("#signed-in:not([hidden])").await?;
            }
        }
        Ok(())
    }

    /// Whether an element matching `css` is on the page now (no waiting).
    pub async fn is_shown(&self, css: &str) -> TestResult<bool> {
        Ok(!self.client.find_all(Locator::Css(css)).await?.is_empty())
    }

    /// Waits up to 20 s for an element. On a timeout the error says what
    /// the page showed instead (its error bar and the start of the view).
    pub async fn find(&self, css: &str) -> TestResult<Element> {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(el) => Ok(el),
            Err(e) => {
                let page = self
                    .client
                    .execute(
                        "return [document.getElementById('error-message')?.innerText ?? '',
                                 (document.getElementById('view')?.innerText ?? '').slice(0, 400)];",
                        vec![],
                    )
                    .await
                    .unwrap_or_default();
                Err(format!("waiting for {css}: {e}; the page showed {page}").into())
            }
        }
    }

    /// Types `keys` into the element matching `css`. A view that re-renders
    /// between finding the element and typing leaves a stale handle, which
    /// WebDriver refuses before a key is typed: find it again and retry.
    pub async fn type_into(&self, css: &str, keys: &str) -> TestResult {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.find(css).await?.send_keys(keys).await {
                Ok(()) => return Ok(()),
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Saves the window as `DIR/NAME.png` when `DOSEDESK_SCREENSHOTS=DIR`.
    pub async fn screenshot(&self, name: &str) -> TestResult {
        if let Ok(dir) = std::env::var("DOSEDESK_SCREENSHOTS") {
            std::fs::write(format!("{dir}/{name}.png"), self.client.screenshot().await?)?;
        }
        Ok(())
    }

    /// The `value` property of the element matching `css` (a date field's
    /// is its day as `YYYY-MM-DD`).
    pub async fn value(&self, css: &str) -> TestResult<String> {
        Ok(self
            .find(css)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default())
    }

    /// Sets the `value` of the element matching `css` from the page, as a
    /// script would (a date or slot field shows it in the app's words).
    pub async fn set_value(&self, css: &str, value: &str) -> TestResult {
        self.find(css).await?;
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![serde_json::json!(css), serde_json::json!(value)],
            )
            .await?;
        Ok(())
    }

    /// Chooses `value` in the select matching `css`, finding it again if
    /// the view re-rendered between finding and choosing.
    pub async fn select(&self, css: &str, value: &str) -> TestResult {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.find(css).await?.select_by_value(value).await {
                Ok(_) => return Ok(()),
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Clicks the element matching `css` once it is there, in one step in
    /// the page: a view that re-renders meanwhile cannot leave the test
    /// holding a stale handle.
    pub async fn click(&self, css: &str) -> TestResult {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.find(css).await?;
            let clicked = self
                .client
                .execute(
                    "const e = document.querySelector(arguments[0]); if (e) e.click(); return !!e;",
                    vec![serde_json::json!(css)],
                )
                .await?;
            if clicked == serde_json::Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("{css} went away before it could be clicked").into());
            }
        }
    }

    /// Waits until the element's text contains `want`; returns the text.
    pub async fn wait_text(&self, css: &str, want: &str) -> TestResult<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                last = el.text().await.unwrap_or_default();
                if last.contains(want) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} never contained {want:?}; last text: {last:?}").into())
    }

    /// Waits until the rendered text (innerText) of an element matching
    /// `css` contains `want`. WebDriver's own element text came back empty
    /// for the top bar's sync state, whose text is clipped with an ellipsis.
    pub async fn wait_inner_text(&self, css: &str, want: &str) -> TestResult<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = Vec::new();
        while Instant::now() < deadline {
            last = self.texts(css).await?;
            if let Some(hit) = last.iter().find(|t| t.contains(want)) {
                return Ok(hit.clone());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} never contained {want:?}; last: {last:?}").into())
    }

    /// The rendered text of every match, read in one step (the views
    /// re-render, so element handles held across calls may go stale).
    pub async fn texts(&self, css: &str) -> TestResult<Vec<String>> {
        self.query_all(css, "e.innerText").await
    }

    /// Waits until the attribute of every match is `want`, in order.
    pub async fn wait_attrs(&self, css: &str, attr: &str, want: &[String]) -> TestResult {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = Vec::new();
        while Instant::now() < deadline {
            last = self.attrs(css, attr).await?;
            if last == want {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} {attr}: wanted {want:?}, last {last:?}").into())
    }

    /// An attribute of every `inner` match in the rebooking desk's table
    /// once it holds its whole page: its rows below the first screen come
    /// a frame later (`aria-busy` until then), and the page may be drawn
    /// again meanwhile, so the two are read in one step. Waits until at
    /// least one matches.
    pub async fn desk_attrs(&self, inner: &str, attr: &str) -> TestResult<Vec<String>> {
        let css = format!("#rebook-table[aria-busy='false'] {inner}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let found = self.attrs(&css, attr).await?;
            if !found.is_empty() {
                return Ok(found);
            }
            if Instant::now() > deadline {
                return Err(format!("the desk never drew a whole page with {inner}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An attribute of every match, read in one step.
    pub async fn attrs(&self, css: &str, attr: &str) -> TestResult<Vec<String>> {
        self.query_all(css, &format!("e.getAttribute({attr:?}) ?? ''"))
            .await
    }

    async fn query_all(&self, css: &str, expr: &str) -> TestResult<Vec<String>> {
        let script =
            format!("return [...document.querySelectorAll(arguments[0])].map((e) => {expr});");
        let value = self
            .client
            .execute(&script, vec![serde_json::json!(css)])
            .await?;
        Ok(serde_json::from_value(value)?)
    }

    /// The next native open dialog — which WebDriver cannot drive — answers
    /// `path`, as if the person chose it. The shell reads the answer (debug
    /// builds only); the page never sees more than the token it is given.
    pub async fn pick_file_next(&self, path: &Path) -> TestResult {
        std::fs::write(&self.picks, path.as_os_str().as_encoded_bytes())?;
        Ok(())
    }

    /// The next native save dialog answers `path`.
    pub async fn save_file_next(&self, path: &Path) -> TestResult {
        self.pick_file_next(path).await
    }

    /// The ids of the app's processes whose command line names `program`
    /// (WebKit's `WebKitWebProcess`, say): tauri-driver, WebKitWebDriver,
    /// the app and WebKit's processes share one process group.
    pub fn processes(&self, program: &str) -> TestResult<Vec<u32>> {
        let group = self.driver.0.id().to_string();
        let found = Command::new("pgrep")
            .args(["-g", &group, "-f", program])
            .output()?;
        // pgrep exits 1 when nothing matches, 2 or more when it could not look.
        if found.status.code().is_none_or(|code| code > 1) {
            return Err(format!("pgrep could not list process group {group}").into());
        }
        Ok(String::from_utf8_lossy(&found.stdout)
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()?)
    }

    /// The lines of the app's log (its stderr, and its drivers') that
    /// contain `text`, so far.
    pub fn log_lines(&self, text: &str) -> Vec<String> {
        let log = self
            .log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        log.iter()
            .filter(|line| line.contains(text))
            .cloned()
            .collect()
    }

    pub async fn close(self) -> TestResult {
        self.client.close().await?;
        Ok(())
    }
}

/// Passes `child`'s stderr on to the tests' own, line by line (as it was
/// shown before, so a failure's output still has the app's log), and keeps
/// the lines for [`App::log_lines`].
fn keep_and_show(child: &mut Child) -> Log {
    use std::io::{BufRead, Write};
    let log = Log::default();
    if let Some(stderr) = child.stderr.take() {
        let kept = log.clone();
        std::thread::spawn(move || {
            // Bytes, not `lines()`: a line that is not UTF-8 must not stop the
            // reading, or the app would block once the pipe is full.
            let mut reader = std::io::BufReader::new(stderr);
            let mut bytes = Vec::new();
            while matches!(reader.read_until(b'\n', &mut bytes), Ok(n) if n > 0) {
                let line = String::from_utf8_lossy(&bytes).trim_end().to_owned();
                bytes.clear();
                let _ = writeln!(std::io::stderr(), "{line}");
                kept.lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push(line);
            }
        });
    }
    log
}

async fn wait_for_port(port: u16, timeout: Duration) -> TestResult {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("nothing listens on port {port} (tauri-driver or WebKitWebDriver)").into())
}

/// `dosedesk-cli`, built next to the app (`cargo build -p dosedesk-cli`).
pub fn cli_binary() -> TestResult<PathBuf> {
    let app = app_binary();
    let cli = app.with_file_name("dosedesk-cli");
    if cli.exists() {
        Ok(cli)
    } else {
        Err(format!(
            "{} not found: build it first (cargo build -p dosedesk-cli)",
            cli.display()
        )
        .into())
    }
}

/// `dosedesk-cli --db DB`, signed in as the store's user (every store is
/// encrypted): the demo's public account on a demo store, else
/// [`E2E_USER`], the first manager the tests name.
pub fn cli_on(db: &Path) -> TestResult<Command> {
    let (user, passphrase) =
        dosedesk_core::store::encryption::demo_account(db).unwrap_or((E2E_USER, E2E_PASSPHRASE));
    let file = std::env::temp_dir().join(format!("dosedesk-e2e-{}-{user}", std::process::id()));
    std::fs::write(&file, format!("{passphrase}\n"))?;
    let mut command = Command::new(cli_binary()?);
    command
        .env("DOSEDESK_USER", user)
        .env("DOSEDESK_PASSPHRASE_FILE", file)
        .stdin(Stdio::null())
        .arg("--db")
        .arg(db);
    Ok(command)
}

/// A fresh demo store in `dir`, as `dosedesk-cli demo` makes one: the
/// built-in demo, encrypted, its account public (the app is signed in with
/// it at launch). This process keeps its key, to read the store.
pub fn demo_db(dir: &Path) -> PathBuf {
    let path = dir.join("demo.sqlite3");
    dosedesk_core::store::encryption::create_demo(&path).expect("demo store");
    let mut conn = dosedesk_core::store::open(&path).expect("open");
    dosedesk_core::demo::load(&mut conn, &dosedesk_core::import::Quiet).expect("demo");
    path
}

/// An encrypted store in `dir` holding the demo, which `manager` opens
/// with `passphrase` (its first user once signed in); its key is forgotten
/// again, as when the app starts.
pub fn encrypted_demo_db(dir: &Path, passphrase: &str) -> TestResult<PathBuf> {
    let path = dir.join("encrypted.sqlite3");
    dosedesk_core::store::encryption::create(&path, "manager", passphrase)?;
    {
        let mut conn = dosedesk_core::store::open(&path)?;
        dosedesk_core::demo::load(&mut conn, &dosedesk_core::import::Quiet)?;
    }
    dosedesk_core::store::encryption::forget(&path);
    Ok(path)
}
