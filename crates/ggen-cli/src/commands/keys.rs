//! `ggen keys generate --out FILE [--algorithm ed25519|ml-dsa-65]`.

use ggen_registry::{Algorithm, SecretKey};

use crate::args::{GlobalArgs, KeyAlgorithm, KeysGenerateArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings::{self, registry_error};
use crate::{Outcome, Report};

pub fn generate(
    args: &KeysGenerateArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let algorithm = match args.algorithm {
        KeyAlgorithm::Ed25519 => Algorithm::Ed25519,
        KeyAlgorithm::MlDsa65 => Algorithm::MlDsa65,
    };
    let secret_path = env.cwd.join(&args.out);
    let key = SecretKey::generate(algorithm).map_err(registry_error)?;
    let public_path = key.write_pair(&secret_path).map_err(|e| match e {
        ggen_registry::RegistryError::Key { .. } => {
            registry_error(e).with_hint("choose another --out, or delete the old key pair first")
        }
        other => registry_error(other),
    })?;
    let public = key.public();
    if printer.json {
        document = Some(serde_json::json!({
            "algorithm": public.algorithm.name(),
            "key_id": public.key_id,
            "secret_key": secret_path,
            "public_key": public_path,
        }));
    } else {
        printer.status(
            "Generated",
            &format!(
                "{} key {} (secret: {}, public: {})",
                public.algorithm.name(),
                public.key_id,
                secret_path.display(),
                public_path.display()
            ),
        );
        printer.note(&format!(
            "keep {} private; give {} to the people who install your packs",
            secret_path.display(),
            public_path.display()
        ));
    }
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
