//! Explaining a failed resolution in words: pubgrub's `DefaultStringReporter` walks the
//! derivation, and this formatter names packs, versions and the requirements as written
//! (`^1.2`), says which versions exist and which are yanked, installed or given as a path.

use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, Ranges, ReportFormatter,
    Reporter, Term,
};
use semver::Version;

use super::{Node, Origin, Provider, Source};

type Set = Ranges<Version>;

pub(super) fn explain(provider: &Provider<'_>, tree: &DerivationTree<Node, Set, String>) -> String {
    DefaultStringReporter::report_with_formatter(tree, &Explainer { provider })
}

struct Explainer<'a, 'p> {
    provider: &'a Provider<'p>,
}

impl Explainer<'_, '_> {
    /// `id` with the versions of `set`: `base ^2`, `base 1.1.0`, `base 1.0.0 or 1.1.0`.
    fn pack_in(&self, id: &str, set: &Set) -> String {
        if *set == Ranges::full() {
            return id.to_string();
        }
        if let Some(labels) = self.provider.labels.borrow().get(id)
            && let Some((_, text)) = labels.iter().find(|(s, _)| s == set)
        {
            return format!("{id} {text}");
        }
        if let Some(version) = set.as_singleton() {
            return format!("{id} {version}");
        }
        let versions: Vec<String> = match self.provider.known(id) {
            Ok(known) => known
                .candidates
                .iter()
                .filter(|c| set.contains(&c.version))
                .map(|c| c.version.to_string())
                .collect(),
            Err(_) => Vec::new(),
        };
        match versions.as_slice() {
            [] => format!("{id} {set}"),
            [one] => format!("{id} {one}"),
            [init @ .., last] if versions.len() <= 4 => {
                format!("{id} {} or {last}", init.join(", "))
            }
            _ => format!("{id} {set}"),
        }
    }

    /// Which versions of `id` exist, for "no version matches" messages.
    fn available(&self, id: &str) -> String {
        let Ok(known) = self.provider.known(id) else {
            return String::new();
        };
        match &known.source {
            Source::Fixed(Origin::Installed) => {
                let version = known.candidates.first().map(|c| c.version.to_string());
                format!(
                    "version {} is installed in this project (`ggen packs update {id}` changes it)",
                    version.unwrap_or_default()
                )
            }
            Source::Fixed(Origin::Path(path)) => {
                let version = known.candidates.first().map(|c| c.version.to_string());
                format!("{path} holds version {}", version.unwrap_or_default())
            }
            Source::NotInRegistry(registry) => format!("`{id}` is not in registry {registry}"),
            Source::Registry(registry) => {
                let versions: Vec<String> = known
                    .candidates
                    .iter()
                    .map(|c| {
                        if self.provider.problem.preferred.get(id) == Some(&c.version) {
                            format!("{} (locked)", c.version)
                        } else if c.yanked {
                            format!("{} (yanked)", c.version)
                        } else {
                            c.version.to_string()
                        }
                    })
                    .collect();
                if versions.is_empty() {
                    format!("registry {registry} has no version of it")
                } else {
                    format!("registry {registry} has {}", versions.join(", "))
                }
            }
        }
    }

    /// Why no version of `id` in `set` can be chosen.
    fn no_versions(&self, id: &str, set: &Set) -> String {
        let Ok(known) = self.provider.known(id) else {
            return format!("no version of {} can be read", self.pack_in(id, set));
        };
        match &known.source {
            Source::NotInRegistry(_) => return self.available(id),
            Source::Fixed(_) => {
                return format!(
                    "{} cannot be used: {}",
                    self.pack_in(id, set),
                    self.available(id)
                );
            }
            Source::Registry(_) => {}
        }
        let inside: Vec<_> = known
            .candidates
            .iter()
            .filter(|c| set.contains(&c.version))
            .collect();
        let labelled = self
            .provider
            .labels
            .borrow()
            .get(id)
            .is_some_and(|labels| labels.iter().any(|(s, _)| s == set));
        if inside.is_empty() && !labelled && !known.candidates.is_empty() {
            return format!("{id} has no other version ({})", self.available(id));
        }
        if !inside.is_empty() && inside.iter().all(|c| c.yanked) {
            let described = self.pack_in(id, set);
            let versions = described.trim_start_matches(id).trim_start();
            return format!(
                "every version of {id} matching {versions} is yanked ({})",
                self.available(id)
            );
        }
        let described = self.pack_in(id, set);
        let versions = described.trim_start_matches(id).trim_start();
        if versions.is_empty() {
            format!("no version of {id} is available ({})", self.available(id))
        } else {
            format!(
                "no version of {id} matches {versions} ({})",
                self.available(id)
            )
        }
    }

    fn requested(&self, id: &str, set: &Set) -> String {
        if let Some(fixed) = self.provider.problem.fixed.get(id)
            && let Origin::Path(path) = &fixed.origin
        {
            return format!("you asked for {path} ({id} {})", fixed.version);
        }
        format!("you asked for {}", self.pack_in(id, set))
    }
}

