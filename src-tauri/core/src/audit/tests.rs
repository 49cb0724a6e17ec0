use super::*;
use sha2::{Digest, Sha256};

fn store_with_entries(n: usize) -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().expect("dir");
    let conn = crate::store::open(&dir.path().join("a.sqlite3")).expect("open");
    for k in 0..n {
        record(
            &conn,
            "tally",
            &format!("AAA 2021-04-0{}", k % 9 + 1),
            serde_json::json!({ "doses": k }),
        )
        .expect("record");
    }
    (dir, conn)
}

/// The chain recomputed from the rule in the module's documentation, with
/// sha2 and serde_json only.
fn recomputed_by_the_rule(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare("SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY id")
        .expect("q");
    let rows = stmt
        .query_map([], |r| {
            let id: i64 = r.get(0)?;
            let fields: Vec<String> = (1..7).map(|c| r.get(c)).collect::<rusqlite::Result<_>>()?;
            let hash: String = r.get(7)?;
            Ok((id, fields, hash))
        })
        .expect("rows");
    rows.map(|row| {
        let (id, f, stored) = row.expect("row");
        let text = format!(
            "[{id},{},{},{},{},{},{}]",
            serde_json::Value::from(f[0].as_str()),
            serde_json::Value::from(f[1].as_str()),
            serde_json::Value::from(f[2].as_str()),
            serde_json::Value::from(f[3].as_str()),
            serde_json::Value::from(f[4].as_str()),
            serde_json::Value::from(f[5].as_str()),
        );
        let digest = Sha256::digest(text.as_bytes());
        (digest.iter().map(|b| format!("{b:02x}")).collect(), stored)
    })
    .collect()
}

#[test]
fn each_entry_is_chained_to_the_one_before_by_the_documented_rule() {
    let (_dir, conn) = store_with_entries(6);
    let chain = recomputed_by_the_rule(&conn);
    assert_eq!(chain.len(), 6);
    for (recomputed, stored) in &chain {
        assert_eq!(recomputed, stored);
    }
    let prevs: Vec<String> = conn
        .prepare("SELECT prev_hash FROM audit_log ORDER BY id")
        .expect("q")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(prevs[0], "0".repeat(64));
    for k in 1..6 {
        assert_eq!(
            prevs[k],
            chain[k - 1].1,
            "entry {} names its predecessor",
            k + 1
        );
    }
    let v = verify(&conn).expect("verify");
    assert_eq!(
        v,
        Verification {
            entries: 6,
            first_broken: None
        }
    );
}

#[test]
fn the_log_refuses_edits_and_removals_through_sqlite() {
    let (_dir, conn) = store_with_entries(3);
    let edit = conn.execute(
        "UPDATE audit_log SET actor = 'someone else' WHERE id = 2",
        [],
    );
    assert!(edit
        .expect_err("refused")
        .to_string()
        .contains("append-only"));
    let removal = conn.execute("DELETE FROM audit_log WHERE id = 2", []);
    assert!(removal
        .expect_err("refused")
        .to_string()
        .contains("append-only"));
    assert_eq!(verify(&conn).expect("verify").first_broken, None);
}

/// Tampering by someone who drops the triggers first.
fn untriggered(conn: &Connection) {
    conn.execute_batch(
        "DROP TRIGGER audit_log_append_only_u; DROP TRIGGER audit_log_append_only_d;",
    )
    .expect("drop triggers");
}

fn broken_at(conn: &Connection) -> i64 {
    let v = verify(conn).expect("verify");
    assert_eq!(
        v.entries as usize,
        conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get::<_, i64>(0))
            .expect("n") as usize
    );
    v.first_broken.expect("the tampering is found").id
}

#[test]
fn an_edited_entry_is_named() {
    let (_dir, conn) = store_with_entries(6);
    untriggered(&conn);
    conn.execute(
        "UPDATE audit_log SET detail = '{\"doses\":999}' WHERE id = 3",
        [],
    )
    .expect("edit");
    assert_eq!(broken_at(&conn), 3);
}

#[test]
fn an_edit_with_its_hash_recomputed_breaks_the_next_link() {
    let (_dir, conn) = store_with_entries(6);
    untriggered(&conn);
    conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 3", [])
        .expect("edit");
    let (recomputed, _) = recomputed_by_the_rule(&conn)[2].clone();
    conn.execute("UPDATE audit_log SET hash = ?1 WHERE id = 3", [recomputed])
        .expect("rehash");
    assert_eq!(broken_at(&conn), 4);
}

#[test]
fn a_removed_entry_is_found_at_the_next_one() {
    let (_dir, conn) = store_with_entries(6);
    untriggered(&conn);
    conn.execute("DELETE FROM audit_log WHERE id = 3", [])
        .expect("remove");
    assert_eq!(broken_at(&conn), 4);
}

#[test]
fn reordered_entries_are_found() {
    let (_dir, conn) = store_with_entries(6);
    untriggered(&conn);
    // Entries 2 and 3 trade places (ids stay in order, contents swap).
    conn.execute_batch(
        "UPDATE audit_log SET id = -2 WHERE id = 2;
         UPDATE audit_log SET id = 2 WHERE id = 3;
         UPDATE audit_log SET id = 3 WHERE id = -2;",
    )
    .expect("swap");
    assert_eq!(broken_at(&conn), 2);
}
