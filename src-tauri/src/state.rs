//! What the app keeps for its lifetime: the store, opened and migrated once
//! at start-up, as a small pool of view connections and one bulk
//! connection; and the table of running jobs, each with its own
//! cancellation token.
//!
//! Connections are checked out inside `spawn_blocking` and go back to their
//! pool when the command's work is done; the pool's lock is held only to
//! take or return a connection, never across an `.await`.

use dosedesk_core::{store, Connection, Error, Result};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// View connections kept open at most: the views' commands run on two
/// cores, and one slow view (a whole rebooking plan) must not hold up the next.
pub const VIEW_CONNECTIONS: usize = 3;

/// The store's connections. The first is opened (and the file migrated) at
/// start-up; the others lazily, with `store::open_for_use`, when commands overlap.
pub struct Store {
    path: PathBuf,
    views: Pool,
    bulk: Pool,
    /// Connections opened over the app's life (tests hold the pools to their size).
    opened: AtomicUsize,
}

impl Store {
    /// Opens and migrates the store at `path`. If that fails the app still
    /// starts: every command then tries again and reports why it cannot
    /// (the error bar shows it), as when each command opened its own.
    pub fn open(path: &Path) -> (Arc<Store>, Result<()>) {
        let store = Arc::new(Store {
            path: path.to_path_buf(),
            views: Pool::new(VIEW_CONNECTIONS, store::VIEW_CACHE_SIZE),
            bulk: Pool::new(1, store::BULK_CACHE_SIZE),
            opened: AtomicUsize::new(0),
        });
        let first = store.view().map(drop);
        (store, first)
    }

    /// A connection for a view's command: the small page cache.
    pub fn view(&self) -> Result<Pooled<'_>> {
        self.views.get(self, None)
    }

    /// The bulk connection (large page cache) for imports, the demo load and
    /// other long jobs. Jobs take turns on it; one waiting its turn stops
    /// waiting when it is cancelled.
    pub fn bulk(&self, cancel: &CancelToken) -> Result<Pooled<'_>> {
        self.bulk.get(self, Some(cancel))
    }

    /// Closes every connection (the app's lock): idle ones now, those in
    /// use when they come back. The next command opens new ones, which an
    /// encrypted store refuses until someone signs in again.
    pub fn close_all(&self) {
        for pool in [&self.views, &self.bulk] {
            let mut idle = pool.lock();
            idle.generation += 1;
            idle.open -= idle.conns.len();
            idle.conns.clear();
        }
    }

    /// How many connections the app has opened so far.
    pub fn opened(&self) -> usize {
        self.opened.load(Ordering::Relaxed)
    }

    fn connect(&self, cache_size: i64) -> Result<Connection> {
        let conn = store::open_for_use(&self.path)?;
        conn.pragma_update(None, "cache_size", cache_size)?;
        self.opened.fetch_add(1, Ordering::Relaxed);
        Ok(conn)
    }
}

struct Idle {
    conns: Vec<Connection>,
    /// Connections of this pool that exist, idle or checked out.
    open: usize,
    /// Bumped by `close_all`: a connection checked out before is closed
    /// when it comes back, not kept.
    generation: u64,
}

struct Pool {
    idle: Mutex<Idle>,
    returned: Condvar,
    max: usize,
    cache_size: i64,
}

impl Pool {
    fn new(max: usize, cache_size: i64) -> Self {
        Pool {
            idle: Mutex::new(Idle {
                conns: Vec::with_capacity(max),
                open: 0,
                generation: 0,
            }),
            returned: Condvar::new(),
            max,
            cache_size,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Idle> {
        // A panic while holding this lock leaves the list itself intact.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get<'a>(&'a self, store: &'a Store, cancel: Option<&CancelToken>) -> Result<Pooled<'a>> {
        let mut idle = self.lock();
        loop {
            let generation = idle.generation;
            if let Some(conn) = idle.conns.pop() {
                return Ok(Pooled {
                    conn: Some(conn),
                    pool: self,
                    generation,
                });
            }
            if idle.open < self.max {
                idle.open += 1;
                drop(idle);
                return match store.connect(self.cache_size) {
                    Ok(conn) => Ok(Pooled {
                        conn: Some(conn),
                        pool: self,
                        generation,
                    }),
                    Err(err) => {
                        self.forget_one();
                        Err(err)
                    }
                };
            }
            if cancel.is_some_and(CancelToken::is_cancelled) {
                return Err(Error::Cancelled);
            }
            idle = self
                .returned
                .wait_timeout(idle, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// A connection that will not come back (failed to open, or dropped).
    fn forget_one(&self) {
        self.lock().open -= 1;
        self.returned.notify_one();
    }

    fn put_back(&self, conn: Connection, generation: u64) {
        if self.lock().generation != generation {
            drop(conn); // checked out before a `close_all`
            self.forget_one();
            return;
        }
        // A command that failed inside a transaction it began by hand must not
        // hand the next one an open transaction; if even ROLLBACK fails, the
        // connection is closed instead of reused.
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            drop(conn);
            self.forget_one();
            return;
        }
        if self.cache_size != store::VIEW_CACHE_SIZE {
            // An import leaves up to 64 MiB of cached pages behind and the
            // app may then sit idle for hours: give them back. (A view's
            // 8 MiB stay: they are what makes the next view quick.)
            let _ = conn.execute_batch("PRAGMA shrink_memory");
        }
        self.lock().conns.push(conn);
        self.returned.notify_one();
    }
}

/// A connection checked out of a pool; it goes back when dropped.
pub struct Pooled<'a> {
    conn: Option<Connection>,
    pool: &'a Pool,
    generation: u64,
}

impl Deref for Pooled<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put_back(conn, self.generation);
        }
    }
}

/// One job's "please stop": set by `cancel_job(id)`, read by the job.
#[derive(Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The running long jobs (imports, the demo load), each under its own id.
#[derive(Clone, Default)]
pub struct Jobs(Arc<JobTable>);

#[derive(Default)]
struct JobTable {
    last_id: AtomicU64,
    running: Mutex<HashMap<u64, CancelToken>>,
}

impl JobTable {
    fn running(&self) -> MutexGuard<'_, HashMap<u64, CancelToken>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Jobs {
    /// Registers a new job; it leaves the table when the returned `Job` drops.
    pub fn start(&self) -> Job {
        let id = self.0.last_id.fetch_add(1, Ordering::Relaxed) + 1;
        let token = CancelToken::default();
        self.0.running().insert(id, token.clone());
        Job {
            id,
            token,
            jobs: self.clone(),
        }
    }

    /// Cancels the job `id`, and only it. False when no such job is running
    /// (it has finished, or never was).
    pub fn cancel(&self, id: u64) -> bool {
        match self.0.running().get(&id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Ids of the jobs running now.
    pub fn running(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.0.running().keys().copied().collect();
        ids.sort_unstable();
        ids
    }
}

/// A registered job: its id (the UI cancels by it) and its token.
pub struct Job {
    id: u64,
    token: CancelToken,
    jobs: Jobs,
}

impl Job {
    pub fn id(&self) -> u64 {
        self.id
    }
    pub fn token(&self) -> &CancelToken {
        &self.token
    }
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        self.jobs.0.running().remove(&self.id);
    }
}
