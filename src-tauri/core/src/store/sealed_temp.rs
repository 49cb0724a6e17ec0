//! SQLite's temporary files, sealed. SQLCipher encrypts the store, its WAL
//! and its journal, but not the temporary files SQLite writes for big sorts
//! (an index built after a bulk load, a large GROUP BY), temporary tables
//! or statement journals: those hold booking ids, person ids and names in
//! the clear. Kept in memory instead (SQLCipher's advice), a sort holds
//! every key in its own allocation: about 55 bytes a row, 550 MB for one
//! index over 10 million bookings.
//!
//! This module registers, as SQLite's default, a file system layer (a VFS)
//! that passes the store's own files straight to the system's and wraps
//! each temporary file: every byte written is XORed with ChaCha20's
//! keystream at that byte's offset, under a key made when the process
//! starts and never written anywhere, with a nonce of its own per file. A
//! temporary file is deleted as soon as it is opened (SQLite's way), and
//! what it held cannot be read after the process ends. An index build
//! then sorts on disk in chunks the size of the page cache
//! (`store::bulk::with_sorts_on_disk`), as on an unencrypted store.
#![allow(unsafe_code)] // the VFS is a C interface: SQLite calls these functions.

use crate::error::{Error, Result};
use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use chacha20::ChaCha20;
use rusqlite::ffi;
use std::ffi::{c_int, c_void};
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::OnceLock;

/// The files sealed: everything SQLite writes besides a database, its WAL
/// and its journal (which SQLCipher encrypts itself).
const SEALED: c_int = ffi::SQLITE_OPEN_TEMP_DB
    | ffi::SQLITE_OPEN_TRANSIENT_DB
    | ffi::SQLITE_OPEN_TEMP_JOURNAL
    | ffi::SQLITE_OPEN_SUBJOURNAL;

const NAME: &std::ffi::CStr = c"dosedesk-sealed-temp";

/// One sealed file as SQLite holds it: our header, then the system's own
/// file structure at `INNER_AT`.
#[repr(C)]
struct SealedFile {
    /// SQLite reads `pMethods` from here: it must come first.
    base: ffi::sqlite3_file,
    inner: *mut ffi::sqlite3_file,
    nonce: [u8; 12],
}

/// Where the system's file structure starts, aligned for it.
const INNER_AT: usize = std::mem::size_of::<SealedFile>().next_multiple_of(16);

/// The system's VFS, which does all the work.
static SYSTEM: AtomicPtr<ffi::sqlite3_vfs> = AtomicPtr::new(ptr::null_mut());
/// This process's key; it never leaves memory.
static KEY: OnceLock<[u8; 32]> = OnceLock::new();
/// Each sealed file's nonce: a count, so no two files share a keystream.
static NEXT_NONCE: AtomicU64 = AtomicU64::new(0);

/// The folder SQLite puts temporary files in, as its unix VFS picks it
/// (`unixTempFileDir`): the first of `SQLITE_TMPDIR`, `TMPDIR`, /var/tmp,
/// /usr/tmp and /tmp that is a folder open for writing, else the current
/// one. For messages: SQLite itself chooses.
pub(crate) fn folder() -> std::path::PathBuf {
    let named = ["SQLITE_TMPDIR", "TMPDIR"]
        .into_iter()
        .filter_map(std::env::var_os)
        .map(std::path::PathBuf::from);
    let usual = ["/var/tmp", "/usr/tmp", "/tmp"]
        .into_iter()
        .map(std::path::PathBuf::from);
    named
        .chain(usual)
        .find(|dir| std::fs::metadata(dir).is_ok_and(|m| m.is_dir() && !m.permissions().readonly()))
        .unwrap_or_else(|| std::path::PathBuf::from("."))
}

/// Makes the sealing VFS SQLite's default, once per process: every
/// connection opened afterwards writes its temporary files sealed.
pub(crate) fn install() -> Result<()> {
    static INSTALLED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            // SAFETY: runs once (OnceLock); `register` only reads SQLite's
            // default VFS and registers a copy that lives forever.
            unsafe { register() }
        })
        .clone()
        .map_err(|why| Error::InvalidInput(format!("cannot seal SQLite's temporary files: {why}")))
}

