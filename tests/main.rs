//! End-to-end tests: the real `agora` binary against a real database, over HTTP.

mod e2e;
