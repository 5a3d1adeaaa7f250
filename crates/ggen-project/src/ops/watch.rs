//! `ggen watch`: regenerate when what feeds generation changes — packs installed from a
//! directory (templates, manifest, graph), `ggen.lock` (variables) and `make.toml` — with
//! the same merge and transaction rules as `ggen packs regenerate`, only for the packs a
//! change affects, and never while another ggen holds the project lock.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{PollWatcher, RecursiveMode, Watcher};

use crate::ops::update::{MergeStrategy, Mode, UpdateOptions, UpdateReport, update};
use crate::packs::source::UpdateTarget;
use crate::project::load_project;
use crate::{Environment, Layout, ProjectError, Reporter};

/// How often the stop flag is looked at.
const TICK: Duration = Duration::from_millis(100);

/// A burst of changes is acted on at most this many debounces after its first change, however
/// long it goes on (the default 200 ms debounce keeps the SPEC's "within a second").
const MAX_BATCH_DEBOUNCES: u32 = 2;

#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet time after the last event before regenerating (bursts become one run).
    pub debounce: Duration,
    /// Poll the filesystem at this interval instead of using OS events.
    pub poll: Option<Duration>,
    /// Check the registry for newer versions at this interval.
    pub poll_registry: Option<Duration>,
    /// Apply newer versions within this range automatically.
    pub auto_update: Option<AutoUpdate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoUpdate {
    /// Same major and minor version.
    Patch,
    /// Same major version (semver-compatible).
    Minor,
}

/// What watch tells the user, one line each.
#[derive(Debug, Clone)]
pub enum WatchEvent {
    Watching {
        paths: Vec<PathBuf>,
    },
    Regenerated {
        report: UpdateReport,
        elapsed: Duration,
    },
    /// Another ggen holds the project: retried after the next quiet period.
    Busy,
    NewVersion {
        pack: String,
        current: String,
        newest: String,
    },
    Failed {
        message: String,
    },
}

/// Watches until `stop` is set; calls `on_event` for everything worth a line.
pub fn watch(
    layout: &Layout,
    env: &Environment,
    options: &WatchOptions,
    reporter: &dyn Reporter,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(WatchEvent),
) -> Result<(), ProjectError> {
    let (tx, rx) = channel();
    let mut watcher: Box<dyn Watcher> = match options.poll {
        Some(interval) => Box::new(
            PollWatcher::new(tx, notify::Config::default().with_poll_interval(interval))
                .map_err(watch_error)?,
        ),
        None => Box::new(notify::recommended_watcher(tx).map_err(watch_error)?),
    };
    let mut watched = Watched::default();
    watched.refresh(layout, &mut *watcher)?;
    on_event(WatchEvent::Watching {
        paths: watched.paths(),
    });
    let mut last_registry_poll = Instant::now();
    let mut pending: BTreeSet<String> = BTreeSet::new();
    let mut retry = false;
    while !stop.load(Ordering::Relaxed) {
        let batch = next_batch(&rx, options.debounce, stop, &mut |path| {
            watched.affected(layout, path)
        });
        pending.extend(batch);
        if !pending.is_empty() || retry {
            let packs: Vec<String> = pending.iter().cloned().collect();
            match regenerate(layout, env, &packs, reporter) {
                Ok((report, elapsed)) => {
                    pending.clear();
                    retry = false;
                    on_event(WatchEvent::Regenerated { report, elapsed });
                }
                Err(ProjectError::Busy { .. }) => {
                    retry = true;
                    on_event(WatchEvent::Busy);
                }
                Err(e) => {
                    pending.clear();
                    retry = false;
                    on_event(WatchEvent::Failed {
                        message: e.to_string(),
                    });
                }
            }
            // Our own write of ggen.lock is no change to react to.
            watched.lock_hash = hash_of(&layout.lockfile());
            // Packs may have been added or removed meanwhile.
            watched.refresh(layout, &mut *watcher)?;
        }
        if let Some(interval) = options.poll_registry
            && last_registry_poll.elapsed() >= interval
        {
            last_registry_poll = Instant::now();
            poll_registry(layout, env, options.auto_update, reporter, on_event);
            // An automatic update wrote ggen.lock: that is ours too, not the user's.
            watched.lock_hash = hash_of(&layout.lockfile());
            watched.refresh(layout, &mut *watcher)?;
        }
    }
    Ok(())
}

