mod catalogue;
mod cli;
mod compose;
mod errors;
mod import;
mod openapi;
mod operations;
