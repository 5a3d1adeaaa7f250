//! Dependency resolution with pubgrub: the newest versions that satisfy every requirement,
//! transitively, skipping yanked versions unless they are the preferred (locked) ones; then
//! the packs in dependency order, refusing cycles.

mod report;
mod requirement;

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use pubgrub::{
    Dependencies, DependencyProvider, PackageResolutionStatistics, PubGrubError, Ranges,
};
use semver::{Version, VersionReq};

use crate::{PackIndex, Registry, RegistryError};

/// Indexes read at once when a pack has several dependencies.
const PARALLEL_FETCHES: usize = 8;

/// A pack whose version is decided before resolution.
#[derive(Debug, Clone)]
pub struct Fixed {
    pub version: Version,
    pub dependencies: BTreeMap<String, VersionReq>,
    pub origin: Origin,
}

/// Where a [`Fixed`] pack comes from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A pack directory or archive given on the command line.
    Path(String),
    /// Already installed in the project; changing it is `ggen packs update`'s job.
    Installed,
}

/// What to resolve.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// What the user asked for, in order.
    pub requests: Vec<(String, VersionReq)>,
    /// Packs with one possible version (their dependencies are still resolved).
    pub fixed: BTreeMap<String, Fixed>,
    /// Versions kept when they satisfy every requirement (locked versions), even if yanked.
    pub preferred: BTreeMap<String, Version>,
}

/// The chosen versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    /// Every pack needed, dependencies before their dependents.
    pub order: Vec<String>,
    pub versions: BTreeMap<String, Version>,
    /// Per pack, the chosen version of each of its dependencies.
    pub dependencies: BTreeMap<String, BTreeMap<String, Version>>,
}

/// Resolves `problem` against `registry` (needed only for packs that are not fixed).
pub fn resolve(
    problem: &Problem,
    registry: Option<&Registry>,
) -> Result<Resolution, RegistryError> {
    let provider = Provider {
        problem,
        registry,
        known: RefCell::new(HashMap::new()),
        labels: RefCell::new(HashMap::new()),
    };
    // A requested id the registry does not have is most often a typo: say so, with the
    // nearest id, rather than as a resolution failure.
    if let Some(registry) = registry {
        for (id, _) in &problem.requests {
            if !problem.fixed.contains_key(id) && registry.pack_index_optional(id)?.is_none() {
                return Err(registry.unknown_pack(id));
            }
        }
    }
    let selected = match pubgrub::resolve(&provider, Node::Root, Version::new(0, 0, 0)) {
        Ok(selected) => selected,
        Err(PubGrubError::NoSolution(tree)) => {
            return Err(RegistryError::Unsatisfiable {
                report: report::explain(&provider, &tree),
            });
        }
        Err(PubGrubError::ErrorChoosingVersion { source, .. })
        | Err(PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(PubGrubError::ErrorInShouldCancel(source)) => return Err(source),
    };
    let versions: BTreeMap<String, Version> = selected
        .into_iter()
        .filter_map(|(node, version)| match node {
            Node::Pack(id) => Some((id, version)),
            Node::Root => None,
        })
        .collect();
    let mut dependencies = BTreeMap::new();
    let mut requirements = BTreeMap::new();
    for (id, version) in &versions {
        let reqs = provider.requirements_of(id, version)?;
        let chosen = reqs
            .keys()
            .filter_map(|dep| versions.get(dep).map(|v| (dep.clone(), v.clone())))
            .collect();
        dependencies.insert(id.clone(), chosen);
        requirements.insert(id.clone(), reqs);
    }
    let order = dependency_order(problem, &versions, &requirements)?;
    Ok(Resolution {
        order,
        versions,
        dependencies,
    })
}

/// Post-order walk from the requests: each pack after its dependencies (in id order); a
/// dependency that leads back to a pack on the current path is a cycle.
fn dependency_order(
    problem: &Problem,
    versions: &BTreeMap<String, Version>,
    requirements: &BTreeMap<String, BTreeMap<String, VersionReq>>,
) -> Result<Vec<String>, RegistryError> {
    fn visit(
        id: &str,
        versions: &BTreeMap<String, Version>,
        requirements: &BTreeMap<String, BTreeMap<String, VersionReq>>,
        stack: &mut Vec<String>,
        order: &mut Vec<String>,
    ) -> Result<(), RegistryError> {
        if order.iter().any(|done| done == id) {
            return Ok(());
        }
        if let Some(pos) = stack.iter().position(|s| s == id) {
            let mut chain: Vec<String> = stack[pos..].to_vec();
            chain.push(id.to_string());
            let steps: Vec<String> = chain
                .windows(2)
                .map(|pair| {
                    let version = versions
                        .get(&pair[0])
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    let req = requirements
                        .get(&pair[0])
                        .and_then(|r| r.get(&pair[1]))
                        .map(|r| r.to_string())
                        .unwrap_or_default();
                    format!("{} {version} depends on {} {req}", pair[0], pair[1])
                })
                .collect();
            return Err(RegistryError::DependencyCycle {
                chain: steps.join(", and "),
            });
        }
        stack.push(id.to_string());
        if let Some(reqs) = requirements.get(id) {
            for dep in reqs.keys() {
                if versions.contains_key(dep) {
                    visit(dep, versions, requirements, stack, order)?;
                }
            }
        }
        stack.pop();
        order.push(id.to_string());
        Ok(())
    }
    let mut order = Vec::new();
    let mut stack = Vec::new();
    for (id, _) in &problem.requests {
        visit(id, versions, requirements, &mut stack, &mut order)?;
    }
    Ok(order)
}

/// A node of the resolution graph: the request itself, or a pack.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    Root,
    Pack(String),
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Root => f.write_str("the request"),
            Node::Pack(id) => f.write_str(id),
        }
    }
}