/// Waits up to a tick for a first change that affects a pack, then collects changes until
/// `debounce` passes without another one, and never longer than [`MAX_BATCH_DEBOUNCES`]
/// debounces after the first: a change is acted on promptly even while the project is busy.
/// Events that affect no pack (reads, unrelated files, ggen's own writes) neither start a
/// batch nor delay one. Returns the packs affected.
fn next_batch(
    rx: &Receiver<notify::Result<notify::Event>>,
    debounce: Duration,
    stop: &AtomicBool,
    affected: &mut dyn FnMut(&Path) -> Vec<String>,
) -> BTreeSet<String> {
    let mut packs = BTreeSet::new();
    let tick_end = Instant::now() + TICK;
    let mut batch_end: Option<(Instant, Instant)> = None;
    loop {
        if stop.load(Ordering::Relaxed) {
            return packs;
        }
        let now = Instant::now();
        let until = match batch_end {
            None => tick_end,
            Some((quiet, limit)) => quiet.min(limit),
        };
        let Some(wait) = until.checked_duration_since(now).filter(|d| !d.is_zero()) else {
            return packs;
        };
        let event = match rx.recv_timeout(wait.min(TICK)) {
            Ok(Ok(event)) => event,
            Ok(Err(_)) | Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return packs,
        };
        let mut relevant = false;
        for path in changed_paths(event) {
            let hit = affected(&path);
            relevant |= !hit.is_empty();
            packs.extend(hit);
        }
        if relevant {
            let now = Instant::now();
            let limit = match batch_end {
                Some((_, limit)) => limit,
                None => now + debounce * MAX_BATCH_DEBOUNCES,
            };
            batch_end = Some((now + debounce, limit));
        }
    }
}

/// The paths an event changed. Reads are events too (ggen reads the pack to regenerate), and
/// must not trigger another regeneration.
fn changed_paths(event: notify::Event) -> Vec<PathBuf> {
    use notify::EventKind;
    match event.kind {
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any => {
            event.paths
        }
        EventKind::Access(_) | EventKind::Other => Vec::new(),
    }
}

#[derive(Default)]
struct Watched {
    /// Pack id -> its directory, for packs installed from a path.
    pack_dirs: Vec<(String, PathBuf)>,
    /// Every pack id of the project.
    packs: Vec<String>,
    /// The lockfile as ggen last wrote it: a change to anything else is the user's.
    lock_hash: Option<String>,
    registered: BTreeSet<PathBuf>,
}

impl Watched {
    fn refresh(&mut self, layout: &Layout, watcher: &mut dyn Watcher) -> Result<(), ProjectError> {
        let (lock, _) = load_project(layout)?;
        self.packs = lock.packs.iter().map(|p| p.id.clone()).collect();
        self.pack_dirs = lock
            .packs
            .iter()
            .filter_map(|p| {
                let dir = p.directory()?;
                Some((p.id.clone(), PathBuf::from(dir)))
            })
            .collect();
        if self.lock_hash.is_none() {
            self.lock_hash = hash_of(&layout.lockfile());
        }
        // The project root itself, not recursively: ggen.lock and make.toml live there, and
        // generated files (which ggen itself writes) below it are not inputs.
        let mut wanted: Vec<(PathBuf, RecursiveMode)> =
            vec![(layout.root().to_path_buf(), RecursiveMode::NonRecursive)];
        wanted.extend(
            self.pack_dirs
                .iter()
                .map(|(_, dir)| (dir.clone(), RecursiveMode::Recursive)),
        );
        for (path, mode) in wanted {
            if self.registered.insert(path.clone()) {
                watcher.watch(&path, mode).map_err(watch_error)?;
            }
        }
        Ok(())
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.registered.iter().cloned().collect()
    }

