//! The command line: every command, flag and help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ggen",
    version,
    about = "Generate code and projects from packs, and keep them up to date",
    long_about = "Generate code and projects from packs — versioned bundles of templates and RDF \
knowledge graphs — and keep every generated project connected to its packs: ggen records \
exactly what it generated in ggen.lock and .ggen/, so later commands can update, merge and \
roll back.",
    after_help = "Examples:\n  ggen new my-app --pack ./examples/packs/rust-cli --var project_name=my_app\n  \
ggen packs install rust-cli@^1.0 --registry ./registry\n  ggen packs publish ./my-pack --registry ./registry"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes; `--help` lists them under their own heading, after the
/// command's own options.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Run as if ggen was started in DIR (the project root)
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// Print one JSON document on stdout instead of human output
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (every file)
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// When to use colors (NO_COLOR is honoured)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Use only what is already cached; never reach a registry
    #[arg(long, global = true)]
    pub offline: bool,
    /// Registry to use: a directory, file:// or http(s):// URL [env: GGEN_REGISTRY]
    #[arg(long, global = true, value_name = "URL|PATH")]
    pub registry: Option<String>,
    /// Trust signatures made with this public key, besides $GGEN_HOME/trusted_keys/*.pub
    /// (repeatable)
    #[arg(long = "trust-key", global = true, value_name = "FILE.pub")]
    pub trust_keys: Vec<PathBuf>,
    /// Refuse registry packs that are unsigned or signed by a key not trusted
    #[arg(long, global = true)]
    pub require_signatures: bool,
    /// Fail at once if another ggen is changing the project, instead of waiting
    #[arg(long, global = true)]
    pub no_wait: bool,
    /// Raise the bound on rows one SPARQL query may return
    #[arg(long, global = true, value_name = "N")]
    pub max_rows: Option<usize>,
    /// Raise the bound on files one template may generate
    #[arg(long, global = true, value_name = "N")]
    pub max_outputs: Option<usize>,
    /// Raise the bound on the bytes of one generated file
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_output_bytes: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new project from a pack (and its dependencies)
    #[command(
        after_help = "Examples:\n  ggen new my-app --pack ./examples/packs/rust-cli --var project_name=my_app\n  \
ggen new api --pack rust-web@^1.2 --registry ./registry"
    )]
    New(NewArgs),
    /// Install, publish and inspect packs
    #[command(subcommand)]
    Packs(PacksCommand),
    /// Render templates outside a project (plumbing)
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Query RDF graphs with SPARQL (plumbing)
    #[command(subcommand)]
    Graph(GraphCommand),
    /// Generated files that were modified, deleted or are in conflict
    Status,
    /// What the last generation wrote vs the files now, as a unified diff
    Diff(DiffArgs),
    /// List files with unresolved conflicts
    Conflicts,
    /// Settle a conflict by keeping one side, or your hand-merged file
    #[command(
        after_help = "Examples:\n  ggen resolve src/user.rs --merged   # you edited the conflict blocks away\n  \
ggen resolve logo.png --theirs       # take the pack's version"
    )]
    Resolve(ResolveArgs),
    /// List the changes made to this project (transactions), newest first
    #[command(
        after_help = "Every command that changes the project is one transaction; the last 20 \
are kept (history_limit in $GGEN_HOME/config.toml, or GGEN_HISTORY_LIMIT).\n\n\
Example:\n  ggen history --verbose   # with the files each one changed"
    )]
    History,
    /// Undo the last change (or every change back to TXID), byte for byte
    #[command(
        after_help = "Restores files, ggen.lock and .ggen/snapshot.json as they were before. Files \
you changed since are not overwritten: they are listed and nothing is done, unless --force. \
A rollback is itself a change: `ggen rollback` again undoes it.\n\n\
Examples:\n  ggen rollback\n  ggen rollback 20261123T101502Z-0001"
    )]
    Rollback(RollbackArgs),
    /// Regenerate whenever packs under development, graphs, variables or ggen.lock change
    #[command(
        after_help = "Watches packs installed from a directory (templates, manifest, graph), \
ggen.lock and make.toml; regenerates only the packs a change affects, with the usual merge. \
Stop with Ctrl-C.\n\nExamples:\n  ggen watch\n  ggen watch --poll-registry 300 --auto-update patch"
    )]
    Watch(WatchArgs),
    /// Run the project's lifecycle phases from make.toml
    #[command(subcommand)]
    Lifecycle(LifecycleCommand),
    /// Three-way merge of three files, like `git merge-file` (plumbing)
    MergeFile(MergeFileArgs),
    /// List the @ggen region markers of a file
    Regions(RegionsArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Example:\n  ggen completions bash > ~/.local/share/bash-completion/completions/ggen"
    )]
    Completions(CompletionsArgs),
    /// Search the registry's packs by id and description
    #[command(after_help = "Example:\n  ggen search axum service --registry ./registry")]
    Search(SearchArgs),
    /// Manage signing keys
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Directory to create (must not exist, or be empty)
    pub dir: PathBuf,
    /// Pack to generate from: ID, ID@REQUIREMENT, or a path to a pack directory or .tar.gz
    #[arg(long = "pack", required = true, value_name = "ID[@REQ]|PATH")]
    pub packs: Vec<String>,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub answers: AnswerArgs,
    #[command(flatten)]
    pub hooks: HookArgs,
    /// Show what would be generated; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct VarArgs {
    /// Set a template variable (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Read variables from a TOML file of `name = value` (repeatable; `--var` wins)
    #[arg(long = "var-file", value_name = "FILE.toml")]
    pub var_files: Vec<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// Take every variable's default without asking (a required one without a default is
    /// an error); ggen never asks anyway when stdin or stderr is not a terminal
    #[arg(long)]
    pub defaults: bool,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// Run the shell commands packs supply without asking: their hooks and, for
    /// `packs update --test`, a make.toml the update wrote or changed
    #[arg(long)]
    pub allow_hooks: bool,
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

