mod catalogue;
mod cli;
mod compose;
mod errors;
mod import;
mod jobs;
mod openapi;
mod operations;