/// One version a pack could take.
pub(crate) struct Candidate {
    pub(crate) version: Version,
    pub(crate) yanked: bool,
    /// Its requirements, or why they cannot be read.
    pub(crate) requirements: Result<BTreeMap<String, VersionReq>, String>,
}

/// Everything known about one pack's versions.
pub(crate) struct Known {
    /// Ascending.
    pub(crate) candidates: Vec<Candidate>,
    pub(crate) source: Source,
}

pub(crate) enum Source {
    Registry(String),
    NotInRegistry(String),
    Fixed(Origin),
}

/// Per pack, the version sets made from requirements, with the requirements' text.
pub(crate) type Labels = HashMap<String, Vec<(Ranges<Version>, String)>>;

pub(crate) struct Provider<'a> {
    pub(crate) problem: &'a Problem,
    registry: Option<&'a Registry>,
    known: RefCell<HashMap<String, Rc<Known>>>,
    /// Sets built from requirements, with the requirement's text, so that messages can say
    /// `^1.2` rather than `>=1.2.0, <2.0.0`.
    pub(crate) labels: RefCell<Labels>,
}

impl Provider<'_> {
    pub(crate) fn known(&self, id: &str) -> Result<Rc<Known>, RegistryError> {
        if let Some(known) = self.known.borrow().get(id) {
            return Ok(known.clone());
        }
        let known = Rc::new(self.load(id, None)?);
        self.known
            .borrow_mut()
            .insert(id.to_string(), known.clone());
        Ok(known)
    }

    fn load(
        &self,
        id: &str,
        fetched: Option<Option<Arc<PackIndex>>>,
    ) -> Result<Known, RegistryError> {
        if let Some(fixed) = self.problem.fixed.get(id) {
            return Ok(Known {
                candidates: vec![Candidate {
                    version: fixed.version.clone(),
                    yanked: false,
                    requirements: Ok(fixed.dependencies.clone()),
                }],
                source: Source::Fixed(fixed.origin.clone()),
            });
        }
        let registry = self
            .registry
            .ok_or_else(|| RegistryError::NoRegistry { id: id.to_string() })?;
        let index = match fetched {
            Some(index) => index,
            None => registry.pack_index_optional(id)?,
        };
        let Some(index) = index else {
            return Ok(Known {
                candidates: Vec::new(),
                source: Source::NotInRegistry(registry.describe()),
            });
        };
        let mut candidates: Vec<Candidate> = index
            .versions
            .iter()
            .filter_map(|entry| {
                entry.semver().map(|version| Candidate {
                    version,
                    yanked: entry.yanked,
                    requirements: entry.requirements(),
                })
            })
            .collect();
        candidates.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(Known {
            candidates,
            source: Source::Registry(registry.describe()),
        })
    }

    /// Reads the indexes of `ids` not known yet, in parallel (they are independent).
    fn prefetch(&self, ids: &[&String]) -> Result<(), RegistryError> {
        let Some(registry) = self.registry else {
            return Ok(());
        };
        let missing: Vec<&String> = ids
            .iter()
            .copied()
            .filter(|id| {
                !self.known.borrow().contains_key(*id) && !self.problem.fixed.contains_key(*id)
            })
            .collect();
        if missing.len() < 2 {
            return Ok(());
        }
        for batch in missing.chunks(PARALLEL_FETCHES) {
            let fetched: Vec<_> = std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|id| scope.spawn(move || registry.pack_index_optional(id)))
                    .collect();
                handles
                    .into_iter()
                    .zip(batch)
                    .map(|(h, id)| {
                        h.join().unwrap_or_else(|_| {
                            Err(RegistryError::Index {
                                location: registry.describe(),
                                message: format!("reading the index of `{id}` failed unexpectedly"),
                            })
                        })
                    })
                    .collect()
            });
            for (id, index) in batch.iter().zip(fetched) {
                let known = Rc::new(self.load(id, Some(index?))?);
                self.known.borrow_mut().insert((*id).clone(), known);
            }
        }
        Ok(())
    }

    /// `req` on `id` as a version set, remembering its text for messages.
    fn set_for(&self, id: &str, req: &VersionReq) -> Result<Ranges<Version>, RegistryError> {
        let known = self.known(id)?;
        let set = requirement::to_ranges(req, known.candidates.iter().map(|c| &c.version));
        let mut labels = self.labels.borrow_mut();
        let entry = labels.entry(id.to_string()).or_default();
        if !entry.iter().any(|(s, _)| *s == set) {
            entry.push((set.clone(), req.to_string()));
        }
        Ok(set)
    }

    fn requirements_of(
        &self,
        id: &str,
        version: &Version,
    ) -> Result<BTreeMap<String, VersionReq>, RegistryError> {
        let known = self.known(id)?;
        Ok(known
            .candidates
            .iter()
            .find(|c| &c.version == version)
            .and_then(|c| c.requirements.clone().ok())
            .unwrap_or_default())
    }

    fn usable(&self, id: &str, candidate: &Candidate) -> bool {
        !candidate.yanked || self.problem.preferred.get(id) == Some(&candidate.version)
    }
}

