//! `.ggen/stat-cache`: the stat of every generated file as the last transaction left the
//! project, in a compact binary form, so that `ggen status` and `ggen packs check` can say
//! "clean" from one `lstat` per file without parsing `ggen.lock` and the snapshot (git's
//! index does the same for `git status`). Those commands never write; only a commit does.
//!
//! The cache is derived and local: losing it costs one slow check. It is keyed on the bytes
//! of `ggen.lock` (their sha256) and the stat of `.ggen/snapshot.json` (every transaction
//! replaces that file, so any change of the state makes the cache stale), and it vouches for
//! one thing only: nothing changed. Any difference — a stat that moved, a missing file, a
//! damaged cache — sends the command down the full path, which looks at every file again.
//!
//! A file edited in the same clock tick as its stat was taken keeps that stat ("racily
//! clean", as git calls it). An entry changed no earlier than a tick before the cache was
//! written is therefore read and hashed every time it is trusted.
//!
//! Format (little-endian): `GGENSTAT`, u32 format, the key (`ggen.lock`'s hash as a
//! length-prefixed string, u8 whether a snapshot exists and its stat), i128
//! `trusted_before` (ns since the epoch), u32 count, then per generated file: the path
//! (length-prefixed), its stat (u64 size, i128 mtime and ctime in ns, u64 inode), u8 flags
//! (1 = `unless_exists`) and the content hash (length-prefixed); last, the `sha256-<hex>` of
//! everything before it.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use crate::Layout;
use crate::state::lockfile::Lockfile;
use crate::state::snapshot::{FileStat, Snapshot};

const MAGIC: &[u8; 8] = b"GGENSTAT";
const FORMAT: u32 = 1;
const UNLESS_EXISTS: u8 = 1;
/// How far a file's timestamp may lag the clock: the kernel stamps files from a coarse clock
/// (one tick, at most 10 ms on Linux) while the cache reads the fine one.
const CLOCK_LAG: Duration = Duration::from_millis(10);
/// Bounds on what a cache may claim, so that a damaged length never allocates much.
const MAX_PATH: usize = 4096;
const MAX_HASH: usize = 256;
/// The bytes of one stat: size, mtime, ctime, inode.
const STAT_LEN: usize = 8 + 16 + 16 + 8;

/// The state the cache was made for: `ggen.lock`'s bytes and the snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    lockfile: String,
    snapshot: Option<FileStat>,
}

impl Key {
    /// The project's key now; `None` without a readable `ggen.lock`.
    fn current(layout: &Layout) -> Option<Key> {
        let bytes = std::fs::read(layout.lockfile()).ok()?;
        Some(Key::of(layout, &bytes))
    }

    fn of(layout: &Layout, lockfile: &[u8]) -> Key {
        Key {
            lockfile: ggen_pack::integrity::sha256(lockfile),
            snapshot: FileStat::read(&layout.snapshot(), String::new()),
        }
    }
}

/// One generated file as the last transaction left it: its stat and what it held then.
#[derive(Debug, Clone)]
struct CachedFile {
    path: String,
    stat: FileStat,
    unless_exists: bool,
}

struct StatCache {
    key: Key,
    /// Entries changed at or after this instant (ns) are read again when trusted.
    trusted_before: i128,
    files: Vec<CachedFile>,
}

/// The number of generated files when the cache vouches that every one of them is as
/// generated (and nothing else is pending: no conflicts, no pack to regenerate); `None`
/// when it cannot say — the caller then looks at the project the full way.
pub fn clean(layout: &Layout) -> Option<usize> {
    let (cache, written) = load(layout)?;
    // Git's rule beside the clock's: a file changed no earlier than the cache was written
    // (both stamped by the filesystem's clock) is read again.
    let racy_from = cache.trusted_before.min(written);
    let clean = cache.files.par_iter().all(|file| {
        let full = layout.file(&file.path);
        let Ok(meta) = std::fs::symlink_metadata(&full) else {
            return false;
        };
        if file.unless_exists {
            return true;
        }
        if !file.stat.matches(&meta) {
            return false;
        }
        let racy = file.stat.mtime_ns >= racy_from || file.stat.ctime_ns >= racy_from;
        !racy
            || ggen_fs::read(&full)
                .is_ok_and(|bytes| ggen_pack::integrity::sha256(&bytes) == file.stat.hash)
    });
    clean.then_some(cache.files.len())
}

