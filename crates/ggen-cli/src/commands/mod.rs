//! One module per command, named like it (`packs update` is `packs_update.rs`); each fills
//! an options struct, makes one library call and returns a [`Report`] that `main` prints.

mod completions;
mod conflicts;
mod diff;
mod graph_query;
mod history;
mod keys;
mod lifecycle;
pub mod merge_file;
mod packs_check;
mod packs_hooks;
mod packs_info;
mod packs_install;
mod packs_list;
mod packs_migrate;
mod packs_new;
mod packs_outdated;
mod packs_publish;
mod packs_uninstall;
mod packs_update;
mod packs_yank;
mod regions;
mod resolve;
mod rollback;
mod search;
mod status;
mod template_render;
mod watch;

use std::collections::BTreeMap;

use crate::Report;
use crate::args::{
    Cli, Command, GraphCommand, HooksCommand, KeysCommand, LifecycleCommand, PacksCommand,
    TemplateCommand,
};
use crate::error::CliError;
use crate::printer::Printer;

pub use history::recover;

pub fn run(cli: Cli, printer: &Printer) -> Result<Report, CliError> {
    let global = &cli.global;
    match cli.command {
        Command::New(args) => packs_install::new(&args, global, printer),
        Command::Packs(PacksCommand::Install(args)) => {
            packs_install::install(&args, global, printer)
        }
        Command::Packs(PacksCommand::List(args)) => packs_list::run(&args, global, printer),
        Command::Packs(PacksCommand::Update(args)) => packs_update::update(&args, global, printer),
        Command::Packs(PacksCommand::Regenerate(args)) => {
            packs_update::regenerate(&args, global, printer)
        }
        Command::Packs(PacksCommand::Check(_)) => packs_check::run(global, printer),
        Command::Packs(PacksCommand::Uninstall(args)) => {
            packs_uninstall::run(&args, global, printer)
        }
        Command::Packs(PacksCommand::Outdated(args)) => packs_outdated::run(&args, global, printer),
        Command::Status => status::status(global, printer),
        Command::Watch(args) => watch::run(&args, global, printer),
        Command::Lifecycle(LifecycleCommand::List) => lifecycle::list(global, printer),
        Command::Lifecycle(LifecycleCommand::Run(args)) => lifecycle::run(&args, global, printer),
        Command::Diff(args) => diff::run(&args, global, printer),
        Command::Conflicts => conflicts::list(global, printer),
        Command::Resolve(args) => resolve::run(&args, global, printer),
        Command::History => history::run(global, printer),
        Command::Rollback(args) => rollback::run(&args, global, printer),
        Command::Packs(PacksCommand::Publish(args)) => packs_publish::run(&args, global, printer),
        Command::Packs(PacksCommand::New(args)) => packs_new::run(&args, global, printer),
        Command::Packs(PacksCommand::Migrate(args)) => packs_migrate::run(&args, global, printer),
        Command::Packs(PacksCommand::Yank(args)) => packs_yank::run(&args, global, printer),
        Command::Packs(PacksCommand::Info(args)) => packs_info::run(&args, global, printer),
        Command::Packs(PacksCommand::Hooks(HooksCommand::Run(args))) => {
            packs_hooks::run(&args, global, printer)
        }
        Command::Search(args) => search::run(&args, global, printer),
        Command::Keys(KeysCommand::Generate(args)) => keys::generate(&args, global, printer),
        Command::Template(TemplateCommand::Render(args)) => {
            template_render::run(&args, global, printer)
        }
        Command::Graph(GraphCommand::Query(args)) => graph_query::run(&args, global, printer),
        Command::MergeFile(args) => merge_file::run(&args),
        Command::Regions(args) => regions::run(&args, global, printer),
        Command::Completions(args) => completions::run(&args, printer),
    }
}

/// `--var` pairs as a map; a name given twice is a usage error.
pub fn var_map(vars: &[(String, String)]) -> Result<BTreeMap<String, String>, CliError> {
    let mut map = BTreeMap::new();
    for (name, value) in vars {
        if map.insert(name.clone(), value.clone()).is_some() {
            return Err(CliError::usage(format!("--var {name} is given twice")));
        }
    }
    Ok(map)
}

/// The variables of `--var` and `--var-file`: `--var` wins over the files, a later file over
/// an earlier one.
pub fn var_values(args: &crate::args::VarArgs) -> Result<BTreeMap<String, String>, CliError> {
    let mut map = BTreeMap::new();
    for file in &args.var_files {
        map.extend(crate::var_file::read(file)?);
    }
    map.extend(var_map(&args.vars)?);
    Ok(map)
}
