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

#[derive(Debug, Args)]
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
    /// Registry to use: a directory or file:// URL [env: GGEN_REGISTRY]
    #[arg(long, global = true, value_name = "URL|PATH")]
    pub registry: Option<String>,
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
    /// Three-way merge of three files, like `git merge-file` (plumbing)
    MergeFile(MergeFileArgs),
    /// List the @ggen region markers of a file
    Regions(RegionsArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Example:\n  ggen completions bash > ~/.local/share/bash-completion/completions/ggen"
    )]
    Completions(CompletionsArgs),
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
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// Run the packs' hooks (shell commands) without asking
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
as a conflict (exit 3) and the rest of the pack is written. --force overwrites them.\n\n\
Examples:\n  ggen packs install ./my-pack\n  ggen packs install rust-web@^1.2 --var project_name=api"
    )]
    Install(InstallArgs),
    /// List installed packs, or with --available the registry's packs
    List(ListArgs),
    /// Pack a directory into an archive and add it to a registry directory
    #[command(
        after_help = "Versions are immutable: publishing a version that is already in the \
registry is refused.\n\nExample:\n  ggen packs publish ./my-pack --registry ./registry"
    )]
    Publish(PublishArgs),
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Packs to install: ID, ID@REQUIREMENT, or a path to a pack directory or .tar.gz
    #[arg(required = true, value_name = "ID[@REQ]|PATH")]
    pub packs: Vec<String>,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub hooks: HookArgs,
    /// Overwrite files in the way; reinstall a pack that is already installed
    #[arg(long)]
    pub force: bool,
    /// Show what would be written; write nothing
    #[arg(long)]
    pub dry_run: bool,
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
    #[arg(long = "graph", value_name = "FILE.ttl", required = true)]
    pub graphs: Vec<PathBuf>,
    /// SPARQL prefix declared for the query (repeatable)
    #[arg(long = "prefix", value_name = "NAME=IRI", value_parser = parse_var)]
    pub prefixes: Vec<(String, String)>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 when the merge is clean, 3 when conflicts remain, 1 on error.\n\n\
As a git merge driver:\n  git config merge.ggen.driver 'ggen merge-file -L %S -L %O -L %X %A %O %B'\n  \
echo '*.rs merge=ggen' >> .gitattributes"
)]
pub struct MergeFileArgs {
    /// The current version; the result is written here unless -p
    pub current: PathBuf,
    /// The common ancestor
    pub base: PathBuf,
    /// The other version
    pub other: PathBuf,
    /// Print the result to stdout instead of overwriting CURRENT
    #[arg(short = 'p', long = "stdout")]
    pub stdout: bool,
    /// Show the base version inside conflict blocks
    #[arg(long)]
    pub diff3: bool,
    /// Resolve conflicts by taking the current side
    #[arg(long, conflicts_with_all = ["theirs", "union"])]
    pub ours: bool,
    /// Resolve conflicts by taking the other side
    #[arg(long, conflicts_with = "union")]
    pub theirs: bool,
    /// Resolve conflicts by taking both sides
    #[arg(long)]
    pub union: bool,
    /// Labels for current, base and other in conflict markers (give up to three)
    #[arg(short = 'L', value_name = "LABEL", action = clap::ArgAction::Append)]
    pub labels: Vec<String>,
    /// Width of conflict markers
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub marker_size: usize,
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
