//! Errors as the user sees them: a message, `hint:` lines, and the exit code.

use ggen_project::ProjectError;

/// Exit codes of the SPEC: 0 ok, 1 error, 2 usage, 3 conflicts or review remaining.
pub const EXIT_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_UNRESOLVED: u8 = 3;

#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
    pub hints: Vec<String>,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_ERROR,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_USAGE,
            ..CliError::new(message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> CliError {
        self.hints.push(hint.into());
        self
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> CliError {
        CliError::new(format!("cannot write to stdout: {err}"))
    }
}

impl From<ProjectError> for CliError {
    fn from(err: ProjectError) -> CliError {
        let hints = err.hint().into_iter().collect();
        CliError {
            code: EXIT_ERROR,
            message: err.to_string(),
            hints,
        }
    }
}

macro_rules! from_library_error {
    ($($ty:ty),*) => {$(
        impl From<$ty> for CliError {
            fn from(err: $ty) -> CliError {
                CliError::new(err.to_string())
            }
        }
    )*};
}

from_library_error!(
    ggen_fs::FsError,
    ggen_pack::PackError,
    ggen_template::TemplateError,
    ggen_registry::RegistryError,
    ggen_migrate::MigrateError
);