/// Whether the cache was made for the project's current `ggen.lock` and snapshot, which
/// then parsed when it was made and have not changed since.
pub fn vouches_for_state(layout: &Layout) -> bool {
    load(layout).is_some()
}

/// Writes the cache for the state a transaction just committed: `lockfile` (written as
/// `lock_bytes`) and `snapshot`. Nothing is written for a state it cannot vouch for —
/// conflicts, a pack installed from a directory (whose templates `check` reads each time),
/// a file without a recorded stat or changed by the user — and the stale cache, keyed on
/// the previous state, then vouches for nothing. A cache that cannot be written is no loss
/// (the next check looks the full way), so errors are dropped.
pub fn record(layout: &Layout, lockfile: &Lockfile, lock_bytes: &[u8], snapshot: &Snapshot) {
    if !snapshot.conflicts.is_empty() || lockfile.packs.iter().any(|p| p.directory().is_some()) {
        return;
    }
    let Some(trusted_before) = SystemTime::now()
        .checked_sub(CLOCK_LAG)
        .and_then(|now| now.duration_since(UNIX_EPOCH).ok())
        .map(|since| since.as_nanos() as i128)
    else {
        return;
    };
    let mut files = Vec::with_capacity(snapshot.files.len());
    for (path, file) in &snapshot.files {
        let stat = match &file.stat {
            Some(stat) if stat.hash == file.hash || file.unless_exists => stat.clone(),
            _ => return,
        };
        files.push(CachedFile {
            path: path.clone(),
            stat,
            unless_exists: file.unless_exists,
        });
    }
    let cache = StatCache {
        key: Key::of(layout, lock_bytes),
        trusted_before,
        files,
    };
    let _ = ggen_fs::write_atomic(
        &layout.stat_cache(),
        &to_bytes(&cache),
        ggen_fs::Durability::Lossy,
    );
}

/// The cache when it is whole and made for the current state, with its file's mtime (ns).
fn load(layout: &Layout) -> Option<(StatCache, i128)> {
    let mut file = std::fs::File::open(layout.stat_cache()).ok()?;
    let written = FileStat::from_metadata(&file.metadata().ok()?, String::new()).mtime_ns;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let cache = parse(&bytes)?;
    (Key::current(layout)? == cache.key).then_some((cache, written))
}

fn parse(bytes: &[u8]) -> Option<StatCache> {
    let (body, checksum) = bytes.split_at(bytes.len().checked_sub(71)?);
    if checksum != ggen_pack::integrity::sha256(body).as_bytes() {
        return None;
    }
    let mut input = Reader(body);
    if input.take(MAGIC.len())? != MAGIC || input.u32()? != FORMAT {
        return None;
    }
    let lockfile = input.string(MAX_HASH)?;
    let snapshot = match input.u8()? {
        0 => None,
        _ => Some(input.stat(String::new())?),
    };
    let trusted_before = input.i128()?;
    let count = input.u32()? as usize;
    // Each entry takes more than a stat's bytes: a count the bytes cannot hold is damage.
    if count > input.0.len() / STAT_LEN {
        return None;
    }
    let mut files = Vec::with_capacity(count);
    for _ in 0..count {
        let path = input.string(MAX_PATH)?;
        let stat = input.stat(String::new())?;
        let unless_exists = input.u8()? & UNLESS_EXISTS != 0;
        let hash = input.string(MAX_HASH)?;
        files.push(CachedFile {
            path,
            stat: FileStat { hash, ..stat },
            unless_exists,
        });
    }
    input.0.is_empty().then_some(StatCache {
        key: Key { lockfile, snapshot },
        trusted_before,
        files,
    })
}

fn to_bytes(cache: &StatCache) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + cache.files.len() * 160);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    write_string(&mut out, &cache.key.lockfile);
    match &cache.key.snapshot {
        None => out.push(0),
        Some(stat) => {
            out.push(1);
            write_stat(&mut out, stat);
        }
    }
    out.extend_from_slice(&cache.trusted_before.to_le_bytes());
    out.extend_from_slice(&(cache.files.len() as u32).to_le_bytes());
    for file in &cache.files {
        write_string(&mut out, &file.path);
        write_stat(&mut out, &file.stat);
        out.push(if file.unless_exists { UNLESS_EXISTS } else { 0 });
        write_string(&mut out, &file.stat.hash);
    }
    let checksum = ggen_pack::integrity::sha256(&out);
    out.extend_from_slice(checksum.as_bytes());
    out
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn write_stat(out: &mut Vec<u8>, stat: &FileStat) {
    out.extend_from_slice(&stat.size.to_le_bytes());
    out.extend_from_slice(&stat.mtime_ns.to_le_bytes());
    out.extend_from_slice(&stat.ctime_ns.to_le_bytes());
    out.extend_from_slice(&stat.inode.to_le_bytes());
}