    /// The packs a change to `path` affects.
    fn affected(&self, layout: &Layout, path: &Path) -> Vec<String> {
        let by_dir: Vec<String> = self
            .pack_dirs
            .iter()
            .filter(|(_, dir)| path.starts_with(dir))
            .map(|(id, _)| id.clone())
            .collect();
        if !by_dir.is_empty() {
            return by_dir;
        }
        if path == layout.lockfile() && hash_of(path) != self.lock_hash {
            // Edited by someone else (variables, a checkout): every pack may be affected.
            return self.packs.clone();
        }
        Vec::new()
    }
}

fn regenerate(
    layout: &Layout,
    env: &Environment,
    packs: &[String],
    reporter: &dyn Reporter,
) -> Result<(UpdateReport, Duration), ProjectError> {
    let started = Instant::now();
    let options = UpdateOptions {
        root: layout.root().to_path_buf(),
        packs: packs.to_vec(),
        mode: Mode::Regenerate,
        target: UpdateTarget::Newest,
        strategy: MergeStrategy::Auto,
        dry_run: false,
        restore: false,
        yes: false,
        vars: Default::default(),
    };
    // Never wait behind another ggen: retry after the next quiet period instead.
    let env = Environment {
        variable_defaults: Default::default(),
        no_wait: true,
        ..env.clone()
    };
    let report = update(&options, &env, reporter)?;
    Ok((report, started.elapsed()))
}

fn poll_registry(
    layout: &Layout,
    env: &Environment,
    auto: Option<AutoUpdate>,
    reporter: &dyn Reporter,
    on_event: &mut dyn FnMut(WatchEvent),
) {
    let rows = match crate::ops::outdated::outdated(layout, env) {
        Ok(rows) => rows,
        Err(e) => {
            on_event(WatchEvent::Failed {
                message: format!("registry check: {e}"),
            });
            return;
        }
    };
    for row in rows.iter().filter(|r| r.is_outdated()) {
        let newest = row.newest.clone().unwrap_or_default();
        let target = match auto {
            Some(AutoUpdate::Minor) => row.compatible.clone(),
            Some(AutoUpdate::Patch) => same_minor(&row.current, &row.available),
            None => None,
        }
        .filter(|v| *v != row.current);
        on_event(WatchEvent::NewVersion {
            pack: row.id.clone(),
            current: row.current.clone(),
            newest,
        });
        let Some(version) = target.and_then(|v| semver::Version::parse(&v).ok()) else {
            continue;
        };
        let options = UpdateOptions {
            root: layout.root().to_path_buf(),
            packs: vec![row.id.clone()],
            mode: Mode::Update,
            target: UpdateTarget::Exact(version),
            strategy: MergeStrategy::Auto,
            dry_run: false,
            restore: false,
            yes: false,
            vars: Default::default(),
        };
        let started = Instant::now();
        match update(&options, env, reporter) {
            Ok(report) => on_event(WatchEvent::Regenerated {
                report,
                elapsed: started.elapsed(),
            }),
            Err(e) => on_event(WatchEvent::Failed {
                message: e.to_string(),
            }),
        }
    }
}

/// The newest of `available` with the same major and minor version as `current`.
fn same_minor(current: &str, available: &[String]) -> Option<String> {
    let current = semver::Version::parse(current).ok()?;
    available
        .iter()
        .filter_map(|v| semver::Version::parse(v).ok())
        .filter(|v| v.major == current.major && v.minor == current.minor && v.pre.is_empty())
        .max()
        .map(|v| v.to_string())
}

fn hash_of(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|bytes| ggen_pack::integrity::sha256(&bytes))
}

fn watch_error(e: notify::Error) -> ProjectError {
    ProjectError::Lifecycle {
        message: format!("cannot watch files: {e} (try --poll)"),
    }
}