impl DependencyProvider for Provider<'_> {
    type P = Node;
    type V = Version;
    type VS = Ranges<Version>;
    type M = String;
    type Err = RegistryError;
    type Priority = (u32, Reverse<usize>);

    fn prioritize(
        &self,
        package: &Node,
        range: &Ranges<Version>,
        stats: &PackageResolutionStatistics,
    ) -> Self::Priority {
        let Node::Pack(id) = package else {
            return (u32::MAX, Reverse(0));
        };
        // Fewest choices first; a pack that cannot be read is decided at once, so that its
        // error surfaces early.
        let choices = match self.known(id) {
            Ok(known) => known
                .candidates
                .iter()
                .filter(|c| range.contains(&c.version) && self.usable(id, c))
                .count(),
            Err(_) => 0,
        };
        (stats.conflict_count(), Reverse(choices))
    }

    fn choose_version(
        &self,
        package: &Node,
        range: &Ranges<Version>,
    ) -> Result<Option<Version>, RegistryError> {
        let Node::Pack(id) = package else {
            return Ok(Some(Version::new(0, 0, 0)));
        };
        let known = self.known(id)?;
        if let Some(preferred) = self.problem.preferred.get(id)
            && range.contains(preferred)
            && known.candidates.iter().any(|c| &c.version == preferred)
        {
            return Ok(Some(preferred.clone()));
        }
        Ok(known
            .candidates
            .iter()
            .rev()
            .find(|c| range.contains(&c.version) && self.usable(id, c))
            .map(|c| c.version.clone()))
    }

    fn get_dependencies(
        &self,
        package: &Node,
        version: &Version,
    ) -> Result<Dependencies<Node, Ranges<Version>, String>, RegistryError> {
        let requirements: Vec<(String, VersionReq)> = match package {
            Node::Root => self.problem.requests.clone(),
            Node::Pack(id) => {
                let known = self.known(id)?;
                let Some(candidate) = known.candidates.iter().find(|c| &c.version == version)
                else {
                    return Ok(Dependencies::Unavailable("it is not published".into()));
                };
                match &candidate.requirements {
                    Ok(reqs) => reqs.iter().map(|(d, r)| (d.clone(), r.clone())).collect(),
                    Err(message) => return Ok(Dependencies::Unavailable(message.clone())),
                }
            }
        };
        let ids: Vec<&String> = requirements.iter().map(|(id, _)| id).collect();
        self.prefetch(&ids)?;
        let mut constraints: BTreeMap<String, Ranges<Version>> = BTreeMap::new();
        for (id, req) in &requirements {
            let set = self.set_for(id, req)?;
            let merged = match constraints.remove(id) {
                Some(existing) => existing.intersection(&set),
                None => set,
            };
            constraints.insert(id.clone(), merged);
        }
        Ok(Dependencies::Available(
            constraints
                .into_iter()
                .map(|(id, set)| (Node::Pack(id), set))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests;
