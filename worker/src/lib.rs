//! Agora's background job runner. The job queue and its handlers (emails,
//! certificates, search indexing, reminders) arrive with the worker issue;
//! until then nothing is enqueued and there is nothing to run.