#[derive(Debug, Subcommand)]
pub enum PacksCommand {
    /// Add packs to the project (a directory without ggen.lock becomes a ggen project)
    #[command(
        after_help = "Files already in the project are never overwritten: each one is reported \
as a conflict (exit 3) and the rest of the pack is written. --force overwrites them, keeping \
their protected and manual-edit regions (a file whose regions the pack has no place for stays a \
conflict).\n\n\
Examples:\n  ggen packs install ./my-pack\n  ggen packs install rust-web@^1.2 --var project_name=api"
    )]
    Install(InstallArgs),
    /// List installed packs, or with --available the registry's packs
    List(ListArgs),
    /// Move packs to new versions, merging with your edits
    #[command(
        after_help = "For each file: unmodified files are replaced; files you changed are merged \
(region-aware three-way merge), and conflicts are written inline and make the command exit 3.\n\n\
Examples:\n  ggen packs update rust-web\n  ggen packs update --all --compatible\n  ggen packs update rust-web --to 2.0.0 --dry-run"
    )]
    Update(UpdateArgs),
    /// Render the locked versions again (after graph, template or variable changes)
    #[command(
        after_help = "Examples:\n  ggen packs regenerate\n  ggen packs regenerate --pack entity-models --var crate_name=shop"
    )]
    Regenerate(RegenerateArgs),
    /// What would regenerate and why, and generated files that drifted (exit 1 when not clean)
    Check(CheckArgs),
    /// Remove a pack: its unmodified files are deleted, files you changed are kept
    Uninstall(UninstallArgs),
    /// Installed packs with newer versions
    #[command(
        after_help = "Examples:\n  ggen packs outdated\n  ggen packs outdated --exit-code --compatible   \
# a CI gate: exit 1 when a compatible release is out"
    )]
    Outdated(OutdatedArgs),
    /// Pack a directory into an archive and add it to a registry directory
    #[command(
        after_help = "Versions are immutable: publishing a version that is already in the \
registry is refused. The first publish into a new registry directory needs --init.\n\n\
Examples:\n  ggen packs publish ./my-pack --registry ./registry --init   # a new registry\n  \
ggen packs publish ./my-pack --registry ./registry"
    )]
    Publish(PublishArgs),
    /// Write a small working pack to start from (see docs/writing-packs.md)
    #[command(after_help = "Example:\n  ggen packs new my-pack && ggen new demo --pack ./my-pack")]
    New(PacksNewArgs),
    /// Convert a pack written for the original ggen (pack.toml, ggen.toml rules, gpack v1)
    #[command(
        after_help = "Reads SRC (a directory with pack.toml + ontology.ttl + templates/, a ggen.toml \
with [[generation.rules]], or a v1 gpack.toml with [gpack]) and writes a pack of this ggen \
into --out (default: ./<pack id>). Each file is reported as converted, converted with \
changes, or needing a human (and why); files that need a human are kept under unconverted/ \
in the new pack, not among its templates.\n\n\
Exit status: 0 when everything converted, 3 when anything needs a human, 1 on errors.\n\n\
Example:\n  ggen packs migrate ../old-ggen/packs/typer-pack --out ./typer-pack\n  \
ggen new demo --pack ./typer-pack\n\nSee docs/migrating.md."
    )]
    Migrate(MigrateArgs),
    /// Mark a published version yanked: new resolutions skip it, projects that lock it keep it
    #[command(
        after_help = "Versions are immutable: a yanked version stays downloadable for projects \
whose ggen.lock names it; --undo makes it selectable again.\n\n\
Example:\n  ggen packs yank rust-web@1.2.0 --registry ./registry"
    )]
    Yank(YankArgs),
    /// A pack's variables (type, default, choices, pattern, description, secret); for a
    /// registry pack also its versions, dependencies, yanked versions and signatures
    #[command(
        after_help = "Example:\n  ggen packs info rust-web --registry https://packs.example.org\n  ggen packs info ./my-pack"
    )]
    Info(InfoArgs),
    /// Run an installed pack's hooks (those skipped by `ggen new` without --allow-hooks)
    #[command(subcommand)]
    Hooks(HooksCommand),
}

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// Run the pack's post_install (or --hook post-update) commands in the project root
    #[command(
        after_help = "The commands come from the locked version of the pack; they are shown and asked about on a terminal, or run at once with --allow-hooks.\n\nExample:\n  ggen -C my-app packs hooks run rust-cli --allow-hooks"
    )]
    Run(HooksRunArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookKindArg {
    /// After install (`ggen new`, `ggen packs install`)
    PostInstall,
    /// After update and regenerate
    PostUpdate,
}

#[derive(Debug, Args)]
pub struct HooksRunArgs {
    /// The installed pack
    pub id: String,
    /// Which hooks
    #[arg(long, value_enum, default_value_t = HookKindArg::PostInstall)]
    pub hook: HookKindArg,
    #[command(flatten)]
    pub hooks: HookArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Accepted for scripts that spell it: check never writes
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct OutdatedArgs {
    /// Exit 1 when any installed pack has a newer version (a CI gate); 0 otherwise
    #[arg(long)]
    pub exit_code: bool,
    /// With --exit-code, count only versions in the semver-compatible range of the installed one
    #[arg(long)]
    pub compatible: bool,
}

#[derive(Debug, Args)]
pub struct YankArgs {
    /// The version to yank, as ID@VERSION
    #[arg(value_name = "ID@VERSION")]
    pub pack: String,
    /// Make the version selectable again
    #[arg(long)]
    pub undo: bool,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The pack id, or a pack directory (one with gpack.toml)
    pub id: String,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words that must all appear in a pack's id or description (case-insensitive)
    #[arg(required = true, value_name = "TEXT")]
    pub text: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a signing key pair: FILE (secret) and FILE.pub (public)
    #[command(
        after_help = "Sign with `ggen packs publish DIR --sign-key FILE`; users verify with \
`--trust-key FILE.pub` or by copying FILE.pub into $GGEN_HOME/trusted_keys/.\n\n\
Example:\n  ggen keys generate --out ~/.ggen/publisher --algorithm ml-dsa-65"
    )]
    Generate(KeysGenerateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyAlgorithm {
    /// Ed25519 (RFC 8032)
    Ed25519,
    /// ML-DSA-65 (FIPS 204), post-quantum
    #[value(name = "ml-dsa-65")]
    MlDsa65,
}

#[derive(Debug, Args)]
pub struct KeysGenerateArgs {
    /// Where to write the secret key; the public key goes to FILE.pub
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The signature algorithm
    #[arg(long, value_enum, default_value_t = KeyAlgorithm::Ed25519)]
    pub algorithm: KeyAlgorithm,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Packs to install: ID, ID@REQUIREMENT, or a path to a pack directory or .tar.gz
    #[arg(required = true, value_name = "ID[@REQ]|PATH")]
    pub packs: Vec<String>,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub answers: AnswerArgs,
    #[command(flatten)]
    pub hooks: HookArgs,
    /// Overwrite files in the way; reinstall a pack that is already installed
    #[arg(long)]
    pub force: bool,
    /// Show what would be written; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Region-aware three-way merge; conflicts written inline
    Auto,
    /// Show each merge and write it only after a yes
    Manual,
    /// Leave files you changed untouched
    Preserve,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// How to treat files you changed
    #[arg(long, value_enum, default_value_t = StrategyArg::Auto, value_name = "STRATEGY")]
    pub merge_strategy: StrategyArg,
    /// Show what would change per file; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Recreate generated files you deleted
    #[arg(long)]
    pub restore: bool,
    /// Accept every merge of --merge-strategy manual without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Packs to update (or --all)
    #[arg(value_name = "ID", conflicts_with = "all")]
    pub packs: Vec<String>,
    /// Update every installed pack
    #[arg(long)]
    pub all: bool,
    /// Move to exactly this version (one pack only)
    #[arg(long, value_name = "VERSION", conflicts_with = "compatible")]
    pub to: Option<String>,
    /// Stay within the semver-compatible range of the installed version
    #[arg(long)]
    pub compatible: bool,
    /// Run the lifecycle `test` phase afterwards; roll the whole update back if it fails
    #[arg(long)]
    pub test: bool,
    #[command(flatten)]
    pub merge: MergeArgs,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub hooks: HookArgs,
    #[command(flatten)]
    pub answers: AnswerArgs,
}

#[derive(Debug, Args)]
pub struct RegenerateArgs {
    /// Only this pack (default: every installed pack)
    #[arg(long = "pack", value_name = "ID")]
    pub packs: Vec<String>,
    #[command(flatten)]
    pub merge: MergeArgs,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub hooks: HookArgs,
    #[command(flatten)]
    pub answers: AnswerArgs,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// The pack to remove
    pub id: String,
    /// Remove it even if other installed packs depend on it
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// Undo this transaction and every later one (an id from `ggen history`, or a unique
    /// prefix of one); default: the last transaction
    #[arg(value_name = "TXID")]
    pub txid: Option<String>,
    /// Overwrite files changed since those transactions
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Only these files (default: every generated file that changed)
    pub paths: Vec<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("side").required(true).args(["ours", "theirs", "merged"])))]
