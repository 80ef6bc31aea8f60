//! `--jq` through jaq.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

use crate::exit::CliError;

fn invalid(program: &str) -> CliError {
    CliError::validation("invalid_argument", format!("--jq: cannot compile `{program}`")).param("jq")
}

fn compile(
    program: &str,
) -> Result<jaq_core::compile::Filter<jaq_core::Native<data::JustLut<Val>>>, CliError> {
    let defs = jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs());
    let funs = jaq_core::funs().chain(jaq_std::funs()).chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = loader
        .load(
            &arena,
            File {
                code: program,
                path: (),
            },
        )
        .map_err(|_| invalid(program))?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|_| invalid(program))
}

/// Checks that `program` compiles, before any request.
pub(crate) fn compile_check(program: &str) -> Result<(), CliError> {
    compile(program).map(|_| ())
}

/// Runs `program` on `input`; one compact JSON text per output value.
pub(crate) fn run(program: &str, input: &Value) -> Result<Vec<String>, CliError> {
    let filter = compile(program)?;
    let text = serde_json::to_vec(input).map_err(|e| CliError::internal(e.to_string()))?;
    let input =
        jaq_json::read::parse_single(&text).map_err(|e| CliError::internal(format!("jq input: {e}")))?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut out = Vec::new();
    for v in filter.id.run((ctx, input)).map(unwrap_valr) {
        match v {
            Ok(v) => out.push(v.to_string()),
            Err(e) => {
                return Err(
                    CliError::validation("invalid_argument", format!("--jq failed: {e}")).param("jq"),
                );
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn selects_and_rejects() {
        let out = super::run(".a | .[]", &serde_json::json!({"a": [1, "x"]})).unwrap();
        assert_eq!(out, ["1", "\"x\""]);
        assert!(super::compile_check(".a |").is_err());
    }
}
