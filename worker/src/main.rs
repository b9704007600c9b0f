//! `agora-worker`: the standalone worker for production.

fn main() -> std::process::ExitCode {
    eprintln!(
        "agora-worker: there are no background jobs yet (the job queue arrives with the worker issue); \
         `agora serve` is all that is needed today"
    );
    std::process::ExitCode::from(3)
}
