//! `make.toml`: lifecycle phases and the hooks that chain them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::ProjectError;

/// The phase ggen provides itself: `ggen packs regenerate`, unless `make.toml` gives commands.
pub const TEMPLATE_PHASE: &str = "template";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    pub phases: BTreeMap<String, Phase>,
    pub hooks: Hooks,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub command: Option<String>,
    #[serde(default)]
    pub commands: Vec<String>,
    /// Globs (relative to the project root) whose content feeds the phase.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Globs the phase produces; with `inputs`, the phase is skipped while nothing changed.
    #[serde(default)]
    pub outputs: Vec<String>,
    /// Environment variables whose values are part of the phase's cache key.
    #[serde(default)]
    pub env: Vec<String>,
}

impl Phase {
    /// `command` and `commands`, in that order.
    pub fn all_commands(&self) -> Vec<String> {
        self.command.iter().chain(&self.commands).cloned().collect()
    }

    pub fn is_cached(&self) -> bool {
        !self.inputs.is_empty() && !self.outputs.is_empty()
    }
}

/// `[hooks]`: `before_all`, `after_all` (around each phase named on the command line) and
/// `before_<phase>`, `after_<phase>` (around every run of that phase), each naming phases.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hooks {
    pub before_all: Vec<String>,
    pub after_all: Vec<String>,
    pub before: BTreeMap<String, Vec<String>>,
    pub after: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    lifecycle: BTreeMap<String, Phase>,
    #[serde(default)]
    hooks: BTreeMap<String, Vec<String>>,
}

impl Lifecycle {
    /// Reads `make.toml` at `path`; a project without one has only the built-in phase.
    pub fn load(path: &Path) -> Result<Lifecycle, ProjectError> {
        let text = match ggen_fs::read_optional(path)? {
            Some(bytes) => {
                String::from_utf8(bytes).map_err(|_| invalid(path, "not valid UTF-8".into()))?
            }
            None => String::new(),
        };
        Lifecycle::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Lifecycle, ProjectError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| invalid(path, e.to_string()))?;
        let mut phases = raw.lifecycle;
        phases.entry(TEMPLATE_PHASE.to_string()).or_default();
        let mut hooks = Hooks::default();
        for (name, targets) in raw.hooks {
            let slot = if name == "before_all" {
                &mut hooks.before_all
            } else if name == "after_all" {
                &mut hooks.after_all
            } else if let Some(phase) = name.strip_prefix("before_") {
                hooks.before.entry(phase.to_string()).or_default()
            } else if let Some(phase) = name.strip_prefix("after_") {
                hooks.after.entry(phase.to_string()).or_default()
            } else {
                return Err(invalid(
                    path,
                    format!(
                        "hook `{name}` must be before_all, after_all, before_<phase> or after_<phase>"
                    ),
                ));
            };
            *slot = targets;
        }
        let lifecycle = Lifecycle { phases, hooks };
        lifecycle.validate(path)?;
        Ok(lifecycle)
    }

    /// The shell commands that running `phases` executes, in order: `before_all`, each
    /// phase with its `before_`/`after_` hooks, `after_all` (what a consent prompt shows).
    /// The built-in template phase runs no shell command.
    pub fn commands_run_by(&self, phases: &[String]) -> Vec<String> {
        let mut commands = Vec::new();
        for phase in phases {
            let order = self
                .hooks
                .before_all
                .iter()
                .chain([phase])
                .chain(&self.hooks.after_all);
            for step in order {
                self.collect_commands(step, &mut commands);
            }
        }
        commands
    }

    fn collect_commands(&self, phase: &str, commands: &mut Vec<String>) {
        for before in self.hooks.before.get(phase).into_iter().flatten() {
            self.collect_commands(before, commands);
        }
        if let Some(definition) = self.phases.get(phase) {
            commands.extend(definition.all_commands());
        }
        for after in self.hooks.after.get(phase).into_iter().flatten() {
            self.collect_commands(after, commands);
        }
    }

    /// Every hook names a defined phase, hooks name defined phases, and no phase reaches
    /// itself through `before_`/`after_` hooks.
    fn validate(&self, path: &Path) -> Result<(), ProjectError> {
        let all_hooks = self
            .hooks
            .before
            .iter()
            .chain(&self.hooks.after)
            .map(|(phase, targets)| (Some(phase), targets))
            .chain([
                (None, &self.hooks.before_all),
                (None, &self.hooks.after_all),
            ]);
        for (phase, targets) in all_hooks {
            if let Some(phase) = phase
                && !self.phases.contains_key(phase)
            {
                return Err(invalid(
                    path,
                    format!("hooks name phase `{phase}`, which [lifecycle] does not define"),
                ));
            }
            for target in targets {
                if !self.phases.contains_key(target) {
                    return Err(invalid(
                        path,
                        format!("hook runs phase `{target}`, which [lifecycle] does not define"),
                    ));
                }
            }
        }
        for phase in self.phases.keys() {
            self.find_cycle(phase, &mut Vec::new()).map_err(|chain| {
                invalid(path, format!("hooks form a cycle: {}", chain.join(" -> ")))
            })?;
        }
        Ok(())
    }

    fn find_cycle(&self, phase: &str, stack: &mut Vec<String>) -> Result<(), Vec<String>> {
        if let Some(pos) = stack.iter().position(|p| p == phase) {
            let mut chain = stack[pos..].to_vec();
            chain.push(phase.to_string());
            return Err(chain);
        }
        stack.push(phase.to_string());
        let next = self
            .hooks
            .before
            .get(phase)
            .into_iter()
            .chain(self.hooks.after.get(phase))
            .flatten();
        for target in next {
            self.find_cycle(target, stack)?;
        }
        stack.pop();
        Ok(())
    }
}