pub struct ResolveArgs {
    /// The conflicted file
    pub path: String,
    /// Keep your version (as before the update)
    #[arg(long)]
    pub ours: bool,
    /// Take the pack's side of generated content and of every conflict; manual-edit and
    /// protected regions and your changes that did not conflict are kept (a binary file, or
    /// a file that was in the way, becomes the pack's version)
    #[arg(long)]
    pub theirs: bool,
    /// Keep the file as it is now (refused while conflict markers remain)
    #[arg(long)]
    pub merged: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Quiet time in milliseconds before a burst of changes is acted on
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub debounce: u64,
    /// Poll for changes every MS milliseconds instead of using filesystem events
    #[arg(long, value_name = "MS", num_args = 0..=1, default_missing_value = "500")]
    pub poll: Option<u64>,
    /// Check the registry for newer pack versions every SECS seconds
    #[arg(long, value_name = "SECS")]
    pub poll_registry: Option<u64>,
    /// Apply newer versions found by --poll-registry within this range
    #[arg(long, value_enum, requires = "poll_registry")]
    pub auto_update: Option<AutoUpdateArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AutoUpdateArg {
    /// Same major and minor version
    Patch,
    /// Same major version
    Minor,
}

#[derive(Debug, Subcommand)]
pub enum LifecycleCommand {
    /// List the phases and hooks of make.toml
    List,
    /// Run phases in order, each with its hooks; stop at the first failure
    #[command(
        after_help = "A phase with both `inputs` and `outputs` is skipped while the hash of its \
commands, declared environment and inputs is unchanged and its outputs exist.\n\n\
Exit status: the failing command's exit status, or 0.\n\n\
Examples:\n  ggen lifecycle run build test\n  ggen lifecycle run template --force"
    )]
    Run(LifecycleRunArgs),
}

