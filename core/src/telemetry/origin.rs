//! Where background work comes from: the request id and the trace context
//! of the request (or job) that enqueues a job travel with the job, so that
//! its log lines and its span lead back to the request.

use std::collections::HashMap;

use opentelemetry::{Context, propagation::TextMapPropagator, trace::TraceContextExt};
use opentelemetry_sdk::propagation::TraceContextPropagator;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` on behalf of the request `request_id` (nothing to carry
/// when it is `None`): the jobs it enqueues carry that id.
pub async fn on_behalf_of<F: Future>(request_id: Option<String>, work: F) -> F::Output {
    match request_id {
        Some(id) => REQUEST_ID.scope(id, work).await,
        None => work.await,
    }
}

/// The id of the request the current work is done for, if any.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The current span as a W3C `traceparent`, when traces are on and the span
/// is recorded; `None` costs no more than a look at the current context.
pub fn traceparent() -> Option<String> {
    let cx = Context::current();
    if !cx.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&cx, &mut carrier);
    carrier.remove("traceparent")
}

/// The trace context that a `traceparent` (and `tracestate`) names: the
/// parent of a span continued from another process. Empty (a new trace)
/// when it names none or is malformed.
pub fn parent_context(traceparent: Option<&str>, tracestate: Option<&str>) -> Context {
    let Some(parent) = traceparent else {
        return Context::new();
    };
    let mut carrier = HashMap::from([("traceparent".to_owned(), parent.to_owned())]);
    if let Some(state) = tracestate {
        carrier.insert("tracestate".to_owned(), state.to_owned());
    }
    TraceContextPropagator::new().extract(&carrier)
}

/// Makes `span` (a [`super::traces::TARGET`] span not yet entered) a child
/// of the span `traceparent` names, in its trace. Does nothing when traces
/// are off or there is no (valid) parent: the span then starts a trace.
pub fn continue_trace(span: &tracing::Span, traceparent: Option<&str>, tracestate: Option<&str>) {
    if span.is_disabled() || traceparent.is_none() {
        return;
    }
    let parent = parent_context(traceparent, tracestate);
    if parent.span().span_context().is_valid() {
        // Fails only when the span has started already, which the caller rules out.
        let _ = tracing_opentelemetry::OpenTelemetrySpanExt::set_parent(span, parent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_request_id_is_there_only_on_behalf_of_a_request() {
        assert_eq!(request_id(), None);
        let seen = on_behalf_of(Some("req-12345678".into()), async { request_id() }).await;
        assert_eq!(seen.as_deref(), Some("req-12345678"));
        assert_eq!(on_behalf_of(None, async { request_id() }).await, None);
    }

    #[test]
    fn a_traceparent_names_its_trace_and_a_bad_one_none() {
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let cx = parent_context(Some(tp), None);
        let span = cx.span();
        let sc = span.span_context();
        assert!(sc.is_remote());
        assert_eq!(
            sc.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert!(
            !parent_context(Some("00-zz-00-01"), None)
                .span()
                .span_context()
                .is_valid()
        );
        // Without traces on, no span is current, so nothing is carried.
        assert_eq!(traceparent(), None);
    }
}
