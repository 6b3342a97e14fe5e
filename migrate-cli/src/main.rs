//! Thin entry point: everything lives in the library's `run`.

fn main() -> std::process::ExitCode {
    migrate_cli::run(std::env::args_os())
}