fn invalid(path: &Path, message: String) -> ProjectError {
    ProjectError::Lifecycle {
        message: format!("{}: {message}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Lifecycle, ProjectError> {
        Lifecycle::parse(text, Path::new("make.toml"))
    }

    #[test]
    fn parses_phases_hooks_and_the_builtin_template_phase() {
        let lifecycle = parse(
            "[lifecycle.build]\ncommands = [\"cargo build\"]\n[lifecycle.setup]\ncommand = \"cargo fetch\"\n\
             [hooks]\nbefore_build = [\"setup\"]\nafter_template = [\"build\"]\n",
        )
        .unwrap();
        assert!(lifecycle.phases.contains_key(TEMPLATE_PHASE));
        assert_eq!(lifecycle.phases["setup"].all_commands(), ["cargo fetch"]);
        assert_eq!(lifecycle.hooks.before["build"], ["setup"]);
        assert_eq!(lifecycle.hooks.after["template"], ["build"]);
    }

    #[test]
    fn the_commands_a_run_executes_include_every_hook() {
        let lifecycle = parse(
            "[lifecycle.lint]\ncommand = \"lint\"\n[lifecycle.test]\ncommands = [\"t1\", \"t2\"]\n\
             [lifecycle.report]\ncommand = \"report\"\n[lifecycle.fmt]\ncommand = \"fmt\"\n\
             [hooks]\nbefore_all = [\"fmt\"]\nbefore_test = [\"lint\"]\nafter_test = [\"report\"]\n",
        )
        .unwrap();
        assert_eq!(
            lifecycle.commands_run_by(&["test".to_string()]),
            ["fmt", "lint", "t1", "t2", "report"]
        );
        assert!(
            lifecycle
                .commands_run_by(&[TEMPLATE_PHASE.to_string()])
                .contains(&"fmt".to_string())
        );
    }

    #[test]
    fn refuses_cycles_unknown_phases_and_bad_hook_names() {
        let cycle = parse(
            "[lifecycle.a]\ncommand = \"x\"\n[lifecycle.b]\ncommand = \"y\"\n[hooks]\nbefore_a = [\"b\"]\nafter_b = [\"a\"]\n",
        );
        let err = cycle.unwrap_err().to_string();
        assert!(
            err.contains("cycle") && err.contains("a -> b -> a"),
            "{err}"
        );
        let unknown = parse("[hooks]\nbefore_all = [\"nope\"]\n")
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("`nope`"), "{unknown}");
        let bad = parse("[lifecycle.a]\ncommand = \"x\"\n[hooks]\naround_a = [\"a\"]\n")
            .unwrap_err()
            .to_string();
        assert!(bad.contains("around_a"), "{bad}");
        let typo = parse("[lifecycle.a]\ncomands = [\"x\"]\n")
            .unwrap_err()
            .to_string();
        assert!(typo.contains("comands"), "{typo}");
    }
}