/// Little-endian fields from the front of a byte slice; `None` past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn i128(&mut self) -> Option<i128> {
        Some(i128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }

    fn string(&mut self, limit: usize) -> Option<String> {
        let len = self.u32()? as usize;
        if len > limit {
            return None;
        }
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }

    fn stat(&mut self, hash: String) -> Option<FileStat> {
        Some(FileStat {
            size: self.u64()?,
            mtime_ns: self.i128()?,
            ctime_ns: self.i128()?,
            inode: self.u64()?,
            hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::snapshot::SnapshotFile;

    const LOCK: &[u8] = b"version = 1\n";

    /// A project with `ggen.lock`, `.ggen/` and one generated file `a.txt` ("one\n") last
    /// changed well before any cache below is written (ctime included: a clock tick is at
    /// most 10 ms), and the snapshot that records it with its stat.
    fn project() -> (tempfile::TempDir, Layout, Snapshot) {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        std::fs::write(layout.lockfile(), LOCK).unwrap();
        std::fs::create_dir_all(layout.state_dir()).unwrap();
        std::fs::write(layout.file("a.txt"), "one\n").unwrap();
        set_mtime(
            &layout.file("a.txt"),
            SystemTime::now() - Duration::from_secs(10),
        );
        std::thread::sleep(Duration::from_millis(30));
        let hash = ggen_pack::integrity::sha256(b"one\n");
        let mut snapshot = Snapshot::new();
        snapshot.files.insert(
            "a.txt".into(),
            SnapshotFile {
                hash: hash.clone(),
                size: 4,
                pack: "app".into(),
                version: "1.0.0".into(),
                template: "a.txt".into(),
                unless_exists: false,
                executable: false,
                regions: None,
                stat: FileStat::read(&layout.file("a.txt"), hash),
            },
        );
        (dir, layout, snapshot)
    }

    fn set_mtime(path: &std::path::Path, mtime: SystemTime) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
    }

    /// A cache of `a.txt` with its current stat, the hash of `held`, trusted before
    /// `trusted_before`.
    fn write_cache(layout: &Layout, trusted_before: i128, held: &[u8]) {
        let stat = FileStat::read(&layout.file("a.txt"), ggen_pack::integrity::sha256(held));
        let cache = StatCache {
            key: Key::current(layout).unwrap(),
            trusted_before,
            files: vec![CachedFile {
                path: "a.txt".into(),
                stat: stat.unwrap(),
                unless_exists: false,
            }],
        };
        std::fs::write(layout.stat_cache(), to_bytes(&cache)).unwrap();
    }

    #[test]
    fn a_committed_clean_state_is_vouched_for_until_anything_changes() {
        let (_dir, layout, snapshot) = project();
        record(&layout, &Lockfile::default(), LOCK, &snapshot);
        assert_eq!(clean(&layout), Some(1));
        assert!(vouches_for_state(&layout));

        // Another ggen.lock (a git checkout): stale.
        std::fs::write(layout.lockfile(), "version = 1\n\n").unwrap();
        assert_eq!(clean(&layout), None);
        assert!(!vouches_for_state(&layout));
        std::fs::write(layout.lockfile(), LOCK).unwrap();
        assert_eq!(clean(&layout), Some(1));

        // A snapshot appears (or is replaced): stale.
        std::fs::write(layout.snapshot(), "{}").unwrap();
        assert_eq!(clean(&layout), None);
        std::fs::remove_file(layout.snapshot()).unwrap();
        assert_eq!(clean(&layout), Some(1));

        // The same size, the same mtime, other bytes: the ctime gives it away.
        let mtime = std::fs::metadata(layout.file("a.txt"))
            .unwrap()
            .modified()
            .unwrap();
        std::fs::write(layout.file("a.txt"), "two\n").unwrap();
        set_mtime(&layout.file("a.txt"), mtime);
        assert_eq!(clean(&layout), None);

        // Gone: not clean either.
        std::fs::remove_file(layout.file("a.txt")).unwrap();
        assert_eq!(clean(&layout), None);
    }

    #[test]
    fn a_racily_clean_entry_is_read_again() {
        let (_dir, layout, _) = project();
        // The stat is the file's, but the cache holds the hash of other bytes: trusted by
        // its stat it passes; racy (changed at or after `trusted_before`, 0 here) it is
        // read, and fails.
        write_cache(&layout, i128::MAX, b"edited\n");
        assert_eq!(
            clean(&layout),
            Some(1),
            "an old entry is trusted by its stat"
        );
        write_cache(&layout, 0, b"edited\n");
        assert_eq!(clean(&layout), None, "a racy entry is read");
        write_cache(&layout, 0, b"one\n");
        assert_eq!(
            clean(&layout),
            Some(1),
            "a racy entry whose bytes match is clean"
        );
        // Git's rule: changed no earlier than the cache file was written, racy too.
        write_cache(&layout, i128::MAX, b"edited\n");
        set_mtime(
            &layout.stat_cache(),
            SystemTime::now() - Duration::from_secs(3600),
        );
        assert_eq!(clean(&layout), None);
    }

    #[test]
    fn a_damaged_cache_vouches_for_nothing() {
        let (_dir, layout, _) = project();
        write_cache(&layout, i128::MAX, b"one\n");
        assert_eq!(clean(&layout), Some(1));
        let bytes = std::fs::read(layout.stat_cache()).unwrap();
        for at in [0, 9, 20, bytes.len() / 2, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x20;
            std::fs::write(layout.stat_cache(), &damaged).unwrap();
            assert_eq!(clean(&layout), None, "byte {at} flipped");
        }
        for cut in [0, 8, bytes.len() - 72, bytes.len() - 1] {
            std::fs::write(layout.stat_cache(), &bytes[..cut]).unwrap();
            assert_eq!(clean(&layout), None, "cut at {cut}");
        }
        // A whole cache whose count claims more entries than it holds.
        let mut body = bytes[..bytes.len() - 71].to_vec();
        let count_at = 8 + 4 + 4 + 71 + 1 + STAT_LEN + 16;
        body[count_at..count_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let checksum = ggen_pack::integrity::sha256(&body);
        body.extend_from_slice(checksum.as_bytes());
        std::fs::write(layout.stat_cache(), &body).unwrap();
        assert_eq!(clean(&layout), None);
    }

    #[test]
    fn nothing_is_recorded_for_a_state_the_cache_cannot_vouch_for() {
        let recorded = |change: &dyn Fn(&mut Lockfile, &mut Snapshot)| {
            let (_dir, layout, mut snapshot) = project();
            let mut lockfile = Lockfile::default();
            change(&mut lockfile, &mut snapshot);
            record(&layout, &lockfile, LOCK, &snapshot);
            layout.stat_cache().exists()
        };
        assert!(recorded(&|_, _| {}));
        assert!(!recorded(&|_, snapshot| {
            let conflict = crate::state::snapshot::SnapshotConflict {
                pack: "app".into(),
                template: "b.txt".into(),
                reason: "exists".into(),
                versions: crate::merge::Merge {
                    current: None,
                    base: None,
                    new: Some(ggen_pack::integrity::sha256(b"b\n")),
                },
                marker_size: None,
            };
            snapshot.conflicts.insert("b.txt".into(), conflict);
        }));
        assert!(!recorded(&|lockfile, _| {
            lockfile.packs.push(crate::state::lockfile::LockedPack {
                id: "app".into(),
                version: "1.0.0".into(),
                source: "path+file:///packs/app".into(),
                integrity: ggen_pack::integrity::sha256(b""),
                signature: None,
                dependencies: Vec::new(),
                variables: Default::default(),
            });
        }));
        assert!(!recorded(&|_, snapshot| {
            snapshot.files.get_mut("a.txt").unwrap().stat = None;
        }));
        // Left modified by the user (a kept edit): its stat is of other bytes.
        assert!(!recorded(&|_, snapshot| {
            let file = snapshot.files.get_mut("a.txt").unwrap();
            file.stat.as_mut().unwrap().hash = ggen_pack::integrity::sha256(b"edited\n");
        }));
    }
}