unsafe fn register() -> std::result::Result<(), String> {
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).map_err(|e| format!("no random key: {e}"))?;
    let _ = KEY.set(key);
    let system = ffi::sqlite3_vfs_find(ptr::null());
    if system.is_null() {
        return Err("SQLite has no default VFS".into());
    }
    SYSTEM.store(system, Ordering::SeqCst);
    // A copy of the system's VFS: its other methods (paths, access,
    // randomness, time) serve ours unchanged.
    let mut vfs: ffi::sqlite3_vfs = *system;
    vfs.szOsFile = (INNER_AT as c_int) + (*system).szOsFile;
    vfs.zName = NAME.as_ptr();
    vfs.pNext = ptr::null_mut();
    vfs.xOpen = Some(open);
    let rc = ffi::sqlite3_vfs_register(Box::leak(Box::new(vfs)), 1);
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(format!("sqlite3_vfs_register returned {rc}"))
    }
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let system = SYSTEM.load(Ordering::SeqCst);
    let Some(system_open) = (*system).xOpen else {
        return ffi::SQLITE_CANTOPEN;
    };
    if flags & SEALED == 0 {
        // The store, its WAL and journal: the system's file, in place.
        return system_open(system, name, file, flags, out_flags);
    }
    let sealed = file.cast::<SealedFile>();
    let inner = file.cast::<u8>().add(INNER_AT).cast::<ffi::sqlite3_file>();
    (*sealed).base.pMethods = ptr::null();
    (*inner).pMethods = ptr::null();
    let rc = system_open(system, name, inner, flags, out_flags);
    if rc != ffi::SQLITE_OK {
        // A failed open may still need closing (SQLite's rule for xOpen).
        if let Some(close) = (*inner).pMethods.as_ref().and_then(|m| m.xClose) {
            close(inner);
        }
        return rc;
    }
    let count = NEXT_NONCE.fetch_add(1, Ordering::Relaxed);
    let mut nonce = [0u8; 12];
    nonce[..8].copy_from_slice(&count.to_le_bytes());
    (*sealed).inner = inner;
    (*sealed).nonce = nonce;
    (*sealed).base.pMethods = &SEALED_METHODS;
    ffi::SQLITE_OK
}

/// Version 1: no shared memory and no memory mapping, so SQLite reads a
/// sealed file only through `read`, never from a mapping of its bytes.
static SEALED_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 1,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: None,
    xShmLock: None,
    xShmBarrier: None,
    xShmUnmap: None,
    xFetch: None,
    xUnfetch: None,
};

unsafe fn inner(file: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    (*file.cast::<SealedFile>()).inner
}

unsafe fn methods(inner: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    &*(*inner).pMethods
}

/// XORs `data`, found at `offset` in the file, with the file's keystream:
/// seals plain bytes and opens sealed ones. False when it cannot (no key,
/// an offset past ChaCha20's 256 GiB).
fn crypt(nonce: &[u8; 12], data: &mut [u8], offset: i64) -> bool {
    let (Some(key), Ok(offset)) = (KEY.get(), u64::try_from(offset)) else {
        return false;
    };
    let mut cipher = ChaCha20::new(key.into(), nonce.into());
    cipher.try_seek(offset).is_ok() && cipher.try_apply_keystream(data).is_ok()
}

unsafe extern "C" fn read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let inner = inner(file);
    let Some(system_read) = methods(inner).xRead else {
        return ffi::SQLITE_IOERR_READ;
    };
    let rc = system_read(inner, buf, amount, offset);
    // A short read leaves zeros past the file's end: only what the file
    // held is opened.
    let held = match rc {
        ffi::SQLITE_OK => i64::from(amount),
        ffi::SQLITE_IOERR_SHORT_READ => {
            let mut size = 0;
            if file_size(file, &mut size) != ffi::SQLITE_OK {
                return ffi::SQLITE_IOERR_READ;
            }
            (size - offset).clamp(0, i64::from(amount))
        }
        _ => return rc,
    };
    if held > 0 {
        let data = std::slice::from_raw_parts_mut(buf.cast::<u8>(), held as usize);
        if !crypt(&(*file.cast::<SealedFile>()).nonce, data, offset) {
            return ffi::SQLITE_IOERR_READ;
        }
    }
    rc
}