impl ReportFormatter<Node, Set, String> for Explainer<'_, '_> {
    type Output = String;

    fn format_external(&self, external: &External<Node, Set, String>) -> String {
        match external {
            External::NotRoot(..) => "we are resolving the request".to_string(),
            External::NoVersions(Node::Pack(id), set) => self.no_versions(id, set),
            External::NoVersions(Node::Root, _) => "the request cannot be read".to_string(),
            External::FromDependencyOf(Node::Root, _, Node::Pack(dep), set) => {
                self.requested(dep, set)
            }
            External::FromDependencyOf(Node::Pack(id), set_p, Node::Pack(dep), set_dep) => {
                format!(
                    "{} depends on {}",
                    self.pack_in(id, set_p),
                    self.pack_in(dep, set_dep)
                )
            }
            External::FromDependencyOf(p, _, dep, _) => format!("{p} depends on {dep}"),
            External::Custom(Node::Pack(id), set, message) => {
                format!("{} cannot be used: {message}", self.pack_in(id, set))
            }
            External::Custom(_, _, message) => message.clone(),
        }
    }

    fn format_terms(&self, terms: &Map<Node, Term<Set>>) -> String {
        let mut terms: Vec<_> = terms.iter().collect();
        terms.sort_by_key(|(node, _)| node.to_string());
        match terms.as_slice() {
            [] => "no set of versions satisfies everything".to_string(),
            [(Node::Root, Term::Positive(_))] => {
                "no set of versions satisfies the request".to_string()
            }
            [(Node::Pack(id), Term::Positive(set))] => {
                format!("{} cannot be used", self.pack_in(id, set))
            }
            [(Node::Pack(id), Term::Negative(set))] => {
                format!("{} is required", self.pack_in(id, set))
            }
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))]
            | [(p2, Term::Negative(r2)), (p1, Term::Positive(r1))] => self.format_external(
                &External::FromDependencyOf((*p1).clone(), r1.clone(), (*p2).clone(), r2.clone()),
            ),
            slice
                if slice
                    .iter()
                    .all(|(n, t)| matches!((n, t), (Node::Pack(_), Term::Positive(_)))) =>
            {
                let parts: Vec<String> = slice
                    .iter()
                    .filter_map(|(node, term)| match (node, term) {
                        (Node::Pack(id), Term::Positive(set)) => Some(self.pack_in(id, set)),
                        _ => None,
                    })
                    .collect();
                match parts.as_slice() {
                    [init @ .., last] => {
                        format!("{} and {last} cannot be used together", init.join(", "))
                    }
                    [] => "no set of versions satisfies everything".to_string(),
                }
            }
            slice => {
                let parts: Vec<String> = slice
                    .iter()
                    .map(|(node, term)| match (node, term) {
                        (Node::Pack(id), Term::Positive(set)) => self.pack_in(id, set),
                        (Node::Pack(id), Term::Negative(set)) => {
                            format!("not {}", self.pack_in(id, set))
                        }
                        (Node::Root, _) => "the request".to_string(),
                    })
                    .collect();
                format!("{} are incompatible", parts.join(", "))
            }
        }
    }

    fn explain_both_external(
        &self,
        external1: &External<Node, Set, String>,
        external2: &External<Node, Set, String>,
        current_terms: &Map<Node, Term<Set>>,
    ) -> String {
        format!(
            "Because {} and {}, {}.",
            self.format_external(external1),
            self.format_external(external2),
            self.format_terms(current_terms)
        )
    }

    fn explain_both_ref(
        &self,
        ref_id1: usize,
        derived1: &Derived<Node, Set, String>,
        ref_id2: usize,
        derived2: &Derived<Node, Set, String>,
        current_terms: &Map<Node, Term<Set>>,
    ) -> String {
        format!(
            "Because {} ({ref_id1}) and {} ({ref_id2}), {}.",
            self.format_terms(&derived1.terms),
            self.format_terms(&derived2.terms),
            self.format_terms(current_terms)
        )
    }

    fn explain_ref_and_external(
        &self,
        ref_id: usize,
        derived: &Derived<Node, Set, String>,
        external: &External<Node, Set, String>,
        current_terms: &Map<Node, Term<Set>>,
    ) -> String {
        format!(
            "Because {} ({ref_id}) and {}, {}.",
            self.format_terms(&derived.terms),
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_external(
        &self,
        external: &External<Node, Set, String>,
        current_terms: &Map<Node, Term<Set>>,
    ) -> String {
        format!(
            "And because {}, {}.",
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_ref(
        &self,
        ref_id: usize,
        derived: &Derived<Node, Set, String>,
        current_terms: &Map<Node, Term<Set>>,
    ) -> String {
        format!(
            "And because {} ({ref_id}), {}.",
            self.format_terms(&derived.terms),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_prior_and_external(
        &self,
        prior_external: &External<Node, Set, String>,
        external: &External<Node, Set, String>,
        current_terms: &Map<Node, Term<Set>>,
    ) -> String {
        format!(
            "And because {} and {}, {}.",
            self.format_external(prior_external),
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }
}
