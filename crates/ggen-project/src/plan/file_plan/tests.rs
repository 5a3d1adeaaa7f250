//! Update planning on a real project directory and object store.

use super::*;

/// A project with one pack `p` whose last generation wrote `base` at `path` (`None`: not
/// generated before), `current` on disk (`None`: absent).
struct Project {
    _dir: tempfile::TempDir,
    layout: Layout,
    objects: ObjectStore,
    snapshot: Snapshot,
}

impl Project {
    fn new(path: &str, base: Option<&str>, current: Option<&str>) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        let objects = ObjectStore::new(layout.objects());
        let mut snapshot = Snapshot::new();
        if let Some(base) = base {
            let hash = ggen_pack::integrity::sha256(base.as_bytes());
            objects.write(&hash, base.as_bytes()).unwrap();
            snapshot.files.insert(
                path.to_string(),
                SnapshotFile {
                    hash,
                    size: base.len() as u64,
                    pack: "p".into(),
                    version: "1.0.0".into(),
                    template: format!("{path}.tmpl"),
                    unless_exists: false,
                    executable: false,
                    regions: SnapshotRegion::scan(path, base.as_bytes()).0,
                    stat: None,
                },
            );
        }
        if let Some(current) = current {
            let full = layout.file(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, current).unwrap();
        }
        Project {
            _dir: dir,
            layout,
            objects,
            snapshot,
        }
    }

    /// The plan of `path` when the new generation writes `new` there (`None`: no longer).
    fn plan(
        &self,
        path: &str,
        new: Option<&str>,
        strategy: MergeStrategy,
        restore: bool,
    ) -> FilePlan {
        let files: Vec<GeneratedFile> = new
            .iter()
            .map(|new| GeneratedFile {
                path: path.to_string(),
                content: new.as_bytes().to_vec(),
                hash: ggen_pack::integrity::sha256(new.as_bytes()),
                template: format!("{path}.tmpl"),
                unless_exists: false,
                executable: false,
                moved_from: None,
            })
            .collect();
        let repair = BaseRepair::default();
        let inputs = PlanInputs {
            layout: &self.layout,
            objects: &self.objects,
            snapshot: &self.snapshot,
            pack: "p",
            version: "2.0.0".into(),
            strategy,
            restore,
            repair: &repair,
        };
        let mut plans = plan_pack(&inputs, &files).unwrap();
        assert_eq!(plans.len(), 1, "one file, one plan");
        plans.remove(0)
    }
}

/// What the file holds once the plan is carried out (`None`: no file).
fn after(plan: &FilePlan, current: Option<&str>) -> Option<String> {
    match plan.changes().find(|change| change.path == plan.path) {
        Some(change) => change
            .content
            .map(|bytes| String::from_utf8(bytes.to_vec()).unwrap()),
        None => current.map(str::to_string),
    }
}

const BASE: &str = "one\ntwo\nthree\nfour\nfive\n";
const OURS: &str = "ONE\ntwo\nthree\nfour\nfive\n";
const THEIRS: &str = "one\ntwo\nthree\nfour\nFIVE\n";
const BOTH: &str = "ONE\ntwo\nthree\nfour\nFIVE\n";
const CLASH: &str = "uno\ntwo\nthree\nfour\nfive\n";

/// Update planning, one row per case of SPEC §5 as an update meets it on disk: (case,
/// base, current, new, strategy, --restore, action, the file afterwards, a conflict
/// recorded).
#[test]
fn every_case_an_update_plans() {
    use MergeStrategy::{Auto, Preserve};
    use UpdateAction::*;
    type Row = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        MergeStrategy,
        bool,
        UpdateAction,
        Option<&'static str>,
        bool,
    );
    #[rustfmt::skip]
    let table: &[Row] = &[
        ("untouched, pack unchanged",       Some(BASE), Some(BASE),   Some(BASE),   Auto,     false, Unchanged, Some(BASE),   false),
        ("untouched, pack changed",         Some(BASE), Some(BASE),   Some(THEIRS), Auto,     false, Update,    Some(THEIRS), false),
        ("edited, pack unchanged",          Some(BASE), Some(OURS),   Some(BASE),   Auto,     false, Unchanged, Some(OURS),   false),
        ("edited, pack changed elsewhere",  Some(BASE), Some(OURS),   Some(THEIRS), Auto,     false, Merge,     Some(BOTH),   false),
        ("edited, pack changed the line",   Some(BASE), Some(OURS),   Some(CLASH),  Auto,     false, Conflict,  None,         true),
        ("edited, preserve",                Some(BASE), Some(OURS),   Some(THEIRS), Preserve, false, Skip,      Some(OURS),   false),
        ("added by the pack",               None,       None,         Some(THEIRS), Auto,     false, Create,    Some(THEIRS), false),
        ("added on both sides, same",       None,       Some(THEIRS), Some(THEIRS), Auto,     false, Unchanged, Some(THEIRS), false),
        ("a file of yours in the way",      None,       Some(OURS),   Some(THEIRS), Auto,     false, Conflict,  Some(OURS),   true),
        ("dropped, untouched",              Some(BASE), Some(BASE),   None,         Auto,     false, Delete,    None,         false),
        ("dropped, edited",                 Some(BASE), Some(OURS),   None,         Auto,     false, Keep,      Some(OURS),   false),
        ("deleted by you",                  Some(BASE), None,         Some(THEIRS), Auto,     false, Skip,      None,         false),
        ("deleted by you, --restore",       Some(BASE), None,         Some(THEIRS), Auto,     true,  Create,    Some(THEIRS), false),
    ];
    for (case, base, current, new, strategy, restore, action, file, conflict) in table {
        let project = Project::new("f.txt", *base, *current);
        let plan = project.plan("f.txt", *new, *strategy, *restore);
        assert_eq!(plan.action, *action, "{case}");
        assert_eq!(
            plan.conflict.is_some(),
            *conflict,
            "{case}: conflict recorded"
        );
        let result = after(&plan, *current);
        match file {
            // A conflict written inline: the user's line and the pack's, in blocks.
            None if *conflict => {
                let text = result.unwrap_or_default();
                assert!(
                    text.contains("<<<<<<<") && text.contains("ONE") && text.contains("uno"),
                    "{case}: {text}"
                );
            }
            _ => assert_eq!(result.as_deref(), *file, "{case}"),
        }
    }
}

/// A conflict keeps the user's version as an object, so `resolve --ours` and rollback can
/// give it back byte for byte.
#[test]
fn a_conflict_keeps_the_users_version_for_later() {
    let project = Project::new("f.txt", Some(BASE), Some(OURS));
    let plan = project.plan("f.txt", Some(CLASH), MergeStrategy::Auto, false);
    let (hash, bytes) = plan.current_object.clone().unwrap();
    assert_eq!(bytes, OURS.as_bytes());
    let conflict = plan.conflict.unwrap();
    assert_eq!(conflict.versions.current.as_deref(), Some(hash.as_str()));
    assert_eq!(
        conflict.versions.base,
        Some(ggen_pack::integrity::sha256(BASE.as_bytes()))
    );
}