unsafe extern "C" fn write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let inner = inner(file);
    let Some(system_write) = methods(inner).xWrite else {
        return ffi::SQLITE_IOERR_WRITE;
    };
    let Ok(len) = usize::try_from(amount) else {
        return ffi::SQLITE_IOERR_WRITE;
    };
    // SQLite's buffer is not ours to change: seal a copy.
    let mut sealed = if len == 0 {
        Vec::new()
    } else {
        std::slice::from_raw_parts(buf.cast::<u8>(), len).to_vec()
    };
    if !crypt(&(*file.cast::<SealedFile>()).nonce, &mut sealed, offset) {
        return ffi::SQLITE_IOERR_WRITE;
    }
    system_write(inner, sealed.as_ptr().cast(), amount, offset)
}

/// Methods that only pass the call to the system's file under ours
/// (`default` when it has no such method).
macro_rules! pass_through {
    ($($name:ident($($arg:ident: $ty:ty),*) => $method:ident or $default:expr;)*) => {$(
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            let inner = inner(file);
            methods(inner).$method.map_or($default, |f| f(inner $(, $arg)*))
        }
    )*};
}

pass_through! {
    close() => xClose or ffi::SQLITE_OK;
    truncate(size: ffi::sqlite3_int64) => xTruncate or ffi::SQLITE_IOERR_TRUNCATE;
    sync(flags: c_int) => xSync or ffi::SQLITE_OK;
    file_size(size: *mut ffi::sqlite3_int64) => xFileSize or ffi::SQLITE_IOERR_FSTAT;
    lock(level: c_int) => xLock or ffi::SQLITE_OK;
    unlock(level: c_int) => xUnlock or ffi::SQLITE_OK;
    check_reserved_lock(out: *mut c_int) => xCheckReservedLock or ffi::SQLITE_OK;
    file_control(op: c_int, arg: *mut c_void) => xFileControl or ffi::SQLITE_NOTFOUND;
    sector_size() => xSectorSize or 4096;
    device_characteristics() => xDeviceCharacteristics or 0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// A sealed temporary file opened through the installed VFS, with the
    /// system's view of the same bytes beside it.
    struct Opened {
        /// `szOsFile` bytes, 16-aligned, that SQLite would allocate.
        memory: Vec<u128>,
    }

    impl Opened {
        fn new() -> Self {
            install().expect("installed");
            // SAFETY: the default VFS is ours (just installed); the buffer
            // is as large as it asks, and aligned.
            unsafe {
                let vfs = ffi::sqlite3_vfs_find(ptr::null());
                assert_eq!(std::ffi::CStr::from_ptr((*vfs).zName), NAME);
                let mut memory = vec![0u128; ((*vfs).szOsFile as usize).div_ceil(16)];
                let file = memory.as_mut_ptr().cast::<ffi::sqlite3_file>();
                let flags = ffi::SQLITE_OPEN_TEMP_JOURNAL
                    | ffi::SQLITE_OPEN_READWRITE
                    | ffi::SQLITE_OPEN_CREATE
                    | ffi::SQLITE_OPEN_EXCLUSIVE
                    | ffi::SQLITE_OPEN_DELETEONCLOSE;
                let mut out = 0;
                let rc = ((*vfs).xOpen.expect("xOpen"))(vfs, ptr::null(), file, flags, &mut out);
                assert_eq!(rc, ffi::SQLITE_OK);
                Opened { memory }
            }
        }

        fn file(&mut self) -> *mut ffi::sqlite3_file {
            self.memory.as_mut_ptr().cast()
        }

        fn write(&mut self, at: i64, data: &[u8]) {
            let file = self.file();
            // SAFETY: an open sealed file (see `new`).
            let rc = unsafe {
                ((*(*file).pMethods).xWrite.expect("xWrite"))(
                    file,
                    data.as_ptr().cast(),
                    data.len() as c_int,
                    at,
                )
            };
            assert_eq!(rc, ffi::SQLITE_OK);
        }

        /// (return code, bytes) read through the sealed file, or through
        /// the system's file under it when `raw`.
        fn read(&mut self, at: i64, len: usize, raw: bool) -> (c_int, Vec<u8>) {
            let mut out = vec![0xAAu8; len];
            let file = self.file();
            // SAFETY: an open sealed file; `inner` is the system's file in it.
            let rc = unsafe {
                let target = if raw { inner(file) } else { file };
                ((*(*target).pMethods).xRead.expect("xRead"))(
                    target,
                    out.as_mut_ptr().cast(),
                    len as c_int,
                    at,
                )
            };
            (rc, out)
        }
    }

    impl Drop for Opened {
        fn drop(&mut self) {
            let file = self.file();
            // SAFETY: closed once, here.
            unsafe { ((*(*file).pMethods).xClose.expect("xClose"))(file) };
        }
    }

    #[test]
    fn a_temporary_file_holds_sealed_bytes_and_reads_back_plain() {
        let mut f = Opened::new();
        let plain = b"P000000123,Tremblay,Marie,1961-04-02;".repeat(100);
        f.write(1000, &plain);
        assert_eq!(
            f.read(1000, plain.len(), false),
            (ffi::SQLITE_OK, plain.clone())
        );
        let (rc, raw) = f.read(1000, plain.len(), true);
        assert_eq!(rc, ffi::SQLITE_OK);
        assert_ne!(raw, plain);
        assert!(
            !raw.windows(8).any(|w| w == b"Tremblay"),
            "a name reached the disk"
        );
        // A read inside the data, not at its start: the keystream is by offset.
        assert_eq!(f.read(1017, 50, false).1, plain[17..67].to_vec());
        // Past the end: what the file held, then zeros, as SQLite expects.
        let end = 1000 + plain.len() as i64;
        let (rc, tail) = f.read(end - 10, 30, false);
        assert_eq!(rc, ffi::SQLITE_IOERR_SHORT_READ);
        assert_eq!(&tail[..10], &plain[plain.len() - 10..]);
        assert_eq!(&tail[10..], &[0u8; 20]);
    }

    #[test]
    fn two_files_never_share_a_keystream() {
        let (mut a, mut b) = (Opened::new(), Opened::new());
        let plain = vec![7u8; 256];
        a.write(0, &plain);
        b.write(0, &plain);
        assert_ne!(a.read(0, 256, true).1, b.read(0, 256, true).1);
    }

    /// Sorts far larger than the page cache spill to sealed files, on two
    /// threads, through several merge passes: their order must be exactly
    /// what a sort in Rust gives, and an index built that way must pass
    /// SQLite's own integrity check.
    #[test]
    fn sorts_spilled_to_sealed_files_come_back_in_order() {
        install().expect("installed");
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(
            "PRAGMA temp_store = FILE; PRAGMA threads = 2; PRAGMA cache_size = 20;
             CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL, n INTEGER NOT NULL);",
        )
        .expect("schema");
        let mut rng = crate::rng::Rng::new(42);
        let mut next = || rng.next();
        let mut rows = Vec::new();
        {
            let tx = conn.unchecked_transaction().expect("tx");
            let mut insert = tx
                .prepare("INSERT INTO t (k, n) VALUES (?1, ?2)")
                .expect("insert");
            for _ in 0..60_000 {
                let k = format!(
                    "P{:012}-{}",
                    next() % 1_000_000_000,
                    "x".repeat((next() % 40) as usize)
                );
                let n = (next() % 1000) as i64;
                insert.execute(rusqlite::params![k, n]).expect("row");
                rows.push((k, n));
            }
            drop(insert);
            tx.commit().expect("commit");
        }
        let files_before = NEXT_NONCE.load(Ordering::SeqCst);
        let sorted: Vec<(String, i64)> = conn
            .prepare("SELECT k, n FROM t ORDER BY k, n")
            .expect("query")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("sorted");
        assert!(
            NEXT_NONCE.load(Ordering::SeqCst) > files_before,
            "the sort never spilled to a sealed file"
        );
        rows.sort();
        assert_eq!(sorted, rows);
        conn.execute_batch("CREATE INDEX t_by_k ON t (k, n)")
            .expect("index");
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity");
        assert_eq!(check, "ok");
        let first: String = conn
            .query_row(
                "SELECT k FROM t INDEXED BY t_by_k ORDER BY k LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("first");
        assert_eq!(first, rows[0].0);
    }
}