#[derive(Debug, Args)]
pub struct LifecycleRunArgs {
    /// Phases to run, in order
    #[arg(required = true, value_name = "PHASE")]
    pub phases: Vec<String>,
    /// Run phases even when their inputs are unchanged
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// List the registry's packs instead of the installed ones
    #[arg(long)]
    pub available: bool,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The pack directory (holding gpack.toml)
    pub dir: PathBuf,
    /// Create the registry directory if it is not a registry yet (without it, a mistyped
    /// --registry is an error, not a new registry)
    #[arg(long)]
    pub init: bool,
    /// Sign the pack's id, version and archive hash with this secret key
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The original pack's directory
    pub src: PathBuf,
    /// Where to write the converted pack (absent or empty; default: ./<pack id>)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Report what would be converted; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct PacksNewArgs {
    /// The directory to create (absent or empty)
    pub dir: PathBuf,
    /// The pack id (default: the directory's name)
    #[arg(long)]
    pub id: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Render one template file and print its output(s)
    #[command(
        after_help = "Example:\n  ggen template render model.rs.tmpl --graph model.ttl --var crate_name=demo"
    )]
    Render(RenderArgs),
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The template file
    pub template: PathBuf,
    #[command(flatten)]
    pub vars: VarArgs,
    /// Turtle files loaded into the graph the template queries (repeatable)
    #[arg(long = "graph", value_name = "FILE.ttl")]
    pub graphs: Vec<PathBuf>,
    /// SPARQL prefix declared for every query (repeatable)
    #[arg(long = "prefix", value_name = "NAME=IRI", value_parser = parse_var)]
    pub prefixes: Vec<(String, String)>,
    /// Render as part of this pack directory: its `[graph]` files and prefixes, its includes
    #[arg(long, value_name = "DIR")]
    pub pack: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum GraphCommand {
    /// Run a SPARQL SELECT query over Turtle files
    #[command(
        after_help = "Example:\n  ggen graph query 'SELECT ?s WHERE { ?s a ?type }' --graph model.ttl"
    )]
    Query(QueryArgs),
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query text, or @FILE to read it from a file
    pub query: String,
    /// Turtle files to load (repeatable)
    #[arg(
        long = "graph",
        value_name = "FILE.ttl",
        required_unless_present = "pack"
    )]
    pub graphs: Vec<PathBuf>,
    /// SPARQL prefix declared for the query (repeatable)
    #[arg(long = "prefix", value_name = "NAME=IRI", value_parser = parse_var)]
    pub prefixes: Vec<(String, String)>,
    /// Query this pack directory's graph (`[graph] files`) with its `[graph] prefixes`
    #[arg(long, value_name = "DIR")]
    pub pack: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    disable_help_flag = true,
    after_help = "Options, read as git merge-file reads them (`ggen merge-file --help` lists them):\n  \
-p/--stdout, --diff3, --zdiff3, --ours, --theirs, --union, -L LABEL (up to three), --marker-size N,\n  \
-q, --widen-markers (markers longer than any marker-like line).\n\n\
Exit status, as git merge-file's: the number of conflicts (at most 127), 255 on error, 129 on a usage error.\n\n\
As a git merge driver:\n  git config merge.ggen.driver 'ggen merge-file -L %S -L %O -L %X %A %O %B'\n  \
echo '*.rs merge=ggen' >> .gitattributes"
)]
pub struct MergeFileArgs {
    /// git merge-file's options and CURRENT BASE OTHER (parsed by commands/merge_file.rs)
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct RegionsArgs {
    /// The file to scan
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    pub shell: clap_complete::Shell,
}
